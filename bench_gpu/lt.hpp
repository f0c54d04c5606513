// Matrix products through cuBLASLt, as inference engines call it: for each shape the
// heuristic's candidate algorithms are each timed once and the fastest kept. Operands are in
// cuBLASLt's "TN" layout, the one every format supports (fp8 and int8 need it): A is m x k row
// by row, B is k x n column by column, D is m x n column by column; `batch` products with
// strides (a stride of 0 reuses one B for the batch, as grouped-query attention shares K/V).
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_gpu/gpu_model.hpp"

namespace memwall::gpu {

// cuBLASLt has no algorithm for this product on this GPU: a skip, not a failure.
struct LtUnsupported : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class LtProduct {
 public:
  LtProduct(GemmType t, int64_t m, int64_t n, int64_t k, int64_t batch = 1,
            int64_t stride_b = -1);  // -1: a separate B per product
  ~LtProduct();
  LtProduct(const LtProduct&) = delete;
  LtProduct& operator=(const LtProduct&) = delete;

  // Times each candidate algorithm once on these operands and keeps the fastest.
  void choose(const void* a, const void* b, void* d);
  void run(const void* a, const void* b, void* d);  // queued on the default stream
  std::string algorithm() const { return chosen_; }
  int candidates() const { return candidates_; }

 private:
  struct Impl;
  Impl* impl_;
  std::string chosen_;
  int candidates_ = 0;
};

}  // namespace memwall::gpu
