#include "manifest/metadata.h"

#include "manifest/names.h"

namespace ebb::manifest {
namespace {

// labels and annotations: string → string maps.
void check_string_map(const nlohmann::json& md, std::string_view key, bool label_values, Checker& c) {
  auto it = md.find(std::string(key));
  if (it == md.end()) return;
  std::string path = field_path("metadata", key);
  if (!it->is_object()) {
    c.error(path, "must be a map of strings, got " + describe_value(*it));
    return;
  }
  // SQS allows 50 tags per queue, and labels become tags.
  if (label_values && it->size() > 50) c.error(path, "at most 50 labels");
  std::size_t total = 0;
  for (auto e = it->begin(); e != it->end(); ++e) {
    std::string p = field_path(path, e.key());
    std::string why = check_label_key(e.key());
    if (!why.empty()) c.error(p, why);
    std::optional<std::string> v = c.as_string(e.value(), p);
    if (!v) continue;
    total += e.key().size() + v->size();
    if (label_values) {
      std::string vwhy = check_label_value(*v);
      if (!vwhy.empty()) c.error(p, vwhy);
    }
  }
  if (total > 256 * 1024) c.error(path, "larger than 256 KiB in total");
}

}  // namespace

std::optional<std::string> check_metadata(const nlohmann::json& doc, const KindInfo& kind, Checker& c) {
  auto it = doc.find("metadata");
  if (it == doc.end()) {
    c.error("metadata.name", "required field is missing");
    return std::nullopt;
  }
  const nlohmann::json& md = *it;
  if (!c.object(md, "metadata",
                {"name", "namespace", "labels", "annotations", "creationTimestamp", "uid", "resourceVersion",
                 "generation"})) {
    return std::nullopt;
  }
  std::optional<std::string> name = c.string(md, "name", "metadata", true);
  if (name) {
    std::string why = kind.check_name(*name);
    if (!why.empty()) c.error("metadata.name", why);
  }
  if (std::optional<std::string> ns = c.string(md, "namespace", "metadata")) {
    c.warn("metadata.namespace", "\"" + *ns + "\" ignored: ebb has a single namespace");
  }
  check_string_map(md, "labels", true, c);
  check_string_map(md, "annotations", false, c);
  return name;
}

}  // namespace ebb::manifest
