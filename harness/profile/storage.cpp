// The storage step: the storage device (storage0) and its benchmarks (bench_io's io.*) as a
// table, the storage level that ends the CPU's hierarchy (sequential read bandwidth, random
// 4 KiB read latency at queue depth 1) with its points on the CPU's curves, and how long each
// catalog model's bf16 weights take to load from it.
#include <algorithm>

#include "core/models.hpp"
#include "harness/profile/steps.hpp"

namespace memwall::harness {

namespace {

const ResultFile* storage_file(const ProfileInputs& in) {
  for (const ResultFile& f : in.files)
    for (const Measurement& m : f.measurements)
      if (device_of(m).rfind("storage", 0) == 0) return &f;
  return nullptr;
}

std::string context_text(const nlohmann::json& c, const char* key) {
  if (!c.contains(key)) return "";
  return c[key].is_string() ? c[key].get<std::string>() : c[key].dump();
}

std::string micro(double ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f us", ns / 1e3);
  return buf;
}

}  // namespace

bool has_storage(const ProfileInputs& in) {
  return storage_file(in) != nullptr;
}

Device storage_device(const ProfileInputs& in) {
  Device d;
  d.id = "storage0";
  d.kind = DeviceKind::storage;
  const ResultFile* f = storage_file(in);
  if (!f) return d;
  const nlohmann::json& c = f->context;
  const std::string block = context_text(c, "io_block_device");
  const std::string fs = context_text(c, "io_file_system");
  d.name = !block.empty() ? block.substr(0, block.find(',')) + (fs.empty() ? "" : ", " + fs)
                          : context_text(c, "io_target");
  d.parallelism = "one file, queue depth 1-32";
  for (const auto& [key, label] :
       std::vector<std::pair<const char*, const char*>>{{"io_target", "measured on"},
                                                        {"io_block_device", "block device"},
                                                        {"io_engine", "engine"},
                                                        {"io_direct", "O_DIRECT"},
                                                        {"io_page_cache", "page cache"},
                                                        {"io_verify", "verification"},
                                                        {"io_file", "test file"},
                                                        {"io_counting", "counting"}})
    if (const std::string v = context_text(c, key); !v.empty()) d.context.push_back({label, v});
  return d;
}

std::vector<StorageRow> storage_rows(const ProfileInputs& in) {
  std::vector<StorageRow> rows;
  for (const ResultFile& f : in.files)
    for (const Measurement& m : f.measurements) {
      if (device_of(m).rfind("storage", 0) != 0 || !m.error.empty() || !m.has("GBps")) continue;
      StorageRow r;
      r.device = device_of(m);
      r.benchmark = m.name;
      r.pattern = m.field("pattern");
      r.op = m.variant;
      r.mode = m.keys.count("mode") ? m.keys.at("mode") : "";
      r.queue_depth = static_cast<int>(m.key_number("qd", 1));
      r.block_bytes = m.key_number("bytes");
      r.GBps = spread_of(m.counters.at("GBps"), true);
      if (m.has("iops")) r.iops = spread_of(m.counters.at("iops"), true);
      if (m.has("latency_p50_ns")) r.latency_p50_ns = m.best("latency_p50_ns");
      if (m.has("latency_p99_ns")) r.latency_p99_ns = m.best("latency_p99_ns");
      if (m.has("latency_p999_ns")) r.latency_p999_ns = m.best("latency_p999_ns");
      rows.push_back(r);
    }
  return rows;
}

void add_storage_level(const ProfileInputs& in, const std::vector<StorageRow>& rows,
                       PerDevice<std::vector<Level>>& memory, PerDevice<Curves>& curves) {
  if (rows.empty()) return;
  // Direct I/O is the device's; buffered figures stand in only where O_DIRECT was refused.
  auto pick = [&](auto wanted, auto better) -> const StorageRow* {
    for (const char* mode : {"direct", "buffered"}) {
      const StorageRow* best = nullptr;
      for (const StorageRow& r : rows)
        if (r.mode == mode && wanted(r) && (!best || better(r, *best))) best = &r;
      if (best) return best;
    }
    return nullptr;
  };
  auto faster = [](const StorageRow& a, const StorageRow& b) { return a.GBps.best > b.GBps.best; };
  const StorageRow* read =
      pick([](const StorageRow& r) { return r.pattern == "seq" && r.op == "read"; }, faster);
  const StorageRow* write =
      pick([](const StorageRow& r) { return r.pattern == "seq" && r.op == "write"; }, faster);
  const StorageRow* iops =
      pick([](const StorageRow& r) { return r.pattern == "rand" && r.op == "read"; },
           [](const StorageRow& a, const StorageRow& b) { return a.iops.best > b.iops.best; });
  const StorageRow* latency = pick(
      [](const StorageRow& r) {
        return r.pattern == "rand" && r.op == "read" && r.queue_depth == 1;
      },
      [](const StorageRow& a, const StorageRow& b) { return a.latency_p50_ns < b.latency_p50_ns; });
  Level l;
  l.name = "storage";
  l.kind = LevelKind::storage;
  const ResultFile* f = storage_file(in);
  const std::string fs = f ? context_text(f->context, "io_file_system") : "";
  try {
    l.size_bytes = f ? std::stod(context_text(f->context, "io_file_bytes")) : 0;
  } catch (const std::exception&) {
  }
  l.size_reported_by = "the test file";
  if (read) {
    l.bandwidth_GBps = read->GBps.best;
    l.bandwidth_kernel = read->benchmark;
    l.bandwidth_points = 1;
    l.read_GBps = read->GBps.best;
  } else {
    l.no_bandwidth_why = "no sequential read of storage passed";
  }
  if (latency) l.latency_ns = l.latency_best_ns = latency->latency_p50_ns;
  if (write) {
    l.beside_GBps = write->GBps.best;
    l.beside_kernel = write->benchmark;
  }
  std::string note;
  if (iops && iops->iops.best > 0)
    note = "4 KiB random reads: " + std::to_string(static_cast<long long>(iops->iops.best)) +
           " IOPS at queue depth " + std::to_string(iops->queue_depth);
  if (latency)
    note += (note.empty() ? "" : "; ") + std::string("latency p50 ") +
            micro(latency->latency_p50_ns) + ", p99 " + micro(latency->latency_p99_ns) +
            " at depth 1";
  if (fs == "tmpfs" || fs == "ramfs")
    note += std::string(note.empty() ? "" : "; ") + fs +
            " keeps its files in memory: these are memory's figures, not a disk's";
  l.note = note;
  memory["cpu"].push_back(l);
  // The level's points on the CPU's curves, at the test file's size.
  if (!curves.count("cpu") || l.size_bytes <= 0) return;
  Curves& c = curves["cpu"];
  if (read)
    c.bandwidth.push_back({"storage seq read " + read->mode, {{l.size_bytes, l.bandwidth_GBps}}});
  if (write)
    c.bandwidth.push_back({"storage seq write " + write->mode, {{l.size_bytes, write->GBps.best}}});
  if (latency)
    c.latency.push_back(
        {"storage 4KiB random read p50", {{l.size_bytes, latency->latency_p50_ns}}});
}

std::vector<ModelLoad> model_loads(const PerDevice<std::vector<Level>>& memory) {
  std::vector<ModelLoad> out;
  const Level* storage = nullptr;
  for (const auto& [device, levels] : memory)
    for (const Level& l : levels)
      if (l.kind == LevelKind::storage && l.bandwidth_GBps > 0) storage = &l;
  if (!storage) return out;
  for (const ModelConfig& m : model_catalog()) {
    ModelLoad load;
    load.model = m.name;
    load.type = "bf16";
    load.parameters = parameter_count(m);
    load.weights_bytes = 2 * load.parameters;
    load.level = storage->name;
    load.GBps = storage->bandwidth_GBps;
    load.seconds = load.weights_bytes / (load.GBps * 1e9);
    out.push_back(load);
  }
  return out;
}

}  // namespace memwall::harness
