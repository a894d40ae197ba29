#include "model/message.h"

#include <cstring>

namespace ebb {
namespace {
void put_u32(std::string& s, uint32_t v) {
  char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
  s.append(b, 4);
}
bool get_u32(std::string_view& in, uint32_t& v) {
  if (in.size() < 4) return false;
  auto u = reinterpret_cast<const unsigned char*>(in.data());
  v = (uint32_t(u[0]) << 24) | (uint32_t(u[1]) << 16) | (uint32_t(u[2]) << 8) | u[3];
  in.remove_prefix(4);
  return true;
}
bool get_str(std::string_view& in, std::string& out) {
  uint32_t n;
  if (!get_u32(in, n) || in.size() < n) return false;
  out.assign(in.data(), n);
  in.remove_prefix(n);
  return true;
}
}  // namespace

std::string encode_attrs(const MsgAttrs& a) {
  std::string s;
  if (a.empty()) return s;
  put_u32(s, uint32_t(a.size()));
  for (auto& x : a) {
    put_u32(s, uint32_t(x.name.size())); s += x.name;
    put_u32(s, uint32_t(x.data_type.size())); s += x.data_type;
    s.push_back(x.binary ? 2 : 1);
    put_u32(s, uint32_t(x.value.size())); s += x.value;
  }
  return s;
}

bool decode_attrs(std::string_view in, MsgAttrs& out) {
  out.clear();
  if (in.empty()) return true;
  uint32_t n;
  if (!get_u32(in, n) || n > 64) return false;
  out.resize(n);
  for (auto& x : out) {
    if (!get_str(in, x.name) || !get_str(in, x.data_type) || in.empty()) return false;
    x.binary = in[0] == 2;
    in.remove_prefix(1);
    if (!get_str(in, x.value)) return false;
  }
  return in.empty();
}

}  // namespace ebb
