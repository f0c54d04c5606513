#include "core/registry.hpp"

#include <map>

namespace memwall {

namespace {
std::map<std::string, Family>& families() {
  static std::map<std::string, Family> registry;
  return registry;
}
}  // namespace

bool add_family(Family family) {
  const std::string name = family.name;
  families()[name] = std::move(family);
  return true;
}

bool add_family(const std::string& name, std::function<void(const RunConfig&)> add) {
  return add_family(Family{name, nullptr, std::move(add)});
}

void add_family_options(Flags& flags) {
  for (const auto& [name, f] : families())
    if (f.options) {
      Flags group = flags.group(name);
      f.options(group);
    }
}

void register_families(const RunConfig& config) {
  for (const auto& [name, f] : families()) f.add(config);
  for (const auto& [name, f] : families())
    if (f.again) f.again(config);
}

std::vector<std::string> family_names() {
  std::vector<std::string> names;
  for (const auto& [name, f] : families()) names.push_back(name);
  return names;
}

}  // namespace memwall
