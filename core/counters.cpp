#include "core/counters.hpp"

#include <sstream>

#ifdef MEMWALL_HAVE_PAPI
#include <papi.h>
#endif

namespace memwall {

#ifdef MEMWALL_HAVE_PAPI
namespace {

// An event set with `names`, attached to thread `tid` unless it is 0 (the caller); -1 and `why`
// when PAPI refuses.
int make_event_set(const std::vector<std::string>& names, int tid, std::string& why) {
  int set = PAPI_NULL;
  if (PAPI_create_eventset(&set) != PAPI_OK) {
    why = "PAPI cannot create an event set";
    return -1;
  }
  auto fail = [&](const std::string& what, int rc) {
    why = what + ": " + PAPI_strerror(rc);
    PAPI_cleanup_eventset(set);
    PAPI_destroy_eventset(&set);
    return -1;
  };
  if (tid != 0) {
    // Attaching needs the event set bound to its component (the CPU's) first.
    if (const int rc = PAPI_assign_eventset_component(set, 0); rc != PAPI_OK)
      return fail("PAPI cannot bind an event set to the CPU component", rc);
    if (const int rc = PAPI_attach(set, static_cast<unsigned long>(tid)); rc != PAPI_OK)
      return fail("PAPI cannot attach to thread " + std::to_string(tid), rc);
  }
  for (const std::string& name : names)
    if (const int rc = PAPI_add_named_event(set, name.c_str()); rc != PAPI_OK)
      return fail("PAPI event " + name + " unavailable", rc);
  if (const int rc = PAPI_start(set); rc != PAPI_OK)
    return fail("PAPI cannot count (permission or no PMU in this VM?)", rc);
  std::vector<long long> scratch(names.size());
  PAPI_stop(set, scratch.data());
  return set;
}

}  // namespace

HwCounters::HwCounters(const std::string& events, const std::vector<int>& other_threads,
                       const std::vector<TrafficEvents>& traffic) {
  std::stringstream list(events.empty() ? "PAPI_TOT_CYC,PAPI_TOT_INS" : events);
  for (std::string name; std::getline(list, name, ',');) names_.push_back(name);
  if (PAPI_is_initialized() == PAPI_NOT_INITED &&
      PAPI_library_init(PAPI_VER_CURRENT) != PAPI_VER_CURRENT) {
    status_ = "PAPI library init failed";
    return;
  }
  int own = make_event_set(names_, 0, status_);
  if (own < 0) return;
  std::string traffic_note;
  for (const TrafficEvents& t : traffic) {
    std::vector<std::string> with = names_;
    with.insert(with.end(), t.events.begin(), t.events.end());
    std::string why;
    const int set = make_event_set(with, 0, why);
    if (set < 0) {
      traffic_note += (traffic_note.empty() ? "" : "; ") + why;
      continue;
    }
    PAPI_cleanup_eventset(own);
    PAPI_destroy_eventset(&own);
    own = set;
    names_ = with;
    traffic_ = t;
    break;
  }
  event_sets_.push_back(own);
  std::string left_out;
  int wanted = 1;
  for (int tid : other_threads) {
    if (tid == 0) continue;
    ++wanted;
    std::string why;
    const int set = make_event_set(names_, tid, why);
    if (set >= 0)
      event_sets_.push_back(set);
    else if (left_out.empty())
      left_out = why;
  }
  available_ = true;
  status_ = "PAPI counting " +
            (events.empty() ? std::string("PAPI_TOT_CYC,PAPI_TOT_INS") : events) + " on " +
            std::to_string(event_sets_.size()) + " of " + std::to_string(wanted) + " threads" +
            (left_out.empty() ? "" : " (" + left_out + ")");
  if (!traffic_.events.empty()) {
    std::string names;
    for (const std::string& e : traffic_.events) names += (names.empty() ? "" : "+") + e;
    status_ += "; memory reads counted by " + names + " (" + traffic_.counts + ")";
  } else if (!traffic.empty()) {
    status_ += "; no memory-read events (" + traffic_note + ")";
  }
}

HwCounters::~HwCounters() {
  for (int& set : event_sets_) {
    PAPI_cleanup_eventset(set);
    PAPI_destroy_eventset(&set);
  }
}

void HwCounters::start() {
  for (int set : event_sets_) PAPI_start(set);
}

std::vector<std::pair<std::string, double>> HwCounters::stop() {
  std::vector<std::pair<std::string, double>> out;
  if (!available_) return out;
  std::vector<double> sums(names_.size(), 0);
  bool any = false;
  for (int set : event_sets_) {
    std::vector<long long> values(names_.size());
    if (PAPI_stop(set, values.data()) != PAPI_OK) continue;
    any = true;
    for (size_t i = 0; i < names_.size(); ++i) sums[i] += static_cast<double>(values[i]);
  }
  if (!any) return out;
  for (size_t i = 0; i < names_.size(); ++i) out.emplace_back(names_[i], sums[i]);
  return out;
}
#else
HwCounters::HwCounters(const std::string&, const std::vector<int>&,
                       const std::vector<TrafficEvents>&) {
  status_ = "PAPI not built in (libpapi-dev missing)";
}
HwCounters::~HwCounters() = default;
void HwCounters::start() {}
std::vector<std::pair<std::string, double>> HwCounters::stop() {
  return {};
}
#endif

double HwCounters::traffic_bytes(const std::vector<std::pair<std::string, double>>& counts) const {
  double lines = 0;
  for (const auto& [name, value] : counts)
    for (const std::string& e : traffic_.events)
      if (name == e) lines += value;
  return lines * traffic_.bytes_per_count;
}

}  // namespace memwall
