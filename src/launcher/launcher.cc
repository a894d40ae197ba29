// The ebb-launcher event loop (see launcher.h).
#include "launcher/launcher.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <set>
#include <sstream>
#include <string_view>

#include "launcher/procfs.h"
#include "launcher/spawn.h"
#include "runtime/unix_socket.h"

namespace ebb::launcher {
namespace {

namespace proto = runtime::proto;

constexpr size_t kReadChunk = 64 << 10;
constexpr size_t kMaxOutputPerRound = 1 << 20;   // per task per poll round: fairness
constexpr size_t kMaxDrain = 16 << 20;           // after the task ended
constexpr size_t kMaxClientBacklog = 64 << 20;   // ebbd not reading: drop it
constexpr int kCgroupRetryMs = 200;
constexpr int kCgroupRetries = 100;
constexpr const char* kLaunchedDir = "launched";   // in the run dir

// The launcher's own diagnostics go to stderr, which main() points at launcher.log.
// One write per line (stderr is unbuffered: three stdio calls were three syscalls,
// twice per task).
void say(const char* fmt, ...) {
  char line[1024];
  static const int pid = static_cast<int>(::getpid());
  int n = std::snprintf(line, sizeof line, "ebb-launcher[%d]: ", pid);
  va_list ap;
  va_start(ap, fmt);
  const int m = std::vsnprintf(line + n, sizeof line - static_cast<size_t>(n) - 1, fmt, ap);
  va_end(ap);
  n = std::min<int>(n + std::max(m, 0), static_cast<int>(sizeof line) - 2);
  line[n++] = '\n';
  for (const char* p = line; n > 0;) {
    const ssize_t w = ::write(STDERR_FILENO, p, static_cast<size_t>(n));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    p += w;
    n -= static_cast<int>(w);
  }
}

std::string parent_dir(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

void describe_exit(runtime::TaskExited& e, int status, bool oom, bool stopping) {
  if (WIFEXITED(status)) {
    e.exit_code = WEXITSTATUS(status);
    e.reason = e.exit_code == 0 ? "Completed" : "Error";
    e.message = "exited with code " + std::to_string(e.exit_code);
    if (e.exit_code != 0 && oom) {
      e.reason = "OOMKilled";
      e.message += "; a process of the task was killed for exceeding its memory limit";
    }
    return;
  }
  e.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  e.exit_code = -1;
  const std::string sig = "signal " + std::to_string(e.signal) + " (" + ::strsignal(e.signal) + ")";
  if (e.signal == SIGXCPU) {
    e.reason = "CPULimit";
    e.message = "CPU time limit exceeded: " + sig;
  } else if (e.signal == SIGXFSZ) {
    e.reason = "FileSizeLimit";
    e.message = "file size limit exceeded: " + sig;
  } else if (e.signal == SIGKILL && oom) {
    e.reason = "OOMKilled";
    e.message = "killed for exceeding its memory limit: " + sig;
  } else {
    e.reason = "Signaled";
    e.message = "killed by " + sig + (stopping ? " after a stop request" : "");
  }
}

}  // namespace

Launcher::Launcher(LauncherOptions opts) : opts_(std::move(opts)) {}

int Launcher::run() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, sig);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  signal_fd_ = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd_ < 0) {
    say("signalfd: %s", std::strerror(errno));
    return 1;
  }
  clean_up_after_previous_launcher();
  orphan_deadline_ = mono_ms() + opts_.orphan_grace_ms;  // nobody connected yet
  while (!(exit_when_empty_ && tasks_.empty())) {
    std::vector<pollfd> fds;
    std::vector<std::string> owners;  // task id per output fd (index - 3)
    fds.push_back({signal_fd_, POLLIN, 0});
    fds.push_back({opts_.listen_fd, POLLIN, 0});
    const int client = client_fd_;
    fds.push_back({client, static_cast<short>(POLLIN | (wbuf_.empty() ? 0 : POLLOUT)), 0});
    for (auto& [id, t] : tasks_) {
      if (t->out_fd < 0) continue;
      fds.push_back({t->out_fd, POLLIN, 0});
      owners.push_back(id);
    }
    const int n = ::poll(fds.data(), fds.size(), poll_timeout_ms(mono_ms()));
    if (n < 0 && errno != EINTR) {
      say("poll: %s", std::strerror(errno));
      return 1;
    }
    // Output first: reaping (below) may end a task, and its last output must be in
    // the log before the exit is reported.
    for (size_t i = 3; n > 0 && i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      auto it = tasks_.find(owners[i - 3]);
      if (it == tasks_.end()) continue;
      Task& t = *it->second;
      char buf[kReadChunk];
      for (size_t total = 0; total < kMaxOutputPerRound;) {
        const ssize_t r = ::read(t.out_fd, buf, sizeof buf);
        if (r > 0) {
          t.log.write(buf, static_cast<size_t>(r));
          total += static_cast<size_t>(r);
          continue;
        }
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && errno == EAGAIN) break;
        ::close(t.out_fd);  // the task (and everything it spawned) closed its output
        t.out_fd = -1;
        break;
      }
    }
    if (n > 0 && client >= 0 && client == client_fd_ && fds[2].revents) {
      if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) read_client();
      if (client == client_fd_ && (fds[2].revents & POLLOUT)) flush_client();
    }
    if (n > 0 && fds[1].revents) accept_client();
    if (n > 0 && fds[0].revents) on_signals();
    on_timers(mono_ms());
    if (!pending_cgroups_.empty()) retry_cgroup_removal();
  }
  retry_cgroup_removal();
  if (client_fd_ >= 0 && !wbuf_.empty()) {
    // Last exits: give ebbd a moment to take them.
    struct timeval tv{2, 0};
    ::setsockopt(client_fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    runtime::write_all(client_fd_, wbuf_);
  }
  if (client_fd_ >= 0) ::close(client_fd_);
  say("no tasks left; exiting");
  return 0;
}

int Launcher::poll_timeout_ms(int64_t now) const {
  int64_t next = -1;
  auto consider = [&](int64_t at) {
    if (at > 0 && (next < 0 || at < next)) next = at;
  };
  for (const auto& [id, t] : tasks_) consider(t->kill_at);
  consider(orphan_deadline_);
  if (!pending_cgroups_.empty()) consider(now + kCgroupRetryMs);
  if (next < 0) return -1;
  return static_cast<int>(std::clamp<int64_t>(next - now, 0, 60'000));
}

void Launcher::on_signals() {
  signalfd_siginfo si;
  while (::read(signal_fd_, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
    if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
      say("signal %u: stopping every task", si.ssi_signo);
      stop_all(true);
      exit_when_empty_ = true;
    }
  }
  reap();
}

void Launcher::reap() {
  for (;;) {
    int status = 0;
    struct rusage ru{};
    const pid_t pid = ::wait4(-1, &status, WNOHANG, &ru);
    if (pid < 0 && errno == EINTR) continue;
    if (pid <= 0) return;
    auto it = by_pid_.find(pid);
    // Unknown pids are descendants that escaped their task and were reparented to
    // us (PR_SET_CHILD_SUBREAPER): reaping them is all there is to do.
    if (it != by_pid_.end()) finish(*it->second, status, ru);
  }
}

void Launcher::finish(Task& t, int status, const ::rusage& ru) {
  runtime::TaskExited e;
  e.task_id = t.spec.task_id;
  e.pid = t.pid;
  e.ended_ms = wall_ms();
  const bool sigkill = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  // An exit with code 0 is "Completed" whatever the OOM counters say: no need to read them.
  const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  describe_exit(e, status, !clean && runtime::cgroup_oom_killed(t.cg, sigkill), t.stopping);
  // The leader is gone; whatever it left behind goes too (§4.6: cgroup, group, session).
  kill_everything(t);
  e.cpu_seconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                  static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  e.peak_rss_bytes = std::max<int64_t>(int64_t{ru.ru_maxrss} * 1024, runtime::cgroup_peak_memory(t.cg));
  drain_output(t);
  t.log.close();
  if (t.cg.empty() || runtime::remove_task_cgroup(t.cg)) forget_task(e.task_id);
  else pending_cgroups_.push_back({e.task_id, t.cg, 0});
  say("task %s (pid %d) ended: %s, %s", e.task_id.c_str(), e.pid, e.reason.c_str(), e.message.c_str());
  by_pid_.erase(t.pid);
  tasks_.erase(e.task_id);
  emit(std::move(e));
}

void Launcher::kill_everything(Task& t) {
  ::kill(-t.pid, SIGKILL);
  runtime::signal_cgroup(t.cg, SIGKILL);
  // Fast path for the common short task: the leader is reaped, so anything left of it
  // was reparented to us (subreaper) and is our child. When our only children are
  // other tasks' leaders, nothing is left and the two procfs walks below (several ms
  // each, in this single-threaded loop) are skipped.
  if (std::optional<std::vector<int>> kids = own_children()) {
    const bool strays = std::any_of(kids->begin(), kids->end(),
                                    [&](int pid) { return pid == t.pid || !by_pid_.count(pid); });
    if (!strays) return;
  }
  signal_session(t.pid, SIGKILL);
  if (t.cg.empty()) {
    // No cgroup tracks the task: its escaped descendants were reparented to us.
    std::set<int> leaders, others;
    for (const auto& [id, o] : tasks_) {
      leaders.insert(o->pid);
      if (o.get() != &t) others.insert(o->pid);
    }
    kill_orphans(leaders, others);
  }
}

void Launcher::drain_output(Task& t) {
  if (t.out_fd < 0) return;
  char buf[kReadChunk];
  for (size_t total = 0; total < kMaxDrain;) {
    const ssize_t r = ::read(t.out_fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    t.log.write(buf, static_cast<size_t>(r));
    total += static_cast<size_t>(r);
  }
  ::close(t.out_fd);
  t.out_fd = -1;
}

void Launcher::accept_client() {
  for (;;) {
    const int fd = ::accept4(opts_.listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    if (runtime::peer_uid(fd) != static_cast<int>(::geteuid())) {
      say("refused a connection from another uid");
      ::close(fd);
      continue;
    }
    if (client_fd_ >= 0) drop_client("replaced by a new connection");
    client_fd_ = fd;
    client_ready_ = false;
  }
}

void Launcher::read_client() {
  const int fd = client_fd_;
  char buf[kReadChunk];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      rbuf_.append(buf, static_cast<size_t>(n));
      if (rbuf_.buffered() > 2 * proto::kMaxRecord) break;  // handle what we have first
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    // EOF or error: handle complete records first (a Shutdown may precede the close).
    while (client_fd_ == fd) {
      auto body = rbuf_.next();
      if (!body || !*body) break;
      auto msg = proto::decode(**body);
      if (!msg) break;
      handle(std::move(*msg));
    }
    if (client_fd_ == fd) drop_client(n == 0 ? "ebbd closed the connection" : "connection error");
    return;
  }
  while (client_fd_ == fd) {
    auto body = rbuf_.next();
    if (!body) {
      drop_client(body.error().message.c_str());
      return;
    }
    if (!*body) return;
    auto msg = proto::decode(**body);
    if (!msg) {
      drop_client(msg.error().message.c_str());
      return;
    }
    handle(std::move(*msg));
  }
}

void Launcher::flush_client() {
  while (client_fd_ >= 0 && !wbuf_.empty()) {
    const ssize_t n = ::send(client_fd_, wbuf_.data(), wbuf_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      wbuf_.erase(0, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    drop_client("write to ebbd failed");
    return;
  }
  if (wbuf_.size() > kMaxClientBacklog) drop_client("ebbd is not reading its events");
}

void Launcher::drop_client(const char* why) {
  if (client_fd_ < 0) return;
  say("ebbd connection closed: %s", why);
  ::close(client_fd_);
  client_fd_ = -1;
  client_ready_ = false;
  wbuf_.clear();
  rbuf_ = proto::FrameBuffer{};
  if (!exit_when_empty_ && orphan_deadline_ == 0) orphan_deadline_ = mono_ms() + opts_.orphan_grace_ms;
}

void Launcher::handle(proto::Message&& m) {
  if (auto* h = std::get_if<proto::Hello>(&m)) return hello(*h);
  if (!client_ready_) return drop_client("expected Hello first");
  if (auto* spec = std::get_if<runtime::LaunchSpec>(&m)) return launch(*spec);
  if (auto* s = std::get_if<proto::Stop>(&m)) {
    auto it = tasks_.find(s->task_id);
    if (it != tasks_.end()) stop(*it->second, s->grace_ms);
    return;
  }
  if (auto* s = std::get_if<proto::Shutdown>(&m)) {
    if (s->stop_tasks) {
      say("shutdown requested: stopping every task");
      stop_all(true);
      exit_when_empty_ = true;
    }
    return;
  }
  drop_client("unexpected record from ebbd");
}

void Launcher::hello(const proto::Hello& h) {
  if (h.version != proto::kVersion) {
    say("ebbd speaks protocol version %u, this launcher %u", h.version, proto::kVersion);
    return drop_client("protocol version mismatch");
  }
  client_ready_ = true;
  opts_.orphan_grace_ms = h.orphan_grace_ms;
  orphan_deadline_ = 0;
  exit_when_empty_ = false;  // a new ebbd takes over; tasks already stopping go on stopping
  for (const auto& [id, t] : tasks_)
    emit(runtime::LiveTask{id, t->pid, t->start_ticks, t->cg.path, t->stopping});
  std::vector<runtime::TaskExited> exits;
  exits.swap(unreported_);
  for (auto& e : exits) emit(std::move(e));
  emit(proto::HelloDone{::getpid()});
}

void Launcher::launch(const runtime::LaunchSpec& spec) {
  if (exit_when_empty_) return launch_failed(spec, "the launcher is shutting down", nullptr);
  if (tasks_.count(spec.task_id)) return launch_failed(spec, "task " + spec.task_id + " is already running", nullptr);
  auto t = std::make_unique<Task>();
  t->spec = spec;
  // The log's directory first: it is usually the work dir's parent (tasks/<id>), so
  // each is one mkdir.
  if (Status st = runtime::make_dirs(parent_dir(spec.log_path), 0700); !st)
    return launch_failed(spec, st.error().message, nullptr);
  if (Status st = runtime::make_dirs(spec.work_dir, 0700); !st) return launch_failed(spec, st.error().message, nullptr);
  if (Status st = t->log.open(spec.log_path, spec.log_max_bytes); !st)
    return launch_failed(spec, st.error().message, nullptr);
  // reliability.md §4.6 step 3: never root unless ebbd was started with --allow-root-tasks.
  const int64_t task_uid = spec.uid >= 0 ? spec.uid : static_cast<int64_t>(::geteuid());
  if (task_uid == 0 && !spec.allow_root)
    return launch_failed(spec, "refusing to run a task as root (uid 0) without ebbd --allow-root-tasks", &t->log);
  // Step 8: the per-attempt directory belongs to the task user (0700).
  if (spec.own_work_dir && spec.uid >= 0 &&
      (::chown(spec.work_dir.c_str(), static_cast<uid_t>(spec.uid),
               static_cast<gid_t>(spec.gid >= 0 ? spec.gid : spec.uid)) != 0 ||
       ::chmod(spec.work_dir.c_str(), 0700) != 0))
    return launch_failed(spec, "chown " + spec.work_dir + ": " + std::strerror(errno), &t->log);
  auto cg = runtime::create_task_cgroup(opts_.cgroups, spec.task_id, spec.limits);
  if (!cg) return launch_failed(spec, cg.error().message, &t->log);
  t->cg = std::move(*cg);
  auto join = runtime::open_join_fds(t->cg);
  if (!join) {
    runtime::remove_task_cgroup(t->cg);
    return launch_failed(spec, join.error().message, &t->log);
  }
  auto spawned = spawn_task(spec, *join, !t->cg.memory_dir.empty());
  for (int fd : *join) ::close(fd);
  if (!spawned) {
    runtime::remove_task_cgroup(t->cg);
    return launch_failed(spec, spawned.error().message, &t->log);
  }
  const int64_t started = wall_ms();
  t->pid = spawned->pid;
  t->out_fd = spawned->out_fd;
  ProcStat ps;
  if (read_proc_stat(t->pid, ps)) t->start_ticks = ps.start_ticks;
  say("task %s started: pid %d", spec.task_id.c_str(), t->pid);
  runtime::TaskStarted s{spec.task_id, t->pid, t->start_ticks, t->cg.path, started};
  record_task(*t);
  by_pid_[t->pid] = t.get();
  tasks_[spec.task_id] = std::move(t);
  emit(std::move(s));
}

void Launcher::launch_failed(const runtime::LaunchSpec& spec, const std::string& why, TaskLog* log) {
  say("task %s failed to launch: %s", spec.task_id.c_str(), why.c_str());
  if (log && log->is_open()) {
    const std::string line = "[ebb: launch failed: " + why + "]\n";
    log->write(line.data(), line.size());
  }
  runtime::TaskExited e;
  e.task_id = spec.task_id;
  e.reason = "LaunchFailed";
  e.message = why;
  e.ended_ms = wall_ms();
  emit(std::move(e));
}

void Launcher::stop(Task& t, int64_t grace_ms) {
  t.grace_ms = grace_ms;
  const int64_t at = mono_ms() + grace_ms;
  if (t.stopping) {
    if (t.kill_at != 0) t.kill_at = std::min(t.kill_at, at);  // a shorter grace wins
    return;
  }
  t.stopping = true;
  t.kill_at = at;
  ::kill(-t.pid, SIGTERM);
  runtime::signal_cgroup(t.cg, SIGTERM);
}

void Launcher::stop_all(bool use_last_grace) {
  for (auto& [id, t] : tasks_) stop(*t, use_last_grace ? t->grace_ms : 10'000);
}

void Launcher::on_timers(int64_t now) {
  for (auto& [id, t] : tasks_) {
    if (t->kill_at != 0 && now >= t->kill_at) {
      say("task %s: grace period over, SIGKILL", id.c_str());
      t->kill_at = 0;
      kill_everything(*t);
    }
  }
  if (orphan_deadline_ != 0 && now >= orphan_deadline_) {
    orphan_deadline_ = 0;
    say("no ebbd connected within the orphan grace: stopping every task");
    stop_all(true);
    exit_when_empty_ = true;
  }
}

void Launcher::emit(proto::Message m) {
  if (client_fd_ >= 0 && client_ready_) {
    wbuf_ += proto::encode(m);
    flush_client();
    return;
  }
  // Started events need no keeping: the next Hello lists live tasks.
  if (auto* e = std::get_if<runtime::TaskExited>(&m)) unreported_.push_back(std::move(*e));
}

void Launcher::retry_cgroup_removal() {
  for (auto it = pending_cgroups_.begin(); it != pending_cgroups_.end();) {
    runtime::signal_cgroup(it->cg, SIGKILL);
    if (runtime::remove_task_cgroup(it->cg) || ++it->attempts > kCgroupRetries) {
      if (it->attempts > kCgroupRetries) say("giving up removing cgroup %s", it->cg.path.c_str());
      else forget_task(it->task_id);
      it = pending_cgroups_.erase(it);
    } else {
      ++it;
    }
  }
}

void Launcher::record_task(const Task& t) {
  if (opts_.run_dir_fd < 0) return;
  std::string text = "pid " + std::to_string(t.pid) + "\nticks " + std::to_string(t.start_ticks) + "\n";
  for (const auto& dir : t.cg.dirs) text += "cgroup " + dir + "\n";
  const std::string name = std::string(kLaunchedDir) + "/" + t.spec.task_id;
  const int fd = ::openat(opts_.run_dir_fd, name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    say("cannot record task %s: %s", t.spec.task_id.c_str(), std::strerror(errno));
    return;
  }
  for (std::string_view rest = text; !rest.empty();) {
    const ssize_t w = ::write(fd, rest.data(), rest.size());
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    rest.remove_prefix(static_cast<size_t>(w));
  }
  ::close(fd);
}

void Launcher::forget_task(const std::string& task_id) {
  if (opts_.run_dir_fd < 0) return;
  ::unlinkat(opts_.run_dir_fd, (std::string(kLaunchedDir) + "/" + task_id).c_str(), 0);
}

void Launcher::clean_up_after_previous_launcher() {
  if (opts_.run_dir_fd < 0) return;
  ::mkdirat(opts_.run_dir_fd, kLaunchedDir, 0700);
  const int dfd = ::openat(opts_.run_dir_fd, kLaunchedDir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0) return;
  DIR* d = ::fdopendir(dfd);
  if (!d) {
    ::close(dfd);
    return;
  }
  std::vector<std::string> ids;
  while (dirent* e = ::readdir(d))
    if (proto::valid_task_id(e->d_name)) ids.push_back(e->d_name);
  ::closedir(d);
  for (const std::string& id : ids) {
    std::string text;
    runtime::read_small_file("/proc/self/fd/" + std::to_string(opts_.run_dir_fd) + "/" + kLaunchedDir + "/" + id, text);
    runtime::TaskCgroup cg;
    cg.v2 = opts_.cgroups.version == "v2";
    int pid = 0;
    uint64_t ticks = 0;
    std::istringstream in(text);
    for (std::string key, value; in >> key >> value;) {
      if (key == "pid") pid = std::atoi(value.c_str());
      if (key == "ticks") ticks = std::strtoull(value.c_str(), nullptr, 10);
      // Only directories under our own cgroup parents: the record is ours, but a
      // typo must never make us kill or rmdir elsewhere.
      if (key == "cgroup" && value.find("/../") == std::string::npos &&
          value.size() > id.size() && value.compare(value.size() - id.size() - 1, std::string::npos, "/" + id) == 0)
        cg.dirs.push_back(value);
    }
    if (!cg.dirs.empty()) cg.path = cg.dirs.front();
    say("task %s was left by a previous launcher: killing what remains of it", id.c_str());
    runtime::signal_cgroup(cg, SIGKILL);
    signal_session(pid, SIGKILL, ticks);
    if (cg.empty() || runtime::remove_task_cgroup(cg)) forget_task(id);
    else pending_cgroups_.push_back({id, cg, 0});
  }
}

}  // namespace ebb::launcher
