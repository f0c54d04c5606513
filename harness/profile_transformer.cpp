// Every Transformer product placed on its own device's roofline, and model steps.
#include <cmath>
#include <cstdio>
#include <map>

#include "core/models.hpp"
#include "core/units.hpp"
#include "harness/profile.hpp"
#include "harness/roofline.hpp"

namespace memwall::harness {

namespace {

using nlohmann::json;

std::string gbps(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.1f GB/s", v);
  return buf;
}

// Why a memory-bound product beat its roof, from what was measured; "not explained" otherwise.
std::string above_memory_roof(const ProfileInputs& in, const json& profile,
                              const std::string& device, const Placement& at, double bytes,
                              double product_GBps) {
  const auto report = in.levels.find(device);
  if (report != in.levels.end() && !report->second.read_curve.empty()) {
    // The read kernel at the product's own working set: faster there than the level's
    // bandwidth means that working set is still partly held by a faster level.
    const auto& curve = report->second.read_curve;
    const CurvePoint* near = &curve.front();
    for (const CurvePoint& p : curve)
      if (std::fabs(std::log(p.bytes / bytes)) < std::fabs(std::log(near->bytes / bytes)))
        near = &p;
    if (std::fabs(std::log(near->bytes / bytes)) < std::log(1.5) &&
        near->value > at.bandwidth_GBps * 1.1 && product_GBps <= near->value * 1.05)
      return "at its " + format_bytes(static_cast<uint64_t>(bytes)) +
             " the read kernel still streams " + gbps(near->value) + " with " +
             (report->second.spec.bandwidth_on_every_instance
                  ? std::string("all SMs")
                  : std::to_string(report->second.bandwidth_threads) + " threads") +
             " (" + format_bytes(static_cast<uint64_t>(near->bytes)) +
             "): part of the operands stay in a faster level than " + at.level;
  }
  const json* level = find_level(profile, device, at.level);
  const double read = level ? level->value("read_GBps", 0.0) : 0;
  const double moved = level ? level->value("bandwidth_hw_GBps", 0.0) : 0;
  const std::string kernel = level ? level->value("bandwidth_kernel", "") : "";
  if (moved >= read && moved > 0 && product_GBps <= moved * 1.05)
    return "it only reads, and the roof counts " + kernel + "'s STREAM bytes (" +
           gbps(at.bandwidth_GBps) + "), while " + kernel + " moved " + gbps(moved) +
           " counting the lines its stores read first (write-allocate): a read-only product can "
           "draw that";
  if (read > 0 && product_GBps <= read * 1.05)
    return "it only reads, and " + at.level + "'s read kernel streams " + gbps(read) +
           " where the roof's " + kernel + " reaches " + gbps(at.bandwidth_GBps);
  // The kernel beside the roof's (non-temporal triad on a CPU: no write-allocate, so every
  // byte it counts crossed the memory bus) shows what the memory delivered in this run.
  const double beside = level ? level->value("bandwidth_nt_GBps", 0.0) : 0;
  const std::string beside_kernel =
      report != in.levels.end() ? report->second.spec.memory_nt_kernel : "the second kernel";
  if (beside > at.bandwidth_GBps && product_GBps <= beside * 1.05)
    return "it only reads, and " + at.level + " delivered " + gbps(beside) + " to " +
           beside_kernel + " in this run, above the roof's " + kernel + " (" +
           gbps(at.bandwidth_GBps) + "): the roof is not all the memory can give";
  return "not explained: " + gbps(product_GBps) + " is above every bandwidth measured at " +
         at.level + " (" + kernel + " " + gbps(at.bandwidth_GBps) +
         (read > 0 ? ", read " + gbps(read) : "") + (moved > 0 ? ", moved " + gbps(moved) : "") +
         (beside > 0 ? ", " + beside_kernel + " " + gbps(beside) : "") +
         "); on a shared machine the level's bandwidth may have moved between the runs";
}

void transformer(const ProfileInputs& in, json& profile) {
  json ops = json::array();
  std::map<std::string, json> steps;
  for (const ResultFile& f : in.files)
    for (const Measurement& m : f.measurements) {
      if (m.family.rfind("xfmr.", 0) != 0 || !m.error.empty() || !m.has("flops")) continue;
      const std::string type = m.keys.count("type") ? m.keys.at("type") : "fp32";
      const std::string device = device_of(m);
      const double flops = m.median("flops"), bytes = m.median("bytes");
      const double intensity = flops / bytes;
      const Placement at = place(roofline_of(profile, device, type), bytes, intensity);
      const double rate = m.best("GFLOPps");
      json op = {{"name", m.name},
                 {"device", device},
                 {"family", m.family},
                 {"model", m.variant.substr(0, m.variant.find('/'))},
                 {"phase", m.variant.substr(m.variant.find('/') + 1)},
                 {"op", m.keys.count("op") ? m.keys.at("op") : "layer"},
                 {"batch", m.key_number("batch")},
                 {"seq", m.key_number("seq")},
                 {"type", type},
                 {"flops", flops},
                 {"bytes", bytes},
                 {"intensity_flop_per_byte", intensity},
                 {"GFLOPps", rate},
                 {"GBps", m.best("GBps")},
                 {"seconds", m.has("seconds") ? m.median("seconds") : flops / rate / 1e9},
                 {"how", m.label}};
      if (!at.level.empty()) {
        op["operands_fit_in"] = at.level;
        op["roof_bandwidth_GBps"] = at.bandwidth_GBps;
        op["ridge_flop_per_byte"] = at.ridge_flop_per_byte;
        op["bound"] = at.bound;
        op["roofline_GFLOPps"] = at.attainable_GFLOPps;
        op["percent_of_roofline"] = 100 * rate / at.attainable_GFLOPps;
        if (rate > at.attainable_GFLOPps * 1.02)
          op["above_roof_because"] =
              at.bound == "memory"
                  ? above_memory_roof(in, profile, device, at, bytes, m.best("GBps"))
                  : "the product ran faster than the measured " + type +
                        " peak kernel: that kernel does not reach this machine's limit";
      } else {
        op["bound"] = "unknown";
      }
      ops.push_back(op);
      // A model step: layers x the measured layer + the LM head once.
      const std::string key = device + "/" + m.variant + "/batch:" + m.keys.at("batch") +
                              "/seq:" + m.keys.at("seq") + "/type:" + type;
      if (m.family == "xfmr.layer") steps[key]["layer_seconds"] = op["seconds"];
      if (op["op"] == "lm_head") steps[key]["lm_head_seconds"] = op["seconds"];
      for (const char* k : {"device", "model", "phase", "batch", "seq", "type"})
        steps[key][k] = op[k];
    }
  json step_list = json::array();
  for (auto& [key, s] : steps) {
    if (!s.contains("layer_seconds") || !s.contains("lm_head_seconds")) continue;
    int layers = 0;
    try {
      layers = find_model(s["model"].get<std::string>()).layers;
    } catch (const UsageError&) {
    }
    if (layers == 0) continue;  // a user model: its layer count is not in the results
    s["layers"] = layers;
    const double step =
        layers * s["layer_seconds"].get<double>() + s["lm_head_seconds"].get<double>();
    s["step_seconds"] = step;
    const double tokens = s["phase"] == "prefill"
                              ? s["batch"].get<double>() * s["seq"].get<double>()
                              : s["batch"].get<double>();
    s["tokens_per_second"] = tokens / step;
    step_list.push_back(s);
  }
  profile["transformer"] = {{"ops", ops}, {"steps", step_list}};
}

const bool registered = add_profile_section(50, "transformer", transformer);

}  // namespace

}  // namespace memwall::harness
