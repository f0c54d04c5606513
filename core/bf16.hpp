// bfloat16 on the host, for every device's inputs and references: the upper half of a float,
// rounded to nearest with ties to even (what the hardware's conversions do).
#pragma once
#include <cstdint>
#include <cstring>

namespace memwall {

inline uint16_t to_bf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  bits += 0x7fff + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

inline float from_bf16(uint16_t b) {
  const uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

}  // namespace memwall
