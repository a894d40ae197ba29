// The Amazon SQS wire API: protocol detection, both codecs, every action
// (sqs-api.md). Transport-neutral: the HTTP layer hands over an SqsRequest and gets
// an SqsResponse back through `done`, possibly later (long polls) and possibly on
// another thread. No Boost here.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "queue/engine.h"

namespace ebb {

namespace sqs {
struct KeyPolicy;  // api/sqs/key_policy.h
}

struct SqsRequest {
  std::string method;          // "GET" / "POST"
  std::string path;            // request target path, without the query string
  std::string query;           // raw query string (after '?'), may be empty
  std::string body;
  std::string content_type;    // may be empty
  std::string amz_target;      // X-Amz-Target header value ("" if absent)
  std::string host;            // Host header (for queue URLs)
  std::string scheme = "http";
  std::string access_key_id;   // from the Authorization header (auth stage), "" if none
  // The authenticated key's policy (reliability.md §3.2 step 12): checked before the
  // action runs. nullptr = every action on every queue (admin key, task keys, --auth none).
  std::shared_ptr<const sqs::KeyPolicy> policy;
  std::string trace_id;        // X-Amzn-Trace-Id header, "" if absent
  std::string request_id;      // UUID v4, also sent as x-amzn-RequestId
};

struct SqsResponse {
  int status = 200;
  std::string content_type;    // text/xml or application/x-amz-json-1.0
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. x-amzn-query-error
  // for logs and metrics
  std::string action;          // "" if it could not be determined
  std::string error_code;      // "" on success
  std::string metric_code;     // the error's Query code for both protocols (ebb_sqs_errors_total), "" on success
};

struct SqsApiConfig {
  std::string public_url;      // if set, base of queue URLs (no trailing slash)
  // Disk-full degradation (reliability.md P-D5): while this answers true, SendMessage
  // and SendMessageBatch get 503 ServiceUnavailable with Retry-After; everything else
  // (receives, deletes, visibility changes) goes on. Unset = never refuse.
  std::function<bool()> refuse_sends;
};

class SqsApi {
 public:
  using Done = std::function<void(SqsResponse)>;
  SqsApi(Engine& engine, SqsApiConfig cfg = {});
  // Handles one request; `done` is called exactly once.
  void handle(SqsRequest req, Done done);

 private:
  Engine& engine_;
  SqsApiConfig cfg_;
};

}  // namespace ebb
