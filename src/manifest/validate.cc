// validate() and validate_all(): the generic part of every document (apiVersion,
// kind, metadata, status) here; the kind's own rules come from kinds.cc. ECS task
// definitions are turned into ebb/v1 TaskDefinition documents first.
#include <map>
#include <string>

#include "manifest/checker.h"
#include "manifest/kinds.h"
#include "manifest/manifest.h"
#include "manifest/metadata.h"
#include "manifest/task_definition_kind.h"

namespace ebb::manifest {
namespace {

std::string supported_list() {
  std::string out;
  for (const auto& [api, kind] : supported_kinds()) out += (out.empty() ? "" : ", ") + api + " " + kind;
  return out;
}

// The document minus what apply ignores.
nlohmann::json normalise(const nlohmann::json& doc) {
  nlohmann::json out = doc;
  out.erase("status");
  if (auto md = out.find("metadata"); md != out.end() && md->is_object()) {
    md->erase("namespace");
    for (std::string_view k : kServerMetadata) md->erase(std::string(k));
  }
  return out;
}

// "Queue/thumbnails" when the document says so, else "".
std::string label_of(const nlohmann::json& doc) {
  if (!doc.is_object()) return "";
  auto kind = doc.find("kind");
  auto md = doc.find("metadata");
  std::string k = kind != doc.end() && kind->is_string() ? kind->get<std::string>() : "";
  std::string n;
  if (md != doc.end() && md->is_object()) {
    auto name = md->find("name");
    if (name != md->end() && name->is_string()) n = name->get<std::string>();
  }
  if (k.empty() && n.empty()) return "";
  return (k.empty() ? "?" : k) + "/" + (n.empty() ? "?" : n);
}

// The kind of a document whose apiVersion and kind are strings, or nullptr.
const KindInfo* kind_of(const nlohmann::json& doc) {
  auto api = doc.find("apiVersion");
  auto kind = doc.find("kind");
  if (api == doc.end() || kind == doc.end() || !api->is_string() || !kind->is_string()) return nullptr;
  return find_kind(api->get<std::string>(), kind->get<std::string>());
}

Result<Validated> validate_manifest(const nlohmann::json& doc, Checker& c) {
  const KindInfo* known = doc.is_object() ? kind_of(doc) : nullptr;
  if (!(known && known->body_at_top_level) && !c.object(doc, "", {"apiVersion", "kind", "metadata", "spec", "status"})) {
    return err(Code::Invalid, join_lines(c.errors()));
  }
  if (!doc.is_object()) return err(Code::Invalid, join_lines(c.errors()));
  std::optional<std::string> api = c.string(doc, "apiVersion", "", true);
  std::optional<std::string> kind = c.string(doc, "kind", "", true);
  if (!api || !kind) return err(Code::Invalid, join_lines(c.errors()));
  const KindInfo* info = find_kind(*api, *kind);
  if (!info) {
    c.error("", "unsupported apiVersion/kind \"" + *api + " " + *kind + "\"; supported: " + supported_list());
    return err(Code::Invalid, join_lines(c.errors()));
  }
  std::optional<std::string> name = check_metadata(doc, *info, c);
  if (info->body_at_top_level) {
    nlohmann::json body = doc;
    for (const char* k : {"apiVersion", "kind", "metadata", "status"}) body.erase(k);
    info->check_spec(body, name.value_or(""), c);
  } else {
    auto spec = doc.find("spec");
    info->check_spec(spec == doc.end() ? nlohmann::json() : *spec, name.value_or(""), c);
  }
  if (!c.errors().empty()) return err(Code::Invalid, join_lines(c.errors()));
  return Validated{*api, *kind, *name, normalise(doc), c.warnings()};
}

}  // namespace

Result<Validated> validate(const nlohmann::json& doc) {
  Checker c;
  // ecosystem.md §3.6: an ECS task definition (family + containerDefinitions, no
  // apiVersion/kind) is imported as an ebb/v1 TaskDefinition, its import warnings kept.
  if (is_ecs_task_definition(doc)) {
    nlohmann::json converted = ecs_to_task_definition(doc, c);
    if (!c.errors().empty()) return err(Code::Invalid, join_lines(c.errors()));
    return validate_manifest(converted, c);
  }
  return validate_manifest(doc, c);
}

Result<std::vector<Validated>> validate_all(const std::vector<Document>& docs) {
  std::vector<Validated> out;
  std::vector<std::string> errors;
  std::map<std::string, std::string> first_origin;  // "Queue/x" → origin, for duplicates
  for (const Document& d : docs) {
    Result<Validated> v = validate(d.doc);
    if (v.ok()) {
      std::string id = v->kind + "/" + v->name;
      auto [it, fresh] = first_origin.emplace(id, d.origin);
      // Names are unique per kind (ecosystem.md §3.6): two documents for one object
      // would make the result depend on their order.
      if (!fresh) errors.push_back(d.origin + " (" + id + "): duplicate of " + it->second);
      out.push_back(std::move(v.value()));
      continue;
    }
    std::string label = label_of(d.doc);
    std::string prefix = d.origin + (label.empty() ? "" : " (" + label + ")") + ": ";
    const std::string& msg = v.error().message;
    for (std::size_t p = 0; p <= msg.size();) {
      std::size_t e = msg.find('\n', p);
      if (e == std::string::npos) e = msg.size();
      errors.push_back(prefix + msg.substr(p, e - p));
      p = e + 1;
    }
  }
  if (!errors.empty()) return err(Code::Invalid, join_lines(errors));
  return out;
}

Result<std::vector<Validated>> validate_all(const std::vector<nlohmann::json>& docs) {
  std::vector<Document> named;
  named.reserve(docs.size());
  for (std::size_t i = 0; i < docs.size(); ++i) named.push_back(Document{docs[i], "document " + std::to_string(i + 1)});
  return validate_all(named);
}

}  // namespace ebb::manifest
