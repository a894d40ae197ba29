// Transport-neutral HTTP request/response: what the Beast server hands to the router
// and gets back. Keeping Boost out of this header keeps Beast in one translation unit.
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ebb::http {

using Headers = std::vector<std::pair<std::string, std::string>>;  // in arrival order

// Case-insensitive ASCII comparison (header names).
bool iequals(std::string_view a, std::string_view b);

struct HttpRequest {
  std::string method;   // as sent ("GET", "POST", "PUT", ...)
  std::string target;   // request target: path + optional "?query"
  std::string path;     // target without the query string
  std::string query;    // raw query string after '?', may be empty
  Headers headers;
  std::string body;
  std::string remote_addr;  // client IP, for logs and per-address limits

  // First value of a header (any case), "" if absent.
  std::string_view header(std::string_view name) const;
  bool has_header(std::string_view name) const;
  size_t header_count(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  Headers headers;     // extra headers (Date and Content-Length are added by the server)
  bool close = false;  // close the connection after this response

  // For logs and metrics: which API and action answered.
  std::string api = "other";     // sqs_query | sqs_json | native | ui | other
  std::string action = "other";
  std::string error_code;

  static HttpResponse text(int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
};

// Handlers may answer later and on any thread; `respond` must be called exactly once.
using Respond = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(HttpRequest, Respond)>;

}  // namespace ebb::http
