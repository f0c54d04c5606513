// Every writer on a fixture run, pinned to golden files so a change of output is deliberate:
// MEMWALL_UPDATE_GOLDEN=1 rewrites them (then review the diff).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/csv.hpp"
#include "harness/document.hpp"
#include "harness/plots.hpp"
#include "harness/profile.hpp"
#include "harness/report_content.hpp"
#include "harness/report_tex.hpp"
#include "harness/reports.hpp"
#include "harness/svg_plot.hpp"

using namespace memwall::harness;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The fixture run, loaded by a relative name so no absolute path reaches the outputs.
struct Fixture {
  ProfileInputs in;
  json profile;
};
Fixture fixture() {
  const fs::path was = fs::current_path();
  fs::current_path(std::string(MEMWALL_FIXTURES) + "/run_a");
  Fixture f;
  f.in = profile_inputs({load_result_file("bench_cpu.json")},
                        std::string(MEMWALL_DATA) + "/datasheet_specs.csv");
  f.profile = build_profile(f.in);
  fs::current_path(was);
  return f;
}

void expect_golden(const std::string& name, const std::string& text) {
  const fs::path golden = fs::path(MEMWALL_GOLDEN) / name;
  if (std::getenv("MEMWALL_UPDATE_GOLDEN")) {
    std::ofstream(golden) << text;
    return;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " missing: run with MEMWALL_UPDATE_GOLDEN=1";
  EXPECT_EQ(text, slurp(golden)) << name << " changed; if on purpose, MEMWALL_UPDATE_GOLDEN=1";
}

// Tags open and close in order; enough to catch a writer that emits broken SVG or HTML.
bool well_formed(const std::string& text) {
  std::vector<std::string> open;
  size_t i = 0;
  while ((i = text.find('<', i)) != std::string::npos) {
    const size_t end = text.find('>', i);
    if (end == std::string::npos) return false;
    std::string tag = text.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag.empty() || tag[0] == '?' || tag[0] == '!' || tag.back() == '/') continue;
    const std::string name =
        tag.substr(tag[0] == '/', tag.find_first_of(" \t\n") - (tag[0] == '/'));
    if (name == "meta" || name == "img" || name == "br") continue;
    if (tag[0] == '/') {
      if (open.empty() || open.back() != name) return false;
      open.pop_back();
    } else {
      open.push_back(name);
    }
  }
  return open.empty();
}

}  // namespace

TEST(Reports, GoldenMarkdownHtmlCsvTexSvg) {
  const Fixture f = fixture();
  ReportFigures figures;
  figures.rooflines = {{"roofline_cpu_fp32.svg", "Roofline of cpu in fp32"}};
  figures.trend = "trend.svg";
  const Document doc = report_document(f.in, f.profile, figures, {"profile.json"});
  const std::string md = MarkdownWriter().write(doc);
  const std::string html = HtmlWriter().write(doc);
  EXPECT_TRUE(well_formed(html));
  expect_golden("summary.md", md);
  expect_golden("report.html", html);
  expect_golden("profile.csv", profile_csv(f.profile));
  expect_golden("report.tex", latex_tables(f.profile));
  const std::string roofline = roofline_svg(f.profile, "cpu", "fp32");
  EXPECT_TRUE(well_formed(roofline));
  expect_golden("roofline_cpu_fp32.svg", roofline);
  const std::string trend = trend_svg(f.profile, MEMWALL_DATA);
  EXPECT_TRUE(well_formed(trend));
  expect_golden("trend.svg", trend);
}

TEST(Reports, MarkdownAndHtmlSayTheSameThings) {
  Document doc;
  doc.title = "t";
  doc.paragraph("A **verdict** with `code`.");
  doc.heading(2, "Walls", "walls");
  doc.table({"level", "GB/s"}, "lr", {{"L1", "123.4"}, {"DRAM", "45.6"}}, "caption");
  doc.figure("a.svg", "a figure");
  doc.list({"one", "[two](two.csv)"});
  EXPECT_EQ(MarkdownWriter().write(doc),
            "# t\n\nA **verdict** with `code`.\n\n## Walls\n\n*caption*\n\n| level | GB/s |\n"
            "|---|--:|\n| L1 | 123.4 |\n| DRAM | 45.6 |\n\n![a figure](a.svg)\n\n*a figure*\n\n"
            "- one\n- [two](two.csv)\n\n");
  const std::string html =
      HtmlWriter(std::map<std::string, std::string>{{"a.svg", "<svg></svg>"}}).write(doc);
  EXPECT_NE(
      html.find("<p class=\"verdict\">A <strong>verdict</strong> with <code>code</code>.</p>"),
      std::string::npos);
  EXPECT_NE(html.find("<td class=\"r\">123.4</td>"), std::string::npos) << "numbers right-aligned";
  EXPECT_NE(html.find("<a href=\"#walls\">Walls</a>"), std::string::npos) << "table of contents";
  EXPECT_NE(html.find("<svg></svg>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"two.csv\">two</a>"), std::string::npos);
  EXPECT_EQ(html.find("**"), std::string::npos);
}

TEST(Reports, EveryFileIsWrittenAndParses) {
  const Fixture f = fixture();
  const fs::path dir =
      fs::path(testing::TempDir()) / ("memwall_reports_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  ReportOptions options;
  options.png = false;
  write_reports(dir, f.in, f.profile, options);
  for (const char* name : {"profile.json", "summary.md", "metrics.csv", "profile.csv", "report.tex",
                           "bandwidth_cpu.svg", "latency_cpu.svg", "roofline_cpu_fp32.svg",
                           "trend.svg", "report.html"})
    EXPECT_TRUE(fs::exists(dir / name)) << name;
  EXPECT_EQ(json::parse(slurp(dir / "profile.json")), f.profile);
  std::istringstream csv(slurp(dir / "metrics.csv"));
  size_t rows = 0, columns = 0;
  for (std::string line; std::getline(csv, line); ++rows) {
    const size_t n = split_csv_line(line).size();
    if (rows == 0) columns = n;
    EXPECT_EQ(n, columns);
  }
  EXPECT_EQ(rows - 1, f.profile["metrics"].size());
  for (const char* svg : {"bandwidth_cpu.svg", "latency_cpu.svg", "roofline_cpu_fp32.svg"})
    EXPECT_TRUE(well_formed(slurp(dir / svg))) << svg;
  fs::remove_all(dir);
}

// report.tex compiles in a two-column article with no overfull box, narrow and wide.
TEST(Reports, LatexCompilesWithoutOverfullBoxes) {
  if (std::system("command -v pdflatex >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "pdflatex not installed (scripts/setup test installs it)";
  const Fixture f = fixture();
  const fs::path dir = fs::path(testing::TempDir()) / ("memwall_tex_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const bool wide : {false, true}) {
    std::ofstream(dir / "report.tex") << latex_tables(f.profile, wide);
    std::ofstream(dir / "paper.tex")
        << "\\documentclass[twocolumn]{article}\\usepackage{booktabs}\\begin{document}"
           "Text.\\input{report.tex}\\end{document}\n";
    const int rc = std::system(
        ("cd " + dir.string() + " && pdflatex -interaction=nonstopmode paper.tex >/dev/null")
            .c_str());
    EXPECT_EQ(rc, 0) << slurp(dir / "paper.log");
    const std::string log = slurp(dir / "paper.log");
    EXPECT_EQ(log.find("Overfull"), std::string::npos) << (wide ? "wide: " : "narrow: ") << log;
  }
  fs::remove_all(dir);
}

TEST(Reports, SvgWriterEscapesAndIsDeterministic) {
  Plot p;
  p.title = "t <1>";
  Series s;
  s.name = "s";
  s.points = {{1, 10}, {10, 100}};
  s.markers = true;
  p.series.push_back(s);
  const std::string svg = render_svg(p);
  EXPECT_TRUE(well_formed(svg));
  EXPECT_NE(svg.find("t &lt;1&gt;"), std::string::npos);
  EXPECT_EQ(svg, render_svg(p));
  HeatMap map{"c2c", "ns", {"0", "1"}, {"0", "1"}, {{NAN, 40.5}, {41.0, NAN}}};
  EXPECT_TRUE(well_formed(render_heat_map(map)));
}
