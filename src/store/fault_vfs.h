// Fault injection at the SQLite/file-system seam (reliability.md §6.2 `faultvfs`).
//
// An sqlite3_vfs that wraps the default unix VFS and passes everything through,
// except where a rule says otherwise. Production never installs it; tests enable it
// in the real binary with the environment variable
//
//   EBB_FAULT_VFS="sync:eio:3,write:enospc:10..12,sync:delay=200:1+"
//
// Each comma-separated rule is  <op>:<fault>:<when>
//   op     sync | write | truncate   (xSync, xWrite, xTruncate on any file of the store)
//   fault  eio    -> SQLITE_IOERR_FSYNC / _WRITE / _TRUNCATE
//          enospc -> SQLITE_FULL (what the unix VFS reports for ENOSPC)
//          delay=MS  the call succeeds after sleeping MS milliseconds (slow disk)
//   when   N (the Nth call of that op only), N..M (a range), N+ (every call from N on)
// Calls are counted per op from 1, across all files, from installation.
//
// Unit tests call install()/uninstall() directly.
#pragma once
#include <cstdint>
#include <string>

namespace ebb::faultvfs {

// Parses `spec` and registers the shim as the default VFS (replacing the rules of a
// previous install). Throws std::invalid_argument naming the bad rule.
void install(const std::string& spec);
// Installs from EBB_FAULT_VFS when it is set and non-empty; returns whether it did.
// Called once by the store before the first open.
bool install_from_env();
// Makes the unix VFS the default again (files opened through the shim keep working).
void uninstall();

struct Counts {
  uint64_t syncs = 0, writes = 0, truncates = 0, injected = 0;
};
Counts counts();

}  // namespace ebb::faultvfs
