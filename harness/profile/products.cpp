// The products step: every Transformer product placed on its own device's roofline for its
// format, and model steps (layers x the measured layer + the LM head).
#include <cmath>
#include <cstdio>
#include <map>

#include "core/models.hpp"
#include "core/stats.hpp"
#include "core/units.hpp"
#include "harness/format.hpp"
#include "harness/profile/predict.hpp"
#include "harness/profile/roofline.hpp"
#include "harness/profile/steps.hpp"

namespace memwall::harness {

namespace {

std::string gbps(double v) {
  return with_unit(v, Quantity::bandwidth);
}

struct AboveRoof {
  std::string because;
  bool explained = true;
};

// Why a memory-bound product beat its roof, from what was measured.
AboveRoof above_memory_roof(const LevelAnalysis* analysis, const Level* level, const Placement& at,
                            double bytes, double product_GBps) {
  if (analysis && !analysis->read_curve.empty()) {
    // The read kernel at the product's working set (every copy it rotates through): faster
    // there than the level's bandwidth means that working set is still partly held by a faster
    // level.
    const auto& curve = analysis->read_curve;
    const CurvePoint* near = &curve.front();
    for (const CurvePoint& p : curve)
      if (std::fabs(std::log(p.bytes / bytes)) < std::fabs(std::log(near->bytes / bytes)))
        near = &p;
    if (std::fabs(std::log(near->bytes / bytes)) < std::log(1.5) &&
        near->value > at.bandwidth_GBps * 1.1 && product_GBps <= near->value * 1.05)
      return {"at its " + bytes_text(bytes) + " the read kernel still streams " +
              gbps(near->value) + " with " +
              (analysis->spec.bandwidth_on_every_instance
                   ? std::string("all SMs")
                   : std::to_string(analysis->bandwidth_threads) + " threads") +
              " (" + bytes_text(near->bytes) +
              "): part of the operands stay in a faster level than " + at.level};
  }
  const double read = level ? level->read_GBps : 0;
  const double moved = level ? level->bandwidth_hw_GBps : 0;
  const std::string kernel = level ? level->bandwidth_kernel : "";
  if (moved >= read && moved > 0 && product_GBps <= moved * 1.05)
    return {"it only reads, and the roof counts " + kernel + "'s STREAM bytes (" +
            gbps(at.bandwidth_GBps) + "), while " + kernel + " moved " + gbps(moved) +
            " counting the lines its stores read first (write-allocate): a read-only product can "
            "draw that"};
  if (read > 0 && product_GBps <= read * 1.05)
    return {"it only reads, and " + at.level + "'s read kernel streams " + gbps(read) +
            " where the roof's " + kernel + " reaches " + gbps(at.bandwidth_GBps)};
  // The kernel beside the roof's (non-temporal triad on a CPU: no write-allocate, so every
  // byte it counts crossed the memory bus) shows what the memory delivered in this run.
  const double beside = level ? level->beside_GBps : 0;
  const std::string beside_kernel =
      level && !level->beside_kernel.empty() ? level->beside_kernel : "the second kernel";
  if (beside > at.bandwidth_GBps && product_GBps <= beside * 1.05)
    return {"it only reads, and " + at.level + " delivered " + gbps(beside) + " to " +
            beside_kernel + " in this run, above the roof's " + kernel + " (" +
            gbps(at.bandwidth_GBps) + "): the roof is not all the memory can give"};
  return {"nothing measured explains it: " + gbps(product_GBps) +
              " is above every bandwidth measured at " + at.level + " (" + kernel + " " +
              gbps(at.bandwidth_GBps) + (read > 0 ? ", read " + gbps(read) : "") +
              (moved > 0 ? ", moved " + gbps(moved) : "") +
              (beside > 0 ? ", " + beside_kernel + " " + gbps(beside) : "") +
              "); on a shared machine the level's bandwidth may have moved between the runs",
          false};
}

// The curve's rate at `bytes`, interpolated in log size between the two points around it; 0
// outside the curve and between points more than an octave apart (what was not measured is not
// read off the line between).
double curve_at(const std::vector<CurvePoint>& curve, double bytes) {
  for (size_t i = 1; i < curve.size(); ++i) {
    const CurvePoint &lo = curve[i - 1], &hi = curve[i];
    if (bytes < lo.bytes || bytes > hi.bytes || hi.bytes <= lo.bytes) continue;
    if (hi.bytes > 2.01 * lo.bytes) return 0;
    const double f = std::log(bytes / lo.bytes) / std::log(hi.bytes / lo.bytes);
    return lo.value + f * (hi.value - lo.value);
  }
  return 0;
}

// A product, or a whole layer, that only reads its weights and KV cache (what it writes,
// counter written_bytes, else its outputs m x n, under a tenth of its bytes) from memory draws
// what the read kernel draws there, not the level's named kernel (triad as
// STREAM counts it): the read bandwidth is its roof, at the span it streams (all its copies)
// where the read curve is still above the level's plateau there (part of that span still held
// by a faster level).
void read_roof(const Measurement& m, Product& op, const std::vector<Level>& levels,
               const LevelAnalysis* analysis, double peak, Placement& at) {
  const Level* level = at.bound == Bound::unset ? nullptr : find_level_in(levels, at.level);
  if (!level) return;
  op.roof_kernel = level->bandwidth_kernel;
  if (level->kind != LevelKind::memory || level->read_GBps <= at.bandwidth_GBps || op.bytes <= 0)
    return;
  double written = m.has("written_bytes") ? m.median("written_bytes") : -1;
  if (written < 0 && m.has("m") && m.has("n")) {  // files from before written_bytes
    try {
      written = format_bytes(op.type) * (m.has("count") ? m.median("count") : 1) * m.median("m") *
                m.median("n");
    } catch (const InputError&) {
    }
  }
  if (written < 0 || written >= 0.1 * op.bytes) return;
  op.roof_kernel = "read";
  const double there = analysis ? curve_at(analysis->read_curve, op.bytes * op.operand_copies) : 0;
  const double read = std::max(level->read_GBps, there);
  if (there > level->read_GBps * 1.02)
    op.roof_kernel = "read at " + bytes_text(op.bytes * op.operand_copies);
  at.bandwidth_GBps = read;
  at.ridge_flop_per_byte = peak / read;
  at.attainable_GFLOPps = std::min(peak, read * op.intensity_flop_per_byte);
  at.bound = at.attainable_GFLOPps < peak ? Bound::memory : Bound::compute;
}

}  // namespace

Transformer products_step(const ProfileInputs& in, const PerDevice<LevelAnalysis>& analyses,
                          const PerDevice<std::vector<Level>>& memory,
                          const PerDevice<ComputeByFormat>& compute) {
  Transformer out;
  std::map<std::string, ModelStep> steps;
  std::map<std::string, std::pair<double, double>> step_seconds;  // layer, lm_head
  for (const ResultFile& f : in.files)
    for (const Measurement& m : f.measurements) {
      if (m.role == Role::step && m.error.empty() && m.has("seconds") && m.keys.count("batch") &&
          m.keys.count("seq")) {
        const std::string model = m.variant.substr(0, m.variant.find('/'));
        const std::string type = m.keys.count("type") ? m.keys.at("type") : "fp32";
        ModelStep& s = steps[device_of(m) + "/" + m.variant + "/batch:" + m.keys.at("batch") +
                             "/seq:" + m.keys.at("seq") + "/type:" + type];
        s.device = device_of(m);
        s.model = model;
        s.phase = m.variant.substr(m.variant.find('/') + 1);
        s.type = type;
        s.batch = m.key_number("batch");
        s.seq = m.key_number("seq");
        const Summary t = summarize(m.counters.at("seconds"));
        s.step_seconds = t.min;  // the best repetition, as every time is quoted
        s.layers = m.has("layers") ? static_cast<int>(m.median("layers")) : 0;
        s.layers_run = m.has("layers_run") ? m.median("layers_run") : s.layers;
        for (const auto& [counter, values] : m.counters)
          if (counter.rfind("seconds_in_", 0) == 0)
            s.op_seconds[counter.substr(11)] = m.median(counter);
        continue;
      }
      const bool layer = m.role == Role::layer;
      if ((m.role != Role::product && !layer) || !m.error.empty() || !m.has("flops")) continue;
      Product op;
      op.name = m.name;
      op.device = device_of(m);
      op.family = m.family;
      op.model = m.variant.substr(0, m.variant.find('/'));
      op.phase = m.variant.substr(m.variant.find('/') + 1);
      op.op = layer || !m.keys.count("op") ? "layer" : m.keys.at("op");
      op.type = m.keys.count("type") ? m.keys.at("type") : "fp32";
      op.how = m.label;
      op.batch = m.key_number("batch");
      op.seq = m.key_number("seq");
      op.flops = m.median("flops");
      op.bytes = m.median("bytes");
      op.intensity_flop_per_byte = op.flops / op.bytes;
      op.GFLOPps = m.best("GFLOPps");
      op.GBps = m.has("GBps") ? m.best("GBps") : op.GFLOPps / op.intensity_flop_per_byte;
      op.seconds = m.has("seconds") ? m.median("seconds") : op.flops / op.GFLOPps / 1e9;
      double peak = 0;
      if (compute.count(op.device) && compute.at(op.device).count(op.type))
        peak = compute.at(op.device).at(op.type).peak.best;
      const auto levels = memory.find(op.device);
      // Measured cold, a product's working set is every copy it rotated through.
      op.operand_copies = m.has("operand_copies") ? std::max(1.0, m.median("operand_copies")) : 1;
      Placement at =
          place(roofline_of(levels == memory.end() ? std::vector<Level>{} : levels->second,
                            op.device, op.type, peak),
                op.bytes * op.operand_copies, op.intensity_flop_per_byte);
      const auto analysis = analyses.find(op.device);
      if (levels != memory.end())
        read_roof(m, op, levels->second, analysis == analyses.end() ? nullptr : &analysis->second,
                  peak, at);
      op.operands_fit_in = at.fits_in;
      op.bound = at.bound == Bound::unset ? Bound::unknown : at.bound;
      if (at.bound != Bound::unset) {
        op.roof_level = at.level;
        op.roof_note = at.note;
        op.roof_bandwidth_GBps = at.bandwidth_GBps;
        op.ridge_flop_per_byte = at.ridge_flop_per_byte;
        op.roofline_GFLOPps = at.attainable_GFLOPps;
        op.percent_of_roofline = 100 * op.GFLOPps / at.attainable_GFLOPps;
        if (op.GFLOPps > at.attainable_GFLOPps * 1.02) {
          const AboveRoof above =
              at.bound == Bound::memory
                  ? above_memory_roof(analysis == analyses.end() ? nullptr : &analysis->second,
                                      find_level_in(levels->second, at.level), at,
                                      op.bytes * op.operand_copies, op.GBps)
                  : AboveRoof{"the product ran faster than the measured " + op.type +
                              " peak kernel: that kernel does not reach this machine's limit"};
          op.above_roof_because = above.because;
          op.above_roof_unexplained = !above.explained;
        }
      }
      out.ops.push_back(op);
      // A model step: layers x the measured layer + the LM head once.
      const std::string key = op.device + "/" + m.variant + "/batch:" + m.keys.at("batch") +
                              "/seq:" + m.keys.at("seq") + "/type:" + op.type;
      ModelStep& s = steps[key];
      s.device = op.device;
      s.model = op.model;
      s.phase = op.phase;
      s.type = op.type;
      s.batch = op.batch;
      s.seq = op.seq;
      if (layer) s.layer_seconds = op.seconds;
      if (op.op == "lm_head") s.lm_head_seconds = op.seconds;
    }
  for (auto& [key, s] : steps) {
    if (s.step_seconds > 0 && s.layers > 0) {  // measured whole
      s.how = s.layers_run < s.layers
                  ? "one step, " + fixed(s.layers_run, 0) + " of its " + std::to_string(s.layers) +
                        " layers run and their time scaled"
                  : "one step, every layer";
      const double tokens = s.phase == "prefill" ? s.batch * s.seq : s.batch;
      s.tokens_per_second = tokens / s.step_seconds;
      out.steps.push_back(s);
      continue;
    }
    if (s.layer_seconds <= 0 || s.lm_head_seconds <= 0) continue;
    try {
      s.layers = find_model(s.model).layers;
    } catch (const UsageError&) {
    }
    if (s.layers == 0) continue;  // a user model: its layer count is not in the results
    s.step_seconds = s.layers * s.layer_seconds + s.lm_head_seconds;
    s.how = "layers x the measured layer + the LM head";
    const double tokens = s.phase == "prefill" ? s.batch * s.seq : s.batch;
    s.tokens_per_second = tokens / s.step_seconds;
    out.steps.push_back(s);
  }
  return out;
}

}  // namespace memwall::harness
