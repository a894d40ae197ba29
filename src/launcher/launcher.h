// Launcher: the ebb-launcher event loop (reliability.md §4.5). One thread, one poll():
// the listening socket, at most one ebbd connection, a signalfd for SIGCHLD/SIGTERM,
// and each task's output pipe; grace and orphan timers are poll timeouts.
//
// Life cycle: runs while an ebbd is connected or tasks are alive. When the ebbd
// connection breaks, tasks keep running and their exits are kept for the next ebbd's
// Hello; after orphan_grace_ms without one, every task is stopped (SIGTERM, its last
// grace or 10 s, SIGKILL) and the launcher exits. Shutdown{stop_tasks} and SIGTERM do
// the same at once. The launcher is a subreaper, so escaped descendants are reaped here.
// If a launcher dies, its successor on the same run dir kills what is left of the old
// tasks (their cgroups and sessions) before it listens.
#pragma once
#include <sys/resource.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "launcher/task_log.h"
#include "runtime/cgroup.h"
#include "runtime/launch_protocol.h"

namespace ebb::launcher {

struct LauncherOptions {
  int listen_fd = -1;                 // bound, listening, non-blocking
  int run_dir_fd = -1;                // the run dir (O_PATH): holds launched/<task id> records
  int64_t orphan_grace_ms = 30'000;   // until the first Hello says otherwise
  runtime::CgroupSetup cgroups;
};

class Launcher {
 public:
  explicit Launcher(LauncherOptions opts);
  // The loop; returns when the launcher should exit (after the last task ended and
  // the events were flushed to ebbd). Returns the process exit code.
  int run();

 private:
  struct Task {
    runtime::LaunchSpec spec;
    int pid = 0;
    uint64_t start_ticks = 0;
    runtime::TaskCgroup cg;
    int out_fd = -1;              // -1 once the task closed its output
    TaskLog log;
    bool stopping = false;
    int64_t grace_ms = 10'000;    // the last grace given (used by orphan/shutdown stops)
    int64_t kill_at = 0;          // monotonic ms of the SIGKILL, 0 = none pending
  };
  struct PendingCgroup {
    std::string task_id;
    runtime::TaskCgroup cg;
    int attempts = 0;
  };

  int poll_timeout_ms(int64_t now) const;
  void on_signals();
  void reap();
  void finish(Task& t, int status, const ::rusage& ru);
  void accept_client();
  void read_client();
  void flush_client();
  void drop_client(const char* why);
  void handle(runtime::proto::Message&& m);
  void hello(const runtime::proto::Hello& h);
  void launch(const runtime::LaunchSpec& spec);
  void launch_failed(const runtime::LaunchSpec& spec, const std::string& why, TaskLog* log);
  void stop(Task& t, int64_t grace_ms);
  void stop_all(bool use_last_grace);
  void kill_everything(Task& t);
  void drain_output(Task& t);
  void on_timers(int64_t now);
  void emit(runtime::proto::Message m);
  void retry_cgroup_removal();
  // launched/<task id> in the run dir names a task's leader and cgroups until they are
  // gone, so a launcher started after a crash can kill what the crash left behind
  // (PR_SET_PDEATHSIG only reaches the leaders).
  void record_task(const Task& t);
  void forget_task(const std::string& task_id);
  void clean_up_after_previous_launcher();

  LauncherOptions opts_;
  int signal_fd_ = -1;
  int client_fd_ = -1;
  bool client_ready_ = false;       // Hello received on client_fd_
  runtime::proto::FrameBuffer rbuf_;
  std::string wbuf_;                // bytes not yet accepted by the socket
  std::map<std::string, std::unique_ptr<Task>> tasks_;
  std::map<int, Task*> by_pid_;
  std::vector<runtime::TaskExited> unreported_;   // exits while no ebbd listened
  std::vector<PendingCgroup> pending_cgroups_;
  int64_t orphan_deadline_ = 0;     // monotonic ms; 0 = none
  bool exit_when_empty_ = false;
};

}  // namespace ebb::launcher
