// A member of a JSON object by reference, or an empty object: for range-for loops, where
// `j.value("k", json::object()).items()` would iterate a temporary that is already gone.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace memwall::harness {

inline const nlohmann::json& member(const nlohmann::json& j, const std::string& key) {
  static const nlohmann::json empty = nlohmann::json::object();
  if (!j.is_object()) return empty;
  const auto it = j.find(key);
  return it == j.end() ? empty : *it;
}

}  // namespace memwall::harness
