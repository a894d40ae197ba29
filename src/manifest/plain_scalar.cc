#include "manifest/plain_scalar.h"

#include <charconv>
#include <cstdlib>
#include <regex>

namespace ebb::manifest {
namespace {

bool full_match(std::string_view text, const std::regex& re) {
  return std::regex_match(text.begin(), text.end(), re);
}

PlainScalar ambiguous(std::string why) {
  PlainScalar p;
  p.kind = PlainScalar::Kind::Ambiguous;
  p.why = std::move(why);
  return p;
}

// Canonical decimal integer: the one spelling YAML 1.1, YAML 1.2 and JSON agree on.
bool canonical_int(std::string_view t) {
  static const std::regex re("-?(0|[1-9][0-9]*)");
  return full_match(t, re);
}

// Decimal with a fraction, optional signed exponent: a float in YAML 1.1 and 1.2.
bool canonical_float(std::string_view t) {
  static const std::regex re("-?(0|[1-9][0-9]*)\\.[0-9]+([eE][-+][0-9]+)?");
  return full_match(t, re);
}

bool json_number(std::string_view t) {
  static const std::regex re("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?");
  return full_match(t, re);
}

// Everything either YAML version reads as a number or a timestamp.
bool number_like(std::string_view t) {
  static const std::regex re(
      "[-+]?0b[01_]+"                                  // 1.1 binary
      "|[-+]?0o?[0-7_]+"                               // 1.1 / 1.2 octal
      "|[-+]?[0-9][0-9_]*"                             // decimal, leading zeros, underscores
      "|[-+]?0x[0-9a-fA-F_]+"                          // hex
      "|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?" // 1.1 sexagesimal
      "|[-+]?([0-9][0-9_]*)?\\.[0-9._]*([eE][-+]?[0-9]+)?"  // floats of both
      "|[-+]?[0-9]+([eE][-+]?[0-9]+)"                  // 1.2 float without a dot
      "|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)"
      "|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?");   // 1.1 timestamp
  return full_match(t, re);
}

}  // namespace

PlainScalar classify_plain(std::string_view t, bool json) {
  PlainScalar p;
  if (t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL") {
    p.kind = PlainScalar::Kind::Null;
    return p;
  }
  if (t == "true" || t == "True" || t == "TRUE" || t == "false" || t == "False" || t == "FALSE") {
    p.kind = PlainScalar::Kind::Bool;
    p.boolean = t[0] == 't' || t[0] == 'T';
    return p;
  }
  static const std::regex yaml11_bool("y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF");
  if (full_match(t, yaml11_bool)) return ambiguous("a boolean in YAML 1.1");
  // std::regex recurses per character: keep long texts away from it. No number or
  // timestamp is that long; a long run of digits is an integer out of range.
  if (t.size() > 64) {
    if (t.find_first_not_of("0123456789-+") == std::string_view::npos) return ambiguous("an integer out of range");
    return p;
  }
  if (canonical_int(t)) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || end != t.data() + t.size()) return ambiguous("an integer out of range");
    p.kind = PlainScalar::Kind::Int;
    p.integer = v;
    return p;
  }
  if (canonical_float(t) || (json && json_number(t))) {
    p.kind = PlainScalar::Kind::Float;
    p.real = std::strtod(std::string(t).c_str(), nullptr);
    return p;
  }
  if (number_like(t)) return ambiguous("a number or timestamp in YAML 1.1 or 1.2");
  return p;
}

}  // namespace ebb::manifest
