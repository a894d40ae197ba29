#include "source/source_spec.h"

#include <fnmatch.h>

namespace ebb::source {
namespace {

std::string string_or(const nlohmann::json& spec, const char* key, std::string fallback) {
  auto it = spec.find(key);
  return it != spec.end() && it->is_string() ? it->get<std::string>() : fallback;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

SourceSpec source_spec_from(const nlohmann::json& spec) {
  SourceSpec s;
  if (!spec.is_object()) return s;
  s.directory = string_or(spec, "directory", "");
  s.queue = string_or(spec, "queue", "");
  s.body = string_or(spec, "body", "s3");
  s.bucket = string_or(spec, "bucket", s.directory);
  if (auto it = spec.find("include"); it != spec.end() && it->is_array()) {
    for (const auto& p : *it) {
      if (p.is_string()) s.include.push_back(p.get<std::string>());
    }
  }
  if (auto it = spec.find("ignoreHidden"); it != spec.end() && it->is_boolean()) s.ignore_hidden = it->get<bool>();
  return s;
}

bool accepts_file_name(const SourceSpec& s, std::string_view name) {
  if (name.empty() || name == "." || name == "..") return false;
  if (s.ignore_hidden) {
    // Atomic writers create ".name.tmp"-like files and rename them into place; the
    // rename (IN_MOVED_TO) announces the final name.
    if (name.front() == '.') return false;
    for (std::string_view suffix : {".tmp", ".part", ".swp"}) {
      if (ends_with(name, suffix)) return false;
    }
  }
  if (s.include.empty()) return true;
  const std::string n(name);
  for (const std::string& p : s.include) {
    if (fnmatch(p.c_str(), n.c_str(), 0) == 0) return true;
  }
  return false;
}

}  // namespace ebb::source
