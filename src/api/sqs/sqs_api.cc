// Entry point: protocol detection (sqs-api.md §2.2), decoding, dispatch to actions.
#include "api/sqs/sqs_api.h"

#include <exception>

#include "api/sqs/actions.h"
#include "api/sqs/form_decode.h"
#include "api/sqs/json_decode.h"
#include "api/sqs/key_policy.h"
#include "api/sqs/query_tree.h"
#include "api/sqs/queue_url.h"
#include "api/sqs/response.h"

namespace ebb {

using namespace sqs;

SqsApi::SqsApi(Engine& engine, SqsApiConfig cfg) : engine_(engine), cfg_(std::move(cfg)) {}

namespace {

constexpr std::string_view kTargetPrefix = "AmazonSQS.";

void answer_error(SqsApi::Done& done, Protocol p, std::string_view action, const Error& e, const SqsRequest& req) {
  done(render_error(p, action, e, req.request_id));
}

constexpr const char* kRetryAfterSeconds = "5";

// P-D5: refuse new sends while the data volume is below its free-space watermark.
bool refuse_send(const SqsApiConfig& cfg, const ActionDef& def, SqsApi::Done& done, Protocol p,
                 const SqsRequest& req) {
  if (!cfg.refuse_sends || (def.name != "SendMessage" && def.name != "SendMessageBatch") || !cfg.refuse_sends())
    return false;
  SqsResponse r = render_error(p, def.name,
                               err(Code::ServiceUnavailable,
                                   "The server's disk is almost full: new messages are refused until space is "
                                   "freed. Receives and deletes still work. Retry later."),
                               req.request_id);
  r.headers.emplace_back("Retry-After", kRetryAfterSeconds);
  done(std::move(r));
  return true;
}

// Step 12 of reliability.md §3.2: the key's policy must allow the action on the queue
// the request names (QueueUrl, else QueueName). Answers AccessDenied and returns true
// when it does not.
bool denied(const SqsRequest& req, const ActionDef& def, const Value& params, const std::string& account,
            SqsApi::Done& done, Protocol p) {
  if (!req.policy) return false;
  std::optional<std::string> queue;
  if (const Value* url = params.get("QueueUrl"); url && url->is_string()) {
    auto name = queue_name_from_url(url->text, account);
    // A restricted key with a QueueUrl that names no queue gets the action's own error.
    if (!name.ok() && req.policy->restricted() && role_allows(req.policy->role, def.name)) {
      done(render_error(p, def.name, name.error(), req.request_id));
      return true;
    }
    if (name.ok()) queue = std::move(*name);
  } else if (const Value* n = params.get("QueueName"); n && n->is_string()) {
    queue = n->text;
  }
  Status st = authorize(*req.policy, def.name, queue);
  if (st.ok()) return false;
  done(render_error(p, def.name, st.error(), req.request_id));
  return true;
}

void run(const CallPtr& call, const ActionDef& def) {
  call->action = def.name;
  call->has_output = def.has_output;
  Status st;
  try {
    st = def.handler(call);
  } catch (const std::exception&) {
    st = err(Code::InternalError, "Internal error.");
  }
  if (!st.ok()) call->fail(st.error());
}

}  // namespace

void SqsApi::handle(SqsRequest req, Done done) {
  if (!req.amz_target.empty()) {
    // JSON protocol.
    std::string_view target = req.amz_target;
    std::string_view op = target.substr(0, kTargetPrefix.size()) == kTargetPrefix ? target.substr(kTargetPrefix.size())
                                                                                   : std::string_view{};
    const ActionDef* def = op.empty() ? nullptr : find_action(op);
    if (!def) {
      answer_error(done, Protocol::Json, {}, err(Code::UnknownOperation, "Unknown operation " + req.amz_target + "."),
                   req);
      return;
    }
    if (is_form_content_type(req.content_type)) {
      answer_error(done, Protocol::Json, def->name,
                   err(Code::InvalidParameterValue,
                       "A request with X-Amz-Target must have Content-Type application/x-amz-json-1.0."),
                   req);
      return;
    }
    auto params = decode_json_body(req.body);
    if (!params.ok()) {
      answer_error(done, Protocol::Json, def->name, params.error(), req);
      return;
    }
    if (denied(req, *def, *params, engine_.config().account, done, Protocol::Json)) return;
    if (refuse_send(cfg_, *def, done, Protocol::Json, req)) return;
    req.body.clear();
    req.body.shrink_to_fit();
    auto call = std::make_shared<Call>(engine_, cfg_, Protocol::Json, std::move(req), std::move(done));
    call->params = std::move(params.value());
    run(call, *def);
    return;
  }

  // Query protocol.
  if (is_json_content_type(req.content_type)) {
    answer_error(done, Protocol::Query, {},
                 err(Code::InvalidParameterValue,
                     "A request with Content-Type application/x-amz-json-1.0 must carry an X-Amz-Target header."),
                 req);
    return;
  }
  FormParams form;
  form.reserve(16);
  Status st = decode_form(req.query, form);
  if (st.ok() && req.method == "POST") st = decode_form(req.body, form);  // body wins: it comes last
  if (!st.ok()) {
    answer_error(done, Protocol::Query, {}, st.error(), req);
    return;
  }
  std::string action;
  for (auto& [k, v] : form)
    if (k == "Action") action = v;
  if (action.empty()) {
    answer_error(done, Protocol::Query, {},
                 err(Code::MissingAction, "Either Action or Operation query parameters must be present."), req);
    return;
  }
  const ActionDef* def = find_action(action);
  if (!def) {
    answer_error(done, Protocol::Query, {},
                 err(Code::InvalidAction, "The action " + action + " is not valid for this endpoint."), req);
    return;
  }
  auto tree = build_query_tree(form, def->name);
  if (!tree.ok()) {
    answer_error(done, Protocol::Query, def->name, tree.error(), req);
    return;
  }
  // Older SDKs post to the queue URL itself without a QueueUrl parameter (§2.1).
  if (!tree->get("QueueUrl") && is_queue_path(req.path)) tree->set("QueueUrl", Value::str(req.path));
  if (denied(req, *def, *tree, engine_.config().account, done, Protocol::Query)) return;
  if (refuse_send(cfg_, *def, done, Protocol::Query, req)) return;
  req.body.clear();
  req.body.shrink_to_fit();
  auto call = std::make_shared<Call>(engine_, cfg_, Protocol::Query, std::move(req), std::move(done));
  call->params = std::move(tree.value());
  run(call, *def);
}

}  // namespace ebb
