#include "api/sqs/protocol.h"

#include <string>

namespace ebb::sqs {

namespace {

std::string media_type(std::string_view ct) {
  size_t semi = ct.find(';');
  std::string_view t = ct.substr(0, semi);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  std::string low(t);
  for (char& c : low)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return low;
}

}  // namespace

bool is_json_content_type(std::string_view ct) {
  std::string t = media_type(ct);
  return t == "application/x-amz-json-1.0" || t == "application/x-amz-json-1.1" || t == "application/json";
}

bool is_form_content_type(std::string_view ct) { return media_type(ct) == "application/x-www-form-urlencoded"; }

}  // namespace ebb::sqs
