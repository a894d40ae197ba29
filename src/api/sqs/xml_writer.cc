#include "api/sqs/xml_writer.h"

namespace ebb::sqs {

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
