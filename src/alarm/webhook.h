// Webhook delivery for alarm notifications (docs/alarms.md "Webhooks"): the payload
// is JSON, signed with HMAC-SHA256 over the raw body when the action names a secret
// (header X-Ebb-Signature-256: sha256=<hex>, GitHub's convention). Requests run on
// the sender's own thread, never on ebbd's I/O threads; retries and their back-off
// are the controller's (on its injected clock).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ebb::alarm {

struct WebhookRequest {
  std::string url;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  int timeout_seconds = 10;
};

struct WebhookOutcome {
  int status = 0;      // HTTP status; 0 when no answer (connection, timeout)
  std::string error;   // transport error text, "" when an answer arrived
  bool ok() const { return status >= 200 && status < 300; }
  // Worth another attempt: no answer, 408, 429 or 5xx.
  bool retryable() const { return status == 0 || status == 408 || status == 429 || status >= 500; }
};

class WebhookSender {
 public:
  virtual ~WebhookSender() = default;
  // Sends `r`; `done` runs once, on the sender's thread.
  virtual void send(WebhookRequest r, std::function<void(WebhookOutcome)> done) = 0;
  virtual void stop() {}
};

// libcurl on one worker thread; no redirects followed; stop() abandons what is queued.
std::unique_ptr<WebhookSender> make_curl_sender();

// "sha256=" + lower-case hex HMAC-SHA256 of `body` under `secret`.
std::string signature_header(const std::string& secret, const std::string& body);

// Delay before attempt n+1 after n failed attempts: 1 s, 2 s, 4 s … capped at 60 s.
int64_t retry_delay_ms(int failed_attempts);

}  // namespace ebb::alarm
