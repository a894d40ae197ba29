// Disk-full degradation (reliability.md P-D5). Below a free-space watermark on the
// data volume new sends are refused (503 ServiceUnavailable, Retry-After) while
// receives, deletes and visibility changes go on, so consumers can drain the queue.
//
// A reserve file (default 64 MiB, at most 1/16 of the volume, allocated with
// posix_fallocate) sits in the data directory. It is released as soon as the volume is
// seen below the watermark, or a commit hits ENOSPC (note_full), so the commits that
// drain the queue (receive grants, deletes) still find room; it is allocated again once
// the volume has the watermark plus the reserve free.
//
// "Free" is the volume's free space plus the store's free pages (SQLite's freelist:
// room inside ebb.db that new rows reuse without growing the file), so that sends
// resume once consumers have drained the queue, although ebb.db never shrinks.
//
// The free space is read with statvfs at most once per `recheck` interval (Clock),
// so the hot path costs one atomic load; `refresh()` forces a read.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "clock/clock.h"

namespace ebb {

struct DiskGuardConfig {
  std::string dir;                        // the data directory (statvfs and the reserve file)
  int64_t min_free_bytes = -1;            // -1: min(5 % of the volume, 1 GiB)
  int64_t reserve_bytes = 64LL << 20;     // 0: no reserve file; capped at 1/16 of the volume
  Millis recheck{250};
};

struct DiskSpace {
  int64_t free_bytes = 0;   // available to an unprivileged writer (f_bavail)
  int64_t total_bytes = 0;
};

class DiskGuard {
 public:
  // `probe` reads the free space of a directory (default: statvfs); tests replace it.
  using Probe = std::function<bool(const std::string& dir, DiskSpace& out)>;
  DiskGuard(const Clock& clock, DiskGuardConfig cfg, Probe probe = {});

  // Creates the reserve file when there is room (never fails the start: a full disk
  // at start-up just means sends are refused until space returns).
  void start();
  // True while new sends must be refused. Re-reads the free space when the last read
  // is older than `recheck`.
  bool sends_refused();
  // Reads the free space now and acts on it (release/recreate the reserve).
  void refresh();
  // A commit got ENOSPC: release the reserve now and refuse sends (any thread).
  void note_full();
  // Bytes on the store's freelist, counted as free (any thread; after each commit).
  void set_reusable_bytes(int64_t b) { reusable_.store(b, std::memory_order_relaxed); }

  int64_t watermark_bytes() const { return watermark_.load(); }
  int64_t last_free_bytes() const { return free_.load(); }
  bool reserve_present() const { return reserve_present_.load(); }
  // The reserve size in use: the configured one, capped at 1/16 of the volume.
  int64_t reserve_bytes() const { return reserve_bytes_.load(); }
  int64_t reusable_bytes() const { return reusable_.load(); }
  const std::string& reserve_path() const { return reserve_path_; }

 private:
  bool allocate_reserve(int64_t bytes);
  void release_reserve();

  const Clock& clock_;
  DiskGuardConfig cfg_;
  Probe probe_;
  std::string reserve_path_;
  std::mutex mu_;  // one refresh at a time
  std::atomic<int64_t> next_check_ns_{0};
  std::atomic<int64_t> watermark_{0};
  std::atomic<int64_t> free_{0};
  std::atomic<int64_t> reusable_{0};
  std::atomic<int64_t> reserve_bytes_{0};
  std::atomic<bool> low_{false};
  std::atomic<bool> reserve_present_{false};
  bool released_ = false;  // the reserve was given up for a low volume (under mu_)
};

// statvfs of `dir`; false (errno set) when it cannot be read.
bool statvfs_probe(const std::string& dir, DiskSpace& out);

}  // namespace ebb
