#include "store/sqlite_db.h"

#include <utility>

namespace ebb::sqlite {

void throw_error(sqlite3* db, int rc, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  // sqlite3_errmsg describes the most recent failure on the connection, which is the
  // one we are reporting; without a connection only the code is known.
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  msg += " (sqlite code " + std::to_string(rc) + ")";
  throw SqliteError(msg, rc);
}

Stmt::Stmt(sqlite3* db, std::string_view sql, bool persistent) : db_(db) {
  int rc = sqlite3_prepare_v3(db, sql.data(), int(sql.size()),
                              persistent ? SQLITE_PREPARE_PERSISTENT : 0, &s_, nullptr);
  if (rc != SQLITE_OK) throw_error(db, rc, "prepare " + std::string(sql.substr(0, 60)));
}

Stmt::~Stmt() { sqlite3_finalize(s_); }

Stmt::Stmt(Stmt&& o) noexcept
    : db_(std::exchange(o.db_, nullptr)), s_(std::exchange(o.s_, nullptr)) {}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(s_);
    db_ = std::exchange(o.db_, nullptr);
    s_ = std::exchange(o.s_, nullptr);
  }
  return *this;
}

Stmt& Stmt::bind(int i, int64_t v) {
  int rc = sqlite3_bind_int64(s_, i, v);
  if (rc != SQLITE_OK) throw_error(db_, rc, "bind");
  return *this;
}

Stmt& Stmt::bind_text(int i, std::string_view v) {
  // A non-null pointer even for "" so the value is '' and not NULL.
  int rc = sqlite3_bind_text(s_, i, v.empty() ? "" : v.data(), int(v.size()), SQLITE_STATIC);
  if (rc != SQLITE_OK) throw_error(db_, rc, "bind");
  return *this;
}

Stmt& Stmt::bind_blob(int i, std::string_view v) {
  // Zero-length blob rather than NULL: the columns are NOT NULL.
  int rc = v.empty() ? sqlite3_bind_zeroblob(s_, i, 0)
                     : sqlite3_bind_blob(s_, i, v.data(), int(v.size()), SQLITE_STATIC);
  if (rc != SQLITE_OK) throw_error(db_, rc, "bind");
  return *this;
}

bool Stmt::step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string what = "step ";
  what += std::string_view(sqlite3_sql(s_)).substr(0, 60);
  reset();
  throw_error(db_, rc, what);
}

void Stmt::run() {
  while (step()) {
  }
  reset();
}

void Stmt::reset() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

std::string_view Stmt::bytes(int col) const {
  // Ask for the pointer first, then the size (the order the SQLite docs require).
  auto p = static_cast<const char*>(sqlite3_column_blob(s_, col));
  int n = sqlite3_column_bytes(s_, col);
  return p ? std::string_view(p, size_t(n)) : std::string_view();
}

Db::Db(const std::string& path) {
  int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string what = "open " + path;
    // On failure SQLite still returns a handle (for errmsg); build the message, then free it.
    try {
      throw_error(db_, rc, what);
    } catch (...) {
      sqlite3_close_v2(db_);
      db_ = nullptr;
      throw;
    }
  }
  sqlite3_extended_result_codes(db_, 1);
}

Db::~Db() {
  // Statements are finalized by their owners first; close_v2 copes if one is left.
  sqlite3_close_v2(db_);
}

void Db::exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);  // the same text is available from sqlite3_errmsg
  if (rc != SQLITE_OK) throw_error(db_, rc, sql.substr(0, 60));
}

std::string Db::query_text(const std::string& sql) {
  Stmt s(db_, sql, false);
  if (!s.step()) throw StoreError(sql + ": returned no row");
  return s.str(0);
}

int64_t Db::query_int(const std::string& sql) {
  Stmt s(db_, sql, false);
  if (!s.step()) throw StoreError(sql + ": returned no row");
  return s.int64(0);
}

}  // namespace ebb::sqlite
