#include "api/sqs/json_writer.h"

#include <array>

namespace ebb::sqs {

namespace {

// Bytes that JSON strings cannot carry raw: control characters, '"' and '\\'.
// A table lookup per byte keeps the scan over long clean runs (message bodies) cheap;
// clean runs are appended in one piece.
constexpr auto kNeedsEscape = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = t['\\'] = true;
  return t;
}();

}  // namespace

void json_escape_into(std::string_view text, std::string& out) {
  static const char kHex[] = "0123456789abcdef";
  const char* p = text.data();
  const char* end = p + text.size();
  const char* run = p;
  for (; p != end; ++p) {
    unsigned char c = static_cast<unsigned char>(*p);
    if (!kNeedsEscape[c]) continue;
    out.append(run, size_t(p - run));
    run = p + 1;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default: {
        char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out.append(esc, 6);
      }
    }
  }
  out.append(run, size_t(end - run));
}

void write_json(const Value& v, std::string& out) {
  switch (v.kind) {
    case Value::Kind::Null: out.append("null"); break;
    case Value::Kind::String:
      out.push_back('"');
      json_escape_into(v.text, out);
      out.push_back('"');
      break;
    case Value::Kind::Number: out.append(v.text); break;
    case Value::Kind::Bool: out.append(v.boolean ? "true" : "false"); break;
    case Value::Kind::List: {
      out.push_back('[');
      bool first = true;
      for (const Value& x : v.items) {
        if (!first) out.push_back(',');
        first = false;
        write_json(x, out);
      }
      out.push_back(']');
      break;
    }
    case Value::Kind::Object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [k, x] : v.members) {
        if (x.is_null()) continue;
        if (!first) out.push_back(',');
        first = false;
        out.push_back('"');
        json_escape_into(k, out);
        out.append("\":");
        write_json(x, out);
      }
      out.push_back('}');
      break;
    }
  }
}

}  // namespace ebb::sqs
