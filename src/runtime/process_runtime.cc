// ProcessRuntime: the `process` Runtime (runtime.h). ebbd never forks tasks itself: this
// client talks to ebb-launcher over <run_dir>/launcher.sock (launch_protocol.h) and
// starts the launcher (fork + exec, once, clean environment) when nobody answers.
//
// Threads: callers' threads send records (one write mutex per connection); one reader
// thread decodes events and calls the Listener with no lock held. When the launcher
// goes away unasked, every task this runtime knew is reported Lost, then
// on_runtime_lost; the next launch() starts a new launcher.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "runtime/cgroup.h"
#include "runtime/launch_protocol.h"
#include "runtime/runtime.h"
#include "runtime/unix_socket.h"

namespace ebb::runtime {
namespace {

constexpr int kConnectAttempts = 500;      // x 20 ms: about 10 s to reach a launcher
constexpr int kHelloTimeoutMs = 10'000;    // per read while waiting for HelloDone
constexpr int kLauncherBusy = 3;           // ebb-launcher exit status: lock held by another
constexpr int64_t kDefaultGraceMs = 10'000;

struct Conn {
  explicit Conn(int f) : fd(f) {}
  ~Conn() { ::close(fd); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  const int fd;
  std::mutex write_mu;       // serializes whole records
  proto::FrameBuffer rbuf;   // the handshake, then only the reader thread
};

struct Event {
  std::variant<TaskStarted, TaskExited> ev;
};

TaskExited launch_failed(const std::string& id, const std::string& why) {
  TaskExited e;
  e.task_id = id;
  e.reason = "LaunchFailed";
  e.message = why;
  return e;
}

Error unavailable(const std::string& why) { return Error{Code::Conflict, why}; }

class ProcessRuntime final : public Runtime {
 public:
  explicit ProcessRuntime(ProcessRuntimeConfig cfg) : cfg_(std::move(cfg)), caps_(capabilities_of(detect_cgroups())) {
    if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) wake_[0] = wake_[1] = -1;
  }

  ~ProcessRuntime() override {
    std::shared_ptr<Conn> c;
    {
      std::lock_guard l(mu_);
      closing_ = true;
      c = std::move(conn_);
      conn_ = nullptr;
    }
    // Like ebbd dying: the launcher sees EOF and keeps the tasks for the next ebbd.
    if (c) ::shutdown(c->fd, SHUT_RDWR);
    wake();
    if (reader_.joinable()) reader_.join();
    for (int fd : wake_)
      if (fd >= 0) ::close(fd);
  }

  Capabilities capabilities() const override { return caps_; }

  Result<Reconnected> start(Listener* listener) override {
    {
      std::lock_guard l(mu_);
      if (listener_) return Error{Code::Conflict, "runtime already started"};
    }
    if (wake_[0] < 0) return Error{Code::Invalid, std::string("pipe: ") + std::strerror(errno)};
    if (cfg_.launcher_path.empty() || ::access(cfg_.launcher_path.c_str(), X_OK) != 0)
      return Error{Code::Invalid, "cannot run ebb-launcher at '" + cfg_.launcher_path + "'"};
    EBB_CHECK(ensure_private_dir(cfg_.run_dir));
    Reconnected r;
    EBB_TRY(std::shared_ptr<Conn> c, connect_or_spawn(r));
    {
      std::lock_guard l(mu_);
      listener_ = listener;
      conn_ = std::move(c);
      for (const LiveTask& t : r.live) known_[t.task_id] = t.pid;
    }
    reader_ = std::thread([this] { reader_loop(); });
    return r;
  }

  void launch(const LaunchSpec& spec) override {
    if (Status v = proto::validate(spec); !v) return post(launch_failed(spec.task_id, v.error().message));
    std::shared_ptr<Conn> c;
    bool running;
    {
      std::lock_guard l(mu_);
      running = listener_ && !shut_down_;
      c = conn_;
    }
    if (!running) return post(launch_failed(spec.task_id, "the runtime is not running"));
    if (!c) {
      auto nc = reconnect();
      if (!nc) return post(launch_failed(spec.task_id, "ebb-launcher unavailable: " + nc.error().message));
      c = *nc;
    }
    bool current;
    {
      std::lock_guard l(mu_);
      // From now on a lost launcher reports the task Lost; if the loss was already
      // reported, nobody would: fail the launch instead.
      current = conn_ == c;
      if (current) known_[spec.task_id] = 0;
    }
    if (!current) return post(launch_failed(spec.task_id, "the connection to ebb-launcher was lost"));
    // A failed write means the launcher is gone; the reader sees the EOF and reports.
    send(*c, proto::encode(spec));
  }

  void stop(const std::string& task_id, int64_t grace_ms) override {
    if (!proto::valid_task_id(task_id)) return;
    std::shared_ptr<Conn> c;
    {
      std::lock_guard l(mu_);
      c = conn_;
      max_grace_ms_ = std::max(max_grace_ms_, grace_ms);
    }
    if (c) send(*c, proto::encode(proto::Stop{task_id, std::max<int64_t>(grace_ms, 0)}));
  }

  void shutdown(bool stop_tasks) override {
    std::shared_ptr<Conn> c;
    int64_t bound_ms;
    {
      std::lock_guard l(mu_);
      if (shut_down_) return;
      shut_down_ = true;
      c = conn_;
      bound_ms = max_grace_ms_ + 15'000;
    }
    if (!c) return;
    if (stop_tasks && send(*c, proto::encode(proto::Shutdown{true}))) {
      // The launcher stops every task, reports the exits (the reader delivers them)
      // and exits when none is left; its EOF ends the wait.
      std::unique_lock l(mu_);
      cv_.wait_for(l, std::chrono::milliseconds(bound_ms), [&] { return conn_ != c || closing_; });
    }
    {
      std::lock_guard l(mu_);
      if (conn_ == c) conn_ = nullptr;
    }
    ::shutdown(c->fd, SHUT_RDWR);
    wake();
  }

 private:
  bool send(Conn& c, const std::string& bytes) {
    std::lock_guard l(c.write_mu);
    return write_all(c.fd, bytes);
  }

  void wake() {
    if (wake_[1] >= 0) (void)!::write(wake_[1], "x", 1);
  }

  void post(TaskExited e) {
    {
      std::lock_guard l(mu_);
      pending_.push_back(Event{std::move(e)});
    }
    wake();
  }

  // ---- connecting ----

  Result<std::shared_ptr<Conn>> reconnect() {
    std::lock_guard cl(connect_mu_);
    {
      std::lock_guard l(mu_);
      if (conn_) return conn_;
    }
    Reconnected r;
    EBB_TRY(std::shared_ptr<Conn> c, connect_or_spawn(r));
    {
      std::lock_guard l(mu_);
      if (shut_down_ || closing_) return unavailable("the runtime is shutting down");
      conn_ = c;
      for (const LiveTask& t : r.live) known_[t.task_id] = t.pid;
      // Exits a launcher kept for us (normally none after a crash): deliver them.
      for (TaskExited& e : r.exited) pending_.push_back(Event{std::move(e)});
    }
    wake();
    return c;
  }

  // -1 with errno set when nobody listens.
  int try_connect() {
    auto dir = open_dir_path(cfg_.run_dir);
    if (!dir) {
      errno = ENOENT;
      return -1;
    }
    int fd = -1;
    auto addr = socket_address(cfg_.run_dir, *dir, kSocketName);
    if (addr) {
      fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd >= 0 && ::connect(fd, reinterpret_cast<const sockaddr*>(&addr->addr), addr->len) != 0) {
        const int saved = errno;
        ::close(fd);
        fd = -1;
        errno = saved;
      }
    } else {
      errno = ENAMETOOLONG;
    }
    const int saved = errno;
    ::close(*dir);
    errno = saved;
    return fd;
  }

  Result<std::shared_ptr<Conn>> handshake(int fd, Reconnected& out) {
    auto c = std::make_shared<Conn>(fd);
    if (peer_uid(fd) != static_cast<int>(::geteuid()))
      return unavailable("the process on " + std::string(kSocketName) + " runs as another user");
    proto::Hello h;
    h.orphan_grace_ms = cfg_.orphan_grace_ms;
    if (!send(*c, proto::encode(h))) return unavailable("cannot write to ebb-launcher");
    for (;;) {
      // Records already buffered first: the answer may have come in one read.
      for (;;) {
        auto body = c->rbuf.next();
        if (!body) return unavailable(body.error().message);
        if (!*body) break;
        auto msg = proto::decode(**body);
        if (!msg) return unavailable("bad record from ebb-launcher: " + msg.error().message);
        if (auto* t = std::get_if<LiveTask>(&*msg)) {
          out.live.push_back(std::move(*t));
        } else if (auto* e = std::get_if<TaskExited>(&*msg)) {
          out.exited.push_back(std::move(*e));
        } else if (std::holds_alternative<proto::HelloDone>(*msg)) {
          return c;
        } else {
          return unavailable("unexpected record from ebb-launcher during hello");
        }
      }
      pollfd p{fd, POLLIN, 0};
      const int n = ::poll(&p, 1, kHelloTimeoutMs);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return unavailable("ebb-launcher did not answer hello");
      char buf[16384];
      const ssize_t r = ::recv(fd, buf, sizeof buf, 0);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return unavailable("ebb-launcher closed the connection during hello");
      c->rbuf.append(buf, static_cast<size_t>(r));
    }
  }

  // true: a launcher is listening; false: another launcher holds the lock (it may be
  // exiting): try connecting again.
  Result<bool> spawn_launcher() {
    const std::string grace = std::to_string(cfg_.orphan_grace_ms);
    std::vector<std::string> args = {cfg_.launcher_path, "--run-dir", cfg_.run_dir, "--orphan-grace-ms", grace};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    char* envp[] = {nullptr};  // the launcher needs nothing of ebbd's environment
    int status_pipe[2];
    if (::pipe2(status_pipe, O_CLOEXEC) != 0) return Error{Code::Invalid, std::string("pipe: ") + std::strerror(errno)};
    const pid_t pid = ::fork();
    if (pid == 0) {
      // Async-signal-safe calls only: ebbd is multithreaded.
      const int w = status_pipe[1];
      if (w > 3) ::close_range(3, static_cast<unsigned>(w - 1), 0);
      ::close_range(static_cast<unsigned>(w + 1), ~0U, 0);
      ::execve(argv[0], argv.data(), envp);
      const int err = errno;
      (void)!::write(w, &err, sizeof err);
      ::_exit(127);
    }
    const int fork_errno = errno;
    ::close(status_pipe[1]);
    if (pid < 0) {
      ::close(status_pipe[0]);
      return Error{Code::Invalid, std::string("fork: ") + std::strerror(fork_errno)};
    }
    int exec_errno = 0;
    ssize_t n;
    do {
      n = ::read(status_pipe[0], &exec_errno, sizeof exec_errno);
    } while (n < 0 && errno == EINTR);
    ::close(status_pipe[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (n == static_cast<ssize_t>(sizeof exec_errno))
      return Error{Code::Invalid, "cannot run " + cfg_.launcher_path + ": " + std::strerror(exec_errno)};
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
    if (WIFEXITED(status) && WEXITSTATUS(status) == kLauncherBusy) return false;
    return Error{Code::Invalid, "ebb-launcher failed to start (status " + std::to_string(status) + "); see " +
                                    cfg_.run_dir + "/" + kLauncherLog};
  }

  // Connects to the launcher of run_dir, starting one if nobody listens, and does the
  // Hello exchange. Bounded: about 10 s.
  Result<std::shared_ptr<Conn>> connect_or_spawn(Reconnected& out) {
    std::string last = "no answer";
    int since_spawn = kConnectAttempts;  // attempts since we last started a launcher
    for (int attempt = 0; attempt < kConnectAttempts; ++attempt, ++since_spawn) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      const int fd = try_connect();
      if (fd >= 0) {
        Reconnected r;
        auto c = handshake(fd, r);
        if (c) {
          out = std::move(r);
          return c;
        }
        last = c.error().message;
        continue;
      }
      last = std::strerror(errno);
      // Nobody listens. Start a launcher, unless one started recently is still
      // coming up (then wait for it).
      if ((errno == ENOENT || errno == ECONNREFUSED) && since_spawn >= 25) {
        EBB_TRY(bool listening, spawn_launcher());
        since_spawn = listening ? 0 : 20;  // busy: an old launcher is exiting; retry soon
      }
    }
    return unavailable("cannot reach ebb-launcher in " + cfg_.run_dir + ": " + last);
  }

  // ---- the reader thread ----

  void reader_loop() {
    for (;;) {
      std::shared_ptr<Conn> c;
      std::deque<Event> events;
      {
        std::lock_guard l(mu_);
        if (closing_) return;
        c = conn_;
        events.swap(pending_);
      }
      deliver(events);
      if (c && !process_frames(c)) continue;
      pollfd fds[2] = {{wake_[0], POLLIN, 0}, {c ? c->fd : -1, POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
      if (fds[0].revents) {
        char buf[64];
        while (::read(wake_[0], buf, sizeof buf) > 0) {
        }
      }
      if (!c || !fds[1].revents) continue;
      char buf[65536];
      const ssize_t n = ::recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        c->rbuf.append(buf, static_cast<size_t>(n));
      } else if (n == 0) {
        lost(c, "ebb-launcher closed the connection");
      } else if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
        lost(c, std::string("ebb-launcher connection: ") + std::strerror(errno));
      }
    }
  }

  // Decodes and delivers complete records; false when the stream broke.
  bool process_frames(const std::shared_ptr<Conn>& c) {
    for (;;) {
      auto body = c->rbuf.next();
      if (!body) {
        lost(c, "bad record from ebb-launcher: " + body.error().message);
        return false;
      }
      if (!*body) return true;
      auto msg = proto::decode(**body);
      if (!msg) {
        lost(c, "bad record from ebb-launcher: " + msg.error().message);
        return false;
      }
      std::deque<Event> one;
      if (auto* s = std::get_if<TaskStarted>(&*msg)) {
        std::lock_guard l(mu_);
        known_[s->task_id] = s->pid;
        one.push_back(Event{std::move(*s)});
      } else if (auto* e = std::get_if<TaskExited>(&*msg)) {
        std::lock_guard l(mu_);
        known_.erase(e->task_id);
        one.push_back(Event{std::move(*e)});
      }
      deliver(one);
    }
  }

  void deliver(std::deque<Event>& events) {
    for (Event& e : events) {
      if (auto* s = std::get_if<TaskStarted>(&e.ev)) listener_->on_started(*s);
      else listener_->on_exited(std::get<TaskExited>(e.ev));
    }
  }

  void lost(const std::shared_ptr<Conn>& c, const std::string& why) {
    std::map<std::string, int> tasks;
    std::deque<Event> events;
    bool deliberate;
    {
      std::lock_guard l(mu_);
      if (conn_ != c) return;  // we closed it ourselves
      conn_ = nullptr;
      tasks.swap(known_);
      events.swap(pending_);   // events posted while the connection was up go first
      deliberate = shut_down_;
      cv_.notify_all();
    }
    deliver(events);
    for (const auto& [id, pid] : tasks) {
      TaskExited e;
      e.task_id = id;
      e.pid = pid;
      e.reason = "Lost";
      e.message = why;
      listener_->on_exited(e);
    }
    if (!deliberate) listener_->on_runtime_lost(why);
  }

  const ProcessRuntimeConfig cfg_;
  const Capabilities caps_;
  int wake_[2] = {-1, -1};          // posts wake the reader thread
  std::thread reader_;
  std::mutex connect_mu_;           // one reconnect at a time
  std::mutex mu_;
  std::condition_variable cv_;      // conn_ changed (shutdown waits on it)
  Listener* listener_ = nullptr;    // guarded by mu_; set once by start()
  std::shared_ptr<Conn> conn_;      // guarded by mu_
  std::map<std::string, int> known_;  // task id -> pid (0 before Started); guarded by mu_
  std::deque<Event> pending_;       // events made on callers' threads; guarded by mu_
  int64_t max_grace_ms_ = kDefaultGraceMs;  // guarded by mu_
  bool shut_down_ = false;          // guarded by mu_
  bool closing_ = false;            // guarded by mu_
};

}  // namespace

std::unique_ptr<Runtime> make_process_runtime(const ProcessRuntimeConfig& cfg) {
  return std::make_unique<ProcessRuntime>(cfg);
}

}  // namespace ebb::runtime
