#include "api/sqs/params.h"

namespace ebb::sqs {

Error missing_parameter(std::string_view name) {
  return err(Code::MissingParameter, "The request must contain the parameter " + std::string(name) + ".");
}

Error invalid_value(std::string_view value, std::string_view name, std::string_view reason) {
  std::string m;
  m.reserve(64 + value.size() + reason.size());
  m.append("Value ").append(value).append(" for parameter ").append(name).append(" is invalid. Reason: ").append(reason);
  return err(Code::InvalidParameterValue, std::move(m));
}

std::optional<int64_t> parse_strict_int(std::string_view t) {
  size_t i = 0;
  bool neg = false;
  if (!t.empty() && t[0] == '-') { neg = true; i = 1; }
  size_t digits = t.size() - i;
  if (digits == 0 || digits > 18) return std::nullopt;
  int64_t v = 0;
  for (; i < t.size(); ++i) {
    char c = t[i];
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return neg ? -v : v;
}

std::string scalar_text(const Value& v) {
  switch (v.kind) {
    case Value::Kind::String:
    case Value::Kind::Number: return v.text;
    case Value::Kind::Bool: return v.boolean ? "true" : "false";
    case Value::Kind::Null: return "null";
    case Value::Kind::List: return "[...]";
    case Value::Kind::Object: return "{...}";
  }
  return {};
}

const Value* find(const Value& obj, std::string_view name) {
  const Value* v = obj.get(name);
  return (v && !v->is_null()) ? v : nullptr;
}

Result<const std::string*> opt_string(const Value& obj, std::string_view name) {
  const Value* v = find(obj, name);
  if (!v) return static_cast<const std::string*>(nullptr);
  if (!v->is_string()) return invalid_value(scalar_text(*v), name, "Must be a string.");
  return &v->text;
}

Result<const std::string*> req_string(const Value& obj, std::string_view name) {
  EBB_TRY(const std::string* s, opt_string(obj, name));
  if (!s || s->empty()) return missing_parameter(name);
  return s;
}

Result<std::optional<int>> opt_int(const Value& obj, std::string_view name, int64_t min, int64_t max,
                                   std::string_view reason) {
  const Value* v = obj.get(name);
  if (!v) return std::optional<int>{};
  std::optional<int64_t> n;
  if (v->kind == Value::Kind::String || v->kind == Value::Kind::Number) n = parse_strict_int(v->text);
  if (!n || *n < min || *n > max) return invalid_value(scalar_text(*v), name, reason);
  return std::optional<int>{static_cast<int>(*n)};
}

Result<std::optional<bool>> opt_bool(const Value& obj, std::string_view name) {
  const Value* v = find(obj, name);
  if (!v) return std::optional<bool>{};
  if (v->kind == Value::Kind::Bool) return std::optional<bool>{v->boolean};
  if (v->is_string()) {
    std::string low;
    for (char c : v->text) low.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    if (low == "true") return std::optional<bool>{true};
    if (low == "false") return std::optional<bool>{false};
  }
  return invalid_value(scalar_text(*v), name, "Must be true or false.");
}

Result<const Value*> opt_list(const Value& obj, std::string_view name) {
  const Value* v = find(obj, name);
  if (!v) return static_cast<const Value*>(nullptr);
  // botocore's Query serializer writes an empty list as "Name=" (an empty scalar).
  static const Value kEmptyList = Value::list();
  if (v->is_string() && v->text.empty()) return &kEmptyList;
  if (!v->is_list()) return invalid_value(scalar_text(*v), name, "Must be a list.");
  return v;
}

Result<const Value*> opt_object(const Value& obj, std::string_view name) {
  const Value* v = find(obj, name);
  if (!v) return static_cast<const Value*>(nullptr);
  static const Value kEmptyMap = Value::object();
  if (v->is_string() && v->text.empty()) return &kEmptyMap;  // Query: "Name=" is an empty map
  if (!v->is_object()) return invalid_value(scalar_text(*v), name, "Must be a map.");
  return v;
}

Result<std::vector<std::string>> string_list(const Value& obj, std::string_view name) {
  std::vector<std::string> out;
  EBB_TRY(const Value* list, opt_list(obj, name));
  if (!list) return out;
  out.reserve(list->items.size());
  for (const Value& item : list->items) {
    if (!item.is_string()) return invalid_value(scalar_text(item), name, "List items must be strings.");
    out.push_back(item.text);
  }
  return out;
}

Result<std::map<std::string, std::string>> string_map(const Value& obj, std::string_view name) {
  std::map<std::string, std::string> out;
  EBB_TRY(const Value* map, opt_object(obj, name));
  if (!map) return out;
  for (const auto& [k, v] : map->members) {
    if (v.kind == Value::Kind::String || v.kind == Value::Kind::Number || v.kind == Value::Kind::Bool)
      out[k] = scalar_text(v);
    else
      return invalid_value(scalar_text(v), name, "Map values must be strings.");
  }
  return out;
}

}  // namespace ebb::sqs
