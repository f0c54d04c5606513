// The report's figures, each an SVG built from the profile (and the curves behind it).
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/profile.hpp"

namespace memwall::harness {

// Bandwidth and latency against the working set, every kernel / variant, with the levels'
// edges marked.
std::string bandwidth_svg(const ProfileInputs& in, const std::string& device);
std::string latency_svg(const ProfileInputs& in, const std::string& device);

// One device and number format: a ceiling per memory level (its GB/s in the legend, exact
// corners at the ridge points, which are marked) under the peak, and the Transformer products
// of that device and format, coloured by phase, shaped by model.
std::string roofline_svg(const nlohmann::json& profile, const std::string& device,
                         const std::string& type);
// The formats a roofline can be drawn for (a peak and a memory level), per device.
std::vector<std::pair<std::string, std::string>> roofline_panels(const nlohmann::json& profile);

// Core-to-core latency as a heat map (one way, ns), from the profile's interconnect section.
std::string c2c_svg(const nlohmann::json& profile);
// A counter of one family against the message size, one line per variant (and placement or
// in-place form): MPI latency and bandwidth, collectives' bus bandwidth.
std::string message_svg(const ProfileInputs& in, const std::string& family,
                        const std::vector<std::string>& variants, const std::string& counter,
                        const std::string& title, const std::string& y_label);

// The paper's figure: peak FLOP/s, DRAM/HBM and interconnect bandwidth by year, each relative
// to its own first device, with the fitted growth rates; each measured device placed by its
// model's release year where the datasheet knows it. `why_not` says why one was not placed.
std::string trend_svg(const nlohmann::json& profile, const std::string& data_dir,
                      std::vector<std::string>* why_not = nullptr);

}  // namespace memwall::harness
