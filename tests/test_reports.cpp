// Every writer over every fixture (a CPU run, the H200's real files, a two-GPU and an eight-GPU
// node, a two-node MPI run), pinned to golden files so a change of output is deliberate:
// MEMWALL_UPDATE_GOLDEN=1 rewrites them (then review the diff).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "harness/format.hpp"
#include "harness/profile/csv.hpp"
#include "harness/profile/pipeline.hpp"
#include "harness/profile/predict.hpp"
#include "harness/profile/steps.hpp"
#include "harness/report/content.hpp"
#include "harness/report/document.hpp"
#include "harness/report/plots.hpp"
#include "harness/report/svg.hpp"
#include "harness/report/tex.hpp"
#include "harness/report/writers.hpp"

using namespace memwall::harness;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Case {
  std::string name;
  std::string inputs;
};

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"cpu", std::string(MEMWALL_FIXTURES) + "/run_a"},
      {"h200", std::string(MEMWALL_REPORTS) + "/nvidia-h200"},
      // Real model steps (layers x the measured layer + the LM head) beside their prediction.
      {"zen5", std::string(MEMWALL_REPORTS) + "/amd-epyc-zen5-2core-kvm"},
      {"gpu_node_2", std::string(MEMWALL_FIXTURES) + "/gpu_node_2"},
      {"gpu_node_8", std::string(MEMWALL_FIXTURES) + "/gpu_node_8"},
      {"mpi_2_nodes", std::string(MEMWALL_FIXTURES) + "/mpi_2_nodes"},
      // cpu.lat/curve alone, as this guest measured it (read and 1r1w, 15 delays, one generator).
      {"loaded_curves", std::string(MEMWALL_FIXTURES) + "/loaded_curves"}};
  return all;
}

// The profile of a case, with the building memwall's identity fixed so goldens do not move
// with every commit.
Profile profile_of(const Case& c) {
  ProfileInputs in;
  in.files = load_result_files({c.inputs});
  in.data_dir = MEMWALL_DATA;
  Profile p = build_profile(in);
  p.provenance.memwall_version = "test";
  p.provenance.git_commit = "golden";
  p.provenance.build_type = "Release";
  return p;
}

// The same text, numbers within a few units of their last digits: sums and logarithms differ in
// the last bit between CPUs (aarch64 fuses multiply-adds), and data files keep every digit.
bool same_up_to_rounding(const std::string& a, const std::string& b) {
  static const std::regex number(R"([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)");
  std::sregex_iterator ia(a.begin(), a.end(), number), ib(b.begin(), b.end(), number), end;
  size_t pa = 0, pb = 0;
  for (; ia != end && ib != end; ++ia, ++ib) {
    if (a.compare(pa, ia->position() - pa, b, pb, ib->position() - pb) != 0) return false;
    const double x = std::stod(ia->str()), y = std::stod(ib->str());
    // One unit of the last digit printed (a rounded coordinate), or a relative 1e-9 (data).
    const std::string sx = ia->str();
    const size_t dot = sx.find('.');
    const double unit = dot == std::string::npos || sx.find_first_of("eE") != std::string::npos
                            ? 0
                            : std::pow(10.0, -static_cast<double>(sx.size() - dot - 1));
    if (std::fabs(x - y) > std::max(1e-9 * std::max(std::fabs(x), std::fabs(y)), 1.01 * unit))
      return false;
    pa = ia->position() + ia->length();
    pb = ib->position() + ib->length();
  }
  return ia == end && ib == end && a.compare(pa, std::string::npos, b, pb, std::string::npos) == 0;
}

void expect_golden(const std::string& name, const std::string& text) {
  const fs::path golden = fs::path(MEMWALL_GOLDEN) / name;
  if (std::getenv("MEMWALL_UPDATE_GOLDEN")) {
    fs::create_directories(golden.parent_path());
    std::ofstream(golden) << text;
    return;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " missing: run with MEMWALL_UPDATE_GOLDEN=1";
  const std::string want = slurp(golden);
  if (text != want) {
    EXPECT_TRUE(same_up_to_rounding(text, want))
        << name << " changed; if on purpose, MEMWALL_UPDATE_GOLDEN=1\n"
        << text;
  }
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

std::vector<OutputFile> every_output(const Profile& p, const ReportOptions& o = {}) {
  std::vector<OutputFile> out;
  for (const auto& writer : report_writers())
    for (const OutputFile& f : writer->write(p, o)) out.push_back(f);
  return out;
}

}  // namespace

// Every text a writer makes, pinned; profile.json is pinned by its round trip instead (and the
// HTML page of the CPU run stands for the others: the same document, the same figures inline).
// The committed reports under reports/ are what the current code writes: from their result
// files (with the identity of the memwall that wrote them, which profile.json records) and from
// their profile.json alone. `memwall report reports/X` rewrites one after a change on purpose.
TEST(Reports, CommittedReportsAreWhatTheCodeWrites) {
  ReportOptions options;
  options.png = false;
  for (const auto& entry : fs::directory_iterator(MEMWALL_REPORTS)) {
    if (!entry.is_directory()) continue;
    const fs::path dir = entry.path();
    SCOPED_TRACE(dir.filename().string());
    const Profile committed = load_profile((dir / "profile.json").string());
    ProfileInputs in;
    in.files = load_result_files({dir.string()});
    in.data_dir = MEMWALL_DATA;
    Profile fresh = build_profile(in);
    fresh.provenance.memwall_version = committed.provenance.memwall_version;
    fresh.provenance.git_commit = committed.provenance.git_commit;
    fresh.provenance.build_type = committed.provenance.build_type;
    for (const Profile* p : {static_cast<const Profile*>(&fresh), &committed})
      for (const auto& writer : report_writers())
        for (const OutputFile& f : writer->write(*p, options)) {
          const std::string want = slurp(dir / f.name);
          EXPECT_TRUE(f.text == want || same_up_to_rounding(f.text, want))
              << f.name << " differs from the committed one, made "
              << (p == &fresh ? "from the result files" : "from profile.json alone")
              << ": if on purpose, memwall report " << dir.string();
        }
  }
}

TEST(Reports, GoldenOutputOfEveryWriterOnEveryFixture) {
  for (const Case& c : cases()) {
    const Profile p = profile_of(c);
    std::set<std::string> names;
    for (const OutputFile& f : every_output(p)) {
      EXPECT_TRUE(names.insert(f.name).second) << c.name << ": two writers wrote " << f.name;
      if (f.name.ends_with(".svg") || f.name.ends_with(".html")) {
        EXPECT_TRUE(well_formed(f.text)) << c.name << "/" << f.name;
      }
      if (f.name == "profile.json" || (f.name == "report.html" && c.name != "cpu")) continue;
      expect_golden(c.name + "/" + f.name, f.text);
    }
    for (const char* required : {"profile.json", "summary.md", "report.html", "metrics.csv",
                                 "profile.csv", "report.tex", "trend.svg"})
      EXPECT_TRUE(names.count(required)) << c.name << ": no " << required;
  }
}

// `memwall report profile.json` and `memwall report DIR` write the same files: the profile read
// back gives every writer the same text.
TEST(Reports, TheProfileAloneRewritesEveryReport) {
  for (const Case& c : cases()) {
    const Profile p = profile_of(c);
    const Profile read = parse_profile(profile_json_text(p), c.name);
    const auto a = every_output(p), b = every_output(read);
    ASSERT_EQ(a.size(), b.size()) << c.name;
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].name, b[i].name) << c.name;
      EXPECT_EQ(a[i].text, b[i].text) << c.name << "/" << a[i].name;
    }
  }
}

// Each device in its own words: the H200's tables in TFLOP/s and SMs, with its driver, CUDA,
// ECC and PCIe; one latency series per chase variant; the host link in the interconnect.
TEST(Reports, AGpuReportSpeaksOfTheGpu) {
  const Profile p = profile_of(cases()[1]);
  const std::string md = MarkdownWriter().write(report_document(p));
  for (const char* said : {"871 TFLOP/s bf16", "8192^3", "TFLOP/s", "all 132 SMs",
                           "| driver | 580.159.04 |", "| CUDA runtime | 13.0 |", "| ECC | on |",
                           "| PCIe link | gen 5 x16 |", "PCIe H2D", "PCIe D2H", "PCIe BIDIR",
                           "chase load:ca", "chase load:cg", "no plateau", "83% of 4.80 TB/s"})
    EXPECT_NE(md.find(said), std::string::npos) << said;
  for (const char* not_said : {"peak, all cores", "1 thread", "hwloc size", "GFLOP/s bf16",
                               "cpu_mhz_measured", "OpenBLAS"})
    EXPECT_EQ(md.find(not_said), std::string::npos) << not_said;
  // The verdict's examples are in the walls' format and say where they stand on their roof.
  const std::string verdict = md.substr(0, md.find("**Is it healthy?**"));
  EXPECT_EQ(verdict.find("fp8"), std::string::npos) << verdict;
  EXPECT_NE(verdict.find("batch 1"), std::string::npos) << verdict;
  EXPECT_NE(verdict.find("% of its"), std::string::npos) << verdict;
  const std::string svg = latency_svg(p, "gpu0");
  EXPECT_NE(svg.find("chase load:ca"), std::string::npos);
  EXPECT_NE(svg.find("chase load:cg"), std::string::npos);
}

TEST(Reports, TexMediansAreMediansAndCaptionsClearTheRules) {
  const Profile p = profile_of(cases()[1]);
  const std::string tex = latex_tables(p);
  EXPECT_NE(tex.find("bf16 & 871 & 848 & 8192$^3$"), std::string::npos) << tex;
  EXPECT_NE(tex.find("\\belowcaptionskip"), std::string::npos);
  EXPECT_EQ(tex.find("STREAM triad"), std::string::npos);
  EXPECT_NE(tex.find("128\\,B stride"), std::string::npos) << tex;
  EXPECT_NE(tex.find("gpu0 PCIe H2D"), std::string::npos) << "the host link has a row";
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
  const Profile p = profile_of(cases()[0]);
  const fs::path dir =
      fs::path(testing::TempDir()) / ("memwall_reports_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  ReportOptions options;
  options.png = false;
  write_reports(dir, p, options);
  for (const char* name : {"profile.json", "summary.md", "metrics.csv", "profile.csv", "report.tex",
                           "bandwidth_cpu.svg", "latency_cpu.svg", "roofline_cpu.svg",
                           "roofline_cpu_fp32.svg", "trend.svg", "report.html"})
    EXPECT_TRUE(fs::exists(dir / name)) << name;
  EXPECT_EQ(slurp(dir / "profile.json"), profile_json_text(p));
  for (const char* csv_name : {"metrics.csv", "profile.csv"}) {
    std::istringstream csv(slurp(dir / csv_name));
    size_t rows = 0, columns = 0;
    for (std::string line; std::getline(csv, line); ++rows) {
      const auto cells = split_csv_line(line);
      if (rows == 0) columns = cells.size();
      EXPECT_EQ(cells.size(), columns) << csv_name << ": " << line;
      if (std::string(csv_name) == "profile.csv" && rows > 0) {
        EXPECT_FALSE(cells.back().empty()) << "a row without its unit: " << line;
      }
    }
    if (std::string(csv_name) == "metrics.csv") {
      EXPECT_EQ(rows - 1, p.metrics.size());
    }
  }
  // Data keeps full precision: a metric's best reads back exactly.
  EXPECT_NE(slurp(dir / "metrics.csv").find(exact(p.metrics[0].best)), std::string::npos);
  fs::remove_all(dir);
}

// report.tex compiles in a two-column article with no overfull box, narrow and wide, for every
// fixture.
TEST(Reports, LatexCompilesWithoutOverfullBoxes) {
  if (std::system("command -v pdflatex >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "pdflatex not installed (scripts/setup test installs it)";
  const fs::path dir = fs::path(testing::TempDir()) / ("memwall_tex_" + std::to_string(getpid()));
  for (const Case& c : cases()) {
    const Profile p = profile_of(c);
    for (const bool wide : {false, true}) {
      fs::remove_all(dir);
      fs::create_directories(dir);
      std::ofstream(dir / "report.tex") << latex_tables(p, wide);
      std::ofstream(dir / "paper.tex")
          << "\\documentclass[twocolumn]{article}\\usepackage{booktabs}\\begin{document}"
             "Text.\\input{report.tex}\\end{document}\n";
      const int rc = std::system(
          ("cd " + dir.string() + " && pdflatex -interaction=nonstopmode paper.tex >/dev/null")
              .c_str());
      const std::string log = slurp(dir / "paper.log");
      EXPECT_EQ(rc, 0) << c.name << ": " << log;
      EXPECT_EQ(log.find("Overfull"), std::string::npos)
          << c.name << (wide ? " wide: " : " narrow: ") << log;
    }
  }
  fs::remove_all(dir);
}

TEST(Reports, SvgWriterEscapesAndIsDeterministic) {
  Plot p;
  p.title = "t <1>";
  PlotSeries s;
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

// A 384-unit core-to-core matrix stays one screen wide.
TEST(Reports, BigHeatMapsStayReadable) {
  HeatMap map;
  map.title = "c2c";
  map.unit = "ns";
  for (int i = 0; i < 384; ++i) {
    map.row_labels.push_back(std::to_string(i));
    map.column_labels.push_back(std::to_string(i));
  }
  map.values.assign(384, std::vector<double>(384, 50.0));
  const std::string svg = render_heat_map(map);
  EXPECT_TRUE(well_formed(svg));
  const double width = std::stod(svg.substr(svg.find("width=\"") + 7));
  EXPECT_LT(width, 1000);
}

// The report of a big node stays readable: the eight-GPU fixture with a 2 x 96-core host's
// links added (every core-to-core pair of 384 units, 8 NUMA nodes of which two hold only slow
// memory). Its first screen (title to the roofline) still fits, the matrices are heat maps one
// screen wide, the core-to-core pairs are summarized by distance, not listed, and the NUMA
// nodes whose memory differs are marked.
TEST(Reports, ABigNodeStaysReadable) {
  Profile p = profile_of({"gpu_node_8", std::string(MEMWALL_FIXTURES) + "/gpu_node_8"});
  p.links.c2c.clear();
  for (int a = 0; a < 384; ++a)
    for (int b = a + 1; b < 384; ++b)
      p.links.c2c.push_back({a, b, a / 192 == b / 192 ? "package" : "machine",
                             a / 48 == b / 48 ? "same" : "other",
                             a / 192 == b / 192 ? 90.0 : 190.0});
  p.links.c2c_median_latency_ns = {{"package", 90}, {"machine", 190}};
  p.links.numa.clear();
  for (int c = 0; c < 8; ++c)
    for (int m = 0; m < 8; ++m) {
      const bool slow = m >= 6, local = c == m;
      p.links.numa.push_back({c, m, slow ? "CXL" : "DRAM",
                              slow             ? 20.0
                              : local          ? 60.0
                              : c / 4 == m / 4 ? 50.0
                                               : 35.0,
                              slow    ? 400.0
                              : local ? 110.0
                                      : 160.0});
    }
  p.links.numa_nodes = numa_nodes(p.links.numa);
  std::map<std::string, std::string> files;
  for (const OutputFile& f : every_output(p)) files[f.name] = f.text;
  const std::string& md = files["summary.md"];
  const size_t lines = static_cast<size_t>(std::count(md.begin(), md.end(), '\n'));
  EXPECT_LT(lines, 700u) << "the summary lists what it should summarize";
  const std::string first = md.substr(0, md.find("## Roofline"));
  EXPECT_LT(std::count(first.begin(), first.end(), '\n'), 60) << first;
  EXPECT_NE(md.find("(73536 pairs)"), std::string::npos);
  for (const char* f : {"c2c.svg", "numa.svg", "p2p_ce_uni.svg", "nccl.svg"}) {
    ASSERT_TRUE(files.count(f)) << f;
    EXPECT_TRUE(well_formed(files[f])) << f;
    const std::string& svg = files[f];
    EXPECT_LT(std::stod(svg.substr(svg.find("width=\"") + 7)), 1300) << f;
  }
  EXPECT_LT(files["c2c.svg"].size(), 12u << 20);  // one cell per pair, no text per cell
  EXPECT_NE(md.find("| 6 | CXL | 20.0 | 400 | -67% | differs |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 0 | DRAM | 60.0 | 110 | +0% |  |"), std::string::npos);
  for (int g = 0; g < 8; ++g)
    EXPECT_NE(md.find("gpu" + std::to_string(g) + ": NVIDIA H200"), std::string::npos) << g;
}

TEST(Format, SignificantDigitsAndUnits) {
  EXPECT_EQ(sig(0.512), "0.512");
  EXPECT_EQ(sig(12.34), "12.3");
  EXPECT_EQ(sig(1234.4), "1234");
  EXPECT_EQ(with_unit(871238, Quantity::flops), "871 TFLOP/s");
  EXPECT_EQ(with_unit(234, Quantity::flops), "234 GFLOP/s");
  EXPECT_EQ(with_unit(3975, Quantity::bandwidth), "3.98 TB/s");
  EXPECT_EQ(with_unit(37.0, Quantity::bandwidth), "37.0 GB/s");
  EXPECT_EQ(with_unit(1326332, Quantity::ops), "1326 TOP/s");
  EXPECT_EQ(bytes_text(4096), "4 KiB");
  EXPECT_EQ(exact(0.1), "0.1");
  EXPECT_EQ(std::stod(exact(1.0 / 3)), 1.0 / 3);
}

// A prediction reads weights at the memory's read bandwidth, so a level whose named kernel
// (triad) failed or ramped still predicts; a level with neither says why in the one line.
TEST(Predict, NeedsTheMemorysReadBandwidthAndSaysWhyWhereThereIsNone) {
  Profile p = profile_of(cases()[0]);
  Level* dram = nullptr;
  for (Level& l : p.memory.at("cpu"))
    if (l.kind == LevelKind::memory) dram = &l;
  ASSERT_NE(dram, nullptr);
  ASSERT_GT(dram->read_GBps, 0);
  const double read = dram->read_GBps;
  dram->bandwidth_GBps = 0;
  dram->no_bandwidth_why = "no plateau: `triad` falls";
  const memwall::ModelConfig llama = memwall::find_model("llama-2-7b");
  EXPECT_DOUBLE_EQ(predict(p, "cpu", llama, "fp32", 1, 512).memory_GBps, read);
  dram->read_GBps = 0;
  try {
    predict(p, "cpu", llama, "fp32", 1, 512);
    ADD_FAILURE() << "predicted with no memory bandwidth";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no plateau: `triad` falls"), std::string::npos)
        << e.what();
  }
  std::erase_if(p.memory.at("cpu"), [](const Level& l) { return l.kind == LevelKind::memory; });
  try {
    predict(p, "cpu", llama, "fp32", 1, 512);
    ADD_FAILURE() << "predicted with no memory level";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no memory level"), std::string::npos) << e.what();
  }
}
