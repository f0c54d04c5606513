// The one number formatter of every report: significant digits, unit prefixes chosen for the
// values at hand (TFLOP/s for a GPU's peaks, GFLOP/s for a small CPU's, TB/s where bandwidths
// pass a thousand GB/s), sizes in binary units, and exact numbers for data files.
#pragma once
#include <string>

namespace memwall::harness {

// At least three significant digits, never dropping integer digits: 0.512, 12.3, 1234. "-" for
// a number that is not finite.
std::string sig(double v);
std::string fixed(double v, int decimals);
// 4096 -> "4 KiB"; "-" for 0 or less.
std::string bytes_text(double bytes);
// A duration in the unit it reads best in: 1.23 s, 45.6 ms, 789 us.
std::string seconds_text(double seconds);
// "88%" (decimals 0) or "88.0%"; "-" for 0 or less.
std::string percent(double v, int decimals = 0);
// The shortest text that reads back as the same double: data files keep full precision.
std::string exact(double v);

enum class Quantity { flops, ops, bandwidth, latency, power };

// A unit and the divisor that expresses values in it, chosen so that `largest` reads well:
// GFLOP/s up to 10,000 then TFLOP/s, PFLOP/s; GB/s up to 1,000 then TB/s; ns up to 10,000 then
// us, ms.
struct Scale {
  double divisor = 1;
  std::string unit;
};
Scale scale_for(Quantity q, double largest);
// v in that scale, significant digits, no unit ("-" for 0).
std::string in_scale(double v, const Scale& s);
// v with the unit that suits it alone: "871 TFLOP/s", "3.98 TB/s", "17.6 ns".
std::string with_unit(double v, Quantity q);

}  // namespace memwall::harness
