#include "harness/report/svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "core/units.hpp"
#include "harness/format.hpp"
#include "harness/report/document.hpp"

namespace memwall::harness {

namespace {

const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                         "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string tick_label(double v) {
  char buf[32];
  const double a = std::fabs(v);
  if (a >= 1e12)
    std::snprintf(buf, sizeof buf, "%gT", v / 1e12);
  else if (a >= 1e9)
    std::snprintf(buf, sizeof buf, "%gG", v / 1e9);
  else if (a >= 1e6)
    std::snprintf(buf, sizeof buf, "%gM", v / 1e6);
  else if (a >= 1e4)
    std::snprintf(buf, sizeof buf, "%gk", v / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

struct Axis {
  bool log;
  double lo, hi;
  double to_unit(double v) const {  // 0..1 along the axis
    return log ? (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo))
               : (v - lo) / (hi - lo);
  }
  // Decades; with 1-2-5 between them when the axis spans fewer than three.
  std::vector<double> ticks() const {
    std::vector<double> t;
    if (log) {
      const bool fine = std::log10(hi / lo) < 3;
      for (double e = std::floor(std::log10(lo)); e <= std::ceil(std::log10(hi)); ++e)
        for (double m : fine ? std::vector<double>{1, 2, 5} : std::vector<double>{1}) {
          const double v = m * std::pow(10.0, e);
          if (v >= lo * 0.999 && v <= hi * 1.001) t.push_back(v);
        }
    } else {
      double step = std::pow(10.0, std::floor(std::log10((hi - lo) / 4)));
      if ((hi - lo) / step > 10) step *= 2;
      for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9; v += step) t.push_back(v);
    }
    return t;
  }
  // Powers of two, every few octaves, for sizes.
  std::vector<double> byte_ticks() const {
    std::vector<double> t;
    const double octaves = std::log2(hi / lo);
    const int step = octaves > 24 ? 4 : octaves > 12 ? 2 : 1;
    for (int e = static_cast<int>(std::ceil(std::log2(lo))); e <= std::log2(hi); ++e)
      if (e % step == 0) t.push_back(std::ldexp(1.0, e));
    return t;
  }
};

// The data range with a little room; a log axis never gets a whole empty decade.
Axis make_axis(bool log, double lo, double hi) {
  if (!(lo < hi)) {
    lo = log ? lo / 2 : lo - 1;
    hi = log ? hi * 2 : hi + 1;
  }
  if (log) {
    const double pad = std::pow(hi / lo, 0.04);
    return {true, lo / pad, hi * pad};
  }
  const double pad = (hi - lo) * 0.04;
  return {false, lo - pad, hi + pad};
}

bool drawable(bool log, double v) {
  return std::isfinite(v) && (!log || v > 0);
}

void marker(std::ostringstream& svg, char shape, double x, double y, const std::string& color) {
  switch (shape) {
    case 's':
      svg << "<rect x=\"" << num(x - 3.5) << "\" y=\"" << num(y - 3.5)
          << "\" width=\"7\" height=\"7\" fill=\"" << color << "\"/>\n";
      break;
    case '^':
      svg << "<path d=\"M" << num(x) << "," << num(y - 4.5) << " L" << num(x + 4.5) << ","
          << num(y + 3.5) << " L" << num(x - 4.5) << "," << num(y + 3.5) << " Z\" fill=\"" << color
          << "\"/>\n";
      break;
    case 'd':
      svg << "<path d=\"M" << num(x) << "," << num(y - 5) << " L" << num(x + 4.5) << "," << num(y)
          << " L" << num(x) << "," << num(y + 5) << " L" << num(x - 4.5) << "," << num(y)
          << " Z\" fill=\"" << color << "\"/>\n";
      break;
    default:
      svg << "<circle cx=\"" << num(x) << "\" cy=\"" << num(y) << "\" r=\"3.5\" fill=\"" << color
          << "\"/>\n";
  }
}

// The median ratio between neighbouring sizes (2 on a doubling grid); 0 for fewer than 3.
double usual_step(const std::vector<std::pair<double, double>>& points) {
  std::vector<double> steps;
  for (size_t i = 1; i < points.size(); ++i)
    if (points[i - 1].first > 0 && points[i].first > points[i - 1].first)
      steps.push_back(points[i].first / points[i - 1].first);
  if (steps.size() < 2) return 0;
  std::sort(steps.begin(), steps.end());
  return steps[steps.size() / 2];
}

struct Box {
  double x0, y0, x1, y1;
  bool overlaps(const Box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

// Splits a legend entry into lines of at most `chars` characters at spaces.
std::vector<std::string> wrap(const std::string& text, size_t chars) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream words(text);
  for (std::string w; words >> w;) {
    if (!line.empty() && line.size() + 1 + w.size() > chars) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + w;
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

}  // namespace

std::string render_svg(const Plot& plot) {
  double xlo = std::numeric_limits<double>::max(), xhi = -xlo, ylo = xlo, yhi = -xlo;
  for (const PlotSeries& s : plot.series)
    for (const auto& [x, y] : s.points) {
      if (!drawable(plot.log_x, x) || !drawable(plot.log_y, y)) continue;
      xlo = std::min(xlo, x), xhi = std::max(xhi, x), ylo = std::min(ylo, y),
      yhi = std::max(yhi, y);
    }
  if (xlo > xhi) xlo = 1, xhi = 10, ylo = 1, yhi = 10;  // nothing to draw: an empty frame
  const Axis ax = make_axis(plot.log_x, xlo, xhi), ay = make_axis(plot.log_y, ylo, yhi);
  const double left = 80, right = plot.legend_width + 20, top = 40, bottom = 60;
  const double pw = plot.width - left - right, ph = plot.height - top - bottom;
  auto px = [&](double x) { return left + ax.to_unit(x) * pw; };
  auto py = [&](double y) { return top + (1 - ay.to_unit(y)) * ph; };

  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << plot.width << "\" height=\""
      << plot.height << "\" viewBox=\"0 0 " << plot.width << " " << plot.height
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << left << "\" y=\"24\" font-size=\"15\">" << html_escape(plot.title)
      << "</text>\n";
  const std::vector<double> xticks = plot.x_bytes ? ax.byte_ticks() : ax.ticks();
  for (double t : xticks)
    svg << "<line x1=\"" << num(px(t)) << "\" y1=\"" << top << "\" x2=\"" << num(px(t))
        << "\" y2=\"" << num(top + ph) << "\" stroke=\"#e3e3e3\"/><text x=\"" << num(px(t))
        << "\" y=\"" << num(top + ph + 16) << "\" text-anchor=\"middle\">"
        << (plot.x_bytes ? format_bytes(static_cast<uint64_t>(t)) : tick_label(t)) << "</text>\n";
  for (double t : ay.ticks())
    svg << "<line x1=\"" << left << "\" y1=\"" << num(py(t)) << "\" x2=\"" << num(left + pw)
        << "\" y2=\"" << num(py(t)) << "\" stroke=\"#e3e3e3\"/><text x=\"" << left - 6 << "\" y=\""
        << num(py(t) + 4) << "\" text-anchor=\"end\">" << tick_label(t) << "</text>\n";
  svg << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << num(pw) << "\" height=\""
      << num(ph) << "\" fill=\"none\" stroke=\"black\"/>\n"
      << "<text x=\"" << num(left + pw / 2) << "\" y=\"" << plot.height - 18
      << "\" text-anchor=\"middle\">" << html_escape(plot.x_label) << "</text>\n"
      << "<text transform=\"translate(18," << num(top + ph / 2)
      << ") rotate(-90)\" text-anchor=\"middle\">" << html_escape(plot.y_label) << "</text>\n";
  // Vertical marks; their labels step down when they would overlap the one before.
  double last_x = -1e9;
  int stagger = 0;
  for (const auto& [x, label] : plot.x_marks) {
    if (x < ax.lo || x > ax.hi) continue;
    const double at = px(x);
    stagger = at - last_x < 7.0 * static_cast<double>(label.size()) ? stagger + 1 : 0;
    last_x = at;
    svg << "<line x1=\"" << num(at) << "\" y1=\"" << top << "\" x2=\"" << num(at) << "\" y2=\""
        << num(top + ph) << "\" stroke=\"#777\" stroke-dasharray=\"4,3\"/><text x=\"" << num(at + 3)
        << "\" y=\"" << top + 12 + 13 * (stagger % 4) << "\" fill=\"#555\">" << html_escape(label)
        << "</text>\n";
  }
  std::vector<Box> taken;  // point labels placed so far
  double legend_y = top + 14;
  int palette = 0;
  for (const PlotSeries& s : plot.series) {
    const std::string color = s.color.empty() ? kColors[palette++ % 10] : s.color;
    std::ostringstream path, hover;
    int drawn = 0;
    const double gap = s.break_at_gaps ? 2 * usual_step(s.points) : 0;
    double last = 0;
    for (size_t i = 0; i < s.points.size(); ++i) {
      const auto [x, y] = s.points[i];
      if (!drawable(plot.log_x, x) || !drawable(plot.log_y, y)) continue;
      const bool jump = drawn && gap > 0 && last > 0 && x / last > gap;
      path << (drawn++ && !jump ? " L" : " M") << num(px(x)) << "," << num(py(y));
      last = x;
      if (s.markers) marker(svg, s.marker, px(x), py(y), color);
      if (s.values_on_hover)
        hover << "<circle cx=\"" << num(px(x)) << "\" cy=\"" << num(py(y))
              << "\" r=\"5\" fill=\"transparent\"><title>"
              << html_escape(
                     s.name +
                     (i < s.labels.size() && !s.labels[i].empty() ? " (" + s.labels[i] + ")" : "") +
                     ": " + (plot.x_bytes ? bytes_text(x) : sig(x) + " " + plot.x_label) + ", " +
                     sig(y) + " " + plot.y_label)
              << "</title></circle>\n";
      if (i < s.labels.size() && !s.labels[i].empty()) {
        const double w = 5.6 * static_cast<double>(s.labels[i].size());
        Box box{px(x) + 5, py(y) - 15, px(x) + 5 + w, py(y) - 4};
        bool free = box.x1 <= left + pw;
        for (const Box& b : taken) free = free && !box.overlaps(b);
        if (free) {
          taken.push_back(box);
          svg << "<text x=\"" << num(box.x0) << "\" y=\"" << num(py(y) - 5)
              << "\" font-size=\"10\" fill=\"" << color << "\">" << html_escape(s.labels[i])
              << "</text>\n";
        }
      }
    }
    if (s.line && drawn > 1)
      svg << "<path d=\"" << path.str().substr(1) << "\" fill=\"none\" stroke=\"" << color
          << "\" stroke-width=\"1.6\"" << (s.dashed ? " stroke-dasharray=\"6,4\"" : "") << "/>\n";
    svg << hover.str();
    if (!s.in_legend) continue;
    const std::vector<std::string> lines =
        wrap(s.name, static_cast<size_t>(plot.legend_width / 6.6));
    if (s.line)
      svg << "<line x1=\"" << num(left + pw + 12) << "\" y1=\"" << num(legend_y - 4) << "\" x2=\""
          << num(left + pw + 26) << "\" y2=\"" << num(legend_y - 4) << "\" stroke=\"" << color
          << "\" stroke-width=\"2\"" << (s.dashed ? " stroke-dasharray=\"4,2\"" : "") << "/>\n";
    else
      marker(svg, s.marker, left + pw + 19, legend_y - 4, color);
    for (size_t l = 0; l < lines.size(); ++l)
      svg << "<text x=\"" << num(left + pw + 30) << "\" y=\"" << num(legend_y + 14.0 * l) << "\">"
          << html_escape(lines[l]) << "</text>\n";
    legend_y += 14.0 * static_cast<double>(lines.size()) + 5;
  }
  for (const Note& n : plot.notes) {
    if (!drawable(plot.log_x, n.x) || !drawable(plot.log_y, n.y)) continue;
    svg << "<text x=\"" << num(px(n.x) + 4) << "\" y=\"" << num(py(n.y) - 6)
        << "\" font-size=\"10\" fill=\"" << n.color << "\">" << html_escape(n.text) << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

std::string render_heat_map(const HeatMap& map) {
  const size_t rows = map.values.size();
  const size_t cols = rows ? map.values[0].size() : 0;
  // Up to a few dozen units each cell is labelled and holds its value; a 384-unit machine's
  // matrix stays one screen: small cells, every few units labelled, the colour carries it.
  const double cell = std::clamp(560.0 / std::max<size_t>(1, std::max(rows, cols)), 1.5, 48.0);
  const size_t label_every = static_cast<size_t>(std::ceil(14.0 / cell));
  const double left = 70, top = 50;
  const double width = left + cell * static_cast<double>(cols) + 190;
  const double height = top + cell * static_cast<double>(rows) + 40;
  double lo = std::numeric_limits<double>::max(), hi = 0;
  for (const auto& row : map.values)
    for (double v : row)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (lo > hi) lo = hi = 0;
  auto shade = [&](double v) {  // white (low) to dark red (high)
    const double t = hi > lo ? (v - lo) / (hi - lo) : 0;
    char buf[16];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", 255, static_cast<int>(235 - 190 * t),
                  static_cast<int>(225 - 200 * t));
    return std::string(buf);
  };
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(width) << "\" height=\""
      << num(height) << "\" font-family=\"sans-serif\" font-size=\"11\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"" << left
      << "\" y=\"22\" font-size=\"15\">" << html_escape(map.title) << "</text>\n"
      << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << num(cell * cols)
      << "\" height=\"" << num(cell * rows) << "\" fill=\"#eee\"/>\n";
  for (size_t c = 0; c < cols; c += label_every)
    svg << "<text x=\"" << num(left + cell * (c + 0.5)) << "\" y=\"" << top - 6
        << "\" text-anchor=\"middle\">"
        << html_escape(c < map.column_labels.size() ? map.column_labels[c] : "") << "</text>\n";
  for (size_t r = 0; r < rows; ++r) {
    if (r % label_every == 0)
      svg << "<text x=\"" << left - 6 << "\" y=\"" << num(top + cell * (r + 0.5) + 4)
          << "\" text-anchor=\"end\">"
          << html_escape(r < map.row_labels.size() ? map.row_labels[r] : "") << "</text>\n";
    for (size_t c = 0; c < cols; ++c) {
      const double v = map.values[r][c];
      if (!std::isfinite(v)) continue;  // the grey background: not measured
      svg << "<rect x=\"" << num(left + cell * c) << "\" y=\"" << num(top + cell * r)
          << "\" width=\"" << num(cell) << "\" height=\"" << num(cell) << "\" fill=\"" << shade(v)
          << "\"" << (cell >= 6 ? " stroke=\"white\"" : "") << "/>\n";
      if (cell >= 26)
        svg << "<text x=\"" << num(left + cell * (c + 0.5)) << "\" y=\""
            << num(top + cell * (r + 0.5) + 4) << "\" text-anchor=\"middle\" font-size=\"10\">"
            << num(v) << "</text>\n";
    }
  }
  svg << "<text x=\"" << num(left + cell * cols + 12) << "\" y=\"" << top + 12 << "\">"
      << html_escape(map.unit) << ": " << num(lo) << " (light) .. " << num(hi)
      << " (dark)</text>\n";
  svg << "<text x=\"" << num(left + cell * cols + 12) << "\" y=\"" << top + 28
      << "\">grey: not measured</text>\n";
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace memwall::harness
