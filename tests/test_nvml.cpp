// NVML is loaded at run time: a machine without the driver gets a reason, never a failure.
#include <gtest/gtest.h>

#include "core/nvml.hpp"

using namespace memwall;

TEST(Nvml, AMachineWithoutTheLibrarySaysWhy) {
  Nvml& nvml = Nvml::instance();
  EXPECT_FALSE(nvml.open("libnvidia-ml-that-does-not-exist.so.1", 0));
  EXPECT_FALSE(nvml.available());
  EXPECT_NE(nvml.status().find("not found"), std::string::npos) << nvml.status();
  EXPECT_EQ(nvml.power_watts(), 0);
  EXPECT_EQ(nvml.energy_joules(), 0);
  EnergyMeter meter;
  meter.start();
  EXPECT_EQ(meter.stop_joules(), 0);
}

TEST(Nvml, ClockReasonsInWordsAndNoStateWithoutNvml) {
  EXPECT_EQ(clocks_event_reasons_text(0x1 | 0x2), "");  // idle, application clocks
  EXPECT_EQ(clocks_event_reasons_text(0x4), "software power cap");
  EXPECT_EQ(clocks_event_reasons_text(0x4 | 0x40), "software power cap, hardware thermal slowdown");
  Nvml::instance().open("libnvidia-ml-that-does-not-exist.so.1", 0);
  GpuStateSampler sampler;
  sampler.start();
  EXPECT_EQ(sampler.stop().samples, 0);
}
