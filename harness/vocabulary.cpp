#include "harness/vocabulary.hpp"

#include <nlohmann/json.hpp>

namespace memwall::harness {

#define MEMWALL_WORD_JSON_BODIES(E)                                                       \
  void to_json(nlohmann::json& j, E value) {                                              \
    j = text(value);                                                                      \
  }                                                                                       \
  void from_json(const nlohmann::json& j, E& value) {                                     \
    value = j.is_string() ? word<E>(j.get<std::string>()) : WordTable<E>::table[0].first; \
  }
MEMWALL_WORD_JSON_BODIES(DeviceKind)
MEMWALL_WORD_JSON_BODIES(LevelKind)
MEMWALL_WORD_JSON_BODIES(VerdictState)
MEMWALL_WORD_JSON_BODIES(Bound)
MEMWALL_WORD_JSON_BODIES(Role)
MEMWALL_WORD_JSON_BODIES(PredictionRole)
MEMWALL_WORD_JSON_BODIES(Change)
MEMWALL_WORD_JSON_BODIES(CoreDistance)

}  // namespace memwall::harness
