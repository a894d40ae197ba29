// Rotating task log (see task_log.h).
#include "launcher/task_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ebb::launcher {
namespace {

int open_log(const std::string& path, int extra_flags) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | extra_flags, 0600);
}

bool write_fully(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

std::string base_name(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

Status TaskLog::open(const std::string& path, int64_t max_bytes) {
  close();
  fd_ = open_log(path, 0);
  if (fd_ < 0) return Error{Code::Invalid, "cannot open log " + path + ": " + std::strerror(errno)};
  struct stat st;
  size_ = ::fstat(fd_, &st) == 0 ? st.st_size : 0;
  half_ = std::max<int64_t>(max_bytes / 2, 1024);
  path_ = path;
  return {};
}

void TaskLog::rotate() {
  const std::string old = path_ + ".1";
  ::close(fd_);
  fd_ = -1;
  // If the rename fails the older half is lost: truncating in place keeps the cap.
  ::rename(path_.c_str(), old.c_str());
  fd_ = open_log(path_, O_TRUNC);
  size_ = 0;
  if (fd_ < 0) return;
  const std::string marker = "[ebb: log rotated; earlier output in " + base_name(path_) + ".1]\n";
  if (write_fully(fd_, marker.data(), marker.size())) size_ = static_cast<int64_t>(marker.size());
}

void TaskLog::write(const char* data, size_t n) {
  while (n > 0 && fd_ >= 0) {
    if (size_ >= half_) {
      rotate();
      if (fd_ < 0) return;
    }
    const size_t chunk = std::min<size_t>(n, static_cast<size_t>(half_ - size_));
    if (!write_fully(fd_, data, chunk)) return;
    size_ += static_cast<int64_t>(chunk);
    data += chunk;
    n -= chunk;
  }
}

void TaskLog::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace ebb::launcher
