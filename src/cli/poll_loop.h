// The pacing of commands that follow the server until Ctrl-C (`get --watch`,
// `logs -f`): SIGINT ends them cleanly (exit 0, output flushed), and the pause
// between polls wakes early for it.
//
// For tests, the undocumented variable EBB_WATCH_MAX_SECONDS (a whole number of
// seconds) ends the loop after that long, as if Ctrl-C had been pressed.
#pragma once
#include <chrono>
#include <optional>

#include "cli/cli_error.h"

namespace ebb::cli {

class PollLoop {
 public:
  // Installs the SIGINT handler and reads EBB_WATCH_MAX_SECONDS (usage error when
  // it is not a whole number).
  static Outcome<PollLoop> start();

  // Sleeps `d`; false when the loop should end (Ctrl-C, or the bound has passed).
  bool pause(std::chrono::milliseconds d);
  // True once Ctrl-C was pressed or the bound has passed.
  bool done() const;

 private:
  std::optional<std::chrono::steady_clock::time_point> until_;
};

}  // namespace ebb::cli
