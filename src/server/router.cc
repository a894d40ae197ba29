#include "server/router.h"

#include <chrono>

#include <nlohmann/json.hpp>

#include "api/sqs/response.h"
#include "base/crypto.h"
#include "obs/gzip.h"
#include "server/credentials.h"
#include "server/key_routes.h"
#include "server/log_fields.h"
#include "server/metrics_page.h"
#include "server/token_routes.h"
#include "server/web_ui.h"

namespace ebb::server {
namespace {

using http::HttpRequest;
using http::HttpResponse;
using http::Respond;

bool wants_html(const HttpRequest& req) {
  return req.method == "GET" && req.path == "/" && req.query.empty() &&
         req.header("Accept").find("text/html") != std::string_view::npos && req.header("X-Amz-Target").empty();
}

HttpResponse with_route(HttpResponse r, const char* api, const char* action) {
  r.api = api;
  r.action = action;
  return r;
}

HttpResponse ui_json(int status, const nlohmann::json& j, const char* action) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return with_route(std::move(r), "ui", action);
}

}  // namespace

// Dashboard login (docs/dashboard.md#login): /ui/session, /ui/login, /ui/logout.
HttpResponse Router::handle_session(const HttpRequest& req) {
  NativeAuth* auth = p_.native_auth;
  const bool open = !auth || auth->mode() == http::AuthMode::None;
  if (req.path == "/ui/session") {
    if (req.method != "GET") return ui_json(405, {{"error", {{"code", "MethodNotAllowed"}, {"message", "GET only"}}}}, "session");
    nlohmann::json j;
    auto s = open ? std::nullopt : auth->session_of(req);
    if (open)
      j = {{"auth", "none"}};
    else if (!s)
      j = {{"auth", "sigv4"}, {"error", {{"code", "Unauthorized"}, {"message", "not logged in"}}}};
    else
      j = {{"auth", "sigv4"}, {"scope", scope_name(s->scope)}, {"token", s->token_id}, {"csrf", s->csrf}};
    if (p_.insecure_remote) j["insecureRemote"] = true;  // the dashboard's warning banner
    return ui_json(open || s ? 200 : 401, j, "session");
  }
  if (req.method != "POST") return ui_json(405, {{"error", {{"code", "MethodNotAllowed"}, {"message", "POST only"}}}}, "login");
  // JSON only: a cross-site page cannot send this content type without a CORS preflight.
  if (!req.header("Content-Type").starts_with("application/json"))
    return ui_json(415, {{"error", {{"code", "Invalid"}, {"message", "send JSON (Content-Type: application/json)"}}}},
                   "login");
  if (req.path == "/ui/logout") {
    if (open) return ui_json(200, {{"auth", "none"}}, "logout");
    auto s = auth->session_of(req);
    if (s && !constant_time_equal(req.header("X-CSRF-Token"), s->csrf))
      return ui_json(403, {{"error", {{"code", "AccessDenied"}, {"message", "the X-CSRF-Token header is missing or wrong"}}}},
                     "logout");
    auth->logout(req);
    auto r = ui_json(200, {{"loggedOut", true}}, "logout");
    r.headers.emplace_back("Set-Cookie", expired_session_cookie(auth->tls()));
    return r;
  }
  if (open) return ui_json(200, {{"auth", "none"}}, "login");
  auto b = nlohmann::json::parse(req.body, nullptr, false);
  if (!b.is_object() || !b.contains("token") || !b["token"].is_string())
    return ui_json(400, {{"error", {{"code", "Invalid"}, {"message", "the body must be {\"token\":\"ebb_…\"}"}}}}, "login");
  auto l = auth->login(req, b["token"].get<std::string>());
  if (l.d.status != 200) {
    logf::warn("dashboard login refused", {{"status", l.d.status}, {"remote_addr", req.remote_addr}});
    auto r = native_auth_reply(l.d);
    r.headers.emplace_back("Cache-Control", "no-store");
    return with_route(std::move(r), "ui", "login");
  }
  logf::info("dashboard login", {{"who", l.d.who}, {"remote_addr", req.remote_addr}});
  auto r = ui_json(200, {{"auth", "sigv4"}, {"scope", scope_name(l.d.scope)}, {"csrf", l.csrf}}, "login");
  r.headers.emplace_back("Set-Cookie", session_cookie(l.session_id, auth->tls()));
  return r;
}

void Router::handle(HttpRequest req, Respond respond) {
  auto started = p_.clock.mono_now();
  // Every answer passes here: count it and log it (debug; errors at warning).
  Respond done = [this, respond = std::move(respond), started, method = req.method, path = req.path,
                  remote = req.remote_addr](HttpResponse r) {
    double secs = std::chrono::duration<double>(p_.clock.mono_now() - started).count();
    p_.metrics.observe(r.api, r.action, r.status, secs);
    auto lvl = r.status >= 500 ? spdlog::level::warn : spdlog::level::debug;
    if (!spdlog::default_logger_raw()->should_log(lvl)) return respond(std::move(r));  // hot path
    std::string request_id;
    for (auto& [k, v] : r.headers)
      if (k == "x-amzn-RequestId") request_id = v;
    logf::log(lvl, "request", {{"method", method}, {"path", path}, {"status", r.status}, {"action", r.action},
                               {"error_code", r.error_code}, {"request_id", request_id},
                               {"duration_seconds", secs}, {"remote_addr", remote}});
    respond(std::move(r));
  };

  const std::string& path = req.path;
  if (path == "/healthz") return done(with_route(HttpResponse::text(200, "ok"), "other", "healthz"));
  if (path == "/readyz") {
    bool ready = p_.ready.load();
    return done(with_route(HttpResponse::text(ready ? 200 : 503, ready ? "ready" : "not ready"), "other", "readyz"));
  }
  const bool is_native = path == "/api/v1" || path.starts_with("/api/v1/");
  if ((is_native || path == "/metrics") && p_.native_auth) {
    // Bearer token or admin SigV4 (service "ebb"), scope checked (reliability.md §4.2).
    NativeDecision d = p_.native_auth->check(req);
    if (d.status != 200) {
      logf::log(d.status == 403 ? spdlog::level::info : spdlog::level::warn, "native API request refused",
                {{"status", d.status}, {"error_code", d.code}, {"path", path}, {"who", d.who},
                 {"remote_addr", req.remote_addr}});
      return done(with_route(native_auth_reply(d), is_native ? "native" : "other", is_native ? "auth" : "metrics"));
    }
  }
  if (path == "/metrics") {
    MetricsSources src{p_.engine, p_.metrics, p_.services ? *p_.services : nullptr, p_.activity, p_.store, p_.db_path};
    src.alarms = p_.alarms ? *p_.alarms : nullptr;
    src.schedules = p_.schedules ? *p_.schedules : nullptr;
    HttpResponse r = HttpResponse::text(200, render_metrics(src, p_.clock.now_ms()));
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    if (obs::accepts_gzip(req.header("Accept-Encoding"))) {
      if (auto z = obs::gzip_compress(r.body)) {
        r.body = std::move(*z);
        r.headers.emplace_back("Content-Encoding", "gzip");
      }
    }
    r.headers.emplace_back("Vary", "Accept-Encoding");
    return done(with_route(std::move(r), "other", "metrics"));
  }
  if (is_native && is_token_path(path)) {
    if (!p_.tokens || !p_.committer)
      return done(with_route(HttpResponse::text(404, "tokens are not available here\n"), "native", "tokens"));
    return handle_token_request(req, *p_.tokens, *p_.committer, p_.clock, std::move(done));
  }
  if (is_native && is_key_path(path)) {
    if (!p_.access_keys || !p_.committer)
      return done(with_route(HttpResponse::text(404, "access keys are not available here\n"), "native", "keys"));
    return handle_key_request(req, *p_.access_keys, *p_.committer, p_.clock, std::move(done));
  }
  if (is_native) return p_.admin.handle(req, std::move(done));
  if (path == "/ui/session" || path == "/ui/login" || path == "/ui/logout") return done(handle_session(req));
  if (is_ui_path(path)) return done(serve_ui(req));
  if (wants_html(req)) {  // a browser at / gets the dashboard
    HttpResponse r = HttpResponse::text(302, "");
    r.headers.emplace_back("Location", "/ui/");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return done(with_route(std::move(r), "ui", "redirect"));
  }
  handle_sqs(std::move(req), std::move(done));
}

void Router::handle_sqs(HttpRequest req, Respond respond) {
  std::string request_id = uuid_v4();
  const char* api = req.header("X-Amz-Target").empty() ? "sqs_query" : "sqs_json";
  if (req.method != "GET" && req.method != "POST") {
    HttpResponse r = HttpResponse::text(405, "method not allowed\n");
    r.headers.emplace_back("Allow", "GET, POST");
    r.headers.emplace_back("x-amzn-RequestId", request_id);
    return respond(with_route(std::move(r), api, "other"));
  }
  // An authentication or key-policy failure, in the SQS error format of the protocol the
  // request selects (reliability.md §3.3), counted under the action "other".
  auto auth_error = [&](const Error& e) {
    auto proto = req.header("X-Amz-Target").empty() ? sqs::Protocol::Query : sqs::Protocol::Json;
    SqsResponse sr = sqs::render_error(proto, "other", e, request_id);
    HttpResponse r;
    r.status = sr.status;
    r.content_type = std::move(sr.content_type);
    r.body = std::move(sr.body);
    r.headers = std::move(sr.headers);
    r.headers.emplace_back("x-amzn-RequestId", request_id);
    r.error_code = std::move(sr.error_code);
    p_.metrics.sqs_error("other", sr.metric_code);
    return respond(with_route(std::move(r), api, "other"));
  };
  http::SigV4Debug dbg;
  const bool want_debug = p_.auth.debug_auth() || spdlog::default_logger_raw()->should_log(spdlog::level::debug);
  auto auth = p_.auth.authenticate(req, p_.clock.wall_now(), want_debug ? &dbg : nullptr);
  if (!auth.ok()) {
    // reliability.md §3.3: the SQS error format of the protocol the signed data selects.
    Error e = auth.error();
    logf::warn("authentication failed", {{"error_code", std::string(code_info(e.code).query_code)},
                                         {"message", e.message},
                                         {"access_key_id", http::access_key_from_authorization(req.header("Authorization"))
                                                               .value_or("")},
                                         {"remote_addr", req.remote_addr}});
    if (!dbg.canonical_request.empty()) {
      logf::debug("signature mismatch detail",
                  {{"canonical_request", dbg.canonical_request}, {"string_to_sign", dbg.string_to_sign}});
      if (p_.auth.debug_auth() && e.code == Code::SignatureDoesNotMatch)
        e.message += " The canonical request was:\n" + dbg.canonical_request + "\nThe string to sign was:\n" +
                     dbg.string_to_sign;
    }
    return auth_error(e);
  }
  SqsRequest s;
  if (p_.key_ring && p_.auth.mode() == http::AuthMode::SigV4) {
    // Step 12 runs in SqsApi (it needs the action and queue); here the key's policy.
    auto policy = p_.key_ring->policy_of(auth->access_key_id);
    if (!policy)  // revoked between the signature check and now
      return auth_error(err(Code::InvalidClientTokenId, "The security token included in the request is invalid."));
    s.policy = std::move(*policy);
  }
  s.method = std::move(req.method);
  s.path = std::move(req.path);
  s.query = std::move(req.query);
  s.body = std::move(req.body);
  s.content_type = std::string(req.header("Content-Type"));
  s.amz_target = std::string(req.header("X-Amz-Target"));
  s.host = std::string(req.header("Host"));
  if (p_.tls) s.scheme = "https";  // queue URLs
  s.access_key_id = auth->access_key_id;
  s.trace_id = std::string(req.header("X-Amzn-Trace-Id"));
  s.request_id = request_id;
  p_.sqs.handle(std::move(s), [this, respond = std::move(respond), request_id, api](SqsResponse sr) {
    if (!sr.metric_code.empty()) p_.metrics.sqs_error(sr.action, sr.metric_code);
    HttpResponse r;
    r.status = sr.status;
    r.content_type = std::move(sr.content_type);
    r.body = std::move(sr.body);
    r.headers = std::move(sr.headers);
    r.headers.emplace_back("x-amzn-RequestId", request_id);
    r.api = api;
    r.action = sr.action.empty() ? "other" : sr.action;
    r.error_code = std::move(sr.error_code);
    respond(std::move(r));
  });
}

}  // namespace ebb::server
