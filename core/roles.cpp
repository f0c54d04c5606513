#include "core/roles.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace memwall {

namespace {

std::vector<RoleDeclaration>& declarations() {
  static std::vector<RoleDeclaration> all;
  return all;
}

bool variant_matches(const std::string& declared, const std::string& variant) {
  return declared.empty() || variant == declared ||
         (variant.size() > declared.size() && variant.compare(0, declared.size(), declared) == 0 &&
          variant[declared.size()] == '/');
}

}  // namespace

const std::vector<std::string>& role_names() {
  static const std::vector<std::string> names = {"bandwidth_curve",
                                                 "bandwidth_again",
                                                 "level_bandwidth",
                                                 "bandwidth",
                                                 "latency_curve",
                                                 "latency",
                                                 "peak",
                                                 "host_link",
                                                 "host_link_latency",
                                                 "peer_link",
                                                 "collective",
                                                 "point_to_point",
                                                 "core_pairs",
                                                 "numa_matrix",
                                                 "storage",
                                                 "product",
                                                 "layer",
                                                 "step",
                                                 "latency_under_load"};
  return names;
}

bool declare_role(const RoleDeclaration& declaration) {
  const auto& names = role_names();
  if (std::find(names.begin(), names.end(), declaration.role) == names.end())
    throw std::logic_error(declaration.family + " declares an unknown role: " + declaration.role);
  declarations().push_back(declaration);
  return true;
}

const std::vector<RoleDeclaration>& declared_roles() {
  return declarations();
}

std::string roles_json(const std::vector<RoleDeclaration>& list) {
  nlohmann::json out = nlohmann::json::array();
  for (const RoleDeclaration& d : list) {
    nlohmann::json entry = {{"family", d.family}, {"role", d.role}, {"device", d.device}};
    if (!d.variant.empty()) entry["variant"] = d.variant;
    if (!d.keys.empty()) entry["keys"] = d.keys;
    if (!d.fields.empty()) entry["fields"] = d.fields;
    out.push_back(entry);
  }
  return out.dump();
}

std::vector<RoleDeclaration> roles_from_json(const std::string& text) {
  std::vector<RoleDeclaration> out;
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error&) {
    throw std::invalid_argument("the role declarations are not JSON");
  }
  if (!doc.is_array()) throw std::invalid_argument("the role declarations are not a list");
  const auto& names = role_names();
  for (const nlohmann::json& e : doc) {
    try {
      RoleDeclaration d;
      d.family = e.at("family").get<std::string>();
      d.role = e.at("role").get<std::string>();
      d.device = e.value("device", "");
      d.variant = e.value("variant", "");
      if (e.contains("keys")) d.keys = e["keys"].get<std::map<std::string, std::string>>();
      if (e.contains("fields")) d.fields = e["fields"].get<std::map<std::string, std::string>>();
      if (std::find(names.begin(), names.end(), d.role) == names.end())
        throw std::invalid_argument("unknown role '" + d.role + "' for " + d.family);
      out.push_back(d);
    } catch (const nlohmann::json::exception&) {
      throw std::invalid_argument("a role declaration without a family or a role");
    }
  }
  return out;
}

const RoleDeclaration* role_of(const std::vector<RoleDeclaration>& list, const std::string& family,
                               const std::string& variant,
                               const std::map<std::string, std::string>& keys) {
  const RoleDeclaration* best = nullptr;
  auto specificity = [](const RoleDeclaration& d) {
    return std::make_pair(!d.variant.empty(), d.keys.size());
  };
  for (const RoleDeclaration& d : list) {
    if (d.family != family || !variant_matches(d.variant, variant)) continue;
    const bool keys_match = std::all_of(d.keys.begin(), d.keys.end(), [&](const auto& kv) {
      const auto it = keys.find(kv.first);
      return it != keys.end() && (kv.second == "*" || it->second == kv.second);
    });
    if (keys_match && (!best || specificity(d) > specificity(*best))) best = &d;
  }
  return best;
}

}  // namespace memwall
