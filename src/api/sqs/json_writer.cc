#include "api/sqs/json_writer.h"

namespace ebb::sqs {

void json_escape_into(std::string_view text, std::string& out) {
  static const char kHex[] = "0123456789abcdef";
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.substr(start, i - start));
    start = i + 1;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
  }
  out.append(text.substr(start));
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
