#include "core/counters.hpp"

#include <sstream>

#ifdef MEMWALL_HAVE_PAPI
#include <papi.h>
#endif

namespace memwall {

#ifdef MEMWALL_HAVE_PAPI
HwCounters::HwCounters(const std::string& events) {
  std::stringstream list(events.empty() ? "PAPI_TOT_CYC,PAPI_TOT_INS" : events);
  for (std::string name; std::getline(list, name, ',');) names_.push_back(name);
  if (PAPI_is_initialized() == PAPI_NOT_INITED &&
      PAPI_library_init(PAPI_VER_CURRENT) != PAPI_VER_CURRENT) {
    status_ = "PAPI library init failed";
    return;
  }
  if (PAPI_create_eventset(&event_set_) != PAPI_OK) {
    status_ = "PAPI cannot create an event set";
    return;
  }
  for (const std::string& name : names_) {
    const int rc = PAPI_add_named_event(event_set_, name.c_str());
    if (rc != PAPI_OK) {
      status_ = "PAPI event " + name + " unavailable: " + PAPI_strerror(rc);
      return;
    }
  }
  if (const int rc = PAPI_start(event_set_); rc != PAPI_OK) {
    status_ =
        std::string("PAPI cannot count (permission or no PMU in this VM?): ") + PAPI_strerror(rc);
    return;
  }
  std::vector<long long> scratch(names_.size());
  PAPI_stop(event_set_, scratch.data());
  available_ = true;
  status_ = "PAPI counting " + (events.empty() ? std::string("PAPI_TOT_CYC,PAPI_TOT_INS") : events);
}

HwCounters::~HwCounters() {
  if (event_set_ >= 0) {
    PAPI_cleanup_eventset(event_set_);
    PAPI_destroy_eventset(&event_set_);
  }
}

void HwCounters::start() {
  if (available_) PAPI_start(event_set_);
}

std::vector<std::pair<std::string, double>> HwCounters::stop() {
  std::vector<std::pair<std::string, double>> out;
  if (!available_) return out;
  std::vector<long long> values(names_.size());
  if (PAPI_stop(event_set_, values.data()) != PAPI_OK) return out;
  for (size_t i = 0; i < names_.size(); ++i)
    out.emplace_back(names_[i], static_cast<double>(values[i]));
  return out;
}
#else
HwCounters::HwCounters(const std::string&) {
  status_ = "PAPI not built in (libpapi-dev missing)";
}
HwCounters::~HwCounters() = default;
void HwCounters::start() {}
std::vector<std::pair<std::string, double>> HwCounters::stop() {
  return {};
}
#endif

}  // namespace memwall
