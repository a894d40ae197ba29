#include "source/dir_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ebb::source {
namespace {

constexpr uint32_t kMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF |
                           IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK;

std::string errno_text(int e) { return std::strerror(e); }

}  // namespace

Result<std::unique_ptr<DirWatcher>> DirWatcher::open() {
  int ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (ino < 0) return err(Code::InternalError, "inotify_init1: " + errno_text(errno));
  int wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake < 0) {
    int e = errno;
    ::close(ino);
    return err(Code::InternalError, "eventfd: " + errno_text(e));
  }
  return std::unique_ptr<DirWatcher>(new DirWatcher(ino, wake));
}

DirWatcher::~DirWatcher() {
  ::close(ino_);
  ::close(wake_);
}

Result<int> DirWatcher::watch(const std::string& dir) {
  int wd = inotify_add_watch(ino_, dir.c_str(), kMask);
  if (wd >= 0) return wd;
  int e = errno;
  return err(e == ENOENT ? Code::NotFound : Code::Invalid, "directory " + dir + ": " + errno_text(e));
}

void DirWatcher::unwatch(int wd) { inotify_rm_watch(ino_, wd); }

void DirWatcher::wake() {
  uint64_t one = 1;
  // EAGAIN means the counter is already non-zero: the waiter wakes anyway.
  [[maybe_unused]] ssize_t n = ::write(wake_, &one, sizeof one);
}

Status DirWatcher::wait(int timeout_ms, std::vector<Event>& out, bool& woke) {
  woke = false;
  pollfd fds[2] = {{ino_, POLLIN, 0}, {wake_, POLLIN, 0}};
  int n = ::poll(fds, 2, timeout_ms);
  if (n < 0) {
    if (errno == EINTR) return {};
    return err(Code::InternalError, "poll: " + errno_text(errno));
  }
  if (fds[1].revents & POLLIN) {
    uint64_t v = 0;
    [[maybe_unused]] ssize_t r = ::read(wake_, &v, sizeof v);
    woke = true;
  }
  if (!(fds[0].revents & POLLIN)) return {};
  alignas(inotify_event) char buf[64 * 1024];
  while (true) {
    ssize_t len = ::read(ino_, buf, sizeof buf);
    if (len < 0) {
      if (errno == EAGAIN || errno == EINTR) return {};
      return err(Code::InternalError, "read inotify: " + errno_text(errno));
    }
    for (ssize_t off = 0; off < len;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
      Event e{ev->wd, ev->mask, ev->len ? std::string(ev->name) : std::string()};
      out.push_back(std::move(e));
      off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
    }
  }
}

}  // namespace ebb::source
