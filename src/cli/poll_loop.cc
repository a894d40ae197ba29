#include "cli/poll_loop.h"

#include <csignal>
#include <cstdlib>
#include <thread>

#include "cli/strict_number.h"

namespace ebb::cli {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_sigint(int) {
  if (g_interrupted) std::_Exit(130);  // a second Ctrl-C while a request hangs
  g_interrupted = 1;
}

}  // namespace

Outcome<PollLoop> PollLoop::start() {
  PollLoop loop;
  if (const char* env = std::getenv("EBB_WATCH_MAX_SECONDS"); env && *env) {
    Outcome<int64_t> s = parse_int_flag("EBB_WATCH_MAX_SECONDS", env, 0, 86400 * 365);
    if (!s.ok()) return s.error();
    loop.until_ = std::chrono::steady_clock::now() + std::chrono::seconds(*s);
  }
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking call returns early
  sigaction(SIGINT, &sa, nullptr);
  return loop;
}

bool PollLoop::done() const {
  return g_interrupted != 0 || (until_ && std::chrono::steady_clock::now() >= *until_);
}

bool PollLoop::pause(std::chrono::milliseconds d) {
  const auto end = std::chrono::steady_clock::now() + d;
  while (!done()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= end) return true;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(end - now, std::chrono::milliseconds(50)));
  }
  return false;
}

}  // namespace ebb::cli
