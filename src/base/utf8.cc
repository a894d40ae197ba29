#include "base/utf8.h"

#include <cstring>

namespace ebb {

int32_t utf8_next(std::string_view s, size_t& i) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  unsigned char c = p[i];
  if (c < 0x80) { ++i; return c; }
  int len;
  int32_t cp, min;
  if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; min = 0x80; }
  else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; min = 0x800; }
  else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; min = 0x10000; }
  else return -1;
  if (i + len > n) return -1;
  for (int k = 1; k < len; ++k) {
    unsigned char d = p[i + k];
    if ((d & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (d & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  i += len;
  return cp;
}

namespace {

// True when none of the 8 bytes has the high bit set or is below 0x20.
inline bool plain_ascii8(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  constexpr uint64_t kLowMask = 0x6060606060606060ULL;  // bits 5,6: zero in both → byte < 0x20
  if (w & kHigh) return false;
  // Each byte must have bit 5 or 6 set (byte >= 0x20 given the high bit is clear).
  uint64_t t = (w & kLowMask);
  // Per byte: nonzero? Spread the two bits into bit 6 and check all bytes have it.
  uint64_t any = (t | (t << 1)) & 0x4040404040404040ULL;
  return any == 0x4040404040404040ULL;
}

template <bool kXml>
bool check(std::string_view s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    if (i + 8 <= n && plain_ascii8(s.data() + i)) { i += 8; continue; }
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (kXml && c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D) return false;
      ++i;
      continue;
    }
    int32_t cp = utf8_next(s, i);
    if (cp < 0) return false;
    if (kXml && (cp == 0xFFFE || cp == 0xFFFF)) return false;
  }
  return true;
}

}  // namespace

bool utf8_valid(std::string_view s) { return check<false>(s); }
bool xml_text_valid(std::string_view s) { return check<true>(s); }

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace ebb
