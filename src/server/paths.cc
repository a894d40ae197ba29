#include "server/paths.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace ebb::server {

std::optional<std::string> process_env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

Result<std::string> default_data_dir(const EnvLookup& env) {
  if (auto d = env("EBB_DATA_DIR")) return *d;
  if (auto d = env("STATE_DIRECTORY")) return d->substr(0, d->find(':'));
  if (auto d = env("XDG_DATA_HOME"); d && d->front() == '/') return *d + "/ebb";  // XDG: relative paths are invalid
  if (auto h = env("HOME")) return *h + "/.local/share/ebb";
  return err(Code::Invalid, "cannot choose a data directory: set --data-dir or EBB_DATA_DIR");
}

Status ensure_private_dir(const std::string& path) {
  if (path.empty()) return err(Code::Invalid, "empty data directory");
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    std::string part = path.substr(0, pos);
    if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST)
      return err(Code::Invalid, "cannot create " + part + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return err(Code::Invalid, path + " is not a directory");
  // reliability.md §4.4: the data directory holds keys and messages; others must not
  // be able to plant or swap files in it.
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return err(Code::Invalid, path + " is group- or world-writable; run: chmod 700 " + path);
  if (st.st_uid != ::geteuid()) return err(Code::Invalid, path + " is owned by another user");
  return {};
}

Status write_file_atomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return err(Code::Invalid, "cannot write " + tmp + ": " + std::strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return err(Code::Invalid, "cannot write " + path + ": " + std::strerror(errno));
  }
  return {};
}

}  // namespace ebb::server
