// "Is this machine healthy?": the verdict on every headline figure, the reference machines
// placed beside them, the run's state, and the command that made the run.
#include "harness/report/health.hpp"

#include <map>
#include <set>

#include "harness/format.hpp"

namespace memwall::harness {

namespace {

std::string value_text(const Verdict& v) {
  return v.value > 0 ? sig(v.value) + " " + v.unit : "-";
}

std::string range_text(const Reference& r) {
  return r.low == r.high ? sig(r.low) : sig(r.low) + "-" + sig(r.high);
}

}  // namespace

std::string reproduce_line(const Profile& p) {
  std::string command = machine_value(p, "memwall_command");
  if (command.empty()) command = machine_value(p, "command_line");
  if (!command.empty()) return "Made by `" + command + "`.";
  // Result files written before memwall recorded its command: the run their mode implies.
  const std::string mode = machine_value(p, "memwall_mode");
  return "Made by `memwall run" +
         std::string(mode == "quick"  ? " --quick"
                     : mode == "full" ? " --full"
                                      : "") +
         "` or its like: these result files predate the recorded command line, and this is the "
         "run their mode implies.";
}

std::string health_line(const Profile& p) {
  std::map<std::string, int> count;
  for (const Verdict& v : p.verdicts) ++count[text(v.verdict)];
  if (p.verdicts.empty()) return "";
  std::string text = "**Is it healthy?** Of " + std::to_string(p.verdicts.size()) +
                     " headline figures, " + std::to_string(count["ok"]) + " are OK";
  for (const char* k : {"low", "suspect", "unknown", "none"})
    if (count[k] > 0)
      text += ", " + std::to_string(count[k]) + " " +
              (std::string(k) == "unknown" ? "have nothing to judge them against"
               : std::string(k) == "none"  ? "have no figure"
                                           : k);
  text += " ([verdicts](#health)).";
  for (const Verdict& v : p.verdicts)
    if (v.verdict == VerdictState::low || v.verdict == VerdictState::suspect) {
      text += " First " + v.verdict + ": " + v.device + " " + v.figure + ", " + v.reason + ".";
      break;
    }
  if (!p.run_state.loaded.empty())
    text += " " + std::to_string(p.run_state.loaded.size()) +
            " benchmarks ran under load (see [the run's state](#health)).";
  return text;
}

void health_section(Document& doc, const Profile& p) {
  if (p.verdicts.empty() && p.run_state.settings.empty()) return;
  doc.heading(2, "Is this machine healthy?", "health");
  doc.paragraph(
      "Each headline figure against what its hardware allows (the datasheet, or the model: "
      "channels x MT/s x width, lanes x rate, units x clock) and the range the field reaches "
      "there: **ok**, **low** (below that range), **suspect** (impossible for its hardware, or "
      "measured while the run's state was off: another process's load, the hypervisor's steal, "
      "a link or clock below its maximum), **unknown** (nothing to judge it against: the "
      "machines of its kind below place it), **none** (no figure: a path check, a curve with no "
      "plateau).");
  // Devices of a model already shown give only what is not OK (a node of 8 GPUs stays short).
  std::map<std::string, std::string> first_of_model;
  int left_out = 0;
  std::vector<std::vector<std::string>> rows;
  for (const Verdict& v : p.verdicts) {
    const auto d = p.devices.find(v.device);
    const std::string model = d == p.devices.end() ? v.device : d->second.name;
    const std::string& first = first_of_model.emplace(model, v.device).first->second;
    if (first != v.device && v.verdict == VerdictState::ok) {
      ++left_out;
      continue;
    }
    rows.push_back({v.device, v.figure, value_text(v),
                    v.percent_of_theoretical > 0 ? fixed(v.percent_of_theoretical, 0) + "%" : "-",
                    text(v.verdict), v.reason});
  }
  doc.table({"device", "figure", "value", "of theoretical", "verdict", "why"}, "llrrll", rows,
            "A verdict on every headline figure" +
                (left_out > 0 ? " (" + std::to_string(left_out) +
                                    " OK figures of devices of a model shown above left out)"
                              : std::string()));
  // The reference machines, beside the figures they were placed by.
  std::vector<std::vector<std::string>> refs;
  for (const Verdict& v : p.verdicts)
    for (int r : v.references) {
      const Reference& x = p.references.at(r);
      const std::string here =
          value_text(v) + (v.per_core > 0 ? " (" + sig(v.per_core) + " per thread)" : "");
      const std::string per_core =
          x.cores > 0 && v.per_core > 0
              ? sig(x.low / x.cores) +
                    (x.high != x.low ? "-" + sig(x.high / x.cores) : std::string()) + " per core"
              : "";
      refs.push_back(
          {v.device + " " + v.figure, here, x.machine,
           range_text(x) + " " + x.unit + (per_core.empty() ? "" : " (" + per_core + ")"), x.scope,
           x.method, x.source});
    }
  if (!refs.empty()) {
    doc.table(
        {"figure", "this machine", "reference machine", "its figure", "on", "method", "source"},
        "lrlrlll", refs,
        "Machines of its kind (" + p.references_source +
            "): the same model first, then the same microarchitecture, then the vendor");
    doc.paragraph(
        "Per-core figures are a whole socket's divided by its cores: what each core draws when "
        "all of them stream at once. A run on fewer threads draws more per thread than that (one "
        "core alone is limited by the loads it keeps in flight, not the channels), so they "
        "place a small guest's figure, they do not judge it.");
  }
  // The run's state.
  std::vector<std::string> items;
  for (const ContextItem& s : p.run_state.settings) items.push_back(s.key + ": " + s.value);
  if (p.run_state.benchmarks_with_state > 0)
    items.push_back(
        p.run_state.loaded.empty()
            ? "other processes' load and steal time were recorded over " +
                  std::to_string(p.run_state.benchmarks_with_state) +
                  " benchmarks: none ran under load"
            : std::to_string(p.run_state.loaded.size()) + " of " +
                  std::to_string(p.run_state.benchmarks_with_state) +
                  " benchmarks ran under load (their figures are suspect, and gate and fleet do "
                  "not count them as the hardware's regression)");
  else
    items.push_back(
        "other processes' load and steal time: not recorded in these result files (memwall "
        "records them from this version on)");
  doc.paragraph("**The run's state**, where it moves a number:");
  doc.list(items);
  if (!p.run_state.loaded.empty()) {
    std::vector<std::vector<std::string>> loaded;
    for (const Problem& l : p.run_state.loaded) loaded.push_back({l.name, l.why});
    doc.table({"benchmark", "what else ran"}, "ll", loaded, "Benchmarks measured under load");
  }
}

}  // namespace memwall::harness
