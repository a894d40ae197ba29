// Run directory and socket address helpers (see unix_socket.h).
#include "runtime/unix_socket.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ebb::runtime {

Status make_dirs(const std::string& path, mode_t mode) {
  if (path.empty() || path[0] != '/') return Error{Code::Invalid, "not an absolute path: " + path};
  // The common case first: the parent exists (one mkdir, not one per component).
  if (::mkdir(path.c_str(), mode) == 0 || errno == EEXIST) return {};
  if (errno != ENOENT) return Error{Code::Invalid, "cannot create " + path + ": " + std::strerror(errno)};
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    const std::string part = path.substr(0, pos);
    if (::mkdir(part.c_str(), mode) != 0 && errno != EEXIST)
      return Error{Code::Invalid, "cannot create " + part + ": " + std::strerror(errno)};
  }
  return {};
}

Status ensure_private_dir(const std::string& dir) {
  EBB_CHECK(make_dirs(dir, 0700));
  struct stat st;
  if (::lstat(dir.c_str(), &st) != 0) return Error{Code::Invalid, "cannot stat " + dir + ": " + std::strerror(errno)};
  if (!S_ISDIR(st.st_mode)) return Error{Code::Invalid, dir + " is not a directory"};
  if (st.st_uid != ::geteuid()) return Error{Code::Invalid, dir + " is not owned by uid " + std::to_string(::geteuid())};
  if ((st.st_mode & 077) != 0 && ::chmod(dir.c_str(), 0700) != 0)
    return Error{Code::Invalid, "cannot make " + dir + " private: " + std::strerror(errno)};
  return {};
}

Result<int> open_dir_path(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error{Code::Invalid, "cannot open " + dir + ": " + std::strerror(errno)};
  return fd;
}

Result<SocketAddress> socket_address(const std::string& dir, int dir_fd, const std::string& name) {
  SocketAddress a;
  a.addr.sun_family = AF_UNIX;
  std::string path = dir + "/" + name;
  if (path.size() >= sizeof a.addr.sun_path) path = "/proc/self/fd/" + std::to_string(dir_fd) + "/" + name;
  if (path.size() >= sizeof a.addr.sun_path) return Error{Code::Invalid, "socket name too long"};
  std::memcpy(a.addr.sun_path, path.c_str(), path.size() + 1);
  a.len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  return a;
}

int peer_uid(int fd) {
  struct ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return -1;
  return static_cast<int>(cred.uid);
}

bool write_all(int fd, std::string_view data) {
  bool is_socket = true;
  while (!data.empty()) {
    ssize_t n = is_socket ? ::send(fd, data.data(), data.size(), MSG_NOSIGNAL) : ::write(fd, data.data(), data.size());
    if (n < 0 && is_socket && errno == ENOTSOCK) {
      is_socket = false;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace ebb::runtime
