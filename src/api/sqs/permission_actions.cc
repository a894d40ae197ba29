// AddPermission, RemovePermission (sqs-api.md §10.18): wire validation here, the
// Policy document edit in the engine.
#include "api/sqs/actions.h"
#include "api/sqs/params.h"

namespace ebb::sqs {

namespace {

Status check_label(const std::string& label) {
  bool ok = !label.empty() && label.size() <= 80;
  for (char ch : label)
    ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
                ch == '-');
  if (ok) return {};
  return invalid_value(label, "Label",
                       "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.");
}

bool valid_action(std::string_view a) {
  static const std::string_view kActions[] = {"*",
                                              "SendMessage",
                                              "ReceiveMessage",
                                              "DeleteMessage",
                                              "ChangeMessageVisibility",
                                              "GetQueueAttributes",
                                              "GetQueueUrl",
                                              "ListDeadLetterSourceQueues",
                                              "PurgeQueue"};
  for (std::string_view k : kActions)
    if (k == a) return true;
  return false;
}

bool valid_account(const std::string& id) {
  if (id.size() != 12) return false;
  for (char ch : id)
    if (ch < '0' || ch > '9') return false;
  return true;
}

}  // namespace

Status add_permission(const CallPtr& c) {
  EBB_TRY(std::string name, c->queue_name());
  EBB_TRY(const std::string* label, req_string(c->params, "Label"));
  EBB_CHECK(check_label(*label));
  EBB_TRY(auto accounts, string_list(c->params, "AWSAccountIds"));
  if (accounts.empty()) return missing_parameter("AWSAccountIds");
  for (const std::string& a : accounts)
    if (!valid_account(a)) return invalid_value(a, "AWSAccountId", "Must be a 12-digit AWS account id.");
  EBB_TRY(auto actions, string_list(c->params, "Actions"));
  if (actions.empty()) return missing_parameter("Actions");
  for (const std::string& a : actions)
    if (!valid_action(a))
      return invalid_value(a, "ActionName", "Please refer to the appropriate WSDL for a list of valid actions.");
  EBB_TRY(Token t, c->engine.add_permission(name, *label, accounts, actions));
  Call::reply_when_durable(c, t, Value::object());
  return {};
}

Status remove_permission(const CallPtr& c) {
  EBB_TRY(std::string name, c->queue_name());
  EBB_TRY(const std::string* label, req_string(c->params, "Label"));
  EBB_TRY(Token t, c->engine.remove_permission(name, *label));
  Call::reply_when_durable(c, t, Value::object());
  return {};
}

}  // namespace ebb::sqs
