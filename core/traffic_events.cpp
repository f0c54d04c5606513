#include "core/traffic_events.hpp"

#include <sstream>

namespace memwall {

std::vector<TrafficEvents> traffic_event_candidates(const CpuId& c) {
  if (c.vendor == "GenuineIntel") {
    // Core-originated requests that miss the L3: demand reads, RFOs and the L1/L2 prefetches
    // (not the prefetches that fill only the L3), Haswell to Sapphire Rapids in libpfm 4.13.
    return {{"core requests missing the L3 (demand, RFO, L1/L2 prefetch), one 64-B line each",
             {"LONGEST_LAT_CACHE:MISS"}}};
  }
  if (c.vendor == "AuthenticAMD" || c.vendor == "HygonGenuine") {
    // The L1D's fills from memory (demand and L1 prefetch) plus the L2 prefetcher's own
    // requests that miss the L3 (they fill the L2 from memory; the L1's later fill from the L2
    // is not counted again, and the L1 prefetchers' share of that event is left out because
    // the L1 fills count it). libpfm names the memory source per generation; each name below
    // was checked against libpfm 4.13's tables (amd64_fam19h_zen4, _zen3, amd64_fam17h_zen2).
    const std::string fills =
        "L1D fills from memory plus L2 prefetches missing the L3, one 64-B line each";
    return {
        {fills,  // Zen 4
         {"ANY_DATA_CACHE_FILLS_FROM_SYSTEM:DRAM_IO_NEAR:DRAM_IO_FAR",
          "L2_PREFETCH_MISS_L3:L2_STREAM:L2_NEXT_LINE:L2_UP_DOWN:L2_BURST:L2_STRIDE"}},
        {fills,  // Zen 3
         {"ANY_DATA_CACHE_FILLS_FROM_SYSTEM:MEM_IO_LCL:MEM_IO_RMT",
          "L2_PREFETCH_MISS_L3:L2_HW_PREFETCHER"}},
        {"demand L1D fills from DRAM plus L2 prefetches missing the L3 (no L1 prefetch fills), "
         "one 64-B line each",  // Zen 2
         {"DATA_CACHE_REFILLS_FROM_SYSTEM:LS_MABRESP_LCL_DRAM:LS_MABRESP_RMT_DRAM",
          "L2_PREFETCH_MISS_L3"}},
    };
  }
  if (c.arch == "aarch64") {
    // Arm's common event 0x37: last-level cache misses on reads (Neoverse, Grace).
    return {{"last-level cache read misses, one 64-B line each", {"LL_CACHE_MISS_RD"}}};
  }
  return {};
}

TrafficEvents traffic_events_from_list(const std::string& plus_separated) {
  TrafficEvents t;
  t.counts = "events given with --traffic-events, one 64-B line each";
  std::stringstream list(plus_separated);
  for (std::string name; std::getline(list, name, '+');)
    if (!name.empty()) t.events.push_back(name);
  return t;
}

}  // namespace memwall
