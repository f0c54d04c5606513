// The harness's words: each enum's table reads back what it writes, and the roles are exactly
// the closed set core declares.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/roles.hpp"
#include "harness/vocabulary.hpp"

using namespace memwall::harness;

namespace {

template <class E>
void round_trips() {
  for (const auto& [value, name] : WordTable<E>::table) {
    EXPECT_EQ(text(value), name);
    EXPECT_EQ(word<E>(name), value) << name;
    const nlohmann::json j = value;
    EXPECT_EQ(j.get<std::string>(), name);
    EXPECT_EQ(j.get<E>(), value) << name;
  }
  // Text outside the set (a newer memwall's word) reads as the first row, never a throw.
  EXPECT_EQ(word<E>("no such word"), WordTable<E>::table[0].first);
  EXPECT_EQ(nlohmann::json(7).get<E>(), WordTable<E>::table[0].first);
}

}  // namespace

TEST(Vocabulary, EveryWordReadsBackWhatItWrites) {
  round_trips<DeviceKind>();
  round_trips<LevelKind>();
  round_trips<VerdictState>();
  round_trips<Bound>();
  round_trips<Role>();
  round_trips<PredictionRole>();
  round_trips<Change>();
  round_trips<CoreDistance>();
}

TEST(Vocabulary, TheRolesAreCoresClosedSet) {
  std::vector<std::string> ours;
  for (const auto& [role, name] : WordTable<Role>::table)
    if (role != Role::unset) ours.push_back(name);
  EXPECT_EQ(ours, memwall::role_names());
}

TEST(Vocabulary, SentencesTakeTheText) {
  EXPECT_EQ("First " + VerdictState::suspect + ": x", "First suspect: x");
  EXPECT_EQ(Bound::host_link + std::string("-bound"), "host link-bound");
}
