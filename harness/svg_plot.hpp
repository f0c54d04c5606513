// A small SVG chart writer: lines and markers on linear or log axes, with labelled vertical
// marks. Enough for memwall's curves, roofline and trend chart without a plotting dependency.
#pragma once
#include <string>
#include <vector>

namespace memwall::harness {

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;
  bool line = true;                 // connect the points
  bool markers = false;             // draw a dot at each point
  std::vector<std::string> labels;  // optional text beside each point
};

struct Plot {
  std::string title, x_label, y_label;
  bool log_x = true, log_y = true;
  std::vector<Series> series;
  std::vector<std::pair<double, std::string>> x_marks;  // vertical dashed lines with a label
  int width = 820, height = 520;
};

std::string render_svg(const Plot& plot);

}  // namespace memwall::harness
