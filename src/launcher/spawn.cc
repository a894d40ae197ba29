// Task fork/exec (see spawn.h).
#include "launcher/spawn.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/syscall.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace ebb::launcher {
namespace {

constexpr int64_t kDefaultNofile = 1024;
constexpr int64_t kDefaultFsize = int64_t{1} << 30;
constexpr int64_t kDefaultNproc = 256;
constexpr int64_t kAddressSpace = int64_t{4} << 30;   // only without a memory cgroup
constexpr const char* kDefaultPath = "/usr/local/bin:/usr/bin:/bin";

enum Stage : int {
  kSetsid = 1, kJoinCgroup, kRedirect, kCloseFds, kNoNewPrivs, kDeathSignal, kRlimit, kChdir, kExec,
  kSetgroups, kSetgid, kSetuid, kRegain
};

struct ChildReport {
  int stage;
  int err;
};

// Everything the child needs, built before the clone: the child only makes system
// calls.
struct Prepared {
  std::vector<std::string> candidates;   // executable paths to try, in PATH order
  std::vector<char*> argv, envp;
  struct Limit {
    int resource;
    rlim_t value;
  };
  std::vector<Limit> limits;
  const std::vector<int>* reset_signals = nullptr;  // dispositions that are not SIG_DFL
};

// Signals whose disposition in the launcher is not SIG_DFL (SIGPIPE is ignored; a
// caught one would run its handler in the child, on the launcher's memory). Read once:
// the launcher sets its dispositions before it launches anything. Resetting only these
// in the child saves ~64 sigaction calls per task.
const std::vector<int>& non_default_signals() {
  static const std::vector<int> sigs = [] {
    std::vector<int> out;
    for (int sig = 1; sig < NSIG; ++sig) {
      struct sigaction sa{};
      if (::sigaction(sig, nullptr, &sa) == 0 && sa.sa_handler != SIG_DFL) out.push_back(sig);
    }
    return out;
  }();
  return sigs;
}

std::string task_path(const runtime::LaunchSpec& spec) {
  for (const auto& e : spec.env)
    if (e.compare(0, 5, "PATH=") == 0) return e.substr(5);
  return kDefaultPath;
}

Prepared prepare(const runtime::LaunchSpec& spec, bool memory_cgroup) {
  Prepared p;
  const std::string& prog = spec.argv[0];
  if (prog.find('/') != std::string::npos) {
    p.candidates.push_back(prog);
  } else {
    // As execvpe, but with the PATH of the task's environment, not ebb's.
    const std::string path = task_path(spec);
    size_t start = 0;
    for (;;) {
      const size_t colon = path.find(':', start);
      const std::string dir = path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      p.candidates.push_back((dir.empty() ? std::string(".") : dir) + "/" + prog);  // "" means "."
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  for (const auto& a : spec.argv) p.argv.push_back(const_cast<char*>(a.c_str()));
  p.argv.push_back(nullptr);
  for (const auto& e : spec.env) p.envp.push_back(const_cast<char*>(e.c_str()));
  p.envp.push_back(nullptr);
  const runtime::ResourceLimits& l = spec.limits;
  auto pick = [](int64_t v, int64_t def) { return static_cast<rlim_t>(v > 0 ? v : def); };
  p.limits.push_back({RLIMIT_CORE, 0});
  p.limits.push_back({RLIMIT_NOFILE, pick(l.nofile, kDefaultNofile)});
  p.limits.push_back({RLIMIT_FSIZE, pick(l.fsize_bytes, kDefaultFsize)});
  p.limits.push_back({RLIMIT_NPROC, pick(l.pids_max, kDefaultNproc)});
  if (!memory_cgroup) p.limits.push_back({RLIMIT_AS, pick(l.memory_bytes, kAddressSpace)});
  p.reset_signals = &non_default_signals();
  return p;
}

[[noreturn]] void fail(int status_fd, int stage) {
  const ChildReport r{stage, errno};
  (void)!::write(status_fd, &r, sizeof r);
  ::_exit(127);
}

// Lowering a limit always works; raising above the hard limit needs privilege, and
// then the hard limit is the best we can do.
bool apply_limit(int resource, rlim_t value) {
  struct rlimit rl{value, value};
  if (::setrlimit(resource, &rl) == 0) return true;
  if (errno != EPERM || ::getrlimit(resource, &rl) != 0) return false;
  const rlim_t v = value < rl.rlim_max ? value : rl.rlim_max;
  rl = {v, v};
  return ::setrlimit(resource, &rl) == 0;
}

struct ChildArgs {
  const runtime::LaunchSpec* spec;
  const Prepared* p;
  const std::vector<int>* join_fds;
  int devnull, out_w, status_fd;
  pid_t launcher;
};

// Runs in the clone(CLONE_VM | CLONE_VFORK) child, on its own stack but in the
// launcher's memory, while the launcher waits: system calls only (no allocation, no
// locks), and it never returns (exec or _exit).
[[noreturn]] void child(const runtime::LaunchSpec& spec, const Prepared& p, const std::vector<int>& join_fds,
                        int devnull, int out_w, int status_fd, pid_t launcher) {
  // The launcher ignores SIGPIPE and (for its signalfd) blocks SIGCHLD and others;
  // spawn_task blocks every signal around the clone so that nothing runs on this
  // stack before the dispositions are back to default: reset first, then unblock.
  for (int sig : *p.reset_signals) ::signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  if (::setsid() < 0) fail(status_fd, kSetsid);
  for (int fd : join_fds)
    if (::write(fd, "0", 1) != 1) fail(status_fd, kJoinCgroup);
  if (::dup2(devnull, 0) < 0 || ::dup2(out_w, 1) < 0 || ::dup2(out_w, 2) < 0) fail(status_fd, kRedirect);
  // The status pipe moves to fd 3 (close-on-exec) so everything above can go.
  if (status_fd != 3) {
    if (::dup3(status_fd, 3, O_CLOEXEC) < 0) fail(status_fd, kRedirect);
    status_fd = 3;
  }
  if (::close_range(4, ~0U, 0) != 0) fail(status_fd, kCloseFds);
  // While still privileged: oom_score_adj, rlimits (raising needs privilege) and the
  // working directory (its parents may be closed to the task user).
  const int adj = ::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (adj >= 0) {
    (void)!::write(adj, "500", 3);
    ::close(adj);
  }
  for (const auto& l : p.limits)
    if (!apply_limit(l.resource, l.value)) fail(status_fd, kRlimit);
  if (::chdir(spec.work_dir.c_str()) != 0) fail(status_fd, kChdir);
  // reliability.md §4.6 step 3: no supplementary groups, then gid, then uid; a task
  // that could get root back is not started. Before PDEATHSIG: a credential change
  // clears the parent-death signal.
  // An unprivileged launcher asked for its own uid has nothing to drop. Raw system
  // calls: this child shares the launcher's memory (CLONE_VM), and glibc's wrappers
  // may try to apply the change to every thread of the process.
  if (spec.uid >= 0 && !(::geteuid() != 0 && static_cast<uid_t>(spec.uid) == ::geteuid())) {
    const gid_t gid = static_cast<gid_t>(spec.gid >= 0 ? spec.gid : spec.uid);  // never keep gid 0 by accident
    const uid_t uid = static_cast<uid_t>(spec.uid);
    if (::syscall(SYS_setgroups, 0, nullptr) != 0) fail(status_fd, kSetgroups);
    if (::syscall(SYS_setresgid, gid, gid, gid) != 0) fail(status_fd, kSetgid);
    if (::syscall(SYS_setresuid, uid, uid, uid) != 0) fail(status_fd, kSetuid);
    if (spec.uid != 0 && (::syscall(SYS_setuid, 0) == 0 || ::syscall(SYS_setresuid, -1, 0, -1) == 0)) {
      errno = EPERM;
      fail(status_fd, kRegain);
    }
  }
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(status_fd, kNoNewPrivs);
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail(status_fd, kDeathSignal);
  if (::getppid() != launcher) ::_exit(127);  // the launcher died before PDEATHSIG was set
  int err = ENOENT;
  bool denied = false;
  for (const auto& c : p.candidates) {
    ::execve(c.c_str(), p.argv.data(), p.envp.data());
    err = errno;
    if (err == EACCES) denied = true;
    // Keep searching past entries that do not hold the program, as execvp does.
    if (err != ENOENT && err != ENOTDIR && err != EACCES && err != ESTALE && err != ENODEV && err != ETIMEDOUT)
      break;
  }
  errno = denied && err != ENOEXEC ? EACCES : err;
  fail(status_fd, kExec);
}

int child_entry(void* arg) {
  const ChildArgs& a = *static_cast<const ChildArgs*>(arg);
  child(*a.spec, *a.p, *a.join_fds, a.devnull, a.out_w, a.status_fd, a.launcher);
}

// The child's stack: spawn_task runs only on the launcher's single thread, and the
// launcher is suspended while the child uses it (CLONE_VFORK), so one suffices.
constexpr size_t kChildStack = 256 << 10;
alignas(64) char child_stack[kChildStack];

std::string describe(const runtime::LaunchSpec& spec, const ChildReport& r) {
  const std::string why = std::strerror(r.err);
  switch (r.stage) {
    case kSetsid: return "setsid: " + why;
    case kJoinCgroup: return "join cgroup: " + why;
    case kRedirect: return "redirect output: " + why;
    case kCloseFds: return "close descriptors: " + why;
    case kNoNewPrivs: return "PR_SET_NO_NEW_PRIVS: " + why;
    case kDeathSignal: return "PR_SET_PDEATHSIG: " + why;
    case kRlimit: return "setrlimit: " + why;
    case kChdir: return "chdir " + spec.work_dir + ": " + why;
    case kExec: return "exec " + spec.argv[0] + ": " + why;
    case kSetgroups: return "setgroups: " + why;
    case kSetgid: return "setgid " + std::to_string(spec.gid) + ": " + why;
    case kSetuid: return "setuid " + std::to_string(spec.uid) + ": " + why;
    case kRegain: return "setuid(0) still succeeds after dropping to uid " + std::to_string(spec.uid);
  }
  return "launch failed: " + why;
}

Error sys_error(const std::string& what) { return Error{Code::Invalid, what + ": " + std::strerror(errno)}; }

}  // namespace

Result<Spawned> spawn_task(const runtime::LaunchSpec& spec, const std::vector<int>& join_fds, bool memory_cgroup) {
  const Prepared p = prepare(spec, memory_cgroup);
  int out[2], status[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return sys_error("pipe");
  if (::pipe2(status, O_CLOEXEC) != 0) {
    const Error e = sys_error("pipe");
    ::close(out[0]);
    ::close(out[1]);
    return e;
  }
  // Opened once and kept (close-on-exec; the child dup2s it to 0).
  static int devnull = -1;
  if (devnull < 0) devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  static const pid_t launcher = ::getpid();
  // clone(CLONE_VM | CLONE_VFORK), as posix_spawn does: no copy of the launcher's page
  // tables and no copy-on-write faults on either side (on this VM a fork of the
  // launcher cost more CPU than the whole launch otherwise); the launcher resumes once
  // the child has exec'd or exited, so the status pipe below is answered at once.
  ChildArgs args{&spec, &p, &join_fds, devnull, out[1], status[1], launcher};
  sigset_t all, saved;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &saved);
  const pid_t pid = devnull < 0 ? -1
                                : ::clone(child_entry, child_stack + kChildStack, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  const Error fork_error = sys_error(devnull < 0 ? "open /dev/null" : "clone");
  ::pthread_sigmask(SIG_SETMASK, &saved, nullptr);
  ::close(out[1]);
  ::close(status[1]);
  if (pid < 0) {
    ::close(out[0]);
    ::close(status[0]);
    return fork_error;
  }
  // EOF without a report means the exec succeeded (the pipe was close-on-exec).
  ChildReport r{};
  ssize_t n;
  do {
    n = ::read(status[0], &r, sizeof r);
  } while (n < 0 && errno == EINTR);
  ::close(status[0]);
  if (n == static_cast<ssize_t>(sizeof r)) {
    ::close(out[0]);
    int st;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    return Error{Code::Invalid, describe(spec, r)};
  }
  ::fcntl(out[0], F_SETFL, O_NONBLOCK);  // a fresh pipe end: O_RDONLY, no other status flags
  return Spawned{pid, out[0]};
}

}  // namespace ebb::launcher
