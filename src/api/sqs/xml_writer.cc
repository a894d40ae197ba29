#include "api/sqs/xml_writer.h"

#include "base/utf8.h"

namespace ebb::sqs {

std::string xml_safe_text(std::string_view text) {
  if (xml_text_valid(text)) return std::string(text);
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    int32_t cp = utf8_next(text, i);
    bool ok = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
              (cp >= 0x10000 && cp <= 0x10FFFF);
    if (ok) {
      out.append(text.substr(start, i - start));
    } else {
      out.append("\xEF\xBF\xBD");
      if (i == start) ++i;  // invalid byte: skip it
    }
  }
  return out;
}

void xml_escape_into(std::string_view text, std::string& out) {
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char* rep;
    switch (text[i]) {
      case '&': rep = "&amp;"; break;
      case '<': rep = "&lt;"; break;
      case '>': rep = "&gt;"; break;
      case '"': rep = "&quot;"; break;
      case '\r': rep = "&#xD;"; break;
      default: continue;
    }
    out.append(text.substr(start, i - start)).append(rep);
    start = i + 1;
  }
  out.append(text.substr(start));
}

namespace {

void open(std::string& out, std::string_view name) { out.append("<").append(name).append(">"); }
void close(std::string& out, std::string_view name) { out.append("</").append(name).append(">"); }

void write_content(const Value& v, std::string& out);

void write_element(std::string_view name, const Value& v, std::string& out) {
  if (v.is_null()) return;
  if (v.is_list()) {
    // Flattened: each item is an element named by the hint (or the member name).
    std::string_view item = v.xml_item.empty() ? name : v.xml_item;
    for (const Value& x : v.items) write_element(item, x, out);
    return;
  }
  if (v.is_object() && !v.xml_entry.empty()) {
    for (const auto& [k, x] : v.members) {
      open(out, v.xml_entry);
      open(out, v.xml_key);
      xml_escape_into(k, out);
      close(out, v.xml_key);
      write_element(v.xml_value, x, out);
      close(out, v.xml_entry);
    }
    return;
  }
  open(out, name);
  write_content(v, out);
  close(out, name);
}

void write_content(const Value& v, std::string& out) {
  switch (v.kind) {
    case Value::Kind::String:
    case Value::Kind::Number: xml_escape_into(v.text, out); break;
    case Value::Kind::Bool: out.append(v.boolean ? "true" : "false"); break;
    case Value::Kind::Object: write_xml_members(v, out); break;
    case Value::Kind::List:
    case Value::Kind::Null: break;
  }
}

}  // namespace

void write_xml_members(const Value& obj, std::string& out) {
  for (const auto& [k, v] : obj.members) write_element(k, v, out);
}

}  // namespace ebb::sqs
