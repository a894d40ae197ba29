#include "store/disk_guard.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>

namespace ebb {

bool statvfs_probe(const std::string& dir, DiskSpace& out) {
  struct statvfs s;
  if (::statvfs(dir.c_str(), &s) != 0) return false;
  out.free_bytes = static_cast<int64_t>(s.f_bavail) * static_cast<int64_t>(s.f_frsize);
  out.total_bytes = static_cast<int64_t>(s.f_blocks) * static_cast<int64_t>(s.f_frsize);
  return true;
}

DiskGuard::DiskGuard(const Clock& clock, DiskGuardConfig cfg, Probe probe)
    : clock_(clock), cfg_(std::move(cfg)), probe_(probe ? std::move(probe) : Probe(statvfs_probe)),
      reserve_path_(cfg_.dir + "/ebb.reserve") {}

void DiskGuard::start() {
  struct stat st;
  reserve_present_ = cfg_.reserve_bytes > 0 && ::stat(reserve_path_.c_str(), &st) == 0 &&
                     st.st_size >= cfg_.reserve_bytes;
  refresh();
}

bool DiskGuard::sends_refused() {
  int64_t now = clock_.mono_now().time_since_epoch().count();
  if (now >= next_check_ns_.load(std::memory_order_relaxed)) refresh();
  return low_.load(std::memory_order_relaxed);
}

void DiskGuard::refresh() {
  std::lock_guard lk(mu_);
  auto now = clock_.mono_now();
  next_check_ns_ = (now + cfg_.recheck).time_since_epoch().count();
  DiskSpace d;
  if (!probe_(cfg_.dir, d)) return;  // keep the last verdict; the commit path reports real errors
  int64_t mark = cfg_.min_free_bytes >= 0 ? cfg_.min_free_bytes : std::min<int64_t>(d.total_bytes / 20, 1LL << 30);
  watermark_ = mark;
  free_ = d.free_bytes;
  if (d.free_bytes < mark) {
    low_ = true;
    if (reserve_present_) {
      release_reserve();
      released_ = true;
    }
    return;
  }
  // Space is back. Recreate the reserve only with room for it above the watermark, so
  // allocating it never pushes the volume back below.
  if (!reserve_present_ && cfg_.reserve_bytes > 0 && d.free_bytes >= mark + cfg_.reserve_bytes) {
    if (allocate_reserve()) {
      released_ = false;
      if (probe_(cfg_.dir, d)) free_ = d.free_bytes;
    }
  }
  // Hysteresis: after the reserve was given up, sends wait until it could be taken
  // back, so the room freed for deletes is not eaten by new sends at once.
  low_ = free_.load() < mark || (released_ && free_.load() < mark + cfg_.reserve_bytes);
}

bool DiskGuard::allocate_reserve() {
  int fd = ::open(reserve_path_.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  int rc = ::posix_fallocate(fd, 0, cfg_.reserve_bytes);
  if (rc == 0) rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) {
    ::unlink(reserve_path_.c_str());
    return false;
  }
  reserve_present_ = true;
  return true;
}

void DiskGuard::release_reserve() {
  ::unlink(reserve_path_.c_str());
  reserve_present_ = false;
}

}  // namespace ebb
