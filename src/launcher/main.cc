// ebb-launcher: the only ebb process that forks tasks (reliability.md §4.5). ebbd
// starts it on demand (ProcessRuntime) with a clean environment:
//
//   ebb-launcher --run-dir DIR [--orphan-grace-ms N]
//
// It daemonizes (a new session, so it outlives ebbd), takes DIR/launcher.lock (one
// launcher per run dir), binds DIR/launcher.sock (0600; peers must have our uid),
// writes DIR/launcher.pid, logs to DIR/launcher.log, and only then lets the process
// ebbd started exit: exit status 0 = listening, 3 = another launcher holds the lock,
// 1 = failed (see launcher.log), 2 = bad arguments.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "launcher/launcher.h"
#include "runtime/cgroup.h"
#include "runtime/unix_socket.h"

namespace {

using namespace ebb;

constexpr off_t kMaxOwnLog = 1 << 20;

struct Args {
  std::string run_dir;
  int64_t orphan_grace_ms = 30'000;
};

bool parse_args(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (i + 1 >= argc) return false;
    const std::string v = argv[++i];
    if (k == "--run-dir") {
      a.run_dir = v;
    } else if (k == "--orphan-grace-ms") {
      char* end = nullptr;
      errno = 0;
      const long long n = std::strtoll(v.c_str(), &end, 10);
      if (errno || *end || n < 0) return false;
      a.orphan_grace_ms = n;
    } else {
      return false;
    }
  }
  return !a.run_dir.empty() && a.run_dir[0] == '/';
}

// ebbd may block or ignore signals in the thread that forked us; exec keeps both.
void reset_signals() {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
}

void redirect_std_fds(int dir_fd) {
  const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) ::dup2(null, 0);
  const int log = ::openat(dir_fd, runtime::kLauncherLog, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
  struct stat st;
  if (log >= 0 && ::fstat(log, &st) == 0 && st.st_size > kMaxOwnLog) ::ftruncate(log, 0);
  ::dup2(log >= 0 ? log : null, 1);
  ::dup2(log >= 0 ? log : null, 2);
  if (log > 2) ::close(log);
  if (null > 2) ::close(null);
}

// Returns the listening socket, or -1 (errno set).
int listen_on(const std::string& run_dir, int dir_fd) {
  auto addr = runtime::socket_address(run_dir, dir_fd, runtime::kSocketName);
  if (!addr) {
    errno = ENAMETOOLONG;
    return -1;
  }
  // We hold the lock, so any socket file here is a dead launcher's.
  ::unlinkat(dir_fd, runtime::kSocketName, 0);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  ::umask(077);  // the socket file is created 0600
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr->addr), addr->len) != 0 || ::listen(fd, 16) != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
  }
  ::fchmodat(dir_fd, runtime::kSocketName, 0600, 0);
  return fd;
}

void write_pid_file(int dir_fd) {
  const int fd = ::openat(dir_fd, runtime::kPidName, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return;
  const std::string pid = std::to_string(::getpid()) + "\n";
  runtime::write_all(fd, pid);
  ::close(fd);
}

// The daemon half. `ready` receives 'R' once listening or 'L' if the lock is taken.
int daemon_main(const Args& args, int ready) {
  ::setsid();
  ::umask(077);
  if (::chdir("/") != 0) return 1;
  if (Status st = runtime::ensure_private_dir(args.run_dir); !st) {
    std::fprintf(stderr, "ebb-launcher: %s\n", st.error().message.c_str());
    return 1;
  }
  auto dir = runtime::open_dir_path(args.run_dir);
  if (!dir) return 1;
  const int dir_fd = *dir;  // kept open: long socket paths go through /proc/self/fd/<dir_fd>
  redirect_std_fds(dir_fd);
  const int lock = ::openat(dir_fd, runtime::kLockName, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (lock < 0 || ::flock(lock, LOCK_EX | LOCK_NB) != 0) {
    const bool busy = lock >= 0 && errno == EWOULDBLOCK;
    if (busy) (void)!::write(ready, "L", 1);
    else std::fprintf(stderr, "ebb-launcher: lock %s: %s\n", runtime::kLockName, std::strerror(errno));
    return busy ? 3 : 1;
  }
  const int listen_fd = listen_on(args.run_dir, dir_fd);
  if (listen_fd < 0) {
    std::fprintf(stderr, "ebb-launcher: cannot listen on %s: %s\n", runtime::kSocketName, std::strerror(errno));
    return 1;
  }
  write_pid_file(dir_fd);
  // Double-forked escapees become our children, so we can reap (and kill) them.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  // The kernel should pick tasks (+500) before the launcher when memory runs out.
  runtime::write_small_file("/proc/self/oom_score_adj", "-500");
  launcher::LauncherOptions opts;
  opts.listen_fd = listen_fd;
  opts.run_dir_fd = dir_fd;
  opts.orphan_grace_ms = args.orphan_grace_ms;
  opts.cgroups = runtime::detect_cgroups();
  std::fprintf(stderr, "ebb-launcher[%d]: listening; cgroups %s\n", static_cast<int>(::getpid()),
               opts.cgroups.version.c_str());
  (void)!::write(ready, "R", 1);
  ::close(ready);
  const int rc = launcher::Launcher(std::move(opts)).run();
  ::unlinkat(dir_fd, runtime::kSocketName, 0);
  ::unlinkat(dir_fd, runtime::kPidName, 0);
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parse_args(argc, argv, args)) {
    std::fprintf(stderr, "usage: ebb-launcher --run-dir ABSOLUTE_DIR [--orphan-grace-ms N]\n");
    return 2;
  }
  reset_signals();
  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) return 1;
  const pid_t pid = ::fork();
  if (pid < 0) return 1;
  if (pid == 0) {
    ::close(ready[0]);
    ::_exit(daemon_main(args, ready[1]));
  }
  // The half ebbd waits for: report whether the daemon is listening.
  ::close(ready[1]);
  char c = 0;
  ssize_t n;
  do {
    n = ::read(ready[0], &c, 1);
  } while (n < 0 && errno == EINTR);
  if (n == 1 && c == 'R') return 0;
  if (n == 1 && c == 'L') return 3;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return 1;
}
