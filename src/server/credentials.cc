#include "server/credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/crypto.h"
#include "server/access_keys.h"

namespace ebb::server {
namespace {

std::string random_from(std::string_view alphabet, size_t n) {
  // Rejection sampling keeps every character equally likely.
  std::string out;
  const size_t limit = 256 - 256 % alphabet.size();
  while (out.size() < n) {
    for (unsigned char b : random_bytes(n * 2)) {
      if (b >= limit) continue;
      out += alphabet[b % alphabet.size()];
      if (out.size() == n) break;
    }
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

AccessKey new_admin_key() {
  return {"EBB" + random_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 17),
          random_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40)};
}

std::string render_credentials_file(const AccessKey& key) {
  return "# ebb admin credentials, created by ebbd on first start. Keep this file secret (mode 0600).\n"
         "# Use it with any AWS SDK or CLI: AWS_SHARED_CREDENTIALS_FILE=<this file>.\n"
         "[default]\n"
         "aws_access_key_id = " + key.access_key_id + "\n"
         "aws_secret_access_key = " + key.secret + "\n";
}

Result<AccessKey> parse_credentials_file(std::string_view text) {
  AccessKey k;
  std::string section;
  int line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') return err(Code::Invalid, "line " + std::to_string(line_no) + ": unterminated section");
      section = std::string(trim(line.substr(1, line.size() - 2)));
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos)
      return err(Code::Invalid, "line " + std::to_string(line_no) + ": expected 'name = value'");
    if (section != "default") continue;
    std::string_view name = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    if (name == "aws_access_key_id") k.access_key_id = std::string(value);
    if (name == "aws_secret_access_key") k.secret = std::string(value);
  }
  if (k.access_key_id.empty() || k.secret.empty())
    return err(Code::Invalid, "no [default] profile with aws_access_key_id and aws_secret_access_key");
  return k;
}

Result<AdminCredentials> load_or_create_admin_credentials(const std::string& data_dir) {
  AdminCredentials out;
  out.path = data_dir + "/" + std::string(kCredentialsFileName);
  int fd = ::open(out.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno != ENOENT)
    return err(Code::Invalid, "cannot open " + out.path + ": " + std::strerror(errno));
  if (fd < 0) {
    out.key = new_admin_key();
    out.created = true;
    // Created 0600 from the start (never briefly readable), fsynced, then renamed into place.
    std::string tmp = out.path + ".tmp." + std::to_string(::getpid());
    std::string text = render_credentials_file(out.key);
    int w = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (w < 0) return err(Code::Invalid, "cannot create " + tmp + ": " + std::strerror(errno));
    bool ok = ::fchmod(w, 0600) == 0 && ::write(w, text.data(), text.size()) == ssize_t(text.size()) && ::fsync(w) == 0;
    ok = ::close(w) == 0 && ok;
    if (!ok || ::rename(tmp.c_str(), out.path.c_str()) != 0) {
      int e = errno;
      ::unlink(tmp.c_str());
      return err(Code::Invalid, "cannot write " + out.path + ": " + std::strerror(e));
    }
    return out;
  }
  struct stat sb{};
  if (::fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    ::close(fd);
    return err(Code::Invalid, out.path + " is not a regular file");
  }
  if (sb.st_mode & 077) {
    ::close(fd);
    return err(Code::Invalid, out.path + " is accessible by group or others; run: chmod 600 " + out.path);
  }
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0 && text.size() < 65536) text.append(buf, size_t(n));
  ::close(fd);
  auto key = parse_credentials_file(text);
  if (!key.ok()) return err(Code::Invalid, out.path + ": " + key.error().message);
  out.key = std::move(*key);
  return out;
}

void KeyRing::add_key(AccessKey key) {
  std::lock_guard lk(mu_);
  keys_.push_back(std::move(key));
}

void KeyRing::add_provider(Provider p) {
  std::lock_guard lk(mu_);
  providers_.push_back(std::move(p));
}

std::optional<std::string> KeyRing::secret_of(std::string_view id) const {
  std::vector<Provider> providers;
  {
    std::lock_guard lk(mu_);
    for (const AccessKey& k : keys_)
      if (k.access_key_id == id) return k.secret;
    providers = providers_;
  }
  if (access_keys_)
    if (auto s = access_keys_->secret_of(id)) return s;
  std::string key(id);
  for (const Provider& p : providers)
    if (auto s = p(key)) return s;
  return std::nullopt;
}

std::optional<std::shared_ptr<const sqs::KeyPolicy>> KeyRing::policy_of(std::string_view id) const {
  using Policy = std::shared_ptr<const sqs::KeyPolicy>;
  {
    std::lock_guard lk(mu_);
    for (const AccessKey& k : keys_)
      if (k.access_key_id == id) return Policy{};
  }
  if (access_keys_)
    if (Policy p = access_keys_->policy_of(id)) return p;
  std::vector<Provider> providers;
  {
    std::lock_guard lk(mu_);
    providers = providers_;
  }
  std::string key(id);
  for (const Provider& p : providers)
    if (p(key)) return Policy{};  // per-task keys: every SQS action (docs/security.md)
  return std::nullopt;
}

bool KeyRing::is_admin(std::string_view id) const {
  std::lock_guard lk(mu_);
  for (const AccessKey& k : keys_)
    if (k.access_key_id == id) return true;
  return false;
}

}  // namespace ebb::server
