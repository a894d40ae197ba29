// Actions on receipt handles: DeleteMessage(Batch), ChangeMessageVisibility(Batch)
// (sqs-api.md §10.11–§10.14). The engine judges the handles (§9.3).
#include "api/sqs/actions.h"
#include "api/sqs/batch.h"
#include "api/sqs/params.h"

namespace ebb::sqs {

namespace {

constexpr std::string_view kVisibilityReason = "Must be between 0 and 43200, if provided.";

Result<int> required_visibility(const Value& obj) {
  EBB_TRY(std::optional<int> v, opt_int(obj, "VisibilityTimeout", 0, 43200, kVisibilityReason));
  if (!v) return missing_parameter("VisibilityTimeout");
  return *v;
}

}  // namespace

Status delete_message(const CallPtr& c) {
  EBB_TRY(std::string name, c->queue_name());
  EBB_TRY(const std::string* handle, req_string(c->params, "ReceiptHandle"));
  Token t = 0;
  EBB_TRY(auto results, c->engine.delete_messages(name, {*handle}, t));
  if (!results.empty() && !results[0].ok()) return results[0].error();
  Call::reply_when_durable(c, t, Value::object());
  return {};
}

Status delete_message_batch(const CallPtr& c) {
  EBB_TRY(std::string name, c->queue_name());
  EBB_TRY(const Value* list, check_batch_shape(*c, name, "DeleteMessageBatchRequestEntry"));
  std::vector<std::string> handles;
  std::vector<const std::string*> ids;
  handles.reserve(list->items.size());
  ids.reserve(list->items.size());
  std::vector<FailedEntry> failed;
  for (const Value& e : list->items) {
    const std::string& id = e.get("Id")->text;
    auto h = req_string(e, "ReceiptHandle");
    if (!h.ok()) {
      failed.push_back({&id, h.error()});
      continue;
    }
    handles.push_back(**h);
    ids.push_back(&id);
  }
  // Rendered directly (ResultWriter), the hot path of consumers.
  ResultWriter w(c->protocol, c->action, 256 + 80 * list->items.size());
  Token t = 0;
  if (!handles.empty()) {
    EBB_TRY(auto results, c->engine.delete_messages(name, handles, t));
    bool listed = false;
    for (size_t k = 0; k < results.size() && k < ids.size(); ++k) {
      if (!results[k].ok()) {
        failed.push_back({ids[k], results[k].error()});
        continue;
      }
      if (!listed) w.begin_list("Successful", "DeleteMessageBatchResultEntry");
      listed = true;
      w.begin_item();
      w.str("Id", *ids[k]);
      w.end_item();
    }
    if (listed) w.end_list();
  }
  write_failed(w, failed);
  Call::reply_when_durable(c, t, std::move(w).finish(c->req.request_id));
  return {};
}

Status change_message_visibility(const CallPtr& c) {
  EBB_TRY(std::string name, c->queue_name());
  EBB_TRY(const std::string* handle, req_string(c->params, "ReceiptHandle"));
  EBB_TRY(int timeout, required_visibility(c->params));
  Token t = 0;
  EBB_TRY(auto results, c->engine.change_visibility(name, {{*handle, timeout}}, t));
  if (!results.empty() && !results[0].ok()) return results[0].error();
  Call::reply_when_durable(c, t, Value::object());
  return {};
}

Status change_message_visibility_batch(const CallPtr& c) {
  EBB_TRY(std::string name, c->queue_name());
  EBB_TRY(const Value* list, check_batch_shape(*c, name, "ChangeMessageVisibilityBatchRequestEntry"));
  std::vector<std::pair<std::string, int>> entries;
  std::vector<const std::string*> ids;
  entries.reserve(list->items.size());
  ids.reserve(list->items.size());
  Value failed = failed_list();
  for (const Value& e : list->items) {
    const std::string& id = e.get("Id")->text;
    auto h = req_string(e, "ReceiptHandle");
    if (!h.ok()) {
      failed.push(failed_entry(id, h.error()));
      continue;
    }
    auto v = required_visibility(e);
    if (!v.ok()) {
      failed.push(failed_entry(id, v.error()));
      continue;
    }
    entries.emplace_back(**h, *v);
    ids.push_back(&id);
  }
  Value successful = success_list("ChangeMessageVisibilityBatchResultEntry");
  Token t = 0;
  if (!entries.empty()) {
    EBB_TRY(auto results, c->engine.change_visibility(name, entries, t));
    for (size_t k = 0; k < results.size() && k < ids.size(); ++k) {
      if (!results[k].ok()) {
        failed.push(failed_entry(*ids[k], results[k].error()));
        continue;
      }
      Value r = Value::object();
      r.set("Id", Value::str(*ids[k]));
      successful.push(std::move(r));
    }
  }
  Call::reply_when_durable(c, t, batch_result(std::move(successful), std::move(failed)));
  return {};
}

}  // namespace ebb::sqs
