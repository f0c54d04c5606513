#include "core/registry.hpp"

#include <map>

namespace memwall {

namespace {
std::map<std::string, FamilyFn>& families() {
  static std::map<std::string, FamilyFn> registry;
  return registry;
}
}  // namespace

bool add_family(const std::string& name, FamilyFn fn) {
  families()[name] = std::move(fn);
  return true;
}

void register_families() {
  for (const auto& [name, fn] : families()) fn();
}

std::vector<std::string> family_names() {
  std::vector<std::string> names;
  for (const auto& [name, fn] : families()) names.push_back(name);
  return names;
}

}  // namespace memwall
