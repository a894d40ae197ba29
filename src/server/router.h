// One port, many APIs (ARCHITECTURE.md "One program, one port"; sqs-api.md §2.1):
// /healthz, /readyz, /metrics, /api/v1/... (native), and everything else is the SQS
// API behind the auth stage. Counts every answer for ebb_http_requests_total.
#pragma once
#include <atomic>

#include "api/admin/admin_api.h"
#include "api/http/auth_stage.h"
#include "api/http/http_message.h"
#include "api/sqs/sqs_api.h"
#include "clock/clock.h"
#include "obs/activity.h"
#include "obs/observed_store.h"
#include "server/http_metrics.h"
#include "server/native_auth.h"
#include "server/tokens.h"
#include "service/service_controller.h"

namespace ebb::server {

class AccessKeyStore;
class KeyRing;

struct RouterParts {
  Engine& engine;
  SqsApi& sqs;
  admin::AdminApi& admin;
  const http::AuthStage& auth;
  HttpMetrics& metrics;
  Clock& clock;
  const std::atomic<bool>& ready;  // false while starting and while draining
  const service::ServiceController* const* services = nullptr;  // set once services run
  const obs::Activity* activity = nullptr;     // task/Job/schedule/cost families
  const obs::ObservedStore* store = nullptr;   // store commit latency
  std::string db_path;                         // ebb_store_size_bytes
  const alarm::AlarmController* const* alarms = nullptr;  // set once alarms run
  // /api/v1 and /metrics credentials (docs/security.md); nullptr = open (unit tests).
  NativeAuth* native_auth = nullptr;
  TokenStore* tokens = nullptr;        // /api/v1/tokens
  Committer* committer = nullptr;      // token changes answer once durable
  const sched::ScheduleController* const* schedules = nullptr;  // set once schedules run
  AccessKeyStore* access_keys = nullptr;  // /api/v1/keys
  // SQS key policies (reliability.md §3.2 step 12) with --auth sigv4; nullptr = none.
  const KeyRing* key_ring = nullptr;
  // Plain HTTP on a non-loopback address (--allow-insecure-remote): /ui/session says so
  // and the dashboard shows a warning banner (reliability.md §4.1).
  bool insecure_remote = false;
  bool tls = false;  // HTTPS listener: queue URLs from the Host header are https://
};

class Router {
 public:
  explicit Router(RouterParts parts) : p_(parts) {}
  void handle(http::HttpRequest req, http::Respond respond);

 private:
  void handle_sqs(http::HttpRequest req, http::Respond respond);
  http::HttpResponse handle_session(const http::HttpRequest& req);
  RouterParts p_;
};

}  // namespace ebb::server
