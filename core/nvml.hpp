// NVML, loaded at run time (libnvidia-ml.so.1 comes with the driver; there is no nvml.h in the
// toolkit here), for what the CUDA runtime does not say: board power and energy, clocks, PCIe
// link, ECC, NVLink. On a machine without the driver, available() is false and status() says
// why; nothing else fails.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

namespace memwall {

class Nvml {
 public:
  static Nvml& instance();
  bool available() const { return device_ != nullptr; }
  const std::string& status() const { return status_; }

  // 0 or "" where NVML cannot tell.
  double power_watts() const;
  double energy_joules() const;    // the board's total energy counter (Volta and later)
  int clock_mhz(int which) const;  // 0 graphics (SM), 1 memory
  int max_clock_mhz(int which) const;
  int pcie_generation() const;
  int pcie_width() const;
  // What the GPU and its slot can train at: a link below it (a riser, a BIOS setting, a
  // degraded lane) is named beside the host link's figure.
  int max_pcie_generation() const;
  int max_pcie_width() const;
  unsigned long long clocks_event_reasons() const;  // NVML's bit mask; 0 where it cannot tell
  std::string persistence() const;                  // on, off, or ""
  std::string mig() const;                          // on, off, or "" (not a MIG GPU)
  std::string ecc() const;
  int nvlinks_up() const;
  std::string driver_version() const;

  // Opens libnvidia-ml.so.1 (or `library`) and the device `index`; tests pass a library that
  // does not exist.
  bool open(const std::string& library, int index);
  // The board at this PCI bus id ("0000:19:00.0"): NVML's indices need not be CUDA's (another
  // order, CUDA_VISIBLE_DEVICES), so a GPU chosen by its CUDA index is found by its bus.
  bool select_pci(const std::string& bus_id);

 private:
  Nvml() = default;
  void* lib_ = nullptr;
  void* device_ = nullptr;
  std::string status_ = "NVML not loaded";
};

// NVML's clocks event reasons (nvmlDeviceGetCurrentClocksEventReasons) in words, idle and
// the application clock setting left out: "software power cap, hardware thermal slowdown".
std::string clocks_event_reasons_text(unsigned long long mask);

// The GPU's state over a benchmark, sampled every 10 ms while it is busy (not idle): its SM
// clock, what held the clock, its PCIe link. No samples where NVML is not available.
struct GpuState {
  int samples = 0;
  double sm_mhz = 0;                        // the mean while busy
  unsigned long long clock_reasons = 0;     // every reason seen while busy, idle left out
  int pcie_generation = 0, pcie_width = 0;  // the highest seen while busy
};
class GpuStateSampler {
 public:
  void start();
  GpuState stop();

 private:
  std::atomic<bool> running_{false};
  std::thread sampler_;
  GpuState state_;
  double mhz_sum_ = 0;
};

// Energy over a benchmark: the total-energy counter where the GPU has one, else board power
// sampled every 10 ms and integrated. joules() is 0 when neither works.
class EnergyMeter {
 public:
  void start();
  double stop_joules();
  // Wall seconds from start to stop: the window the joules were drawn over (the timed regions
  // are only part of it), so power is joules over this, never over the regions' time.
  double window_seconds() const { return window_seconds_; }
  std::string method() const { return method_; }

 private:
  std::atomic<bool> running_{false};
  std::thread sampler_;
  double joules_ = 0, start_counter_ = 0, window_seconds_ = 0;
  std::chrono::steady_clock::time_point started_;
  std::string method_;
};

}  // namespace memwall
