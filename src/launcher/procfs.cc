// procfs walks and clocks (see procfs.h).
#include "launcher/procfs.h"

#include <dirent.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>

#include "runtime/cgroup.h"

namespace ebb::launcher {

bool read_proc_stat(int pid, ProcStat& out) {
  std::string text;
  if (!runtime::read_small_file("/proc/" + std::to_string(pid) + "/stat", text)) return false;
  // comm (field 2) may hold spaces and parentheses: fields resume after the last ')'.
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream in(text.substr(close + 1));
  std::vector<std::string> f;  // f[0] is field 3
  for (std::string tok; in >> tok && f.size() < 20;) f.push_back(tok);
  if (f.size() < 20) return false;
  out.pid = pid;
  out.state = f[0].empty() ? '?' : f[0][0];
  out.ppid = std::atoi(f[1].c_str());
  out.pgrp = std::atoi(f[2].c_str());
  out.session = std::atoi(f[3].c_str());
  out.start_ticks = std::strtoull(f[19].c_str(), nullptr, 10);
  return true;
}

std::vector<ProcStat> all_processes() {
  std::vector<ProcStat> out;
  DIR* d = ::opendir("/proc");
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    ProcStat st;
    if (read_proc_stat(static_cast<int>(pid), st)) out.push_back(st);
  }
  ::closedir(d);
  return out;
}

void signal_session(int leader, int sig, uint64_t min_start_ticks) {
  if (leader <= 1) return;
  for (const ProcStat& p : all_processes())
    if ((p.session == leader || p.pgrp == leader) && p.state != 'Z' && p.start_ticks >= min_start_ticks)
      ::kill(p.pid, sig);
}

void kill_orphans(const std::set<int>& keep, const std::set<int>& live_leaders) {
  const int self = ::getpid();
  const auto procs = all_processes();
  std::multimap<int, int> children;  // ppid -> pid
  std::vector<int> roots;
  for (const ProcStat& p : procs) {
    children.emplace(p.ppid, p.pid);
    if (p.ppid == self && !keep.count(p.pid) && !live_leaders.count(p.session) && !live_leaders.count(p.pgrp))
      roots.push_back(p.pid);
  }
  std::vector<int> stack = roots;
  std::set<int> seen;
  while (!stack.empty()) {
    const int pid = stack.back();
    stack.pop_back();
    if (!seen.insert(pid).second) continue;
    ::kill(pid, SIGKILL);
    auto [a, b] = children.equal_range(pid);
    for (auto it = a; it != b; ++it) stack.push_back(it->second);
  }
}

std::optional<std::vector<int>> own_children() {
  DIR* d = ::opendir("/proc/self/task");
  if (!d) return std::nullopt;
  std::vector<int> out;
  bool any = false;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const std::string path = std::string("/proc/self/task/") + e->d_name + "/children";
    FILE* f = std::fopen(path.c_str(), "re");
    if (!f) {
      ::closedir(d);
      return std::nullopt;
    }
    any = true;
    int pid;
    while (std::fscanf(f, "%d", &pid) == 1) out.push_back(pid);
    std::fclose(f);
  }
  ::closedir(d);
  if (!any) return std::nullopt;
  return out;
}

int64_t mono_ms() {
  struct timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1'000'000;
}

int64_t wall_ms() {
  struct timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1'000'000;
}

}  // namespace ebb::launcher
