#include "harness/profile/roofline.hpp"

#include <algorithm>

namespace memwall::harness {

std::vector<Ceiling> Roofline::roofs() const {
  std::vector<Ceiling> out;
  for (const Ceiling& c : levels)
    if (c.bandwidth_GBps > 0) out.push_back(c);
  return out;
}

Ceiling Roofline::memory_roof() const {
  Ceiling memory;
  for (const Ceiling& c : roofs())
    if (!c.beyond_memory || memory.bandwidth_GBps <= 0) memory = c;
  return memory;
}

Roofline roofline_of(const std::vector<Level>& levels, const std::string& device,
                     const std::string& type, double peak_GFLOPps) {
  Roofline r;
  r.device = device;
  r.type = type;
  r.peak_GFLOPps = peak_GFLOPps;
  for (const Level& l : levels)
    r.levels.push_back(
        {l.name, l.bandwidth_GBps,
         l.placement_capacity_bytes > 0 ? l.placement_capacity_bytes : l.capacity_bytes,
         l.kind == LevelKind::storage});
  return r;
}

Roofline roofline_of(const Profile& p, const std::string& device, const std::string& type) {
  double peak = 0;
  const auto c = p.compute.find(device);
  if (c != p.compute.end() && c->second.count(type)) peak = c->second.at(type).peak.best;
  const auto m = p.memory.find(device);
  return roofline_of(m == p.memory.end() ? std::vector<Level>{} : m->second, device, type, peak);
}

Placement place(const Roofline& roofline, double bytes, double intensity) {
  Placement p;
  if (!roofline.usable()) return p;
  size_t last = roofline.levels.size();  // memory, unless the operands fit higher
  while (last > 1 && roofline.levels[last - 1].beyond_memory) --last;
  size_t at = last - 1;
  for (size_t i = 0; i < last; ++i)
    if (roofline.levels[i].capacity_bytes > 0 && bytes <= roofline.levels[i].capacity_bytes) {
      at = i;
      break;
    }
  p.fits_in = roofline.levels[at].level;
  size_t roof = at;
  while (roof < last && roofline.levels[roof].bandwidth_GBps <= 0) ++roof;
  if (roof == last) return p;  // nothing at or below it has a bandwidth
  const Ceiling& c = roofline.levels[roof];
  if (roof != at)
    p.note = p.fits_in + " has no bandwidth; judged by " + c.level +
             "'s roof, which a faster level exceeds";
  p.level = c.level;
  p.bandwidth_GBps = c.bandwidth_GBps;
  p.ridge_flop_per_byte = roofline.peak_GFLOPps / c.bandwidth_GBps;
  p.attainable_GFLOPps = std::min(roofline.peak_GFLOPps, intensity * c.bandwidth_GBps);
  p.bound = intensity < p.ridge_flop_per_byte ? Bound::memory : Bound::compute;
  return p;
}

}  // namespace memwall::harness
