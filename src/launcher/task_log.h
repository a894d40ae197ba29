// TaskLog: a task's stdout+stderr file with a size cap (reliability.md §4.6 step 9,
// §5.7 "print forever"). The launcher appends what it reads from the task's pipe; when
// the file reaches half the cap it is renamed to "<log>.1" (replacing an older one) and
// a new file starts with a one-line marker, so at most max_bytes are kept on disk.
#pragma once
#include <cstdint>
#include <string>

#include "base/result.h"

namespace ebb::launcher {

class TaskLog {
 public:
  TaskLog() = default;
  TaskLog(const TaskLog&) = delete;
  TaskLog& operator=(const TaskLog&) = delete;
  ~TaskLog() { close(); }

  // Opens (creating 0600, appending, never following a symlink) path. An existing file
  // counts towards the cap.
  [[nodiscard]] Status open(const std::string& path, int64_t max_bytes);
  // Appends, rotating as needed. Write errors (disk full) drop output silently: the
  // task must not stall because its log cannot be written.
  void write(const char* data, size_t n);
  void close();
  bool is_open() const { return fd_ >= 0; }

 private:
  void rotate();
  int fd_ = -1;
  int64_t size_ = 0;   // bytes in the current file
  int64_t half_ = 0;   // rotation threshold
  std::string path_;
};

}  // namespace ebb::launcher
