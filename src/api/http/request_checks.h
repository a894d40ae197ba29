// Checks on a request's header block that reject before the body is read
// (reliability.md §4.3 and §5.1). Pure: no I/O, unit-tested.
#pragma once
#include <optional>

#include "api/http/http_limits.h"
#include "api/http/http_message.h"

namespace ebb::http {

// `req` has method, target and headers filled in (no body yet). Returns the response
// to send (and close) if the request must be refused, nullopt if it may proceed.
std::optional<HttpResponse> check_request_head(const HttpRequest& req, bool http11, const HttpLimits& limits);

// Content-Length too large for the route (also used for Expect: 100-continue).
HttpResponse too_large();

}  // namespace ebb::http
