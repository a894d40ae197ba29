#include "api/http/http_message.h"

namespace ebb::http {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view HttpRequest::header(std::string_view name) const {
  for (auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return {};
}

bool HttpRequest::has_header(std::string_view name) const { return header_count(name) > 0; }

size_t HttpRequest::header_count(std::string_view name) const {
  size_t n = 0;
  for (auto& [k, v] : headers)
    if (iequals(k, name)) ++n;
  return n;
}

}  // namespace ebb::http
