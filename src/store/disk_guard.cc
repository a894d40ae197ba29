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

static int64_t capped_reserve(int64_t configured, int64_t total_bytes) {
  if (configured <= 0) return 0;
  return total_bytes > 0 ? std::min(configured, total_bytes / 16) : configured;
}

void DiskGuard::start() {
  DiskSpace d;
  reserve_bytes_ = probe_(cfg_.dir, d) ? capped_reserve(cfg_.reserve_bytes, d.total_bytes) : cfg_.reserve_bytes;
  struct stat st;
  reserve_present_ = reserve_bytes_ > 0 && ::stat(reserve_path_.c_str(), &st) == 0 && st.st_size >= reserve_bytes_;
  refresh();
}

bool DiskGuard::sends_refused() {
  int64_t now = clock_.mono_now().time_since_epoch().count();
  if (now >= next_check_ns_.load(std::memory_order_relaxed)) refresh();
  return low_.load(std::memory_order_relaxed);
}

void DiskGuard::note_full() {
  std::lock_guard lk(mu_);
  low_ = true;
  if (reserve_present_) {
    release_reserve();
    released_ = true;
  }
}

void DiskGuard::refresh() {
  std::lock_guard lk(mu_);
  auto now = clock_.mono_now();
  next_check_ns_ = (now + cfg_.recheck).time_since_epoch().count();
  DiskSpace d;
  if (!probe_(cfg_.dir, d)) return;  // keep the last verdict; the commit path reports real errors
  int64_t mark = cfg_.min_free_bytes >= 0 ? cfg_.min_free_bytes : std::min<int64_t>(d.total_bytes / 20, 1LL << 30);
  int64_t reserve = capped_reserve(cfg_.reserve_bytes, d.total_bytes);
  reserve_bytes_ = reserve;
  watermark_ = mark;
  // Room inside ebb.db (its freelist) is as good as free space on the volume.
  int64_t free = d.free_bytes + std::max<int64_t>(0, reusable_.load(std::memory_order_relaxed));
  free_ = free;
  if (free < mark) {
    low_ = true;
    if (reserve_present_) {
      release_reserve();
      released_ = true;
    }
    return;
  }
  // Space is back. Recreate the reserve only with room for it above the watermark on
  // the volume itself (the freelist cannot hold a file), so allocating it never pushes
  // the volume back below.
  if (!reserve_present_ && reserve > 0 && d.free_bytes >= mark + reserve) {
    if (allocate_reserve(reserve)) {
      released_ = false;
      if (probe_(cfg_.dir, d)) free_ = free = d.free_bytes + std::max<int64_t>(0, reusable_.load());
    }
  }
  // Hysteresis: after the reserve was given up, sends wait until it could be taken
  // back, so the room freed for deletes is not eaten by new sends at once.
  low_ = free < mark || (released_ && free < mark + reserve);
}

bool DiskGuard::allocate_reserve(int64_t bytes) {
  int fd = ::open(reserve_path_.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  int rc = ::posix_fallocate(fd, 0, bytes);
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
