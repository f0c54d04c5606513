#include "bench_cpu/streamed_product.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "bench_cpu/options.hpp"
#include "core/bf16.hpp"
#include "core/topology.hpp"

namespace memwall::cpu {

namespace {

// Sixteen floats: one AVX-512 register, two AVX2 ones, four NEON ones; the compiler splits it
// for the target each clone is built for.
typedef float Floats __attribute__((vector_size(64)));
typedef uint16_t Halves __attribute__((vector_size(32)));
typedef uint32_t Words __attribute__((vector_size(64)));
constexpr int64_t kLanes = 16;

// Out-parameters, not return values: a 64-byte vector returned by value has an ABI that
// depends on the clone's target.
__attribute__((always_inline)) inline void widen(const float* p, Floats& v) {
  std::memcpy(&v, p, sizeof v);
}
__attribute__((always_inline)) inline void widen(const uint16_t* p, Floats& v) {
  Halves h;
  std::memcpy(&h, p, sizeof h);
  const Words w = __builtin_convertvector(h, Words) << 16;  // bf16 is a float's upper half
  std::memcpy(&v, &w, sizeof v);
}
inline float scalar(float x) {
  return x;
}
inline float scalar(uint16_t x) {
  return from_bf16(x);
}

// y[i, j0..j1) += sum over p in [k0, k1) of a[i, p] * b[p, j] for the `rows` rows of a. Four rows
// of b at a time: each vector of y is loaded and stored once per four of b's.
template <typename E>
__attribute__((always_inline)) inline void accumulate(float* y, int64_t ldy, const E* a,
                                                      int64_t lda, int64_t rows, const E* b,
                                                      int64_t ldb, int64_t k0, int64_t k1,
                                                      int64_t j0, int64_t j1) {
  int64_t p = k0;
  for (; p + 4 <= k1; p += 4) {
    float w[kStreamedRows][4];
    for (int64_t i = 0; i < rows; ++i)
      for (int r = 0; r < 4; ++r) w[i][r] = scalar(a[i * lda + p + r]);
    const E* b0 = b + p * ldb;
    const E *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
    int64_t j = j0;
    for (; j + kLanes <= j1; j += kLanes) {
      Floats v0, v1, v2, v3;
      widen(b0 + j, v0), widen(b1 + j, v1), widen(b2 + j, v2), widen(b3 + j, v3);
      for (int64_t i = 0; i < rows; ++i) {
        float* out = y + i * ldy + j;
        Floats acc;
        std::memcpy(&acc, out, sizeof acc);
        acc += w[i][0] * v0 + w[i][1] * v1 + w[i][2] * v2 + w[i][3] * v3;
        std::memcpy(out, &acc, sizeof acc);
      }
    }
    for (; j < j1; ++j)
      for (int64_t i = 0; i < rows; ++i)
        y[i * ldy + j] += w[i][0] * scalar(b0[j]) + w[i][1] * scalar(b1[j]) +
                          w[i][2] * scalar(b2[j]) + w[i][3] * scalar(b3[j]);
  }
  for (; p < k1; ++p)
    for (int64_t i = 0; i < rows; ++i) {
      const float w = scalar(a[i * lda + p]);
      for (int64_t j = j0; j < j1; ++j) y[i * ldy + j] += w * scalar(b[p * ldb + j]);
    }
}

// One clone per vector width on x86-64 (the loader picks the widest the CPU has).
#if defined(__x86_64__)
#define MEMWALL_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MEMWALL_CLONES
#endif
MEMWALL_CLONES void accumulate_fp32(float* y, int64_t ldy, const float* a, int64_t lda,
                                    int64_t rows, const float* b, int64_t ldb, int64_t k0,
                                    int64_t k1, int64_t j0, int64_t j1) {
  accumulate(y, ldy, a, lda, rows, b, ldb, k0, k1, j0, j1);
}
MEMWALL_CLONES void accumulate_bf16(float* y, int64_t ldy, const uint16_t* a, int64_t lda,
                                    int64_t rows, const uint16_t* b, int64_t ldb, int64_t k0,
                                    int64_t k1, int64_t j0, int64_t j1) {
  accumulate(y, ldy, a, lda, rows, b, ldb, k0, k1, j0, j1);
}

// One matrix's product, or a part of it, in format t; a, b point at its first elements.
void accumulate_part(Number t, float* y, int64_t ldy, const char* a, int64_t lda, int64_t rows,
                     const char* b, int64_t ldb, int64_t k0, int64_t k1, int64_t j0, int64_t j1) {
  if (t == Number::fp32)
    accumulate_fp32(y, ldy, reinterpret_cast<const float*>(a), lda, rows,
                    reinterpret_cast<const float*>(b), ldb, k0, k1, j0, j1);
  else
    accumulate_bf16(y, ldy, reinterpret_cast<const uint16_t*>(a), lda, rows,
                    reinterpret_cast<const uint16_t*>(b), ldb, k0, k1, j0, j1);
}

void store(Number t, char* c, int64_t i, float v) {
  if (t == Number::fp32)
    reinterpret_cast<float*>(c)[i] = v;
  else
    reinterpret_cast<uint16_t*>(c)[i] = to_bf16(v);
}

// How the threads split one matrix: `by_k` blocks of rows (each with its own partial sums, added
// at the end) times `by_n` blocks of columns. Rows first, each thread's block then one
// contiguous stream, while the partial sums stay under 2% of the bytes the matrix streams;
// columns in blocks of at least 256 (a row's part a few cache lines long).
struct Split {
  int by_k, by_n;
};
Split split_for(int threads, int64_t rows, int64_t n, int64_t k, int e) {
  const int64_t by_k = std::clamp<int64_t>(k * e / (200 * 4 * rows), 1, threads);
  const int64_t by_n = std::clamp<int64_t>(threads / by_k, 1, std::max<int64_t>(1, n / 256));
  return {static_cast<int>(by_k), static_cast<int>(by_n)};
}

// Runs body(i) for i in [0, n) on `threads` cores, on the threads of the library that runs the
// weights' products around it: OpenMP's for oneDNN (bf16); for OpenBLAS (fp32), whose idle
// threads yield, memwall's pool with its workers asleep as soon as they are done. Two pools
// spinning on the same cores slowed every switch between attention and the weights (each
// product then ran at half speed or worse here). Without OpenMP, the pool.
template <typename Body>
void parallel_for(Number t, int64_t n, int threads, const Body& body) {
#ifdef _OPENMP
  if (t == Number::bf16) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t i = 0; i < n; ++i) body(i);
    return;
  }
#endif
  (void)t;
  const int used =
      static_cast<int>(std::min<int64_t>(threads, std::min(n, int64_t{pool().size()})));
  pool().run(
      used,
      [&](int tid) {
        for (int64_t i = n * tid / used; i < n * (tid + 1) / used; ++i) body(i);
      },
      true);
}

}  // namespace

bool streamed(Number t, int64_t m, int64_t count, int64_t group) {
  return (t == Number::fp32 || t == Number::bf16) && count > 1 && m * group <= kStreamedRows;
}

void streamed_products(Number t, const char* a, const char* b, char* c, int64_t m, int64_t n,
                       int64_t k, int64_t count, int64_t group) {
  const int e = element_bytes(t);
  const int64_t rows = m * group, mats = count / group;
  const int nt = static_cast<int>(topology().core_cpus.size());
  if (mats >= nt) {  // whole KV heads per thread
    parallel_for(t, mats, nt, [&](int64_t g) {
      thread_local std::vector<float> y;
      y.assign(static_cast<size_t>(rows * n), 0.0f);
      accumulate_part(t, y.data(), n, a + g * rows * k * e, k, rows, b + g * k * n * e, n, 0, k, 0,
                      n);
      char* out = c + g * rows * n * e;
      for (int64_t i = 0; i < rows * n; ++i) store(t, out, i, y[static_cast<size_t>(i)]);
    });
    return;
  }
  // Fewer KV heads than cores: each head's rows and columns split over the cores in turn.
  const Split s = split_for(nt, rows, n, k, e);
  const int parts = s.by_k * s.by_n;
  static std::vector<float> partial;
  partial.resize(static_cast<size_t>(s.by_k * rows * n));
  const int64_t total = rows * n;
  for (int64_t g = 0; g < mats; ++g) {
    const char* ag = a + g * rows * k * e;
    const char* bg = b + g * k * n * e;
    parallel_for(t, parts, parts, [&](int64_t part) {
      const int64_t pk = part / s.by_n, pn = part % s.by_n;
      const int64_t k0 = k * pk / s.by_k, k1 = k * (pk + 1) / s.by_k;
      const int64_t j0 = n * pn / s.by_n / kLanes * kLanes;
      const int64_t j1 = pn + 1 == s.by_n ? n : n * (pn + 1) / s.by_n / kLanes * kLanes;
      float* y = partial.data() + pk * total;
      for (int64_t i = 0; i < rows; ++i) std::fill(y + i * n + j0, y + i * n + j1, 0.0f);
      accumulate_part(t, y, n, ag, k, rows, bg, n, k0, k1, j0, j1);
    });
    char* out = c + g * rows * n * e;
    parallel_for(t, total, nt, [&](int64_t i) {
      float v = 0;
      for (int64_t pk = 0; pk < s.by_k; ++pk) v += partial[static_cast<size_t>(pk * total + i)];
      store(t, out, i, v);
    });
  }
}

}  // namespace memwall::cpu
