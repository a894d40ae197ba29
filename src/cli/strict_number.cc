#include "cli/strict_number.h"

#include <charconv>

namespace ebb::cli {

Outcome<int64_t> parse_int_flag(std::string_view flag, std::string_view text, int64_t min, int64_t max) {
  const std::string range = std::to_string(min) + " to " + std::to_string(max);
  auto bad = [&] {
    return usage_error(std::string(flag) + ": \"" + std::string(text.substr(0, 40)) + "\" is not an integer from " + range);
  };
  std::string_view digits = text;
  if (!digits.empty() && digits[0] == '-') digits.remove_prefix(1);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) return bad();
  if (digits.size() > 1 && digits[0] == '0') return bad();  // no octal look-alikes
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) return bad();
  return v;
}

}  // namespace ebb::cli
