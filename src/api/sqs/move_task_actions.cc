// StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask (sqs-api.md §9.10,
// §10.17). The engine resolves queues and tasks; this layer checks the wire format.
#include "api/sqs/actions.h"
#include "api/sqs/params.h"

namespace ebb::sqs {

namespace {

// §6.2: six ':'-separated fields, "arn" first, service "sqs", a non-empty resource.
Status check_arn_format(const std::string& arn, std::string_view param) {
  size_t fields = 1;
  for (char ch : arn) fields += ch == ':';
  bool ok = fields == 6 && arn.compare(0, 4, "arn:") == 0;
  if (ok) {
    size_t p1 = arn.find(':', 4);
    size_t p2 = arn.find(':', p1 + 1);
    ok = arn.substr(p1 + 1, p2 - p1 - 1) == "sqs" && arn.back() != ':';
  }
  if (ok) return {};
  return err(Code::InvalidParameterValue,
             "You must use this format to specify the " + std::string(param) +
                 ": arn:<partition>:<service>:<region>:<account-id>:<resource-id>");
}

}  // namespace

Status start_message_move_task(const CallPtr& c) {
  EBB_TRY(const std::string* source, req_string(c->params, "SourceArn"));
  EBB_CHECK(check_arn_format(*source, "SourceArn"));
  EBB_TRY(const std::string* dest, opt_string(c->params, "DestinationArn"));
  if (dest && !dest->empty()) EBB_CHECK(check_arn_format(*dest, "DestinationArn"));
  EBB_TRY(std::optional<int> rate, opt_int(c->params, "MaxNumberOfMessagesPerSecond", 1, 500,
                                           "Must be between 1 and 500, if provided."));
  Token t = 0;
  EBB_TRY(std::string handle, c->engine.start_move_task(*source, dest ? *dest : std::string(), rate, t));
  Value r = Value::object();
  r.set("TaskHandle", Value::str(std::move(handle)));
  Call::reply_when_durable(c, t, std::move(r));
  return {};
}

Status list_message_move_tasks(const CallPtr& c) {
  EBB_TRY(const std::string* source, req_string(c->params, "SourceArn"));
  EBB_CHECK(check_arn_format(*source, "SourceArn"));
  EBB_TRY(std::optional<int> max, opt_int(c->params, "MaxResults", 1, 10, "Must be between 1 and 10, if provided."));
  EBB_TRY(auto tasks, c->engine.list_move_tasks(*source, max.value_or(1)));
  Value r = Value::object();
  Value& list = r.set("Results", Value::list("ListMessageMoveTasksResultEntry"));
  for (MoveTaskInfo& t : tasks) {
    Value e = Value::object();
    e.set("Status", Value::str(t.status));
    if (!t.task_handle.empty()) e.set("TaskHandle", Value::str(std::move(t.task_handle)));
    e.set("SourceArn", Value::str(std::move(t.source_arn)));
    if (!t.dest_arn.empty()) e.set("DestinationArn", Value::str(std::move(t.dest_arn)));
    if (t.rate > 0) e.set("MaxNumberOfMessagesPerSecond", Value::num(t.rate));
    e.set("ApproximateNumberOfMessagesMoved", Value::num(t.moved));
    e.set("ApproximateNumberOfMessagesToMove", Value::num(t.to_move));
    if (!t.failure_reason.empty()) e.set("FailureReason", Value::str(std::move(t.failure_reason)));
    e.set("StartedTimestamp", Value::num(t.started_ms));
    list.push(std::move(e));
  }
  if (list.items.empty()) r.members.clear();
  c->reply(r);
  return {};
}

Status cancel_message_move_task(const CallPtr& c) {
  EBB_TRY(const std::string* handle, req_string(c->params, "TaskHandle"));
  Token t = 0;
  EBB_TRY(int64_t moved, c->engine.cancel_move_task(*handle, t));
  Value r = Value::object();
  r.set("ApproximateNumberOfMessagesMoved", Value::num(moved));
  Call::reply_when_durable(c, t, std::move(r));
  return {};
}

}  // namespace ebb::sqs
