// Disk-full degradation (reliability.md P-D5). Below a free-space watermark on the
// data volume new sends are refused (503 ServiceUnavailable, Retry-After) while
// receives, deletes and visibility changes go on, so consumers can drain the queue.
//
// A reserve file (default 64 MiB, allocated with posix_fallocate) sits in the data
// directory. It is released as soon as the volume is seen below the watermark, so the
// commits that drain the queue (receive grants, deletes) still find room; it is
// allocated again once the volume has the watermark plus the reserve free.
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
  int64_t reserve_bytes = 64LL << 20;     // 0: no reserve file
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

  int64_t watermark_bytes() const { return watermark_.load(); }
  int64_t last_free_bytes() const { return free_.load(); }
  bool reserve_present() const { return reserve_present_.load(); }
  const std::string& reserve_path() const { return reserve_path_; }

 private:
  bool allocate_reserve();
  void release_reserve();

  const Clock& clock_;
  DiskGuardConfig cfg_;
  Probe probe_;
  std::string reserve_path_;
  std::mutex mu_;  // one refresh at a time
  std::atomic<int64_t> next_check_ns_{0};
  std::atomic<int64_t> watermark_{0};
  std::atomic<int64_t> free_{0};
  std::atomic<bool> low_{false};
  std::atomic<bool> reserve_present_{false};
  bool released_ = false;  // the reserve was given up for a low volume (under mu_)
};

// statvfs of `dir`; false (errno set) when it cannot be read.
bool statvfs_probe(const std::string& dir, DiskSpace& out);

}  // namespace ebb
