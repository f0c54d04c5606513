// Included by each isa_*.cpp after it defines `struct Isa` (vector type V, width W, and
// load/store/stream/set1/add/mul/fma/hsum/fence) inside its own namespace. Everything here is
// compiled with that file's -m flags.

namespace {

// Between passes: the compiler must not merge or drop passes that store the same values.
inline void pass_barrier() {
  asm volatile("" ::: "memory");
}

double k_read(double*, const double* x, const double*, double, size_t n, size_t passes) {
  // Eight chains: two loads a cycle times an add latency of up to four cycles. Four streams,
  // the quarters of x side by side: one sequential stream a core leaves memory bandwidth unused
  // where the prefetchers track streams one by one (Zen 5 here: 28 GB/s on one core, 40 with
  // four; more were slower), and a product reading rows of weights reads several at once too.
  typename Isa::V s[8];
  for (auto& v : s) v = Isa::set1(0);
  const size_t quarter = n / 4 / (2 * Isa::W) * (2 * Isa::W);
  for (size_t p = 0; p < passes; ++p) {
    for (size_t i = 0; i < quarter; i += 2 * Isa::W)
      for (size_t k = 0; k < 8; ++k)
        s[k] = Isa::add(s[k], Isa::load(x + (k / 2) * quarter + i + (k % 2) * Isa::W));
    for (size_t i = 4 * quarter; i < n; i += Isa::W) s[0] = Isa::add(s[0], Isa::load(x + i));
    pass_barrier();
  }
  for (size_t k = 1; k < 8; ++k) s[0] = Isa::add(s[0], s[k]);
  return Isa::hsum(s[0]);
}

template <bool kNt>
void put(double* p, typename Isa::V v) {
  if constexpr (kNt)
    Isa::stream(p, v);
  else
    Isa::store(p, v);
}

// One pass loop for every kernel that writes: `element(i)` gives the vector for out[i..i+W).
template <bool kNt, typename Element>
double write_passes(double* out, size_t n, size_t passes, Element element) {
  for (size_t p = 0; p < passes; ++p) {
    for (size_t i = 0; i < n; i += 2 * Isa::W) {
      put<kNt>(out + i, element(i));
      put<kNt>(out + i + Isa::W, element(i + Isa::W));
    }
    pass_barrier();
  }
  if constexpr (kNt) Isa::fence();
  return 0;
}

template <bool kNt>
double k_write(double* out, const double*, const double*, double s, size_t n, size_t passes) {
  const typename Isa::V v = Isa::set1(s);
  return write_passes<kNt>(out, n, passes, [&](size_t) { return v; });
}

template <bool kNt>
double k_copy(double* out, const double* x, const double*, double, size_t n, size_t passes) {
  return write_passes<kNt>(out, n, passes, [&](size_t i) { return Isa::load(x + i); });
}

double k_scale(double* out, const double* x, const double*, double s, size_t n, size_t passes) {
  const typename Isa::V v = Isa::set1(s);
  return write_passes<false>(out, n, passes,
                             [&](size_t i) { return Isa::mul(v, Isa::load(x + i)); });
}

double k_add(double* out, const double* x, const double* y, double, size_t n, size_t passes) {
  return write_passes<false>(
      out, n, passes, [&](size_t i) { return Isa::add(Isa::load(x + i), Isa::load(y + i)); });
}

template <bool kNt>
double k_triad(double* out, const double* x, const double* y, double s, size_t n, size_t passes) {
  const typename Isa::V v = Isa::set1(s);
  return write_passes<kNt>(
      out, n, passes, [&](size_t i) { return Isa::fma(v, Isa::load(y + i), Isa::load(x + i)); });
}

}  // namespace

extern const StreamKernelSet kernels;  // external linkage for isa.cpp
const StreamKernelSet kernels = {Isa::name,
                                 {k_read, k_write<false>, k_copy<false>, k_scale, k_add,
                                  k_triad<false>, k_write<true>, k_copy<true>, k_triad<true>}};
