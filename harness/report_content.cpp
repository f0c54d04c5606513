#include "harness/report_content.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "core/stats.hpp"
#include "core/units.hpp"
#include "harness/json_util.hpp"
#include "harness/roofline.hpp"

namespace memwall::harness {

using nlohmann::json;

std::string fixed(double v, int decimals) {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

namespace {

// Three significant digits, at least: 0.512, 12.3, 1234.
std::string sig(double v) {
  if (!std::isfinite(v)) return "-";
  const double a = std::fabs(v);
  return fixed(v, a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3);
}

std::string bytes(double v) {
  return v > 0 && std::isfinite(v) ? format_bytes(static_cast<uint64_t>(v)) : "-";
}

double num(const json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : NAN;
}

std::string str(const json& j, const char* key, const std::string& fallback = "-") {
  if (!j.contains(key)) return fallback;
  return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

std::string unit_of(const std::string& type) {
  return type == "int8" ? "GOP/s" : "GFLOP/s";
}

// The device the verdict leads with: a GPU if one was measured, else the CPU.
std::string primary_device(const json& profile) {
  std::string primary;
  for (const auto& [device, d] : profile["devices"].items())
    if (primary.empty() || device.rfind("gpu", 0) == 0) primary = device;
  return primary;
}

std::string device_name(const json& profile, const std::string& device) {
  const json& d = profile["devices"].value(device, json::object());
  std::string name = str(d, "name", device);
  if (d.contains("cpu_uarch")) name += " (" + d["cpu_uarch"].get<std::string>() + ")";
  return name;
}

void verdict(Document& doc, const json& profile) {
  const std::string device = primary_device(profile);
  if (device.empty()) {
    doc.paragraph("No benchmark of a device finished in this run; see **Failed or skipped**.");
    return;
  }
  const json& walls =
      profile["ratios"].value(device, json::object()).value("walls", json::object());
  const json& d = profile["devices"][device];
  std::string text;
  if (walls.contains("compute_GFLOPps")) {
    const std::string type = walls["format"];
    const std::string on = str(d, "bandwidth_threads", "?");
    text = "This " + device_name(profile, device) + ", measured on " + on +
           (on.find_first_not_of("0123456789") == std::string::npos ? " threads" : "") +
           (str(d, "hypervisor", "") == "yes" ? " of a virtual machine" : "") + ", peaks at **" +
           sig(walls["compute_GFLOPps"]) + " " + unit_of(type) + " " + type + "** and streams **" +
           sig(walls["memory_GBps"]) + " GB/s** from " + walls["memory_level"].get<std::string>() +
           ": a kernel must do **" + sig(walls["flop_per_memory_byte"]) +
           " FLOP per byte** it reads from memory to reach that peak.";
  } else {
    text = "This " + device_name(profile, device) +
           " was measured without a peak compute "
           "benchmark, so no ridge point can be given.";
  }
  // The second sentence: the paper's contrast, from this machine's own products.
  const json* decode = nullptr;
  const json* prefill = nullptr;
  for (const json& op : profile["transformer"]["ops"]) {
    if (op.value("device", "cpu") != device || op["family"] == "xfmr.layer") continue;
    if (op["phase"] == "decode" && op.value("bound", "") == "memory" &&
        (!decode || op["bytes"].get<double>() > (*decode)["bytes"].get<double>()))
      decode = &op;
    if (op["phase"] == "prefill" && op.value("bound", "") == "compute" &&
        (!prefill || op["GFLOPps"].get<double>() > (*prefill)["GFLOPps"].get<double>()))
      prefill = &op;
  }
  if (decode && prefill)
    text += " Transformer decode is memory-bound here (" + str(*decode, "model") + " " +
            str(*decode, "op") + " " + str(*decode, "type") + ": " +
            sig(num(*decode, "intensity_flop_per_byte")) + " FLOP/byte, " +
            sig(num(*decode, "GBps")) + " GB/s), while prefill is compute-bound (" +
            str(*prefill, "model") + " " + str(*prefill, "op") + ": " +
            sig(num(*prefill, "GFLOPps")) + " " + unit_of(str(*prefill, "type")) + " " +
            str(*prefill, "type") + ").";
  else {
    const json& levels = memory_levels(profile, device);
    if (levels.size() >= 2)
      text += " A load that misses every cache waits " + sig(num(levels.back(), "latency_ns")) +
              " ns, " + sig(num(levels.back(), "latency_ns") / num(levels.front(), "latency_ns")) +
              " times an " + str(levels.front(), "name") + " hit.";
  }
  doc.paragraph(text);
}

void walls_section(Document& doc, const json& profile) {
  doc.heading(2, "The walls", "walls");
  std::vector<std::vector<std::string>> rows;
  for (const auto& [device, r] : profile["ratios"].items()) {
    const json& w = r.value("walls", json::object());
    if (!w.contains("compute_GFLOPps")) continue;
    const bool link = w.contains("interconnect_GBps") && w["interconnect_GBps"].is_number();
    rows.push_back(
        {device,
         sig(w["compute_GFLOPps"]) + " " + unit_of(w["format"]) + " " +
             w["format"].get<std::string>(),
         sig(w["memory_GBps"]) + " GB/s (" + w["memory_level"].get<std::string>() + ")",
         link ? sig(w["interconnect_GBps"]) + " GB/s (" + str(w, "interconnect_level", "") + ")"
              : "not measured",
         sig(w["flop_per_memory_byte"]), link ? sig(num(w, "flop_per_interconnect_byte")) : "-"});
  }
  doc.table(
      {"device", "compute (peak)", "memory bandwidth", "interconnect bandwidth",
       "FLOP per memory byte", "FLOP per interconnect byte"},
      "llllrr", rows,
      "The three walls of AI and Memory Wall (Gholami et al.): over 20 years peak FLOP/s grew "
      "3.0x every 2 years, DRAM bandwidth 1.6x, interconnect bandwidth 1.4x");

  if (profile.contains("dram")) {
    const json& d = profile["dram"];
    doc.paragraph(d.contains("theoretical_GBps")
                      ? "DRAM: theoretical " + sig(num(d, "theoretical_GBps")) + " GB/s (" +
                            str(d, "source") + "); measured " +
                            fixed(num(d, "measured_percent"), 0) + "% of it."
                      : "DRAM theoretical bandwidth: " + str(d, "why") + ".");
  }
  for (const auto& [device, formats] : profile["compute"].items()) {
    std::vector<std::vector<std::string>> compute_rows;
    std::map<std::string, double> datasheet_percent;
    for (const json& ds : profile["datasheet"])
      if (ds.value("device", "") == device)
        for (const auto& [key, v] : ds.items())
          if (key.size() > 8 && key.substr(key.size() - 8) == "_percent" && v.is_number())
            datasheet_percent[key.substr(0, key.size() - 8)] = v;
    for (const auto& [type, c] : formats.items()) {
      if (!c.contains("peak_GFLOPps")) continue;
      compute_rows.push_back(
          {type, sig(c["peak_GFLOPps"]) + " " + unit_of(type),
           c.contains("percent_of_theoretical")
               ? fixed(c["percent_of_theoretical"], 1) + "% at " + sig(num(c, "core_mhz")) + " MHz"
               : "-",
           datasheet_percent.count(type) ? fixed(datasheet_percent[type], 1) + "%" : "-"});
    }
    if (!compute_rows.empty())
      doc.table({"format", "peak, all cores", "of theoretical", "of datasheet"}, "lrrr",
                compute_rows, "Peak compute of " + device_name(profile, device));
    const json& levels = memory_levels(profile, device);
    if (levels.empty()) continue;
    std::vector<std::string> types;
    for (const auto& [type, c] : formats.items())
      if (c.contains("peak_GFLOPps") && type != "int8") types.push_back(type);
    std::vector<std::string> header = {"level", "size", "bandwidth (GB/s)", "latency (ns)"};
    std::string align = "lrrr";
    for (const std::string& t : types) header.push_back("ridge " + t), align += "r";
    std::vector<std::vector<std::string>> memory_rows;
    const json& ridge = profile["ratios"]
                            .value(device, json::object())
                            .value("ridge_flop_per_byte", json::object());
    for (const json& l : levels) {
      const double size = num(l, "capacity_bytes");
      std::vector<std::string> row = {
          str(l, "name"), size > 0 ? bytes(size) : "-",
          num(l, "bandwidth_GBps") > 0 ? sig(num(l, "bandwidth_GBps")) : "-",
          sig(num(l, "latency_ns"))};
      for (const std::string& t : types)
        row.push_back(ridge.contains(l["name"].get<std::string>()) &&
                              ridge[l["name"].get<std::string>()].contains(t)
                          ? sig(ridge[l["name"].get<std::string>()][t])
                          : "-");
      memory_rows.push_back(row);
    }
    doc.table(header, align, memory_rows,
              "Memory levels of " + device_name(profile, device) +
                  ": size for all threads, bandwidth of the level's named kernel, ridge point = "
                  "peak / bandwidth in FLOP per byte");
  }
}

void roofline_section(Document& doc, const ReportFigures& figures) {
  if (figures.rooflines.empty()) return;
  doc.heading(2, "Roofline", "roofline");
  doc.paragraph(
      "One panel per device and number format. Each memory level is a ceiling: its measured "
      "bandwidth times the arithmetic intensity, up to the peak of that format; the diamonds are "
      "the ridge points. Each Transformer product is drawn against the ceilings of its own "
      "format and device (red: prefill, cyan: decode; one marker shape per model).");
  for (const auto& [file, caption] : figures.rooflines) doc.figure(file, caption);
}

void memory_section(Document& doc, const ProfileInputs& in, const ReportFigures& figures) {
  doc.heading(2, "Memory hierarchy", "memory");
  for (const auto& [device, report] : in.levels) {
    std::vector<std::vector<std::string>> rows;
    for (const MemoryLevel& l : report.levels)
      rows.push_back(
          {l.name, l.kind, bytes(l.detected_bytes), bytes(l.stream_edge_bytes),
           bytes(l.hwloc_bytes), fixed(l.latency_ns, 2),
           l.bandwidth_points ? sig(l.bandwidth_GBps) : "-",
           l.bandwidth_nt_GBps > 0 ? sig(l.bandwidth_nt_GBps) : "",
           l.bandwidth_kernel + " over " + bytes(l.interval_lo_bytes) + " - " +
               (std::isfinite(l.interval_hi_bytes) ? bytes(l.interval_hi_bytes)
                                                   : std::string("largest")),
           (l.disagrees ? "edge far from the reported size. " : std::string()) + l.note});
    doc.paragraph(
        "Levels come from the one-thread latency curve cut into pieces of constant latency "
        "(optimal segmentation in log-log, the number of pieces by BIC, every step at least "
        "15%); sizes on that curve are the cache lines the chase touches (span x 64 B / stride), "
        "which is what a cache holds. A level is named after the cache hwloc reports whose "
        "capacity its edge matches (x0.5..x2); a step past the last cache is address "
        "translation. The stream edge is where one thread's read bandwidth falls half-way (in "
        "log) to the next level's (all threads' reads for a shared last-level cache where a "
        "run has no one-thread curve): a stream keeps more of a cache than a slow dependent "
        "chase, whose prefetched neighbour lines take room and which other tenants of a shared "
        "cache evict. Each level's bandwidth is the median, over the interior of its size "
        "interval, of the best repetition of one kernel (`" +
        report.spec.cache_kernel + "` for caches, `" + report.spec.memory_kernel +
        "` for memory as STREAM users quote it, `" + report.spec.memory_nt_kernel +
        "` beside it) on " +
        (report.spec.bandwidth_on_every_instance
             ? std::string("all SMs (a private cache's interval times its instances)")
             : std::to_string(report.bandwidth_threads) + " threads") +
        ": the one bandwidth every ridge point, roof and bound uses.");
    doc.table({"level", "kind", "edge (lines touched)", "stream edge", "hwloc size", "latency (ns)",
               "bandwidth (GB/s)",
               report.spec.device == "cpu" ? "non-temporal" : report.spec.memory_nt_kernel, "from",
               "note"},
              "llrrrrrrll", rows, "Levels of " + device);
    for (const std::string& w : report.warnings) doc.paragraph("Warning: " + w);
  }
  for (const auto& [file, caption] : figures.memory) doc.figure(file, caption);

  // Every bandwidth kernel at the largest working set, and latency at the sizes people quote.
  std::map<std::string, const Measurement*> largest;
  std::vector<const Measurement*> latency;
  for (const ResultFile& f : in.files)
    for (const Measurement& m : f.measurements) {
      if (!m.error.empty()) continue;
      if (m.family.size() > 3 && m.family.substr(m.family.size() - 3) == ".bw" && m.has("GBps")) {
        const std::string key = m.family + "/" + m.variant + "/" +
                                (m.keys.count("pages") ? m.keys.at("pages") : "") + "/" +
                                (m.keys.count("threads") ? m.keys.at("threads") : "");
        const Measurement*& at = largest[key];
        if (!at || m.key_number("bytes") > at->key_number("bytes")) at = &m;
      }
      if (m.family.size() > 4 && m.family.substr(m.family.size() - 4) == ".lat" &&
          m.has("latency_ns")) {
        const double b = m.key_number("bytes");
        if (m.variant == "loaded" || b == 16384 || b == 4194304 || b == 1073741824)
          latency.push_back(&m);
      }
    }
  if (!largest.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& [key, m] : largest) {
      const Summary s = summarize(m->counters.at("GBps"));
      rows.push_back(
          {m->family + " " + m->variant, m->keys.count("pages") ? m->keys.at("pages") : "-",
           m->keys.count("threads") ? m->keys.at("threads") : "-", bytes(m->key_number("bytes")),
           sig(s.max), sig(s.median), fixed(100 * s.cv, 1) + "%",
           m->has("hw_GBps") ? sig(m->best("hw_GBps")) : "-"});
    }
    doc.table({"kernel", "pages", "threads", "working set", "best GB/s", "median GB/s", "cv",
               "best hw GB/s"},
              "lllrrrrr", rows,
              "Every bandwidth kernel at its largest working set. GB/s counts bytes as STREAM "
              "does (read 1, write 1, copy and scale 2, add and triad 3 words per element); hw "
              "GB/s adds the line a plain store reads first (write-allocate); the _nt kernels "
              "store non-temporally and have none. cv is the spread inside this run: memory "
              "bandwidth of a shared or virtual machine moves by tens of percent between runs "
              "(`memwall gate` judges changes by that spread)");
  }
  if (!latency.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const Measurement* m : latency)
      rows.push_back(
          {m->family + " " + m->variant, m->keys.count("pages") ? m->keys.at("pages") : "-",
           bytes(m->key_number("bytes")), fixed(m->best("latency_ns"), 2),
           fixed(m->median("latency_ns"), 2),
           m->has("stride_bytes") ? fixed(m->median("stride_bytes"), 0) + " B" : "-",
           m->has("load_GBps") ? "under " + sig(m->best("load_GBps")) + " GB/s of load" : ""});
    doc.table({"chase", "pages", "span", "best ns", "median ns", "stride", ""}, "llrrrrl", rows,
              "Latency at the spans people quote (multichase's -m): `chase` visits page groups "
              "in random order and elements at random inside (multichase's TLB locality), "
              "`chase_random` the whole buffer at random (TLB misses included), `chase_stride` "
              "in address order (what prefetchers hide), `loaded` the chase while the other "
              "cores stream reads (as Intel MLC)");
  }
}

void compute_section(Document& doc, const json& profile) {
  if (profile["compute"].empty()) return;
  doc.heading(2, "Peak compute", "compute");
  doc.paragraph(
      "FLOPs count 2 per multiply-add (int8: operations, GOP/s). Each kernel keeps every FMA or "
      "dot-product pipe busy with independent chains and checks the exact final value. The "
      "theoretical peak is threads x operations per cycle (FMA pipes x lanes x 2, from the "
      "CPU-model table, an override or an assumption, as `how` says) x the clock the cores "
      "ran at.");
  std::vector<std::vector<std::string>> rows;
  for (const auto& [device, formats] : profile["compute"].items())
    for (const auto& [type, c] : formats.items())
      rows.push_back(
          {device, type, sig(num(c, "peak_GFLOPps")), sig(num(c, "single_thread_GFLOPps")),
           sig(num(c, "theoretical_GFLOPps")),
           c.contains("percent_of_theoretical") ? fixed(c["percent_of_theoretical"], 1) : "-",
           sig(num(c, "core_mhz")), sig(num(c, "gemm_GFLOPps")), str(c, "how", "")});
  doc.table({"device", "format", "all threads", "1 thread", "theoretical", "%", "MHz",
             "library GEMM", "how"},
            "llrrrrrrl", rows, "Peak compute in GFLOP/s (int8: GOP/s)");
}

void energy_section(Document& doc, const json& profile) {
  if (!profile.contains("energy") || profile["energy"].empty()) return;
  doc.heading(2, "Energy", "energy");
  doc.paragraph(
      "Board power sampled while the benchmark ran (NVML's energy counter where the GPU has it), "
      "over the FLOPs or bytes it did: pJ per FLOP for the fastest GEMM of each format, pJ per "
      "byte for the memory level's kernel at its largest working set (STREAM bytes). Beside it "
      "the datasheet's TDP over its peak or bandwidth: what a FLOP or a byte would cost if the "
      "whole board power went to it at the published rate.");
  std::vector<std::vector<std::string>> rows;
  for (const auto& [device, e] : profile["energy"].items())
    for (const json& r : e["rows"]) {
      const bool flop = r.contains("pJ_per_flop");
      rows.push_back({device, str(r, "what", ""), sig(num(r, flop ? "pJ_per_flop" : "pJ_per_byte")),
                      sig(num(r, flop ? "datasheet_pJ_per_flop" : "datasheet_pJ_per_byte")),
                      flop ? "pJ/FLOP" : "pJ/byte"});
    }
  doc.table({"device", "what", "measured", "datasheet TDP / peak", "unit"}, "llrrl", rows,
            "Energy per FLOP and per byte");
}

void transformer_section(Document& doc, const json& profile) {
  const json& ops = profile["transformer"]["ops"];
  if (ops.empty()) return;
  doc.heading(2, "Transformer products", "transformer");
  doc.paragraph(
      "FLOPs = 2 x M x N x K; bytes = the least each product moves (weights, activations in and "
      "out, KV cache; grouped-query attention shares K and V); intensity = FLOPs / bytes. Each "
      "product is placed on its own device's roofline for its format, at the fastest level its "
      "operands fit in: `bound` compares the intensity with that level's ridge point, and "
      "`% of roof` is the rate over the attainable rate there.");
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> above;
  std::set<std::string> libraries;
  for (const json& op : ops) {
    rows.push_back(
        {str(op, "device"), str(op, "type"), str(op, "model"), str(op, "phase"), str(op, "op"),
         fixed(num(op, "batch"), 0), fixed(num(op, "seq"), 0),
         sig(num(op, "intensity_flop_per_byte")), sig(num(op, "GFLOPps")), sig(num(op, "GBps")),
         str(op, "operands_fit_in"), str(op, "bound"),
         op.contains("percent_of_roofline") ? fixed(op["percent_of_roofline"], 0) : "-"});
    if (op.contains("above_roof_because"))
      above.push_back("`" + op["name"].get<std::string>() +
                      "`: " + fixed(op["percent_of_roofline"], 0) +
                      "% of its roof: " + op["above_roof_because"].get<std::string>());
  }
  doc.table({"device", "format", "model", "phase", "op", "batch", "seq", "FLOP/B", "GFLOP/s",
             "GB/s", "fits in", "bound", "% of roof"},
            "lllllrrrrrllr", rows, "Every product measured (best of the repetitions)");
  if (!above.empty()) {
    doc.paragraph("Products above their roof, and why:");
    doc.list(above);
  }
  const json& steps = profile["transformer"]["steps"];
  if (!steps.empty()) {
    std::vector<std::vector<std::string>> step_rows;
    for (const json& s : steps)
      step_rows.push_back({str(s, "device"), str(s, "model"), str(s, "phase"), str(s, "type"),
                           fixed(num(s, "batch"), 0), fixed(num(s, "seq"), 0),
                           fixed(1e3 * num(s, "step_seconds"), 2),
                           sig(num(s, "tokens_per_second"))});
    doc.table({"device", "model", "phase", "format", "batch", "seq", "step (ms)", "tokens/s"},
              "llllrrrr", step_rows,
              "Model steps: layers x the measured layer + the LM head (no attention softmax, "
              "norms or sampling)");
  }
}

void interconnect_section(Document& doc, const json& profile, const ReportFigures& figures) {
  const json link = profile.value("interconnect", json::object());
  if (link.empty()) return;
  doc.heading(2, "Interconnect", "interconnect");
  doc.paragraph(
      "Core-to-core latency is one way (half the round trip of a cache line bounced between two "
      "pinned threads). MPI runs under the launcher named below; point-to-point follows the OSU "
      "micro-benchmarks (one-way latency of a ping-pong, a window of 64 non-blocking sends for "
      "bandwidth), collectives give the slowest rank's time and nccl-tests' algbw (size / time) "
      "and busbw (algbw x 2(n-1)/n for allreduce, (n-1)/n for allgather, reduce_scatter and "
      "alltoall, 1 for broadcast and reduce).");
  if (link.contains("c2c")) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& [distance, v] : link["c2c"]["median_latency_ns_by_shared"].items())
      rows.push_back({distance, fixed(v.get<double>(), 1)});
    doc.table({"the two units share", "one-way latency (ns, median over pairs)"}, "lr", rows,
              "Core-to-core latency by distance");
  }
  if (link.contains("numa")) {
    std::vector<std::vector<std::string>> rows;
    for (const json& r : link["numa"])
      rows.push_back({fixed(num(r, "cpus"), 0), fixed(num(r, "memory"), 0),
                      sig(num(r, "read_GBps")), sig(num(r, "latency_ns"))});
    doc.table({"cores of node", "memory of node", "read GB/s", "latency ns"}, "rrrr", rows,
              "NUMA matrix");
  }
  if (link.contains("mpi")) {
    const json& mpi = link["mpi"];
    std::vector<std::vector<std::string>> rows;
    for (const auto& [placement, e] : member(mpi, "p2p").items())
      rows.push_back({placement, fixed(num(e, "latency_ns") / 1e3, 3), sig(num(e, "bw_GBps")),
                      sig(num(e, "bibw_GBps")), bytes(num(e, "bw_bytes"))});
    if (!rows.empty())
      doc.table(
          {"ranks", "latency (us, smallest message)", "bandwidth GB/s", "bidirectional GB/s", "at"},
          "lrrrr", rows, "MPI point-to-point (" + str(mpi, "launcher", "") + ")");
    std::vector<std::vector<std::string>> coll;
    for (const auto& [name, e] : member(mpi, "collectives").items())
      coll.push_back({name, fixed(num(e, "ranks"), 0), bytes(num(e, "bytes")),
                      sig(num(e, "algGBps")), sig(num(e, "busGBps")),
                      fixed(num(e, "small_latency_ns") / 1e3, 2)});
    if (!coll.empty())
      doc.table({"collective", "ranks", "size", "algbw GB/s", "busbw GB/s", "latency us (8 B)"},
                "lrrrrr", coll, "MPI collectives at their largest size");
  }
  for (const auto& [file, caption] : figures.interconnect) doc.figure(file, caption);
}

void trend_section(Document& doc, const ReportFigures& figures) {
  if (figures.trend.empty()) return;
  doc.heading(2, "This machine against the trend", "trend");
  doc.figure(figures.trend,
             "Peak FLOP/s, DRAM/HBM bandwidth and interconnect bandwidth of published devices, "
             "each relative to its first device (data of AI and Memory Wall), with the paper's "
             "growth rates fitted to them; measured devices at their model's release year");
  if (!figures.trend_notes.empty()) doc.list(figures.trend_notes);
}

void machine_section(Document& doc, const json& profile) {
  doc.heading(2, "Machine and method", "method");
  const json& m = profile["machine"];
  std::vector<std::vector<std::string>> rows;
  for (const char* key : {"cpu_model",
                          "cpu_signature",
                          "fma_model",
                          "hypervisor",
                          "cores",
                          "pus",
                          "numa_nodes",
                          "cpu_mhz_measured",
                          "clock_source",
                          "isa",
                          "hwloc_caches",
                          "kernel",
                          "thp_enabled",
                          "thread_pinning",
                          "chase_stride_bytes",
                          "compiler",
                          "flags",
                          "blas",
                          "git_commit",
                          "memwall_version",
                          "memwall_mode",
                          "date",
                          "host_name"})
    if (m.contains(key)) rows.push_back({key, str(m, key)});
  doc.table({"context", "value"}, "ll", rows, "Where and how this was measured");
  doc.paragraph(
      "Method: every benchmark repeats (best = max for rates, min for latency; median and the "
      "coefficient of variation beside it) and each sample lasts at least 0.1 s of passes for "
      "bandwidth. Threads are pinned one per core through hwloc and first-touch their own part "
      "of the arrays. Bandwidth uses STREAM's kernels and byte counts (1 GB/s = 1e9 bytes/s) on "
      "huge pages (transparent, asked for with madvise and checked); latency is a dependent "
      "pointer chase with one pointer per 256-byte element in 256 KiB page groups, as "
      "multichase measures it. Peak FLOP/s come from independent FMA chains whose final value "
      "is checked; matrix products run through the BLAS (OpenBLAS, oneDNN) and are checked "
      "against a double-precision reference on sampled entries.");
}

void problems_section(Document& doc, const json& profile) {
  doc.heading(2, "Failed or skipped", "problems");
  std::vector<std::string> items;
  const json& prov = profile["provenance"];
  for (const json& n : prov.value("run_notes", json::array()))
    items.push_back(n.get<std::string>());
  for (const json& f : prov["failed"])
    items.push_back("**failed** `" + f["name"].get<std::string>() +
                    "`: " + f["why"].get<std::string>());
  int interrupted = 0;
  for (const json& s : prov["skipped"]) {
    if (s["why"] == "interrupted") {
      ++interrupted;
      continue;
    }
    items.push_back("skipped `" + s["name"].get<std::string>() +
                    "`: " + s["why"].get<std::string>());
  }
  if (interrupted)
    items.push_back(std::to_string(interrupted) +
                    " benchmarks not run: the run was interrupted before them");
  for (const json& w : prov.value("warnings", json::array())) items.push_back(w.get<std::string>());
  if (items.empty())
    doc.paragraph("Nothing failed or was skipped; every kernel's output check passed.");
  else
    doc.list(items);
}

}  // namespace

Document report_document(const ProfileInputs& in, const json& profile, const ReportFigures& figures,
                         const std::vector<std::string>& data_files) {
  Document doc;
  doc.title = "memwall report: " + (profile["devices"].contains("cpu")
                                        ? device_name(profile, "cpu")
                                        : str(profile["machine"], "cpu_model", "this machine"));
  // A machine measured by its GPUs alone is named by them, its host after.
  std::string gpus;
  for (const auto& [device, d] : profile["devices"].items())
    if (str(d, "kind", "") == "gpu")
      gpus += (gpus.empty() ? "" : ", ") + device_name(profile, device);
  if (!gpus.empty() && !profile["devices"].contains("cpu"))
    doc.title = "memwall report: " + gpus +
                " (host: " + str(profile["machine"], "cpu_model", "not named") + ")";
  verdict(doc, profile);
  walls_section(doc, profile);
  roofline_section(doc, figures);
  memory_section(doc, in, figures);
  compute_section(doc, profile);
  energy_section(doc, profile);
  transformer_section(doc, profile);
  interconnect_section(doc, profile, figures);
  trend_section(doc, figures);
  machine_section(doc, profile);
  problems_section(doc, profile);
  doc.heading(2, "Data files", "data");
  std::vector<std::string> links;
  for (const std::string& f : data_files) links.push_back("[" + f + "](" + f + ")");
  doc.list(links);
  return doc;
}

}  // namespace memwall::harness
