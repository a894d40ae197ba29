#include "manifest/event_source_kind.h"

#include "manifest/names.h"
#include "manifest/task_template_kind.h"

namespace ebb::manifest {
namespace {

bool has_control(std::string_view s) {
  for (unsigned char ch : s) {
    if (ch < 0x20 || ch == 0x7f) return true;
  }
  return false;
}

void check_include(const nlohmann::json& spec, Checker& c) {
  auto it = spec.find("include");
  if (it == spec.end()) return;
  const std::string path = "spec.include";
  if (!it->is_array()) {
    c.error(path, "must be a list of file name patterns such as \"*.jpg\", got " + describe_value(*it));
    return;
  }
  if (it->empty() || it->size() > kMaxIncludePatterns) {
    c.error(path, "must have 1 to " + std::to_string(kMaxIncludePatterns) + " patterns, got " +
                      std::to_string(it->size()));
    if (!it->empty()) return;
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    std::optional<std::string> p = c.as_string((*it)[i], index_path(path, i));
    if (!p) continue;
    // Patterns match the file name only (not recursive), so '/' could never match.
    if (p->empty()) c.error(index_path(path, i), "must not be empty");
    else if (p->find('/') != std::string::npos) c.error(index_path(path, i), "matches file names only; must not contain '/'");
    else if (has_control(*p)) c.error(index_path(path, i), "must not contain control characters");
    else if (p->size() > 255) c.error(index_path(path, i), "must be at most 255 characters");
  }
}

}  // namespace

void check_event_source_spec(const nlohmann::json& spec, const std::string& /*name*/, Checker& c) {
  if (spec.is_null()) {
    c.error("spec", "required field is missing (an EventSource needs spec.directory and spec.queue)");
    return;
  }
  if (!c.object(spec, "spec", {"directory", "queue", "body", "bucket", "include", "ignoreHidden"})) return;
  if (std::optional<std::string> dir = c.string(spec, "directory", "spec", true)) {
    std::string why = absolute_path_problem(*dir);
    if (!why.empty()) c.error("spec.directory", why);
  }
  if (std::optional<std::string> q = c.string(spec, "queue", "spec", true)) {
    std::string why = check_queue_name(*q);
    if (!why.empty()) c.error("spec.queue", why);
  }
  c.one_of(spec, "body", "spec", {"s3", "simple"});
  if (std::optional<std::string> b = c.string(spec, "bucket", "spec")) {
    if (b->empty() || b->size() > 1024) c.error("spec.bucket", "must be 1 to 1024 characters");
    else if (has_control(*b)) c.error("spec.bucket", "must not contain control characters");
  }
  check_include(spec, c);
  c.boolean(spec, "ignoreHidden", "spec");
}

nlohmann::json event_source_defaults() { return {{"body", "s3"}, {"ignoreHidden", true}}; }

}  // namespace ebb::manifest
