#include "bench_cpu/matmul.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <tuple>

#include "core/buffer.hpp"
#include "core/units.hpp"

#ifdef MEMWALL_HAVE_OPENBLAS
#include <cblas.h>
extern "C" char* openblas_get_corename(void);
extern "C" char* openblas_get_config(void);
#endif
#ifdef MEMWALL_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.hpp>
#endif

namespace memwall::cpu {

namespace {
#ifdef MEMWALL_HAVE_OPENBLAS
constexpr bool kOpenBlas = true;
#else
constexpr bool kOpenBlas = false;
#endif
#ifdef MEMWALL_HAVE_ONEDNN
constexpr bool kOneDnn = true;
#else
constexpr bool kOneDnn = false;
#endif
}  // namespace

std::vector<std::string> available_numbers() {
  std::vector<std::string> out;
  if (kOpenBlas) out.push_back("fp32");
  if (kOneDnn) out.push_back("bf16");
  if (kOpenBlas) out.push_back("fp64");
  return out;
}

Number parse_number(const std::string& text) {
  if ((text == "fp32" || text == "fp64") && kOpenBlas)
    return text == "fp32" ? Number::fp32 : Number::fp64;
  if (text == "bf16" && kOneDnn) return Number::bf16;
  if (text == "fp32" || text == "fp64" || text == "bf16" || text == "int8" || text == "fp16")
    throw UsageError("number format '" + text + "' for GEMM is not in this build (fp32/fp64 need " +
                     "libopenblas-dev, bf16 libdnnl-dev; int8 and fp16 GEMM are not measured; " +
                     "their peak rates are in cpu.flops)");
  throw UsageError("unknown number format '" + text + "' (fp32, bf16, fp64)");
}

const char* to_string(Number n) {
  return n == Number::fp32 ? "fp32" : n == Number::fp64 ? "fp64" : "bf16";
}

int element_bytes(Number n) {
  return n == Number::fp32 ? 4 : n == Number::fp64 ? 8 : 2;
}

bool have_blas() {
  return kOpenBlas || kOneDnn;
}

std::string blas_description() {
  std::string d;
#ifdef MEMWALL_HAVE_OPENBLAS
  d = std::string(openblas_get_config()) + "; core " + openblas_get_corename();
#else
  d = "no OpenBLAS (libopenblas-dev missing at configure time)";
#endif
#ifdef MEMWALL_HAVE_ONEDNN
  const dnnl_version_t* v = dnnl_version();
  d += "; oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
       std::to_string(v->patch) + " for bf16";
#else
  d += "; no oneDNN (bf16 GEMM skipped)";
#endif
  return d;
}

namespace {

#ifdef MEMWALL_HAVE_OPENBLAS
// The single and double precision BLAS calls differ only in their names.
template <typename T, typename Gemv, typename Gemm>
void blas_product(Gemv gemv, Gemm gemm, const void* a, const void* b, void* c, int64_t m, int64_t n,
                  int64_t k) {
  const auto M = static_cast<blasint>(m), N = static_cast<blasint>(n), K = static_cast<blasint>(k);
  const auto* A = static_cast<const T*>(a);
  const auto* B = static_cast<const T*>(b);
  auto* C = static_cast<T*>(c);
  if (m == 1)  // y = B^T x: one row of A against every column of B
    gemv(CblasRowMajor, CblasTrans, K, N, T{1}, B, N, A, 1, T{0}, C, 1);
  else
    gemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, T{1}, A, K, B, N, T{0}, C, N);
}
#endif

#ifdef MEMWALL_HAVE_ONEDNN
// oneDNN compiles a kernel per shape, and runs fastest on weights packed in its own layout, as
// inference engines pack them once at load time. Both are kept: the timed loop runs only the
// product. forget_packed_weights() must run before a weight buffer is freed.
struct PackedProduct {
  dnnl::matmul product;
  dnnl::memory::desc weights;  // the layout the product wants
  const void* source = nullptr;
  void* packed = nullptr;  // in pack_memory
};

// Where packed weights live: one mapping kept from benchmark to benchmark (a fresh one costs
// the kernel's zeroing of every page, about 1 GB/s in a virtual machine, more than a large
// model's step), huge pages, never zeroed by us (the reorder writes every byte). What does
// not fit goes into mappings of its own until forget_packed_weights() grows the arena.
struct PackArena {
  Buffer memory;
  size_t used = 0;
  std::vector<Buffer> overflow;
  size_t overflow_bytes = 0;
};
PackArena& pack_arena() {
  static PackArena arena;
  return arena;
}
void* pack_memory(size_t bytes) {
  PackArena& a = pack_arena();
  bytes = (bytes + 4095) / 4096 * 4096;
  if (a.used + bytes <= a.memory.bytes()) {
    void* at = a.memory.as<char>() + a.used;
    a.used += bytes;
    return at;
  }
  a.overflow.emplace_back(bytes, Pages::huge);
  a.overflow_bytes += bytes;
  return a.overflow.back().data();
}

std::map<std::tuple<int64_t, int64_t, int64_t, const void*>, PackedProduct>& packed_cache() {
  static std::map<std::tuple<int64_t, int64_t, int64_t, const void*>, PackedProduct> cache;
  return cache;
}

void onednn_bf16(const void* a, const void* b, void* c, int64_t m, int64_t n, int64_t k,
                 bool pack) {
  using dnnl::memory;
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  static dnnl::stream stream(engine);
  auto& cache = packed_cache();
  const memory::desc a_md({m, k}, memory::data_type::bf16, memory::format_tag::ab);
  const memory::desc b_plain({k, n}, memory::data_type::bf16, memory::format_tag::ab);
  const memory::desc b_any({k, n}, memory::data_type::bf16,
                           pack ? memory::format_tag::any : memory::format_tag::ab);
  const memory::desc c_md({m, n}, memory::data_type::bf16, memory::format_tag::ab);
  const void* key = pack ? b : nullptr;  // unpacked products share one primitive per shape
  auto it = cache.find({m, n, k, key});
  if (it == cache.end()) {
    const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a_md, b_any, c_md), engine);
    PackedProduct p{dnnl::matmul(pd), pd.weights_desc(), b, nullptr};
    if (p.weights != b_plain) {
      p.packed = pack_memory(p.weights.get_size());
      memory from(b_plain, engine, const_cast<void*>(b)), to(p.weights, engine, p.packed);
      dnnl::reorder(from, to).execute(stream, from, to);
      stream.wait();
    }
    it = cache.emplace(std::make_tuple(m, n, k, key), std::move(p)).first;
  }
  PackedProduct& p = it->second;
  memory am(a_md, engine, const_cast<void*>(a)), cm(c_md, engine, c);
  memory bm(p.weights, engine, p.packed ? p.packed : const_cast<void*>(b));
  p.product.execute(stream, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}});
  stream.wait();
}
#endif

}  // namespace

bool number_supported(Number t, std::string& why) {
#ifdef MEMWALL_HAVE_ONEDNN
  if (t == Number::bf16) {
    static std::string answer = [] {
      // Asking for a primitive descriptor runs no bf16 instruction: oneDNN answers from the ISA
      // it detected whether it has an implementation.
      try {
        using dnnl::memory;
        const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
        const memory::desc a({8, 8}, memory::data_type::bf16, memory::format_tag::ab);
        const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, a, a), engine);
        return std::string();
      } catch (const dnnl::error& e) {
        return std::string("needs AVX-512 (oneDNN has no bf16 matmul for this CPU: ") + e.what() +
               ")";
      }
    }();
    why = answer;
    return answer.empty();
  }
#endif
  why.clear();
  (void)t;
  return true;
}

void forget_packed_weights() {
#ifdef MEMWALL_HAVE_ONEDNN
  packed_cache().clear();
  PackArena& a = pack_arena();
  if (a.overflow_bytes > 0) {  // grown to what the last benchmark packed, the old one freed first
    const size_t wanted = a.used + a.overflow_bytes;
    a.overflow.clear();
    a.memory = Buffer();
    a.memory = Buffer(wanted, Pages::huge);
    a.overflow_bytes = 0;
  }
  a.used = 0;
#endif
}

void matmul(Number t, const void* a, const void* b, void* c, int64_t m, int64_t n, int64_t k,
            bool b_is_weight) {
#ifdef MEMWALL_HAVE_OPENBLAS
  if (t == Number::fp32) return blas_product<float>(cblas_sgemv, cblas_sgemm, a, b, c, m, n, k);
  if (t == Number::fp64) return blas_product<double>(cblas_dgemv, cblas_dgemm, a, b, c, m, n, k);
#endif
#ifdef MEMWALL_HAVE_ONEDNN
  if (t == Number::bf16) return onednn_bf16(a, b, c, m, n, k, b_is_weight);
#endif
  (void)t, (void)a, (void)b, (void)c, (void)m, (void)n, (void)k, (void)b_is_weight;
}

namespace {
double value(Number t, const void* p, int64_t i) {
  if (t == Number::fp32) return static_cast<const float*>(p)[i];
  if (t == Number::fp64) return static_cast<const double*>(p)[i];
  return from_bf16(static_cast<const uint16_t*>(p)[i]);
}
}  // namespace

std::string check_matmul_sample(Number t, const void* a, const void* b, const void* c, int64_t m,
                                int64_t n, int64_t k, int samples, uint64_t seed,
                                bool b_transposed) {
  std::mt19937_64 rng(seed);
  // Accumulation is in the format (fp32 for bf16); a bf16 result is then rounded to 8 bits.
  const double eps = t == Number::fp64 ? std::numeric_limits<double>::epsilon()
                                       : std::numeric_limits<float>::epsilon();
  const double out_rounding = t == Number::bf16 ? 1.0 / 256 : 0;
  for (int s = 0; s < samples; ++s) {
    const int64_t i = static_cast<int64_t>(rng() % static_cast<uint64_t>(m));
    const int64_t j = static_cast<int64_t>(rng() % static_cast<uint64_t>(n));
    double ref = 0, magnitude = 0;
    for (int64_t p = 0; p < k; ++p) {
      const double term =
          value(t, a, i * k + p) * value(t, b, b_transposed ? j * k + p : p * n + j);
      ref += term;
      magnitude += std::fabs(term);
    }
    // Rounding errors of a K-term sum grow like sqrt(K) * eps * sum|terms| (they are
    // independent); K * eps is the worst case nobody meets. 8 sqrt(K) keeps a wide margin for
    // any summation order the library picks while a wrong product is off by far more.
    const double bound = 8.0 * std::sqrt(static_cast<double>(k)) * eps * magnitude +
                         out_rounding * std::fabs(ref) + 1e-30;
    const double got = value(t, c, i * n + j);
    if (!(std::fabs(got - ref) <= bound))
      return "C[" + std::to_string(i) + "," + std::to_string(j) + "] = " + std::to_string(got) +
             ", reference " + std::to_string(ref);
  }
  return "";
}

}  // namespace memwall::cpu
