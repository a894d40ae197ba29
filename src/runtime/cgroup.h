// Cgroups for tasks (reliability.md §4.6 step 6): finds the hierarchy this process
// lives in (v2 unified, v1 per-controller mounts, or none), creates one cgroup per task
// under "<own cgroup>/ebb/", writes its limits, reads OOM and peak-memory counters and
// kills everything in it. Used by ebb-launcher (which creates and kills) and by
// ProcessRuntime (which only reports Capabilities). Plain file I/O; no threads.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "runtime/runtime.h"

namespace ebb::runtime {

struct CgroupSetup {
  std::string version = "none";    // "v2" | "v1" | "none"
  std::string v2_parent;           // v2: directory holding task cgroups
  // v1: directory holding task cgroups in each hierarchy, "" when not writable.
  std::string memory_parent, pids_parent, cpu_parent;
  bool memory = false, pids = false, cpu = false;  // limits enforceable
  std::vector<std::string> notes;  // why something is not enforced
};

// Detects the hierarchy and creates "<own cgroup>/ebb" where it can; each controller
// counts as usable only after a probe cgroup was created (and removed) there. Reads
// /proc/self/mountinfo and /proc/self/cgroup. Never fails: problems become notes.
CgroupSetup detect_cgroups();

// What a runtime using `setup` enforces (always rlimits; cgroup limits as detected).
Capabilities capabilities_of(const CgroupSetup& setup);

struct TaskCgroup {
  std::vector<std::string> dirs;   // one per hierarchy (v2: exactly one); empty = no cgroup
  std::string path;                // shown to users: the v2 dir, or the first v1 dir
  std::string memory_dir;          // where OOM and peak counters live, "" = none
  bool v2 = false;
  bool empty() const { return dirs.empty(); }
};

// Creates the task's cgroup(s) and writes limits (0 = default: memory 1 GiB, pids 256;
// cpu only when cpu_millis > 0; v1: no cpu cgroup at all without a CPU limit when a
// pids or memory cgroup tracks the task). Returns an empty TaskCgroup when no hierarchy is
// usable. Conflict when a cgroup with that id exists and still holds processes;
// Invalid when a limit cannot be written (the partial cgroup is removed).
[[nodiscard]] Result<TaskCgroup> create_task_cgroup(const CgroupSetup& setup, const std::string& task_id,
                                                    const ResourceLimits& limits);

// Opens each dir's cgroup.procs for writing (O_CLOEXEC). A forked child joins by
// writing "0" to each before exec. Closes what it opened on failure.
[[nodiscard]] Result<std::vector<int>> open_join_fds(const TaskCgroup& cg);

// Pids listed in the cgroup(s).
std::vector<int> cgroup_pids(const TaskCgroup& cg);

// Sends sig to every member. For SIGKILL uses cgroup.kill (v2) when present and
// repeats until the cgroup is empty (bounded), so forking processes cannot outrun it.
void signal_cgroup(const TaskCgroup& cg, int sig);

// True when the kernel OOM-killed something in the cgroup (v2 memory.events oom_kill;
// v1 memory.oom_control oom_kill or under_oom; else memory.failcnt > 0 together with
// leader_sigkilled).
bool cgroup_oom_killed(const TaskCgroup& cg, bool leader_sigkilled);

// Peak memory use (v2 memory.peak, v1 memory.max_usage_in_bytes), 0 when unknown.
int64_t cgroup_peak_memory(const TaskCgroup& cg);

// Removes the cgroup dirs. False while some still hold (dying) processes: retry later.
bool remove_task_cgroup(const TaskCgroup& cg);

// Small file helpers shared with the launcher.
bool read_small_file(const std::string& path, std::string& out);
bool write_small_file(const std::string& path, const std::string& value);

}  // namespace ebb::runtime
