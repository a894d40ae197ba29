// Opening the SQLite store file: everything that must hold before the first commit.
// Used by open_sqlite_store (sqlite_store.cc).
#pragma once
#include <memory>
#include <string>

#include "store/sqlite_db.h"

namespace ebb::sqlite {

// WAL is checkpointed once it passes this size, and truncated back to it (P-D7).
inline constexpr int64_t kWalLimitBytes = 64 << 20;

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
