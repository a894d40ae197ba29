#include "api/sqs/attribute_digest.h"

#include "base/crypto.h"

namespace ebb::sqs {

namespace {

void put_u32(std::string& b, size_t n) {
  b.push_back(static_cast<char>((n >> 24) & 0xFF));
  b.push_back(static_cast<char>((n >> 16) & 0xFF));
  b.push_back(static_cast<char>((n >> 8) & 0xFF));
  b.push_back(static_cast<char>(n & 0xFF));
}

void put_field(std::string& b, const std::string& s) {
  put_u32(b, s.size());
  b.append(s);
}

}  // namespace

std::string attributes_digest_input(const MsgAttrs& attrs) {
  size_t total = 0;
  for (const MsgAttr& a : attrs) total += 13 + a.name.size() + a.data_type.size() + a.value.size();
  std::string b;
  b.reserve(total);
  for (const MsgAttr& a : attrs) {
    put_field(b, a.name);
    put_field(b, a.data_type);
    b.push_back(a.binary ? '\x02' : '\x01');  // transport: 1 string/number, 2 binary
    put_field(b, a.value);
  }
  return b;
}

std::string attributes_md5(const MsgAttrs& attrs) {
  if (attrs.empty()) return {};
  return md5_hex(attributes_digest_input(attrs));
}

}  // namespace ebb::sqs
