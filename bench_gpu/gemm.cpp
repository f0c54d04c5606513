// gpu.gemm: the tensor cores through cuBLASLt on large square shapes (tf32, fp16, bf16, fp8 on
// sm_89 and later, int8), and xfmr: the Transformer products of core/'s model catalog in bf16
// and fp8 (names carry device:gpuN, so they never merge with the CPU's rows). FLOPs 2*M*N*K;
// bytes the least each product moves; every result checked on a sample against a reference
// computed in double from the same inputs.
#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "bench_gpu/gpu_model.hpp"
#include "bench_gpu/gpu_runtime.hpp"
#include "bench_gpu/lt.hpp"
#include "bench_gpu/options.hpp"
#include "core/bench_main.hpp"
#include "core/gpu_timing.hpp"
#include "core/models.hpp"
#include "core/nvml.hpp"
#include "core/product_options.hpp"
#include "core/rate.hpp"
#include "core/registry.hpp"
#include "core/roles.hpp"
#include "core/units.hpp"

namespace memwall::gpu {

namespace {

// Values exact in every format: small multiples of 1/8 for the float formats (on fp8's grid
// too), small integers for int8.
std::vector<float> operand(size_t n, GemmType t, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<float> v(n);
  for (float& x : v) {
    const int r = static_cast<int>(rng() % 15) - 7;
    x = t == GemmType::int8 ? static_cast<float>(r) : static_cast<float>(r) / 8;
  }
  return v;
}

struct Operands {
  std::vector<unsigned char> a, b;  // host copies, for the check
  DeviceBuffer da, db, dd;
};

// `copies` copies of A, B and D on the device, one after the other, all holding the same values.
Operands make_operands(const GemmTypeInfo& t, int64_t m, int64_t n, int64_t k, int64_t batch,
                       int64_t b_count, uint64_t seed, int64_t copies) {
  Operands o;
  o.a = encode(t.type, operand(static_cast<size_t>(batch * m * k), t.type, seed), false);
  o.b = encode(t.type, operand(static_cast<size_t>(b_count * k * n), t.type, seed + 1), false);
  o.da = DeviceBuffer(o.a.size() * copies);
  o.db = DeviceBuffer(o.b.size() * copies);
  o.dd = DeviceBuffer(static_cast<size_t>(batch * m * n * t.out_bytes) * copies);
  for (int64_t c = 0; c < copies; ++c) {
    MEMWALL_CUDA(cudaMemcpy(o.da.as<unsigned char>() + c * o.a.size(), o.a.data(), o.a.size(),
                            cudaMemcpyHostToDevice));
    MEMWALL_CUDA(cudaMemcpy(o.db.as<unsigned char>() + c * o.b.size(), o.b.data(), o.b.size(),
                            cudaMemcpyHostToDevice));
  }
  return o;
}

// Copies enough that between two uses of one the products touch 4x the L2, as a model streams
// each layer's weights once a token (within a quarter of the memory); 1 where `cold` is false.
int64_t copies_for(const GemmTypeInfo& t, int64_t m, int64_t n, int64_t k, int64_t batch,
                   int64_t b_count, bool cold) {
  if (!cold) return 1;
  const double bytes = static_cast<double>(t.in_bytes) * (batch * m * k + b_count * k * n) +
                       static_cast<double>(t.out_bytes) * batch * m * n;
  const double wanted = std::ceil(4.0 * device().l2_bytes / bytes);
  const double room = static_cast<double>(device().memory_bytes) / 4 / bytes;
  return static_cast<int64_t>(std::clamp(std::min(wanted, room), 1.0, 4096.0));
}

// The first product of the batch, sampled: A row-major m x k, B column-major k x n, D
// column-major m x n.
std::string check(const GemmTypeInfo& t, const Operands& o, int64_t m, int64_t n, int64_t k) {
  const Element a = [&](int64_t i, int64_t p) {
    return decode(t.type, o.a.data() + static_cast<size_t>((i * k + p) * t.in_bytes), false);
  };
  const Element b = [&](int64_t p, int64_t j) {
    return decode(t.type, o.b.data() + static_cast<size_t>((j * k + p) * t.in_bytes), false);
  };
  const Element d = [&](int64_t i, int64_t j) {
    unsigned char e[4] = {};
    MEMWALL_CUDA(cudaMemcpy(e, o.dd.as<unsigned char>() + (j * m + i) * t.out_bytes,
                            static_cast<size_t>(t.out_bytes), cudaMemcpyDeviceToHost));
    return decode(t.type, e, true);
  };
  const double relative = 8 * t.in_epsilon / std::sqrt(static_cast<double>(k)) + t.out_epsilon +
                          8 * std::ldexp(1.0, -24);
  return check_gemm_sample(a, b, d, m, n, k, relative, 16, 7);
}

// One product (or a batch of them) timed: FLOPs, the least bytes, the check. `cold`: each call
// on the next copy of the operands (copies_for); the square GEMM's point is the peak: hot.
void run_product(benchmark::State& state, const GemmTypeInfo& t, int64_t m, int64_t n, int64_t k,
                 int64_t batch, int64_t b_count, bool cold) {
  const int64_t group = batch / b_count;  // products sharing one B (grouped-query attention)
  const int64_t copies = copies_for(t, m, n, k, batch, b_count, cold);
  Operands o = make_operands(t, m, n, k, batch, b_count, static_cast<uint64_t>(m * 31 + n), copies);
  const int64_t a_copy = static_cast<int64_t>(o.a.size()),
                b_copy = static_cast<int64_t>(o.b.size());
  const int64_t d_copy = batch * m * n * t.out_bytes;
  // Each group of the batch shares its B: one strided call per group, B's stride 0 inside it.
  LtProduct product(t.type, m, n, k, group, b_count == batch ? -1 : 0);
  auto a_of = [&](int64_t g, int64_t c = 0) {
    return o.da.as<unsigned char>() + c * a_copy + g * group * m * k * t.in_bytes;
  };
  auto b_of = [&](int64_t g, int64_t c = 0) {
    return o.db.as<unsigned char>() + c * b_copy + g * k * n * t.in_bytes;
  };
  auto d_of = [&](int64_t g, int64_t c = 0) {
    return o.dd.as<unsigned char>() + c * d_copy + g * group * m * n * t.out_bytes;
  };
  product.choose(a_of(0), b_of(0), d_of(0));
  int64_t next = 0;
  const double flops = 2.0 * m * n * k * batch;
  const int reps = static_cast<int>(std::clamp(2e11 / flops, 1.0, 1000.0));  // >= ~1 ms
  EnergyMeter energy;
  energy.start();
  // A held stream can queue a few hundred launches; more would block the host behind it.
  const bool hold = reps * b_count <= 256;
  const double seconds = measure(state, [&] {
    return time_gpu(
        [&] {
          for (int r = 0; r < reps; ++r) {
            const int64_t c = next++ % copies;
            for (int64_t g = 0; g < b_count; ++g) product.run(a_of(g, c), b_of(g, c), d_of(g, c));
          }
        },
        hold);
  });
  const double joules = energy.stop_joules();
  if (seconds == 0) return;
  const std::string wrong = check(t, o, m, n, k);
  if (!check_result(state, wrong.empty(), wrong)) return;
  const double bytes = static_cast<double>(t.in_bytes) * (batch * m * k + b_count * k * n) +
                       static_cast<double>(t.out_bytes) * batch * m * n;
  const double calls = static_cast<double>(state.iterations()) * reps;
  Work work;
  work.flops = flops * reps;
  work.bytes = bytes * reps;
  report_work(state, work, seconds);
  // One call's figures, as the profile's products count them.
  state.counters["flops"] = flops;
  state.counters["bytes"] = bytes;
  state.counters["seconds"] = seconds / calls;
  report_energy(state, joules, energy.window_seconds(), bytes * calls, flops * calls);
  state.counters["m"] = static_cast<double>(m);
  state.counters["n"] = static_cast<double>(n);
  state.counters["k"] = static_cast<double>(k);
  state.counters["count"] = static_cast<double>(batch);
  state.counters["operand_copies"] = static_cast<double>(copies);
  state.counters["written_bytes"] = static_cast<double>(t.out_bytes) * batch * m * n;
  state.SetLabel("cuBLASLt " + std::string(t.name) + ", " + product.algorithm());
}

void run_or_skip(benchmark::State& state, const GemmTypeInfo& t, int64_t m, int64_t n, int64_t k,
                 int64_t batch, int64_t b_count) {
  try {
    run_product(state, t, m, n, k, batch, b_count, true);
  } catch (const LtUnsupported& e) {
    skip(state, e.what());
  }
}

bool skip_unsupported(const std::string& name, const GemmTypeInfo& t) {
  if (gemm_supported(t, device().major, device().minor)) return false;
  const std::string why = "needs sm_" + std::to_string(t.min_major) + std::to_string(t.min_minor) +
                          " or later (this GPU is sm_" + std::to_string(device().major) +
                          std::to_string(device().minor) + ")";
  add_benchmark(name, [why](benchmark::State& s) { skip(s, why); });
  return true;
}

// xfmr.step on a GPU (as on the CPU): one whole step of a model, `run` consecutive layers
// each on its own copy of every operand (its own weights and KV cache), then the LM head.
// Where the model's layers do not fit in half the memory (quick: where fewer stream past 4x the
// L2), `run` of its `layers` and their time scaled by layers / run.
void run_step(benchmark::State& state, const GemmTypeInfo& t, const std::vector<MatmulOp>& layer,
              const MatmulOp& head, int run, int layers) {
  std::vector<Operands> ops;  // one per product of a layer, `run` copies each; the head last
  std::vector<std::unique_ptr<LtProduct>> products;
  int launches = 0;
  for (size_t i = 0; i <= layer.size(); ++i) {
    const MatmulOp& op = i < layer.size() ? layer[i] : head;
    ops.push_back(make_operands(t, op.m, op.n, op.k, op.count, op.b_count, 7 + i,
                                i < layer.size() ? run : 1));
    products.push_back(std::make_unique<LtProduct>(t.type, op.m, op.n, op.k, op.count / op.b_count,
                                                   op.b_count == op.count ? -1 : 0));
    launches += static_cast<int>(op.b_count) * (i < layer.size() ? run : 1);
  }
  // Product i on copy c, group g (a group of the batch shares its B).
  auto call = [&](size_t i, int64_t c) {
    const MatmulOp& op = i < layer.size() ? layer[i] : head;
    const Operands& o = ops[i];
    const int64_t group = op.count / op.b_count;
    for (int64_t g = 0; g < op.b_count; ++g)
      products[i]->run(o.da.as<unsigned char>() + c * static_cast<int64_t>(o.a.size()) +
                           g * group * op.m * op.k * t.in_bytes,
                       o.db.as<unsigned char>() + c * static_cast<int64_t>(o.b.size()) +
                           g * op.k * op.n * t.in_bytes,
                       o.dd.as<unsigned char>() + c * op.count * op.m * op.n * t.out_bytes +
                           g * group * op.m * op.n * t.out_bytes);
  };
  for (size_t i = 0; i < ops.size(); ++i)
    products[i]->choose(ops[i].da.data(), ops[i].db.data(), ops[i].dd.data());
  const double scale = static_cast<double>(layers) / run;
  const bool hold = launches <= 256;  // a held stream queues a few hundred launches
  const double seconds = measure(state, [&] {
    const double layers_s = time_gpu(
        [&] {
          for (int l = 0; l < run; ++l)
            for (size_t i = 0; i < layer.size(); ++i) call(i, l);
        },
        hold);
    return layers_s * scale + time_gpu([&] { call(layer.size(), 0); }, hold);
  });
  if (seconds == 0) return;
  std::string wrong;
  for (size_t i = 0; i < ops.size() && wrong.empty(); ++i) {
    const MatmulOp& op = i < layer.size() ? layer[i] : head;
    wrong = check(t, ops[i], op.m, op.n, op.k);
    if (!wrong.empty()) wrong = op.name + ": " + wrong;
  }
  if (!check_result(state, wrong.empty(), wrong)) return;
  Work work;
  for (const MatmulOp& op : layer) {
    work.flops += op.flops() * layers;
    work.bytes += op.bytes(t.in_bytes) * layers;
  }
  work.flops += head.flops();
  work.bytes += head.bytes(t.in_bytes);
  report_work(state, work, seconds);
  state.counters["seconds"] = seconds / static_cast<double>(state.iterations());
  state.counters["layers_run"] = run;
  state.counters["layers"] = layers;
}

// The families' flags: the square GEMM's formats and sizes, and the products to measure.
std::string g_gemm_types, g_gemm_sizes;
ProductOptions g_products;

void register_square(const RunConfig& config) {
  std::vector<std::string> types = split_list(g_gemm_types);
  for (const std::string& t : types) gemm_type(t);  // rejects unknown formats, GPU or not
  if (!device_ready()) return;
  if (types.empty()) types = {"tf32", "fp16", "bf16", "fp8", "int8"};
  std::vector<int> sizes;
  if (!g_gemm_sizes.empty()) sizes = parse_positive_list(g_gemm_sizes, "GEMM size");
  if (sizes.empty()) sizes = {config.quick() ? 4096 : 8192};
  for (const std::string& name : types) {
    const GemmTypeInfo& t = gemm_type(name);
    if (skip_unsupported("gpu.gemm/square/type:" + name + device_key(), t)) continue;
    for (int n : sizes)
      add_benchmark("gpu.gemm/square/n:" + std::to_string(n) + "/type:" + name + device_key(),
                    [&t, n](benchmark::State& s) { run_product(s, t, n, n, n, 1, 1, false); });
  }
}

void register_transformer(const RunConfig& config) {
  g_products.resolve();
  for (const std::string& t : g_products.type_list) gemm_type(t);
  if (!device_ready()) return;
  std::vector<std::string> types = g_products.type_list;
  if (types.empty()) {
    types = {"bf16"};
    if (gemm_supported(gemm_type("fp8"), device().major, device().minor)) types.push_back("fp8");
  }
  const int mode = config.quick() ? 0 : config.full() ? 2 : 1;
  const uint64_t memory = device().memory_bytes / 2;
  for (const std::string& name : types) {
    const GemmTypeInfo& t = gemm_type(name);
    if (skip_unsupported("xfmr/all/type:" + name + device_key(), t)) continue;
    for (const Shape& s : transformer_shapes({g_products.model_list, g_products.batch_list,
                                              g_products.seq_list, g_products.phase_list, mode})) {
      const std::string family = s.phase == Phase::prefill ? "xfmr.gemm/" : "xfmr.gemv/";
      for (const MatmulOp& op : routed_ops(s.model, s.batch, s.seq, s.phase)) {
        const uint64_t footprint = static_cast<uint64_t>(t.in_bytes) *
                                       (op.count * op.m * op.k + op.b_count * op.k * op.n) +
                                   static_cast<uint64_t>(t.out_bytes) * op.count * op.m * op.n;
        if (footprint > memory) continue;
        add_benchmark(family + s.model.name + "/" + to_string(s.phase) + "/op:" + op.name +
                          "/batch:" + std::to_string(s.batch) + "/seq:" + std::to_string(s.seq) +
                          "/type:" + name + device_key(),
                      [&t, op](benchmark::State& st) {
                        run_or_skip(st, t, op.m, op.n, op.k, op.count, op.b_count);
                      });
      }
    }
    // The decode steps of those shapes, and (quick, no shapes given) the decode step at batch 1
    // of every catalog model that decodes.
    std::vector<Shape> steps;
    for (const Shape& s : transformer_shapes({g_products.model_list, g_products.batch_list,
                                              g_products.seq_list, g_products.phase_list, mode}))
      if (s.phase == Phase::decode || !config.quick()) steps.push_back(s);
    if (config.quick() && g_products.model_list.empty() && g_products.batch_list.empty() &&
        g_products.seq_list.empty())
      for (const ModelConfig& m : model_catalog())
        if (!m.encoder_only) steps.push_back({m, Phase::decode, 1, 1024});
    std::set<std::string> stepped;
    for (const Shape& s : steps) {
      const std::string step = "xfmr.step/" + s.model.name + "/" + to_string(s.phase) +
                               "/batch:" + std::to_string(s.batch) +
                               "/seq:" + std::to_string(s.seq) + "/type:" + name + device_key();
      if (!stepped.insert(step).second) continue;
      const std::vector<MatmulOp> ops = routed_ops(s.model, s.batch, s.seq, s.phase);
      const std::vector<MatmulOp> layer(ops.begin(), ops.end() - 1);
      const StepLayers plan =
          step_layers(layer, ops.back(), t.in_bytes, t.out_bytes, s.model.layers, device().l2_bytes,
                      memory, config.quick());
      if (plan.run == 0) {
        const std::string why = plan.why;
        add_benchmark(step, [why](benchmark::State& st) { skip(st, why); });
        continue;
      }
      add_benchmark(step, [&t, layer, head = ops.back(), plan,
                           layers = s.model.layers](benchmark::State& st) {
        try {
          run_step(st, t, layer, head, plan.run, layers);
        } catch (const LtUnsupported& e) {
          skip(st, e.what());
        }
      });
    }
  }
}

const bool registered_square = add_family(
    {"gpu.gemm",
     [](Flags& flags) {
       flags.add("--gemm-type", g_gemm_types, "tf32,fp16,bf16,fp8,int8 (default all it has)");
       flags.add("--gemm-n", g_gemm_sizes, "square GEMM sizes (default 8192, quick 4096)");
     },
     register_square});
const bool registered_xfmr = add_family(
    {"xfmr", [](Flags& flags) { g_products.add_to(flags, "bf16, fp8"); }, register_transformer});
// Every name carries its device key (device:gpuN); gpu0 is the default of a name without.
const bool roles = declare_role({"gpu.gemm", "", {}, "peak", "gpu0", {{"path", "library"}}}) &&
                   declare_role({"xfmr.gemm", "", {}, "product", "gpu0", {}}) &&
                   declare_role({"xfmr.gemv", "", {}, "product", "gpu0", {}}) &&
                   declare_role({"xfmr.layer", "", {}, "layer", "gpu0", {}}) &&
                   declare_role({"xfmr.step", "", {}, "step", "gpu0", {}});

}  // namespace

}  // namespace memwall::gpu
