#include "core/nvml.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <chrono>

namespace memwall {

namespace {

// The few NVML entry points used, declared as the NVML API documents them (return 0 =
// NVML_SUCCESS; handles are opaque pointers).
using InitFn = int (*)();
using HandleFn = int (*)(unsigned, void**);
using PciHandleFn = int (*)(const char*, void**);
using UintFn = int (*)(void*, unsigned*);
using ClockFn = int (*)(void*, int, unsigned*);
using EnergyFn = int (*)(void*, unsigned long long*);
using EccFn = int (*)(void*, int*, int*);
using LinkFn = int (*)(void*, unsigned, int*);
using StringFn = int (*)(char*, unsigned);

template <typename F>
F symbol(void* lib, const char* name) {
  return lib ? reinterpret_cast<F>(dlsym(lib, name)) : nullptr;
}

}  // namespace

Nvml& Nvml::instance() {
  static Nvml nvml;
  static const bool opened = nvml.open("libnvidia-ml.so.1", 0);
  (void)opened;
  return nvml;
}

bool Nvml::open(const std::string& library, int index) {
  device_ = nullptr;
  lib_ = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib_) {
    status_ = "NVML not available (" + library + " not found: no NVIDIA driver?)";
    return false;
  }
  const auto init = symbol<InitFn>(lib_, "nvmlInit_v2");
  const auto handle = symbol<HandleFn>(lib_, "nvmlDeviceGetHandleByIndex_v2");
  if (!init || !handle || init() != 0) {
    status_ = "NVML did not initialize (driver not loaded?)";
    return false;
  }
  void* device = nullptr;
  if (handle(static_cast<unsigned>(index), &device) != 0 || !device) {
    status_ = "NVML has no device " + std::to_string(index);
    return false;
  }
  device_ = device;
  status_ = "ok";
  return true;
}

bool Nvml::select_pci(const std::string& bus_id) {
  const auto handle = symbol<PciHandleFn>(lib_, "nvmlDeviceGetHandleByPciBusId_v2");
  void* device = nullptr;
  if (!lib_ || !handle || handle(bus_id.c_str(), &device) != 0 || !device) {
    if (lib_) {
      device_ = nullptr;
      status_ = "NVML has no device at PCI " + bus_id;
    }
    return false;
  }
  device_ = device;
  status_ = "ok";
  return true;
}

double Nvml::power_watts() const {
  unsigned mw = 0;
  const auto f = symbol<UintFn>(lib_, "nvmlDeviceGetPowerUsage");
  return device_ && f && f(device_, &mw) == 0 ? mw / 1e3 : 0;
}

double Nvml::energy_joules() const {
  unsigned long long mj = 0;
  const auto f = symbol<EnergyFn>(lib_, "nvmlDeviceGetTotalEnergyConsumption");
  return device_ && f && f(device_, &mj) == 0 ? static_cast<double>(mj) / 1e3 : 0;
}

int Nvml::clock_mhz(int which) const {
  unsigned mhz = 0;
  const auto f = symbol<ClockFn>(lib_, "nvmlDeviceGetClockInfo");
  // NVML_CLOCK_GRAPHICS 0, NVML_CLOCK_SM 1, NVML_CLOCK_MEM 2
  return device_ && f && f(device_, which == 0 ? 1 : 2, &mhz) == 0 ? static_cast<int>(mhz) : 0;
}

int Nvml::max_clock_mhz(int which) const {
  unsigned mhz = 0;
  const auto f = symbol<ClockFn>(lib_, "nvmlDeviceGetMaxClockInfo");
  return device_ && f && f(device_, which == 0 ? 1 : 2, &mhz) == 0 ? static_cast<int>(mhz) : 0;
}

int Nvml::pcie_generation() const {
  unsigned v = 0;
  const auto f = symbol<UintFn>(lib_, "nvmlDeviceGetCurrPcieLinkGeneration");
  return device_ && f && f(device_, &v) == 0 ? static_cast<int>(v) : 0;
}

int Nvml::pcie_width() const {
  unsigned v = 0;
  const auto f = symbol<UintFn>(lib_, "nvmlDeviceGetCurrPcieLinkWidth");
  return device_ && f && f(device_, &v) == 0 ? static_cast<int>(v) : 0;
}

int Nvml::max_pcie_generation() const {
  unsigned v = 0;
  const auto f = symbol<UintFn>(lib_, "nvmlDeviceGetMaxPcieLinkGeneration");
  return device_ && f && f(device_, &v) == 0 ? static_cast<int>(v) : 0;
}

int Nvml::max_pcie_width() const {
  unsigned v = 0;
  const auto f = symbol<UintFn>(lib_, "nvmlDeviceGetMaxPcieLinkWidth");
  return device_ && f && f(device_, &v) == 0 ? static_cast<int>(v) : 0;
}

unsigned long long Nvml::clocks_event_reasons() const {
  unsigned long long mask = 0;
  // Renamed from "throttle" reasons in CUDA 12.2's NVML; the old name stays for older drivers.
  auto f = symbol<EnergyFn>(lib_, "nvmlDeviceGetCurrentClocksEventReasons");
  if (!f) f = symbol<EnergyFn>(lib_, "nvmlDeviceGetCurrentClocksThrottleReasons");
  return device_ && f && f(device_, &mask) == 0 ? mask : 0;
}

std::string Nvml::persistence() const {
  int mode = 0;
  using ModeFn = int (*)(void*, int*);
  const auto g = symbol<ModeFn>(lib_, "nvmlDeviceGetPersistenceMode");
  if (!device_ || !g || g(device_, &mode) != 0) return "";
  return mode ? "on" : "off";
}

std::string Nvml::mig() const {
  unsigned current = 0, pending = 0;
  using MigFn = int (*)(void*, unsigned*, unsigned*);
  const auto f = symbol<MigFn>(lib_, "nvmlDeviceGetMigMode");
  if (!device_ || !f || f(device_, &current, &pending) != 0) return "";
  return current ? "on" : "off";
}

std::string Nvml::ecc() const {
  int current = 0, pending = 0;
  const auto f = symbol<EccFn>(lib_, "nvmlDeviceGetEccMode");
  if (!device_ || !f || f(device_, &current, &pending) != 0) return "";
  return current ? "on" : "off";
}

int Nvml::nvlinks_up() const {
  const auto f = symbol<LinkFn>(lib_, "nvmlDeviceGetNvLinkState");
  if (!device_ || !f) return 0;
  int up = 0;
  for (unsigned link = 0; link < 18; ++link) {  // NVML_NVLINK_MAX_LINKS
    int active = 0;
    if (f(device_, link, &active) == 0 && active) ++up;
  }
  return up;
}

std::string Nvml::driver_version() const {
  char buf[96] = {};
  const auto f = symbol<StringFn>(lib_, "nvmlSystemGetDriverVersion");
  return device_ && f && f(buf, sizeof buf) == 0 ? std::string(buf) : "";
}

std::string clocks_event_reasons_text(unsigned long long mask) {
  static const std::pair<unsigned long long, const char*> reasons[] = {
      {0x4, "software power cap"},
      {0x8, "hardware slowdown"},
      {0x10, "sync boost"},
      {0x20, "software thermal slowdown"},
      {0x40, "hardware thermal slowdown"},
      {0x80, "hardware power brake"},
      {0x100, "display clock setting"}};
  std::string out;
  for (const auto& [bit, name] : reasons)
    if (mask & bit) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

void GpuStateSampler::start() {
  state_ = GpuState{};
  mhz_sum_ = 0;
  Nvml& nvml = Nvml::instance();
  if (!nvml.available()) return;
  running_ = true;
  sampler_ = std::thread([this, &nvml] {
    while (running_.load()) {
      const unsigned long long reasons = nvml.clocks_event_reasons();
      if (!(reasons & 0x1)) {  // GpuIdle: between kernels, not what the benchmark ran at
        ++state_.samples;
        mhz_sum_ += nvml.clock_mhz(0);
        state_.clock_reasons |= reasons & ~0x3ULL;  // idle and the application clock setting
        state_.pcie_generation = std::max(state_.pcie_generation, nvml.pcie_generation());
        state_.pcie_width = std::max(state_.pcie_width, nvml.pcie_width());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
}

GpuState GpuStateSampler::stop() {
  running_ = false;
  if (sampler_.joinable()) sampler_.join();
  if (state_.samples > 0) state_.sm_mhz = mhz_sum_ / state_.samples;
  return state_;
}

void EnergyMeter::start() {
  Nvml& nvml = Nvml::instance();
  joules_ = 0;
  window_seconds_ = 0;
  started_ = std::chrono::steady_clock::now();
  method_.clear();
  if (!nvml.available()) return;
  start_counter_ = nvml.energy_joules();
  if (start_counter_ > 0) {
    method_ = "NVML total energy counter";
    return;
  }
  method_ = "NVML board power sampled every 10 ms";
  running_ = true;
  sampler_ = std::thread([this, &nvml] {
    auto last = std::chrono::steady_clock::now();
    while (running_.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      const auto now = std::chrono::steady_clock::now();
      joules_ += nvml.power_watts() * std::chrono::duration<double>(now - last).count();
      last = now;
    }
  });
}

double EnergyMeter::stop_joules() {
  window_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  if (method_.empty()) return 0;
  if (start_counter_ > 0) return Nvml::instance().energy_joules() - start_counter_;
  running_ = false;
  if (sampler_.joinable()) sampler_.join();
  return joules_;
}

}  // namespace memwall
