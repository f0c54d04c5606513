// The verdicts step: is each headline figure OK? Against what its hardware allows (the
// datasheet, or the model: channels x MT/s x width, lanes x rate, units x clock), with the
// ranges the field reaches there, beside reference machines of its kind, and marked where the
// run's state (other processes' load, steal, a link or a clock below its maximum) explains it.
#include <algorithm>
#include <cmath>
#include <regex>
#include <set>

#include "core/nvml.hpp"
#include "harness/figure.hpp"
#include "harness/format.hpp"
#include "harness/metric_key.hpp"
#include "harness/profile/csv.hpp"
#include "harness/profile/judging.hpp"
#include "harness/profile/references.hpp"
#include "harness/profile/steps.hpp"

namespace memwall::harness {

namespace {

double max_counter(const Measurement& m, const std::string& c) {
  if (!m.has(c) || m.counters.at(c).empty()) return 0;
  const auto& v = m.counters.at(c);
  return *std::max_element(v.begin(), v.end());
}

std::string clock_reasons(const Measurement& m) {
  const double mask = max_counter(m, "state_gpu_clock_reasons");
  return mask > 0 ? clocks_event_reasons_text(static_cast<unsigned long long>(mask)) : "";
}

// The link's rate in GB/s, one way, from "PCIe gen 5 x16" (128b/130b from gen 3 on; gen 6's
// FLIT mode carries 242 of 256 bytes).
double pcie_rate_GBps(const std::string& link, int* gen_out = nullptr, int* width_out = nullptr) {
  static const std::regex form(R"(gen ?([0-9]+) x([0-9]+))", std::regex::icase);
  std::smatch m;
  if (!std::regex_search(link, m, form)) return 0;
  const int gen = std::stoi(m[1]), width = std::stoi(m[2]);
  if (gen_out) *gen_out = gen;
  if (width_out) *width_out = width;
  static const double gts[] = {0, 2.5, 5, 8, 16, 32, 64};
  if (gen < 1 || gen > 6 || width <= 0) return 0;
  const double encoding = gen <= 2 ? 0.8 : gen <= 5 ? 128.0 / 130 : 242.0 / 256;
  return gts[gen] * width * encoding / 8;
}

class Judge {
 public:
  Judge(const ProfileInputs& in, const Profile& p, const std::vector<Reference>& refs)
      : in_(in), p_(p), refs_(refs) {}

  std::vector<Verdict> run() {
    for (const auto& [id, levels] : p_.memory) levels_of(id, levels);
    for (const auto& [id, formats] : p_.compute)
      for (const auto& [type, c] : formats) peak(id, type, c);
    host_links();
    peers();
    collectives();
    core_pairs();
    return out_;
  }
  std::vector<int> used() const { return {used_.begin(), used_.end()}; }

 private:
  const ProfileInputs& in_;
  const Profile& p_;
  const std::vector<Reference>& refs_;
  std::vector<Verdict> out_;
  std::set<int> used_;

  // The first device of a kind (gpu0), where a figure belongs to all of them; the kind's name
  // where the run measured none of its own (an MPI run alone).
  std::string first_of(DeviceKind kind) const {
    const std::vector<std::string> ids = devices_of_kind(p_, kind);
    return ids.empty() ? text(kind) : ids.front();
  }

  const Device* device(const std::string& id) const {
    const auto d = p_.devices.find(id);
    return d == p_.devices.end() ? nullptr : &d->second;
  }

  // The first measurement of the figure's benchmarks that ran under load, and why.
  template <class Pred>
  std::string loaded(Pred pred) const {
    for (const ResultFile& f : in_.files)
      for (const Measurement& m : f.measurements)
        if (m.error.empty() && pred(m))
          if (std::string why = loaded_why(m); !why.empty()) return why;
    return "";
  }

  template <class Pred>
  const Measurement* first(Pred pred) const {
    for (const ResultFile& f : in_.files)
      for (const Measurement& m : f.measurements)
        if (m.error.empty() && pred(m)) return &m;
    return nullptr;
  }

  void beside(Verdict& v, const std::string& figure, const Device* d, double per_core_units) {
    if (!d) return;
    v.references = nearest_references(refs_, figure, *d, 3);
    used_.insert(v.references.begin(), v.references.end());
    if (per_core_units > 0) v.per_core = v.value / per_core_units;
  }

  void finish(Verdict v, double theoretical, const std::string& source, const Expected* range) {
    out_.push_back(judged(std::move(v), theoretical, source, range));
  }

  void levels_of(const std::string& id, const std::vector<Level>& levels) {
    const Device* d = device(id);
    if (!d) return;
    const bool gpu = d->kind == DeviceKind::gpu;
    const int threads = std::max(1, d->bandwidth_threads);
    for (size_t i = 0; i < levels.size(); ++i) {
      const Level& l = levels[i];
      const double lo =
          i == 0 ? 0 : levels[i - 1].size_bytes * std::max(1, levels[i - 1].instances);
      const bool memory = l.kind == LevelKind::memory;
      if (l.kind == LevelKind::storage) {
        storage(id, l);
        continue;
      }
      // Bandwidth.
      Verdict v;
      v.key = metric_key::level(id, l.name, "bandwidth_GBps").text;
      v.device = id;
      v.figure = l.name + " bandwidth" +
                 (l.bandwidth_kernel.empty() ? "" : " (" + l.bandwidth_kernel + ")");
      v.unit = "GB/s";
      v.value = l.bandwidth_GBps;
      if (l.bandwidth_GBps <= 0) {
        if (!l.no_bandwidth_why.empty()) {
          v.verdict = VerdictState::none;
          v.reason = "no bandwidth: " + l.no_bandwidth_why;
          out_.push_back(v);
        }
      } else {
        v.state = loaded([&](const Measurement& m) {
          const double b = m.key_number("bytes");
          return device_of(m) == id &&
                 (m.role == Role::bandwidth_curve || m.role == Role::level_bandwidth) &&
                 b >= l.interval_lo_bytes && (l.interval_hi_bytes <= 0 || b <= l.interval_hi_bytes);
        });
        if (i > 0 && levels[i - 1].bandwidth_GBps > 0 &&
            l.bandwidth_GBps > 1.1 * levels[i - 1].bandwidth_GBps) {
          v.verdict = VerdictState::suspect;
          v.reason = "above " + levels[i - 1].name + "'s " + sig(levels[i - 1].bandwidth_GBps) +
                     " GB/s, the level that feeds it";
        }
        if (memory) {
          if (v.verdict == VerdictState::unset) {
            // A product of the same run that read faster than this level's roof, with nothing
            // measured to explain it: the roof was measured in a slow moment (on a shared host
            // other tenants' load comes and goes), so every roof of the run is low.
            // (Faster than the hardware allows, it is the product that is off, not the roof.)
            const double allows = l.theoretical_GBps > 0 ? l.theoretical_GBps : l.datasheet_GBps;
            const Product* fastest = nullptr;
            for (const Product& op : p_.transformer.ops)
              if (op.device == id && op.roof_level == l.name && op.bound == Bound::memory &&
                  op.percent_of_roofline > 105 && (allows <= 0 || op.GBps <= allows) &&
                  op.above_roof_unexplained && (!fastest || op.GBps > fastest->GBps))
                fastest = &op;
            if (fastest) {
              v.verdict = VerdictState::suspect;
              v.reason = "a product of this run read " + sig(fastest->GBps) + " GB/s from " +
                         l.name + " (" + fastest->model + " " + fastest->op + ", " + fastest->type +
                         "), " + fixed(fastest->percent_of_roofline, 0) +
                         "% of its roof: the bandwidth moved during the run (other load on a "
                         "shared host); rerun for this level's roof";
            }
          }
          beside(v,
                 gpu                            ? "hbm_copy"
                 : l.bandwidth_kernel == "read" ? "dram_read"
                                                : "dram_triad",
                 d, gpu ? 0 : threads);
          const double theory = l.theoretical_GBps > 0 ? l.theoretical_GBps : l.datasheet_GBps;
          const std::string source = l.theoretical_GBps > 0 ? l.theoretical_source
                                     : l.datasheet_GBps > 0 ? "datasheet"
                                                            : d->memory_theoretical_source;
          if (!gpu && theory > 0 && threads < d->units)
            v.reason += (v.reason.empty() ? "" : "; ") + std::string("measured on ") +
                        std::to_string(threads) + " of " + std::to_string(d->units) + " cores";
          finish(v, theory, source,
                 gpu ? &expected_range("hbm_copy") : &expected_range("cpu_stream"));
        } else {
          if (v.verdict == VerdictState::unset) {
            v.verdict = VerdictState::ok;
            // One size cannot show a ramp (a quick run samples few): say so, not "a plateau".
            v.reason = (l.bandwidth_points > 1
                            ? "a plateau of " + std::to_string(l.bandwidth_points) + " sizes"
                            : std::string("one size in its interval, too few to tell a plateau "
                                          "from a ramp")) +
                       (i > 0 ? ", below " + levels[i - 1].name + "'s" : "") +
                       "; a cache has no published rate to hold it against";
          }
          finish(v, 0, "", nullptr);
        }
      }
      // Latency.
      if (l.latency_ns <= 0) continue;
      Verdict t;
      t.key = metric_key::level(id, l.name, "latency_ns").text;
      t.device = id;
      t.figure = l.name + " latency";
      t.unit = "ns";
      t.value = l.latency_ns;
      t.state = loaded([&](const Measurement& m) {
        const double b = m.key_number("bytes");
        return device_of(m) == id && m.role == Role::latency_curve && b > lo &&
               (memory || b <= 2 * l.size_bytes * std::max(1, l.instances));
      });
      if (i > 0 && levels[i - 1].latency_ns > 0 && l.latency_ns < levels[i - 1].latency_ns) {
        t.verdict = VerdictState::suspect;
        t.reason = "faster than " + levels[i - 1].name + "'s " + sig(levels[i - 1].latency_ns) +
                   " ns, the level above it";
      }
      if (memory) {
        beside(t, gpu ? "hbm_latency" : "dram_latency", d, 0);
        double slowest = 0;
        for (int r : t.references) slowest = std::max(slowest, refs_[r].high);
        if (t.verdict == VerdictState::unset && slowest > 0 && l.latency_ns > 1.5 * slowest) {
          t.verdict = VerdictState::low;
          t.reason =
              "slower than 1.5 x the slowest of machines of its kind (" + sig(slowest) + " ns)";
        } else if (t.verdict == VerdictState::unset && slowest > 0) {
          t.verdict = VerdictState::ok;
          t.reason = "within 1.5 x machines of its kind (the slowest " + sig(slowest) + " ns)";
        }
      } else if (t.verdict == VerdictState::unset) {
        t.verdict = VerdictState::ok;
        t.reason = i > 0 ? "slower than " + levels[i - 1].name + ", as a level below it is"
                         : "the fastest level";
      }
      finish(t, 0, "", nullptr);
    }
  }

  void storage(const std::string& id, const Level& l) {
    Verdict v;
    v.key = metric_key::level(id, l.name, "bandwidth_GBps").text;
    v.device = id;
    v.figure = "storage sequential read";
    v.unit = "GB/s";
    v.value = l.bandwidth_GBps;
    if (v.value <= 0) return;
    v.state = loaded([](const Measurement& m) { return m.role == Role::storage; });
    finish(v, 0, "the drive's datasheet is not in data/", nullptr);
  }

  void peak(const std::string& id, const std::string& type, const Compute& c) {
    const Device* d = device(id);
    if (!d || c.peak.best <= 0) return;
    Verdict v;
    v.key = metric_key::compute(id, type, "peak_GFLOPps").text;
    v.device = id;
    v.figure = type + " peak (" + c.peak_path + ")";
    v.unit = c.unit.empty() ? "GFLOP/s" : c.unit;
    v.value = c.peak.best;
    const Measurement* m = first([&](const Measurement& x) { return x.name == c.peak_benchmark; });
    if (m) {
      v.state = loaded_why(*m);
      // A GPU's SM clock below its maximum while it ran, and what held it (NVML).
      const double mhz = max_counter(*m, "state_gpu_sm_mhz");
      const std::string max_text = context_value(*d, "SM clock, max (MHz, NVML)");
      const double max_mhz = max_text.empty() ? 0 : std::atof(max_text.c_str());
      if (mhz > 0 && max_mhz > 0 && mhz < 0.95 * max_mhz) {
        const std::string held = clock_reasons(*m);
        v.reason = "SM clock " + sig(mhz) + " of " + sig(max_mhz) + " MHz while it ran" +
                   (held.empty() ? "" : ", held by: " + held);
      }
    }
    if (c.peak.repetitions > 2 && c.peak.cv > 0.10)
      v.reason += (v.reason.empty() ? "" : "; ") + std::string("its repetitions spread ") +
                  fixed(100 * c.peak.cv, 0) + "%";
    const bool fma = c.peak_from_chains;
    const double theory = c.theoretical_GFLOPps > 0 ? c.theoretical_GFLOPps : c.datasheet_GFLOPps;
    const std::string source =
        c.theoretical_GFLOPps > 0 ? "units x lanes x 2 x " + sig(c.core_mhz) + " MHz" : "datasheet";
    finish(v, theory, source,
           fma ? &expected_range("fma_chains") : &expected_range("library_gemm"));
    if (d->kind == DeviceKind::cpu) gemm_path(id, type, c);
  }

  // The CPU GEMM path the library took (OpenBLAS's core type), where it is narrower than the
  // CPU's widest vector ISA.
  void gemm_path(const std::string& id, const std::string& type, const Compute& c) {
    const Device* d = device(id);
    const std::string blas = context_value(*d, "BLAS"),
                      isa = context_value(*d, "bandwidth kernels");
    const size_t at = blas.find("core ");
    if (at == std::string::npos || blas.rfind("OpenBLAS", 0) != 0) return;
    const std::string core = blas.substr(at + 5, blas.find_first_of(";, ", at + 5) - at - 5);
    static const std::vector<std::pair<std::string, std::string>> widths = {
        {"SkylakeX", "avx512"}, {"Cooperlake", "avx512"}, {"SapphireRapids", "avx512"},
        {"Zen", "avx2"},        {"Haswell", "avx2"},      {"Sandybridge", "avx"},
        {"Nehalem", "sse"},     {"Core2", "sse"}};
    std::string width;
    for (const auto& [name, w] : widths)
      if (core == name) width = w;
    for (const ComputePath& path : c.paths) {
      if (path.path.rfind("library GEMM", 0) != 0 || path.rate.best <= 0) continue;
      if (type != "fp32" && type != "fp64") continue;  // OpenBLAS's; bf16 goes to oneDNN
      Verdict v;
      v.key = metric_key::compute(id, type, "gemm_GFLOPps").text;
      v.device = id;
      v.figure = type + " GEMM " + path.shape + " (OpenBLAS " + core + " kernel)";
      v.unit = c.unit.empty() ? "GFLOP/s" : c.unit;
      v.value = path.rate.best;
      const Measurement* m = first([&](const Measurement& x) { return x.name == path.benchmark; });
      if (m) v.state = loaded_why(*m);
      const std::string of_peak =
          fixed(100 * path.rate.best / c.peak.best, 0) + "% of the " + c.peak_path + " peak";
      if (!width.empty() && isa.rfind("avx512", 0) == 0 && width != "avx512") {
        v.verdict = VerdictState::low;
        v.reason = "OpenBLAS runs its " + core + " (" + width +
                   ") kernel on a CPU with AVX-512: " + of_peak +
                   "; OPENBLAS_CORETYPE=SkylakeX, or an OpenBLAS that knows this CPU, " +
                   "uses the 512-bit FMA";
      } else {
        v.verdict = path.rate.best < expected_range("library_gemm").low * c.peak.best
                        ? VerdictState::low
                        : VerdictState::ok;
        v.reason = "OpenBLAS's " + core + " kernel, " + of_peak;
      }
      finish(v, 0, "", nullptr);
    }
  }

  void host_links() {
    for (const HostLink& h : p_.links.host) {
      const Device* d = device(h.device);
      Verdict v;
      v.key = metric_key::host_link(h.device, h.name, h.memory, h.engine, "bandwidth_GBps").text;
      v.device = h.device;
      v.figure =
          h.name + " (" + h.memory + ", " + (h.engine == "ce" ? "copy engine" : h.engine) + ")";
      v.unit = "GB/s";
      v.value = h.bandwidth_GBps;
      if (v.value <= 0) continue;
      const Measurement* m = first([&](const Measurement& x) {
        return x.role == Role::host_link && device_of(x) == h.device &&
               x.variant.rfind(h.direction, 0) == 0;
      });
      if (m) v.state = loaded_why(*m);
      if (h.memory != "pinned") {
        v.verdict = VerdictState::unknown;
        v.reason =
            "pageable memory is staged through a pinned buffer by the driver: its rate is "
            "the host's copy, not the link's";
        finish(v, 0, "", nullptr);
        continue;
      }
      const double both = h.direction == "bidir" ? 2 : 1;
      double rate = pcie_rate_GBps(h.link) * both;
      std::string source = h.link;
      // The link the GPU could train at: a slot or riser that holds it lower is named.
      const std::string max_link = d ? context_value(*d, "PCIe link, max") : "";
      std::string now_link = h.link;
      if (m && max_counter(*m, "state_gpu_pcie_gen") > 0)
        now_link = "PCIe gen " + sig(max_counter(*m, "state_gpu_pcie_gen")) + " x" +
                   sig(max_counter(*m, "state_gpu_pcie_width"));
      const double max_rate = pcie_rate_GBps(max_link) * both;
      const double now_rate = pcie_rate_GBps(now_link) * both;
      if (max_rate > 0 && now_rate > 0 && now_rate < max_rate) {
        v.verdict = v.value < expected_range("pcie_pinned").low * max_rate ? VerdictState::low
                                                                           : VerdictState::unset;
        v.reason = "the link trained at " + now_link.substr(now_link.find("gen")) + " of its " +
                   max_link.substr(max_link.find("gen")) + " (" + sig(now_rate) + " of " +
                   sig(max_rate) + " GB/s)";
        rate = max_rate;
        source = "PCIe " + max_link.substr(max_link.find("gen"));
        if (v.verdict == VerdictState::low)
          v.reason = fixed(100 * v.value / max_rate, 0) + "% of " + sig(max_rate) + " GB/s (" +
                     source + "); " + v.reason;
      }
      if (rate <= 0) beside(v, "host_to_device", d, 0);
      finish(v, rate, rate > 0 ? source : "a link of no known rate (" + h.link + ")",
             h.engine == "ce" ? &expected_range("pcie_pinned") : nullptr);
    }
  }

  void peers() {
    std::map<std::string, std::vector<double>> by_kind;
    for (const PeerLink& x : p_.links.peers)
      by_kind[x.engine + "/" + x.direction].push_back(x.bandwidth_GBps);
    for (auto& [kind, v] : by_kind) {
      std::sort(v.begin(), v.end());
      Verdict x;
      x.key = metric_key::slowest_peer(kind).text;
      x.device = first_of(DeviceKind::gpu);
      x.figure = "GPU peer-to-peer, slowest pair (" + kind + ")";
      x.unit = "GB/s";
      x.value = v.front();
      x.state = loaded([](const Measurement& m) { return m.role == Role::peer_link; });
      const double median = v[v.size() / 2];
      if (v.size() > 2 && x.value < 0.5 * median) {
        x.verdict = VerdictState::low;
        x.reason = "the slowest of " + std::to_string(v.size()) + " pairs is under half the " +
                   "median pair's " + sig(median) + " GB/s: a link down or trained lower";
      } else {
        x.reason =
            std::to_string(v.size()) + " pairs within 2x of the median " + sig(median) + " GB/s";
      }
      beside(x, kind.find("bidir") != std::string::npos ? "p2p_both_ways" : "p2p_one_way",
             device(x.device), 0);
      finish(x, 0, "", nullptr);
    }
  }

  void collectives() {
    for (const auto* list : {&p_.links.nccl, &p_.links.mpi_collectives})
      for (const Collective& c : *list) {
        Verdict v;
        const bool on_devices = c.ranks_on == DeviceKind::gpu;
        v.key = metric_key::collective(c.library, c.name, c.inplace, c.ranks, on_devices).text;
        v.device = first_of(c.ranks_on);
        v.figure = c.library + " " + c.name + (c.inplace == "1" ? " in place" : "") + " busbw, " +
                   std::to_string(c.ranks) + " ranks";
        v.unit = "GB/s";
        v.value = c.busGBps;
        if (!c.no_bandwidth_why.empty()) {
          v.verdict = VerdictState::none;
          v.reason = c.no_bandwidth_why;
          out_.push_back(v);
          continue;
        }
        v.state = loaded([&](const Measurement& m) {
          return m.role == Role::collective && m.variant == c.name;
        });
        if (on_devices && c.ranks == 8)
          beside(v, c.name == "all_reduce" ? "nccl_allreduce_busbw" : "nccl_busbw",
                 device(v.device), 0);
        finish(v, 0, "no link rate is modelled for a collective", nullptr);
      }
  }

  void core_pairs() {
    const Device* d = device("cpu");
    for (const auto& [shared, ns] : p_.links.c2c_median_latency_ns) {
      Verdict v;
      v.key = metric_key::core_pairs(shared).text;
      v.device = "cpu";
      v.figure = "core-to-core latency, sharing " + shared;
      v.unit = "ns";
      v.value = ns;
      v.state = loaded([](const Measurement& m) { return m.role == Role::core_pairs; });
      const auto distance = p_.links.c2c_distance.find(shared);
      if (distance != p_.links.c2c_distance.end())
        beside(v, "c2c_latency_" + distance->second, d, 0);
      finish(v, 0, "", nullptr);
    }
  }
};

}  // namespace

std::string loaded_why(const Measurement& m) {
  if (max_counter(m, "state_loaded") < 1) return "";
  std::string why;
  const double others = max_counter(m, "state_other_cpus_busy");
  const double steal = max_counter(m, "state_steal_percent");
  if (others > 0) why = "other processes kept " + fixed(others, 1) + " CPUs busy";
  if (steal > 0)
    why +=
        (why.empty() ? "" : "; ") + std::string("steal ") + fixed(steal, steal < 10 ? 1 : 0) + "%";
  return why.empty() ? "loaded" : why;
}

RunState run_state_step(const ProfileInputs& in) {
  RunState s;
  std::set<std::string> said;
  static const std::vector<std::pair<std::string, std::string>> keys = {
      {"cpu_governor", "CPU frequency governor"},
      {"cpu_boost", "CPU boost"},
      {"cpu_max_khz", "CPU maximum clock (kHz, cpufreq)"},
      {"cpu_mhz_measured", "CPU clock measured (MHz)"},
      {"thp_enabled", "transparent huge pages"},
      {"thp_defrag", "huge page defrag"},
      {"hugepages_free", "huge pages free"},
      {"numa_balancing", "NUMA balancing"},
      {"smt_active", "SMT active"}};
  for (const auto& [key, name] : keys)
    for (const ResultFile& f : in.files)
      if (f.context.contains(key) && f.context[key].is_string() && said.insert(key).second)
        s.settings.push_back({name, f.context[key].get<std::string>()});
  for (const ResultFile& f : in.files)
    for (const Measurement& m : f.measurements) {
      if (!m.error.empty()) continue;
      s.benchmarks_with_state += m.has("state_loaded");
      if (std::string why = loaded_why(m); !why.empty()) s.loaded.push_back({m.name, why});
    }
  return s;
}

const Expected& expected_range(const std::string& name) {
  static const std::map<std::string, Expected> ranges = [] {
    std::map<std::string, Expected> out;
    const std::string path = data_dir() + "/expected_ranges.csv";
    for (const auto& row : read_csv_rows(path)) {
      try {
        out[row.at("range")] = {std::stod(row.at("low")), row.at("text")};
      } catch (const std::exception&) {
        throw InputError(path + ": a row without a range, a low fraction or a text");
      }
    }
    return out;
  }();
  const auto it = ranges.find(name);
  if (it == ranges.end())
    throw InputError(data_dir() + "/expected_ranges.csv: no range '" + name + "'");
  return it->second;
}

Verdict judged(Verdict v, double theoretical, const std::string& source, const Expected* range) {
  if (theoretical > 0) {
    v.theoretical = theoretical;
    v.theoretical_source = source;
    v.percent_of_theoretical = 100 * v.value / theoretical;
    if (range) v.expected = range->text;
    const std::string at = fixed(v.percent_of_theoretical, 0) + "% of " + sig(theoretical) + " " +
                           v.unit + " (" + source + ")";
    if (v.verdict == VerdictState::unset) {
      if (v.value > 1.02 * theoretical) {
        v.verdict = VerdictState::suspect;
        v.reason =
            "above what the hardware allows: " + at + (v.reason.empty() ? "" : "; ") + v.reason;
      } else if (range && v.value < range->low * theoretical) {
        v.verdict = VerdictState::low;
        v.reason = at + ", below the " + range->text + (v.reason.empty() ? "" : "; ") + v.reason;
      } else {
        v.verdict = VerdictState::ok;
        v.reason = at + (v.reason.empty() ? "" : "; ") + v.reason;
      }
    }
  } else if (v.verdict == VerdictState::unset) {
    // A device's "unknown (why)" gives its why.
    const std::string why = source.rfind("unknown (", 0) == 0 && source.back() == ')'
                                ? source.substr(9, source.size() - 10)
                                : source;
    v.verdict = VerdictState::unknown;
    v.reason = "theoretical unknown" + (why.empty() ? "" : ": " + why) +
               (v.references.empty() ? "" : "; beside machines of its kind below") +
               (v.reason.empty() ? "" : "; " + v.reason);
  }
  if (!v.state.empty()) {
    v.reason = "measured under load (" + v.state + "); " + v.verdict + " otherwise: " + v.reason;
    v.verdict = VerdictState::suspect;
  }
  return v;
}

std::vector<Verdict> verdicts_step(const ProfileInputs& in, const Profile& p,
                                   const std::vector<Reference>& all,
                                   std::vector<Reference>& used) {
  Judge judge(in, p, all);
  std::vector<Verdict> out = judge.run();
  for (const FigureModule& figure : figure_modules())
    if (figure.verdicts)
      for (Verdict& v : figure.verdicts(p)) out.push_back(std::move(v));
  // The profile keeps the references it placed, renumbered in its own list.
  std::map<int, int> renumber;
  for (int r : judge.used()) {
    renumber[r] = static_cast<int>(used.size());
    used.push_back(all[r]);
  }
  for (Verdict& v : out)
    for (int& r : v.references) r = renumber.at(r);
  return out;
}

}  // namespace memwall::harness
