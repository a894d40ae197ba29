// One SQS request in flight: decoded parameters plus the means to answer. Shared by
// the action handlers; lives until the answer is sent (answers may come later, from
// the committer thread or a long-poll wake-up).
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "api/sqs/protocol.h"
#include "api/sqs/sqs_api.h"
#include "base/result.h"
#include "base/value.h"

namespace ebb::sqs {

struct Call {
  Engine& engine;
  const SqsApiConfig& cfg;
  Protocol protocol;
  std::string_view action;
  bool has_output = false;
  SqsRequest req;
  Value params;
  SqsApi::Done done;

  Call(Engine& e, const SqsApiConfig& c, Protocol p, SqsRequest r, SqsApi::Done d)
      : engine(e), cfg(c), protocol(p), req(std::move(r)), done(std::move(d)) {}

  // Answer with `result` (ignored for actions without output).
  void reply(const Value& result);
  void fail(const Error& e);
  // Answer once `t` is durable; a failed commit answers 503 ServiceUnavailable.
  static void reply_when_durable(const std::shared_ptr<Call>& call, Token t, Value result);
  // The same for a result already rendered by a ResultWriter (the hot actions).
  static void reply_when_durable(const std::shared_ptr<Call>& call, Token t, SqsResponse rendered);

  const std::string& account() const { return engine.config().account; }
  std::string queue_url(std::string_view name) const;
  // The queue named by the required QueueUrl parameter.
  Result<std::string> queue_name() const;
};

using CallPtr = std::shared_ptr<Call>;

// An action handler: returns an error to answer at once, or Ok after arranging the
// answer (directly or through a callback).
using Handler = Status (*)(const CallPtr&);

}  // namespace ebb::sqs
