#include "bench_cpu/streamed_product.hpp"

#include <algorithm>
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <cstring>
#include <type_traits>
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

// f(std::integral_constant<int, M>{}) for M = m, the rows of a pass (1 to 8): one
// instance of a kernel per row count, its loops unrolled.
template <typename F>
__attribute__((always_inline)) inline void by_rows(int64_t m, const F& f) {
  switch (m) {
    case 1:
      return f(std::integral_constant<int, 1>{});
    case 2:
      return f(std::integral_constant<int, 2>{});
    case 3:
      return f(std::integral_constant<int, 3>{});
    case 4:
      return f(std::integral_constant<int, 4>{});
    case 5:
      return f(std::integral_constant<int, 5>{});
    case 6:
      return f(std::integral_constant<int, 6>{});
    case 7:
      return f(std::integral_constant<int, 7>{});
    default:
      return f(std::integral_constant<int, 8>{});
  }
}
// y[i, j0 + l) += sum over p in [k0, k1) of a[i, p] * b[p, j0 + l] for the M rows of a and C
// vectors of columns, summed in registers the whole pass: each row of b (one position of V)
// read once, in order. Sums in y, loaded and stored every four rows of b, ran V at half the
// read bandwidth here.
template <int M, int C, typename E>
__attribute__((always_inline)) inline void axpy_block(float* y, int64_t ldy, const float* a,
                                                      int64_t lda, const E* b, int64_t ldb,
                                                      int64_t k0, int64_t k1, int64_t j0) {
  Floats acc[M][C] = {};
  for (int64_t p = k0; p < k1; ++p) {
    Floats v[C];
    for (int c = 0; c < C; ++c) widen(b + p * ldb + j0 + c * kLanes, v[c]);
    for (int i = 0; i < M; ++i) {
      const float w = a[i * lda + p - k0];
      for (int c = 0; c < C; ++c) acc[i][c] += w * v[c];
    }
  }
  for (int i = 0; i < M; ++i)
    for (int c = 0; c < C; ++c) {
      float* out = y + i * ldy + j0 + c * kLanes;
      Floats sum;
      std::memcpy(&sum, out, sizeof sum);
      sum += acc[i][c];
      std::memcpy(out, &sum, sizeof sum);
    }
}
// Whether the CPU has 32 vector registers of 512 bits (AVX-512).
inline bool wide_registers() {
#if defined(__x86_64__)
  static const bool wide = __builtin_cpu_supports("avx512f");
  return wide;
#else
  return false;
#endif
}

// Column vectors a pass, C, halved while the columns left are fewer.
template <int M, int C, typename E>
__attribute__((always_inline)) inline void axpy_columns(float* y, int64_t ldy, const float* a,
                                                        int64_t lda, const E* b, int64_t ldb,
                                                        int64_t k0, int64_t k1, int64_t& j,
                                                        int64_t j1) {
  for (; j + C * kLanes <= j1; j += C * kLanes) axpy_block<M, C>(y, ldy, a, lda, b, ldb, k0, k1, j);
  if constexpr (C > 1) axpy_columns<M, C / 2>(y, ldy, a, lda, b, ldb, k0, k1, j, j1);
}
template <int M, int C, typename E>
__attribute__((always_inline)) inline void axpy_rows(float* y, int64_t ldy, const float* a,
                                                     int64_t lda, const E* b, int64_t ldb,
                                                     int64_t k0, int64_t k1, int64_t j0,
                                                     int64_t j1) {
  int64_t j = j0;
  axpy_columns<M, C>(y, ldy, a, lda, b, ldb, k0, k1, j, j1);
  for (; j < j1; ++j)
    for (int i = 0; i < M; ++i) {
      float v = 0;
      for (int64_t p = k0; p < k1; ++p) v += a[i * lda + p - k0] * scalar(b[p * ldb + j]);
      y[i * ldy + j] += v;
    }
}
// Two rows of a at a time against a block of b's rows small enough to stay in L1 for the next
// two (grouped-query attention: up to 16 query rows share each position of V) and for the next
// columns, so b comes from memory once (splitting the columns without blocks read V in strides
// and ran at two thirds of the old kernel's rate; prefetching each next block as a whole, a
// burst of 256 lines, cost a third). Up to 128 columns a pass, two rows' sums and a row of b in
// AVX-512's 32 registers; 32 columns where there are 16 (AVX2) or NEON's 32 narrow ones. a's
// rows in fp32 first: one broadcast a row and position.
template <typename E>
__attribute__((always_inline)) inline void accumulate(float* y, int64_t ldy, const E* a,
                                                      int64_t lda, int64_t rows, const E* b,
                                                      int64_t ldb, int64_t k0, int64_t k1,
                                                      int64_t j0, int64_t j1) {
  thread_local std::vector<float> af;
  const int64_t span = k1 - k0;
  af.resize(static_cast<size_t>(rows * span));
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t p = k0; p < k1; ++p)
      af[static_cast<size_t>(i * span + p - k0)] = scalar(a[i * lda + p]);
  const int64_t row_bytes = std::max<int64_t>(1, (j1 - j0) * static_cast<int64_t>(sizeof(E)));
  const int64_t block = std::max<int64_t>(16, 16384 / row_bytes);
  const bool wide = wide_registers();
  for (int64_t p0 = k0; p0 < k1; p0 += block) {
    const int64_t p1 = std::min(k1, p0 + block);
    for (int64_t i0 = 0; i0 < rows; i0 += 2) {
      const float* ai = af.data() + i0 * span + (p0 - k0);
      float* yi = y + i0 * ldy;
      if (rows - i0 >= 2 && wide)
        axpy_rows<2, 8>(yi, ldy, ai, span, b, ldb, p0, p1, j0, j1);
      else if (rows - i0 >= 2)
        axpy_rows<2, 2>(yi, ldy, ai, span, b, ldb, p0, p1, j0, j1);
      else if (wide)
        axpy_rows<1, 8>(yi, ldy, ai, span, b, ldb, p0, p1, j0, j1);
      else
        axpy_rows<1, 2>(yi, ldy, ai, span, b, ldb, p0, p1, j0, j1);
    }
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

void put(float* c, int64_t i, float v) {
  c[i] = v;
}
void put(uint16_t* c, int64_t i, float v) {
  c[i] = to_bf16(v);
}

// A block of weights in fp32 lanes: 16 fp32 weights, or 32 bf16 ones as two vectors, the
// even-numbered ones (each 32-bit word's low half) and the odd ones (its high half), so no
// lane crosses another; the activations are laid out to match (see streamed_products).
__attribute__((always_inline)) inline void weights(const float* w, Floats& v0, Floats&) {
  std::memcpy(&v0, w, sizeof v0);
}
__attribute__((always_inline)) inline void weights(const uint16_t* w, Floats& v0, Floats& v1) {
  Words words;
  std::memcpy(&words, w, sizeof words);
  const Words even = words << 16, odd = words & 0xffff0000u;
  std::memcpy(&v0, &even, sizeof v0);
  std::memcpy(&v1, &odd, sizeof v1);
}
template <typename E>
constexpr int64_t kBlock = sizeof(E) == 2 ? 2 * kLanes : kLanes;  // elements of one block

__attribute__((always_inline)) inline float hsum(const Floats& v) {
  typedef float Eight __attribute__((vector_size(32)));
  Eight lo, hi;
  std::memcpy(&lo, &v, sizeof lo);
  std::memcpy(&hi, reinterpret_cast<const char*>(&v) + sizeof lo, sizeof hi);
  const Eight s = lo + hi;
  float f[8];
  std::memcpy(f, &s, sizeof f);
  return ((f[0] + f[1]) + (f[2] + f[3])) + ((f[4] + f[5]) + (f[6] + f[7]));
}

// The sums of four vectors at once: each step adds halves of two vectors side by side, so the
// four reductions share their shuffles. A dot product of head_dim 64 (attention's scores) is one
// block: one reduction each, a scalar tail of eight adds, cost as much as its loads.
__attribute__((always_inline)) inline void hsum4(const Floats (&v)[4], float (&out)[4]) {
  const Floats ab =
      __builtin_shufflevector(v[0], v[1], 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23) +
      __builtin_shufflevector(v[0], v[1], 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30,
                              31);
  const Floats cd =
      __builtin_shufflevector(v[2], v[3], 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23) +
      __builtin_shufflevector(v[2], v[3], 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30,
                              31);
  // Four lanes each of the four sums, then pairs of lanes, then one.
  const Floats quads =
      __builtin_shufflevector(ab, cd, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27) +
      __builtin_shufflevector(ab, cd, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
  const Floats pairs = quads + __builtin_shufflevector(quads, quads, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11,
                                                       8, 9, 14, 15, 12, 13);
  const Floats ones = pairs + __builtin_shufflevector(pairs, pairs, 1, 0, 3, 2, 5, 4, 7, 6, 9, 8,
                                                      11, 10, 13, 12, 15, 14);
  float f[16];
  std::memcpy(f, &ones, sizeof f);
  for (int r = 0; r < 4; ++r) out[r] = f[4 * r];
}
// The R sums of v[r] + w[r]: four at a time where R allows.
template <int R>
__attribute__((always_inline)) inline void hsums(const Floats* v, const Floats* w, float* out) {
  int r = 0;
  for (; r + 4 <= R; r += 4) {
    const Floats four[4] = {v[r] + w[r], v[r + 1] + w[r + 1], v[r + 2] + w[r + 2],
                            v[r + 3] + w[r + 3]};
    float sums[4];
    hsum4(four, sums);
    for (int q = 0; q < 4; ++q) out[r + q] = sums[q];
  }
  for (; r < R; ++r) out[r] = hsum(v[r] + w[r]);
}

// c[i, j] = sum over p of x[i, p] * w[j, p] for j in [j0, j1): the M rows of x against weights
// stored as models store a linear layer's, one row of k per output. R outputs at a time share
// each load of x: one from each R-th part of the range, so a core reads R long sequential
// streams (what cpu.bw/read does; R consecutive rows were R short ones, restarting the
// prefetchers every row, and streamed 30% slower). `xs` is x in fp32 laid out per block as
// weights() lays out a block (bf16: its even elements, then its odd ones); `x` in its own order,
// for the tail of k past the last whole block. Returns the first output it left.
template <int M, int R, typename E>
__attribute__((always_inline)) inline int64_t dot_block(E* c, int64_t n, const float* xs,
                                                        const float* x, const E* w, int64_t k,
                                                        int64_t j0, int64_t j1) {
  constexpr int64_t B = kBlock<E>;
  const int64_t part = (j1 - j0) / R;
  for (int64_t jj = 0; jj < part; ++jj) {
    int64_t j[R];
    for (int r = 0; r < R; ++r) j[r] = j0 + r * part + jj;
    // Sums of the even and the odd halves apart: one chain of two dependent FMAs a block
    // halved the kernel's rate.
    Floats acc[M][R] = {}, odd[M][R] = {};
    int64_t p = 0;
    for (; p + B <= k; p += B) {
      Floats w0[R], w1[R];
      for (int r = 0; r < R; ++r) {
        // A kilobyte ahead in each stream: the prefetchers alone left bf16, twice the
        // instructions a line, 10-15% slower here; fp32 gained a little too.
        __builtin_prefetch(reinterpret_cast<const char*>(w + j[r] * k + p) + 1024);
        weights(w + j[r] * k + p, w0[r], w1[r]);
      }
      for (int i = 0; i < M; ++i) {
        Floats x0;
        std::memcpy(&x0, xs + i * k + p, sizeof x0);
        for (int r = 0; r < R; ++r) acc[i][r] += x0 * w0[r];
        if constexpr (B == 2 * kLanes) {
          Floats x1;
          std::memcpy(&x1, xs + i * k + p + kLanes, sizeof x1);
          for (int r = 0; r < R; ++r) odd[i][r] += x1 * w1[r];
        }
      }
    }
    for (int i = 0; i < M; ++i) {
      float sums[R];
      hsums<R>(acc[i], odd[i], sums);
      for (int r = 0; r < R; ++r) {
        float v = sums[r];
        for (int64_t q = p; q < k; ++q) v += x[i * k + q] * scalar(w[j[r] * k + q]);
        put(c, i * n + j[r], v);
      }
    }
  }
  return j0 + R * part;
}
template <int M, typename E>
__attribute__((always_inline)) inline void dot_rows(E* c, int64_t n, const float* xs,
                                                    const float* x, const E* w, int64_t k,
                                                    int64_t j0, int64_t j1) {
  constexpr int R = M <= 2 ? 4 : M <= 4 ? 2 : 1;
  const int64_t j = dot_block<M, R>(c, n, xs, x, w, k, j0, j1);
  dot_block<M, 1>(c, n, xs, x, w, k, j, j1);
}
template <typename E>
__attribute__((always_inline)) inline void dots(int64_t m, E* c, int64_t n, const float* xs,
                                                const float* x, const E* w, int64_t k, int64_t j0,
                                                int64_t j1) {
  by_rows(
      m, [&](auto rows) __attribute__((always_inline)) {
        dot_rows<decltype(rows)::value>(c, n, xs, x, w, k, j0, j1);
      });
}
MEMWALL_CLONES void dots_fp32(int64_t m, float* c, int64_t n, const float* xs, const float* x,
                              const float* w, int64_t k, int64_t j0, int64_t j1) {
  dots(m, c, n, xs, x, w, k, j0, j1);
}
MEMWALL_CLONES void dots_bf16(int64_t m, uint16_t* c, int64_t n, const float* xs, const float* x,
                              const uint16_t* w, int64_t k, int64_t j0, int64_t j1) {
  dots(m, c, n, xs, x, w, k, j0, j1);
}

#if defined(__x86_64__)
// bf16 weights where the CPU has AVX512_BF16 (Zen 4 and later, Sapphire Rapids and later):
// vdpbf16ps multiplies pairs of bf16 along k and adds both into an fp32 lane, so neither the
// weights nor the activations are widened (the widened kernel streamed 25% below fp32's bytes
// a second here). As dot_block otherwise: R long streams, two sums an output.
template <int M, int R>
__attribute__((target("avx512f,avx512bf16"))) int64_t dp_block(uint16_t* c, int64_t n,
                                                               const uint16_t* x, const uint16_t* w,
                                                               int64_t k, int64_t j0, int64_t j1) {
  const int64_t part = (j1 - j0) / R;
  for (int64_t jj = 0; jj < part; ++jj) {
    int64_t j[R];
    for (int r = 0; r < R; ++r) j[r] = j0 + r * part + jj;
    __m512 acc[M][R], odd[M][R];
    for (int i = 0; i < M; ++i)
      for (int r = 0; r < R; ++r) acc[i][r] = odd[i][r] = _mm512_setzero_ps();
    int64_t p = 0;
    for (; p + 64 <= k; p += 64) {
      __m512bh w0[R], w1[R];
      for (int r = 0; r < R; ++r) {
        // Both lines of the block, a kilobyte ahead (one of the two left every other line
        // to the prefetchers).
        const char* line = reinterpret_cast<const char*>(w + j[r] * k + p) + 1024;
        __builtin_prefetch(line);
        __builtin_prefetch(line + 64);
        w0[r] = (__m512bh)_mm512_loadu_si512(w + j[r] * k + p);
        w1[r] = (__m512bh)_mm512_loadu_si512(w + j[r] * k + p + 32);
      }
      for (int i = 0; i < M; ++i) {
        const __m512bh x0 = (__m512bh)_mm512_loadu_si512(x + i * k + p);
        const __m512bh x1 = (__m512bh)_mm512_loadu_si512(x + i * k + p + 32);
        for (int r = 0; r < R; ++r) {
          acc[i][r] = _mm512_dpbf16_ps(acc[i][r], x0, w0[r]);
          odd[i][r] = _mm512_dpbf16_ps(odd[i][r], x1, w1[r]);
        }
      }
    }
    for (int i = 0; i < M; ++i) {
      Floats even_sums[R], odd_sums[R];
      std::memcpy(even_sums, acc[i], sizeof even_sums);
      std::memcpy(odd_sums, odd[i], sizeof odd_sums);
      float sums[R];
      hsums<R>(even_sums, odd_sums, sums);
      for (int r = 0; r < R; ++r) {
        float v = sums[r];
        for (int64_t q = p; q < k; ++q) v += from_bf16(x[i * k + q]) * from_bf16(w[j[r] * k + q]);
        put(c, i * n + j[r], v);
      }
    }
  }
  return j0 + R * part;
}
template <int M>
__attribute__((target("avx512f,avx512bf16"))) void dp_rows(uint16_t* c, int64_t n,
                                                           const uint16_t* x, const uint16_t* w,
                                                           int64_t k, int64_t j0, int64_t j1) {
  constexpr int R = M <= 2 ? 4 : M <= 4 ? 2 : 1;
  dp_block<M, 1>(c, n, x, w, k, dp_block<M, R>(c, n, x, w, k, j0, j1), j1);
}
void dots_dp(int64_t m, uint16_t* c, int64_t n, const uint16_t* x, const uint16_t* w, int64_t k,
             int64_t j0, int64_t j1) {
  by_rows(m, [&](auto rows) { dp_rows<decltype(rows)::value>(c, n, x, w, k, j0, j1); });
}
bool have_dpbf16() {
  static const bool have = __builtin_cpu_supports("avx512bf16");
  return have;
}
#endif

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

void store(Number t, char* c, int64_t i, float v) {  // put(), for a format known at run time
  if (t == Number::fp32)
    put(reinterpret_cast<float*>(c), i, v);
  else
    put(reinterpret_cast<uint16_t*>(c), i, v);
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

// Each of `mats` matrices stored one row of k per output (a weight, or K as engines cache it,
// one row of head_dim a position) against its `rows` rows of a: dot products, each core a
// contiguous block of one matrix's outputs (several matrices a core where there are more than
// cores), at most kStreamedWeightRows rows a pass.
void dot_products(Number t, const char* a, const char* b, char* c, int64_t rows, int64_t n,
                  int64_t k, int64_t mats, int nt) {
#if defined(__x86_64__)
  const bool dp = t == Number::bf16 && have_dpbf16();
#else
  const bool dp = false;
#endif
  static std::vector<float> x, xs;  // the activations in fp32, once (dot_block)
  const int64_t all = mats * rows;  // rows of a, every matrix's in turn
  if (!dp) {
    x.resize(static_cast<size_t>(all * k));
    for (int64_t i = 0; i < all * k; ++i)
      x[static_cast<size_t>(i)] = t == Number::fp32
                                      ? reinterpret_cast<const float*>(a)[i]
                                      : from_bf16(reinterpret_cast<const uint16_t*>(a)[i]);
    xs = x;
    if (t == Number::bf16)  // each whole block: its even elements, then its odd ones
      for (int64_t i = 0; i < all; ++i)
        for (int64_t p = 0; p + 2 * kLanes <= k; p += 2 * kLanes)
          for (int64_t l = 0; l < kLanes; ++l) {
            xs[static_cast<size_t>(i * k + p + l)] = x[static_cast<size_t>(i * k + p + 2 * l)];
            xs[static_cast<size_t>(i * k + p + kLanes + l)] =
                x[static_cast<size_t>(i * k + p + 2 * l + 1)];
          }
  }
  const int64_t pieces = std::clamp<int64_t>(nt / mats, 1, n);  // of each matrix's outputs
  const int64_t items = mats * pieces;
  parallel_for(t, items, static_cast<int>(std::min<int64_t>(nt, items)), [&](int64_t item) {
    const int64_t g = item / pieces, piece = item % pieces;
    const int64_t j0 = n * piece / pieces, j1 = n * (piece + 1) / pieces;
    for (int64_t i0 = 0; i0 < rows; i0 += kStreamedWeightRows) {
      const int64_t m = std::min(kStreamedWeightRows, rows - i0), row = g * rows + i0;
      if (t == Number::fp32)
        dots_fp32(m, reinterpret_cast<float*>(c) + row * n, n, xs.data() + row * k,
                  x.data() + row * k, reinterpret_cast<const float*>(b) + g * n * k, k, j0, j1);
#if defined(__x86_64__)
      else if (dp)
        dots_dp(m, reinterpret_cast<uint16_t*>(c) + row * n, n,
                reinterpret_cast<const uint16_t*>(a) + row * k,
                reinterpret_cast<const uint16_t*>(b) + g * n * k, k, j0, j1);
#endif
      else
        dots_bf16(m, reinterpret_cast<uint16_t*>(c) + row * n, n, xs.data() + row * k,
                  x.data() + row * k, reinterpret_cast<const uint16_t*>(b) + g * n * k, k, j0, j1);
    }
  });
}

}  // namespace

bool streamed(Number t, int64_t m, int64_t count, int64_t group) {
  if (t != Number::fp32 && t != Number::bf16) return false;
  return count == 1 ? m <= kStreamedWeightRows : m * group <= kStreamedRows;
}

void streamed_products(Number t, const char* a, const char* b, char* c, int64_t m, int64_t n,
                       int64_t k, int64_t count, int64_t group, bool b_by_output, int threads) {
  const int e = element_bytes(t);
  const int64_t rows = m * group, mats = count / group;
  const int nt = threads > 0 ? threads : static_cast<int>(topology().core_cpus.size());
  if (b_by_output) return dot_products(t, a, b, c, rows, n, k, mats, nt);
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
  // Fewer KV heads than cores: each head's rows and columns split over its share of the cores,
  // every head in one pass (a pass a head cost two fork-joins a head, more than a head's V at a
  // short context on a many-core machine).
  const Split s = split_for(std::max(1, nt / static_cast<int>(mats)), rows, n, k, e);
  const int64_t parts = int64_t{s.by_k} * s.by_n, total = rows * n;
  static std::vector<float> partial;
  partial.resize(static_cast<size_t>(mats * s.by_k * total));
  parallel_for(t, mats * parts, nt, [&](int64_t item) {
    const int64_t g = item / parts, part = item % parts;
    const int64_t pk = part / s.by_n, pn = part % s.by_n;
    const int64_t k0 = k * pk / s.by_k, k1 = k * (pk + 1) / s.by_k;
    const int64_t j0 = n * pn / s.by_n / kLanes * kLanes;
    const int64_t j1 = pn + 1 == s.by_n ? n : n * (pn + 1) / s.by_n / kLanes * kLanes;
    float* y = partial.data() + (g * s.by_k + pk) * total;
    for (int64_t i = 0; i < rows; ++i) std::fill(y + i * n + j0, y + i * n + j1, 0.0f);
    accumulate_part(t, y, n, a + g * rows * k * e, k, rows, b + g * k * n * e, n, k0, k1, j0, j1);
  });
  parallel_for(t, mats * total, nt, [&](int64_t i) {  // each head's outputs are consecutive in c
    const int64_t g = i / total, at = i % total;
    float v = 0;
    for (int64_t pk = 0; pk < s.by_k; ++pk)
      v += partial[static_cast<size_t>((g * s.by_k + pk) * total + at)];
    store(t, c, i, v);
  });
}

}  // namespace memwall::cpu
