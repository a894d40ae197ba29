// DirWatcher: the OS seam of event sources. One inotify instance watching source
// directories plus an eventfd that other threads use to wake the waiting thread
// (stop, configuration changes, "retry now"). Only the event-source thread waits;
// watch()/unwatch()/wake() may be called from any thread.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"

namespace ebb::source {

class DirWatcher {
 public:
  struct Event {
    int wd = -1;           // -1 for IN_Q_OVERFLOW
    uint32_t mask = 0;     // IN_* bits
    std::string name;      // file name inside the directory ("" for events on the directory)
  };

  // Both descriptors are O_CLOEXEC (reliability.md §7: tasks see only fds 0-2).
  static Result<std::unique_ptr<DirWatcher>> open();
  ~DirWatcher();
  DirWatcher(const DirWatcher&) = delete;
  DirWatcher& operator=(const DirWatcher&) = delete;

  // Watches `dir` (a directory; symlinks not followed) for completed files
  // (IN_CLOSE_WRITE, IN_MOVED_TO), departures (IN_DELETE, IN_MOVED_FROM) and the
  // directory going away (IN_DELETE_SELF, IN_MOVE_SELF). Returns the watch descriptor;
  // watching the same directory twice returns the same descriptor. Errors carry
  // strerror text (Code::NotFound when the directory is missing).
  Result<int> watch(const std::string& dir);
  void unwatch(int wd);

  // Makes a concurrent or the next wait() return with woke = true.
  void wake();

  // Waits up to `timeout_ms` (-1: no limit) for events or a wake; appends events to
  // `out`. Returns with nothing on timeout. Errors only on unexpected poll/read failures.
  Status wait(int timeout_ms, std::vector<Event>& out, bool& woke);

 private:
  DirWatcher(int inotify_fd, int wake_fd) : ino_(inotify_fd), wake_(wake_fd) {}
  int ino_;
  int wake_;
};

}  // namespace ebb::source
