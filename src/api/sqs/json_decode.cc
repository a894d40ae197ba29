#include "api/sqs/json_decode.h"

#include <nlohmann/json.hpp>

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <string_view>
#include <vector>

namespace ebb::sqs {

namespace {

constexpr int kMaxDepth = 32;
constexpr size_t kMaxMembers = 1024;

Error serialization(std::string msg) { return err(Code::Serialization, std::move(msg)); }

Error invalid_characters() {
  return err(Code::InvalidMessageContents,
             "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | "
             "#xE000 to #xFFFD | #x10000 to #x10FFFF");
}

int hex4(std::string_view s, size_t i) {
  if (i + 4 > s.size()) return -1;
  int v = 0;
  for (size_t k = i; k < i + 4; ++k) {
    char c = s[k];
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

// simdjson reports a lone surrogate as a generic string error; this scan (only run
// on that error path) tells it apart so the client gets the documented code.
bool has_lone_surrogate_escape(std::string_view s) {
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] != '\\') continue;
    if (s[i + 1] != 'u') { ++i; continue; }
    int u = hex4(s, i + 2);
    if (u < 0) continue;
    if (u >= 0xDC00 && u <= 0xDFFF) return true;
    if (u >= 0xD800 && u <= 0xDBFF) {
      int low = (i + 7 < s.size() && s[i + 6] == '\\' && s[i + 7] == 'u') ? hex4(s, i + 8) : -1;
      if (low < 0xDC00 || low > 0xDFFF) return true;
      i += 11;
      continue;
    }
    i += 5;
  }
  return false;
}

std::string double_text(double d) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  std::string t(buf, r.ptr);
  // Keep it recognisably non-integer so strict integer parsing rejects 10.0.
  if (t.find_first_of(".eE") == std::string::npos) t += ".0";
  return t;
}

Status convert(simdjson::dom::element e, int depth, Value& out) {
  using simdjson::dom::element_type;
  if (depth > kMaxDepth) return serialization("JSON nesting is deeper than 32 levels.");
  switch (e.type()) {
    case element_type::OBJECT: {
      simdjson::dom::object obj = e.get_object().value_unsafe();
      size_t n = obj.size();
      if (n > kMaxMembers) return serialization("A JSON object has more than 1024 members.");
      out.kind = Value::Kind::Object;
      out.members.reserve(n);
      for (auto field : obj) {
        out.members.emplace_back(std::string(field.key), Value{});
        EBB_CHECK(convert(field.value, depth + 1, out.members.back().second));
      }
      if (n > 1) {
        // Duplicate keys: two parsers could disagree on which one wins, so refuse.
        if (n <= 16) {
          for (size_t i = 1; i < n; ++i)
            for (size_t j = 0; j < i; ++j)
              if (out.members[i].first == out.members[j].first)
                return serialization("Duplicate JSON key: " + out.members[i].first);
        } else {
          std::vector<std::string_view> keys;
          keys.reserve(n);
          for (auto& m : out.members) keys.push_back(m.first);
          std::sort(keys.begin(), keys.end());
          if (std::adjacent_find(keys.begin(), keys.end()) != keys.end())
            return serialization("Duplicate JSON key.");
        }
      }
      return {};
    }
    case element_type::ARRAY: {
      simdjson::dom::array arr = e.get_array().value_unsafe();
      out.kind = Value::Kind::List;
      out.items.reserve(arr.size());
      for (auto item : arr) {
        out.items.emplace_back();
        EBB_CHECK(convert(item, depth + 1, out.items.back()));
      }
      return {};
    }
    case element_type::STRING:
      out.kind = Value::Kind::String;
      out.text.assign(e.get_string().value_unsafe());
      return {};
    case element_type::INT64:
      out.kind = Value::Kind::Number;
      out.text = std::to_string(e.get_int64().value_unsafe());
      return {};
    case element_type::UINT64:
      out.kind = Value::Kind::Number;
      out.text = std::to_string(e.get_uint64().value_unsafe());
      return {};
    case element_type::DOUBLE:
      out.kind = Value::Kind::Number;
      out.text = double_text(e.get_double().value_unsafe());
      return {};
    case element_type::BOOL:
      out.kind = Value::Kind::Bool;
      out.boolean = e.get_bool().value_unsafe();
      return {};
    case element_type::NULL_VALUE:
      out.kind = Value::Kind::Null;
      return {};
  }
  return {};
}

}  // namespace

Result<Value> decode_json_body(const std::string& body) {
  if (body.empty()) return Value::object();
  if (body.size() >= 3 && static_cast<unsigned char>(body[0]) == 0xEF &&
      static_cast<unsigned char>(body[1]) == 0xBB && static_cast<unsigned char>(body[2]) == 0xBF)
    return serialization("A byte order mark is not allowed in a JSON body.");
  thread_local simdjson::dom::parser parser;
  auto doc = parser.parse(body);
  if (doc.error()) {
    auto code = doc.error();
    if (code == simdjson::UTF8_ERROR) return invalid_characters();
    if (code == simdjson::STRING_ERROR && has_lone_surrogate_escape(body)) return invalid_characters();
    // simdjson refuses integers beyond 64 bits as a number error; valid JSON with such
    // a number is a bad parameter value (reliability.md §5.2), not a malformed body.
    if (code == simdjson::NUMBER_ERROR && nlohmann::json::accept(body))
      return err(Code::InvalidParameterValue, "A number in the request is outside the range of a 64-bit integer.");
    return serialization(std::string("Invalid JSON: ") + simdjson::error_message(code));
  }
  simdjson::dom::element root = doc.value_unsafe();
  if (root.type() != simdjson::dom::element_type::OBJECT)
    return serialization("The request body must be a JSON object.");
  Value out;
  EBB_CHECK(convert(root, 1, out));
  return out;
}

}  // namespace ebb::sqs
