// spawn_task: clone(CLONE_VM | CLONE_VFORK) + exec of one task with the isolation steps of reliability.md §4.6,
// in this order in the child: setsid; join the task's cgroup(s); stdin from /dev/null,
// stdout+stderr into a pipe; close every other descriptor; oom_score_adj 500; rlimits;
// chdir; setgroups(0)/setgid/setuid to the task user (setuid(0) must then fail);
// PR_SET_NO_NEW_PRIVS; PR_SET_PDEATHSIG(SIGKILL) (a launcher crash takes its direct
// tasks with it); exec with exactly the given environment. A
// close-on-exec status pipe tells the parent whether the exec happened, so a missing
// binary or a bad directory is a launch failure with its errno text, not an exit code.
//
// Call only from the single-threaded launcher (the child shares the launcher's memory
// and one static stack and allocates nothing; the parent is suspended until the exec
// succeeded or the child exited).
#pragma once
#include <vector>

#include "base/result.h"
#include "runtime/runtime.h"

namespace ebb::launcher {

struct Spawned {
  int pid = 0;
  int out_fd = -1;   // read end of the task's stdout+stderr pipe, O_NONBLOCK | O_CLOEXEC
};

// join_fds: cgroup.procs files opened for writing (runtime::open_join_fds); the caller
// still owns and closes them. memory_cgroup: a memory cgroup limits the task, so
// RLIMIT_AS stays unset. Error message is for people: "exec python3: No such file or
// directory", "chdir /x: Permission denied".
[[nodiscard]] Result<Spawned> spawn_task(const runtime::LaunchSpec& spec, const std::vector<int>& join_fds,
                                         bool memory_cgroup);

}  // namespace ebb::launcher
