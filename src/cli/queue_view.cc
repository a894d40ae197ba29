#include "cli/queue_view.h"

#include "cli/api_client.h"
#include "cli/human_format.h"

namespace ebb::cli {

const nlohmann::json* find_at(const nlohmann::json& j, std::initializer_list<const char*> path) {
  const nlohmann::json* cur = &j;
  for (const char* key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

std::optional<int64_t> int_at(const nlohmann::json& j, std::initializer_list<const char*> path) {
  const nlohmann::json* v = find_at(j, path);
  if (!v || !v->is_number_integer()) return std::nullopt;
  return v->get<int64_t>();
}

std::optional<double> number_at(const nlohmann::json& j, std::initializer_list<const char*> path) {
  const nlohmann::json* v = find_at(j, path);
  if (!v || !v->is_number()) return std::nullopt;
  return v->get<double>();
}

std::optional<std::string> string_at(const nlohmann::json& j, std::initializer_list<const char*> path) {
  const nlohmann::json* v = find_at(j, path);
  if (!v || !v->is_string()) return std::nullopt;
  return v->get<std::string>();
}

std::optional<bool> bool_at(const nlohmann::json& j, std::initializer_list<const char*> path) {
  const nlohmann::json* v = find_at(j, path);
  if (!v || !v->is_boolean()) return std::nullopt;
  return v->get<bool>();
}

std::string scalar_text(const nlohmann::json* v) {
  if (!v || v->is_null() || v->is_array() || v->is_object()) return "";
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number_float()) return decimal_text(v->get<double>());
  return dump_json(*v);
}

std::string age_since(const std::optional<std::string>& timestamp, TimePoint now) {
  if (!timestamp) return "";
  auto t = parse_rfc3339(*timestamp);
  if (!t) return "";
  return human_duration(std::chrono::duration_cast<std::chrono::seconds>(now - *t));
}

std::string age_of(const nlohmann::json& object, TimePoint now) {
  return age_since(string_at(object, {"metadata", "creationTimestamp"}), now);
}

std::string text_of(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : ""; }

std::string labels_text(const nlohmann::json& object) {
  const nlohmann::json* l = find_at(object, {"metadata", "labels"});
  if (!l || !l->is_object()) return "";
  std::string out;
  for (auto it = l->begin(); it != l->end(); ++it) {  // nlohmann objects iterate sorted by key
    out += (out.empty() ? "" : ",") + it.key() + "=" + (it.value().is_string() ? it.value().get<std::string>() : dump_json(it.value()));
  }
  return out;
}

std::string join_strings(const nlohmann::json* array, const std::string& sep) {
  if (!array || !array->is_array()) return "";
  std::string out;
  bool first = true;
  for (const auto& e : *array) {
    out += (first ? "" : sep) + (e.is_string() ? e.get<std::string>() : dump_json(e));
    first = false;
  }
  return out;
}

namespace {

std::string seconds_text(const std::optional<int64_t>& s) { return s ? human_duration(std::chrono::seconds(*s)) : ""; }

}  // namespace

std::vector<std::string> queue_row(const nlohmann::json& q, bool wide, TimePoint now) {
  auto visible = int_at(q, {"status", "visible"});
  auto oldest = int_at(q, {"status", "oldestAgeSeconds"});
  // An empty queue has no oldest message, whatever the server reports for it.
  std::string oldest_text = (visible && *visible == 0) ? "" : seconds_text(oldest);
  std::vector<std::string> row = {
      string_at(q, {"metadata", "name"}).value_or(""),
      text_of(visible),
      text_of(int_at(q, {"status", "inFlight"})),
      text_of(int_at(q, {"status", "delayed"})),
      oldest_text,
      string_at(q, {"spec", "deadLetter", "queue"}).value_or(""),
      age_of(q, now),
  };
  if (wide) {
    bool fifo = bool_at(q, {"spec", "fifo"}).value_or(false);
    row.push_back(fifo ? "fifo" : "standard");
    row.push_back(seconds_text(int_at(q, {"spec", "visibilityTimeoutSeconds"})));
    row.push_back(seconds_text(int_at(q, {"spec", "messageRetentionSeconds"})));
    row.push_back(text_of(int_at(q, {"spec", "deadLetter", "maxReceiveCount"})));
    row.push_back(string_at(q, {"status", "url"}).value_or(""));
  }
  return row;
}

}  // namespace ebb::cli
