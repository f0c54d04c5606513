#include "harness/profile/predict.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "core/units.hpp"
#include "harness/format.hpp"
#include "harness/profile/input_error.hpp"

namespace memwall::harness {

namespace {

struct Roofs {
  double peak_GFLOPps = 0, memory_GBps = 0;
};

bool is_ffn(const MatmulOp& op) {
  return op.name.rfind("ffn_", 0) == 0;
}

// One step's products, each at the lower of its two roofs. In a mixture of experts each token's
// FFN runs in experts_per_token experts, and the weights read are those of the experts touched.
// `weights_only`: the products with weights alone (attention reads each sequence's own KV cache
// and stays bound by memory at any batch).
// `per_op`: each product's predicted seconds of the step (every layer's), and whether compute
// binds it.
struct OpPrediction {
  double seconds = 0;
  bool compute = false;
};
StepPrediction step(const ModelConfig& m, Phase phase, int batch, int context, int element_bytes,
                    const Roofs& roofs, bool weights_only = false,
                    std::map<std::string, OpPrediction>* per_op = nullptr) {
  StepPrediction s;
  const double tokens = phase == Phase::decode ? batch : static_cast<double>(batch) * context;
  for (const MatmulOp& op : layer_ops(m, batch, context, phase)) {
    if (weights_only && op.name.rfind("attn_", 0) == 0) continue;
    double flops = op.flops();
    double weights = static_cast<double>(element_bytes) * op.b_count * op.k * op.n;
    double activations = static_cast<double>(element_bytes) * op.count * op.m * (op.k + op.n);
    if (is_ffn(op) && m.experts > 1) {
      flops *= m.experts_per_token;
      activations *= m.experts_per_token;
      weights *= experts_touched(m, tokens);
    }
    const double bytes = weights + activations;
    const double compute_s = flops / (roofs.peak_GFLOPps * 1e9);
    const double memory_s = bytes / (roofs.memory_GBps * 1e9);
    const double times = op.per_layer ? m.layers : 1;
    s.flops += flops * times;
    s.bytes += bytes * times;
    s.seconds += std::max(compute_s, memory_s) * times;
    if (per_op) (*per_op)[op.name] = {std::max(compute_s, memory_s) * times, compute_s > memory_s};
    (compute_s > memory_s ? s.compute_s : s.memory_s) += std::max(compute_s, memory_s) * times;
  }
  s.bound = s.compute_s > s.memory_s ? Bound::compute : Bound::memory;
  s.tokens_per_s = tokens / s.seconds;
  return s;
}

// The device's memory in bytes, from the context its run wrote (0 where it did not say): the
// profile's device, else (profiles written before it) the machine's keys.
double device_memory_bytes(const Profile& p, const std::string& device) {
  if (const auto d = p.devices.find(device); d != p.devices.end() && d->second.memory_bytes > 0)
    return d->second.memory_bytes;
  auto number = [](const std::string& text) {
    try {
      return std::stod(text);
    } catch (const std::exception&) {
      return 0.0;
    }
  };
  if (const auto it = p.machine.find(device + "_memory_bytes"); it != p.machine.end())
    return number(it->second);
  if (const auto it = p.machine.find("devices"); it != p.machine.end()) {
    const nlohmann::json d = nlohmann::json::parse(it->second, nullptr, false);
    if (d.is_object() && d.contains(device) && d[device].contains("memory_bytes"))
      return number(d[device]["memory_bytes"].is_string()
                        ? d[device]["memory_bytes"].get<std::string>()
                        : d[device]["memory_bytes"].dump());
  }
  if (device == "cpu")
    if (const auto it = p.machine.find("memory_bytes"); it != p.machine.end())
      return number(it->second);
  return 0;
}

}  // namespace

int format_bytes(const std::string& type) {
  if (type == "fp64") return 8;
  if (type == "fp32" || type == "tf32") return 4;
  if (type == "bf16" || type == "fp16") return 2;
  if (type == "fp8" || type == "int8") return 1;
  throw InputError("unknown format '" + type + "' (fp64, fp32, tf32, bf16, fp16, fp8, int8)");
}

ModelPrediction predict(const Profile& p, const std::string& device, const ModelConfig& m,
                        const std::string& type, int batch, int context) {
  if (batch < 1) throw InputError("--batch must be at least 1");
  if (context < 1) throw InputError("--context must be at least 1");
  const int element_bytes = format_bytes(type);
  const auto d = p.devices.find(device);
  if (d == p.devices.end()) throw InputError("the profile has no device '" + device + "'");
  ModelPrediction pr;
  pr.device = device;
  pr.device_name = d->second.name;
  pr.model = m.name;
  pr.type = type;
  pr.batch = batch;
  pr.context = context;
  pr.layers = m.layers;
  const auto formats = p.compute.find(device);
  if (formats == p.compute.end() || !formats->second.count(type))
    throw InputError("the profile has no measured " + type + " peak on " + device);
  Roofs roofs;
  roofs.peak_GFLOPps = formats->second.at(type).peak.best;
  const auto levels = p.memory.find(device);
  std::string why = "no memory level: its latency curve did not reach past its caches";
  if (levels != p.memory.end())
    for (const Level& l : levels->second)
      if (l.kind == LevelKind::memory) {
        // Weights and the KV cache are only read: the read kernel's bandwidth where measured
        // (a level whose named kernel failed or ramped still has it).
        if (l.read_GBps <= 0 && l.bandwidth_GBps <= 0) {
          why = l.name + " has none: " +
                (l.no_bandwidth_why.empty() ? "no bandwidth point past 4x the last-level cache"
                                            : l.no_bandwidth_why);
          continue;
        }
        pr.memory_level = l.name;
        roofs.memory_GBps = l.read_GBps > 0 ? l.read_GBps : l.bandwidth_GBps;
        pr.memory_kernel = l.read_GBps > 0 ? "read" : l.bandwidth_kernel;
      }
  if (roofs.memory_GBps <= 0)
    throw InputError("the profile has no memory bandwidth on " + device + " (" + why + ")");
  pr.peak_GFLOPps = roofs.peak_GFLOPps;
  pr.memory_GBps = roofs.memory_GBps;
  pr.parameters = parameter_count(m);
  pr.weights_bytes = pr.parameters * element_bytes;
  pr.kv_bytes_per_token = 2.0 * m.layers * m.kv_heads * m.head_dim() * element_bytes;
  pr.experts_touched = experts_touched(m, batch);
  pr.decode = step(m, Phase::decode, batch, context, element_bytes, roofs);
  pr.prefill = step(m, Phase::prefill, batch, context, element_bytes, roofs);
  // The first decode batch whose weight products are bound by compute: doubling, then halving.
  auto compute_bound = [&](int b) {
    return step(m, Phase::decode, b, context, element_bytes, roofs, true).bound == Bound::compute;
  };
  int lo = 0, hi = 1;
  while (hi <= 65536 && !compute_bound(hi)) lo = hi, hi *= 2;
  if (hi <= 65536) {
    while (hi - lo > 1) {
      const int mid = (lo + hi) / 2;
      (compute_bound(mid) ? hi : lo) = mid;
    }
    pr.compute_bound_from_batch = hi;
  }
  pr.memory_bytes = device_memory_bytes(p, device);
  if (pr.memory_bytes > 0 && pr.memory_bytes > pr.weights_bytes)
    pr.largest_batch_x_context = (pr.memory_bytes - pr.weights_bytes) / pr.kv_bytes_per_token;
  if (pr.memory_bytes > 0 && pr.weights_bytes > pr.memory_bytes) {
    pr.spill_bytes = pr.weights_bytes - pr.memory_bytes;
    for (const HostLink& h : p.links.host)
      if (h.device == device && h.direction == "h2d" && h.bandwidth_GBps > pr.spill_GBps) {
        pr.spill_GBps = h.bandwidth_GBps;
        pr.spill_link = h.link;
      }
    if (pr.spill_GBps > 0) {
      // Every decode step streams the spilled weights over the link, beside memory's share.
      const double link_s = pr.spill_bytes / (pr.spill_GBps * 1e9);
      if (link_s > pr.decode.seconds) {
        pr.decode.seconds = link_s;
        pr.decode.bound = Bound::host_link;
        pr.decode.tokens_per_s = batch / link_s;
      }
    } else {
      pr.notes.push_back("the weights do not fit in " + device +
                         "'s memory and no host link was measured to stream the rest");
    }
  }
  for (int b = 1; b <= 256; b *= 2)
    pr.decode_curve.push_back(
        {b, b == batch ? pr.decode.tokens_per_s
                       : step(m, Phase::decode, b, context, element_bytes, roofs).tokens_per_s});
  pr.train_flops_per_token = 6 * pr.parameters;
  pr.train_s_per_billion_tokens = pr.train_flops_per_token * 1e9 / (roofs.peak_GFLOPps * 1e9);
  if (m.experts > 1) {
    pr.train_flops_per_token =
        6 * (pr.parameters - (1 - static_cast<double>(m.experts_per_token) / m.experts) *
                                 (m.gated_ffn ? 3 : 2) * m.hidden * m.ffn * m.experts * m.layers);
    pr.train_s_per_billion_tokens = pr.train_flops_per_token * 1e9 / (roofs.peak_GFLOPps * 1e9);
    pr.notes.push_back("a mixture of " + std::to_string(m.experts) + " experts, " +
                       std::to_string(m.experts_per_token) +
                       " a token: a decode step reads the experts its tokens route to (" +
                       fixed(pr.experts_touched, 1) + " a layer expected at batch " +
                       std::to_string(batch) +
                       "), not every resident expert; training counts "
                       "the active parameters");
  }
  return pr;
}

// The product that loses the most time against its roof as the measured step ran it (its
// seconds_in_<op> counters) beside its predicted share.
void explain_miss(const ModelStep& s, ModelPrediction& pr) {
  if (s.op_seconds.empty()) return;
  std::map<std::string, OpPrediction> predicted;
  const ModelConfig m = find_model(s.model);
  const Phase phase = s.phase == "prefill" ? Phase::prefill : Phase::decode;
  step(m, phase, pr.batch, pr.context, format_bytes(pr.type), {pr.peak_GFLOPps, pr.memory_GBps},
       false, &predicted);
  for (const auto& [op, measured] : s.op_seconds) {
    const auto it = predicted.find(op);
    if (it == predicted.end() || measured <= 0) continue;
    const double lost = measured - it->second.seconds;
    if (lost <= pr.miss_seconds) continue;
    pr.miss_op = op;
    pr.miss_seconds = lost;
    pr.miss_percent = 100 * it->second.seconds / measured;
    pr.miss_roof = it->second.compute ? "compute" : pr.memory_level;
    pr.miss_as_step_ran = true;
  }
}

// Without the step's own counters: the product of the step's shape, measured alone, that loses
// the most time against its roof over the step (each layer's products once a layer).
void explain_miss_by_products(const std::vector<Product>& ops, ModelPrediction& pr) {
  for (const Product& op : ops) {
    if (op.device != pr.device || op.model != pr.model || op.phase != pr.phase ||
        op.type != pr.type || op.batch != pr.batch || op.seq != pr.context || op.op == "layer" ||
        op.percent_of_roofline <= 0)
      continue;
    const double lost = op.seconds * (1 - std::min(1.0, op.percent_of_roofline / 100)) *
                        (op.op == "lm_head" ? 1 : std::max(1, pr.layers));
    if (lost <= pr.miss_seconds) continue;
    pr.miss_op = op.op;
    pr.miss_seconds = lost;
    pr.miss_percent = op.percent_of_roofline;
    pr.miss_roof = op.bound == Bound::compute ? "compute" : op.roof_level;
    pr.miss_how = op.how;
  }
}

std::vector<ModelPrediction> models_step(const Profile& p) {
  std::vector<ModelPrediction> out;
  for (const auto& [id, d] : p.devices) {
    if (d.kind != DeviceKind::cpu && d.kind != DeviceKind::gpu) continue;
    const auto formats = p.compute.find(id);
    const auto ratios = p.ratios.find(id);
    if (formats == p.compute.end()) continue;
    std::string type = formats->second.count("bf16") ? "bf16" : "";
    if (type.empty() && ratios != p.ratios.end()) type = ratios->second.walls.format;
    try {
      ModelPrediction pr = predict(p, id, find_model("llama-3-8b"), type, 1, 4096);
      pr.role = PredictionRole::headline;
      out.push_back(pr);
      // A GPU's memory against the large catalog models: held, or what spills.
      if (d.kind == DeviceKind::gpu)
        for (const char* large : {"llama-2-70b", "llama-3.1-405b"}) {
          pr = predict(p, id, find_model(large), type, 1, 4096);
          pr.role = PredictionRole::largest;
          out.push_back(pr);
        }
    } catch (const std::exception&) {  // no peak or no memory bandwidth: nothing to predict
    }
  }
  for (const ModelStep& s : p.transformer.steps) {
    try {
      ModelPrediction pr = predict(p, s.device, find_model(s.model), s.type,
                                   static_cast<int>(s.batch), static_cast<int>(s.seq));
      pr.role = PredictionRole::measured;
      pr.phase = s.phase;
      pr.measured_s = s.step_seconds;
      pr.measured_how = s.how;
      explain_miss(s, pr);
      if (pr.miss_op.empty()) explain_miss_by_products(p.transformer.ops, pr);
      out.push_back(pr);
    } catch (const std::exception&) {
    }
  }
  return out;
}

std::string prediction_text(const ModelPrediction& pr) {
  const Quantity flops_q = Quantity::flops, bw_q = Quantity::bandwidth;
  std::string out;
  out += pr.model + " " + pr.type + " on " + pr.device + " (" + pr.device_name + "), predicted " +
         "from the profile's roofs: " + with_unit(pr.peak_GFLOPps, flops_q) + " " + pr.type +
         " peak, " + pr.memory_level + " " + with_unit(pr.memory_GBps, bw_q) + " (" +
         pr.memory_kernel + ": weights and KV cache are only read)\n";
  out += "  parameters " + sig(pr.parameters / 1e9) + "e9, weights " +
         bytes_text(pr.weights_bytes) + ", KV cache " + bytes_text(pr.kv_bytes_per_token) +
         " a token\n";
  out += "  decode at batch " + std::to_string(pr.batch) + ", context " +
         std::to_string(pr.context) + ": " + seconds_text(pr.decode.seconds) + " a step, " +
         sig(pr.decode.tokens_per_s) + " tokens/s (" + pr.decode.bound +
         "-bound: " + bytes_text(pr.decode.bytes) + " and " + sig(pr.decode.flops / 1e9) +
         " GFLOP a step)\n";
  out += "  time to first token of a " + std::to_string(pr.context) + "-token prompt at batch " +
         std::to_string(pr.batch) + ": " + seconds_text(pr.prefill.seconds) + " (" +
         pr.prefill.bound + "-bound, " + sig(pr.prefill.tokens_per_s) + " tokens/s)\n";
  out +=
      "  decode's weight products turn compute-bound " +
      (pr.compute_bound_from_batch > 0 ? "from batch " + std::to_string(pr.compute_bound_from_batch)
                                       : std::string("at no batch up to 65536")) +
      " (attention reads each sequence's own KV cache: bound by memory at any batch)\n";
  if (pr.memory_bytes > 0)
    out += "  " + pr.device + "'s memory " + bytes_text(pr.memory_bytes) +
           (pr.largest_batch_x_context > 0
                ? " holds the weights and " + sig(pr.largest_batch_x_context) +
                      " tokens of KV cache (batch x context)"
                : " does not hold the weights: " + bytes_text(pr.spill_bytes) + " spill" +
                      (pr.spill_GBps > 0 ? " over " + pr.spill_link + " at " +
                                               with_unit(pr.spill_GBps, bw_q) + " every step"
                                         : std::string())) +
           "\n";
  out += "  training (C = 6PD): " + sig(pr.train_flops_per_token / 1e9) + " GFLOP a token, " +
         sig(pr.train_s_per_billion_tokens / 3600) + " h per billion tokens at the " + pr.type +
         " peak\n";
  for (const std::string& n : pr.notes) out += "  note: " + n + "\n";
  return out;
}

}  // namespace memwall::harness
