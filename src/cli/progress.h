// Progress for long work, on stderr only (ecosystem.md §3.2): a line rewritten in
// place when stderr is a terminal, otherwise a plain status line at most every 5 s.
#pragma once
#include <chrono>
#include <string>

namespace ebb::cli {

class ProgressLine {
 public:
  ProgressLine(bool live, bool quiet) : live_(live), quiet_(quiet) {}
  // Shows `text` now (live) or if 5 s passed since the last line (plain).
  void update(const std::string& text);
  // Ends a live line so that later output starts on a fresh line.
  void finish();

 private:
  bool live_;
  bool quiet_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace ebb::cli
