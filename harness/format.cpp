#include "harness/format.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "core/units.hpp"

namespace memwall::harness {

std::string fixed(double v, int decimals) {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string seconds_text(double s) {
  return s >= 1 ? sig(s) + " s" : s >= 1e-3 ? sig(s * 1e3) + " ms" : sig(s * 1e6) + " us";
}

std::string sig(double v) {
  if (!std::isfinite(v)) return "-";
  const double a = std::fabs(v);
  return fixed(v, a >= 100 || a == 0 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : a >= 0.1 ? 3 : 4);
}

std::string bytes_text(double bytes) {
  if (!(bytes > 0) || !std::isfinite(bytes)) return "-";
  std::string s = format_bytes(static_cast<uint64_t>(bytes));
  const size_t unit = s.find_first_not_of("0123456789.");
  return unit == std::string::npos ? s : s.substr(0, unit) + " " + s.substr(unit);
}

std::string percent(double v, int decimals) {
  if (!(v > 0) || !std::isfinite(v)) return "-";
  return fixed(v, decimals) + "%";
}

std::string exact(double v) {
  if (!std::isfinite(v)) return "";
  char buf[64];
  const auto end = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end.ptr);
}

Scale scale_for(Quantity q, double largest) {
  struct Step {
    const char* unit;
    double divisor;
  };
  static const Step flops[] = {{"GFLOP/s", 1}, {"TFLOP/s", 1e3}, {"PFLOP/s", 1e6}};
  static const Step ops[] = {{"GOP/s", 1}, {"TOP/s", 1e3}, {"POP/s", 1e6}};
  static const Step bandwidth[] = {{"GB/s", 1}, {"TB/s", 1e3}, {"PB/s", 1e6}};
  static const Step latency[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}};
  static const Step power[] = {{"W", 1}, {"kW", 1e3}, {"MW", 1e6}};
  const Step* steps = q == Quantity::flops       ? flops
                      : q == Quantity::ops       ? ops
                      : q == Quantity::bandwidth ? bandwidth
                      : q == Quantity::latency   ? latency
                                                 : power;
  // Peaks keep four integer digits (a 1,979 TFLOP/s datasheet figure reads as such); the
  // others move on at a thousand.
  const double limit =
      q == Quantity::flops || q == Quantity::ops || q == Quantity::latency ? 1e4 : 1e3;
  int i = 0;
  while (i < 2 && std::fabs(largest) / steps[i].divisor >= limit) ++i;
  return {steps[i].divisor, steps[i].unit};
}

std::string in_scale(double v, const Scale& s) {
  return v == 0 || !std::isfinite(v) ? "-" : sig(v / s.divisor);
}

std::string with_unit(double v, Quantity q) {
  const Scale s = scale_for(q, v);
  return in_scale(v, s) + " " + s.unit;
}

}  // namespace memwall::harness
