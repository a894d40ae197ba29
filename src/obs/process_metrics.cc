#include "obs/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "obs/prometheus_text.h"

#ifndef EBB_VERSION
#define EBB_VERSION "0.0.0"
#endif
#ifndef EBB_REVISION
#define EBB_REVISION "unknown"
#endif

namespace ebb::obs {
namespace {

std::string slurp(const char* path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Seconds since the epoch at boot (/proc/stat "btime").
double boot_time() {
  std::ifstream f("/proc/stat");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("btime ", 0) == 0) return std::stod(line.substr(6));
  return 0;
}

int count_fds() {
  DIR* d = ::opendir("/proc/self/fd");
  if (!d) return 0;
  int n = 0;
  while (dirent* e = ::readdir(d))
    if (e->d_name[0] != '.') ++n;
  ::closedir(d);
  return n - 1;  // the directory stream's own descriptor
}

}  // namespace

void render_process_metrics(std::string& out) {
  const std::string stat = slurp("/proc/self/stat");
  // Fields after the command name, which is in parentheses and may hold spaces.
  auto close = stat.rfind(')');
  if (close == std::string::npos) return;
  std::istringstream in(stat.substr(close + 2));
  std::vector<std::string> f;
  for (std::string w; in >> w;) f.push_back(w);
  // f[0] is field 3 (state): utime=14, stime=15, starttime=22, vsize=23, rss=24.
  auto field = [&](int n) -> double { return n - 3 < int(f.size()) ? std::stod(f[n - 3]) : 0.0; };
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  family(out, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
  sample(out, "process_cpu_seconds_total", {}, (field(14) + field(15)) / ticks);
  family(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  sample(out, "process_resident_memory_bytes", {}, field(24) * page);
  family(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
  sample(out, "process_virtual_memory_bytes", {}, field(23));
  family(out, "process_open_fds", "gauge", "Number of open file descriptors.");
  sample(out, "process_open_fds", {}, count_fds());
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    family(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.");
    sample(out, "process_max_fds", {}, rl.rlim_cur == RLIM_INFINITY ? -1.0 : double(rl.rlim_cur));
  }
  family(out, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
  sample(out, "process_start_time_seconds", {}, boot_time() + field(22) / ticks);
}

void render_build_info(std::string& out) {
  family(out, "ebb_build_info", "gauge", "Always 1; the labels carry the version and the source revision.");
  sample(out, "ebb_build_info", {{"version", EBB_VERSION}, {"revision", EBB_REVISION}}, 1);
}

}  // namespace ebb::obs
