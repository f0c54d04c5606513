#include "core/run_state.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

namespace memwall {

namespace {

std::string read_text(const char* path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string percent_text(double v) {
  std::ostringstream s;
  s.precision(v < 10 ? 2 : 3);
  s << v;
  return s.str();
}

}  // namespace

bool parse_cpu_ticks(const std::string& proc_stat, const std::string& self_stat, CpuTicks& out) {
  std::istringstream stat(proc_stat);
  std::string label;
  // user nice system idle iowait irq softirq steal (guest time is inside user already)
  uint64_t f[8] = {};
  if (!(stat >> label) || label != "cpu") return false;
  for (uint64_t& v : f)
    if (!(stat >> v)) return false;
  out.total = f[0] + f[1] + f[2] + f[3] + f[4] + f[5] + f[6] + f[7];
  out.busy = f[0] + f[1] + f[2] + f[5] + f[6];
  out.steal = f[7];
  // The command (field 2) may hold spaces: fields are counted from after its ')'.
  const size_t close = self_stat.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream self(self_stat.substr(close + 1));
  std::string field;
  uint64_t own = 0;
  for (int i = 3; i <= 17 && self >> field; ++i)
    if (i >= 14) try {
        own += std::stoull(field);
      } catch (const std::exception&) {
        return false;
      }
  if (!self) return false;
  out.own = own;
  return true;
}

CpuTicks sample_cpu_ticks() {
  CpuTicks t;
  if (!parse_cpu_ticks(read_text("/proc/stat"), read_text("/proc/self/stat"), t)) t = CpuTicks{};
  t.wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  return t;
}

LoadState load_between(const CpuTicks& from, const CpuTicks& to, int siblings) {
  LoadState s;
  if (to.total <= from.total || to.wall_s <= from.wall_s) return s;
  const double ticks = static_cast<double>(to.total - from.total);
  const double cpus_x_window = ticks;  // every CPU's ticks over the window
  const double window_ticks_per_cpu = (to.wall_s - from.wall_s) * sysconf(_SC_CLK_TCK);
  const double busy = static_cast<double>(to.busy - from.busy);
  const double own = to.own >= from.own ? static_cast<double>(to.own - from.own) : 0;
  s.other_cpus_busy = std::max(0.0, (busy - own) / std::max(1.0, window_ticks_per_cpu) - siblings);
  s.steal_percent = 100.0 * static_cast<double>(to.steal - from.steal) / cpus_x_window;
  if (s.other_cpus_busy >= kLoadedOtherCpus)
    s.why = "other processes kept " + percent_text(s.other_cpus_busy) + " CPUs busy";
  if (s.steal_percent >= kLoadedStealPercent)
    s.why += (s.why.empty() ? "" : "; ") + std::string("the hypervisor stole ") +
             percent_text(s.steal_percent) + "% of the CPUs' time";
  s.loaded = !s.why.empty();
  return s;
}

void StateWindow::begin(const std::string& benchmark) {
  if (benchmark == benchmark_ && start_.wall_s > 0) return;  // its window goes on
  benchmark_ = benchmark;
  start_ = sample_cpu_ticks();
  recent_.push_back(start_);
}

bool StateWindow::end(LoadState& state) {
  const CpuTicks now = sample_cpu_ticks();
  if (start_.total == 0 || now.total == 0) return false;
  // From this benchmark's start, or earlier where that is too recent to count.
  CpuTicks from = start_;
  const CpuTicks* latest = nullptr;  // the latest sample at least a window before now
  for (const CpuTicks& s : recent_)
    if (s.wall_s <= now.wall_s - kStateWindowSeconds && (!latest || s.wall_s > latest->wall_s))
      latest = &s;
  if (latest && latest->wall_s < from.wall_s) from = *latest;
  std::erase_if(recent_,
                [&](const CpuTicks& s) { return s.wall_s < now.wall_s - 4 * kStateWindowSeconds; });
  recent_.push_back(now);
  if (now.wall_s - from.wall_s < kStateWindowSeconds) return false;
  state = load_between(from, now, siblings_);
  return true;
}

StateWindow& state_window() {
  static StateWindow w;
  return w;
}

std::vector<std::pair<std::string, std::string>> machine_state() {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](const std::string& key, const std::string& path, const std::string& missing) {
    const std::string v = first_line(path);
    out.emplace_back(key, v.empty() ? missing : v);
  };
  const std::string freq = "/sys/devices/system/cpu/cpu0/cpufreq/";
  add("cpu_governor", freq + "scaling_governor", "none (no cpufreq: a guest, or a fixed clock)");
  add("cpu_max_khz", freq + "cpuinfo_max_freq", "unknown");
  std::string boost = first_line("/sys/devices/system/cpu/cpufreq/boost");
  if (boost.empty()) {
    const std::string no_turbo = first_line("/sys/devices/system/cpu/intel_pstate/no_turbo");
    boost = no_turbo.empty() ? "" : no_turbo == "0" ? "1" : "0";
  }
  out.emplace_back("cpu_boost", boost.empty() ? "unknown" : boost == "1" ? "on" : "off");
  add("thp_defrag", "/sys/kernel/mm/transparent_hugepage/defrag", "unknown");
  add("numa_balancing", "/proc/sys/kernel/numa_balancing", "unknown (not in this kernel)");
  add("smt_active", "/sys/devices/system/cpu/smt/active", "unknown");
  std::istringstream meminfo(read_text("/proc/meminfo"));
  std::string huge_free, huge_size;
  for (std::string line; std::getline(meminfo, line);) {
    if (line.rfind("HugePages_Free:", 0) == 0) huge_free = line.substr(15);
    if (line.rfind("Hugepagesize:", 0) == 0) huge_size = line.substr(13);
  }
  auto trim = [](std::string s) {
    s.erase(0, s.find_first_not_of(' '));
    return s;
  };
  if (!huge_free.empty())
    out.emplace_back("hugepages_free", trim(huge_free) + " of " + trim(huge_size));
  return out;
}

}  // namespace memwall
