#include "bench_gpu/lt.hpp"

#include <cublasLt.h>

#include <cmath>
#include <cstring>
#include <stdexcept>

#include "bench_gpu/gpu_runtime.hpp"
#include "core/gpu_timing.hpp"
#include "core/units.hpp"

namespace memwall::gpu {

namespace {

void lt_check(cublasStatus_t s, const char* what) {
  if (s != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error(std::string("cuBLASLt: ") + what + ": status " +
                             std::to_string(static_cast<int>(s)));
}
#define MEMWALL_LT(call) lt_check((call), #call)

cudaDataType_t in_type(GemmType t) {
  switch (t) {
    case GemmType::tf32:
      return CUDA_R_32F;
    case GemmType::fp16:
      return CUDA_R_16F;
    case GemmType::bf16:
      return CUDA_R_16BF;
    case GemmType::fp8:
      return CUDA_R_8F_E4M3;
    case GemmType::int8:
      return CUDA_R_8I;
  }
  return CUDA_R_32F;
}
cudaDataType_t out_type(GemmType t) {
  switch (t) {
    case GemmType::tf32:
      return CUDA_R_32F;
    case GemmType::fp16:
      return CUDA_R_16F;
    case GemmType::bf16:
    case GemmType::fp8:
      return CUDA_R_16BF;
    case GemmType::int8:
      return CUDA_R_32I;
  }
  return CUDA_R_32F;
}
cublasComputeType_t compute_type(GemmType t) {
  return t == GemmType::tf32   ? CUBLAS_COMPUTE_32F_FAST_TF32
         : t == GemmType::int8 ? CUBLAS_COMPUTE_32I
                               : CUBLAS_COMPUTE_32F;
}

}  // namespace

struct LtProduct::Impl {
  cublasLtHandle_t handle = nullptr;
  cublasLtMatmulDesc_t op = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, d = nullptr;
  cublasLtMatmulPreference_t preference = nullptr;
  std::vector<cublasLtMatmulHeuristicResult_t> algos;
  cublasLtMatmulAlgo_t chosen{};
  DeviceBuffer workspace{64ull << 20};
  GemmType type;
  float alpha = 1, beta = 0;
  int32_t alpha_i = 1, beta_i = 0;
};

LtProduct::LtProduct(GemmType t, int64_t m, int64_t n, int64_t k, int64_t batch, int64_t stride_b)
    : impl_(new Impl) {
  Impl& x = *impl_;
  x.type = t;
  MEMWALL_LT(cublasLtCreate(&x.handle));
  const cudaDataType_t scale = t == GemmType::int8 ? CUDA_R_32I : CUDA_R_32F;
  MEMWALL_LT(cublasLtMatmulDescCreate(&x.op, compute_type(t), scale));
  const cublasOperation_t transpose = CUBLAS_OP_T, keep = CUBLAS_OP_N;
  MEMWALL_LT(cublasLtMatmulDescSetAttribute(x.op, CUBLASLT_MATMUL_DESC_TRANSA, &transpose,
                                            sizeof transpose));
  MEMWALL_LT(cublasLtMatmulDescSetAttribute(x.op, CUBLASLT_MATMUL_DESC_TRANSB, &keep, sizeof keep));
  // TN: A is stored k x m (ld k), B k x n (ld k), D m x n (ld m), all column-major.
  MEMWALL_LT(cublasLtMatrixLayoutCreate(&x.a, in_type(t), static_cast<uint64_t>(k),
                                        static_cast<uint64_t>(m), k));
  MEMWALL_LT(cublasLtMatrixLayoutCreate(&x.b, in_type(t), static_cast<uint64_t>(k),
                                        static_cast<uint64_t>(n), k));
  MEMWALL_LT(cublasLtMatrixLayoutCreate(&x.d, out_type(t), static_cast<uint64_t>(m),
                                        static_cast<uint64_t>(n), m));
  if (batch > 1) {
    const int32_t count = static_cast<int32_t>(batch);
    const int64_t sa = m * k, sb = stride_b < 0 ? k * n : stride_b, sd = m * n;
    for (auto [layout, stride] : {std::pair{x.a, sa}, std::pair{x.b, sb}, std::pair{x.d, sd}}) {
      MEMWALL_LT(cublasLtMatrixLayoutSetAttribute(layout, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT,
                                                  &count, sizeof count));
      MEMWALL_LT(cublasLtMatrixLayoutSetAttribute(
          layout, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride, sizeof stride));
    }
  }
  MEMWALL_LT(cublasLtMatmulPreferenceCreate(&x.preference));
  const uint64_t workspace = x.workspace.bytes();
  MEMWALL_LT(cublasLtMatmulPreferenceSetAttribute(
      x.preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace, sizeof workspace));
  std::vector<cublasLtMatmulHeuristicResult_t> results(8);
  int found = 0;
  // NOT_SUPPORTED is an answer, not a failure: fp8 wants every dimension a multiple of 16, and
  // GPT-2's vocabulary (50257) is not.
  const cublasStatus_t asked =
      cublasLtMatmulAlgoGetHeuristic(x.handle, x.op, x.a, x.b, x.d, x.d, x.preference,
                                     static_cast<int>(results.size()), results.data(), &found);
  if (asked == CUBLAS_STATUS_NOT_SUPPORTED || (asked == CUBLAS_STATUS_SUCCESS && found == 0))
    throw LtUnsupported("cuBLASLt offers no algorithm for this shape and format");
  MEMWALL_LT(asked);
  results.resize(static_cast<size_t>(found));
  x.algos = results;
  x.chosen = results[0].algo;
  candidates_ = found;
  chosen_ = "heuristic #0 of " + std::to_string(found);
}

LtProduct::~LtProduct() {
  Impl& x = *impl_;
  if (x.preference) cublasLtMatmulPreferenceDestroy(x.preference);
  for (auto l : {x.a, x.b, x.d})
    if (l) cublasLtMatrixLayoutDestroy(l);
  if (x.op) cublasLtMatmulDescDestroy(x.op);
  if (x.handle) cublasLtDestroy(x.handle);
  delete impl_;
}

void LtProduct::run(const void* a, const void* b, void* d) {
  Impl& x = *impl_;
  const void* alpha = x.type == GemmType::int8 ? static_cast<const void*>(&x.alpha_i) : &x.alpha;
  const void* beta = x.type == GemmType::int8 ? static_cast<const void*>(&x.beta_i) : &x.beta;
  MEMWALL_LT(cublasLtMatmul(x.handle, x.op, alpha, a, x.a, b, x.b, beta, d, x.d, d, x.d, &x.chosen,
                            x.workspace.data(), x.workspace.bytes(), 0));
}

void LtProduct::choose(const void* a, const void* b, void* d) {
  Impl& x = *impl_;
  double best = 1e300;
  size_t best_index = 0;
  for (size_t i = 0; i < x.algos.size(); ++i) {
    x.chosen = x.algos[i].algo;
    try {
      run(a, b, d);  // the first call of an algorithm may set it up: not timed
      const double s = time_gpu([&] { run(a, b, d); });
      if (s < best) best = s, best_index = i;
    } catch (const std::runtime_error&) {
      continue;  // an algorithm that fails here is no candidate
    }
  }
  if (best == 1e300) throw LtUnsupported("none of cuBLASLt's candidate algorithms ran");
  x.chosen = x.algos[best_index].algo;
  chosen_ = "fastest of " + std::to_string(x.algos.size()) + " heuristic candidates (#" +
            std::to_string(best_index) + ")";
}

}  // namespace memwall::gpu
