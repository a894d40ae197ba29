// Thin RAII wrapper over the SQLite C API, used only by the SQLite store
// (sqlite_store.cc, sqlite_schema.cc). Every failure becomes a StoreError that names
// the operation, SQLite's extended result code and its message, so a fail-stop exit
// (P-D4) prints something an operator can act on.
//
// Not thread-safe: the owner serialises access (SqliteStore holds a mutex).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "store/store.h"

namespace ebb::sqlite {

// A StoreError that keeps SQLite's (extended) result code, so a caller can tell a full
// disk (SQLITE_FULL) from an I/O error.
struct SqliteError : StoreError {
  SqliteError(const std::string& msg, int rc) : StoreError(msg), code(rc) {}
  int code;
};

// Throws SqliteError "<what>: <errmsg> (<extended code name>)".
[[noreturn]] void throw_error(sqlite3* db, int rc, std::string_view what);

// A prepared statement. Bind/column indexes follow SQLite: binds from 1, columns from 0.
// Text and blob binds are SQLITE_STATIC: the caller keeps the bytes alive until the
// statement is reset (every user here binds, steps and resets within one scope).
class Stmt {
 public:
  Stmt() = default;
  // `persistent`: the statement lives for the whole connection (SQLITE_PREPARE_PERSISTENT
  // lets SQLite allocate it outside the lookaside pool).
  Stmt(sqlite3* db, std::string_view sql, bool persistent = true);
  ~Stmt();
  Stmt(Stmt&& o) noexcept;
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, int64_t v);
  Stmt& bind_text(int i, std::string_view v);
  Stmt& bind_blob(int i, std::string_view v);

  // Steps once; true if a row is available, false when done. Throws on error.
  bool step();
  // Steps to completion (statements that return no rows) and resets.
  void run();
  // Resets and clears bindings so the statement can be reused; never throws (the
  // error of a failed step was already thrown by step()).
  void reset();

  int64_t int64(int col) const { return sqlite3_column_int64(s_, col); }
  // Bytes of a TEXT or BLOB column (NUL bytes included); valid until the next step.
  std::string_view bytes(int col) const;
  std::string str(int col) const { return std::string(bytes(col)); }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* s_ = nullptr;
};

// An open connection, closed on destruction (after its statements: declare Stmt
// members after the Db member so they are destroyed first).
class Db {
 public:
  // Opens an existing file read-write (SQLITE_OPEN_NOMUTEX; the owner serialises).
  // The file must exist: creating it with the right mode is the caller's job.
  explicit Db(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* get() const { return db_; }
  // Runs one or more statements that return no rows we need.
  void exec(const std::string& sql);
  // Runs a statement that returns one value (e.g. a PRAGMA) and returns it as text.
  std::string query_text(const std::string& sql);
  int64_t query_int(const std::string& sql);

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace ebb::sqlite
