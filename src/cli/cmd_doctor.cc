// ebb doctor: the offline check and salvage tool that a refused start points to
// (reliability.md P-D6). It reads the store with SQLite directly — no server needed —
// and never writes to the data directory it checks: salvage copies the store into a
// new directory and copies every readable row from that copy into a fresh store.
//
// Written here rather than delegated to the sqlite3 shell's `.recover`: Debian 12's
// libsqlite3 is built without the sqlite_dbpage table that `.recover` needs (it fails
// with "SQL logic error" even on a healthy file), and `.dump` stops a table at its first
// damaged page. Row-level copying knows ebb's schema and skips past damaged pages.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <sqlite3.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cli/client_auth.h"
#include "cli/commands.h"
#include "store/sqlite_schema.h"

namespace ebb::cli {
namespace {

std::string mib(int64_t bytes) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return b;
}

std::string mode_text(mode_t m) {
  char b[8];
  std::snprintf(b, sizeof b, "%04o", static_cast<unsigned>(m & 07777));
  return b;
}

int64_t file_size(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : -1;
}

// True when an ebbd holds the data dir's lock (daemon.cc takes LOCK_EX on ebbd.lock).
bool ebbd_running(const std::string& dir) {
  int fd = ::open((dir + "/ebbd.lock").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return held;
}

// The 32-bit big-endian header fields of an SQLite file (https://sqlite.org/fileformat.html):
// user_version at offset 60, application_id at 68. Read from the bytes, so they are known
// even when SQLite cannot open the file.
struct Header {
  bool sqlite = false;
  int64_t user_version = 0, application_id = 0;
};

Header read_header(const std::string& path) {
  Header h;
  std::ifstream f(path, std::ios::binary);
  char b[100] = {};
  if (!f.read(b, sizeof b)) return h;
  h.sqlite = std::memcmp(b, "SQLite format 3", 16) == 0;
  auto be32 = [&](int off) {
    return static_cast<int64_t>((static_cast<uint32_t>(static_cast<unsigned char>(b[off])) << 24) |
                                (static_cast<uint32_t>(static_cast<unsigned char>(b[off + 1])) << 16) |
                                (static_cast<uint32_t>(static_cast<unsigned char>(b[off + 2])) << 8) |
                                static_cast<uint32_t>(static_cast<unsigned char>(b[off + 3])));
  };
  h.user_version = be32(60);
  h.application_id = be32(68);
  return h;
}

// A read-only connection (the check never changes the file; with a WAL the shm may be
// created by SQLite, which ebbd would do itself on its next start).
struct Conn {
  sqlite3* db = nullptr;
  std::string error;
  explicit Conn(const std::string& path, int flags = SQLITE_OPEN_READONLY) {
    if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
      error = db ? sqlite3_errmsg(db) : "out of memory";
    } else {
      sqlite3_busy_timeout(db, 5000);
    }
  }
  ~Conn() { sqlite3_close(db); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Every row's first column as text; false (with `error` set) if the statement fails.
  bool rows(const std::string& sql, std::vector<std::string>& out) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      error = sqlite3_errmsg(db);
      return false;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(st, 0);
      out.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
    }
    if (rc != SQLITE_DONE) error = sqlite3_errmsg(db);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE;
  }
  int64_t count(const std::string& table) {
    std::vector<std::string> r;
    if (!rows("SELECT count(*) FROM " + table, r) || r.empty()) return -1;
    return std::strtoll(r[0].c_str(), nullptr, 10);
  }
};

struct Report {
  std::vector<std::string> problems, warnings;
  void line(const char* label, const std::string& text) { std::printf("%-10s %s\n", label, text.c_str()); }
};

// Checks the store file; fills the report. Returns true if SQLite could read it at all.
void check_store(const std::string& db_path, Report& r) {
  int64_t size = file_size(db_path);
  if (size < 0) {
    r.problems.push_back(db_path + " is missing (" + std::strerror(errno) + ")");
    return;
  }
  Header h = read_header(db_path);
  int64_t wal = file_size(db_path + "-wal");
  r.line("store", db_path + "  " + mib(size) + (wal >= 0 ? ", WAL " + mib(wal) : std::string()));
  if (size == 0) {
    r.line("contents", "empty file (ebbd creates the schema on its next start)");
    return;
  }
  if (!h.sqlite) {
    r.problems.push_back(db_path + ": not an SQLite file (the header is damaged or the file is something else)");
    return;
  }
  // The header fields through SQLite: with a WAL, the newest page 1 may not be in the
  // main file yet.
  Conn c(db_path);
  std::vector<std::string> app, ver;
  if (!c.error.empty() || !c.rows("PRAGMA application_id", app) || !c.rows("PRAGMA user_version", ver) ||
      app.empty() || ver.empty()) {
    r.problems.push_back(db_path + ": SQLite cannot read it: " + c.error);
    return;
  }
  h.application_id = std::strtoll(app[0].c_str(), nullptr, 10);
  h.user_version = std::strtoll(ver[0].c_str(), nullptr, 10);
  if (h.application_id != sqlite::kApplicationId) {
    r.problems.push_back(db_path + ": not an ebb store (application_id " + std::to_string(h.application_id) + ")");
    return;
  }
  if (h.user_version > sqlite::kSchemaVersion) {
    r.problems.push_back(db_path + ": schema version " + std::to_string(h.user_version) +
                         " was written by a newer ebb; this build knows up to " +
                         std::to_string(sqlite::kSchemaVersion) + " (use the newer ebb's doctor)");
    return;
  }
  std::vector<std::string> out;
  if (!c.rows("PRAGMA integrity_check(100)", out)) {
    r.problems.push_back(db_path + ": PRAGMA integrity_check failed: " + c.error);
    return;
  }
  if (out.size() == 1 && out[0] == "ok") {
    r.line("integrity", "ok (PRAGMA integrity_check), schema version " + std::to_string(h.user_version));
  } else {
    std::string all;
    for (size_t i = 0; i < out.size() && i < 10; ++i) all += (i ? "; " : "") + out[i];
    if (out.size() > 10) all += "; … (" + std::to_string(out.size()) + " findings)";
    r.problems.push_back(db_path + ": PRAGMA integrity_check found damage: " + all);
  }
  int64_t queues = c.count("queues"), messages = c.count("messages");
  int64_t records = h.user_version >= 2 ? c.count("records") : 0;
  if (queues < 0 || messages < 0 || records < 0) {
    r.problems.push_back(db_path + ": cannot count the rows of its tables: " + c.error);
  } else {
    r.line("contents", std::to_string(queues) + " queues, " + std::to_string(messages) + " messages, " +
                           std::to_string(records) + " records (services, jobs, schedules, tokens, secrets…)");
  }
}

void check_files(const std::string& dir, Report& r) {
  struct stat st;
  std::string text;
  if (::stat(dir.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
    r.warnings.push_back("data dir " + dir + " is mode " + mode_text(st.st_mode) + " (ebbd creates it 0700): chmod 700 " + dir);
  for (const char* name : {"ebb.db", "credentials", "secret.key"}) {
    std::string p = dir + "/" + name;
    if (::stat(p.c_str(), &st) != 0) {
      text += std::string(text.empty() ? "" : ", ") + name + " absent";
      continue;
    }
    text += std::string(text.empty() ? "" : ", ") + name + " " + mode_text(st.st_mode);
    if ((st.st_mode & 077) != 0) r.problems.push_back(p + " is readable by group or others: chmod 600 " + p);
  }
  r.line("files", text);
}

void check_disk(const std::string& dir, Report& r) {
  struct statvfs v;
  if (::statvfs(dir.c_str(), &v) != 0) return;
  int64_t total = static_cast<int64_t>(v.f_blocks) * static_cast<int64_t>(v.f_frsize);
  int64_t avail = static_cast<int64_t>(v.f_bavail) * static_cast<int64_t>(v.f_frsize);
  int64_t mark = std::min<int64_t>(total / 20, int64_t{1} << 30);  // --min-free-disk's default
  r.line("disk", mib(avail) + " free of " + mib(total) + " (sends stop below " + mib(mark) + " by default)");
  if (avail < mark) r.warnings.push_back("free space is below the default watermark: ebbd refuses sends (503) until space returns");
}

bool copy_file(const std::string& from, const std::string& to, mode_t mode) {
  std::ifstream in(from, std::ios::binary);
  if (!in) return false;
  int fd = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return false;
  char buf[1 << 16];
  bool ok = true;
  while (ok && in) {
    in.read(buf, sizeof buf);
    std::streamsize n = in.gcount();
    for (std::streamsize off = 0; ok && off < n;) {
      ssize_t w = ::write(fd, buf + off, static_cast<size_t>(n - off));
      ok = w > 0;
      off += w > 0 ? w : 0;
    }
  }
  ok = ok && ::fsync(fd) == 0;
  return ::close(fd) == 0 && ok;
}

// Copies the readable rows of every table of `src` into the same table of `dst` (which
// has ebb's schema). A scan that hits a damaged page fails with SQLITE_CORRUPT; rowid
// tables are then probed past the damage (rowid > last + 1, 2, 4, …: a seek to a key
// beyond a damaged leaf does not read it), tables without rowid are read once more
// from the other end. INSERT OR IGNORE makes the overlapping reads harmless.
struct TableResult {
  std::string name;
  int64_t rows = 0;
  bool damaged = false;
};

bool step_ok(int rc) { return rc == SQLITE_ROW || rc == SQLITE_DONE; }

TableResult copy_table(sqlite3* src, sqlite3* dst, const std::string& table) {
  TableResult r{table};
  std::vector<std::string> cols, pk;
  {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(dst, ("PRAGMA table_info(\"" + table + "\")").c_str(), -1, &st, nullptr);
    std::vector<std::pair<int, std::string>> keys;
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::string c = reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
      cols.push_back(c);
      if (int k = sqlite3_column_int(st, 5); k > 0) keys.emplace_back(k, c);
    }
    sqlite3_finalize(st);
    std::sort(keys.begin(), keys.end());
    for (auto& k : keys) pk.push_back(k.second);
  }
  std::string list, marks;
  for (size_t i = 0; i < cols.size(); ++i) {
    list += (i ? ", \"" : "\"") + cols[i] + "\"";
    marks += i ? ", ?" : "?";
  }
  sqlite3_stmt* ins = nullptr;
  sqlite3_prepare_v2(dst, ("INSERT OR IGNORE INTO \"" + table + "\" (" + list + ") VALUES (" + marks + ")").c_str(),
                     -1, &ins, nullptr);
  // Runs `sql` (with `bind` applied) and inserts each row; returns the last rowid seen in
  // column 0 when `with_rowid`, and whether the scan ended cleanly.
  auto scan = [&](const std::string& sql, bool with_rowid, int64_t after, int64_t& last, int64_t& got) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(src, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) return false;
    if (with_rowid) sqlite3_bind_int64(st, 1, after);
    int rc;
    got = 0;
    int first = with_rowid ? 1 : 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      if (with_rowid) last = sqlite3_column_int64(st, 0);
      for (size_t i = 0; i < cols.size(); ++i)
        sqlite3_bind_value(ins, static_cast<int>(i) + 1, sqlite3_column_value(st, static_cast<int>(i) + first));
      if (sqlite3_step(ins) == SQLITE_DONE && sqlite3_changes(dst) > 0) ++r.rows;
      sqlite3_reset(ins);
      ++got;
    }
    sqlite3_finalize(st);
    return step_ok(rc);
  };
  bool rowid_table = false;  // WITHOUT ROWID tables have no rowid column
  if (pk.size() == 1) {
    sqlite3_stmt* probe = nullptr;
    rowid_table = sqlite3_prepare_v2(src, ("SELECT rowid FROM \"" + table + "\" LIMIT 0").c_str(), -1, &probe,
                                     nullptr) == SQLITE_OK;
    sqlite3_finalize(probe);
  }
  if (rowid_table) {
    std::string sql = "SELECT rowid, " + list + " FROM \"" + table + "\" WHERE rowid > ? ORDER BY rowid LIMIT 1000";
    int64_t last = INT64_MIN, got = 0;
    for (;;) {
      int64_t from = last;
      if (scan(sql, true, from, last, got)) {
        if (got == 0) break;
        continue;
      }
      r.damaged = true;
      // Probe past the damage: the first seek that works resumes the copy.
      bool resumed = false;
      for (int64_t stride = 1; stride > 0 && stride < (int64_t{1} << 62) && !resumed; stride *= 2) {
        if (last > INT64_MAX - stride) break;
        int64_t probe_last = last + stride, probe_got = 0;
        if (scan(sql, true, last + stride, probe_last, probe_got)) {
          resumed = true;
          last = probe_last;
          if (probe_got == 0) return r;  // nothing after the damage
        }
      }
      if (!resumed) break;
    }
  } else {
    int64_t last = 0, got = 0;
    if (!scan("SELECT " + list + " FROM \"" + table + "\"", false, 0, last, got)) {
      r.damaged = true;
      std::string order;
      for (size_t i = 0; i < pk.size(); ++i) order += (i ? ", \"" : "\"") + pk[i] + "\" DESC";
      if (!order.empty()) scan("SELECT " + list + " FROM \"" + table + "\" ORDER BY " + order, false, 0, last, got);
    }
  }
  sqlite3_finalize(ins);
  return r;
}

int salvage(const std::string& dir, const std::string& to) {
  struct stat st;
  if (::stat(to.c_str(), &st) == 0)
    return report(CliError{kExitRefused, "salvage target " + to + " already exists", {}, "name a new directory"});
  if (::mkdir(to.c_str(), 0700) != 0)
    return report(CliError{kExitRefused, "cannot create " + to + ": " + std::strerror(errno), {}, ""});
  // Read from copies: SQLite would otherwise apply the WAL to (write) the damaged file.
  std::string src_dir = to + "/salvage-source";
  if (::mkdir(src_dir.c_str(), 0700) != 0 || !copy_file(dir + "/ebb.db", src_dir + "/ebb.db", 0600))
    return report(CliError{kExitRefused, "cannot copy " + dir + "/ebb.db into " + src_dir + ": " + std::strerror(errno), {}, ""});
  if (file_size(dir + "/ebb.db-wal") > 0 && !copy_file(dir + "/ebb.db-wal", src_dir + "/ebb.db-wal", 0600))
    return report(CliError{kExitRefused, "cannot copy the WAL into " + src_dir + ": " + std::strerror(errno), {}, ""});
  auto cleanup = [&] {
    for (const char* f : {"/ebb.db", "/ebb.db-wal", "/ebb.db-shm"}) ::unlink((src_dir + f).c_str());
    ::rmdir(src_dir.c_str());
  };
  Header h = read_header(src_dir + "/ebb.db");
  Conn src(src_dir + "/ebb.db", SQLITE_OPEN_READWRITE);
  std::vector<std::string> version;
  if (!h.sqlite || !src.error.empty() || !src.rows("PRAGMA user_version", version) || version.empty()) {
    std::string why = !h.sqlite ? "the file header is not SQLite's" : src.error;
    cleanup();
    return report(CliError{kExitRefused, "cannot salvage " + dir + "/ebb.db: " + why,
                           {"SQLite cannot read the first page (the header and the table of tables), so no row can be "
                            "located; the copy in " + to + " was removed"},
                           "restore the data directory from a backup"});
  }
  int64_t v = std::strtoll(version[0].c_str(), nullptr, 10);
  if (v < 1 || v > sqlite::kSchemaVersion) v = sqlite::kSchemaVersion;  // unreadable: the tables are ebb's anyway
  Conn dst(to + "/ebb.db", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  std::vector<std::string> ignored;
  std::string schema = std::string("BEGIN;") + sqlite::kSchemaSql + (v >= 2 ? sqlite::kRecordsSql : "");
  if (!dst.error.empty() || sqlite3_exec(dst.db, schema.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    std::string e = dst.error.empty() ? sqlite3_errmsg(dst.db) : dst.error;
    cleanup();
    return report(CliError{kExitRefused, "cannot create " + to + "/ebb.db: " + e, {}, ""});
  }
  std::vector<std::string> tables;
  dst.rows("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name", tables);
  std::vector<TableResult> results;
  for (auto& t : tables) results.push_back(copy_table(src.db, dst.db, t));
  bool ok = dst.rows("PRAGMA application_id = " + std::to_string(sqlite::kApplicationId), ignored) &&
            dst.rows("PRAGMA user_version = " + std::to_string(v), ignored) && dst.rows("COMMIT", ignored);
  cleanup();
  if (!ok) return report(CliError{kExitRefused, "cannot write " + to + "/ebb.db: " + dst.error, {}, ""});
  ::chmod((to + "/ebb.db").c_str(), 0600);
  for (const char* name : {"credentials", "secret.key"}) {
    std::string from = dir + "/" + name;
    if (::stat(from.c_str(), &st) == 0 && !copy_file(from, to + "/" + name, 0600))
      return report(CliError{kExitRefused, "cannot copy " + from + ": " + std::strerror(errno), {}, ""});
  }
  for (auto& t : results)
    std::printf("salvaged   %-12s %" PRId64 " rows%s\n", t.name.c_str(), t.rows,
                t.damaged ? "  (damaged: rows on unreadable pages are missing)" : "");
  std::printf("\nThe recovered store, checked:\n");
  Report r;
  check_store(to + "/ebb.db", r);
  for (auto& w : r.warnings) std::printf("warning:   %s\n", w.c_str());
  for (auto& p : r.problems) std::printf("problem:   %s\n", p.c_str());
  if (!r.problems.empty()) return report(CliError{kExitRefused, "the recovered store still has problems", {}, ""});
  std::printf("result:    salvaged into %s — start ebbd with --data-dir %s (the damaged directory is unchanged)\n",
              to.c_str(), to.c_str());
  return kExitOk;
}

}  // namespace

int run_doctor(const DoctorOptions& o) {
  std::string dir = o.data_dir.empty() ? default_data_dir() : o.data_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (dir.empty())
    return report(usage_error("no data directory: give --data-dir (or set EBB_DATA_DIR)"));
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return report(CliError{kExitRefused, "data directory " + dir + " does not exist", {}, "give --data-dir"});
  bool running = ebbd_running(dir);
  if (!o.salvage_to.empty()) {
    if (running)
      return report(CliError{kExitRefused, "ebbd is running on " + dir, {}, "stop it before salvaging"});
    return salvage(dir, o.salvage_to);
  }
  Report r;
  r.line("data dir", dir + (running ? "  (ebbd is running: a live, read-only check)" : "  (ebbd is not running)"));
  check_store(dir + "/ebb.db", r);
  check_files(dir, r);
  check_disk(dir, r);
  for (auto& w : r.warnings) std::printf("warning:   %s\n", w.c_str());
  for (auto& p : r.problems) std::printf("problem:   %s\n", p.c_str());
  if (r.problems.empty()) {
    std::printf("result:    healthy\n");
    return kExitOk;
  }
  return report(CliError{kExitRefused, "the data directory has problems (above)", {},
                         "keep the directory as it is; `ebb doctor --data-dir " + dir +
                             " --salvage NEWDIR` recovers what it can into a new directory (docs/durability.md)"});
}

}  // namespace ebb::cli
