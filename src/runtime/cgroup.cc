// Cgroup detection and per-task cgroups (see cgroup.h).
#include "runtime/cgroup.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <set>
#include <sstream>

namespace ebb::runtime {
namespace {

constexpr int64_t kDefaultMemory = int64_t{1} << 30;
constexpr int64_t kDefaultPids = 256;
constexpr int64_t kCpuPeriodUs = 100'000;

struct Mount {
  std::string root;         // path inside the hierarchy that is mounted
  std::string point;        // where it is mounted
  std::string fstype;       // "cgroup" | "cgroup2"
  std::vector<std::string> options;  // super options (v1: controller names among them)
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  return out;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      const std::string oct = s.substr(i + 1, 3);
      if (oct.size() == 3 && oct.find_first_not_of("01234567") == std::string::npos) {
        out.push_back(static_cast<char>(std::stoi(oct, nullptr, 8)));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::vector<Mount> cgroup_mounts() {
  std::vector<Mount> mounts;
  std::string text;
  if (!read_small_file("/proc/self/mountinfo", text)) return mounts;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::vector<std::string> pre, post;
    std::istringstream a(line.substr(0, dash)), b(line.substr(dash + 3));
    for (std::string f; a >> f;) pre.push_back(f);
    for (std::string f; b >> f;) post.push_back(f);
    if (pre.size() < 5 || post.size() < 3) continue;
    if (post[0] != "cgroup" && post[0] != "cgroup2") continue;
    mounts.push_back(Mount{unescape(pre[3]), unescape(pre[4]), post[0], split(post[2], ',')});
  }
  return mounts;
}

// Lines of /proc/self/cgroup: "hierarchy-id:controller,list:/path".
struct OwnCgroup {
  std::vector<std::string> controllers;
  std::string path;
};
std::vector<OwnCgroup> own_cgroups() {
  std::vector<OwnCgroup> out;
  std::string text;
  if (!read_small_file("/proc/self/cgroup", text)) return out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t a = line.find(':');
    const size_t b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    out.push_back(OwnCgroup{split(line.substr(a + 1, b - a - 1), ','), line.substr(b + 1)});
  }
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  for (const auto& x : v)
    if (x == s) return true;
  return false;
}

bool is_dir(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool make_dir(const std::string& p) { return ::mkdir(p.c_str(), 0755) == 0 || errno == EEXIST; }

// The directory of our own cgroup in a mount: the mount shows the hierarchy from
// `root` down (a container usually sees its own cgroup as "/").
std::string own_dir(const Mount& m, const std::string& own_path) {
  std::string rel = own_path;
  if (m.root != "/" && rel.compare(0, m.root.size(), m.root) == 0) rel = rel.substr(m.root.size());
  std::string dir = m.point + (rel == "/" ? "" : rel);
  return is_dir(dir) ? dir : m.point;
}

// Creates and removes a probe cgroup under parent; true when `file` was writable in it.
bool probe(const std::string& parent, const std::string& file) {
  static std::atomic<int> counter{0};  // several runtimes of one process may probe at once
  const std::string dir = parent + "/_probe-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
  if (::mkdir(dir.c_str(), 0755) != 0) return false;
  const bool ok = ::access((dir + "/" + file).c_str(), W_OK) == 0;
  ::rmdir(dir.c_str());
  return ok;
}

void detect_v1(const std::vector<Mount>& mounts, CgroupSetup& s) {
  const auto own = own_cgroups();
  struct Ctl {
    const char* name;
    const char* file;
    std::string* parent;
    bool* flag;
  };
  Ctl ctls[] = {{"memory", "memory.limit_in_bytes", &s.memory_parent, &s.memory},
                {"pids", "pids.max", &s.pids_parent, &s.pids},
                {"cpu", "cpu.cfs_quota_us", &s.cpu_parent, &s.cpu}};
  for (Ctl& c : ctls) {
    const Mount* m = nullptr;
    for (const auto& mt : mounts)
      if (mt.fstype == "cgroup" && contains(mt.options, c.name)) m = &mt;
    if (!m) {
      s.notes.push_back(std::string("no ") + c.name + " cgroup hierarchy is mounted");
      continue;
    }
    std::string own_path = "/";
    for (const auto& o : own)
      if (contains(o.controllers, c.name)) own_path = o.path;
    const std::string parent = own_dir(*m, own_path) + "/ebb";
    if (!make_dir(parent) || !probe(parent, c.file)) {
      s.notes.push_back(std::string("the ") + c.name + " cgroup hierarchy is not writable (" + parent + ")");
      continue;
    }
    *c.parent = parent;
    *c.flag = true;
  }
}

void detect_v2(const Mount& m, CgroupSetup& s) {
  std::string own_path = "/";
  for (const auto& o : own_cgroups())
    if (o.controllers.empty() || (o.controllers.size() == 1 && o.controllers[0].empty())) own_path = o.path;
  const std::string own = own_dir(m, own_path);
  const std::string parent = own + "/ebb";
  if (!make_dir(parent) || !probe(parent, "cgroup.procs")) {
    s.notes.push_back("the cgroup v2 hierarchy is not writable (" + parent + ")");
    return;
  }
  s.version = "v2";
  s.v2_parent = parent;
  // Controllers must be enabled in every ancestor's subtree_control. Enabling them in
  // our own cgroup fails while it holds processes (no-internal-process rule) unless a
  // service manager delegated it that way already; then the cgroups still track and
  // kill, but do not limit.
  std::string available;
  read_small_file(own + "/cgroup.controllers", available);
  for (const char* ctl : {"memory", "pids", "cpu"}) {
    if (available.find(ctl) == std::string::npos) continue;
    write_small_file(own + "/cgroup.subtree_control", std::string("+") + ctl);
    write_small_file(parent + "/cgroup.subtree_control", std::string("+") + ctl);
  }
  s.memory = probe(parent, "memory.max");
  s.pids = probe(parent, "pids.max");
  s.cpu = probe(parent, "cpu.max");
  if (!s.memory || !s.pids || !s.cpu)
    s.notes.push_back("cgroup v2: some controllers cannot be enabled under " + own +
                      " (it holds processes, or they are not delegated)");
}

Status write_limit(const std::string& dir, const std::string& file, const std::string& value) {
  if (write_small_file(dir + "/" + file, value)) return {};
  return Error{Code::Invalid, "cannot write " + value + " to " + dir + "/" + file + ": " + std::strerror(errno)};
}

Status write_v1_limits(const CgroupSetup& s, const std::string& id, const ResourceLimits& l) {
  if (s.memory) {
    const std::string dir = s.memory_parent + "/" + id;
    const int64_t mem = l.memory_bytes > 0 ? l.memory_bytes : kDefaultMemory;
    EBB_CHECK(write_limit(dir, "memory.limit_in_bytes", std::to_string(mem)));
    // Swap 0: memsw = memory. Absent when swap accounting is off (then swap is not
    // charged at all); a failure there is not fatal.
    write_small_file(dir + "/memory.memsw.limit_in_bytes", std::to_string(mem));
  }
  if (s.pids) {
    const int64_t pids = l.pids_max > 0 ? l.pids_max : kDefaultPids;
    EBB_CHECK(write_limit(s.pids_parent + "/" + id, "pids.max", std::to_string(pids)));
  }
  if (s.cpu && l.cpu_millis > 0) {
    const std::string dir = s.cpu_parent + "/" + id;
    EBB_CHECK(write_limit(dir, "cpu.cfs_period_us", std::to_string(kCpuPeriodUs)));
    EBB_CHECK(write_limit(dir, "cpu.cfs_quota_us", std::to_string(l.cpu_millis * kCpuPeriodUs / 1000)));
  }
  return {};
}

Status write_v2_limits(const CgroupSetup& s, const std::string& dir, const ResourceLimits& l) {
  if (s.memory) {
    const int64_t mem = l.memory_bytes > 0 ? l.memory_bytes : kDefaultMemory;
    EBB_CHECK(write_limit(dir, "memory.max", std::to_string(mem)));
    if (::access((dir + "/memory.swap.max").c_str(), F_OK) == 0)
      EBB_CHECK(write_limit(dir, "memory.swap.max", "0"));
  }
  if (s.pids) EBB_CHECK(write_limit(dir, "pids.max", std::to_string(l.pids_max > 0 ? l.pids_max : kDefaultPids)));
  if (s.cpu && l.cpu_millis > 0)
    EBB_CHECK(write_limit(dir, "cpu.max", std::to_string(l.cpu_millis * kCpuPeriodUs / 1000) + " " +
                                              std::to_string(kCpuPeriodUs)));
  return {};
}

// mkdir; an existing empty cgroup (left by a crash) is replaced, a busy one is not.
Status make_task_dir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) == 0) return {};
  if (errno == EEXIST && ::rmdir(dir.c_str()) == 0 && ::mkdir(dir.c_str(), 0755) == 0) return {};
  if (errno == EBUSY || errno == EEXIST)
    return Error{Code::Conflict, "cgroup " + dir + " already exists and holds processes"};
  return Error{Code::Invalid, "cannot create cgroup " + dir + ": " + std::strerror(errno)};
}

int64_t read_key(const std::string& path, const std::string& key, bool& found) {
  found = false;
  std::string text;
  if (!read_small_file(path, text)) return 0;
  std::istringstream in(text);
  std::string k;
  int64_t v = 0;
  while (in >> k >> v) {
    if (k == key) {
      found = true;
      return v;
    }
  }
  return 0;
}

int64_t read_number(const std::string& path) {
  std::string text;
  if (!read_small_file(path, text)) return 0;
  try {
    return std::stoll(text);
  } catch (...) {
    return 0;
  }
}

void sleep_ms(int ms) {
  struct timespec ts{0, ms * 1'000'000L};
  ::nanosleep(&ts, nullptr);
}

}  // namespace

bool read_small_file(const std::string& path, std::string& out) {
  out.clear();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || out.size() > (4u << 20)) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

bool write_small_file(const std::string& path, const std::string& value) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const ssize_t n = ::write(fd, value.data(), value.size());
  const int saved = errno;
  ::close(fd);
  errno = saved;
  return n == static_cast<ssize_t>(value.size());
}

CgroupSetup detect_cgroups() {
  CgroupSetup s;
  const auto mounts = cgroup_mounts();
  bool any_v1 = false;
  const Mount* v2 = nullptr;
  for (const auto& m : mounts) {
    if (m.fstype == "cgroup" &&
        (contains(m.options, "memory") || contains(m.options, "pids") || contains(m.options, "cpu")))
      any_v1 = true;
    if (m.fstype == "cgroup2" && (!v2 || m.point == "/sys/fs/cgroup")) v2 = &m;
  }
  if (any_v1) {
    detect_v1(mounts, s);
    if (s.memory || s.pids || s.cpu) {
      s.version = "v1";
      return s;
    }
    s.notes.clear();
  }
  if (v2) {
    detect_v2(*v2, s);
    if (s.version == "v2") return s;
  }
  s = CgroupSetup{};
  s.notes.push_back("no writable cgroup hierarchy: memory, pids and cpu limits are not enforced "
                    "(rlimits only; escaped descendants are found by a procfs walk)");
  return s;
}

Capabilities capabilities_of(const CgroupSetup& s) {
  Capabilities c;
  c.cgroup = s.version;
  c.memory_limit = s.memory;
  c.pids_limit = s.pids;
  c.cpu_limit = s.cpu;
  c.rlimits = true;
  c.notes = s.notes;
  if (!s.memory) c.notes.push_back("memory limit not enforced: no writable memory cgroup (RLIMIT_AS 4 GiB instead)");
  if (!s.pids) c.notes.push_back("pids limit enforced by RLIMIT_NPROC only: no writable pids cgroup");
  if (!s.cpu) c.notes.push_back("cpu limit not enforced: no writable cpu cgroup");
  if (::geteuid() == 0 && !s.pids)
    c.notes.push_back("RLIMIT_NPROC counts the processes of all tasks that share a task user together");
  return c;
}

Result<TaskCgroup> create_task_cgroup(const CgroupSetup& s, const std::string& id, const ResourceLimits& l) {
  TaskCgroup cg;
  if (s.version == "v2") {
    cg.v2 = true;
    const std::string dir = s.v2_parent + "/" + id;
    EBB_CHECK(make_task_dir(dir));
    cg.dirs.push_back(dir);
    cg.path = dir;
    if (s.memory) cg.memory_dir = dir;
    Status st = write_v2_limits(s, dir, l);
    if (!st) {
      remove_task_cgroup(cg);
      return st.error();
    }
    return cg;
  }
  if (s.version != "v1") return cg;
  for (const std::string* parent : {&s.pids_parent, &s.memory_parent, &s.cpu_parent}) {
    if (parent->empty()) continue;
    // A cpu cgroup without a CPU limit would only track membership, which the pids
    // or memory one already does: one mkdir, join and rmdir fewer per task.
    if (parent == &s.cpu_parent && l.cpu_millis <= 0 && !cg.dirs.empty()) continue;
    const std::string dir = *parent + "/" + id;
    Status st = make_task_dir(dir);
    if (!st) {
      remove_task_cgroup(cg);
      return st.error();
    }
    cg.dirs.push_back(dir);
    if (parent == &s.memory_parent) cg.memory_dir = dir;
  }
  cg.path = cg.dirs.empty() ? "" : cg.dirs.front();
  Status st = write_v1_limits(s, id, l);
  if (!st) {
    remove_task_cgroup(cg);
    return st.error();
  }
  return cg;
}

Result<std::vector<int>> open_join_fds(const TaskCgroup& cg) {
  std::vector<int> fds;
  for (const auto& dir : cg.dirs) {
    const int fd = ::open((dir + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      const std::string why = std::strerror(errno);
      for (int f : fds) ::close(f);
      return Error{Code::Invalid, "cannot open " + dir + "/cgroup.procs: " + why};
    }
    fds.push_back(fd);
  }
  return fds;
}

std::vector<int> cgroup_pids(const TaskCgroup& cg) {
  std::set<int> pids;
  for (const auto& dir : cg.dirs) {
    std::string text;
    if (!read_small_file(dir + "/cgroup.procs", text)) continue;
    std::istringstream in(text);
    for (int pid; in >> pid;)
      if (pid > 0) pids.insert(pid);
  }
  return {pids.begin(), pids.end()};
}

void signal_cgroup(const TaskCgroup& cg, int sig) {
  if (cg.empty()) return;
  if (sig != SIGKILL) {
    for (int pid : cgroup_pids(cg)) ::kill(pid, sig);
    return;
  }
  if (cg.v2) write_small_file(cg.dirs.front() + "/cgroup.kill", "1");
  // A killed process can no longer fork, so each round leaves fewer; dying processes
  // stay listed for a moment, hence the short pauses.
  for (int round = 0; round < 100; ++round) {
    const auto pids = cgroup_pids(cg);
    if (pids.empty()) return;
    for (int pid : pids) ::kill(pid, SIGKILL);
    if (round > 0) sleep_ms(2);
  }
}

bool cgroup_oom_killed(const TaskCgroup& cg, bool leader_sigkilled) {
  if (cg.memory_dir.empty()) return false;
  bool found = false;
  if (cg.v2) return read_key(cg.memory_dir + "/memory.events", "oom_kill", found) > 0;
  const std::string ctl = cg.memory_dir + "/memory.oom_control";
  const int64_t kills = read_key(ctl, "oom_kill", found);
  if (found) return kills > 0 || read_key(ctl, "under_oom", found) > 0;
  if (read_key(ctl, "under_oom", found) > 0) return true;
  return leader_sigkilled && read_number(cg.memory_dir + "/memory.failcnt") > 0;
}

int64_t cgroup_peak_memory(const TaskCgroup& cg) {
  if (cg.memory_dir.empty()) return 0;
  return read_number(cg.memory_dir + (cg.v2 ? "/memory.peak" : "/memory.max_usage_in_bytes"));
}

bool remove_task_cgroup(const TaskCgroup& cg) {
  bool all = true;
  for (const auto& dir : cg.dirs)
    if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) all = false;
  return all;
}

}  // namespace ebb::runtime
