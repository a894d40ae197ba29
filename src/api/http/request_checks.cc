#include "api/http/request_checks.h"

namespace ebb::http {
namespace {

HttpResponse refuse(int status, std::string body) {
  HttpResponse r = HttpResponse::text(status, std::move(body));
  r.close = true;  // the body (if any) is left unread, so the connection cannot be reused
  return r;
}

}  // namespace

HttpResponse too_large() { return refuse(413, "request body too large\n"); }

std::optional<HttpResponse> check_request_head(const HttpRequest& req, bool http11, const HttpLimits& limits) {
  if (req.method.size() + req.target.size() + 10 > limits.request_line) return refuse(414, "request line too long\n");
  if (req.headers.size() > limits.header_count) return refuse(431, "too many header fields\n");
  for (auto& [k, v] : req.headers) {
    if (k.size() + v.size() + 4 > limits.header_one) return refuse(431, "header field too large\n");
    // Beast rejects most control characters itself; NUL and bare CR are smuggling tools.
    for (char c : v)
      if (c == '\0' || c == '\r' || c == '\n') return refuse(400, "invalid character in header value\n");
  }
  // Request smuggling class: never guess which length wins (Beast also refuses this).
  if (req.has_header("Content-Length") && req.has_header("Transfer-Encoding"))
    return refuse(400, "both Content-Length and Transfer-Encoding\n");
  if (req.header_count("Content-Length") > 1) {
    std::string_view first;
    for (auto& [k, v] : req.headers) {
      if (!iequals(k, "Content-Length")) continue;
      if (first.empty()) first = v;
      else if (v != first) return refuse(400, "conflicting Content-Length\n");
    }
  }
  size_t hosts = req.header_count("Host");
  if (hosts > 1 || (http11 && hosts == 0)) return refuse(400, "exactly one Host header is required\n");
  // No decompression of request bodies, ever (decompression bombs).
  if (req.has_header("Content-Encoding")) {
    auto v = req.header("Content-Encoding");
    if (!iequals(v, "identity")) return refuse(415, "Content-Encoding is not supported on requests\n");
  }
  return std::nullopt;
}

}  // namespace ebb::http
