// parse_documents() / parse_file(): one file's text → JSON documents, with
// `kind: List` expanded (ecosystem.md §3.6). YAML goes through document_split and
// yaml_reader; JSON through the same reader (YAML 1.2 is a superset of JSON, and it
// gives JSON the same duplicate-key and position checks), with JSON's number grammar.
#include <string>

#include "manifest/checker.h"
#include "manifest/document_split.h"
#include "manifest/manifest.h"
#include "manifest/yaml_reader.h"

namespace ebb::manifest {
namespace {

bool looks_like_json(std::string_view text) {
  std::size_t p = text.find_first_not_of(" \t\r\n");
  return p != std::string_view::npos && (text[p] == '{' || text[p] == '[');
}

bool is_list(const nlohmann::json& doc) {
  if (!doc.is_object()) return false;
  auto kind = doc.find("kind");
  return kind != doc.end() && kind->is_string() && kind->get<std::string>() == "List" && doc.contains("items");
}

// A List's items become documents of their own; a List may not nest another.
void expand(nlohmann::json doc, const std::string& origin, std::vector<Document>& out,
            std::vector<std::string>& errors) {
  if (!is_list(doc)) {
    if (!doc.is_object()) {
      errors.push_back(origin + ": a document must be a map (apiVersion, kind, metadata, spec)");
      return;
    }
    out.push_back(Document{std::move(doc), origin});
    return;
  }
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const std::string& k = it.key();
    if (k != "apiVersion" && k != "kind" && k != "items" && k != "metadata") {
      errors.push_back(origin + ": " + k + ": unknown field");
    }
  }
  if (auto api = doc.find("apiVersion"); api != doc.end() && *api != "v1" && *api != "ebb/v1") {
    errors.push_back(origin + ": apiVersion: a List must be v1 or ebb/v1");
  }
  nlohmann::json& items = doc["items"];
  if (!items.is_array()) {
    errors.push_back(origin + ": items: must be a list");
    return;
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string item_origin = origin + " items[" + std::to_string(i) + "]";
    if (is_list(items[i])) {
      errors.push_back(item_origin + ": a List cannot contain another List");
      continue;
    }
    expand(std::move(items[i]), item_origin, out, errors);
  }
}

}  // namespace

Result<std::vector<Document>> parse_file(std::string_view text, std::string_view source) {
  const std::string src = source.empty() ? "<input>" : std::string(source);
  // reliability.md §5.4: the CLI stops before reading more; this guards other callers.
  if (text.size() > kMaxManifestBytes) {
    return err(Code::Invalid, src + ": larger than " + std::to_string(kMaxManifestBytes) + " bytes");
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte order mark

  std::vector<DocumentText> parts;
  const bool json = looks_like_json(text);
  if (json) parts.push_back(DocumentText{std::string(text), 0});
  else parts = split_documents(text);

  std::vector<Document> out;
  std::vector<std::string> errors;
  int number = 0;
  for (const DocumentText& part : parts) {
    ReadResult r = read_document(part.text, part.first_line, json);
    if (!r.doc && r.errors.empty()) continue;  // empty document (kubectl skips them too)
    std::string origin = src + " document " + std::to_string(++number);
    for (const std::string& e : r.errors) errors.push_back(origin + ": " + e);
    if (r.doc) expand(std::move(*r.doc), origin, out, errors);
  }
  if (!errors.empty()) return err(Code::Invalid, join_lines(errors));
  if (out.empty()) return err(Code::Invalid, src + ": no documents");
  return out;
}

Result<std::vector<nlohmann::json>> parse_documents(std::string_view text, std::string_view source) {
  EBB_TRY(std::vector<Document> docs, parse_file(text, source));
  std::vector<nlohmann::json> out;
  out.reserve(docs.size());
  for (Document& d : docs) out.push_back(std::move(d.doc));
  return out;
}

}  // namespace ebb::manifest
