#include "api/sqs/message_rules.h"

#include <algorithm>

#include "api/sqs/attribute_digest.h"
#include "api/sqs/params.h"
#include "base/crypto.h"
#include "base/utf8.h"

namespace ebb::sqs {

namespace {

constexpr size_t kMaxAttributes = 10;

Error invalid(std::string msg) { return err(Code::InvalidParameterValue, std::move(msg)); }

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char a = s[i], b = prefix[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a + 32);
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b + 32);
    if (a != b) return false;
  }
  return true;
}

bool valid_attribute_name(std::string_view n) {
  if (n.empty() || n.front() == '.' || n.back() == '.') return false;
  if (n.find("..") != std::string_view::npos) return false;
  if (starts_with_ci(n, "AWS.") || starts_with_ci(n, "Amazon.")) return false;
  size_t i = 0, count = 0;
  while (i < n.size()) {
    int32_t cp = utf8_next(n, i);
    bool ok = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') || cp == '_' ||
              cp == '-' || cp == '.' || (cp >= 0xC0 && cp <= 0x17F);  // Latin-1 letters, as AWS
    if (!ok) return false;
    ++count;
  }
  return count <= 256;
}

// "String", "Number" or "Binary", optionally ".<label>" of printable ASCII; ≤ 256.
// Returns the base type, or "" if invalid.
std::string_view base_type(std::string_view t) {
  if (t.size() > 256) return {};
  for (std::string_view base : {std::string_view("String"), std::string_view("Number"), std::string_view("Binary")}) {
    if (t.substr(0, base.size()) != base) continue;
    if (t.size() == base.size()) return base;
    if (t[base.size()] != '.' || t.size() == base.size() + 1) return {};
    for (char c : t.substr(base.size() + 1))
      if (c < 0x20 || c > 0x7E) return {};
    return base;
  }
  return {};
}

bool non_empty_list_member(const Value& v, std::string_view prefix) {
  for (const auto& [k, m] : v.members) {
    if (k.compare(0, prefix.size(), prefix) != 0) continue;
    if (m.is_list() ? !m.items.empty() : !m.is_null()) return true;
  }
  return false;
}

}  // namespace

Status check_body(const std::string* body) {
  if (!body || body->empty()) return missing_parameter("MessageBody");
  if (!xml_text_valid(*body)) return err(Code::InvalidMessageContents, std::string(kInvalidCharacters));
  return {};
}

bool valid_number_text(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t int_start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  size_t int_len = i - int_start;
  size_t frac_start = i, frac_len = 0;
  if (i < s.size() && s[i] == '.') {
    frac_start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    frac_len = i - frac_start;
  }
  if (int_len + frac_len == 0) return false;
  int64_t exp = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (i - start >= 6) return false;  // absurd exponents are out of range anyway
      exp = exp * 10 + (s[i++] - '0');
    }
    if (i == start) return false;
    if (neg) exp = -exp;
  }
  if (i != s.size()) return false;
  // Significant digits: strip leading zeros of the whole digit string, trailing zeros too.
  std::string digits;
  digits.append(s.substr(int_start, int_len)).append(s.substr(frac_start, frac_len));
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return true;  // zero
  size_t last = digits.find_last_not_of('0');
  if (last - first + 1 > 38) return false;
  // value = d.ddd × 10^adj
  int64_t adj = static_cast<int64_t>(int_len) - static_cast<int64_t>(first) - 1 + exp;
  bool mantissa_one = digits[first] == '1' && first == last;
  bool negative = s[0] == '-';
  int64_t limit = negative ? 128 : 126;
  return adj < limit || (adj == limit && mantissa_one);
}

Result<MsgAttrs> parse_message_attributes(const Value* map) {
  MsgAttrs out;
  if (!map) return out;
  if (!map->is_object()) return invalid("The parameter MessageAttributes must be a map.");
  size_t n = map->members.size();
  if (n > kMaxAttributes)
    return invalid("Number of message attributes [" + std::to_string(n) + "] exceeds the allowed maximum [10].");
  out.reserve(n);
  for (const auto& [name, v] : map->members) {
    if (!utf8_valid(name) || !valid_attribute_name(name))
      return invalid("Message (user) attribute name '" + name + "' is invalid.");
    if (!v.is_object())
      return invalid("Message (user) attribute '" + name + "' must contain a non-empty value of type 'String'.");
    const Value* type = find(v, "DataType");
    if (!type || !type->is_string() || type->text.empty())
      return invalid("The message attribute '" + name + "' must contain a non-empty message attribute type.");
    std::string_view base = base_type(type->text);
    if (base.empty())
      return invalid("The message attribute '" + name +
                     "' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.");
    if (non_empty_list_member(v, "StringListValue") || non_empty_list_member(v, "BinaryListValue"))
      return invalid("Message (user) attribute '" + name + "': StringListValues and BinaryListValues are not supported.");
    MsgAttr a;
    a.name = name;
    a.data_type = type->text;
    std::string empty_msg =
        "Message (user) attribute '" + name + "' must contain a non-empty value of type '" + std::string(base) + "'.";
    if (base == "Binary") {
      const Value* bv = find(v, "BinaryValue");
      if (!bv || !bv->is_string() || bv->text.empty()) return invalid(empty_msg);
      auto raw = base64_decode(bv->text);
      if (!raw) return invalid("Message (user) attribute '" + name + "' has an invalid base64 BinaryValue.");
      if (raw->empty()) return invalid(empty_msg);
      a.value = std::move(*raw);
      a.binary = true;
    } else {
      const Value* sv = find(v, "StringValue");
      if (!sv || !sv->is_string() || sv->text.empty()) return invalid(empty_msg);
      if (!xml_text_valid(sv->text)) return err(Code::InvalidMessageContents, std::string(kInvalidCharacters));
      if (base == "Number" && !valid_number_text(sv->text))
        return invalid("Can't cast the value of message (user) attribute '" + name + "' to a number.");
      a.value = sv->text;
    }
    out.push_back(std::move(a));
  }
  std::sort(out.begin(), out.end(), [](const MsgAttr& x, const MsgAttr& y) { return x.name < y.name; });
  for (size_t i = 1; i < out.size(); ++i)
    if (out[i].name == out[i - 1].name)
      return invalid("Message (user) attribute name '" + out[i].name + "' is repeated.");
  return out;
}

Result<SystemAttrs> parse_system_attributes(const Value* map) {
  SystemAttrs out;
  if (!map) return out;
  if (!map->is_object()) return invalid("The parameter MessageSystemAttributes must be a map.");
  out.present = true;
  MsgAttrs attrs;
  for (const auto& [name, v] : map->members) {
    if (name != "AWSTraceHeader")
      return invalid("Message system attribute name '" + name + "' is invalid.");
    const Value* type = v.is_object() ? find(v, "DataType") : nullptr;
    if (!type || !type->is_string() || type->text != "String")
      return invalid("Message system attribute 'AWSTraceHeader' must be of type 'String'.");
    const Value* sv = find(v, "StringValue");
    if (!sv || !sv->is_string() || sv->text.empty())
      return invalid("Message (system) attribute 'AWSTraceHeader' must contain a non-empty value of type 'String'.");
    if (!xml_text_valid(sv->text)) return err(Code::InvalidMessageContents, std::string(kInvalidCharacters));
    out.trace_header = sv->text;
    attrs.push_back(MsgAttr{name, "String", sv->text, false});
  }
  out.md5 = attributes_md5(attrs);
  return out;
}

Status check_fifo_id(const std::string& value, std::string_view name) {
  bool ok = !value.empty() && value.size() <= 128;
  for (char c : value)
    if (c < 0x21 || c > 0x7E) { ok = false; break; }  // alnum + punctuation = printable ASCII but space
  if (ok) return {};
  std::string reason = std::string(name) + " can only include alphanumeric and punctuation characters. 1 to 128 in length.";
  return invalid_value(value, name, reason);
}

bool valid_batch_entry_id(std::string_view id) {
  if (id.empty() || id.size() > 80) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

size_t message_size(std::string_view body, const MsgAttrs& attrs) {
  size_t n = body.size();
  for (const MsgAttr& a : attrs) n += a.name.size() + a.data_type.size() + a.value.size();
  return n;
}

bool attribute_selected(const std::vector<std::string>& names, std::string_view attr) {
  for (const std::string& n : names) {
    if (n == "All" || n == ".*" || n == "*") return true;
    if (n.size() >= 2 && n.compare(n.size() - 2, 2, ".*") == 0) {
      std::string_view prefix(n.data(), n.size() - 2);
      if (attr.substr(0, prefix.size()) == prefix) return true;
    } else if (n == attr) {
      return true;
    }
  }
  return false;
}

}  // namespace ebb::sqs
