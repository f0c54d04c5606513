#include "harness/figure.hpp"

#include <algorithm>
#include <tuple>

namespace memwall::harness {

namespace {
std::vector<FigureModule>& modules() {
  static std::vector<FigureModule> all;
  return all;
}
}  // namespace

bool add_figure(FigureModule module) {
  auto& all = modules();
  all.push_back(std::move(module));
  std::stable_sort(all.begin(), all.end(), [](const FigureModule& a, const FigureModule& b) {
    return std::tie(a.section_order, a.name) < std::tie(b.section_order, b.name);
  });
  return true;
}

const std::vector<FigureModule>& figure_modules() {
  return modules();
}

}  // namespace memwall::harness
