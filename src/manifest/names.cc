#include "manifest/names.h"

namespace ebb::manifest {
namespace {

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool alnum(char c) { return lower_alnum(c) || (c >= 'A' && c <= 'Z'); }

std::string show(std::string_view s) {
  return "\"" + std::string(s.substr(0, 100)) + (s.size() > 100 ? "…" : "") + "\"";
}

// The reason a single DNS-1123 label (no dots) is invalid, or "".
std::string dns_label_problem(std::string_view s) {
  if (s.empty()) return "must not be empty or contain empty parts between dots";
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return "must be lower case";
    if (!lower_alnum(c) && c != '-') return std::string("must not contain '") + c + "'";
  }
  if (s.front() == '-' || s.back() == '-') return "must start and end with a letter or digit";
  return "";
}

std::string label_name_problem(std::string_view s) {
  if (s.empty()) return "name part must not be empty";
  if (s.size() > 63) return "name part must be at most 63 characters";
  for (char c : s) {
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return std::string("must not contain '") + c + "'";
  }
  if (!alnum(s.front()) || !alnum(s.back())) return "must start and end with a letter or digit";
  return "";
}

}  // namespace

std::string check_dns1123_subdomain(std::string_view name) {
  if (name.size() > 253) return "name " + show(name) + " is longer than 253 characters";
  std::size_t p = 0;
  while (true) {
    std::size_t dot = name.find('.', p);
    std::string_view part = name.substr(p, dot == std::string_view::npos ? std::string_view::npos : dot - p);
    std::string why = dns_label_problem(part);
    if (!why.empty()) return "name " + show(name) + " is not a valid DNS-1123 name: " + why;
    if (dot == std::string_view::npos) return "";
    p = dot + 1;
  }
}

std::string check_queue_name(std::string_view name) {
  const std::string rule =
      " (queue names: 1-80 characters of lower-case letters, digits and '-', starting and ending with a "
      "letter or digit, optionally ending in \".fifo\")";
  if (name.empty()) return "must not be empty" + rule;
  if (name.size() > 80) return "queue name " + show(name) + " is longer than 80 characters" + rule;
  std::string_view base = name;
  if (base.size() >= 5 && base.substr(base.size() - 5) == ".fifo") base.remove_suffix(5);
  if (base.find('.') != std::string_view::npos) {
    return "queue name " + show(name) + " must not contain '.' except in the \".fifo\" suffix" + rule;
  }
  std::string why = dns_label_problem(base);
  if (!why.empty()) return "queue name " + show(name) + " " + why + rule;
  return "";
}

std::string check_label_key(std::string_view key) {
  std::size_t slash = key.find('/');
  if (slash != std::string_view::npos) {
    std::string_view prefix = key.substr(0, slash);
    std::string why = check_dns1123_subdomain(prefix);
    if (!why.empty() || prefix.empty()) return "label key prefix must be a DNS-1123 name";
    std::string name_why = label_name_problem(key.substr(slash + 1));
    return name_why.empty() ? "" : "label key " + name_why;
  }
  std::string why = label_name_problem(key);
  return why.empty() ? "" : "label key " + why;
}

std::string check_label_value(std::string_view value) {
  if (value.empty()) return "";
  std::string why = label_name_problem(value);
  if (why.empty()) return "";
  if (value.size() > 63) return "label value must be at most 63 characters";
  return "label value " + why;
}

}  // namespace ebb::manifest
