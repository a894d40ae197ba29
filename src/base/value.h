// Value: the protocol-neutral tree both SQS codecs decode requests into and encode
// results from. Query parameters and JSON bodies become the same tree (JSON member
// names), so each action is written once. Output lists and maps carry the element
// names the Query protocol's flattened XML needs (sqs-api.md §3.2).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ebb {

struct Value {
  enum class Kind : uint8_t { Null, String, Number, Bool, List, Object };

  // Special members defined after the class: clang (the fuzz build) rejects implicit
  // ones here, where vector<pair<string, Value>> would need Value complete.
  Value();
  ~Value();
  Value(const Value&);
  Value(Value&&) noexcept;
  Value& operator=(const Value&);
  Value& operator=(Value&&) noexcept;

  Kind kind = Kind::Null;
  bool boolean = false;
  std::string text;  // String value, or a Number's literal text (kept verbatim)
  std::vector<Value> items;                            // List
  std::vector<std::pair<std::string, Value>> members;  // Object (insertion order)

  // XML hints (output only). List: each item becomes <xml_item>…</xml_item>, flattened.
  // Object with xml_entry set: a map, each member becomes
  // <xml_entry><xml_key>name</xml_key><xml_value>value</xml_value></xml_entry>, flattened.
  std::string_view xml_item;
  std::string_view xml_entry, xml_key, xml_value;

  static Value str(std::string s) { Value v; v.kind = Kind::String; v.text = std::move(s); return v; }
  static Value num(int64_t n) { Value v; v.kind = Kind::Number; v.text = std::to_string(n); return v; }
  static Value num_text(std::string t) { Value v; v.kind = Kind::Number; v.text = std::move(t); return v; }
  static Value boolean_of(bool b) { Value v; v.kind = Kind::Bool; v.boolean = b; return v; }
  static Value object() { Value v; v.kind = Kind::Object; return v; }
  static Value list(std::string_view xml_item = {}) { Value v; v.kind = Kind::List; v.xml_item = xml_item; return v; }
  static Value map(std::string_view entry, std::string_view key, std::string_view value) {
    Value v; v.kind = Kind::Object; v.xml_entry = entry; v.xml_key = key; v.xml_value = value; return v;
  }

  bool is_null() const { return kind == Kind::Null; }
  bool is_string() const { return kind == Kind::String; }
  bool is_object() const { return kind == Kind::Object; }
  bool is_list() const { return kind == Kind::List; }

  // Object access: first member with that name, or nullptr.
  const Value* get(std::string_view name) const {
    for (auto& [k, v] : members) if (k == name) return &v;
    return nullptr;
  }
  Value& set(std::string name, Value v) {
    members.emplace_back(std::move(name), std::move(v));
    return members.back().second;
  }
  Value& push(Value v) { items.push_back(std::move(v)); return items.back(); }
  bool empty() const { return kind == Kind::List ? items.empty() : kind == Kind::Object ? members.empty() : text.empty(); }
};

inline Value::Value() = default;
inline Value::~Value() = default;
inline Value::Value(const Value&) = default;
inline Value::Value(Value&&) noexcept = default;
inline Value& Value::operator=(const Value&) = default;
inline Value& Value::operator=(Value&&) noexcept = default;

}  // namespace ebb
