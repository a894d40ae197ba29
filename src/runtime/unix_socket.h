// The launcher's rendezvous: a private run directory holding launcher.sock (plus its
// lock, pid and log files), shared by ProcessRuntime (connects) and ebb-launcher
// (binds). Paths longer than sun_path are reached through /proc/self/fd/<dirfd>/.
#pragma once
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <string>
#include <string_view>

#include "base/result.h"

namespace ebb::runtime {

inline constexpr const char* kSocketName = "launcher.sock";
inline constexpr const char* kLockName = "launcher.lock";   // flock: one launcher per run dir
inline constexpr const char* kPidName = "launcher.pid";
inline constexpr const char* kLauncherLog = "launcher.log";

// mkdir -p with `mode` for the directories it creates.
[[nodiscard]] Status make_dirs(const std::string& path, mode_t mode);

// Creates `dir` (0700) if missing, then insists it is a real directory owned by the
// effective uid; group/other permission bits are removed. Invalid otherwise.
[[nodiscard]] Status ensure_private_dir(const std::string& dir);

// open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC); the caller closes it.
[[nodiscard]] Result<int> open_dir_path(const std::string& dir);

struct SocketAddress {
  sockaddr_un addr{};
  socklen_t len = 0;
};
// The address of <dir>/<name>: the plain path when it fits sun_path, else
// "/proc/self/fd/<dir_fd>/<name>" (dir_fd must stay open while the address is used).
[[nodiscard]] Result<SocketAddress> socket_address(const std::string& dir, int dir_fd, const std::string& name);

// Uid of the process at the other end of a connected Unix socket, -1 on error.
int peer_uid(int fd);

// Writes all of data (send with MSG_NOSIGNAL on sockets, write otherwise); retries on
// EINTR; false on any other error.
bool write_all(int fd, std::string_view data);

}  // namespace ebb::runtime
