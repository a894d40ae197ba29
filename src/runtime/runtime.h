// Runtime: starts, signals and observes task processes (ARCHITECTURE.md "runtime/").
// The `process` runtime never forks in ebbd: it talks to a small
// separate `ebb-launcher` process (src/launcher) over a Unix socket in the data dir,
// which forks each task in its own session/process group, applies rlimits and cgroup
// limits, captures output into a capped, rotated log file and reaps it
// (reliability.md §4.5, §4.6, §2.7). Containers and Kubernetes come later as further
// implementations of this interface. make_process_runtime (below) builds the
// process runtime; the launcher protocol is in launch_protocol.h.
//
// Threading: every method may be called from any thread. Listener callbacks run on the
// runtime's own reader thread, one at a time, never while a runtime lock is held.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"

namespace ebb::runtime {

// Limits for one task. 0 = the runtime's default (reliability.md §4.6 lists them).
struct ResourceLimits {
  int64_t memory_bytes = 0;   // cgroup memory.max / memory.limit_in_bytes (default 1 GiB)
  int64_t cpu_millis = 0;     // cgroup cpu.max / cpu.cfs_quota_us (0 = no CPU limit)
  int64_t pids_max = 0;       // cgroup pids.max and RLIMIT_NPROC (default 256)
  int64_t nofile = 0;         // RLIMIT_NOFILE (default 1024)
  int64_t fsize_bytes = 0;    // RLIMIT_FSIZE (default 1 GiB)
};

// A validated, size-bounded launch record: all the launcher needs, nothing to parse.
struct LaunchSpec {
  std::string task_id;                  // [A-Za-z0-9-]{1,64}
  std::vector<std::string> argv;        // argv[0] without '/' is looked up in the task env's PATH
  std::vector<std::string> env;         // complete environment, "NAME=value" (built from nothing)
  std::string work_dir;                 // absolute; created 0700 if missing
  std::string log_path;                 // absolute; stdout+stderr of the task, appended
  int64_t log_max_bytes = 10 << 20;     // rotate at half to log_path + ".1"; at most this much kept
  ResourceLimits limits;
  // Task identity (reliability.md §4.6): -1 keeps the launcher's own. The launcher
  // refuses to start a task as root unless allow_root (ebbd --allow-root-tasks).
  int64_t uid = -1;
  int64_t gid = -1;
  bool allow_root = false;
  bool own_work_dir = false;            // work_dir is the per-attempt dir: chown it to uid:gid
};

// Which limits the runtime really enforces on this machine (shown by `describe`).
struct Capabilities {
  std::string runtime = "process";
  std::string cgroup = "none";          // "v2" | "v1" | "none"
  bool memory_limit = false;            // enforced through a cgroup
  bool pids_limit = false;              // through a cgroup (RLIMIT_NPROC is always set)
  bool cpu_limit = false;               // through a cgroup
  bool rlimits = true;                  // NOFILE, FSIZE, NPROC, CORE=0
  std::vector<std::string> notes;       // e.g. "no writable cgroup hierarchy: memory limits are not enforced"
};

struct TaskStarted {
  std::string task_id;
  int pid = 0;
  uint64_t start_ticks = 0;             // /proc/<pid>/stat field 22: with pid, identifies the process
  std::string cgroup;                   // path of the task's cgroup, "" = none
  int64_t started_ms = 0;               // wall clock of the exec (system time, from the launcher)
};

struct TaskExited {
  std::string task_id;
  int pid = 0;                          // 0 when it never started
  int exit_code = -1;                   // -1 when killed by a signal or never started
  int signal = 0;                       // terminating signal, 0 = none
  // "Completed" (exit 0), "Error" (exit != 0), "Signaled", "OOMKilled", "CPULimit",
  // "FileSizeLimit", "LaunchFailed" (never ran: exec failed, bad dir, ...), "Lost".
  std::string reason;
  std::string message;                  // human detail ("exec python3: No such file or directory")
  double cpu_seconds = 0;               // user + system of the task and its reaped children
  int64_t peak_rss_bytes = 0;
  int64_t ended_ms = 0;                 // wall clock (system time, from the launcher)
};

// A task the runtime still supervises when ebbd (re)connects.
struct LiveTask {
  std::string task_id;
  int pid = 0;
  uint64_t start_ticks = 0;
  std::string cgroup;
  bool stopping = false;                // a stop was already requested
};

struct Reconnected {
  std::vector<LiveTask> live;           // still running
  std::vector<TaskExited> exited;       // ended while ebbd was away (reported once)
};

class Listener {
 public:
  virtual ~Listener() = default;
  virtual void on_started(const TaskStarted& s) = 0;
  virtual void on_exited(const TaskExited& e) = 0;
  // The runtime lost its launcher (it died or the socket broke). Every task it knew is
  // reported through on_exited with reason "Lost" before this is called.
  virtual void on_runtime_lost(const std::string& why) {}
};

class Runtime {
 public:
  virtual ~Runtime() = default;
  virtual Capabilities capabilities() const = 0;
  // Connects to a launcher left running by a previous ebbd, or starts a new one. The
  // answer lists what a previous ebbd's tasks are doing (re-adoption, §2.7). Listener
  // callbacks start only after start() returned.
  virtual Result<Reconnected> start(Listener* listener) = 0;
  // Asynchronous: the answer is on_started, or on_exited with reason "LaunchFailed".
  virtual void launch(const LaunchSpec& spec) = 0;
  // SIGTERM to the task's process group (and cgroup), SIGKILL to everything of the
  // task left after grace_ms. Idempotent; unknown ids are ignored.
  virtual void stop(const std::string& task_id, int64_t grace_ms) = 0;
  // Graceful ebbd shutdown: stop_tasks=true stops every task (each with the grace it
  // was last given, else 10 s) and lets the launcher exit once all are gone;
  // stop_tasks=false leaves tasks running for the next ebbd to re-adopt.
  virtual void shutdown(bool stop_tasks) = 0;
};

}  // namespace ebb::runtime

namespace ebb::runtime {

struct ProcessRuntimeConfig {
  std::string launcher_path;        // the ebb-launcher executable
  std::string run_dir;              // private dir (0700) holding launcher.sock; created if missing
  int64_t orphan_grace_ms = 30'000; // launcher waits this long for a new ebbd after losing
                                    // its ebbd, then stops every task and exits
};
// The `process` runtime. Detects cgroup v2/v1/none once, at construction.
std::unique_ptr<Runtime> make_process_runtime(const ProcessRuntimeConfig& cfg);

}  // namespace ebb::runtime
