#include "api/sqs/call.h"

#include "api/sqs/params.h"
#include "api/sqs/queue_url.h"
#include "api/sqs/response.h"

namespace ebb::sqs {

void Call::reply(const Value& result) {
  done(render_result(protocol, action, has_output ? &result : nullptr, req.request_id));
}

void Call::fail(const Error& e) { done(render_error(protocol, action, e, req.request_id)); }

void Call::reply_when_durable(const CallPtr& call, Token t, Value result) {
  call->engine.when_durable(t, [call, result = std::move(result)](bool ok) {
    if (ok) call->reply(result);
    else call->fail(err(Code::ServiceUnavailable, "The request could not be stored durably. Retry later."));
  });
}

void Call::reply_when_durable(const CallPtr& call, Token t, SqsResponse rendered) {
  call->engine.when_durable(t, [call, rendered = std::move(rendered)](bool ok) mutable {
    if (ok) call->done(std::move(rendered));
    else call->fail(err(Code::ServiceUnavailable, "The request could not be stored durably. Retry later."));
  });
}

std::string Call::queue_url(std::string_view name) const {
  return make_queue_url(cfg.public_url, req.scheme, req.host, account(), name);
}

Result<std::string> Call::queue_name() const {
  EBB_TRY(const std::string* url, req_string(params, "QueueUrl"));
  return queue_name_from_url(*url, account());
}

}  // namespace ebb::sqs
