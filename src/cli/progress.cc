#include "cli/progress.h"

#include <cstdio>

namespace ebb::cli {

void ProgressLine::update(const std::string& text) {
  if (quiet_) return;
  auto now = std::chrono::steady_clock::now();
  if (live_) {
    std::fprintf(stderr, "\r\033[K%s", text.c_str());  // carriage return, clear to end of line
    std::fflush(stderr);
    shown_ = true;
    return;
  }
  if (shown_ && now - last_ < std::chrono::seconds(5)) return;
  std::fprintf(stderr, "%s\n", text.c_str());
  last_ = now;
  shown_ = true;
}

void ProgressLine::finish() {
  if (live_ && shown_ && !quiet_) std::fputs("\n", stderr);
  shown_ = false;
}

}  // namespace ebb::cli
