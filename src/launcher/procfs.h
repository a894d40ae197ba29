// procfs and clock helpers for the launcher: process identity (pid + start time,
// reliability.md §2.7), the descendant sweep used when no cgroup tracks a task (§4.6
// "process group plus every descendant found by a procfs walk"), and the two clocks.
#pragma once
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

namespace ebb::launcher {

struct ProcStat {
  int pid = 0;
  char state = '?';
  int ppid = 0;
  int pgrp = 0;
  int session = 0;
  uint64_t start_ticks = 0;   // field 22: clock ticks after boot
};

// Parses /proc/<pid>/stat; false when the process is gone.
bool read_proc_stat(int pid, ProcStat& out);
// Every process visible in /proc.
std::vector<ProcStat> all_processes();

// SIGs every process whose session or process group is `leader` (the task's setsid
// made its pid both) and that started no earlier than min_start_ticks.
void signal_session(int leader, int sig, uint64_t min_start_ticks = 0);

// Kills, with their descendants, the children of this process (we are a subreaper, so
// double-forked escapees end up here) that are not in `keep` and whose session or
// group is not one of `live_leaders`.
void kill_orphans(const std::set<int>& keep, const std::set<int>& live_leaders);

// This process's children (of every thread), from /proc/self/task/*/children;
// nullopt when the kernel does not offer that file (CONFIG_PROC_CHILDREN).
std::optional<std::vector<int>> own_children();

// Milliseconds: CLOCK_MONOTONIC for timers, CLOCK_REALTIME for reported instants.
int64_t mono_ms();
int64_t wall_ms();

}  // namespace ebb::launcher
