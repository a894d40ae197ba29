#include "api/sqs/query_tree.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace ebb::sqs {

namespace {

constexpr int kMaxIndex = 1000;
constexpr size_t kMaxDistinctIndexes = 100;

enum class Shape { List, Map, EntryList };

struct Rule {
  std::string_view query;     // first name segment
  std::string_view json;      // member name in the tree
  Shape shape;
  std::string_view key_field; // Map: the field holding the key ("Name" / "Key")
};

// A parameter still to place: the part of its name not yet consumed, and its value.
struct Param {
  std::string_view name;
  std::string* value;
};

const Rule kTopRules[] = {
    {"Attribute", "Attributes", Shape::Map, "Name"},
    {"Tag", "Tags", Shape::Map, "Key"},  // json name fixed up for CreateQueue
    {"Tags", "Tags", Shape::Map, "Key"},
    {"TagKey", "TagKeys", Shape::List, {}},
    {"AttributeName", "AttributeNames", Shape::List, {}},
    {"MessageSystemAttributeName", "MessageSystemAttributeNames", Shape::List, {}},
    {"MessageAttributeName", "MessageAttributeNames", Shape::List, {}},
    {"MessageAttribute", "MessageAttributes", Shape::Map, "Name"},
    {"MessageSystemAttribute", "MessageSystemAttributes", Shape::Map, "Name"},
    {"SendMessageBatchRequestEntry", "Entries", Shape::EntryList, {}},
    {"DeleteMessageBatchRequestEntry", "Entries", Shape::EntryList, {}},
    {"ChangeMessageVisibilityBatchRequestEntry", "Entries", Shape::EntryList, {}},
    {"AWSAccountId", "AWSAccountIds", Shape::List, {}},
    {"ActionName", "Actions", Shape::List, {}},
};

const Rule kEntryRules[] = {
    {"MessageAttribute", "MessageAttributes", Shape::Map, "Name"},
    {"MessageSystemAttribute", "MessageSystemAttributes", Shape::Map, "Name"},
};

template <size_t N>
const Rule* find_rule(const Rule (&rules)[N], std::string_view head) {
  for (const Rule& r : rules)
    if (r.query == head) return &r;
  return nullptr;
}

Error bad_index(std::string_view param_name) {
  return err(Code::InvalidParameterValue,
             "Value " + std::string(param_name) +
                 " for parameter names is invalid. Reason: list indexes must be between 1 and 1000 and at most 100 per list.");
}

// Strict decimal index 1..1000 (never used to size anything).
int parse_index(std::string_view s) {
  if (s.empty() || s.size() > 4) return -1;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return (v >= 1 && v <= kMaxIndex) ? v : -1;
}

// Sets member `name` (replacing an earlier one: last wins).
void put(Value& obj, std::string_view name, Value v) {
  for (auto& [k, old] : obj.members)
    if (k == name) { old = std::move(v); return; }
  obj.members.emplace_back(std::string(name), std::move(v));
}

struct Group {
  const Rule* rule;
  std::vector<Param> bare;                      // List: "AttributeName=All"
  std::map<int, std::vector<Param>> by_index;   // rest after "N." (or "" for lists)
};

Status build_object(std::vector<Param>& params, bool top, Value& out);

Status build_group(Group& g, std::string_view full_name, Value& out) {
  if (g.by_index.size() > kMaxDistinctIndexes) return bad_index(full_name);
  const Rule& r = *g.rule;
  switch (r.shape) {
    case Shape::List: {
      Value list = Value::list();
      for (Param& p : g.bare) list.push(Value::str(std::move(*p.value)));
      for (auto& [idx, ps] : g.by_index) {
        // Only "<N>" itself is an item; last one wins.
        std::string* chosen = nullptr;
        for (Param& p : ps)
          if (p.name.empty()) chosen = p.value;
        if (chosen) list.push(Value::str(std::move(*chosen)));
      }
      put(out, r.json, std::move(list));
      return {};
    }
    case Shape::Map: {
      Value* map = nullptr;
      for (auto& [k, v] : out.members)
        if (k == r.json) map = &v;
      if (!map) map = &out.set(std::string(r.json), Value::object());
      for (auto& [idx, ps] : g.by_index) {
        std::string* key = nullptr;
        std::string* scalar = nullptr;
        Value obj = Value::object();
        for (Param& p : ps) {
          if (p.name == r.key_field) key = p.value;
          else if (p.name == "Value") scalar = p.value;
          else if (p.name.size() > 6 && p.name.substr(0, 6) == "Value.")
            put(obj, p.name.substr(6), Value::str(*p.value));
        }
        if (!key) continue;  // an entry without its key carries nothing usable
        Value v = !obj.members.empty() ? std::move(obj) : scalar ? Value::str(std::move(*scalar)) : Value::str("");
        put(*map, *key, std::move(v));
      }
      return {};
    }
    case Shape::EntryList: {
      Value* list = nullptr;
      for (auto& [k, v] : out.members)
        if (k == r.json) list = &v;
      if (!list) list = &out.set(std::string(r.json), Value::list());
      for (auto& [idx, ps] : g.by_index) {
        Value entry = Value::object();
        EBB_CHECK(build_object(ps, false, entry));
        list->push(std::move(entry));
      }
      return {};
    }
  }
  return {};
}

Status build_object(std::vector<Param>& params, bool top, Value& out) {
  std::vector<Group> groups;
  std::vector<std::string_view> group_names;
  for (Param& p : params) {
    size_t dot = p.name.find('.');
    std::string_view head = p.name.substr(0, dot);
    const Rule* rule = top ? find_rule(kTopRules, head) : find_rule(kEntryRules, head);
    if (!rule) {
      if (dot == std::string_view::npos) put(out, head, Value::str(std::move(*p.value)));
      continue;  // unknown structured parameters are ignored
    }
    Group* g = nullptr;
    for (Group& existing : groups)
      if (existing.rule == rule) g = &existing;
    if (!g) {
      groups.push_back(Group{rule, {}, {}});
      group_names.push_back(head);
      g = &groups.back();
    }
    if (dot == std::string_view::npos) {
      if (rule->shape == Shape::List) g->bare.push_back(Param{{}, p.value});
      continue;
    }
    std::string_view rest = p.name.substr(dot + 1);
    size_t dot2 = rest.find('.');
    int idx = parse_index(rest.substr(0, dot2));
    if (idx < 0) return bad_index(p.name);
    std::string_view field = dot2 == std::string_view::npos ? std::string_view{} : rest.substr(dot2 + 1);
    g->by_index[idx].push_back(Param{field, p.value});
  }
  for (size_t i = 0; i < groups.size(); ++i) EBB_CHECK(build_group(groups[i], group_names[i], out));
  return {};
}

}  // namespace

Result<Value> build_query_tree(FormParams& params, std::string_view action) {
  std::vector<Param> ps;
  ps.reserve(params.size());
  for (auto& [name, value] : params) ps.push_back(Param{name, &value});
  Value tree = Value::object();
  EBB_CHECK(build_object(ps, true, tree));
  // CreateQueue's model names its tag map `tags` (lower case); TagQueue's is `Tags`.
  if (action == "CreateQueue")
    for (auto& [k, v] : tree.members)
      if (k == "Tags") k = "tags";
  return tree;
}

}  // namespace ebb::sqs
