#include "bench_gpu/gpu_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "core/bf16.hpp"
#include "core/stream_kernels.hpp"
#include "core/units.hpp"

namespace memwall::gpu {

namespace {

// IEEE half, round to nearest; the values used are small and normal.
uint16_t f32_to_f16(float f) {
  if (f == 0) return 0;
  const uint16_t sign = f < 0 ? 0x8000 : 0;
  int exponent = 0;
  const double mantissa = std::frexp(std::fabs(f), &exponent);  // [0.5, 1)
  const int e = exponent - 1 + 15;
  if (e <= 0) return sign;  // flush the tiny ones to zero
  const uint32_t m = static_cast<uint32_t>(std::nearbyint((mantissa * 2 - 1) * 1024));
  return static_cast<uint16_t>(sign | ((e + (m >> 10)) << 10) | (m & 0x3ff));
}
float f16_to_f32(uint16_t h) {
  const int e = (h >> 10) & 0x1f;
  const double m = h & 0x3ff;
  const double v = e == 0 ? std::ldexp(m / 1024, -14) : std::ldexp(1 + m / 1024, e - 15);
  return static_cast<float>((h & 0x8000) ? -v : v);
}
// fp8 e4m3: bias 7, 3 mantissa bits; the inputs are chosen on its grid.
uint8_t f32_to_e4m3(float f) {
  if (f == 0) return 0;
  const uint8_t sign = f < 0 ? 0x80 : 0;
  int exponent = 0;
  const double mantissa = std::frexp(std::fabs(f), &exponent);
  const int e = exponent - 1 + 7;
  if (e <= 0) return sign;
  const uint32_t m = static_cast<uint32_t>(std::nearbyint((mantissa * 2 - 1) * 8));
  return static_cast<uint8_t>(sign | ((e + (m >> 3)) << 3) | (m & 7));
}
float e4m3_to_f32(uint8_t v) {
  const int e = (v >> 3) & 0xf;
  const double m = v & 7;
  const double x = e == 0 ? std::ldexp(m / 8, -6) : std::ldexp(1 + m / 8, e - 7);
  return static_cast<float>((v & 0x80) ? -x : x);
}

}  // namespace

const std::vector<GemmTypeInfo>& gemm_types() {
  static const std::vector<GemmTypeInfo> all = {
      {GemmType::tf32, "tf32", 4, 4, 8, 0, std::ldexp(1.0, -11), 0},
      {GemmType::fp16, "fp16", 2, 2, 7, 0, 0, std::ldexp(1.0, -11)},
      {GemmType::bf16, "bf16", 2, 2, 8, 0, 0, std::ldexp(1.0, -8)},
      {GemmType::fp8, "fp8", 1, 2, 8, 9, 0, std::ldexp(1.0, -8)},
      {GemmType::int8, "int8", 1, 4, 7, 5, 0, 0},
  };
  return all;
}

const GemmTypeInfo& gemm_type(const std::string& name) {
  for (const GemmTypeInfo& t : gemm_types())
    if (name == t.name) return t;
  throw UsageError("unknown GPU GEMM format '" + name + "' (tf32, fp16, bf16, fp8, int8)");
}

bool gemm_supported(const GemmTypeInfo& t, int major, int minor) {
  return major * 10 + minor >= t.min_major * 10 + t.min_minor;
}

std::vector<unsigned char> encode(GemmType t, const std::vector<float>& values, bool is_output) {
  const GemmTypeInfo* info = nullptr;
  for (const GemmTypeInfo& i : gemm_types())
    if (i.type == t) info = &i;
  const int bytes = is_output ? info->out_bytes : info->in_bytes;
  std::vector<unsigned char> out(values.size() * static_cast<size_t>(bytes));
  for (size_t i = 0; i < values.size(); ++i) {
    unsigned char* p = out.data() + i * static_cast<size_t>(bytes);
    const float v = values[i];
    if (bytes == 4 && t == GemmType::int8) {
      const int32_t x = static_cast<int32_t>(v);
      std::memcpy(p, &x, 4);
    } else if (bytes == 4) {
      std::memcpy(p, &v, 4);
    } else if (bytes == 2) {
      const uint16_t h = (t == GemmType::fp16) ? f32_to_f16(v) : to_bf16(v);
      std::memcpy(p, &h, 2);
    } else if (t == GemmType::fp8) {
      *p = f32_to_e4m3(v);
    } else {
      *p = static_cast<unsigned char>(static_cast<int8_t>(v));
    }
  }
  return out;
}

double decode(GemmType t, const unsigned char* p, bool is_output) {
  if (is_output) {
    if (t == GemmType::tf32) {
      float f;
      std::memcpy(&f, p, 4);
      return f;
    }
    if (t == GemmType::int8) {
      int32_t x;
      std::memcpy(&x, p, 4);
      return x;
    }
    uint16_t h;
    std::memcpy(&h, p, 2);
    return t == GemmType::fp16 ? f16_to_f32(h) : from_bf16(h);
  }
  switch (t) {
    case GemmType::tf32: {
      float f;
      std::memcpy(&f, p, 4);
      return f;
    }
    case GemmType::fp16: {
      uint16_t h;
      std::memcpy(&h, p, 2);
      return f16_to_f32(h);
    }
    case GemmType::bf16: {
      uint16_t h;
      std::memcpy(&h, p, 2);
      return from_bf16(h);
    }
    case GemmType::fp8:
      return e4m3_to_f32(*p);
    case GemmType::int8:
      return static_cast<int8_t>(*p);
  }
  return 0;
}

const std::vector<MemoryKernel>& memory_kernels() {
  // How the GPU runs each of core's kernels (core/stream_kernels.hpp counts their bytes).
  auto kernel = [](const char* name, StreamOp op, bool in_quick) {
    const StreamWeights& w = stream_weights(name);
    return MemoryKernel{w.name, w.reads, w.writes, op, in_quick};
  };
  static const std::vector<MemoryKernel> all = {
      kernel("read", StreamOp::read, true), kernel("write", StreamOp::write, false),
      kernel("copy", StreamOp::copy, true), kernel("triad", StreamOp::triad, true),
      kernel("dot", StreamOp::dot, false)};
  return all;
}

const MemoryKernel& memory_kernel(const std::string& name) {
  for (const MemoryKernel& k : memory_kernels())
    if (name == k.name) return k;
  throw UsageError("unknown GPU memory kernel '" + name + "' (read, write, copy, triad, dot)");
}

uint64_t kernel_bytes(const MemoryKernel& k, uint64_t elements, int element_bytes) {
  return stream_bytes(stream_weights(k.name), elements, static_cast<uint64_t>(element_bytes));
}

std::vector<LaunchConfig> launch_configs(int sms, int max_threads_per_sm, uint64_t bytes_per_array,
                                         bool full) {
  std::vector<LaunchConfig> out;
  const std::vector<int> widths = {4, 8, 16};
  const int resident = std::max(1, max_threads_per_sm / LaunchConfig{}.threads_per_block);
  std::vector<int> blocks;
  for (int b : full ? std::vector<int>{1, 2, 4, 8, 16, 32} : std::vector<int>{2, 4, 8, 16})
    if (b <= resident) blocks.push_back(b);
  if (blocks.empty()) blocks.push_back(1);
  const std::vector<int> per_thread = full ? std::vector<int>{1, 2, 4, 8} : std::vector<int>{1, 4};
  for (int w : widths)
    for (int b : blocks)
      for (int e : per_thread) {
        LaunchConfig c{w, b, e, LaunchConfig{}.threads_per_block};
        const uint64_t per_launch = static_cast<uint64_t>(sms) * b * c.threads_per_block * e * w;
        // A configuration whose threads would mostly idle on a small working set is skipped,
        // unless it is the smallest of its width.
        if (per_launch > 4 * bytes_per_array && !(b == blocks.front() && e == 1)) continue;
        out.push_back(c);
      }
  return out;
}

size_t pick_best(const std::vector<double>& rates) {
  size_t best = 0;
  for (size_t i = 1; i < rates.size(); ++i)
    if (rates[i] > rates[best]) best = i;
  return best;
}

std::string describe(const LaunchConfig& c) {
  return std::to_string(c.vector_bytes * 8) + "-bit loads, " + std::to_string(c.blocks_per_sm) +
         " blocks/SM x " + std::to_string(c.threads_per_block) + " threads, " +
         std::to_string(c.elements_per_thread) + " vectors/thread/step";
}

SmModel sm_model(int major, int minor) {
  const int cc = major * 10 + minor;
  switch (cc) {
    case 70:
      return {64, 32, 128, true};  // V100
    case 75:
      return {64, 2, 128, true};  // T4
    case 80:
      return {64, 32, 256, true};  // A100
    case 86:
    case 87:
      return {128, 2, 256, true};  // A10, A40, Orin
    case 89:
      return {128, 2, 256, true};  // L4, L40S, RTX 4090
    case 90:
      return {128, 64, 256, true};  // H100, H200, GH200
    case 100:
      return {128, 64, 256, true};  // B200
    case 120:
      return {128, 2, 256, true};  // RTX 50xx
    default:
      return {};
  }
}

const std::vector<GpuCurveMix>& gpu_curve_mixes() {
  static const std::vector<GpuCurveMix> mixes = {
      {"read", 1, 0}, {"3r1w", 3, 1}, {"2r1w", 2, 1}, {"1r1w", 1, 1}};
  return mixes;
}

const GpuCurveMix& gpu_curve_mix(const std::string& name) {
  for (const GpuCurveMix& m : gpu_curve_mixes())
    if (name == m.name) return m;
  throw UsageError("unknown GPU curve mix '" + name + "' (read, 3r1w, 2r1w, 1r1w)");
}

std::vector<GpuCurvePoint> gpu_curve_points(int sms, bool quick) {
  if (sms < 2) return {};  // no SM left to load it with
  const int generators = sms - 1;
  // A thread's sleep after each group, densest where HBM's latency climbs: thousands of
  // threads in flight saturate it at sleeps of a few hundred ns.
  const std::vector<int> delays =
      quick ? std::vector<int>{0, 200, 1000, 5000}
            : std::vector<int>{0,   50,   100,  150,  200,  300,  400,  600,
                               800, 1200, 1600, 2400, 3200, 6400, 12800};
  std::vector<GpuCurvePoint> out = {{"idle", 0, 0}};
  for (const GpuCurveMix& m : gpu_curve_mixes()) {
    if (quick && std::string(m.name) != "read" && std::string(m.name) != "1r1w") continue;
    for (int d : delays) out.push_back({m.name, generators, d});
  }
  return out;
}

GpuCurveBytes gpu_curve_bytes(uint64_t l2_bytes, uint64_t memory_bytes, int generators) {
  GpuCurveBytes b;
  const uint64_t room = memory_bytes / 4;  // half for the chase, half for the generators
  b.chase = std::min(std::max<uint64_t>(1ull << 30, 32 * l2_bytes), room / 2);
  if (generators > 0) {
    const uint64_t total = std::min(std::max<uint64_t>(2ull << 30, 64 * l2_bytes), room / 2);
    b.per_generator = total / static_cast<uint64_t>(generators) / 4096 * 4096;
  }
  return b;
}

StepLayers step_layers(const std::vector<MatmulOp>& layer, const MatmulOp& head, int in_bytes,
                       int out_bytes, int layers, uint64_t l2_bytes, uint64_t memory_bytes,
                       bool quick) {
  auto bytes = [&](const MatmulOp& op) {
    return static_cast<uint64_t>(in_bytes) * (op.count * op.m * op.k + op.b_count * op.k * op.n) +
           static_cast<uint64_t>(out_bytes) * op.count * op.m * op.n;
  };
  uint64_t layer_bytes = 0;
  for (const MatmulOp& op : layer) layer_bytes += bytes(op);
  const uint64_t head_bytes = bytes(head);
  StepLayers s;
  if (layer_bytes == 0 || layer_bytes + head_bytes > memory_bytes) {
    s.why = "one layer and the LM head take " + format_bytes(layer_bytes + head_bytes) +
            ", above the " + format_bytes(memory_bytes) + " a step may use";
    return s;
  }
  const int fit = static_cast<int>(
      std::min<uint64_t>(static_cast<uint64_t>(layers), (memory_bytes - head_bytes) / layer_bytes));
  const int cold = static_cast<int>((4 * l2_bytes + layer_bytes - 1) / layer_bytes);
  s.run = quick ? std::clamp(cold, 1, fit) : fit;
  return s;
}

double theoretical_gflops(int sms, int lanes, double clock_mhz) {
  return static_cast<double>(sms) * lanes * 2.0 * clock_mhz / 1e3;
}

std::string check_gemm_sample(const Element& a, const Element& b, const Element& c, int64_t m,
                              int64_t n, int64_t k, double relative, int samples, uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (int s = 0; s < samples; ++s) {
    const int64_t i = static_cast<int64_t>(rng() % static_cast<uint64_t>(m));
    const int64_t j = static_cast<int64_t>(rng() % static_cast<uint64_t>(n));
    double ref = 0, magnitude = 0;
    for (int64_t p = 0; p < k; ++p) {
      const double term = a(i, p) * b(p, j);
      ref += term;
      magnitude += std::fabs(term);
    }
    const double got = c(i, j);
    if (!(std::fabs(got - ref) <= relative * magnitude + 1e-30))
      return "C[" + std::to_string(i) + "," + std::to_string(j) + "] = " + std::to_string(got) +
             ", reference " + std::to_string(ref);
  }
  return "";
}

}  // namespace memwall::gpu
