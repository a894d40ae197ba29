// Queue-level actions: CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, PurgeQueue,
// GetQueueAttributes, SetQueueAttributes, ListDeadLetterSourceQueues (sqs-api.md §10).
#include "api/sqs/actions.h"
#include "api/sqs/key_policy.h"
#include "api/sqs/paging.h"
#include "api/sqs/params.h"
#include "api/sqs/tag_rules.h"

namespace ebb::sqs {

namespace {

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool is_true(const std::map<std::string, std::string>& attrs, const char* name) {
  auto it = attrs.find(name);
  if (it == attrs.end()) return false;
  std::string v = it->second;
  for (char& ch : v)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
  return v == "true";
}

// §9.9 / §10.1: 1–80 of [A-Za-z0-9_-], FIFO names end in ".fifo" (counted in the 80).
Status check_queue_name(const std::string& name, bool fifo) {
  std::string_view base = name;
  bool ok = !name.empty() && name.size() <= 80;
  if (fifo) {
    ok = ok && name.size() > 5 && name.compare(name.size() - 5, 5, ".fifo") == 0;
    if (ok) base = std::string_view(name).substr(0, name.size() - 5);
  }
  for (char ch : base) ok = ok && name_char(ch);
  if (ok) return {};
  if (fifo)
    return err(Code::InvalidParameterValue,
               "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end "
               "with .fifo suffix and be 1 to 80 in length");
  return err(Code::InvalidParameterValue,
             "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
}

Value attributes_map() { return Value::map("Attribute", "Name", "Value"); }

}  // namespace

Status create_queue(const CallPtr& c) {
  EBB_TRY(const std::string* name, req_string(c->params, "QueueName"));
  EBB_TRY(auto attrs, string_map(c->params, "Attributes"));
  EBB_TRY(auto tags, string_map(c->params, "tags"));
  if (tags.empty()) {
    // Some JSON clients capitalise the member like TagQueue's; accept both.
    EBB_TRY(auto upper, string_map(c->params, "Tags"));
    tags = std::move(upper);
  }
  EBB_CHECK(check_queue_name(*name, is_true(attrs, "FifoQueue")));
  EBB_CHECK(check_tags(tags, *name));
  EBB_TRY(Token t, c->engine.create_queue(*name, attrs, tags));
  Value r = Value::object();
  r.set("QueueUrl", Value::str(c->queue_url(*name)));
  Call::reply_when_durable(c, t, std::move(r));
  return {};
}

Status get_queue_url(const CallPtr& c) {
  EBB_TRY(const std::string* name, req_string(c->params, "QueueName"));
  EBB_TRY(const std::string* owner, opt_string(c->params, "QueueOwnerAWSAccountId"));
  if (owner && !owner->empty() && *owner != c->account())
    return err(Code::NonExistentQueue, "The specified queue does not exist.");
  EBB_CHECK(c->engine.queue_exists(*name));
  Value r = Value::object();
  r.set("QueueUrl", Value::str(c->queue_url(*name)));
  c->reply(r);
  return {};
}

Status list_queues(const CallPtr& c) {
  EBB_TRY(const std::string* prefix, opt_string(c->params, "QueueNamePrefix"));
  std::vector<std::string> names = c->engine.list_queues(prefix ? *prefix : std::string());
  // A key limited to some queues sees only those (reliability.md §3.2 step 12).
  if (c->req.policy) std::erase_if(names, [&](const std::string& n) { return !c->req.policy->covers(n); });
  Value r = Value::object();
  EBB_CHECK(page_queue_urls(*c, names, "QueueUrls", false, r));
  c->reply(r);
  return {};
}

Status delete_queue(const CallPtr& c) {
  EBB_TRY(std::string name, c->queue_name());
  EBB_TRY(Token t, c->engine.delete_queue(name));
  Call::reply_when_durable(c, t, Value::object());
  return {};
}

Status purge_queue(const CallPtr& c) {
  EBB_TRY(std::string name, c->queue_name());
  EBB_TRY(Token t, c->engine.purge_queue(name));
  Call::reply_when_durable(c, t, Value::object());
  return {};
}

Status get_queue_attributes(const CallPtr& c) {
  EBB_TRY(std::string name, c->queue_name());
  EBB_TRY(auto names, string_list(c->params, "AttributeNames"));
  EBB_TRY(auto values, c->engine.get_attributes(name, names));
  Value r = Value::object();
  if (!values.empty()) {
    Value& m = r.set("Attributes", attributes_map());
    m.members.reserve(values.size());
    for (auto& [k, v] : values) m.set(std::move(k), Value::str(std::move(v)));
  }
  c->reply(r);
  return {};
}

Status set_queue_attributes(const CallPtr& c) {
  EBB_TRY(std::string name, c->queue_name());
  EBB_TRY(const Value* given, opt_object(c->params, "Attributes"));
  if (!given && c->protocol == Protocol::Json) return missing_parameter("Attributes");
  EBB_TRY(auto attrs, string_map(c->params, "Attributes"));
  if (attrs.empty()) {  // an empty map is a no-op (§10.7)
    EBB_CHECK(c->engine.queue_exists(name));
    c->reply(Value::object());
    return {};
  }
  EBB_TRY(Token t, c->engine.set_attributes(name, attrs));
  Call::reply_when_durable(c, t, Value::object());
  return {};
}

Status list_dead_letter_source_queues(const CallPtr& c) {
  EBB_TRY(std::string name, c->queue_name());
  EBB_TRY(auto names, c->engine.dead_letter_sources(name));
  if (c->req.policy) std::erase_if(names, [&](const std::string& n) { return !c->req.policy->covers(n); });
  Value r = Value::object();
  EBB_CHECK(page_queue_urls(*c, names, "queueUrls", true, r));
  c->reply(r);
  return {};
}

}  // namespace ebb::sqs
