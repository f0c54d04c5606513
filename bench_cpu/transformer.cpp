// xfmr: the matrix products of Transformer layers on published model shapes, through the BLAS.
// Prefill is GEMM (M = batch x seq tokens); decode is one new token per sequence (M = batch)
// against a KV cache of seq tokens, GEMV-like and bound by memory. FLOPs are 2*M*N*K; bytes are
// the least the product must move (A, each distinct B, C once); both are in the counters so the
// harness can place each product on the roofline.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "bench_cpu/bandwidth.hpp"
#include "bench_cpu/matmul.hpp"
#include "bench_cpu/options.hpp"
#include "bench_cpu/streamed_product.hpp"
#include "core/bench_main.hpp"
#include "core/context.hpp"
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
// `copies` copies of them, used in turn: a model streams each layer's weights once a token, so
// a product measured on the same operands again and again would find them in cache. Each copy
// is one block (a huge-page buffer per small operand would waste most of its pages).
struct Operands {
  std::vector<char*> blocks;      // one per copy, in operand_memory
  std::vector<char*> a, b, c;     // copy r of op i at r * ops + i
  std::vector<uint64_t> c_bytes;  // per op
  size_t copies = 1;
};

// The bytes the copies of a cold product span together: 4x the last-level cache, within a
// sixteenth of the memory (quick: 256 MiB at most), or --xfmr-cold-bytes.
std::string g_cold_bytes;
uint64_t cold_span(bool quick) {
  if (!g_cold_bytes.empty()) return parse_bytes(g_cold_bytes);
  const uint64_t ram = static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGE_SIZE);
  const uint64_t cap = quick ? std::min<uint64_t>(256ull << 20, ram / 16) : ram / 16;
  return std::min<uint64_t>(4 * topology().llc_bytes_total(), cap);
}

// Copies enough that between two uses of one the products touch the cold span; 1 where `cold`
// is false (the square GEMM's point is the peak, not the stream).
size_t copies_for(const std::vector<MatmulOp>& ops, Number t, bool cold, bool quick) {
  if (!cold) return 1;
  double bytes = 0;
  for (const MatmulOp& op : ops) bytes += op.bytes(element_bytes(t));
  const double wanted = std::ceil(static_cast<double>(cold_span(quick)) / std::max(1.0, bytes));
  return static_cast<size_t>(std::clamp(wanted, 1.0, 4096.0));
}

void fill_part(char* data, uint64_t from, uint64_t to, Number t, uint64_t seed) {
  uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
  for (uint64_t i = from; i < to; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift: cheap enough for gigabytes
    const double v = static_cast<double>(x >> 11) * 0x1.0p-52 - 1.0;
    if (t == Number::fp32)
      reinterpret_cast<float*>(data)[i] = static_cast<float>(v);
    else if (t == Number::fp64)
      reinterpret_cast<double*>(data)[i] = v;
    else
      reinterpret_cast<uint16_t*>(data)[i] = to_bf16(static_cast<float>(v));
  }
}

// Random values in [-1, 1): a period of a little over a million of them, drawn once, then
// copied over the rest on every core (drawing each of a model's billions of values took
// longer than its step). The period is prime, so no two rows of a matrix start alike; the
// checks read the operands as they are.
void fill(char* data, uint64_t bytes, Number t, uint64_t seed) {
  const uint64_t e = element_bytes(t), n = bytes / e, period = std::min<uint64_t>(n, 1048583);
  fill_part(data, 0, period, t, seed);
  const uint64_t chunks = (n - period + period - 1) / period;  // after the first period
  const uint64_t parts = std::clamp<uint64_t>(chunks / 64, 1, topology().core_cpus.size());
  std::vector<std::thread> threads;
  for (uint64_t p = 0; p < parts; ++p)
    threads.emplace_back([=] {
      for (uint64_t c = chunks * p / parts; c < chunks * (p + 1) / parts; ++c) {
        const uint64_t from = (c + 1) * period;
        std::memcpy(data + from * e, data, std::min(period, n - from) * e);
      }
    });
  for (std::thread& th : threads) th.join();
}

// The memory of the operands: one mapping kept from benchmark to benchmark and grown when
// one needs more (the old one freed first). A fresh mapping costs the kernel's zeroing of
// every page, about 1 GB/s in a virtual machine: more than a large model's step.
char* operand_memory(uint64_t bytes) {
  static Buffer arena;
  if (arena.bytes() < bytes) {
    arena = Buffer();
    arena = Buffer(bytes, Pages::huge);
  }
  return arena.as<char>();
}

uint64_t aligned(uint64_t bytes) {
  return (bytes + 4095) / 4096 * 4096;
}

// `fresh` tells whether the operands were just made (and so never multiplied yet).
Operands& operands_for(const std::string& key, const std::vector<MatmulOp>& ops, Number t,
                       size_t copies, bool& fresh) {
  static std::unique_ptr<Operands> cached;
  static std::string cached_key;
  fresh = !(cached && cached_key == key);
  if (!fresh) return *cached;
  forget_packed_weights();  // packed copies of the buffers about to be freed
  cached.reset();
  cached = std::make_unique<Operands>();
  Operands& x = *cached;
  x.copies = copies;
  const uint64_t e = element_bytes(t);
  uint64_t block = 0;
  for (const MatmulOp& op : ops)
    block += aligned(op.count * op.m * op.k * e) + aligned(op.b_count * op.k * op.n * e) +
             aligned(op.count * op.m * op.n * e);
  for (const MatmulOp& op : ops) x.c_bytes.push_back(op.count * op.m * op.n * e);
  char* memory = operand_memory(block * copies);
  for (size_t r = 0; r < copies; ++r) {
    x.blocks.push_back(memory + r * block);
    char* at = x.blocks.back();
    uint64_t seed = 1;
    for (const MatmulOp& op : ops) {
      const uint64_t a = op.count * op.m * op.k * e, b = op.b_count * op.k * op.n * e;
      x.a.push_back(at);
      x.b.push_back(at + aligned(a));
      x.c.push_back(at + aligned(a) + aligned(b));
      if (r == 0) {
        fill(x.a.back(), a, t, seed++);
        fill(x.b.back(), b, t, seed++);
      }
      at += aligned(a) + aligned(b) + aligned(op.count * op.m * op.n * e);
    }
    // Every copy holds the same values (the checks read any of them), at its own addresses.
    if (r > 0) std::memcpy(x.blocks.back(), x.blocks.front(), block);
  }
  cached_key = key;
  return x;
}

// --xfmr-decode: "stream" runs decode's products (attention, and weights at a batch of at most
// kStreamedWeightRows) through streamed_products, "blas" every product through the library.
std::string g_decode = "stream";
bool is_weight(const MatmulOp& op) {
  return op.name.rfind("attn_", 0) != 0;
}
bool through_blas(const MatmulOp& op, Number t) {
  // A mixture's experts are weights, one product each.
  return g_decode == "blas" ||
         !(is_weight(op) ? streamed(t, op.m, 1, 1)
                         : streamed(t, op.m, op.count, op.count / op.b_count));
}
// Streamed, B is stored as models and engines store it: a weight one row per output, the K
// cache one row per position (scores are dot products of the query with each); V as it is.
bool by_output(const MatmulOp& op, Number t) {
  return (is_weight(op) || op.name == "attn_scores") && !through_blas(op, t);
}

void run_op(const MatmulOp& op, Number t, const Operands& x, size_t i) {
  const int64_t e = element_bytes(t);
  const int64_t group = op.count / op.b_count;  // heads sharing one K or V
  if (!through_blas(op, t) && !is_weight(op))
    return streamed_products(t, x.a[i], x.b[i], x.c[i], op.m, op.n, op.k, op.count, group,
                             by_output(op, t));
  if (!through_blas(op, t)) {
    for (int64_t p = 0; p < op.count; ++p)
      streamed_products(t, x.a[i] + p * op.m * op.k * e, x.b[i] + p * op.k * op.n * e,
                        x.c[i] + p * op.m * op.n * e, op.m, op.n, op.k, 1, 1, true);
    return;
  }
  for (int64_t p = 0; p < op.count; ++p) {
    const char* a = x.a[i] + p * op.m * op.k * e;
    const char* b = x.b[i] + (p / group) * op.k * op.n * e;
    char* c = x.c[i] + p * op.m * op.n * e;
    matmul(t, a, b, c, op.m, op.n, op.k, is_weight(op));  // weights, not per-head K or V
  }
}

std::string check_op(const MatmulOp& op, Number t, const Operands& x, size_t i) {
  const int64_t e = element_bytes(t);
  const int64_t group = op.count / op.b_count;
  for (int64_t p : {int64_t{0}, op.count - 1}) {  // the first and the last product
    // Streamed, a weight and K are stored one row per output (by_output).
    const std::string wrong =
        check_matmul_sample(t, x.a[i] + p * op.m * op.k * e, x.b[i] + (p / group) * op.k * op.n * e,
                            x.c[i] + p * op.m * op.n * e, op.m, op.n, op.k, 8,
                            static_cast<uint64_t>(p), by_output(op, t));
    if (!wrong.empty()) return op.name + ": " + wrong;
  }
  return "";
}

// Runs `ops` in sequence (one product, or a whole layer) and sets the counters, each iteration
// on the next of `copies` copies of the operands (copies_for).
void run_products(benchmark::State& state, const std::string& key, const std::vector<MatmulOp>& ops,
                  Number t, size_t copies = 1) {
  const ScopedUnpin unpinned;  // the libraries' own threads must not inherit core 0 alone
  bool fresh = false;
  Operands& x = operands_for(key, ops, t, copies, fresh);
  // One untimed pass on new operands: libraries build their kernels and pack weights then.
  if (fresh)
    for (size_t r = 0; r < x.copies; ++r)
      for (size_t i = 0; i < ops.size(); ++i) run_op(ops[i], t, x, r * ops.size() + i);
  for (size_t j = 0; j < x.c.size(); ++j) std::fill_n(x.c[j], x.c_bytes[j % ops.size()], 0);
  size_t next = 0;
  const double seconds = measure(state, [&] {
    const size_t r = next++ % x.copies;
    return time_region([&] {
      for (size_t i = 0; i < ops.size(); ++i) run_op(ops[i], t, x, r * ops.size() + i);
    });
  });
  if (seconds == 0) return;
  std::string wrong;
  for (size_t i = 0; i < ops.size() && wrong.empty(); ++i) wrong = check_op(ops[i], t, x, i);
  if (!check_result(state, wrong.empty(), wrong)) return;
  Work work;
  double written = 0;  // the outputs: a decode layer only reads, as its products do
  for (const MatmulOp& op : ops) {
    work.flops += op.flops();
    work.bytes += op.bytes(element_bytes(t));
    written += static_cast<double>(op.count * op.m * op.n) * element_bytes(t);
  }
  report_work(state, work, seconds);
  state.counters["seconds"] = seconds / static_cast<double>(state.iterations());
  state.counters["operand_copies"] = static_cast<double>(x.copies);
  state.counters["written_bytes"] = written;
  if (ops.size() == 1) {
    state.counters["m"] = static_cast<double>(ops[0].m);
    state.counters["n"] = static_cast<double>(ops[0].n);
    state.counters["k"] = static_cast<double>(ops[0].k);
    state.counters["count"] = static_cast<double>(ops[0].count);
  }
}

// One whole step of a model: `run` consecutive layers, each with its own weights and its own KV
// cache, then the LM head. Where the model has more layers than memory or the time allow,
// `run` of its `layers` are enough to stream past the cold span (no layer's weights are still
// cached when it comes round again) and the layers' time is scaled by layers / run; the
// counters layers_run and layers say so.
void run_step(benchmark::State& state, const std::string& key, const std::vector<MatmulOp>& layer,
              const MatmulOp& head, int run, int layers, Number t) {
  std::vector<MatmulOp> ops;
  for (int l = 0; l < run; ++l) ops.insert(ops.end(), layer.begin(), layer.end());
  ops.push_back(head);
  const ScopedUnpin unpinned;
  bool fresh = false;
  Operands& x = operands_for(key, ops, t, 1, fresh);
  if (fresh)
    for (size_t i = 0; i < ops.size(); ++i) run_op(ops[i], t, x, i);
  for (size_t j = 0; j < x.c.size(); ++j) std::fill_n(x.c[j], x.c_bytes[j], 0);
  const double scale = static_cast<double>(layers) / run;
  // Each product's share of the step, as the step ran it (scaled as the layers are): which
  // product keeps a step from its prediction, without measuring the products apart.
  std::vector<double> op_seconds(layer.size() + 1, 0);
  const double seconds = measure(state, [&] {
    const double layers_s = time_region([&] {
      for (size_t i = 0; i + 1 < ops.size(); ++i)
        op_seconds[i % layer.size()] += time_region([&] { run_op(ops[i], t, x, i); }) * scale;
    });
    const double head_s = time_region([&] { run_op(ops.back(), t, x, ops.size() - 1); });
    op_seconds.back() += head_s;
    return layers_s * scale + head_s;
  });
  if (seconds == 0) return;
  std::string wrong = check_op(ops.front(), t, x, 0);
  if (wrong.empty()) wrong = check_op(ops[ops.size() - 2], t, x, ops.size() - 2);
  if (wrong.empty()) wrong = check_op(ops.back(), t, x, ops.size() - 1);
  if (!check_result(state, wrong.empty(), wrong)) return;
  Work work;
  for (const MatmulOp& op : layer) {
    work.flops += op.flops() * layers;
    work.bytes += op.bytes(element_bytes(t)) * layers;
  }
  work.flops += head.flops();
  work.bytes += head.bytes(element_bytes(t));
  report_work(state, work, seconds);
  state.counters["seconds"] = seconds / static_cast<double>(state.iterations());
  state.counters["layers_run"] = run;
  state.counters["layers"] = layers;
  const double iterations = static_cast<double>(state.iterations());
  for (size_t j = 0; j < layer.size(); ++j)
    state.counters["seconds_in_" + layer[j].name] = op_seconds[j] / iterations;
  state.counters["seconds_in_" + head.name] = op_seconds.back() / iterations;
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

// Operands allocated and filled once (every copy), one untimed pass over every copy; an
// iteration on every core, as BLAS runs it.
Estimate product_estimate(double flops, double bytes, size_t copies = 1) {
  const int cores = static_cast<int>(topology().core_cpus.size());
  const double iteration = nominal::flops_s(flops, cores) + nominal::stream_s(bytes, cores);
  return {nominal::touch_s(bytes * copies) + iteration * copies, false, iteration};
}
std::string g_max_bytes, g_gemm_sizes;

// The bytes of one product's operands: A, B (each of its counts) and the output.
uint64_t operand_bytes(const MatmulOp& op, int element) {
  return static_cast<uint64_t>(element) *
         (op.count * op.m * op.k + op.b_count * op.k * op.n + op.count * op.m * op.n);
}

// The whole step of shape `s`: as many distinct layers as stream past the cold span (one
// where a layer alone does), within the operands' limit, and the LM head; false where even that
// does not fit (and with `report_skip`, one skipped benchmark saying why). `stepped` gains
// "model/type".
bool register_step(const Shape& s, const std::vector<MatmulOp>& layer, const MatmulOp& head,
                   Number t, const std::string& type_name, bool quick, double max_flops,
                   uint64_t max_bytes, std::set<std::string>& stepped, bool report_skip) {
  const int e = element_bytes(t);
  double layer_flops = 0;
  uint64_t layer_bytes = 0;
  for (const MatmulOp& op : layer) {
    layer_flops += op.flops();
    layer_bytes += operand_bytes(op, e);
  }
  const double span = static_cast<double>(cold_span(quick));
  int run = std::clamp(static_cast<int>(std::ceil(span / static_cast<double>(layer_bytes))), 1,
                       s.model.layers);
  while (run > 1 && run * layer_bytes + operand_bytes(head, e) > max_bytes) --run;
  const std::string step = "xfmr.step/" + s.model.name + "/" + to_string(s.phase) +
                           "/batch:" + std::to_string(s.batch) + "/seq:" + std::to_string(s.seq) +
                           "/type:" + type_name;
  const uint64_t least = layer_bytes + operand_bytes(head, e);
  if (least > max_bytes || head.flops() > max_flops || layer_flops > 4 * max_flops) {
    if (!report_skip) return false;
    const std::string why = least > max_bytes
                                ? "one layer and the LM head take " + format_bytes(least) +
                                      " of operands, above --xfmr-max-bytes (" +
                                      format_bytes(max_bytes) + ")"
                                : "a layer or the LM head is above --xfmr-max-flops";
    add_benchmark(step, [why](benchmark::State& state) { skip(state, why); });
    return false;
  }
  const int layers = s.model.layers;
  add_benchmark(
      step,
      [step, layer, head, run, layers, t](benchmark::State& state) {
        run_step(state, step, layer, head, run, layers, t);
      },
      0,
      product_estimate(layer_flops * run + head.flops(),
                       static_cast<double>(run * layer_bytes + operand_bytes(head, e))));
  stepped.insert(s.model.name + "/" + type_name);
  return true;
}

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
  if (g_decode != "stream" && g_decode != "blas")
    throw UsageError("--xfmr-decode must be stream or blas, not '" + g_decode + "'");
  add_context("xfmr_decode",
              g_decode == "blas"
                  ? "every product through the library (--xfmr-decode blas)"
                  : "decode's products through memwall's streamed kernel "
                    "(bench_cpu/streamed_product.cpp), as inference engines run decode on CPUs: "
                    "attention with each core reading whole KV heads once, the query heads of "
                    "one KV head sharing the read; weights at a batch of at most " +
                        std::to_string(kStreamedWeightRows) +
                        " stored as models store them (one row per output), each core streaming "
                        "its block of outputs once; fp32 sums. Prefill and larger batches through "
                        "the library; --xfmr-decode blas puts every product through the library");
  const uint64_t span = cold_span(config.quick()), llc = topology().llc_bytes_total();
  add_context("xfmr_operands",
              "cold: each product and layer rotates through copies of its operands (counter "
              "operand_copies) spanning " +
                  format_bytes(span) +
                  " together, so no part of one copy is still cached when "
                  "it comes round again, as a model streams each layer's weights once a token" +
                  (span < 4 * llc ? " (under 4x the " + format_bytes(llc) +
                                        " of last-level cache hwloc reports: the memory or the "
                                        "quick run's 256 MiB caps it; --xfmr-cold-bytes)"
                                  : " (4x the last-level cache hwloc reports)"));
  int skipped = 0;
  std::set<std::string> stepped;  // model/type of every step registered
  for (const std::string& type_name : types) {
    const Number t = parse_number(type_name);
    if (skip_unsupported("xfmr/all/type:" + type_name, t)) continue;
    const int e = element_bytes(t);
    for (const Shape& s : transformer_shapes({g_products.model_list, g_products.batch_list,
                                              g_products.seq_list, g_products.phase_list,
                                              config.quick()  ? 0
                                              : config.full() ? 2
                                                              : 1})) {
      const std::vector<MatmulOp> ops = routed_ops(s.model, s.batch, s.seq, s.phase);
      const std::string family = s.phase == Phase::prefill ? "xfmr.gemm/" : "xfmr.gemv/";
      const std::string where = s.model.name + "/" + to_string(s.phase);
      const std::string keys = "/batch:" + std::to_string(s.batch) +
                               "/seq:" + std::to_string(s.seq) + "/type:" + type_name;
      auto footprint = [e](const MatmulOp& op) { return operand_bytes(op, e); };
      std::vector<MatmulOp> layer;
      double layer_flops = 0;
      uint64_t layer_bytes = 0;
      for (const MatmulOp& op : ops) {
        if (op.flops() > max_flops || footprint(op) > max_bytes) {
          ++skipped;
          continue;
        }
        const std::string name = family + where + "/op:" + op.name + keys;
        const size_t copies = copies_for({op}, t, true, config.quick());
        add_benchmark(
            name,
            [name, op, t, copies](benchmark::State& state) {
              run_products(state, name, {op}, t, copies);
            },
            0, product_estimate(op.flops(), footprint(op), copies));
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
        const size_t copies = copies_for(layer, t, true, config.quick());
        add_benchmark(
            name,
            [name, layer, t, copies](benchmark::State& state) {
              run_products(state, name, layer, t, copies);
            },
            0, product_estimate(layer_flops, layer_bytes, copies));
        // Quick: the decode steps alone (a prefill step is its layers, compute-bound).
        if (!config.quick() || s.phase == Phase::decode)
          register_step(s, layer, ops.back(), t, type_name, config.quick(), max_flops, max_bytes,
                        stepped, false);
      }
    }
    // Quick: the decode step at batch 1 of every catalog model that decodes, alone (its
    // products are not measured), so each model's prediction meets a measurement; in the
    // format models are served in here (the last: bf16 where the library has it).
    if (config.quick() && type_name == types.back() && g_products.model_list.empty() &&
        g_products.batch_list.empty() && g_products.seq_list.empty())
      for (const ModelConfig& m : model_catalog()) {
        if (m.encoder_only || stepped.count(m.name + "/" + type_name)) continue;
        const Shape s{m, Phase::decode, 1, 1024};
        const std::vector<MatmulOp> ops = routed_ops(m, 1, 1024, Phase::decode);
        std::vector<MatmulOp> layer;
        for (const MatmulOp& op : ops)
          if (op.per_layer) layer.push_back(op);
        register_step(s, layer, ops.back(), t, type_name, true, max_flops, max_bytes, stepped,
                      true);
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
          name, [name, op, t](benchmark::State& state) { run_products(state, name, {op}, t, 1); },
          0, product_estimate(op.flops(), 3.0 * element_bytes(t) * n * n));
    }
  }
}

const bool registered = add_family(
    {"xfmr",
     [](Flags& flags) {
       g_products.add_to(flags, "fp32, fp64, bf16 (default fp32, and bf16 with oneDNN)");
       flags.add("--xfmr-max-flops", g_max_flops, "skip products above this many FLOPs");
       flags.add("--xfmr-max-bytes", g_max_bytes, "skip benchmarks whose operands exceed this");
       flags.add("--xfmr-decode", g_decode,
                 "decode's products (attention; weights at batch 8 or less): stream (memwall's "
                 "kernel, each core streaming its share once) or blas (the library)");
       flags.add("--xfmr-cold-bytes", g_cold_bytes,
                 "bytes the rotated copies of a product's operands span (default 4x the "
                 "last-level cache)");
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
                   declare_role({"xfmr.layer", "", {}, "layer", "cpu", {}}) &&
                   declare_role({"xfmr.step", "", {}, "step", "cpu", {}});

}  // namespace

}  // namespace memwall::cpu
