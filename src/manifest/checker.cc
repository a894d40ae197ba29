#include "manifest/checker.h"

namespace ebb::manifest {

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}
namespace {

std::string json_quoted(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string field_path(std::string_view parent, std::string_view key) {
  std::string k(key);
  bool simple = !k.empty() && k.find_first_of(".[]\"/ ") == std::string::npos;
  if (simple) return parent.empty() ? k : std::string(parent) + "." + k;
  return std::string(parent) + "[" + json_quoted(k) + "]";
}

std::string index_path(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::string describe_value(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::boolean: return std::string("the boolean ") + (v.get<bool>() ? "true" : "false");
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float: return "the number " + v.dump();
    case nlohmann::json::value_t::string: return "the string " + json_quoted(v.get<std::string>());
    case nlohmann::json::value_t::array: return "a list";
    case nlohmann::json::value_t::object: return "an object";
    default: return "an unsupported value";
  }
}

void Checker::error(std::string_view path, std::string_view message) {
  errors_.push_back(path.empty() ? std::string(message) : std::string(path) + ": " + std::string(message));
}

void Checker::warn(std::string_view path, std::string_view message) {
  warnings_.push_back(path.empty() ? std::string(message) : std::string(path) + ": " + std::string(message));
}

bool Checker::object(const nlohmann::json& v, std::string_view path, std::initializer_list<std::string_view> known) {
  if (!v.is_object()) {
    error(path, "must be an object, got " + describe_value(v));
    return false;
  }
  for (auto it = v.begin(); it != v.end(); ++it) {
    bool ok = false;
    for (std::string_view k : known) ok = ok || k == it.key();
    if (!ok) error(field_path(path, it.key()), "unknown field");
  }
  return true;
}

const nlohmann::json* Checker::member(const nlohmann::json& obj, std::string_view key, std::string_view path,
                                      bool required) {
  auto it = obj.find(std::string(key));
  if (it == obj.end()) {
    if (required) error(field_path(path, key), "required field is missing");
    return nullptr;
  }
  return &*it;
}

std::optional<int64_t> Checker::integer(const nlohmann::json& obj, std::string_view key, std::string_view path,
                                        int64_t min, int64_t max, bool required) {
  const nlohmann::json* v = member(obj, key, path, required);
  if (!v) return std::nullopt;
  std::string p = field_path(path, key);
  std::string range = "between " + std::to_string(min) + " and " + std::to_string(max);
  // Strict (reliability.md §5.2): no "10", no 10.0, no true.
  if (!v->is_number_integer()) {
    error(p, "must be an integer " + range + ", got " + describe_value(*v));
    return std::nullopt;
  }
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(max)) {
    error(p, "must be " + range + ", got " + v->dump());
    return std::nullopt;
  }
  int64_t n = v->get<int64_t>();
  if (n < min || n > max) {
    error(p, "must be " + range + ", got " + std::to_string(n));
    return std::nullopt;
  }
  return n;
}

std::optional<bool> Checker::boolean(const nlohmann::json& obj, std::string_view key, std::string_view path,
                                     bool required) {
  const nlohmann::json* v = member(obj, key, path, required);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    error(field_path(path, key), "must be true or false, got " + describe_value(*v));
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<std::string> Checker::as_string(const nlohmann::json& v, std::string_view path) {
  if (v.is_string()) return v.get<std::string>();
  std::string msg = "must be a string, got " + describe_value(v);
  if (v.is_number() || v.is_boolean()) msg += "; hint: quote the value: " + json_quoted(v.dump());
  if (v.is_null()) msg += "; hint: give a value (an empty or ~ value is null in YAML; quote it for a string)";
  error(path, msg);
  return std::nullopt;
}

std::optional<std::string> Checker::string(const nlohmann::json& obj, std::string_view key, std::string_view path,
                                           bool required) {
  const nlohmann::json* v = member(obj, key, path, required);
  if (!v) return std::nullopt;
  return as_string(*v, field_path(path, key));
}

std::optional<std::string> Checker::one_of(const nlohmann::json& obj, std::string_view key, std::string_view path,
                                           std::initializer_list<std::string_view> values, bool required) {
  std::optional<std::string> s = string(obj, key, path, required);
  if (!s) return std::nullopt;
  std::string list;
  for (std::string_view v : values) {
    if (*s == v) return s;
    list += (list.empty() ? "" : ", ") + std::string(v);
  }
  error(field_path(path, key), "must be one of " + list + ", got " + json_quoted(*s));
  return std::nullopt;
}

}  // namespace ebb::manifest
