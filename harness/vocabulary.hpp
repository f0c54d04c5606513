// The harness's closed sets of words, each an enum with one table to and from the text
// profile.json holds. The profile stores these, the harness compares these, and the writers
// print their text: no role, kind, verdict state or bound is compared as a string.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <utility>

namespace memwall::harness {

// What a device is (its id is data: cpu, gpu3, storage0).
enum class DeviceKind { unset, cpu, gpu, storage };
// What a memory level is: a cache, the device's memory, or storage below it.
enum class LevelKind { unset, cache, memory, storage };
// Is a figure OK: ok, low, suspect (impossible for its hardware, or measured under load),
// unknown (nothing to judge it against), none (no figure: a path check, a curve with no plateau).
enum class VerdictState { unset, ok, low, suspect, unknown, none };
// What bounds a product or a step.
enum class Bound { unset, memory, compute, host_link, unknown };

// How far apart two cores are, as the reference machines' core-to-core figures are grouped:
// sharing an L3 (or a core), on one package across L3s, across packages or NUMA nodes.
enum class CoreDistance { unset, same_l3, other_l3, other_socket };
// A metric of one run against another or against its history (compare, gate): within the
// noise, beyond it either way, new (no history), or worse while the run was loaded.
enum class Change { unset, same, ok, noise, regression, improvement, added, loaded };
// What a benchmark is for the harness: the role its family declared (core/roles.hpp has each
// role's keys and fields); unset where it declared none.
enum class Role {
  unset,
  bandwidth_curve,
  bandwidth_again,
  level_bandwidth,
  bandwidth,
  latency_curve,
  latency,
  peak,
  host_link,
  host_link_latency,
  peer_link,
  collective,
  point_to_point,
  core_pairs,
  numa_matrix,
  storage,
  product,
  layer,
  step,
  latency_under_load
};
// What a model prediction is in the profile: the first screen's headline, the largest model
// each GPU holds or spills, or the shape of a step that ran (its measured time beside).
enum class PredictionRole { unset, headline, largest, measured };

// One table a set: each value with its text; the first row is what unknown text reads as.
template <class E>
struct WordTable;
template <>
struct WordTable<DeviceKind> {
  static constexpr std::pair<DeviceKind, const char*> table[] = {{DeviceKind::unset, ""},
                                                                 {DeviceKind::cpu, "cpu"},
                                                                 {DeviceKind::gpu, "gpu"},
                                                                 {DeviceKind::storage, "storage"}};
};
template <>
struct WordTable<LevelKind> {
  static constexpr std::pair<LevelKind, const char*> table[] = {{LevelKind::unset, ""},
                                                                {LevelKind::cache, "cache"},
                                                                {LevelKind::memory, "memory"},
                                                                {LevelKind::storage, "storage"}};
};
template <>
struct WordTable<VerdictState> {
  static constexpr std::pair<VerdictState, const char*> table[] = {
      {VerdictState::unset, ""},          {VerdictState::ok, "ok"},
      {VerdictState::low, "low"},         {VerdictState::suspect, "suspect"},
      {VerdictState::unknown, "unknown"}, {VerdictState::none, "none"}};
};
template <>
struct WordTable<Bound> {
  static constexpr std::pair<Bound, const char*> table[] = {{Bound::unset, ""},
                                                            {Bound::memory, "memory"},
                                                            {Bound::compute, "compute"},
                                                            {Bound::host_link, "host link"},
                                                            {Bound::unknown, "unknown"}};
};

template <>
struct WordTable<Role> {
  static constexpr std::pair<Role, const char*> table[] = {
      {Role::unset, ""},
      {Role::bandwidth_curve, "bandwidth_curve"},
      {Role::bandwidth_again, "bandwidth_again"},
      {Role::level_bandwidth, "level_bandwidth"},
      {Role::bandwidth, "bandwidth"},
      {Role::latency_curve, "latency_curve"},
      {Role::latency, "latency"},
      {Role::peak, "peak"},
      {Role::host_link, "host_link"},
      {Role::host_link_latency, "host_link_latency"},
      {Role::peer_link, "peer_link"},
      {Role::collective, "collective"},
      {Role::point_to_point, "point_to_point"},
      {Role::core_pairs, "core_pairs"},
      {Role::numa_matrix, "numa_matrix"},
      {Role::storage, "storage"},
      {Role::product, "product"},
      {Role::layer, "layer"},
      {Role::step, "step"},
      {Role::latency_under_load, "latency_under_load"},
  };
};
template <>
struct WordTable<PredictionRole> {
  static constexpr std::pair<PredictionRole, const char*> table[] = {
      {PredictionRole::unset, ""},
      {PredictionRole::headline, "headline"},
      {PredictionRole::largest, "largest"},
      {PredictionRole::measured, "measured"}};
};

template <>
struct WordTable<CoreDistance> {
  static constexpr std::pair<CoreDistance, const char*> table[] = {
      {CoreDistance::unset, ""},
      {CoreDistance::same_l3, "same_l3"},
      {CoreDistance::other_l3, "other_l3"},
      {CoreDistance::other_socket, "other_socket"}};
};
template <>
struct WordTable<Change> {
  static constexpr std::pair<Change, const char*> table[] = {{Change::unset, ""},
                                                             {Change::same, "same"},
                                                             {Change::ok, "ok"},
                                                             {Change::noise, "noise"},
                                                             {Change::regression, "regression"},
                                                             {Change::improvement, "improvement"},
                                                             {Change::added, "new"},
                                                             {Change::loaded, "loaded"}};
};

template <class E>
concept Word = requires {
  WordTable<E>::table;
};

// The text of a word, as profile.json and the reports write it.
template <Word E>
std::string text(E value) {
  for (const auto& [e, t] : WordTable<E>::table)
    if (e == value) return t;
  return WordTable<E>::table[0].second;
}
// The word of a text; the table's first row (unset) for text outside the set.
template <Word E>
E word(std::string_view text) {
  for (const auto& [e, t] : WordTable<E>::table)
    if (text == t) return e;
  return WordTable<E>::table[0].first;
}

// Writers concatenate words into sentences.
template <Word E>
std::string operator+(const std::string& s, E value) {
  return s + text(value);
}
template <Word E>
std::string operator+(const char* s, E value) {
  return s + text(value);
}
template <Word E>
std::string operator+(E value, const std::string& s) {
  return text(value) + s;
}
template <Word E>
std::string operator+(E value, const char* s) {
  return text(value) + s;
}

}  // namespace memwall::harness

// To and from JSON by the same table (vocabulary.cpp); unknown text reads as unset.
#define MEMWALL_WORD_JSON(E)                \
  void to_json(nlohmann::json& j, E value); \
  void from_json(const nlohmann::json& j, E& value);
namespace memwall::harness {
MEMWALL_WORD_JSON(DeviceKind)
MEMWALL_WORD_JSON(LevelKind)
MEMWALL_WORD_JSON(VerdictState)
MEMWALL_WORD_JSON(Bound)
MEMWALL_WORD_JSON(Role)
MEMWALL_WORD_JSON(PredictionRole)
MEMWALL_WORD_JSON(Change)
MEMWALL_WORD_JSON(CoreDistance)
}  // namespace memwall::harness
