#include "harness/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace memwall::harness {

namespace {

const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                         "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
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
  std::vector<double> ticks() const {
    std::vector<double> t;
    if (log) {
      for (double e = std::floor(std::log10(lo)); e <= std::ceil(std::log10(hi)); ++e) {
        const double v = std::pow(10.0, e);
        if (v >= lo * 0.999 && v <= hi * 1.001) t.push_back(v);
      }
    } else {
      const double step = std::pow(10.0, std::floor(std::log10((hi - lo) / 4)));
      for (double v = std::ceil(lo / step) * step; v <= hi; v += step) t.push_back(v);
    }
    return t;
  }
};

Axis make_axis(bool log, double lo, double hi) {
  if (!(lo < hi)) {
    lo = log ? lo / 2 : lo - 1;
    hi = log ? hi * 2 : hi + 1;
  }
  if (log) {  // whole decades read best
    lo = std::pow(10.0, std::floor(std::log10(lo)));
    hi = std::pow(10.0, std::ceil(std::log10(hi)));
  }
  return {log, lo, hi};
}

}  // namespace

std::string render_svg(const Plot& plot) {
  double xlo = std::numeric_limits<double>::max(), xhi = -xlo, ylo = xlo, yhi = -xlo;
  for (const Series& s : plot.series)
    for (const auto& [x, y] : s.points) {
      if ((plot.log_x && x <= 0) || (plot.log_y && y <= 0) || !std::isfinite(x) ||
          !std::isfinite(y))
        continue;
      xlo = std::min(xlo, x), xhi = std::max(xhi, x), ylo = std::min(ylo, y),
      yhi = std::max(yhi, y);
    }
  if (xlo > xhi) xlo = 1, xhi = 10, ylo = 1, yhi = 10;  // nothing to draw: an empty frame
  const Axis ax = make_axis(plot.log_x, xlo, xhi), ay = make_axis(plot.log_y, ylo, yhi);
  const double left = 80, right = 200, top = 40, bottom = 60;
  const double pw = plot.width - left - right, ph = plot.height - top - bottom;
  auto px = [&](double x) { return left + ax.to_unit(x) * pw; };
  auto py = [&](double y) { return top + (1 - ay.to_unit(y)) * ph; };

  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << plot.width << "\" height=\""
      << plot.height << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << left << "\" y=\"24\" font-size=\"15\">" << escape(plot.title)
      << "</text>\n";
  for (double t : ax.ticks())
    svg << "<line x1=\"" << px(t) << "\" y1=\"" << top << "\" x2=\"" << px(t) << "\" y2=\""
        << top + ph << "\" stroke=\"#ddd\"/><text x=\"" << px(t) << "\" y=\"" << top + ph + 16
        << "\" text-anchor=\"middle\">" << tick_label(t) << "</text>\n";
  for (double t : ay.ticks())
    svg << "<line x1=\"" << left << "\" y1=\"" << py(t) << "\" x2=\"" << left + pw << "\" y2=\""
        << py(t) << "\" stroke=\"#ddd\"/><text x=\"" << left - 6 << "\" y=\"" << py(t) + 4
        << "\" text-anchor=\"end\">" << tick_label(t) << "</text>\n";
  svg << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << pw << "\" height=\"" << ph
      << "\" fill=\"none\" stroke=\"black\"/>\n"
      << "<text x=\"" << left + pw / 2 << "\" y=\"" << plot.height - 18
      << "\" text-anchor=\"middle\">" << escape(plot.x_label) << "</text>\n"
      << "<text transform=\"translate(18," << top + ph / 2
      << ") rotate(-90)\" text-anchor=\"middle\">" << escape(plot.y_label) << "</text>\n";
  for (const auto& [x, label] : plot.x_marks) {
    if (x < ax.lo || x > ax.hi) continue;
    svg << "<line x1=\"" << px(x) << "\" y1=\"" << top << "\" x2=\"" << px(x) << "\" y2=\""
        << top + ph << "\" stroke=\"#555\" stroke-dasharray=\"4,3\"/><text x=\"" << px(x) + 3
        << "\" y=\"" << top + 12 << "\" fill=\"#555\">" << escape(label) << "</text>\n";
  }
  int index = 0;
  for (const Series& s : plot.series) {
    const char* color = kColors[index % 10];
    std::ostringstream path;
    int drawn = 0;
    for (size_t i = 0; i < s.points.size(); ++i) {
      const auto [x, y] = s.points[i];
      if ((plot.log_x && x <= 0) || (plot.log_y && y <= 0) || !std::isfinite(x) ||
          !std::isfinite(y))
        continue;
      path << (drawn++ ? " L" : "M") << px(x) << "," << py(y);
      if (s.markers)
        svg << "<circle cx=\"" << px(x) << "\" cy=\"" << py(y) << "\" r=\"3.5\" fill=\"" << color
            << "\"/>\n";
      if (i < s.labels.size() && !s.labels[i].empty())
        svg << "<text x=\"" << px(x) + 5 << "\" y=\"" << py(y) - 5 << "\" font-size=\"10\" fill=\""
            << color << "\">" << escape(s.labels[i]) << "</text>\n";
    }
    if (s.line && drawn > 1)
      svg << "<path d=\"" << path.str() << "\" fill=\"none\" stroke=\"" << color
          << "\" stroke-width=\"1.6\"/>\n";
    const double ly = top + 14 + 18 * index;
    svg << "<rect x=\"" << left + pw + 12 << "\" y=\"" << ly - 9
        << "\" width=\"12\" height=\"10\" fill=\"" << color << "\"/><text x=\"" << left + pw + 30
        << "\" y=\"" << ly << "\">" << escape(s.name) << "</text>\n";
    ++index;
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace memwall::harness
