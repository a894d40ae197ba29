#include "cli/queue_view.h"

#include "cli/human_format.h"

namespace ebb::cli {
namespace {

const nlohmann::json* walk(const nlohmann::json& j, std::initializer_list<const char*> path) {
  const nlohmann::json* cur = &j;
  for (const char* key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

}  // namespace

std::optional<int64_t> int_at(const nlohmann::json& j, std::initializer_list<const char*> path) {
  const nlohmann::json* v = walk(j, path);
  if (!v || !v->is_number_integer()) return std::nullopt;
  return v->get<int64_t>();
}

std::optional<std::string> string_at(const nlohmann::json& j, std::initializer_list<const char*> path) {
  const nlohmann::json* v = walk(j, path);
  if (!v || !v->is_string()) return std::nullopt;
  return v->get<std::string>();
}

std::optional<bool> bool_at(const nlohmann::json& j, std::initializer_list<const char*> path) {
  const nlohmann::json* v = walk(j, path);
  if (!v || !v->is_boolean()) return std::nullopt;
  return v->get<bool>();
}

std::string age_of(const nlohmann::json& object, std::chrono::system_clock::time_point now) {
  auto ts = string_at(object, {"metadata", "creationTimestamp"});
  if (!ts) return "";
  auto t = parse_rfc3339(*ts);
  if (!t) return "";
  return human_duration(std::chrono::duration_cast<std::chrono::seconds>(now - *t));
}

std::string text_of(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : ""; }

}  // namespace ebb::cli
