#include "core/units.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace memwall {

uint64_t parse_bytes(const std::string& text) {
  size_t pos = 0;
  while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
  if (pos == 0)
    throw UsageError("bad size '" + text + "': expected a number such as 4096 or 64MiB");
  uint64_t value = 0;
  try {
    value = std::stoull(text.substr(0, pos));
  } catch (const std::exception&) {
    throw UsageError("bad size '" + text + "': number out of range");
  }
  const std::string suffix = text.substr(pos);
  struct Unit {
    const char* name;
    uint64_t factor;
  };
  static const Unit units[] = {{"", 1},
                               {"B", 1},
                               {"K", 1ull << 10},
                               {"KiB", 1ull << 10},
                               {"k", 1ull << 10},
                               {"M", 1ull << 20},
                               {"MiB", 1ull << 20},
                               {"G", 1ull << 30},
                               {"GiB", 1ull << 30},
                               {"T", 1ull << 40},
                               {"TiB", 1ull << 40},
                               {"kB", 1000ull},
                               {"KB", 1000ull},
                               {"MB", 1000ull * 1000},
                               {"GB", 1000ull * 1000 * 1000},
                               {"TB", 1000ull * 1000 * 1000 * 1000}};
  for (const Unit& u : units) {
    if (suffix == u.name) {
      if (value == 0) throw UsageError("bad size '" + text + "': must be greater than 0");
      if (value > UINT64_MAX / u.factor) throw UsageError("bad size '" + text + "': too large");
      return value * u.factor;
    }
  }
  throw UsageError("bad size '" + text + "': unknown unit '" + suffix +
                   "' (use B, KiB, MiB, GiB, or kB, MB, GB)");
}

std::string format_bytes(uint64_t bytes) {
  static const char* names[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  double value = static_cast<double>(bytes);
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char buf[32];
  if (value == std::floor(value))
    std::snprintf(buf, sizeof buf, "%.0f%s", value, names[unit]);
  else
    std::snprintf(buf, sizeof buf, "%.3g%s", value, names[unit]);
  return buf;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (!text.empty() && start <= text.size()) {
    const size_t end = std::min(text.find(',', start), text.size());
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::vector<int> parse_positive_list(const std::string& text, const std::string& what) {
  std::vector<int> out;
  for (const std::string& item : text.empty() ? std::vector<std::string>{""} : split_list(text)) {
    size_t used = 0;
    long value = 0;
    try {
      value = std::stol(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (item.empty() || used != item.size() || value <= 0 || value > 1 << 20)
      throw UsageError("bad " + what + " '" + item + "': expected a positive integer");
    out.push_back(static_cast<int>(value));
  }
  return out;
}

std::vector<uint64_t> size_sweep(uint64_t lo, uint64_t hi, int per_octave, uint64_t align) {
  if (lo == 0 || hi < lo || per_octave <= 0 || align == 0)
    throw UsageError("bad size range: need 0 < min <= max and points per octave > 0");
  std::vector<uint64_t> sizes;
  const double step = std::pow(2.0, 1.0 / per_octave);
  // Walk on a grid anchored at powers of two so 16KiB, 4MiB, 1GiB are always included.
  const double first_octave = std::floor(std::log2(static_cast<double>(lo)));
  for (int k = 0;; ++k) {
    const double exact = std::pow(2.0, first_octave) * std::pow(step, k);
    if (exact > static_cast<double>(hi) * 1.0000001) break;
    uint64_t size = static_cast<uint64_t>(std::llround(exact / align)) * align;
    if (size < lo || size == 0) continue;
    if (sizes.empty() || sizes.back() != size) sizes.push_back(size);
  }
  if (sizes.empty() || sizes.back() != hi) {
    const uint64_t top = std::max<uint64_t>(align, hi / align * align);
    if (sizes.empty() || sizes.back() < top) sizes.push_back(top);
  }
  return sizes;
}

}  // namespace memwall
