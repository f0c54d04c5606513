// Every file of a report, each from one writer behind one interface (as Google Benchmark's
// reporters): profile.json, summary.md and report.html (one Document, two renderings),
// metrics.csv and profile.csv, report.tex, the SVG figures (and PNGs where rsvg-convert is
// installed). Each writer takes the profile and nothing else and returns text, so tests pin
// its output and `memwall report profile.json` writes what `memwall report DIR` writes.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "harness/profile/model.hpp"

namespace memwall::harness {

struct ReportOptions {
  bool tex_wide = false;  // report.tex tables across both columns (table*)
  bool png = true;        // PNG copies of the figures, where rsvg-convert exists
};

struct OutputFile {
  std::string name, text;
};

class ReportWriter {
 public:
  virtual ~ReportWriter() = default;
  virtual std::vector<OutputFile> write(const Profile& p, const ReportOptions& o) const = 0;
};

// Every writer, in the order their files are written.
const std::vector<std::unique_ptr<ReportWriter>>& report_writers();

std::string metrics_csv(const Profile& p);
std::string profile_csv(const Profile& p);

// Writes every writer's files into `dir` atomically; returns the names written.
std::vector<std::string> write_reports(const std::filesystem::path& dir, const Profile& p,
                                       const ReportOptions& options = {});

// Writes to a temporary name in the same folder and renames, so a reader never sees half.
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace memwall::harness
