#include "base/quantity.h"

#include <array>
#include <limits>

namespace ebb {
namespace {

// Parses "digits[.digits]" into an integer scaled by 10^scale_digits; false on
// anything else (signs, exponents, too many decimals, overflow).
bool parse_decimal(std::string_view s, int scale_digits, int64_t& out) {
  if (s.empty()) return false;
  int64_t v = 0;
  size_t i = 0;
  bool any = false;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    if (v > (std::numeric_limits<int64_t>::max() - 9) / 10) return false;
    v = v * 10 + (s[i] - '0');
    any = true;
  }
  int decimals = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (decimals == scale_digits) {
        if (s[i] != '0') return false;  // more precision than representable
        continue;
      }
      if (v > (std::numeric_limits<int64_t>::max() - 9) / 10) return false;
      v = v * 10 + (s[i] - '0');
      ++decimals;
      any = true;
    }
  }
  if (!any || i != s.size()) return false;
  for (; decimals < scale_digits; ++decimals) {
    if (v > std::numeric_limits<int64_t>::max() / 10) return false;
    v *= 10;
  }
  out = v;
  return true;
}

Error bad(std::string_view what, std::string_view s, std::string_view examples) {
  return Error{Code::Invalid, "invalid " + std::string(what) + " quantity \"" + std::string(s) + "\" (examples: " +
                                  std::string(examples) + ")"};
}

}  // namespace

Result<int64_t> parse_cpu_quantity(std::string_view s) {
  int64_t v = 0;
  if (!s.empty() && s.back() == 'm') {
    if (!parse_decimal(s.substr(0, s.size() - 1), 0, v)) return bad("cpu", s, "500m, 0.5, 2");
  } else if (!parse_decimal(s, 3, v)) {
    return bad("cpu", s, "500m, 0.5, 2");
  }
  if (v <= 0) return Error{Code::Invalid, "cpu quantity must be greater than zero"};
  return v;
}

Result<int64_t> parse_memory_quantity(std::string_view s) {
  struct Suffix {
    std::string_view text;
    int64_t factor;
  };
  static constexpr std::array<Suffix, 12> kSuffixes{{{"Ki", 1LL << 10}, {"Mi", 1LL << 20}, {"Gi", 1LL << 30},
                                                     {"Ti", 1LL << 40}, {"Pi", 1LL << 50}, {"Ei", 1LL << 60},
                                                     {"k", 1000LL}, {"M", 1000000LL}, {"G", 1000000000LL},
                                                     {"T", 1000000000000LL}, {"P", 1000000000000000LL},
                                                     {"E", 1000000000000000000LL}}};
  int64_t factor = 1;
  std::string_view num = s;
  for (auto& suf : kSuffixes) {
    if (s.size() > suf.text.size() && s.substr(s.size() - suf.text.size()) == suf.text) {
      factor = suf.factor;
      num = s.substr(0, s.size() - suf.text.size());
      break;
    }
  }
  int64_t milli = 0;  // value × 1000, so "1.5Gi" is exact
  if (!parse_decimal(num, 3, milli)) return bad("memory", s, "512Mi, 1Gi, 1G");
  __int128 bytes = static_cast<__int128>(milli) * factor;
  if (bytes % 1000 != 0 && factor == 1) return bad("memory", s, "512Mi, 1Gi, 1G");
  bytes /= 1000;
  if (bytes <= 0) return Error{Code::Invalid, "memory quantity must be greater than zero"};
  if (bytes > std::numeric_limits<int64_t>::max()) return bad("memory", s, "512Mi, 1Gi, 1G");
  return static_cast<int64_t>(bytes);
}

std::string format_cpu_millis(int64_t m) {
  if (m % 1000 == 0) return std::to_string(m / 1000);
  return std::to_string(m) + "m";
}

std::string format_memory_bytes(int64_t b) {
  static constexpr std::array<std::pair<const char*, int64_t>, 5> kUnits{
      {{"Ti", 1LL << 40}, {"Gi", 1LL << 30}, {"Mi", 1LL << 20}, {"Ki", 1LL << 10}, {"", 1}}};
  for (auto& [name, f] : kUnits)
    if (b >= f && b % f == 0) return std::to_string(b / f) + name;
  return std::to_string(b);
}

}  // namespace ebb
