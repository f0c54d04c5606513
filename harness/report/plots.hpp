// The report's figures, each an SVG drawn from the profile alone. figures_of() says which a
// profile has (the HTML writer puts them inline, the figure writer writes their files, the
// document names them), so the three never disagree.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "harness/profile/model.hpp"

namespace memwall::harness {

struct Figure {
  std::string file, caption;
  std::string section;  // memory, roofline, models, interconnect, trend
  std::string device;   // "" for machine-wide figures
  std::function<std::string()> render;
};

std::vector<Figure> figures_of(const Profile& p);

// One device and number format: a ceiling per memory level with a bandwidth (its GB/s in the
// legend, exact corners at the ridge points, which are marked) under the peak, and the
// Transformer products of that device and format, coloured by phase, shaped by model.
std::string roofline_svg(const Profile& p, const std::string& device, const std::string& type);
// Every format's peak over the same ceilings.
std::string roofline_overview_svg(const Profile& p, const std::string& device);
std::string bandwidth_svg(const Profile& p, const std::string& device);
std::string latency_svg(const Profile& p, const std::string& device);
std::string c2c_svg(const Profile& p);
std::string numa_svg(const Profile& p);
std::string p2p_svg(const Profile& p, const std::string& engine, const std::string& direction);
// Decode tokens/s against batch per model: predicted lines, measured markers.
std::string models_svg(const Profile& p, const std::string& device);
// The paper's figure, with each measured device at its datasheet row's release year.
std::string trend_svg(const Profile& p);

}  // namespace memwall::harness
