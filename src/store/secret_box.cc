#include "store/secret_box.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <cstdlib>
#include <memory>
#include <optional>

#include <openssl/evp.h>

#include "base/crypto.h"

namespace ebb {
namespace {

constexpr size_t kKeyBytes = 32, kNonceBytes = 12, kTagBytes = 16;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

std::optional<std::string> hex_decode(std::string_view text) {
  if (text.size() % 2) return std::nullopt;
  std::string out;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = nib(text[i]), lo = nib(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(char(hi * 16 + lo));
  }
  return out;
}

}  // namespace

Result<SecretBox> SecretBox::from_key(std::string_view key) {
  if (key.size() != kKeyBytes) return err(Code::Invalid, "secret key: must be 32 bytes");
  return SecretBox(std::string(key));
}

Result<SecretBox> SecretBox::load_or_create(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno != ENOENT) return err(Code::Invalid, "cannot open " + path + ": " + std::strerror(errno));
  if (fd < 0) {
    std::string key = random_bytes(kKeyBytes);
    std::string text = hex_encode(key) + "\n";
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    int w = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (w < 0) return err(Code::Invalid, "cannot create " + tmp + ": " + std::strerror(errno));
    bool ok = ::fchmod(w, 0600) == 0 && ::write(w, text.data(), text.size()) == ssize_t(text.size()) && ::fsync(w) == 0;
    ok = ::close(w) == 0 && ok;
    // link() rather than rename(): two servers starting at once never replace a key
    // that the other has already used.
    if (!ok || (::link(tmp.c_str(), path.c_str()) != 0 && errno != EEXIST)) {
      int e = errno;
      ::unlink(tmp.c_str());
      return err(Code::Invalid, "cannot write " + path + ": " + std::strerror(e));
    }
    ::unlink(tmp.c_str());
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return err(Code::Invalid, "cannot open " + path + ": " + std::strerror(errno));
  }
  struct stat sb{};
  if (::fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    ::close(fd);
    return err(Code::Invalid, path + " is not a regular file");
  }
  if (sb.st_mode & 077) {
    ::close(fd);
    return err(Code::Invalid, path + " is accessible by group or others; run: chmod 600 " + path);
  }
  char buf[130];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  std::string_view text(buf, n > 0 ? size_t(n) : 0);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  auto key = text.size() == 2 * kKeyBytes ? hex_decode(text) : std::nullopt;
  if (!key) return err(Code::Invalid, path + ": not a secret key file (64 hex characters expected)");
  return SecretBox(std::move(*key));
}

std::string SecretBox::seal(std::string_view plaintext, std::string_view context) const {
  const std::string nonce = random_bytes(kNonceBytes);
  std::string out = nonce;
  out.resize(kNonceBytes + plaintext.size() + kTagBytes);
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0, total = 0;
  auto* buf = reinterpret_cast<unsigned char*>(out.data()) + kNonceBytes;
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, int(kNonceBytes), nullptr) == 1 &&
            EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, reinterpret_cast<const unsigned char*>(key_.data()),
                               reinterpret_cast<const unsigned char*>(nonce.data())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(context.data()),
                              int(context.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), buf, &len, reinterpret_cast<const unsigned char*>(plaintext.data()),
                              int(plaintext.size())) == 1;
  total = len;
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), buf + total, &len) == 1;
  total += len;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, int(kTagBytes), buf + total) == 1;
  if (!ok) std::abort();  // OpenSSL cannot fail here short of memory exhaustion
  return base64_encode(out);
}

Result<std::string> SecretBox::open(std::string_view sealed, std::string_view context) const {
  auto raw = base64_decode(sealed);
  if (!raw || raw->size() < kNonceBytes + kTagBytes) return err(Code::Invalid, "sealed value is malformed");
  const size_t n = raw->size() - kNonceBytes - kTagBytes;
  auto* p = reinterpret_cast<unsigned char*>(raw->data());
  std::string out(n, '\0');
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, int(kNonceBytes), nullptr) == 1 &&
            EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, reinterpret_cast<const unsigned char*>(key_.data()), p) == 1 &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(context.data()),
                              int(context.size())) == 1 &&
            EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, p + kNonceBytes, int(n)) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, int(kTagBytes), p + kNonceBytes + n) == 1;
  int fin = 0;
  ok = ok && EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &fin) == 1;
  if (!ok) return err(Code::Invalid, "sealed value does not open with this key (altered, or sealed with another key file)");
  return out;
}

}  // namespace ebb
