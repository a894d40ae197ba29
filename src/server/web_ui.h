// GET /ui/…: the dashboard's embedded files (docs/dashboard.md) with the headers of
// reliability.md §4.2: a strict Content-Security-Policy (scripts, styles, images and
// fetches from this origin only; no framing), nosniff, no referrer.
#pragma once
#include "api/http/http_message.h"

namespace ebb::server {

// True for /ui and /ui/…
bool is_ui_path(std::string_view path);
http::HttpResponse serve_ui(const http::HttpRequest& req);

// The Content-Security-Policy every dashboard response carries.
inline constexpr std::string_view kDashboardCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

}  // namespace ebb::server
