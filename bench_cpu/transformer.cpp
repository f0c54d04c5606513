// xfmr: the matrix products of Transformer layers on published model shapes, through the BLAS.
// Prefill is GEMM (M = batch x seq tokens); decode is one new token per sequence (M = batch)
// against a KV cache of seq tokens, GEMV-like and bound by memory. FLOPs are 2*M*N*K; bytes are
// the least the product must move (A, each distinct B, C once); both are in the counters so the
// harness can place each product on the roofline.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>

#include "bench_cpu/matmul.hpp"
#include "bench_cpu/options.hpp"
#include "core/bench_main.hpp"
#include "core/models.hpp"
#include "core/product_options.hpp"
#include "core/rate.hpp"
#include "core/registry.hpp"
#include "core/roles.hpp"
#include "core/timing.hpp"
#include "core/topology.hpp"
#include "core/units.hpp"

namespace memwall::cpu {

namespace {

// Operands of the products one benchmark runs, kept while the same benchmark asks again
// (Google Benchmark calls the function several times) and filled with values in [-1, 1).
struct Operands {
  std::vector<Buffer> a, b, c;
};

void fill(Buffer& buffer, Number t, uint64_t seed) {
  uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
  const uint64_t n = buffer.bytes() / element_bytes(t);
  for (uint64_t i = 0; i < n; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift: cheap enough for gigabytes
    const double v = static_cast<double>(x >> 11) * 0x1.0p-52 - 1.0;
    if (t == Number::fp32)
      buffer.as<float>()[i] = static_cast<float>(v);
    else if (t == Number::fp64)
      buffer.as<double>()[i] = v;
    else
      buffer.as<uint16_t>()[i] = to_bf16(static_cast<float>(v));
  }
}

// `fresh` tells whether the operands were just made (and so never multiplied yet).
Operands& operands_for(const std::string& key, const std::vector<MatmulOp>& ops, Number t,
                       bool& fresh) {
  static std::unique_ptr<Operands> cached;
  static std::string cached_key;
  fresh = !(cached && cached_key == key);
  if (!fresh) return *cached;
  forget_packed_weights();  // packed copies of the buffers about to be freed
  cached.reset();
  cached = std::make_unique<Operands>();
  const int e = element_bytes(t);
  uint64_t seed = 1;
  for (const MatmulOp& op : ops) {
    cached->a.emplace_back(op.count * op.m * op.k * e, Pages::huge);
    cached->b.emplace_back(op.b_count * op.k * op.n * e, Pages::huge);
    cached->c.emplace_back(op.count * op.m * op.n * e, Pages::huge);
    fill(cached->a.back(), t, seed++);
    fill(cached->b.back(), t, seed++);
    std::fill_n(static_cast<char*>(cached->c.back().data()), cached->c.back().bytes(), 0);
  }
  cached_key = key;
  return *cached;
}

void run_op(const MatmulOp& op, Number t, const Operands& x, size_t i) {
  const int64_t e = element_bytes(t);
  const int64_t group = op.count / op.b_count;  // heads sharing one K or V
  for (int64_t p = 0; p < op.count; ++p) {
    const char* a = static_cast<const char*>(x.a[i].data()) + p * op.m * op.k * e;
    const char* b = static_cast<const char*>(x.b[i].data()) + (p / group) * op.k * op.n * e;
    char* c = static_cast<char*>(x.c[i].data()) + p * op.m * op.n * e;
    matmul(t, a, b, c, op.m, op.n, op.k, op.count == 1);  // weights, not per-head K or V
  }
}

std::string check_op(const MatmulOp& op, Number t, const Operands& x, size_t i) {
  const int64_t e = element_bytes(t);
  const int64_t group = op.count / op.b_count;
  for (int64_t p : {int64_t{0}, op.count - 1}) {  // the first and the last product
    const std::string wrong =
        check_matmul_sample(t, static_cast<const char*>(x.a[i].data()) + p * op.m * op.k * e,
                            static_cast<const char*>(x.b[i].data()) + (p / group) * op.k * op.n * e,
                            static_cast<const char*>(x.c[i].data()) + p * op.m * op.n * e, op.m,
                            op.n, op.k, 8, static_cast<uint64_t>(p));
    if (!wrong.empty()) return op.name + ": " + wrong;
  }
  return "";
}

// Runs `ops` in sequence (one product, or a whole layer) and sets the counters.
void run_products(benchmark::State& state, const std::string& key, const std::vector<MatmulOp>& ops,
                  Number t) {
  const ScopedUnpin unpinned;  // the libraries' own threads must not inherit core 0 alone
  bool fresh = false;
  Operands& x = operands_for(key, ops, t, fresh);
  // One untimed pass on new operands: libraries build their kernels and pack weights then.
  if (fresh)
    for (size_t i = 0; i < ops.size(); ++i) run_op(ops[i], t, x, i);
  for (Buffer& c : x.c) std::fill_n(static_cast<char*>(c.data()), c.bytes(), 0);
  const double seconds = measure(state, [&] {
    return time_region([&] {
      for (size_t i = 0; i < ops.size(); ++i) run_op(ops[i], t, x, i);
    });
  });
  if (seconds == 0) return;
  std::string wrong;
  for (size_t i = 0; i < ops.size() && wrong.empty(); ++i) wrong = check_op(ops[i], t, x, i);
  if (!check_result(state, wrong.empty(), wrong)) return;
  Work work;
  for (const MatmulOp& op : ops) {
    work.flops += op.flops();
    work.bytes += op.bytes(element_bytes(t));
  }
  report_work(state, work, seconds);
  state.counters["seconds"] = seconds / static_cast<double>(state.iterations());
  if (ops.size() == 1) {
    state.counters["m"] = static_cast<double>(ops[0].m);
    state.counters["n"] = static_cast<double>(ops[0].n);
    state.counters["k"] = static_cast<double>(ops[0].k);
    state.counters["count"] = static_cast<double>(ops[0].count);
  }
}

// A format the library cannot multiply on this CPU is one skipped benchmark, not one per shape.
bool skip_unsupported(const std::string& name, Number t) {
  std::string why;
  if (number_supported(t, why)) return false;
  add_benchmark(name, [why](benchmark::State& state) { skip(state, why); });
  return true;
}

// The families' flags: the products to measure (shared by xfmr and cpu.gemm) and their limits.
ProductOptions g_products;
double g_max_flops = 0;

// Operands allocated and filled once; an iteration on every core, as BLAS runs it.
Estimate product_estimate(double flops, double bytes) {
  const int cores = static_cast<int>(topology().core_cpus.size());
  return {nominal::touch_s(bytes), false,
          nominal::flops_s(flops, cores) + nominal::stream_s(bytes, cores)};
}
std::string g_max_bytes, g_gemm_sizes;

void register_transformer(const RunConfig& config) {
  g_products.resolve();
  for (const std::string& t : g_products.type_list) parse_number(t);  // formats the BLAS lacks
  if (!have_blas()) {  // one line in the results, not one per product
    add_benchmark("xfmr/all", [](benchmark::State& state) {
      skip(state, "needs a BLAS (" + blas_description() + ")");
    });
    return;
  }
  const double max_flops = g_max_flops > 0 ? g_max_flops : config.full() ? 4e12 : 4e11;
  const uint64_t ram = static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGE_SIZE);
  const uint64_t max_bytes =
      !g_max_bytes.empty() ? parse_bytes(g_max_bytes) : std::min<uint64_t>(4ull << 30, ram / 6);
  std::vector<std::string> types = g_products.type_list;
  if (types.empty()) {  // fp32, and bf16 where oneDNN was built in
    for (const std::string& t : available_numbers())
      if (t != "fp64") types.push_back(t);
  }
  int skipped = 0;
  for (const std::string& type_name : types) {
    const Number t = parse_number(type_name);
    if (skip_unsupported("xfmr/all/type:" + type_name, t)) continue;
    const int e = element_bytes(t);
    for (const Shape& s : transformer_shapes({g_products.model_list, g_products.batch_list,
                                              g_products.seq_list, g_products.phase_list,
                                              config.quick()  ? 0
                                              : config.full() ? 2
                                                              : 1})) {
      const std::vector<MatmulOp> ops = layer_ops(s.model, s.batch, s.seq, s.phase);
      const std::string family = s.phase == Phase::prefill ? "xfmr.gemm/" : "xfmr.gemv/";
      const std::string where = s.model.name + "/" + to_string(s.phase);
      const std::string keys = "/batch:" + std::to_string(s.batch) +
                               "/seq:" + std::to_string(s.seq) + "/type:" + type_name;
      auto footprint = [e](const MatmulOp& op) {
        return static_cast<uint64_t>(e) *
               (op.count * op.m * op.k + op.b_count * op.k * op.n + op.count * op.m * op.n);
      };
      std::vector<MatmulOp> layer;
      double layer_flops = 0;
      uint64_t layer_bytes = 0;
      for (const MatmulOp& op : ops) {
        if (op.flops() > max_flops || footprint(op) > max_bytes) {
          ++skipped;
          continue;
        }
        const std::string name = family + where + "/op:" + op.name + keys;
        add_benchmark(
            name, [name, op, t](benchmark::State& state) { run_products(state, name, {op}, t); }, 0,
            product_estimate(op.flops(), footprint(op)));
        if (op.per_layer) {
          layer.push_back(op);
          layer_flops += op.flops();
          layer_bytes += footprint(op);
        }
      }
      const size_t per_layer =
          std::count_if(ops.begin(), ops.end(), [](auto& o) { return o.per_layer; });
      if (layer.size() == per_layer && layer_flops <= 4 * max_flops && layer_bytes <= max_bytes) {
        const std::string name = "xfmr.layer/" + where + keys;
        add_benchmark(
            name,
            [name, layer, t](benchmark::State& state) { run_products(state, name, layer, t); }, 0,
            product_estimate(layer_flops, layer_bytes));
      }
    }
  }
  if (skipped)
    std::fprintf(stderr,
                 "bench_cpu: xfmr: %d products above %.0e FLOPs or %s of operands not run "
                 "(--xfmr-max-flops, --xfmr-max-bytes)\n",
                 skipped, max_flops, format_bytes(max_bytes).c_str());
}

// A large square GEMM, the shape BLAS libraries are tuned and quoted on, as the reference
// point for the products above.
void register_square(const RunConfig& config) {
  g_products.resolve();
  if (!have_blas()) return;
  std::vector<std::string> types = g_products.type_list;
  if (types.empty()) types = available_numbers();
  std::vector<int64_t> sizes = config.full()    ? std::vector<int64_t>{1024, 2048, 4096, 8192}
                               : config.quick() ? std::vector<int64_t>{2048}
                                                : std::vector<int64_t>{4096};
  if (!g_gemm_sizes.empty()) {
    const std::vector<int> given = parse_positive_list(g_gemm_sizes, "GEMM size");
    sizes.assign(given.begin(), given.end());
  }
  for (const std::string& type_name : types) {
    if (skip_unsupported("cpu.gemm/square/type:" + type_name, parse_number(type_name))) continue;
    for (int64_t n : sizes) {
      const Number t = parse_number(type_name);
      const std::string name = "cpu.gemm/square/n:" + std::to_string(n) + "/type:" + type_name;
      const MatmulOp op{"square", n, n, n, 1, 1, false};
      add_benchmark(
          name, [name, op, t](benchmark::State& state) { run_products(state, name, {op}, t); }, 0,
          product_estimate(op.flops(), 3.0 * element_bytes(t) * n * n));
    }
  }
}

const bool registered = add_family(
    {"xfmr",
     [](Flags& flags) {
       g_products.add_to(flags, "fp32, fp64, bf16 (default fp32, and bf16 with oneDNN)");
       flags.add("--xfmr-max-flops", g_max_flops, "skip products above this many FLOPs");
       flags.add("--xfmr-max-bytes", g_max_bytes, "skip benchmarks whose operands exceed this");
     },
     register_transformer});
const bool registered_square =
    add_family({"cpu.gemm",
                [](Flags& flags) {
                  flags.add("--gemm-n", g_gemm_sizes,
                            "sizes n of the square GEMM, e.g. 4096 (default by mode)");
                },
                register_square});
const bool roles = declare_role({"cpu.gemm", "", {}, "peak", "cpu", {{"path", "library"}}}) &&
                   declare_role({"xfmr.gemm", "", {}, "product", "cpu", {}}) &&
                   declare_role({"xfmr.gemv", "", {}, "product", "cpu", {}}) &&
                   declare_role({"xfmr.layer", "", {}, "layer", "cpu", {}});

}  // namespace

}  // namespace memwall::cpu
