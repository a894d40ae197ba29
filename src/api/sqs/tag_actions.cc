// TagQueue, UntagQueue, ListQueueTags (sqs-api.md §10.15).
#include "api/sqs/actions.h"
#include "api/sqs/params.h"
#include "api/sqs/tag_rules.h"

namespace ebb::sqs {

Status tag_queue(const CallPtr& c) {
  EBB_TRY(std::string name, c->queue_name());
  EBB_TRY(auto tags, string_map(c->params, "Tags"));
  if (tags.empty()) return missing_parameter("Tags");
  EBB_CHECK(check_tags(tags, name));
  EBB_TRY(Token t, c->engine.tag_queue(name, tags));
  Call::reply_when_durable(c, t, Value::object());
  return {};
}

Status untag_queue(const CallPtr& c) {
  EBB_TRY(std::string name, c->queue_name());
  EBB_TRY(auto keys, string_list(c->params, "TagKeys"));
  if (keys.empty()) return missing_parameter("TagKeys");
  EBB_TRY(Token t, c->engine.untag_queue(name, keys));
  Call::reply_when_durable(c, t, Value::object());
  return {};
}

Status list_queue_tags(const CallPtr& c) {
  EBB_TRY(std::string name, c->queue_name());
  EBB_TRY(auto tags, c->engine.list_tags(name));
  Value r = Value::object();
  if (!tags.empty()) {
    Value& m = r.set("Tags", Value::map("Tag", "Key", "Value"));
    for (auto& [k, v] : tags) m.set(k, Value::str(v));
  }
  c->reply(r);
  return {};
}

}  // namespace ebb::sqs
