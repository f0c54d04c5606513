#include "harness/cli/command.hpp"

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "harness/profile/input_error.hpp"

namespace memwall::harness {

namespace {
std::vector<Command>& registry() {
  static std::vector<Command> all;
  return all;
}
}  // namespace

bool add_command(const Command& command) {
  auto& all = registry();
  all.insert(std::upper_bound(all.begin(), all.end(), command,
                              [](const Command& a, const Command& b) { return a.order < b.order; }),
             command);
  return true;
}

const std::vector<Command>& commands() {
  return registry();
}

double parse_threshold(const std::string& text) {
  std::string t = text;
  const bool percent = !t.empty() && t.back() == '%';
  if (percent) t.pop_back();
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(t, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != t.size() || v < 0)
    throw InputError("bad threshold '" + text + "' (e.g. 5%)");
  return percent || v >= 1 ? v / 100 : v;
}

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::vector<std::string> bench_wrapper() {
  const char* w = std::getenv("MEMWALL_WRAPPER");
  return w ? split_words(w) : std::vector<std::string>{};
}

}  // namespace memwall::harness
