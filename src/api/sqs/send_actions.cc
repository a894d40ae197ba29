// SendMessage and SendMessageBatch (sqs-api.md §10.8, §10.9). Hot path: the body is
// moved, not copied, from the decoded request into the engine.
#include "api/sqs/actions.h"
#include "api/sqs/attribute_digest.h"
#include "api/sqs/batch.h"
#include "api/sqs/message_rules.h"
#include "api/sqs/params.h"
#include "api/sqs/result_writer.h"
#include "base/crypto.h"

namespace ebb::sqs {

namespace {

constexpr size_t kMaxBatchBytes = 1048576;

struct PreparedSend {
  SendEntry entry;
  std::string md5_body, md5_attrs, md5_sys;
};

// Validates one message (SendMessage params or one batch entry) and takes its body.
Result<PreparedSend> prepare_send(const Call& c, Value& obj, bool in_batch) {
  PreparedSend p;
  Value* body = obj.is_object() ? const_cast<Value*>(find(obj, "MessageBody")) : nullptr;
  if (body && !body->is_string()) return invalid_value(scalar_text(*body), "MessageBody", "Must be a string.");
  EBB_CHECK(check_body(body ? &body->text : nullptr));
  EBB_TRY(std::optional<int> delay, opt_int(obj, "DelaySeconds", 0, 900, "Must be between 0 and 900, if provided."));
  EBB_TRY(const Value* attr_map, opt_object(obj, "MessageAttributes"));
  EBB_TRY(MsgAttrs attrs, parse_message_attributes(attr_map));
  EBB_TRY(const Value* sys_map, opt_object(obj, "MessageSystemAttributes"));
  EBB_TRY(SystemAttrs sys, parse_system_attributes(sys_map));
  EBB_TRY(const std::string* group, opt_string(obj, "MessageGroupId"));
  if (group) EBB_CHECK(check_fifo_id(*group, "MessageGroupId"));
  EBB_TRY(const std::string* dedup, opt_string(obj, "MessageDeduplicationId"));
  if (dedup) EBB_CHECK(check_fifo_id(*dedup, "MessageDeduplicationId"));

  p.md5_body = md5_hex(body->text);
  p.md5_attrs = attributes_md5(attrs);
  p.md5_sys = std::move(sys.md5);
  SendEntry& e = p.entry;
  e.body = std::move(body->text);
  e.attrs = std::move(attrs);
  e.delay_seconds = delay;
  if (group) e.group_id = *group;
  if (dedup) e.dedup_id = *dedup;
  // The explicit system attribute wins over the X-Amzn-Trace-Id header (§2.3).
  e.trace_header = sys.present && !sys.trace_header.empty() ? std::move(sys.trace_header) : c.req.trace_id;
  e.sender_id = c.req.access_key_id.empty() ? c.account() : c.req.access_key_id;
  e.in_batch = in_batch;
  return p;
}

void put_send_result(ResultWriter& w, const PreparedSend& p, const SendResult& res) {
  w.str("MessageId", res.message_id);
  w.str("MD5OfMessageBody", p.md5_body);
  if (!p.md5_attrs.empty()) w.str("MD5OfMessageAttributes", p.md5_attrs);
  if (!p.md5_sys.empty()) w.str("MD5OfMessageSystemAttributes", p.md5_sys);
  if (!res.sequence_number.empty()) w.str("SequenceNumber", res.sequence_number);
}

// Decoded size of base64 text (for the request-level size check, before decoding).
size_t base64_size(const std::string& s) {
  size_t n = s.size() / 4 * 3;
  if (!s.empty() && s.back() == '=') --n;
  if (s.size() > 1 && s[s.size() - 2] == '=') --n;
  return n;
}

// §8.3 size of an entry as sent, computed before validation for BatchRequestTooLong.
size_t raw_entry_size(const Value& e) {
  size_t n = 0;
  if (const Value* b = find(e, "MessageBody")) n += b->text.size();
  const Value* attrs = find(e, "MessageAttributes");
  if (attrs && attrs->is_object()) {
    for (const auto& [name, v] : attrs->members) {
      n += name.size();
      if (!v.is_object()) continue;
      if (const Value* t = find(v, "DataType")) n += t->text.size();
      if (const Value* s = find(v, "StringValue")) n += s->text.size();
      if (const Value* b = find(v, "BinaryValue")) n += base64_size(b->text);
    }
  }
  return n;
}

}  // namespace

Status send_message(const CallPtr& c) {
  EBB_TRY(std::string name, c->queue_name());
  EBB_TRY(PreparedSend p, prepare_send(*c, c->params, false));
  std::vector<SendEntry> entries;
  entries.push_back(std::move(p.entry));
  Token t = 0;
  EBB_TRY(auto results, c->engine.send(name, std::move(entries), t));
  if (results.empty()) return err(Code::InternalError, "The engine returned no result.");
  if (!results[0].ok()) return results[0].error();
  ResultWriter w(c->protocol, c->action);
  put_send_result(w, p, results[0].value());
  Call::reply_when_durable(c, t, std::move(w).finish(c->req.request_id));
  return {};
}

Status send_message_batch(const CallPtr& c) {
  EBB_TRY(std::string name, c->queue_name());
  EBB_TRY(const Value* list, check_batch_shape(*c, name, "SendMessageBatchRequestEntry"));
  Value& entries_v = const_cast<Value&>(*list);
  size_t total = 0;
  for (const Value& e : entries_v.items) total += raw_entry_size(e);
  if (total > kMaxBatchBytes)
    return err(Code::BatchRequestTooLong, "Batch requests cannot be longer than 1048576 bytes. You have sent " +
                                              std::to_string(total) + " bytes.");

  size_t n = entries_v.items.size();
  std::vector<PreparedSend> prepared;
  std::vector<size_t> origin;  // request index of each prepared entry
  prepared.reserve(n);
  origin.reserve(n);
  std::vector<FailedEntry> failed;
  for (size_t i = 0; i < n; ++i) {
    Value& e = entries_v.items[i];
    auto p = prepare_send(*c, e, true);
    if (!p.ok()) {
      failed.push_back({&e.get("Id")->text, p.error()});
      continue;
    }
    prepared.push_back(std::move(p.value()));
    origin.push_back(i);
  }
  // Rendered directly (ResultWriter): ~130 bytes per successful entry.
  ResultWriter w(c->protocol, c->action, 256 + 200 * n);
  Token t = 0;
  if (!prepared.empty()) {
    std::vector<SendEntry> entries;
    entries.reserve(prepared.size());
    for (PreparedSend& p : prepared) entries.push_back(std::move(p.entry));
    EBB_TRY(auto results, c->engine.send(name, std::move(entries), t));
    bool listed = false;
    for (size_t k = 0; k < results.size() && k < prepared.size(); ++k) {
      const std::string& id = entries_v.items[origin[k]].get("Id")->text;
      if (!results[k].ok()) {
        failed.push_back({&id, results[k].error()});
        continue;
      }
      if (!listed) w.begin_list("Successful", "SendMessageBatchResultEntry");
      listed = true;
      w.begin_item();
      w.str("Id", id);
      put_send_result(w, prepared[k], results[k].value());
      w.end_item();
    }
    if (listed) w.end_list();
  }
  write_failed(w, failed);
  Call::reply_when_durable(c, t, std::move(w).finish(c->req.request_id));
  return {};
}

}  // namespace ebb::sqs
