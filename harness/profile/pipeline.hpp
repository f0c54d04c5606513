// The one pipeline that turns result files into a profile, step by step in this order, each
// step a function of the inputs and of the steps before it (steps.hpp); no step changes what
// an earlier one made:
//   inputs -> devices -> levels -> compute -> links -> ratios and walls -> products -> energy
//   -> trend, with the metrics and the provenance beside them.
// The harness only combines what the benchmarks measured: it never measures.
#pragma once
#include <string>
#include <vector>

#include "harness/profile/model.hpp"
#include "harness/profile/result_file.hpp"

namespace memwall::harness {

struct ProfileInputs {
  std::vector<ResultFile> files;
  std::string data_dir;    // reference data: datasheets, aliases, the paper's trend points
  std::string dram;        // --dram "CHANNELSxMT/s[xBITS]", where SMBIOS is mute
  std::string references;  // --references FILE; empty: the data folder's reference_machines.csv
};

// The result files of these paths (folders: their bench_*.json), merged by benchmark name (a
// later file's run of a name wins). InputError for a folder without result files, or a file
// that is not one.
std::vector<ResultFile> load_result_files(const std::vector<std::string>& paths);
// Two runs of the same benchmark merge by name (later files win); no duplicates.
std::vector<ResultFile> merge_by_name(std::vector<ResultFile> files);

Profile build_profile(const ProfileInputs& inputs);

// --dram "CHANNELSxMT/s[xBITS]" (12x4800, 8x6400x64): InputError for anything else, so that
// memwall run refuses it before anything runs.
struct DramConfig {
  int channels = 0, mts = 0, bits = 64;
};
DramConfig parse_dram(const std::string& text);

// Every benchmark's main counter with its repetitions, for compare and history.
std::vector<Metric> metrics_of(const std::vector<ResultFile>& files);
// A profile.json's metrics, or a bench_*.json file's; InputError otherwise.
std::vector<Metric> load_metrics(const std::string& path);

// The folder of the reference data: $MEMWALL_DATA, else next to the installed binary
// (PREFIX/share/memwall/data), else the source tree's data/.
std::string data_dir();

}  // namespace memwall::harness
