#include "store/sqlite_open.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "store/sqlite_schema.h"

namespace ebb::sqlite {
namespace {

constexpr const char* kDoctorHint =
    ". ebb refuses to start rather than lose data it cannot read (P-D6). What to do: keep the directory as "
    "it is; `ebb doctor --data-dir DIR` reports the damage, and `ebb doctor --data-dir DIR --salvage NEWDIR` "
    "copies every readable row into a new directory to start ebbd on (docs/durability.md, \"A damaged "
    "store\")";

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw StoreError("store " + path + ": " + what);
}

std::string errno_text() { return std::strerror(errno); }

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

void fsync_path(const std::string& p, int flags) {
  int fd = ::open(p.c_str(), flags | O_CLOEXEC);
  if (fd < 0) fail(p, "open for fsync: " + errno_text());
  int rc = ::fsync(fd);
  int e = errno;
  ::close(fd);
  if (rc != 0) {
    errno = e;
    fail(p, "fsync: " + errno_text());
  }
}

// Creates the file ourselves so it gets mode 0600 (SQLite would use 0644 minus umask;
// the -wal and -shm files copy the main file's mode, so they are 0600 too). The new
// directory entry is synced: SQLite syncs the directory for the WAL it creates, not for
// the main file we created.
void ensure_file(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) return;
  if (errno != ENOENT) fail(path, "stat: " + errno_text());
  int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return;
    fail(path, "create: " + errno_text() + " (the directory must exist)");
  }
  ::close(fd);
  fsync_path(dir_of(path), O_RDONLY | O_DIRECTORY);
}

// PRAGMA quick_check: O(N) structure check without the index/table cross-check of
// integrity_check, fast enough for the 10 s recovery budget (P-D7).
void check_integrity(Db& db, const std::string& path) {
  Stmt s(db.get(), "PRAGMA quick_check(20)", false);
  std::string problems;
  while (s.step()) {
    std::string line = s.str(0);
    if (line == "ok") continue;
    problems += problems.empty() ? "" : "; ";
    problems += line;
  }
  if (!problems.empty()) fail(path, "PRAGMA quick_check found damage: " + problems + kDoctorHint);
}

// True for a file without any ebb or foreign content yet.
bool is_empty_database(Db& db) {
  return db.query_int("PRAGMA user_version") == 0 && db.query_int("PRAGMA application_id") == 0 &&
         db.query_int("SELECT count(*) FROM sqlite_schema") == 0;
}

void check_version(Db& db, const std::string& path) {
  int64_t app = db.query_int("PRAGMA application_id");
  if (app != kApplicationId)
    fail(path, "not an ebb store (application_id " + std::to_string(app) + ")" + kDoctorHint);
  int64_t v = db.query_int("PRAGMA user_version");
  if (v > kSchemaVersion)
    fail(path, "schema version " + std::to_string(v) + " was written by a newer ebb; this build reads up to " +
                   std::to_string(kSchemaVersion) + ". Run the newer ebb" + kDoctorHint);
  if (v < 1)
    fail(path, "unknown schema version " + std::to_string(v) + " (this build knows " +
                   std::to_string(kSchemaVersion) + ")" + kDoctorHint);
}

// Runs `sql` and stamps version `to` in one transaction (a crash leaves the old
// version intact).
void migrate_step(Db& db, const char* sql, int64_t to) {
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec(sql);
    db.exec("PRAGMA user_version = " + std::to_string(to));
    db.exec("COMMIT");
  } catch (...) {
    if (!sqlite3_get_autocommit(db.get())) sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

// Upgrades an older file step by step (sqlite_schema.h history). Never drop a step.
void migrate(Db& db) {
  int64_t v = db.query_int("PRAGMA user_version");
  if (v < 2) migrate_step(db, kRecordsSql, 2);
}

void create_schema(Db& db) {
  // user_version and application_id live in the file header and change inside the
  // transaction: a crash leaves either an empty file or a complete schema.
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec(kSchemaSql);
    db.exec(kRecordsSql);
    db.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
    db.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
    db.exec("COMMIT");
  } catch (...) {
    if (!sqlite3_get_autocommit(db.get())) sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void configure(Db& db, const std::string& path) {
  // P-D1: WAL + synchronous=FULL, so every COMMIT syncs the WAL. Read both back: a file
  // system without shared-memory support silently stays in another journal mode.
  std::string mode = db.query_text("PRAGMA journal_mode = WAL");
  if (mode != "wal") fail(path, "cannot use WAL journal mode (got '" + mode + "')");
  db.exec("PRAGMA synchronous = FULL");
  if (db.query_int("PRAGMA synchronous") != 2) fail(path, "synchronous=FULL was not accepted");
  db.exec("PRAGMA foreign_keys = OFF");
  db.exec("PRAGMA temp_store = MEMORY");
  // 64 MiB page cache: the working set of the hot path is the right edge of the
  // messages b-tree, its index and the dedup tree; more only helps load().
  db.exec("PRAGMA cache_size = -65536");
  // P-D7: checkpoint when the WAL passes 64 MiB (the limit is in pages) and truncate
  // the WAL file back to 64 MiB after a checkpoint so it does not keep its peak size.
  // P-D5: less on a small volume (wal_limit_for).
  int64_t page = db.query_int("PRAGMA page_size");
  int64_t volume = 0;
  struct statvfs sv;
  if (::statvfs(dir_of(path).c_str(), &sv) == 0) volume = int64_t(sv.f_blocks) * int64_t(sv.f_frsize);
  int64_t limit = wal_limit_for(volume);
  db.exec("PRAGMA wal_autocheckpoint = " + std::to_string(std::max<int64_t>(1, limit / page)));
  db.exec("PRAGMA journal_size_limit = " + std::to_string(limit));
  // Another process (a backup, the sqlite3 shell) may hold a lock for a moment; wait
  // instead of failing a commit, which would stop the server (P-D4).
  sqlite3_busy_timeout(db.get(), 5000);
}

}  // namespace

int64_t wal_limit_for(int64_t volume_bytes) {
  if (volume_bytes <= 0) return kWalLimitBytes;
  return std::clamp<int64_t>(volume_bytes / 32, 1 << 20, kWalLimitBytes);
}

std::unique_ptr<Db> open_store_db(const std::string& path) {
  ensure_file(path);
  auto db = std::make_unique<Db>(path);
  try {
    // First read of the file: a garbage header fails here with "file is not a database".
    check_integrity(*db, path);
    bool fresh = is_empty_database(*db);
    if (!fresh) check_version(*db, path);
    configure(*db, path);
    if (fresh) create_schema(*db);
    else migrate(*db);
  } catch (const StoreError& e) {
    std::string msg = e.what();
    if (msg.rfind("store ", 0) == 0) throw;  // already names the file
    fail(path, msg + kDoctorHint);
  }
  return db;
}

}  // namespace ebb::sqlite
