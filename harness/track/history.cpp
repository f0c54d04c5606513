#include "harness/track/history.hpp"

#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "harness/profile/input_error.hpp"
#include "harness/profile/sha256.hpp"
#include "harness/track/gate.hpp"

namespace memwall::harness {

namespace {

struct Db {
  sqlite3* handle = nullptr;
  explicit Db(const std::string& path) {
    std::filesystem::path p(path);
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
    if (sqlite3_open(path.c_str(), &handle) != SQLITE_OK)
      throw InputError(path + ": cannot open the history database");
    exec(
        "CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, machine TEXT, date TEXT, "
        "git_commit TEXT, source TEXT, sha256 TEXT UNIQUE, profile TEXT);"
        "CREATE TABLE IF NOT EXISTS metrics (run_id INTEGER REFERENCES runs(id), name TEXT, "
        "counter TEXT, best REAL, median REAL);"
        "CREATE INDEX IF NOT EXISTS metrics_name ON metrics(name);");
  }
  ~Db() { sqlite3_close(handle); }
  void exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string what = error ? error : "unknown";
      sqlite3_free(error);
      throw InputError("history database: " + what);
    }
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> prepare(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      throw InputError(std::string("history database: ") + sqlite3_errmsg(handle));
    return {s, sqlite3_finalize};
  }
};

std::string text(sqlite3_stmt* s, int col) {
  const unsigned char* t = sqlite3_column_text(s, col);
  return t ? reinterpret_cast<const char*>(t) : "";
}

}  // namespace

std::string default_history_path() {
  if (const char* p = std::getenv("MEMWALL_HISTORY")) return p;
  if (const char* x = std::getenv("XDG_DATA_HOME"))
    return std::string(x) + "/memwall/history.sqlite";
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.local/share/memwall/history.sqlite";
}

bool history_add(const std::string& db_path, const std::string& profile_path) {
  std::ifstream in(profile_path);
  if (!in) throw InputError(profile_path + ": cannot read the file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const Profile profile = parse_profile(buffer.str(), profile_path);

  const std::string machine = machine_key(profile);
  Db db(db_path);
  auto add = db.prepare(
      "INSERT OR IGNORE INTO runs (machine, date, git_commit, source, sha256, profile) VALUES "
      "(?,?,?,?,?,?)");
  const std::string sha = sha256_hex(buffer.str());
  const std::string date = machine_value(profile, "date"),
                    commit = machine_value(profile, "git_commit");
  const std::string content = buffer.str();
  sqlite3_bind_text(add.get(), 1, machine.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(add.get(), 2, date.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(add.get(), 3, commit.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(add.get(), 4, profile_path.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(add.get(), 5, sha.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(add.get(), 6, content.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_step(add.get());
  if (sqlite3_changes(db.handle) == 0) return false;
  const sqlite3_int64 run = sqlite3_last_insert_rowid(db.handle);
  db.exec("BEGIN");
  auto metric =
      db.prepare("INSERT INTO metrics (run_id, name, counter, best, median) VALUES (?,?,?,?,?)");
  for (const Metric& x : profile.metrics) {
    sqlite3_reset(metric.get());
    sqlite3_bind_int64(metric.get(), 1, run);
    sqlite3_bind_text(metric.get(), 2, x.name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(metric.get(), 3, x.counter.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(metric.get(), 4, x.best);
    sqlite3_bind_double(metric.get(), 5, x.median);
    sqlite3_step(metric.get());
  }
  db.exec("COMMIT");
  return true;
}

std::string history_show(const std::string& db_path) {
  Db db(db_path);
  auto q = db.prepare(
      "SELECT r.id, r.machine, r.date, r.git_commit, COUNT(m.name) FROM runs r LEFT JOIN metrics m "
      "ON m.run_id = r.id GROUP BY r.id ORDER BY r.machine, r.date");
  std::ostringstream out;
  std::string machine;
  while (sqlite3_step(q.get()) == SQLITE_ROW) {
    if (text(q.get(), 1) != machine) out << (machine = text(q.get(), 1)) << "\n";
    out << "  run " << sqlite3_column_int64(q.get(), 0) << "  " << text(q.get(), 2) << "  commit "
        << text(q.get(), 3) << "  " << sqlite3_column_int(q.get(), 4) << " metrics\n";
  }
  if (machine.empty()) out << "no runs in " << db_path << " (memwall history add PROFILE)\n";
  return out.str();
}

MetricHistory history_trend(const std::string& db_path, const std::string& metric) {
  Db db(db_path);
  auto q = db.prepare(
      "SELECT r.machine, r.date, m.counter, m.best, m.median FROM metrics m JOIN runs r ON r.id = "
      "m.run_id WHERE m.name = ? ORDER BY r.machine, r.date");
  sqlite3_bind_text(q.get(), 1, metric.c_str(), -1, SQLITE_TRANSIENT);
  MetricHistory h;
  h.metric = metric;
  while (sqlite3_step(q.get()) == SQLITE_ROW) {
    h.counter = text(q.get(), 2);
    h.runs.push_back({text(q.get(), 0), text(q.get(), 1), sqlite3_column_double(q.get(), 3),
                      sqlite3_column_double(q.get(), 4)});
  }
  if (h.runs.empty()) throw InputError("no run in " + db_path + " has the metric '" + metric + "'");
  return h;
}

std::vector<Profile> history_profiles(const std::string& db_path, const Profile& profile,
                                      const std::string& exclude_sha256) {
  if (!std::filesystem::exists(db_path)) return {};
  Db db(db_path);
  auto q = db.prepare("SELECT profile, sha256 FROM runs WHERE machine = ? ORDER BY date, id");
  const std::string machine = machine_key(profile);
  sqlite3_bind_text(q.get(), 1, machine.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<Profile> out;
  while (sqlite3_step(q.get()) == SQLITE_ROW) {
    if (text(q.get(), 1) == exclude_sha256) continue;
    try {
      out.push_back(parse_profile(text(q.get(), 0), "history run"));
    } catch (const InputError&) {  // a damaged entry is no baseline
    }
  }
  return out;
}

}  // namespace memwall::harness
