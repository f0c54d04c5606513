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

const std::vector<RoleContract>& role_contracts() {
  // Keys and fields the harness reads from every benchmark of the role (harness/profile/).
  static const std::vector<RoleContract> contracts = {
      {"bandwidth_curve", {"bytes"}, {}},
      {"bandwidth_again", {"bytes"}, {}},
      {"level_bandwidth", {}, {"level"}},
      {"bandwidth", {}, {}},
      {"latency_curve", {"bytes"}, {}},
      {"latency", {}, {}},
      {"peak", {"type"}, {"path"}},
      {"host_link", {"bytes"}, {}},
      {"host_link_latency", {}, {}},
      {"peer_link", {"from", "to"}, {}},
      {"collective", {"bytes"}, {"library"}},
      {"point_to_point", {"placement", "bytes"}, {}},
      {"core_pairs", {"from", "to"}, {}},
      {"numa_matrix", {"cpus", "memory"}, {}},
      {"storage", {"bytes"}, {}},
      {"product", {"op", "batch", "seq"}, {}},
      {"layer", {"batch", "seq"}, {}},
      {"step", {"batch", "seq"}, {}},
      {"latency_under_load", {"node", "mix"}, {}}};
  return contracts;
}

const RoleContract* role_contract(const std::string& role) {
  for (const RoleContract& c : role_contracts())
    if (c.role == role) return &c;
  return nullptr;
}

const std::vector<std::string>& role_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const RoleContract& c : role_contracts()) out.push_back(c.role);
    return out;
  }();
  return names;
}

std::string declaration_problem(const RoleDeclaration& d) {
  const RoleContract* contract = role_contract(d.role);
  if (!contract) return d.family + " declares an unknown role '" + d.role + "'";
  for (const std::string& field : contract->fields)
    if (!d.fields.count(field))
      return d.family + " declares the role " + d.role + " without its field '" + field + "'";
  return "";
}

std::string missing_key(const std::string& role, const std::map<std::string, std::string>& keys) {
  if (const RoleContract* contract = role_contract(role))
    for (const std::string& key : contract->keys)
      if (!keys.count(key)) return key;
  return "";
}

static std::vector<std::string>& problems() {
  static std::vector<std::string> all;
  return all;
}

bool declare_role(const RoleDeclaration& declaration) {
  if (const std::string problem = declaration_problem(declaration); !problem.empty()) {
    problems().push_back(problem);
    return false;
  }
  declarations().push_back(declaration);
  return true;
}

const std::vector<std::string>& role_problems() {
  return problems();
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
  for (const nlohmann::json& e : doc) {
    try {
      RoleDeclaration d;
      d.family = e.at("family").get<std::string>();
      d.role = e.at("role").get<std::string>();
      d.device = e.value("device", "");
      d.variant = e.value("variant", "");
      if (e.contains("keys")) d.keys = e["keys"].get<std::map<std::string, std::string>>();
      if (e.contains("fields")) d.fields = e["fields"].get<std::map<std::string, std::string>>();
      if (const std::string problem = declaration_problem(d); !problem.empty())
        throw std::invalid_argument(problem);
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
