#include "base/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace ebb {

std::string hex_encode(std::string_view d) {
  static const char* k = "0123456789abcdef";
  std::string out(d.size() * 2, '0');
  for (size_t i = 0; i < d.size(); ++i) {
    auto c = static_cast<unsigned char>(d[i]);
    out[2 * i] = k[c >> 4];
    out[2 * i + 1] = k[c & 15];
  }
  return out;
}

std::string md5_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_md5(), nullptr);
  return hex_encode({reinterpret_cast<char*>(md), n});
}

std::string sha256_raw(std::string_view data) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
  return std::string(reinterpret_cast<char*>(md), sizeof md);
}

std::string sha256_hex(std::string_view data) { return hex_encode(sha256_raw(data)); }

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), md, &n);
  return std::string(reinterpret_cast<char*>(md), n);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_bytes(size_t n) {
  std::string s(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(s.data()), int(n)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return s;
}

namespace {
// Message ids are drawn at up to ~100k/s: one RAND_bytes call (a lock and a getpid
// inside OpenSSL) per id cost 16% of the send path. Draw 4 KiB at a time per thread;
// the bytes are the same CSPRNG output, only fetched in bulk. (ebbd never forks —
// tasks are started by a separate launcher — so a pool is never shared by two processes.)
void fill_random(unsigned char* out, size_t n) {
  thread_local unsigned char pool[4096];
  thread_local size_t left = 0;
  while (n > 0) {
    if (left == 0) {
      if (RAND_bytes(pool, sizeof pool) != 1) throw std::runtime_error("RAND_bytes failed");
      left = sizeof pool;
    }
    size_t k = std::min(n, left);
    std::memcpy(out, pool + (sizeof pool - left), k);
    std::memset(pool + (sizeof pool - left), 0, k);
    left -= k;
    out += k;
    n -= k;
  }
}
}  // namespace

std::string uuid_v4() {
  std::string b(16, '\0');
  fill_random(reinterpret_cast<unsigned char*>(b.data()), b.size());
  b[6] = char((b[6] & 0x0f) | 0x40);
  b[8] = char((b[8] & 0x3f) | 0x80);
  std::string h = hex_encode(b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

namespace {
const char* kStd = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const char* kUrl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(std::string_view d, const char* alpha, bool pad) {
  std::string out;
  out.reserve((d.size() + 2) / 3 * 4);
  size_t i = 0;
  auto u = [&](size_t k) { return static_cast<unsigned char>(d[k]); };
  for (; i + 2 < d.size(); i += 3) {
    uint32_t v = (u(i) << 16) | (u(i + 1) << 8) | u(i + 2);
    out += alpha[v >> 18]; out += alpha[(v >> 12) & 63]; out += alpha[(v >> 6) & 63]; out += alpha[v & 63];
  }
  if (i + 1 == d.size()) {
    uint32_t v = u(i) << 16;
    out += alpha[v >> 18]; out += alpha[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (i + 2 == d.size()) {
    uint32_t v = (u(i) << 16) | (u(i + 1) << 8);
    out += alpha[v >> 18]; out += alpha[(v >> 12) & 63]; out += alpha[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

std::optional<std::string> decode(std::string_view t, bool url) {
  int8_t map[256];
  for (auto& m : map) m = -1;
  const char* alpha = url ? kUrl : kStd;
  for (int i = 0; i < 64; ++i) map[static_cast<unsigned char>(alpha[i])] = int8_t(i);
  size_t n = t.size();
  if (!url) {
    if (n % 4 != 0) return std::nullopt;
    if (n && t[n - 1] == '=') --n;
    if (n && t[n - 1] == '=') --n;
  }
  if (n % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(n * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    int8_t v = map[static_cast<unsigned char>(t[i])];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xff);
    }
  }
  // Reject non-zero leftover bits (non-canonical encodings).
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}
}  // namespace

std::string base64_encode(std::string_view d) { return encode(d, kStd, true); }
std::optional<std::string> base64_decode(std::string_view t) { return decode(t, false); }
std::string base64url_encode(std::string_view d) { return encode(d, kUrl, false); }
std::optional<std::string> base64url_decode(std::string_view t) { return decode(t, true); }

}  // namespace ebb
