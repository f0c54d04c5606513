// The machine profile: one typed model of what was learned about a machine, built by the
// pipeline (harness/profile/pipeline.hpp) from the result files and nothing else, written to
// and read from profile.json, and the one thing every writer (harness/report/) reads.
//
// Everything is keyed by device (cpu, gpu0, gpu1, ..., storage0), in that natural order. A
// number of 0 (or an empty string) means "not measured" and a reason sits beside it where
// there is one to give: JSON has no NaN, and a profile is read back exactly as it was written.
// Schema 3; profile.json files of schema 2 are read through an upgrade (load_profile).
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/vocabulary.hpp"

namespace memwall::harness {

constexpr int kProfileSchema = 3;

// cpu < gpu0 < gpu1 < ... < gpu10 < storage0: devices in the order a reader expects.
struct DeviceOrder {
  bool operator()(const std::string& a, const std::string& b) const;
};
template <class T>
using PerDevice = std::map<std::string, T, DeviceOrder>;

// The repetitions of one figure: best (max of a rate, min of a latency), median and spread.
struct Spread {
  double best = 0, median = 0, min = 0, max = 0, cv = 0;
  int repetitions = 0;
};
Spread spread_of(const std::vector<double>& samples, bool higher_is_better);

struct ContextItem {
  std::string key, value;
};

// The published row a device matched in data/datasheet_specs.csv (name empty: none).
struct Datasheet {
  std::string name, source, year;
  // "model": the device itself; "generation": a part of the same generation, used to place
  // the device on the trend chart only (a 2-core guest is not a 96-core EPYC).
  std::string match;
  double tdp_W = 0, memory_GBps = 0, link_GBps = 0;
  std::map<std::string, double> peak_GFLOPps;  // per number format (int8: GOP/s)
};

struct Device {
  std::string id;  // gpu1
  DeviceKind kind = DeviceKind::unset;
  std::string name;         // the model, from the CPU signature where the firmware's is generic
  std::string uarch;        // Zen 4, Hopper
  std::string parallelism;  // what the device-wide figures ran on: "2 threads", "all 132 SMs"
  int bandwidth_threads = 0;
  int units = 0;  // cores or SMs
  bool virtual_machine = false;
  std::vector<ContextItem> context;  // identity and settings, for the method section
  Datasheet datasheet;
  double memory_theoretical_GBps = 0;  // DRAM: channels x MT/s x bus width
  std::string memory_theoretical_source;
  double memory_bytes = 0;  // what its run said it holds (0: not said)
};

struct Level {
  std::string name;  // L1, DRAM
  LevelKind kind = LevelKind::unset;
  double latency_ns = 0, latency_best_ns = 0;
  double size_bytes = 0;  // one instance, as reported
  int instances = 0;
  std::string size_reported_by;         // hwloc, the CUDA device
  double capacity_bytes = 0;            // what the device's threads hold here together (0: memory)
  double placement_capacity_bytes = 0;  // what one product's operands may take
  double detected_bytes = 0;            // the latency curve's edge (lines touched)
  double stream_edge_bytes = 0;         // where a stream's reads leave it
  int stream_edge_threads = 0;
  bool size_disagrees = false;
  // The level's one bandwidth: a named kernel's median over the interior of its interval.
  double bandwidth_GBps = 0;  // 0: none, and no_bandwidth_why says why
  std::string bandwidth_kernel;
  int bandwidth_points = 0;
  double interval_lo_bytes = 0, interval_hi_bytes = 0;  // hi 0: up to the largest measured
  double slope_per_doubling = 0;  // the curve's rise over the interval (1.0: flat)
  std::string no_bandwidth_why;
  // Memory: what a read-only product can draw, and the kernel beside the roof's.
  double read_GBps = 0, bandwidth_hw_GBps = 0, counted_read_GBps = 0;
  double beside_GBps = 0;
  std::string beside_kernel;
  double theoretical_GBps = 0, percent_of_theoretical = 0;  // DRAM by its configuration
  std::string theoretical_source;
  double datasheet_GBps = 0, percent_of_datasheet = 0;
  std::string note;
};

// One way a format's rate was measured: FMA chains, a library GEMM of one shape.
struct ComputePath {
  std::string benchmark, path, shape;
  Spread rate;
  bool chains = false;  // the units' own FMA or dot-product chains (role field path = fma)
};

struct Compute {
  std::string type, unit;  // bf16, GFLOP/s (int8: GOP/s)
  Spread peak;             // the roof: the fastest path's repetitions
  std::string peak_path, peak_shape, peak_benchmark, how;
  bool peak_from_chains = false;  // the roof is the chains' (else a library GEMM's)
  int threads = 0;
  double single_thread_GFLOPps = 0;
  double theoretical_GFLOPps = 0, percent_of_theoretical = 0, core_mhz = 0;
  double datasheet_GFLOPps = 0, percent_of_datasheet = 0;
  // The shape every GEMM format of the device was measured at, for comparing formats.
  std::string common_shape;
  double common_shape_GFLOPps = 0, common_percent_of_datasheet = 0;
  std::vector<ComputePath> paths;
};

struct Walls {
  std::string format, compute_shape;
  double compute_GFLOPps = 0;
  std::string memory_level;
  double memory_GBps = 0, flop_per_memory_byte = 0;
  std::string link;  // what the interconnect wall is, e.g. "PCIe H2D (host link)"
  double link_GBps = 0, flop_per_link_byte = 0;
  std::string link_why_not;
};

struct Ratios {
  // level -> format -> FLOP per byte; only levels with a bandwidth.
  std::map<std::string, std::map<std::string, double>> ridge_flop_per_byte;
  Walls walls;
};

struct HostLink {
  std::string device, name;  // gpu0, PCIe_H2D
  std::string direction, memory, engine;
  double bandwidth_GBps = 0, bandwidth_median_GBps = 0, bytes = 0;
  double latency_ns = 0;  // a 4-byte copy
  std::string link;       // PCIe gen 5 x16, C2C
};

struct PeerLink {
  int from = 0, to = 0;
  std::string engine, direction;  // ce / sm, uni / bidir
  double bandwidth_GBps = 0, bytes = 0;
};

struct Collective {
  std::string library, name, inplace;       // NCCL / MPI, all_reduce, 0
  DeviceKind ranks_on = DeviceKind::unset;  // what a rank is: a GPU (NCCL) or a process (MPI)
  int ranks = 0, nodes = 0;
  double bytes = 0, busGBps = 0, algGBps = 0;
  double small_bytes = 0, small_latency_ns = 0;
  // A collective of one rank moves nothing between ranks: it checks that the path runs and
  // validates, and has no bandwidth (algbw would be a local copy's, or an in-place no-op's).
  std::string no_bandwidth_why;
};

struct PointToPoint {
  std::string placement;  // same_node, other_node
  double latency_ns = 0, latency_bytes = 0;
  double bw_GBps = 0, bw_bytes = 0, bibw_GBps = 0, bibw_bytes = 0;
};

struct CoreToCore {
  int from = 0, to = 0;
  std::string shared, numa;
  double latency_ns = 0;
};

struct NumaCell {
  int cpus = 0, memory = 0;
  std::string memory_kind;  // hwloc's: DRAM, HBM, NVM, ... (empty in older result files)
  double read_GBps = 0, latency_ns = 0;
};

// One memory node from its nearest cores (its own, or the fastest for a memory-only node),
// against the median node: more than 10% off it, the node differs.
struct NumaNode {
  int memory = 0;
  std::string memory_kind;
  double read_GBps = 0, latency_ns = 0, percent_from_median = 0;
  bool differs = false;
};

// A curve the plots draw: x (bytes) against one counter's best.
struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;
};

struct Links {
  std::vector<HostLink> host;
  std::vector<PeerLink> peers;
  std::vector<Collective> nccl, mpi_collectives;
  std::vector<PointToPoint> mpi_p2p;
  std::string mpi_launcher;
  std::vector<std::string> mpi_hosts;
  std::vector<CoreToCore> c2c;
  std::map<std::string, double> c2c_median_latency_ns;  // by what the two units share
  std::map<std::string, CoreDistance> c2c_distance;     // the same labels' distance class
  std::vector<NumaCell> numa;
  std::vector<NumaNode> numa_nodes;  // where there are two memory nodes or more
  // Message-size curves: MPI latency, bandwidth, collectives' and NCCL's bus bandwidth.
  std::vector<Series> mpi_latency, mpi_bandwidth, mpi_collective_curves, nccl_curves;
};

struct Product {
  std::string name, device, family, model, phase, op, type, how;
  double batch = 0, seq = 0, flops = 0, bytes = 0, intensity_flop_per_byte = 0;
  double GFLOPps = 0, GBps = 0, seconds = 0;
  std::string operands_fit_in;  // the fastest level that holds them
  std::string roof_level;       // the level whose roof it is judged by (one with a bandwidth)
  std::string roof_kernel;      // the kernel whose bandwidth is that roof (read: it only reads)
  double operand_copies = 1;    // copies of its operands it rotated through (measured cold)
  std::string roof_note;        // why the two differ
  double roof_bandwidth_GBps = 0, ridge_flop_per_byte = 0, roofline_GFLOPps = 0;
  double percent_of_roofline = 0;
  Bound bound = Bound::unset;  // memory, compute, unknown
  std::string above_roof_because;
  // Above its roof with nothing measured to explain it: the roof, not the product, is then
  // suspect (the bandwidth moved during the run).
  bool above_roof_unexplained = false;
};

struct ModelStep {
  std::string device, model, phase, type;
  double batch = 0, seq = 0;
  int layers = 0;
  double layer_seconds = 0, lm_head_seconds = 0, step_seconds = 0, tokens_per_second = 0;
  // Measured as one step (xfmr.step): its layers run (scaled to `layers` where fewer), and how
  // the step time was had: the step itself, or layers x the measured layer + the LM head.
  double layers_run = 0;
  std::string how;
  // Each product's seconds of the step as the step ran it (counters seconds_in_<op>).
  std::map<std::string, double> op_seconds;
};

// How long a catalog model's weights take to read from storage into memory, at the storage
// level's sequential read bandwidth.
struct ModelLoad {
  std::string model, type;  // Llama-2-70B, bf16
  double parameters = 0, weights_bytes = 0;
  std::string level;  // storage
  double GBps = 0, seconds = 0;
};

struct Transformer {
  std::vector<Product> ops;
  std::vector<ModelStep> steps;
  std::vector<ModelLoad> loads;
};

// A model's decode and prefill predicted from the profile's own roofs (predict.hpp).
struct StepPrediction {
  double flops = 0, bytes = 0;         // one step, every layer and the LM head
  double compute_s = 0, memory_s = 0;  // the products' time at each roof, summed where it binds
  double seconds = 0;
  double tokens_per_s = 0;
  Bound bound = Bound::unset;  // memory or compute: the larger share of the step's time
};

struct ModelPrediction {
  std::string device, device_name, model, type;
  int batch = 0, context = 0, layers = 0;
  double parameters = 0, weights_bytes = 0, kv_bytes_per_token = 0;
  double peak_GFLOPps = 0, memory_GBps = 0;
  std::string memory_level, memory_kernel;  // DRAM / HBM, and the kernel its bandwidth is from
  double experts_touched = 1;               // distinct experts a decode step reads per layer
  StepPrediction decode, prefill;           // prefill: the prompt of `context` tokens
  int compute_bound_from_batch = 0;         // the first decode batch (to 65536) bound by compute
  double memory_bytes = 0;                  // the device's memory, where the profile knows it
  double largest_batch_x_context = 0;       // tokens of KV cache beside the weights
  // Weights beyond the device's memory, streamed over its measured host link every step.
  double spill_bytes = 0, spill_GBps = 0;
  std::string spill_link;
  // Training, by C = 6 P D: FLOPs per token and seconds per billion tokens at the peak.
  double train_flops_per_token = 0, train_s_per_billion_tokens = 0;
  std::vector<std::string> notes;
  // What it is in the profile: headline (Llama-3-8B at batch 1 for the first screen),
  // largest (Llama-2-70B on each GPU: what its memory holds or spills) or measured (the
  // shape of a model step that ran, with its measured time beside).
  PredictionRole role = PredictionRole::unset;
  // Decode tokens/s predicted at batch 1, 2, 4 ... 256 (the models plot's lines).
  std::vector<std::pair<int, double>> decode_curve;
  std::string phase;         // measured: the phase that ran
  double measured_s = 0;     // measured: the step's time
  std::string measured_how;  // as ModelStep::how says
  // Measured: the product that lost the most time against its roof as the step ran it, the
  // share of its roof it reached, its roof (compute, or the memory level) and the time lost.
  // Where the step's own product times were not counted (a layer measured alone), the product
  // of the same shape that loses the most time against its roof, measured alone, and how it ran.
  std::string miss_op, miss_roof;
  double miss_percent = 0, miss_seconds = 0;
  bool miss_as_step_ran = false;  // from the step's own counters, not the products alone
  std::string miss_how;
};

// Latency under load (role latency_under_load): one core's chase while generators on the other
// cores move a mix of reads and writes at a rate set by a delay, from idle to saturation.
struct LoadedPoint {
  int delay = 0;  // the generators' empty turns per line; -1: cpu.lat/loaded's STREAM readers
  double load_GBps = 0, hw_GBps = 0;  // what the generators moved (hw: with write-allocate)
  // The median of the repetitions (what the curve and the knee read: a loaded point's best is
  // its luckiest moment), and the best beside it.
  double latency_ns = 0, latency_best_ns = 0;
};
struct LoadedCurve {
  std::string device, kind, mix;  // cpu, DRAM, read / 3r1w / 2r1w / 1r1w
  int node = 0, generators = 0;
  double idle_latency_ns = 0;  // the chase alone on the node (median)
  double max_GBps = 0;         // the most the generators moved
  // The bandwidth at which latency reaches twice the idle latency, between the two points
  // around it; 0 where it never does, and knee_why says so.
  double knee_GBps = 0;
  std::string knee_why;
  double theoretical_GBps = 0;      // the node's, where known (the memory level's)
  std::string state;                // what loaded the node's points while they ran, if anything
  std::vector<LoadedPoint> points;  // from idle to saturation (delay falling)
};

// One storage benchmark (io.*), counted as fio counts.
struct StorageRow {
  std::string device, benchmark;  // storage0, the benchmark's full name
  std::string pattern, op, mode;  // rand, read, direct
  int queue_depth = 0;
  double block_bytes = 0;
  Spread GBps, iops;
  double latency_p50_ns = 0, latency_p99_ns = 0, latency_p999_ns = 0;  // best repetition's
};

struct EnergyRow {
  std::string what, benchmark, unit;  // bf16 GEMM, ..., pJ/FLOP or pJ/byte
  Spread energy_pJ, power_W;
  double datasheet_pJ = 0;  // TDP over the published peak or bandwidth
};

struct Energy {
  double tdp_W = 0;
  std::vector<EnergyRow> rows;
};

// Every bandwidth kernel at its largest working set, and latency at the spans people quote.
struct KernelRow {
  std::string family, variant, pages, threads;
  double bytes = 0;
  Spread GBps;
  double hw_GBps = 0;
};
struct LatencyRow {
  std::string family, variant, pages;
  double bytes = 0, stride_bytes = 0, load_GBps = 0;
  Spread latency_ns;
};

struct Curves {
  std::string bandwidth_axis, latency_axis;
  // How levels were read off these curves, for the method text (profiles before these fields:
  // empty): the kernel quoted for caches, for memory and beside it, and the slope per doubling
  // (and the rise in all) past which an interval is a ramp with no bandwidth.
  std::string cache_kernel, memory_kernel, beside_kernel;
  double ramp_per_doubling = 0, ramp_total = 0;
  std::vector<Series> bandwidth, latency;
  std::vector<KernelRow> kernels;
  std::vector<LatencyRow> latencies;
};

// The paper's trend data (from data/) and where each measured device falls on it.
struct TrendPoint {
  double year = 0, value = 0;
  std::string label;
};
struct TrendSeries {
  std::string key, name;  // peak_flops, peak FLOP/s
  double rate_per_2y = 0;
  std::vector<TrendPoint> points;
};
struct TrendPlacement {
  std::string device, name, datasheet, why_not;
  double year = 0;
  double compute = 0, memory = 0, link = 0;  // in the series' relative units
  std::string link_name;
};
struct Trend {
  std::vector<TrendSeries> series;
  std::vector<TrendPlacement> devices;
};

struct Metric {
  std::string name, counter;
  bool higher_is_better = true;
  std::vector<double> samples;
  double best = 0, median = 0;
  std::string loaded;  // what loaded the run while it was measured (core/run_state.hpp)
};
// A metric of a benchmark's counter over its repetitions, its direction from core's schema, or
// as given (a counter its file declared).
Metric make_metric(const std::string& name, const std::string& counter,
                   const std::vector<double>& samples);
Metric make_metric(const std::string& name, const std::string& counter,
                   const std::vector<double>& samples, bool higher_is_better);

struct InputFile {
  std::string path, sha256, binary, date;
};
struct Problem {
  std::string name, why;
};
struct Provenance {
  std::vector<InputFile> inputs;
  std::vector<Problem> failed, skipped;
  std::vector<std::string> warnings, run_notes;
  std::string memwall_version, git_commit, build_type;  // the memwall that built the profile
};

// A counter a family declared beyond core's schema (core/counter_schema.hpp), as the result
// files declared it: compare, history and gate know it from the profile alone.
struct DeclaredCounter {
  std::string name, unit, meaning;
  bool higher_is_better = true, main = false, headline = false;
  double scale = 1e9;
};

// A published measured figure of another machine (data/reference_machines.csv), to read this
// machine's figure against machines like it.
struct Reference {
  std::string machine, kind, uarch, figure, unit, scope, method, source;
  double low = 0, high = 0;  // one value: both the same
  int cores = 0;             // what the figure ran on, where the source says (per-core figures)
};

// Is this figure OK? One headline figure of the profile, judged against what its hardware
// allows (the datasheet or the model: channels x MT/s x width, lanes x rate, units x clock),
// the range the field reaches there, and machines of its kind; and marked where the run's
// state (load, steal, a link or clock below its maximum) explains a low number.
struct Verdict {
  std::string key;             // as the gate names it: memory/cpu/DRAM/bandwidth_GBps
  std::string device, figure;  // cpu, "DRAM bandwidth (triad)"
  double value = 0;
  std::string unit;
  VerdictState verdict = VerdictState::unset;
  std::string reason;  // one line
  double theoretical = 0, percent_of_theoretical = 0;
  std::string theoretical_source;
  std::string expected;         // the field's range: "70-90% of theoretical (STREAM, a socket)"
  std::string state;            // the run's state that marks it, empty when clean
  std::vector<int> references;  // rows of Profile::references placed beside it
  double per_core = 0;          // the figure per core or thread it ran on (references beside)
};

// The run's state: the settings that move a figure, and each benchmark measured under load.
struct RunState {
  std::vector<ContextItem> settings;
  int benchmarks_with_state = 0;  // benchmarks whose result carries the state counters
  std::vector<Problem> loaded;    // benchmark, and what loaded it
};

struct Profile {
  int schema = kProfileSchema;
  // Every context key of the result files, merged (the first file's value of a key kept; a
  // value that is not text as its JSON).
  std::map<std::string, std::string> machine;
  std::vector<ContextItem> host;  // the host and the run: what every device shares
  PerDevice<Device> devices;
  PerDevice<std::vector<Level>> memory;
  PerDevice<std::map<std::string, Compute>> compute;
  Links links;
  PerDevice<Ratios> ratios;
  Transformer transformer;
  std::vector<ModelPrediction> models;  // predicted steps, beside the measured ones
  std::vector<StorageRow> storage;
  PerDevice<Energy> energy;
  PerDevice<Curves> curves;
  Trend trend;
  std::vector<Metric> metrics;
  std::vector<DeclaredCounter> counters;
  std::vector<LoadedCurve> loaded_curves;
  RunState run_state;
  std::vector<Verdict> verdicts;
  std::vector<Reference> references;  // those the verdicts place beside a figure
  std::string references_source;      // the file they were read from
  Provenance provenance;
  // What each figure module (harness/figure.hpp) that keeps its own data concluded, by the
  // module's name; profile.json holds it only where a module wrote some.
  std::map<std::string, nlohmann::json> figures;
};

// A device's context value by its key ("PCIe link"), or "".
std::string context_value(const Device& d, const std::string& key);
// A context value of the merged machine, or `fallback`.
std::string machine_value(const Profile& p, const std::string& key,
                          const std::string& fallback = "");
// A prediction as JSON text, as profile.json holds it.
std::string prediction_json_text(const ModelPrediction& prediction);

// A level by name, or nullptr.
const Level* find_level(const Profile& p, const std::string& device, const std::string& name);
// How a device's levels were read (Curves' method fields); for a profile written before the
// curves recorded it, the kernels its levels name and the ramp rule of levels.hpp.
Curves level_method(const Profile& p, const std::string& device);
const Level* find_level_in(const std::vector<Level>& levels, const std::string& name);
// The devices of one kind, in order.
std::vector<std::string> devices_of_kind(const Profile& p, DeviceKind kind);

// From profile.json text: schema 3, or schema 2 upgraded; throws InputError naming
// what is wrong (not JSON, not a profile, a newer schema, damaged).
Profile parse_profile(const std::string& text, const std::string& what);
Profile load_profile(const std::string& path);
// The text profile.json holds.
std::string profile_json_text(const Profile& p);

}  // namespace memwall::harness
