#include "server/web_ui.h"

#include "server/web_assets.h"

namespace ebb::server {

namespace {

void security_headers(http::HttpResponse& r) {
  r.headers.emplace_back("Content-Security-Policy", std::string(kDashboardCsp));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  r.headers.emplace_back("Cross-Origin-Resource-Policy", "same-origin");
}

http::HttpResponse tagged(http::HttpResponse r, const char* action) {
  r.api = "ui";
  r.action = action;
  security_headers(r);
  return r;
}

}  // namespace

bool is_ui_path(std::string_view path) { return path == "/ui" || path.starts_with("/ui/"); }

http::HttpResponse serve_ui(const http::HttpRequest& req) {
  if (req.method != "GET") {
    auto r = http::HttpResponse::text(405, "method not allowed\n");
    r.headers.emplace_back("Allow", "GET");
    return tagged(std::move(r), "other");
  }
  if (req.path == "/ui") {
    auto r = http::HttpResponse::text(301, "");
    r.headers.emplace_back("Location", "/ui/");
    return tagged(std::move(r), "redirect");
  }
  std::string_view rel = std::string_view(req.path).substr(4);  // after "/ui/"
  if (rel.empty()) rel = "index.html";
  for (const WebAsset& a : web_assets()) {
    if (a.path != rel) continue;  // exact match only: no path ever reaches the filesystem
    http::HttpResponse r;
    r.headers.emplace_back("ETag", std::string(a.etag));
    // Versioned vendor files never change under their name; the rest is revalidated.
    r.headers.emplace_back("Cache-Control",
                           rel.starts_with("vendor/") ? "public, max-age=31536000, immutable" : "no-cache");
    if (req.header("If-None-Match") == a.etag) {
      r.status = 304;
      return tagged(std::move(r), "asset");
    }
    r.status = 200;
    r.content_type = std::string(a.content_type);
    r.body.assign(reinterpret_cast<const char*>(a.data), a.size);
    return tagged(std::move(r), rel == "index.html" ? "index" : "asset");
  }
  return tagged(http::HttpResponse::text(404, "not found\n"), "other");
}

}  // namespace ebb::server
