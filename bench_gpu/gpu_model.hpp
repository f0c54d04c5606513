// What bench_gpu computes on the host, kept out of the CUDA files so it is tested on machines
// without a GPU: the bytes each memory kernel moves (BabelStream's counting), the launch
// configurations the bandwidth sweep tries and how it picks one, and the peak model of the SMs.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/models.hpp"

namespace memwall::gpu {

// BabelStream's kernels (and read, write): arrays read and written per element, and the
// operation the one device kernel template (memory.cu) runs for it: the host and the device
// read this one table, and an unknown name is an error.
enum class StreamOp { read = 0, write = 1, copy = 2, triad = 3, dot = 4, read_l2_only = 5 };
struct MemoryKernel {
  const char* name;
  int reads, writes;
  StreamOp op;
  bool in_quick;  // quick runs: read for the caches, copy for HBM, triad beside it
};
const std::vector<MemoryKernel>& memory_kernels();           // read, write, copy, triad, dot
const MemoryKernel& memory_kernel(const std::string& name);  // UsageError for an unknown one
// Bytes one pass over `elements` elements of `element_bytes` moves, counted as BabelStream.
uint64_t kernel_bytes(const MemoryKernel& k, uint64_t elements, int element_bytes);

// How a memory kernel is launched: the load width, blocks per SM, elements per thread.
struct LaunchConfig {
  int vector_bytes = 16;
  int blocks_per_sm = 4;
  int elements_per_thread = 1;
  int threads_per_block = 256;
};
// The configurations the sweep tries for a working set: every combination that gives each
// thread at least one vector (small sets get fewer), and never more blocks than the SMs hold
// at once: blocks that wait for a second wave would each re-read only their own slice, and a
// working set bigger than the caches would look cached (seen on an H200: 22 TB/s at 128 MiB).
std::vector<LaunchConfig> launch_configs(int sms, int max_threads_per_sm, uint64_t bytes_per_array,
                                         bool full);
// The index of the fastest (the highest rate; the first of equals).
size_t pick_best(const std::vector<double>& rates);
std::string describe(const LaunchConfig& c);

// The loaded-latency curve of a GPU (Mess's curves, as cpu.lat/curve): one thread of one SM
// chases pointers past the L2 while a block on every other SM moves a mix of 16-byte vectors,
// each thread sleeping `delay_ns` after each group of the mix, swept from saturation to nearly
// idle. The idle point (no generators) comes first.
struct GpuCurveMix {
  const char* name;
  int reads, writes;  // vectors in each group
};
const std::vector<GpuCurveMix>& gpu_curve_mixes();          // read, 3r1w, 2r1w, 1r1w
const GpuCurveMix& gpu_curve_mix(const std::string& name);  // UsageError for an unknown one
struct GpuCurvePoint {
  std::string mix;  // "idle" for the idle point
  int generators = 0, delay_ns = 0;
};
// Quick: all-read and 1:1 at 4 delays; else every mix at 15. Nothing on a GPU of one SM.
std::vector<GpuCurvePoint> gpu_curve_points(int sms, bool quick);
// Bytes of the chase (past the L2 many times over) and of each generator's own slice, within
// what the GPU's memory holds beside everything else.
struct GpuCurveBytes {
  uint64_t chase = 0, per_generator = 0;
};
GpuCurveBytes gpu_curve_bytes(uint64_t l2_bytes, uint64_t memory_bytes, int generators);

// How many of a model's layers xfmr.step runs on a GPU: every one where all fit in
// `memory_bytes` beside the LM head, else as many as fit; quick: as many as stream past 4x the
// L2 (one at least). 0, with why, where one layer and the head do not fit.
struct StepLayers {
  int run = 0;
  std::string why;
};
StepLayers step_layers(const std::vector<MatmulOp>& layer, const MatmulOp& head, int in_bytes,
                       int out_bytes, int layers, uint64_t l2_bytes, uint64_t memory_bytes,
                       bool quick);

// Arithmetic units per SM and clock for a compute capability, as NVIDIA's CUDA programming
// guide tables them: FMA lanes for fp32, fp64 and packed fp16. `known` is false for an
// architecture the table does not have (then the theoretical peak is not claimed).
struct SmModel {
  int fp32_lanes = 0, fp64_lanes = 0, fp16_lanes = 0;
  bool known = false;
};
SmModel sm_model(int major, int minor);
// SMs x lanes x 2 (an FMA is two operations) x clock.
double theoretical_gflops(int sms, int lanes, double clock_mhz);

// A GEMM result checked on a sample against a reference computed in double from the same
// inputs: C[i,j] within `relative` of the sum of |A[i,p] B[p,j]| (element accessors, so a large
// product is not copied whole).
using Element = std::function<double(int64_t row, int64_t column)>;
std::string check_gemm_sample(const Element& a, const Element& b, const Element& c, int64_t m,
                              int64_t n, int64_t k, double relative, int samples, uint64_t seed);

// The number formats of the tensor-core products, and their host encodings.
enum class GemmType { tf32, fp16, bf16, fp8, int8 };

struct GemmTypeInfo {
  GemmType type;
  const char* name;
  int in_bytes, out_bytes;   // per element of A and B, of D
  int min_major, min_minor;  // the oldest compute capability with the tensor-core path
  double in_epsilon;         // rounding the inputs see on the GPU (tf32), else 0: exact
  double out_epsilon;        // rounding of the output format
};
const std::vector<GemmTypeInfo>& gemm_types();
const GemmTypeInfo& gemm_type(const std::string& name);  // UsageError for unknown ones
bool gemm_supported(const GemmTypeInfo& t, int major, int minor);

// Host values of a format: what the GPU will read, and the double the reference uses.
std::vector<unsigned char> encode(GemmType t, const std::vector<float>& values, bool is_output);
double decode(GemmType t, const unsigned char* element, bool is_output);

}  // namespace memwall::gpu
