#include "store/fault_vfs.h"

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace ebb::faultvfs {
namespace {

enum class Op { Sync, Write, Truncate };
enum class Fault { Eio, Enospc, Delay };

struct Rule {
  Op op;
  Fault fault;
  int delay_ms = 0;
  uint64_t from = 0, to = 0;  // inclusive; to = UINT64_MAX for "N+"
};

std::mutex g_mu;
std::vector<Rule> g_rules;  // under g_mu
std::atomic<uint64_t> g_syncs{0}, g_writes{0}, g_truncates{0}, g_injected{0};
sqlite3_vfs* g_real = nullptr;
sqlite3_vfs g_vfs{};

struct File {
  sqlite3_file base;
  sqlite3_file* real;  // points just after this struct
};

sqlite3_file* real_of(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }

uint64_t parse_u64(const std::string& s, const std::string& rule) {
  if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos)
    throw std::invalid_argument("EBB_FAULT_VFS: bad number '" + s + "' in rule '" + rule + "'");
  return std::stoull(s);
}

Rule parse_rule(const std::string& r) {
  auto c1 = r.find(':');
  auto c2 = c1 == std::string::npos ? c1 : r.find(':', c1 + 1);
  if (c2 == std::string::npos)
    throw std::invalid_argument("EBB_FAULT_VFS: rule '" + r + "' is not <op>:<fault>:<when>");
  std::string op = r.substr(0, c1), fault = r.substr(c1 + 1, c2 - c1 - 1), when = r.substr(c2 + 1);
  Rule out{};
  if (op == "sync") out.op = Op::Sync;
  else if (op == "write") out.op = Op::Write;
  else if (op == "truncate") out.op = Op::Truncate;
  else throw std::invalid_argument("EBB_FAULT_VFS: op '" + op + "' is not sync, write or truncate");
  if (fault == "eio") out.fault = Fault::Eio;
  else if (fault == "enospc") out.fault = Fault::Enospc;
  else if (fault.rfind("delay=", 0) == 0) {
    out.fault = Fault::Delay;
    uint64_t ms = parse_u64(fault.substr(6), r);
    if (ms > 60000) throw std::invalid_argument("EBB_FAULT_VFS: delay above 60000 ms in '" + r + "'");
    out.delay_ms = static_cast<int>(ms);
  } else {
    throw std::invalid_argument("EBB_FAULT_VFS: fault '" + fault + "' is not eio, enospc or delay=MS");
  }
  if (auto dots = when.find(".."); dots != std::string::npos) {
    out.from = parse_u64(when.substr(0, dots), r);
    out.to = parse_u64(when.substr(dots + 2), r);
  } else if (!when.empty() && when.back() == '+') {
    out.from = parse_u64(when.substr(0, when.size() - 1), r);
    out.to = UINT64_MAX;
  } else {
    out.from = out.to = parse_u64(when, r);
  }
  if (out.from == 0 || out.to < out.from)
    throw std::invalid_argument("EBB_FAULT_VFS: 'when' in '" + r + "' must be N, N..M or N+ with 1 <= N <= M");
  return out;
}

// The error to return for call number `n` of `op` (SQLITE_OK: pass through).
int decide(Op op, uint64_t n) {
  int delay = 0;
  int rc = SQLITE_OK;
  {
    std::lock_guard lk(g_mu);
    for (const Rule& r : g_rules) {
      if (r.op != op || n < r.from || n > r.to) continue;
      if (r.fault == Fault::Delay) {
        delay += r.delay_ms;
        continue;
      }
      if (rc != SQLITE_OK) continue;
      if (r.fault == Fault::Enospc) rc = SQLITE_FULL;
      else rc = op == Op::Sync ? SQLITE_IOERR_FSYNC : op == Op::Write ? SQLITE_IOERR_WRITE : SQLITE_IOERR_TRUNCATE;
    }
  }
  if (delay > 0) ::usleep(static_cast<useconds_t>(delay) * 1000);
  if (rc != SQLITE_OK) g_injected++;
  return rc;
}

// --- io methods: forward to the real file, faults on write/truncate/sync ---
int x_close(sqlite3_file* f) {
  sqlite3_file* r = real_of(f);
  int rc = r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;
  f->pMethods = nullptr;
  return rc;
}
int x_read(sqlite3_file* f, void* b, int n, sqlite3_int64 o) { return real_of(f)->pMethods->xRead(real_of(f), b, n, o); }
int x_write(sqlite3_file* f, const void* b, int n, sqlite3_int64 o) {
  if (int rc = decide(Op::Write, ++g_writes); rc != SQLITE_OK) return rc;
  return real_of(f)->pMethods->xWrite(real_of(f), b, n, o);
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (int rc = decide(Op::Truncate, ++g_truncates); rc != SQLITE_OK) return rc;
  return real_of(f)->pMethods->xTruncate(real_of(f), size);
}
int x_sync(sqlite3_file* f, int flags) {
  if (int rc = decide(Op::Sync, ++g_syncs); rc != SQLITE_OK) return rc;
  return real_of(f)->pMethods->xSync(real_of(f), flags);
}
int x_file_size(sqlite3_file* f, sqlite3_int64* s) { return real_of(f)->pMethods->xFileSize(real_of(f), s); }
int x_lock(sqlite3_file* f, int l) { return real_of(f)->pMethods->xLock(real_of(f), l); }
int x_unlock(sqlite3_file* f, int l) { return real_of(f)->pMethods->xUnlock(real_of(f), l); }
int x_check_reserved(sqlite3_file* f, int* out) { return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out); }
int x_file_control(sqlite3_file* f, int op, void* arg) {
  return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}
int x_sector_size(sqlite3_file* f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); }
int x_device_chars(sqlite3_file* f) { return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f)); }
int x_shm_map(sqlite3_file* f, int pg, int sz, int ext, void volatile** p) {
  return real_of(f)->pMethods->xShmMap(real_of(f), pg, sz, ext, p);
}
int x_shm_lock(sqlite3_file* f, int off, int n, int flags) {
  return real_of(f)->pMethods->xShmLock(real_of(f), off, n, flags);
}
void x_shm_barrier(sqlite3_file* f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); }
int x_shm_unmap(sqlite3_file* f, int del) { return real_of(f)->pMethods->xShmUnmap(real_of(f), del); }
int x_fetch(sqlite3_file* f, sqlite3_int64 o, int n, void** p) {
  return real_of(f)->pMethods->xFetch(real_of(f), o, n, p);
}
int x_unfetch(sqlite3_file* f, sqlite3_int64 o, void* p) { return real_of(f)->pMethods->xUnfetch(real_of(f), o, p); }

sqlite3_io_methods make_methods(int version) {
  sqlite3_io_methods m{};
  m.iVersion = version;
  m.xClose = x_close;
  m.xRead = x_read;
  m.xWrite = x_write;
  m.xTruncate = x_truncate;
  m.xSync = x_sync;
  m.xFileSize = x_file_size;
  m.xLock = x_lock;
  m.xUnlock = x_unlock;
  m.xCheckReservedLock = x_check_reserved;
  m.xFileControl = x_file_control;
  m.xSectorSize = x_sector_size;
  m.xDeviceCharacteristics = x_device_chars;
  if (version >= 2) {
    m.xShmMap = x_shm_map;
    m.xShmLock = x_shm_lock;
    m.xShmBarrier = x_shm_barrier;
    m.xShmUnmap = x_shm_unmap;
  }
  if (version >= 3) {
    m.xFetch = x_fetch;
    m.xUnfetch = x_unfetch;
  }
  return m;
}
const sqlite3_io_methods kMethods1 = make_methods(1), kMethods2 = make_methods(2), kMethods3 = make_methods(3);

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  File* file = reinterpret_cast<File*>(f);
  file->real = reinterpret_cast<sqlite3_file*>(file + 1);
  file->base.pMethods = nullptr;
  int rc = g_real->xOpen(g_real, name, file->real, flags, out_flags);
  if (rc != SQLITE_OK || !file->real->pMethods) return rc;
  int v = file->real->pMethods->iVersion;
  file->base.pMethods = v >= 3 ? &kMethods3 : v == 2 ? &kMethods2 : &kMethods1;
  return rc;
}
int x_delete(sqlite3_vfs*, const char* name, int sync) { return g_real->xDelete(g_real, name, sync); }
int x_access(sqlite3_vfs*, const char* name, int flags, int* out) { return g_real->xAccess(g_real, name, flags, out); }
int x_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_real->xFullPathname(g_real, name, n, out);
}
void* x_dl_open(sqlite3_vfs*, const char* p) { return g_real->xDlOpen(g_real, p); }
void x_dl_error(sqlite3_vfs*, int n, char* m) { g_real->xDlError(g_real, n, m); }
void (*x_dl_sym(sqlite3_vfs*, void* h, const char* s))(void) { return g_real->xDlSym(g_real, h, s); }
void x_dl_close(sqlite3_vfs*, void* h) { g_real->xDlClose(g_real, h); }
int x_randomness(sqlite3_vfs*, int n, char* out) { return g_real->xRandomness(g_real, n, out); }
int x_sleep(sqlite3_vfs*, int us) { return g_real->xSleep(g_real, us); }
int x_current_time(sqlite3_vfs*, double* t) { return g_real->xCurrentTime(g_real, t); }
int x_get_last_error(sqlite3_vfs*, int n, char* s) { return g_real->xGetLastError(g_real, n, s); }
int x_current_time_int64(sqlite3_vfs*, sqlite3_int64* t) { return g_real->xCurrentTimeInt64(g_real, t); }

void register_shim() {
  if (!g_real) {
    sqlite3_initialize();
    g_real = sqlite3_vfs_find("unix");
    if (!g_real) g_real = sqlite3_vfs_find(nullptr);
    g_vfs.iVersion = 2;
    g_vfs.szOsFile = static_cast<int>(sizeof(File)) + g_real->szOsFile;
    g_vfs.mxPathname = g_real->mxPathname;
    g_vfs.zName = "ebbfault";
    g_vfs.xOpen = x_open;
    g_vfs.xDelete = x_delete;
    g_vfs.xAccess = x_access;
    g_vfs.xFullPathname = x_full_pathname;
    g_vfs.xDlOpen = x_dl_open;
    g_vfs.xDlError = x_dl_error;
    g_vfs.xDlSym = x_dl_sym;
    g_vfs.xDlClose = x_dl_close;
    g_vfs.xRandomness = x_randomness;
    g_vfs.xSleep = x_sleep;
    g_vfs.xCurrentTime = x_current_time;
    g_vfs.xGetLastError = x_get_last_error;
    g_vfs.xCurrentTimeInt64 = x_current_time_int64;
  }
  sqlite3_vfs_register(&g_vfs, 1);
}

}  // namespace

void install(const std::string& spec) {
  std::vector<Rule> rules;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t end = spec.find(',', start);
    if (end == std::string::npos) end = spec.size();
    std::string r = spec.substr(start, end - start);
    if (!r.empty()) rules.push_back(parse_rule(r));
    start = end + 1;
  }
  {
    std::lock_guard lk(g_mu);
    g_rules = std::move(rules);
  }
  g_syncs = g_writes = g_truncates = g_injected = 0;
  register_shim();
}

bool install_from_env() {
  const char* e = std::getenv("EBB_FAULT_VFS");
  if (!e || !*e) return false;
  install(e);
  return true;
}

void uninstall() {
  {
    std::lock_guard lk(g_mu);
    g_rules.clear();
  }
  if (g_real) {
    sqlite3_vfs_unregister(&g_vfs);
    sqlite3_vfs_register(g_real, 1);
  }
}

Counts counts() { return Counts{g_syncs.load(), g_writes.load(), g_truncates.load(), g_injected.load()}; }

}  // namespace ebb::faultvfs
