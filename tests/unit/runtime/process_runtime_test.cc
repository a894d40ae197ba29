// ProcessRuntime + ebb-launcher with real processes (reliability.md §2.7, §4.6, §5.7).
// Each test has its own temp dir, run dir and launcher; teardown stops every task it
// started and kills the launcher if it is still there. Waits are bounded polls that
// assert outcomes, never durations.
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "runtime/runtime.h"

#ifndef EBB_LAUNCHER_PATH
#error "EBB_LAUNCHER_PATH must name the ebb-launcher binary (tests/CMakeLists.txt)"
#endif

namespace ebb::runtime {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr auto kWait = 10s;

class Recorder final : public Listener {
 public:
  void on_started(const TaskStarted& s) override {
    std::lock_guard l(mu_);
    started_.push_back(s);
    cv_.notify_all();
  }
  void on_exited(const TaskExited& e) override {
    std::lock_guard l(mu_);
    exited_.push_back(e);
    cv_.notify_all();
  }
  void on_runtime_lost(const std::string& why) override {
    std::lock_guard l(mu_);
    lost_.push_back(why);
    cv_.notify_all();
  }
  std::optional<TaskStarted> wait_started(const std::string& id, std::chrono::seconds within = kWait) {
    std::unique_lock l(mu_);
    std::optional<TaskStarted> out;
    cv_.wait_for(l, within, [&] {
      for (const auto& s : started_)
        if (s.task_id == id) out = s;
      return out.has_value() || has_exit(id);
    });
    return out;
  }
  std::optional<TaskExited> wait_exited(const std::string& id, std::chrono::seconds within = kWait) {
    std::unique_lock l(mu_);
    std::optional<TaskExited> out;
    cv_.wait_for(l, within, [&] {
      for (const auto& e : exited_)
        if (e.task_id == id) out = e;
      return out.has_value();
    });
    return out;
  }
  bool wait_lost(std::chrono::seconds within = kWait) {
    std::unique_lock l(mu_);
    return cv_.wait_for(l, within, [&] { return !lost_.empty(); });
  }
  size_t exits_of(const std::string& id) {
    std::lock_guard l(mu_);
    size_t n = 0;
    for (const auto& e : exited_) n += e.task_id == id;
    return n;
  }

 private:
  bool has_exit(const std::string& id) const {
    for (const auto& e : exited_)
      if (e.task_id == id) return true;
    return false;
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<TaskStarted> started_;
  std::vector<TaskExited> exited_;
  std::vector<std::string> lost_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Polls cond every 20 ms for at most `within`.
bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds within = kWait) {
  for (auto waited = 0ms; waited < within; waited += 20ms) {
    if (cond()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return cond();
}

// Alive and not a zombie; with ticks, also the same process (not a reused pid).
bool alive(int pid, uint64_t ticks = 0) {
  if (pid <= 0) return false;
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream in(stat.substr(close + 1));
  std::vector<std::string> f;
  for (std::string t; in >> t;) f.push_back(t);
  if (f.size() < 20 || f[0] == "Z" || f[0] == "X") return false;
  return ticks == 0 || std::stoull(f[19]) == ticks;
}

// Pids of live processes whose environment holds `marker` (EBB_TEST_MARKER=<id>).
std::vector<int> processes_with(const std::string& marker) {
  std::vector<int> out;
  DIR* d = ::opendir("/proc");
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    const int pid = std::atoi(e->d_name);
    if (pid <= 0) continue;
    const std::string env = read_file("/proc/" + std::to_string(pid) + "/environ");
    if (env.find(marker + '\0') != std::string::npos || (env.size() >= marker.size() && env.ends_with(marker)))
      if (alive(pid)) out.push_back(pid);
  }
  ::closedir(d);
  return out;
}

class ProcessRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "ebb-runtime-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    run_dir_ = dir_ + "/run";
    std::random_device rd;
    suffix_ = std::to_string(rd() % 1000000);
  }

  void TearDown() override {
    for (auto& rt : runtimes_) {
      if (!rt) continue;
      for (const auto& id : launched_) rt->stop(id, 0);
      rt->shutdown(true);
      rt.reset();
    }
    // Anything a test left behind (killed launcher, escaped process): kill it.
    const int launcher = launcher_pid();
    if (launcher > 0 && alive(launcher) &&
        read_file("/proc/" + std::to_string(launcher) + "/cmdline").find("ebb-launcher") != std::string::npos)
      ::kill(launcher, SIGKILL);
    for (const auto& id : launched_)
      for (int pid : processes_with("EBB_TEST_MARKER=" + id)) ::kill(pid, SIGKILL);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  Runtime& make(int64_t orphan_grace_ms = 30'000, std::string run_dir = "") {
    ProcessRuntimeConfig cfg;
    cfg.launcher_path = EBB_LAUNCHER_PATH;
    cfg.run_dir = run_dir.empty() ? run_dir_ : run_dir;
    cfg.orphan_grace_ms = orphan_grace_ms;
    runtimes_.push_back(make_process_runtime(cfg));
    return *runtimes_.back();
  }
  void destroy(Runtime& rt) {
    for (auto& p : runtimes_)
      if (p.get() == &rt) p.reset();
  }

  std::string id(const std::string& name) { return name + "-" + suffix_; }

  LaunchSpec spec(const std::string& task_id, std::vector<std::string> argv) {
    launched_.push_back(task_id);
    LaunchSpec s;
    s.task_id = task_id;
    s.argv = std::move(argv);
    s.work_dir = dir_ + "/tasks/" + task_id + "/work";
    s.log_path = dir_ + "/tasks/" + task_id + "/output.log";
    s.env = {"PATH=/usr/bin:/bin", "HOME=" + s.work_dir, "LANG=C.UTF-8", "EBB_TEST_MARKER=" + task_id};
    // As ebbd does when it is root (reliability.md §4.6): tasks run as nobody in a work
    // dir they own; the launcher refuses root tasks unless allowed.
    if (::geteuid() == 0) {
      s.uid = kNobody;
      s.gid = kNobody;
      s.own_work_dir = true;
    }
    return s;
  }
  static constexpr int64_t kNobody = 65534;

  int launcher_pid() { return std::atoi(read_file(run_dir_ + "/launcher.pid").c_str()); }

  std::string dir_, run_dir_, suffix_;
  std::vector<std::string> launched_;
  std::vector<std::unique_ptr<Runtime>> runtimes_;
  Recorder rec_;
};

TEST_F(ProcessRuntimeTest, ReportsExitCodeAndCapturesOutput) {
  Runtime& rt = make();
  auto r = rt.start(&rec_);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->live.empty());
  const std::string t = id("echo");
  const LaunchSpec s = spec(t, {"sh", "-c", "echo hi; echo err >&2; exit 3"});
  rt.launch(s);
  auto started = rec_.wait_started(t);
  ASSERT_TRUE(started);
  EXPECT_GT(started->pid, 0);
  EXPECT_GT(started->start_ticks, 0u);
  EXPECT_GT(started->started_ms, 0);
  auto e = rec_.wait_exited(t);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "Error");
  EXPECT_EQ(e->exit_code, 3);
  EXPECT_EQ(e->signal, 0);
  EXPECT_EQ(e->pid, started->pid);
  EXPECT_GE(e->ended_ms, started->started_ms);
  EXPECT_GT(e->peak_rss_bytes, 0);
  EXPECT_EQ(read_file(s.log_path), "hi\nerr\n");
  struct stat st;
  ASSERT_EQ(::stat(s.work_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  if (!started->cgroup.empty()) {
    EXPECT_TRUE(eventually([&] { return !fs::exists(started->cgroup); })) << "cgroup not removed";
  }
}

TEST_F(ProcessRuntimeTest, ZeroExitIsCompleted) {
  Runtime& rt = make();
  ASSERT_TRUE(rt.start(&rec_).ok());
  const std::string t = id("true");
  rt.launch(spec(t, {"true"}));
  auto e = rec_.wait_exited(t);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "Completed");
  EXPECT_EQ(e->exit_code, 0);
}

TEST_F(ProcessRuntimeTest, MissingBinaryIsLaunchFailed) {
  Runtime& rt = make();
  ASSERT_TRUE(rt.start(&rec_).ok());
  const std::string t = id("missing");
  rt.launch(spec(t, {"no-such-binary-for-ebb-test", "x"}));
  auto e = rec_.wait_exited(t);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "LaunchFailed");
  EXPECT_EQ(e->pid, 0);
  EXPECT_EQ(e->message, "exec no-such-binary-for-ebb-test: No such file or directory");
  // The runtime still works afterwards.
  const std::string t2 = id("after");
  rt.launch(spec(t2, {"true"}));
  auto e2 = rec_.wait_exited(t2);
  ASSERT_TRUE(e2);
  EXPECT_EQ(e2->reason, "Completed");
}

TEST_F(ProcessRuntimeTest, InvalidSpecIsLaunchFailedWithoutALauncherRoundTrip) {
  Runtime& rt = make();
  ASSERT_TRUE(rt.start(&rec_).ok());
  LaunchSpec s = spec(id("bad"), {"true"});
  s.work_dir = "relative";
  rt.launch(s);
  auto e = rec_.wait_exited(s.task_id);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "LaunchFailed");
  EXPECT_NE(e->message.find("work_dir"), std::string::npos) << e->message;
}

TEST_F(ProcessRuntimeTest, StopEscalatesToSigkillWhenTermIsIgnored) {
  Runtime& rt = make();
  ASSERT_TRUE(rt.start(&rec_).ok());
  const std::string t = id("stubborn");
  const LaunchSpec s = spec(t, {"sh", "-c", "trap '' TERM; echo ready; sleep 60"});
  rt.launch(s);
  ASSERT_TRUE(rec_.wait_started(t));
  ASSERT_TRUE(eventually([&] { return read_file(s.log_path) == "ready\n"; }));
  rt.stop(t, 500);
  rt.stop(t, 500);  // idempotent
  auto e = rec_.wait_exited(t);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "Signaled");
  EXPECT_EQ(e->signal, SIGKILL);
  EXPECT_EQ(e->exit_code, -1);
  EXPECT_TRUE(eventually([&] { return processes_with("EBB_TEST_MARKER=" + t).empty(); }));
  rt.stop(t, 0);  // after the exit: ignored
  rt.stop("never-launched", 0);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(rec_.exits_of(t), 1u);
}

TEST_F(ProcessRuntimeTest, SigtermEndsACooperativeTask) {
  Runtime& rt = make();
  ASSERT_TRUE(rt.start(&rec_).ok());
  const std::string t = id("polite");
  rt.launch(spec(t, {"sleep", "60"}));
  ASSERT_TRUE(rec_.wait_started(t));
  rt.stop(t, 30'000);
  auto e = rec_.wait_exited(t);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "Signaled");
  EXPECT_EQ(e->signal, SIGTERM);
}

TEST_F(ProcessRuntimeTest, EnvironmentIsExactlyTheGivenOne) {
  ::setenv("EBB_SHOULD_NOT_LEAK", "secret", 1);
  Runtime& rt = make();
  ASSERT_TRUE(rt.start(&rec_).ok());
  const std::string t = id("env");
  LaunchSpec s = spec(t, {"env"});
  s.env.push_back("WITH_SPACES=a b  c");
  s.env.push_back("EMPTY=");
  rt.launch(s);
  auto e = rec_.wait_exited(t);
  ::unsetenv("EBB_SHOULD_NOT_LEAK");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->reason, "Completed") << e->message;
  auto got = lines(read_file(s.log_path));
  std::multiset<std::string> got_set(got.begin(), got.end()), want(s.env.begin(), s.env.end());
  EXPECT_EQ(got_set, want);
}

TEST_F(ProcessRuntimeTest, TaskRunsAsTheTaskUserWithoutGroupsOrAWayBack) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to change the task's uid";
  Runtime& rt = make();
  ASSERT_TRUE(rt.start(&rec_).ok());
  const std::string t = id("uid");
  LaunchSpec s = spec(t, {"sh", "-c",
                          "id -u; id -g; id -G; stat -c %u:%g:%a .; touch ./mine && echo wrote; "
                          "grep -E '^(Uid|Gid|Groups|CapEff):' /proc/$$/status | tr -s '\t ' ' '; "
                          "if (ls " + dir_ + " >/dev/null 2>&1); then echo parent-readable; else echo parent-closed; fi"});
  s.uid = 4242;
  s.gid = 4343;
  ::chmod(dir_.c_str(), 0700);
  rt.launch(s);
  auto e = rec_.wait_exited(t);
  ASSERT_TRUE(e);
  ASSERT_EQ(e->reason, "Completed") << e->message << read_file(s.log_path);
  EXPECT_EQ(lines(read_file(s.log_path)),
            (std::vector<std::string>{"4242", "4343", "4343", "4242:4343:700", "wrote", "Uid: 4242 4242 4242 4242",
                                      "Gid: 4343 4343 4343 4343", "Groups: ", "CapEff: 0000000000000000",
                                      "parent-closed"}));
}

TEST_F(ProcessRuntimeTest, RootTasksAreRefusedUnlessAllowed) {
  if (::geteuid() != 0) GTEST_SKIP() << "the launcher runs as root only when the test does";
  Runtime& rt = make();
  ASSERT_TRUE(rt.start(&rec_).ok());
  for (int64_t uid : {int64_t{0}, int64_t{-1}}) {
    const std::string t = id("root" + std::to_string(uid + 1));
    LaunchSpec s = spec(t, {"id", "-u"});
    s.uid = uid;
    s.gid = uid;
    rt.launch(s);
    auto e = rec_.wait_exited(t);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->reason, "LaunchFailed") << "uid " << uid;
    EXPECT_NE(e->message.find("--allow-root-tasks"), std::string::npos) << e->message;
  }
  const std::string t = id("rootok");
  LaunchSpec s = spec(t, {"id", "-u"});
  s.uid = 0;
  s.gid = 0;
  s.allow_root = true;
  rt.launch(s);
  auto e = rec_.wait_exited(t);
  ASSERT_TRUE(e);
  ASSERT_EQ(e->reason, "Completed") << e->message;
  EXPECT_EQ(read_file(s.log_path), "0\n");
}

TEST_F(ProcessRuntimeTest, OnlyStandardDescriptorsAreOpenInTheTask) {
  Runtime& rt = make();
  ASSERT_TRUE(rt.start(&rec_).ok());
  const std::string t = id("fds");
  const LaunchSpec s = spec(t, {"sh", "-c", "ls /proc/$$/fd"});
  rt.launch(s);
  auto e = rec_.wait_exited(t);
  ASSERT_TRUE(e);
  ASSERT_EQ(e->reason, "Completed") << e->message;
  EXPECT_EQ(lines(read_file(s.log_path)), (std::vector<std::string>{"0", "1", "2"}));
}

TEST_F(ProcessRuntimeTest, TaskRunsInItsOwnSessionWithOomScore) {
  Runtime& rt = make();
  ASSERT_TRUE(rt.start(&rec_).ok());
  const std::string t = id("session");
  // $$ is the shell; field 6 of stat is the session id; NoNewPrivs from status.
  const LaunchSpec s = spec(t, {"sh", "-c",
                                "cut -d' ' -f6 /proc/$$/stat; cat /proc/$$/oom_score_adj; "
                                "grep NoNewPrivs /proc/$$/status; ulimit -c; ulimit -n; pwd"});
  rt.launch(s);
  auto started = rec_.wait_started(t);
  ASSERT_TRUE(started);
  auto e = rec_.wait_exited(t);
  ASSERT_TRUE(e);
  ASSERT_EQ(e->reason, "Completed") << e->message;
  const auto out = lines(read_file(s.log_path));
  ASSERT_EQ(out.size(), 6u) << read_file(s.log_path);
  EXPECT_EQ(out[0], std::to_string(started->pid));  // setsid: the task leads its session
  EXPECT_EQ(out[1], "500");
  EXPECT_EQ(out[2], "NoNewPrivs:\t1");
  EXPECT_EQ(out[3], "0");
  EXPECT_EQ(out[4], "1024");
  EXPECT_EQ(out[5], s.work_dir);
}

TEST_F(ProcessRuntimeTest, ATaskMayCloseItsOutput) {
  Runtime& rt = make();
  ASSERT_TRUE(rt.start(&rec_).ok());
  const std::string t = id("quiet");
  const LaunchSpec s = spec(t, {"sh", "-c", "echo before; exec >&- 2>&-; sleep 0.3; exit 5"});
  rt.launch(s);
  auto e = rec_.wait_exited(t);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "Error");
  EXPECT_EQ(e->exit_code, 5);
  EXPECT_EQ(read_file(s.log_path), "before\n");
}

TEST_F(ProcessRuntimeTest, DoubleForkedEscapeeIsKilledWithTheTask) {
  Runtime& rt = make();
  ASSERT_TRUE(rt.start(&rec_).ok());
  const std::string t = id("escape");
  const LaunchSpec s = spec(t, {"sh", "-c", "(setsid sleep 300 & echo $!); sleep 0.2; exit 0"});
  rt.launch(s);
  auto e = rec_.wait_exited(t);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "Completed");
  const int escapee = std::atoi(read_file(s.log_path).c_str());
  ASSERT_GT(escapee, 0) << read_file(s.log_path);
  EXPECT_TRUE(eventually([&] { return !alive(escapee); })) << "escapee " << escapee << " survived";
  EXPECT_TRUE(eventually([&] { return processes_with("EBB_TEST_MARKER=" + t).empty(); }));
}

TEST_F(ProcessRuntimeTest, LogIsRotatedAndCapped) {
  Runtime& rt = make();
  ASSERT_TRUE(rt.start(&rec_).ok());
  const std::string t = id("chatty");
  LaunchSpec s = spec(t, {"sh", "-c", "yes 0123456789abcdef | head -c 3145728"});
  s.log_max_bytes = 1 << 20;
  rt.launch(s);
  auto e = rec_.wait_exited(t, 30s);
  ASSERT_TRUE(e);
  ASSERT_EQ(e->reason, "Completed") << e->message;
  const std::string current = read_file(s.log_path), older = read_file(s.log_path + ".1");
  EXPECT_LE(current.size() + older.size(), size_t{1} << 20);
  EXPECT_GT(older.size(), 0u);
  const std::string marker = "[ebb: log rotated; earlier output in output.log.1]\n";
  EXPECT_EQ(current.substr(0, marker.size()), marker);
  EXPECT_FALSE(fs::exists(s.log_path + ".2"));
  // Output kept is the latest: the file ends where the task stopped writing.
  EXPECT_EQ(current.back(), (3145728 % 17 == 0) ? '\n' : "0123456789abcdef\n"[3145728 % 17 - 1]);
}

TEST_F(ProcessRuntimeTest, ANewRuntimeReadoptsLiveTasks) {
  Recorder rec_a;
  Runtime& a = make();
  ASSERT_TRUE(a.start(&rec_a).ok());
  const std::string t = id("adopt");
  a.launch(spec(t, {"sleep", "30"}));
  auto started = rec_a.wait_started(t);
  ASSERT_TRUE(started);
  const int launcher = launcher_pid();
  destroy(a);  // like ebbd dying: the socket closes, nothing is said

  Runtime& b = make();
  auto r = b.start(&rec_);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(launcher_pid(), launcher);
  ASSERT_EQ(r->live.size(), 1u);
  EXPECT_EQ(r->live[0].task_id, t);
  EXPECT_EQ(r->live[0].pid, started->pid);
  EXPECT_EQ(r->live[0].start_ticks, started->start_ticks);
  EXPECT_EQ(r->live[0].cgroup, started->cgroup);
  EXPECT_FALSE(r->live[0].stopping);
  EXPECT_TRUE(r->exited.empty());
  EXPECT_TRUE(alive(started->pid, started->start_ticks));
  b.stop(t, 500);
  auto e = rec_.wait_exited(t);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "Signaled");
  EXPECT_EQ(e->signal, SIGTERM);
  EXPECT_EQ(rec_a.exits_of(t), 0u);
}

TEST_F(ProcessRuntimeTest, ExitsWhileNoEbbdListenedAreReportedOnReconnect) {
  Recorder rec_a;
  Runtime& a = make();
  ASSERT_TRUE(a.start(&rec_a).ok());
  const LaunchSpec lasting = spec(id("lasting"), {"sleep", "30"});
  const LaunchSpec brief = spec(id("brief"), {"sh", "-c", "sleep 0.5; exit 4"});
  a.launch(lasting);
  a.launch(brief);
  ASSERT_TRUE(rec_a.wait_started(lasting.task_id));
  auto started = rec_a.wait_started(brief.task_id);
  ASSERT_TRUE(started);
  destroy(a);
  ASSERT_TRUE(eventually([&] { return !alive(started->pid, started->start_ticks); }));

  Runtime& b = make();
  auto r = b.start(&rec_);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->exited.size(), 1u);
  EXPECT_EQ(r->exited[0].task_id, brief.task_id);
  EXPECT_EQ(r->exited[0].exit_code, 4);
  EXPECT_EQ(r->exited[0].reason, "Error");
  ASSERT_EQ(r->live.size(), 1u);
  EXPECT_EQ(r->live[0].task_id, lasting.task_id);
  EXPECT_EQ(rec_a.exits_of(brief.task_id), 0u);
}

TEST_F(ProcessRuntimeTest, OrphanedLauncherStopsTasksAndExits) {
  Runtime& a = make(500);
  ASSERT_TRUE(a.start(&rec_).ok());
  const std::string t = id("orphan");
  a.launch(spec(t, {"sleep", "30"}));
  auto started = rec_.wait_started(t);
  ASSERT_TRUE(started);
  const int launcher = launcher_pid();
  ASSERT_GT(launcher, 0);
  destroy(a);
  EXPECT_TRUE(eventually([&] { return !alive(started->pid, started->start_ticks); }, 15s));
  EXPECT_TRUE(eventually([&] { return !alive(launcher); }, 15s));
  EXPECT_FALSE(fs::exists(run_dir_ + "/launcher.sock"));
}

TEST_F(ProcessRuntimeTest, ShutdownWithStopEndsTasksAndTheLauncher) {
  Runtime& rt = make();
  ASSERT_TRUE(rt.start(&rec_).ok());
  const std::string t = id("shutdown");
  rt.launch(spec(t, {"sleep", "30"}));
  ASSERT_TRUE(rec_.wait_started(t));
  const int launcher = launcher_pid();
  rt.shutdown(true);  // waits for the launcher to report and exit
  auto e = rec_.wait_exited(t, 1s);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "Signaled");
  EXPECT_TRUE(eventually([&] { return !alive(launcher); }));
  EXPECT_FALSE(rec_.wait_lost(std::chrono::seconds(0)));
  // After shutdown, launches fail instead of starting a launcher.
  const std::string t2 = id("late");
  rt.launch(spec(t2, {"true"}));
  auto e2 = rec_.wait_exited(t2);
  ASSERT_TRUE(e2);
  EXPECT_EQ(e2->reason, "LaunchFailed");
}

TEST_F(ProcessRuntimeTest, LauncherDeathReportsLostThenRecovers) {
  Runtime& rt = make();
  ASSERT_TRUE(rt.start(&rec_).ok());
  const std::string t = id("victim");
  // The background sleep is no direct child of the launcher: PDEATHSIG misses it.
  rt.launch(spec(t, {"sh", "-c", "sleep 300 & wait"}));
  auto started = rec_.wait_started(t);
  ASSERT_TRUE(started);
  const int launcher = launcher_pid();
  ASSERT_GT(launcher, 0);
  ASSERT_EQ(::kill(launcher, SIGKILL), 0);
  auto e = rec_.wait_exited(t);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "Lost");
  EXPECT_TRUE(rec_.wait_lost());
  // PR_SET_PDEATHSIG: the direct child dies with its launcher.
  EXPECT_TRUE(eventually([&] { return !alive(started->pid, started->start_ticks); }));
  // The next launch starts a new launcher.
  const std::string t2 = id("phoenix");
  rt.launch(spec(t2, {"true"}));
  auto e2 = rec_.wait_exited(t2);
  ASSERT_TRUE(e2);
  EXPECT_EQ(e2->reason, "Completed") << e2->message;
  EXPECT_NE(launcher_pid(), launcher);
  // The new launcher killed what the old one left behind, and removed its cgroup.
  EXPECT_TRUE(eventually([&] { return processes_with("EBB_TEST_MARKER=" + t).empty(); }));
  if (!started->cgroup.empty()) {
    EXPECT_TRUE(eventually([&] { return !fs::exists(started->cgroup); }));
  }
}

TEST_F(ProcessRuntimeTest, LongRunDirUsesProcSelfFd) {
  const std::string long_dir = dir_ + "/" + std::string(120, 'r');
  Runtime& rt = make(30'000, long_dir);
  auto r = rt.start(&rec_);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const std::string t = id("longpath");
  rt.launch(spec(t, {"true"}));
  auto e = rec_.wait_exited(t);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "Completed");
  struct stat st;
  ASSERT_EQ(::stat((long_dir + "/launcher.sock").c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(long_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(ProcessRuntimeTest, FileSizeLimitIsReported) {
  Runtime& rt = make();
  ASSERT_TRUE(rt.start(&rec_).ok());
  const std::string t = id("bigfile");
  LaunchSpec s = spec(t, {"dd", "if=/dev/zero", "of=big", "bs=65536", "count=64"});
  s.limits.fsize_bytes = 1 << 20;
  rt.launch(s);
  auto e = rec_.wait_exited(t);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "FileSizeLimit") << e->message;
  EXPECT_EQ(e->signal, SIGXFSZ);
  EXPECT_LE(fs::file_size(s.work_dir + "/big"), uintmax_t{1} << 20);
}

TEST_F(ProcessRuntimeTest, CapabilitiesAreConsistent) {
  Runtime& rt = make();
  const Capabilities c = rt.capabilities();
  EXPECT_EQ(c.runtime, "process");
  EXPECT_TRUE(c.cgroup == "v1" || c.cgroup == "v2" || c.cgroup == "none") << c.cgroup;
  if (c.cgroup == "none") {
    EXPECT_FALSE(c.memory_limit || c.pids_limit || c.cpu_limit);
  }
  if (!c.memory_limit) {
    EXPECT_FALSE(c.notes.empty());
  }
  std::string notes;
  for (const auto& n : c.notes) notes += "\n  " + n;
  std::printf("cgroup %s memory=%d pids=%d cpu=%d%s\n", c.cgroup.c_str(), c.memory_limit, c.pids_limit,
              c.cpu_limit, notes.c_str());
}

TEST_F(ProcessRuntimeTest, ForkBombIsContained) {
  Runtime& rt = make();
  if (!rt.capabilities().pids_limit)
    GTEST_SKIP() << "no writable pids cgroup (and RLIMIT_NPROC cannot contain a bomb run as root or "
                    "sharing a uid)";
  ASSERT_TRUE(rt.start(&rec_).ok());
  const std::string t = id("bomb");
  LaunchSpec s = spec(t, {"sh", "-c", "b(){ b | b & }; b; sleep 2; exit 1"});
  s.limits.pids_max = 16;
  rt.launch(s);
  auto started = rec_.wait_started(t);
  ASSERT_TRUE(started);
  // While it runs, the cgroup never holds more than the limit.
  for (int i = 0; i < 20; ++i) {
    const std::string procs = read_file(started->cgroup + "/cgroup.procs");
    EXPECT_LE(lines(procs).size(), 16u);
    std::this_thread::sleep_for(20ms);
  }
  auto e = rec_.wait_exited(t, 30s);
  ASSERT_TRUE(e);
  EXPECT_NE(e->reason, "Completed");
  EXPECT_TRUE(eventually([&] { return processes_with("EBB_TEST_MARKER=" + t).empty(); }));
}

TEST_F(ProcessRuntimeTest, MemoryHogIsOomKilled) {
  Runtime& rt = make();
  if (!rt.capabilities().memory_limit) GTEST_SKIP() << "no writable memory cgroup: memory limits not enforced";
  ASSERT_TRUE(rt.start(&rec_).ok());
  const std::string t = id("hog");
  LaunchSpec s = spec(t, {"python3", "-c", "b = bytearray(512 << 20)"});
  s.limits.memory_bytes = 64 << 20;
  rt.launch(s);
  auto e = rec_.wait_exited(t, 30s);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, "OOMKilled") << e->message << " (exit " << e->exit_code << ", signal " << e->signal << ")";
  EXPECT_LE(e->peak_rss_bytes, int64_t{80} << 20);
}

}  // namespace
}  // namespace ebb::runtime
