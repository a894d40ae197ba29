// Opening the SQLite store file: everything that must hold before the first commit.
// Used by open_sqlite_store (sqlite_store.cc).
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "store/sqlite_db.h"

namespace ebb::sqlite {

// WAL is checkpointed once it passes this size, and truncated back to it (P-D7).
inline constexpr int64_t kWalLimitBytes = 64 << 20;

// The WAL limit for a data volume of `volume_bytes` (0: unknown): kWalLimitBytes, but
// at most 1/32 of the volume (at least 1 MiB). On a small volume a 64 MiB WAL would
// hold all the data and never be checkpointed, so the space freed by deletes would
// never come back (P-D5).
int64_t wal_limit_for(int64_t volume_bytes);

// Opens `path`, creating it (mode 0600, directory entry synced) if missing, then:
//  - runs PRAGMA quick_check and refuses a damaged file (P-D6),
//  - refuses a foreign SQLite file or an unknown schema version (never migrates down,
//    never deletes what it cannot read),
//  - creates the schema in a new file,
//  - sets WAL + synchronous=FULL (P-D1) and the checkpoint limits (P-D7), and
//    verifies that SQLite really accepted them.
// Throws StoreError whose message names the file and what was found.
std::unique_ptr<Db> open_store_db(const std::string& path);

}  // namespace ebb::sqlite

namespace ebb {

// A full disk during a commit (reliability.md P-D5). When a commit fails with
// SQLITE_FULL (a write got ENOSPC; no sync failed) and SQLite rolled the transaction
// back cleanly, the store calls on_full (ebbd: log, release the reserve file, refuse sends)
// and runs the same transaction again after `pause`, up to `attempts` times in all; the
// callers keep waiting, so the engine's memory and the file never disagree. Any other
// failure, a rollback that fails, or the last attempt failing is fail-stop (P-D4).
struct SqliteFullPolicy {
  std::function<void(const std::string& error, int attempt)> on_full;
  // After every commit: bytes on SQLite's freelist, i.e. room inside ebb.db that new
  // rows reuse without growing the file (the disk guard counts it as free).
  std::function<void(int64_t)> free_list_bytes;
  int attempts = 8;
  std::chrono::milliseconds pause{250};
};

std::unique_ptr<Store> open_sqlite_store(const std::string& path, SqliteFullPolicy policy);

}  // namespace ebb
