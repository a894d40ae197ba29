#include "api/sqs/form_decode.h"

namespace ebb::sqs {

namespace {

inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool percent_decode_into(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= in.size()) return false;  // '%' needs two more characters
      int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return true;
}

Status decode_form(std::string_view text, FormParams& out) {
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t amp = text.find('&', pos);
    if (amp == std::string_view::npos) amp = text.size();
    std::string_view part = text.substr(pos, amp - pos);
    pos = amp + 1;
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string_view raw_name = part.substr(0, eq);
    std::string_view raw_value = eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
    std::string name, value;
    if (!percent_decode_into(raw_name, name) || !percent_decode_into(raw_value, value)) {
      return err(Code::InvalidQueryParameter,
                 "The request contains a malformed percent-encoded parameter: " + std::string(part.substr(0, 256)));
    }
    if (name.empty()) continue;
    out.emplace_back(std::move(name), std::move(value));
  }
  return {};
}

}  // namespace ebb::sqs
