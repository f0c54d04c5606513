#include "harness/profile/model.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "core/counter_schema.hpp"
#include "core/stats.hpp"
#include "harness/profile/input_error.hpp"
#include "harness/profile/levels.hpp"
#include "harness/profile/reflect.hpp"

namespace memwall::harness {

using nlohmann::json;

namespace {

// "gpu12" -> ("gpu", 12); "cpu" -> ("cpu", -1).
std::pair<std::string, long> split_device(const std::string& id) {
  size_t digits = id.size();
  while (digits > 0 && std::isdigit(static_cast<unsigned char>(id[digits - 1]))) --digits;
  if (digits == id.size()) return {id, -1};
  return {id.substr(0, digits), std::stol(id.substr(digits))};
}

int kind_rank(const std::string& prefix) {
  static const char* order[] = {"cpu", "gpu", "storage"};
  for (int i = 0; i < 3; ++i)
    if (prefix == order[i]) return i;
  return 3;
}

}  // namespace

bool DeviceOrder::operator()(const std::string& a, const std::string& b) const {
  const auto [pa, na] = split_device(a);
  const auto [pb, nb] = split_device(b);
  if (kind_rank(pa) != kind_rank(pb)) return kind_rank(pa) < kind_rank(pb);
  if (pa != pb) return pa < pb;
  return na < nb;
}

Spread spread_of(const std::vector<double>& samples, bool higher_is_better) {
  Spread s;
  if (samples.empty()) return s;
  const Summary sum = summarize(samples);
  s.best = higher_is_better ? sum.max : sum.min;
  s.median = sum.median;
  s.min = sum.min;
  s.max = sum.max;
  s.cv = std::isfinite(sum.cv) ? sum.cv : 0;
  s.repetitions = static_cast<int>(sum.count);
  return s;
}

MEMWALL_JSON(Spread, best, median, min, max, cv, repetitions)
MEMWALL_JSON(ContextItem, key, value)
MEMWALL_JSON(Datasheet, name, source, year, match, tdp_W, memory_GBps, link_GBps, peak_GFLOPps)
MEMWALL_JSON(Device, id, kind, name, uarch, parallelism, bandwidth_threads, units, virtual_machine,
             context, datasheet, memory_theoretical_GBps, memory_theoretical_source, memory_bytes)
MEMWALL_JSON(Level, name, kind, latency_ns, latency_best_ns, size_bytes, instances,
             size_reported_by, capacity_bytes, placement_capacity_bytes, detected_bytes,
             stream_edge_bytes, stream_edge_threads, size_disagrees, bandwidth_GBps,
             bandwidth_kernel, bandwidth_points, interval_lo_bytes, interval_hi_bytes,
             slope_per_doubling, no_bandwidth_why, read_GBps, bandwidth_hw_GBps, counted_read_GBps,
             beside_GBps, beside_kernel, theoretical_GBps, percent_of_theoretical,
             theoretical_source, datasheet_GBps, percent_of_datasheet, note)
MEMWALL_JSON(ComputePath, benchmark, path, shape, rate, chains)
MEMWALL_JSON(Compute, type, unit, peak, peak_path, peak_shape, peak_benchmark, peak_from_chains,
             how, threads, single_thread_GFLOPps, theoretical_GFLOPps, percent_of_theoretical,
             core_mhz, datasheet_GFLOPps, percent_of_datasheet, common_shape, common_shape_GFLOPps,
             common_percent_of_datasheet, paths)
MEMWALL_JSON(Walls, format, compute_shape, compute_GFLOPps, memory_level, memory_GBps,
             flop_per_memory_byte, link, link_GBps, flop_per_link_byte, link_why_not)
MEMWALL_JSON(Ratios, ridge_flop_per_byte, walls)
MEMWALL_JSON(HostLink, device, name, direction, memory, engine, bandwidth_GBps,
             bandwidth_median_GBps, bytes, latency_ns, link)
MEMWALL_JSON(PeerLink, from, to, engine, direction, bandwidth_GBps, bytes)
MEMWALL_JSON(Collective, library, ranks_on, name, inplace, ranks, nodes, bytes, busGBps, algGBps,
             small_bytes, small_latency_ns, no_bandwidth_why)
MEMWALL_JSON(PointToPoint, placement, latency_ns, latency_bytes, bw_GBps, bw_bytes, bibw_GBps,
             bibw_bytes)
MEMWALL_JSON(CoreToCore, from, to, shared, numa, latency_ns)
MEMWALL_JSON(NumaCell, cpus, memory, memory_kind, read_GBps, latency_ns)
MEMWALL_JSON(NumaNode, memory, memory_kind, read_GBps, latency_ns, percent_from_median, differs)
MEMWALL_JSON(Series, name, points)
MEMWALL_JSON(Links, host, peers, nccl, mpi_collectives, mpi_p2p, mpi_launcher, mpi_hosts, c2c,
             c2c_median_latency_ns, c2c_distance, numa, numa_nodes, mpi_latency, mpi_bandwidth,
             mpi_collective_curves, nccl_curves)
MEMWALL_JSON(Product, name, device, family, model, phase, op, type, how, batch, seq, flops, bytes,
             intensity_flop_per_byte, GFLOPps, GBps, seconds, operands_fit_in, roof_level,
             roof_kernel, operand_copies, roof_note, roof_bandwidth_GBps, ridge_flop_per_byte,
             roofline_GFLOPps, percent_of_roofline, bound, above_roof_because,
             above_roof_unexplained)
MEMWALL_JSON(ModelStep, device, model, phase, type, batch, seq, layers, layer_seconds,
             lm_head_seconds, step_seconds, tokens_per_second, layers_run, how, op_seconds)
MEMWALL_JSON(ModelLoad, model, type, parameters, weights_bytes, level, GBps, seconds)
MEMWALL_JSON(Transformer, ops, steps, loads)
MEMWALL_JSON(StepPrediction, flops, bytes, compute_s, memory_s, seconds, tokens_per_s, bound)
MEMWALL_JSON(ModelPrediction, device, device_name, model, type, batch, context, layers, parameters,
             weights_bytes, kv_bytes_per_token, peak_GFLOPps, memory_GBps, memory_level,
             memory_kernel, experts_touched, decode, prefill, compute_bound_from_batch,
             memory_bytes, largest_batch_x_context, spill_bytes, spill_GBps, spill_link,
             train_flops_per_token, train_s_per_billion_tokens, notes, role, decode_curve, phase,
             measured_s, measured_how, miss_op, miss_roof, miss_percent, miss_seconds,
             miss_as_step_ran, miss_how)
MEMWALL_JSON(StorageRow, device, benchmark, pattern, op, mode, queue_depth, block_bytes, GBps, iops,
             latency_p50_ns, latency_p99_ns, latency_p999_ns)
MEMWALL_JSON(EnergyRow, what, benchmark, unit, energy_pJ, power_W, datasheet_pJ)
MEMWALL_JSON(Energy, tdp_W, rows)
MEMWALL_JSON(KernelRow, family, variant, pages, threads, bytes, GBps, hw_GBps)
MEMWALL_JSON(LatencyRow, family, variant, pages, bytes, stride_bytes, load_GBps, latency_ns)
MEMWALL_JSON(Curves, bandwidth_axis, latency_axis, cache_kernel, memory_kernel, beside_kernel,
             ramp_per_doubling, ramp_total, bandwidth, latency, kernels, latencies)
MEMWALL_JSON(TrendPoint, year, value, label)
MEMWALL_JSON(TrendSeries, key, name, rate_per_2y, points)
MEMWALL_JSON(TrendPlacement, device, name, datasheet, why_not, year, compute, memory, link,
             link_name)
MEMWALL_JSON(Trend, series, devices)
MEMWALL_JSON(Metric, name, counter, higher_is_better, samples, best, median, loaded)
MEMWALL_JSON(InputFile, path, sha256, binary, date)
MEMWALL_JSON(Problem, name, why)
MEMWALL_JSON(Provenance, inputs, failed, skipped, warnings, run_notes, memwall_version, git_commit,
             build_type)
MEMWALL_JSON(DeclaredCounter, name, unit, meaning, higher_is_better, main, headline, scale)
MEMWALL_JSON(Reference, machine, kind, uarch, figure, unit, scope, method, source, low, high, cores)
MEMWALL_JSON(Verdict, key, device, figure, value, unit, verdict, reason, theoretical,
             percent_of_theoretical, theoretical_source, expected, state, references, per_core)
MEMWALL_JSON(LoadedPoint, delay, load_GBps, hw_GBps, latency_ns, latency_best_ns)
MEMWALL_JSON(LoadedCurve, device, kind, mix, node, generators, idle_latency_ns, max_GBps, knee_GBps,
             knee_why, theoretical_GBps, state, points)
MEMWALL_JSON(RunState, settings, benchmarks_with_state, loaded)
MEMWALL_JSON(Profile, schema, machine, host, devices, memory, compute, links, ratios, transformer,
             models, storage, energy, curves, trend, metrics, counters, loaded_curves, run_state,
             verdicts, references, references_source, provenance, figures)

Metric make_metric(const std::string& name, const std::string& counter,
                   const std::vector<double>& samples) {
  return make_metric(name, counter, samples, higher_is_better(counter));
}

Metric make_metric(const std::string& name, const std::string& counter,
                   const std::vector<double>& samples, bool higher_is_better) {
  Metric m;
  m.name = name;
  m.counter = counter;
  m.higher_is_better = higher_is_better;
  m.samples = samples;
  const Spread s = spread_of(samples, m.higher_is_better);
  m.best = s.best;
  m.median = s.median;
  return m;
}

std::string prediction_json_text(const ModelPrediction& prediction) {
  return json(prediction).dump();
}

Curves level_method(const Profile& p, const std::string& device) {
  Curves c;
  if (const auto it = p.curves.find(device); it != p.curves.end()) c = it->second;
  if (!c.cache_kernel.empty()) return c;
  c.ramp_per_doubling = kRampPerDoubling;  // the rule has not changed since profiles had levels
  c.ramp_total = kRampTotal;
  if (const auto levels = p.memory.find(device); levels != p.memory.end())
    for (const Level& l : levels->second) {
      if (l.kind == LevelKind::cache && c.cache_kernel.empty()) c.cache_kernel = l.bandwidth_kernel;
      if (l.kind == LevelKind::memory)
        c.memory_kernel = l.bandwidth_kernel, c.beside_kernel = l.beside_kernel;
    }
  return c;
}

const Level* find_level_in(const std::vector<Level>& levels, const std::string& name) {
  for (const Level& l : levels)
    if (l.name == name) return &l;
  return nullptr;
}

const Level* find_level(const Profile& p, const std::string& device, const std::string& name) {
  const auto it = p.memory.find(device);
  return it == p.memory.end() ? nullptr : find_level_in(it->second, name);
}

std::vector<std::string> devices_of_kind(const Profile& p, DeviceKind kind) {
  std::vector<std::string> out;
  for (const auto& [id, d] : p.devices)
    if (d.kind == kind) out.push_back(id);
  return out;
}

std::string context_value(const Device& d, const std::string& key) {
  for (const ContextItem& c : d.context)
    if (c.key == key) return c.value;
  return "";
}

std::string machine_value(const Profile& p, const std::string& key, const std::string& fallback) {
  const auto it = p.machine.find(key);
  return it == p.machine.end() ? fallback : it->second;
}

std::string profile_json_text(const Profile& p) {
  json doc = p;
  if (p.figures.empty()) doc.erase("figures");  // as profiles before figure modules were
  return doc.dump(1) + "\n";
}

namespace {

// A member by reference (an empty object where it is missing): `j.value(k, {}).items()` would
// iterate a temporary that is already gone.
const json& member(const json& j, const char* key) {
  static const json empty = json::object();
  if (!j.is_object()) return empty;
  const auto it = j.find(key);
  return it == j.end() || it->is_null() ? empty : *it;
}

double number(const json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : 0.0;
}

// Schema 2 kept the same quantities under a looser layout (maps where schema 3 has lists,
// nulls for "not measured"): rename and reshape what compare, history and gate read, drop
// what schema 3 derives anew.
json upgrade_from_2(json v2) {
  json p = json::object();
  p["schema"] = kProfileSchema;
  json machine = json::object();
  for (const auto& [key, value] : member(v2, "machine").items())
    machine[key] = value.is_string() ? value.get<std::string>() : value.dump();
  p["machine"] = machine;
  json devices = json::object();
  for (auto& [id, d] : member(v2, "devices").items()) {
    devices[id] = {{"id", id},
                   {"kind", d.value("kind", "")},
                   {"name", d.value("name", "")},
                   {"uarch", d.value("cpu_uarch", "")}};
    if (d.contains("bandwidth_threads") && d["bandwidth_threads"].is_number())
      devices[id]["bandwidth_threads"] = d["bandwidth_threads"];
  }
  p["devices"] = devices;
  json memory = json::object();
  for (auto& [id, levels] : member(v2, "memory").items()) {
    memory[id] = json::array();
    for (json l : levels) {
      if (l.contains("bandwidth_nt_GBps")) l["beside_GBps"] = l["bandwidth_nt_GBps"];
      if (l.contains("bandwidth_other_GBps")) l["beside_GBps"] = l["bandwidth_other_GBps"];
      for (auto it = l.begin(); it != l.end();)
        it = it.value().is_null() ? l.erase(it) : std::next(it);
      memory[id].push_back(l);
    }
  }
  p["memory"] = memory;
  json compute = json::object();
  for (auto& [id, formats] : member(v2, "compute").items())
    for (auto& [type, c] : formats.items()) {
      json out = {{"type", type}, {"unit", c.value("unit", "GFLOP/s")}};
      json peak = c.value("peak", json::object());
      if (!peak.contains("best")) peak["best"] = number(c, "peak_GFLOPps");
      out["peak"] = peak;
      for (const char* k :
           {"single_thread_GFLOPps", "theoretical_GFLOPps", "percent_of_theoretical", "core_mhz"})
        if (c.contains(k) && c[k].is_number()) out[k] = c[k];
      out["how"] = c.value("how", "");
      compute[id][type] = out;
    }
  p["compute"] = compute;
  json ratios = json::object();
  for (auto& [id, r] : member(v2, "ratios").items()) {
    const json w = r.value("walls", json::object());
    json walls = {{"format", w.value("format", "")},
                  {"compute_GFLOPps", number(w, "compute_GFLOPps")},
                  {"memory_level", w.value("memory_level", "")},
                  {"memory_GBps", number(w, "memory_GBps")},
                  {"flop_per_memory_byte", number(w, "flop_per_memory_byte")},
                  {"link", w.value("interconnect_level", "")},
                  {"link_GBps", number(w, "interconnect_GBps")},
                  {"flop_per_link_byte", number(w, "flop_per_interconnect_byte")}};
    ratios[id] = {{"ridge_flop_per_byte", r.value("ridge_flop_per_byte", json::object())},
                  {"walls", walls}};
  }
  p["ratios"] = ratios;
  const json link = v2.value("interconnect", json::object());
  json links = json::object();
  if (link.contains("c2c")) {
    links["c2c"] = link["c2c"].value("pairs", json::array());
    links["c2c_median_latency_ns"] =
        link["c2c"].value("median_latency_ns_by_shared", json::object());
  }
  links["numa"] = link.value("numa", json::array());
  if (link.contains("mpi")) {
    const json& mpi = link["mpi"];
    links["mpi_launcher"] = mpi.value("launcher", "");
    links["mpi_p2p"] = json::array();
    for (auto& [placement, e] : member(mpi, "p2p").items()) {
      json row = e;
      row["placement"] = placement;
      links["mpi_p2p"].push_back(row);
    }
    links["mpi_collectives"] = json::array();
    for (auto& [key, e] : member(mpi, "collectives").items()) {
      json row = e;
      row["library"] = "MPI";
      row["name"] = key.substr(0, key.find('/'));
      row["inplace"] = key.find("inplace:1") != std::string::npos ? "1" : "0";
      links["mpi_collectives"].push_back(row);
    }
  }
  links["nccl"] = json::array();
  for (auto& [name, e] : member(link, "nccl").items()) {
    json row = e;
    row["library"] = "NCCL";
    row["name"] = name;
    links["nccl"].push_back(row);
  }
  p["links"] = links;
  p["transformer"] = v2.value("transformer", json::object());
  for (json& op : p["transformer"]["ops"])
    if (op.contains("operands_fit_in")) op["roof_level"] = op["operands_fit_in"];
  json energy = json::object();
  for (auto& [id, e] : member(v2, "energy").items()) {
    energy[id] = {{"tdp_W", number(e, "tdp_W")}, {"rows", json::array()}};
    for (const json& r : member(e, "rows")) {
      const bool flop = r.contains("pJ_per_flop");
      energy[id]["rows"].push_back(
          {{"what", r.value("what", "")},
           {"benchmark", r.value("benchmark", "")},
           {"unit", flop ? "pJ/FLOP" : "pJ/byte"},
           {"energy_pJ", {{"median", number(r, flop ? "pJ_per_flop" : "pJ_per_byte")}}},
           {"power_W", {{"median", number(r, "power_W")}}},
           {"datasheet_pJ", number(r, flop ? "datasheet_pJ_per_flop" : "datasheet_pJ_per_byte")}});
    }
  }
  p["energy"] = energy;
  p["metrics"] = v2.value("metrics", json::array());
  p["provenance"] = v2.value("provenance", json::object());
  return p;
}

}  // namespace

Profile parse_profile(const std::string& text, const std::string& what) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error&) {
    throw InputError(what + ": not a complete JSON file (truncated or not JSON)");
  }
  if (!doc.is_object() || !doc.contains("schema") || !doc.contains("metrics"))
    throw InputError(what + ": not a memwall profile.json");
  if (!doc["schema"].is_number_integer() || doc["schema"].get<int>() > kProfileSchema)
    throw InputError(what + ": profile schema " + doc["schema"].dump() +
                     " is newer than this memwall (" + std::to_string(kProfileSchema) +
                     "); update memwall");
  try {
    if (doc["schema"].get<int>() < 3) doc = upgrade_from_2(std::move(doc));
    // Schema 3 profiles of memwall before 79bece8 kept the context's numbers and lists as JSON
    // in the machine map; it holds text now, as the result files' context is read.
    if (doc.contains("machine") && doc["machine"].is_object())
      for (auto& [key, value] : doc["machine"].items())
        if (!value.is_string()) value = value.dump();
    Profile p = doc.get<Profile>();  // its declared counters stay its own (Profile::counters)
    // Profiles before a collective said what its ranks are: NCCL's list is a rank a GPU.
    for (auto [list, kind] : {std::pair{&p.links.nccl, DeviceKind::gpu},
                              std::pair{&p.links.mpi_collectives, DeviceKind::cpu}})
      for (Collective& c : *list)
        if (c.ranks_on == DeviceKind::unset) c.ranks_on = kind;
    return p;
  } catch (const json::exception& e) {
    throw InputError(what + ": a damaged profile: " + std::string(e.what()));
  }
}

Profile load_profile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot read the file");
  std::stringstream text;
  text << in.rdbuf();
  return parse_profile(text.str(), path);
}

}  // namespace memwall::harness
