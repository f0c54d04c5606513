// The FMA chain loop shared by the x86 peak kernels. Included by a peak_*.cpp after it defines,
// in its own namespace, traits with: vector type V, lane type Scalar, kLanes, set1(Scalar),
// fma(a, b, c) = a*b+c, equal(V, Scalar) (every lane equal), keep(V&) (hide a value from the
// optimizer); and kChains. Compiled with that file's -m flags.

// Each chain starts at its index, so the compiler cannot merge identical chains, and adds
// exactly 2^-10 per iteration: the final values show every FMA ran.
template <typename F>
bool fma_chains(uint64_t iterations) {
  typename F::V acc[kChains];
  for (int k = 0; k < kChains; ++k) {
    acc[k] = F::set1(static_cast<typename F::Scalar>(k));
    F::keep(acc[k]);
  }
  typename F::V one = F::set1(1), step = F::set1(static_cast<typename F::Scalar>(1.0 / 1024));
  F::keep(one);
  F::keep(step);
  for (uint64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 16
    for (int k = 0; k < kChains; ++k) acc[k] = F::fma(one, step, acc[k]);
  }
  bool ok = true;
  for (int k = 0; k < kChains; ++k)
    ok =
        ok && F::equal(acc[k],
                       static_cast<typename F::Scalar>(k + static_cast<double>(iterations) / 1024));
  return ok;
}
