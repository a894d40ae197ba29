#include "queue/receipt_handle.h"

#define OPENSSL_SUPPRESS_DEPRECATED  // SHA256_CTX copies: the fastest HMAC with a fixed key
#include <openssl/sha.h>

#include <cstring>

#include "base/crypto.h"

namespace ebb {
namespace {
constexpr size_t kBody = 8 + 8 + 4 + 8;
constexpr size_t kMac = 16;
constexpr char kVersion = 1;

void put(std::string& s, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) s.push_back(char((v >> (8 * i)) & 0xff));
}
uint64_t get(std::string_view s, size_t off, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(s[off + i]);
  return v;
}
}  // namespace

uint64_t uuid_tag(std::string_view u) {
  uint64_t v = 0;
  int n = 0;
  for (char c : u) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) continue;
    v = (v << 4) | uint64_t(d);
    if (++n == 16) break;
  }
  return v;
}

ReceiptHandleCodec::ReceiptHandleCodec(std::string key) : key_(std::move(key)) {
  unsigned char block[64] = {0};
  if (key_.size() > sizeof block) {
    std::string h = sha256_raw(key_);
    std::memcpy(block, h.data(), h.size());
  } else {
    std::memcpy(block, key_.data(), key_.size());
  }
  unsigned char ipad[64], opad[64];
  for (int i = 0; i < 64; ++i) {
    ipad[i] = block[i] ^ 0x36;
    opad[i] = block[i] ^ 0x5c;
  }
  SHA256_CTX in, out;
  SHA256_Init(&in);
  SHA256_Update(&in, ipad, sizeof ipad);
  SHA256_Init(&out);
  SHA256_Update(&out, opad, sizeof opad);
  inner_state_.assign(reinterpret_cast<const char*>(&in), sizeof in);
  outer_state_.assign(reinterpret_cast<const char*>(&out), sizeof out);
}

std::string ReceiptHandleCodec::mac(std::string_view data) const {
  SHA256_CTX c;
  unsigned char inner[SHA256_DIGEST_LENGTH], outer[SHA256_DIGEST_LENGTH];
  std::memcpy(&c, inner_state_.data(), sizeof c);
  SHA256_Update(&c, data.data(), data.size());
  SHA256_Final(inner, &c);
  std::memcpy(&c, outer_state_.data(), sizeof c);
  SHA256_Update(&c, inner, sizeof inner);
  SHA256_Final(outer, &c);
  return std::string(reinterpret_cast<char*>(outer), kMac);
}

std::string ReceiptHandleCodec::encode(const HandleFields& f) const {
  std::string raw;
  raw.reserve(1 + kBody + kMac);
  raw.push_back(kVersion);
  put(raw, uint64_t(f.queue_id), 8);
  put(raw, uint64_t(f.message_id), 8);
  put(raw, f.grant, 4);
  put(raw, f.uuid_tag, 8);
  raw += mac(raw);
  return base64url_encode(raw);
}

std::optional<HandleFields> ReceiptHandleCodec::decode(std::string_view handle) const {
  if (handle.size() > 128) return std::nullopt;
  auto raw = base64url_decode(handle);
  if (!raw || raw->size() != 1 + kBody + kMac || (*raw)[0] != kVersion) return std::nullopt;
  std::string_view r(*raw);
  std::string expected = mac(r.substr(0, 1 + kBody));
  if (!constant_time_equal(expected, r.substr(1 + kBody))) return std::nullopt;
  HandleFields f;
  f.queue_id = int64_t(get(r, 1, 8));
  f.message_id = int64_t(get(r, 9, 8));
  f.grant = uint32_t(get(r, 17, 4));
  f.uuid_tag = get(r, 21, 8);
  return f;
}

}  // namespace ebb
