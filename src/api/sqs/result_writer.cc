#include "api/sqs/result_writer.h"

#include <charconv>

#include "api/sqs/json_writer.h"
#include "api/sqs/xml_writer.h"

namespace ebb::sqs {

namespace {

constexpr std::string_view kXmlDecl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

std::string_view int_text(int64_t v, char (&buf)[24]) {
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return {buf, size_t(r.ptr - buf)};
}

}  // namespace

ResultWriter::ResultWriter(Protocol p, std::string_view action, size_t reserve) : p_(p), action_(action) {
  out_.reserve(reserve);
  first_[0] = true;
  if (p_ == Protocol::Json) {
    out_.push_back('{');
    return;
  }
  out_.append(kXmlDecl).append("<").append(action).append("Response xmlns=\"").append(kXmlNamespace).append("\">");
  out_.append("<").append(action).append("Result>");
  result_open_end_ = out_.size();
}

void ResultWriter::comma() {
  if (!first_[depth_]) out_.push_back(',');
  first_[depth_] = false;
}

void ResultWriter::push_level() {
  ++depth_;
  first_[depth_] = true;
}

void ResultWriter::json_key(std::string_view name) {
  comma();
  out_.push_back('"');
  json_escape_into(name, out_);
  out_.append("\":");
}

void ResultWriter::xml_open(std::string_view name) { out_.append("<").append(name).append(">"); }
void ResultWriter::xml_close(std::string_view name) { out_.append("</").append(name).append(">"); }

void ResultWriter::str(std::string_view name, std::string_view value) {
  if (p_ == Protocol::Json) {
    json_key(name);
    out_.push_back('"');
    json_escape_into(value, out_);
    out_.push_back('"');
    return;
  }
  xml_open(name);
  xml_escape_into(value, out_);
  xml_close(name);
}

void ResultWriter::integer(std::string_view name, int64_t value) {
  char buf[24];
  str(name, int_text(value, buf));
}

void ResultWriter::boolean(std::string_view name, bool value) {
  std::string_view text = value ? "true" : "false";
  if (p_ == Protocol::Json) {
    json_key(name);
    out_.append(text);
    return;
  }
  xml_open(name);
  out_.append(text);
  xml_close(name);
}

void ResultWriter::begin_list(std::string_view name, std::string_view xml_item) {
  list_item_ = xml_item;
  if (p_ == Protocol::Json) {
    json_key(name);
    out_.push_back('[');
    push_level();
  }
}

void ResultWriter::begin_item() {
  if (p_ == Protocol::Json) {
    comma();
    out_.push_back('{');
    push_level();
    return;
  }
  xml_open(list_item_);
}

void ResultWriter::end_item() {
  if (p_ == Protocol::Json) {
    pop_level();
    out_.push_back('}');
    return;
  }
  xml_close(list_item_);
}

void ResultWriter::end_list() {
  if (p_ == Protocol::Json) {
    pop_level();
    out_.push_back(']');
  }
}

void ResultWriter::begin_map(std::string_view name, std::string_view entry, std::string_view key,
                             std::string_view value) {
  map_name_ = name;
  map_entry_ = entry;
  map_key_ = key;
  map_value_ = value;
  map_pending_ = true;
  map_open_ = false;
}

void ResultWriter::open_map_if_needed() {
  if (!map_pending_) return;
  map_pending_ = false;
  map_open_ = true;
  if (p_ == Protocol::Json) {
    json_key(map_name_);
    out_.push_back('{');
    push_level();
  }
}

void ResultWriter::map_str(std::string_view key, std::string_view value) {
  open_map_if_needed();
  if (p_ == Protocol::Json) {
    str(key, value);
    return;
  }
  xml_open(map_entry_);
  xml_open(map_key_);
  xml_escape_into(key, out_);
  xml_close(map_key_);
  str(map_value_, value);
  xml_close(map_entry_);
}

void ResultWriter::map_int(std::string_view key, int64_t value) {
  char buf[24];
  map_str(key, int_text(value, buf));
}

void ResultWriter::begin_map_object(std::string_view key) {
  open_map_if_needed();
  if (p_ == Protocol::Json) {
    json_key(key);
    out_.push_back('{');
    push_level();
    return;
  }
  xml_open(map_entry_);
  xml_open(map_key_);
  xml_escape_into(key, out_);
  xml_close(map_key_);
  xml_open(map_value_);
}

void ResultWriter::end_map_object() {
  if (p_ == Protocol::Json) {
    pop_level();
    out_.push_back('}');
    return;
  }
  xml_close(map_value_);
  xml_close(map_entry_);
}

void ResultWriter::end_map() {
  map_pending_ = false;
  if (!map_open_) return;
  map_open_ = false;
  if (p_ == Protocol::Json) {
    pop_level();
    out_.push_back('}');
  }
}

SqsResponse ResultWriter::finish(std::string_view request_id) && {
  SqsResponse r;
  r.status = 200;
  r.action = std::string(action_);
  if (p_ == Protocol::Json) {
    r.content_type = std::string(kJsonContentType);
    out_.push_back('}');
  } else {
    r.content_type = std::string(kXmlContentType);
    if (out_.size() == result_open_end_) {
      out_.back() = '/';  // "<ActionResult>" -> "<ActionResult/>"
      out_.push_back('>');
    } else {
      out_.append("</").append(action_).append("Result>");
    }
    out_.append("<ResponseMetadata><RequestId>");
    xml_escape_into(request_id, out_);
    out_.append("</RequestId></ResponseMetadata></").append(action_).append("Response>");
  }
  r.body = std::move(out_);
  return r;
}

}  // namespace ebb::sqs
