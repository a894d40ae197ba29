// /ui/ serving: exact-path lookup in the embedded table, the security headers of
// reliability.md §4.2 on every answer, caching headers, 304, and nothing else.
#include "server/web_ui.h"

#include <gtest/gtest.h>

#include "server/web_assets.h"

namespace ebb::server {
namespace {

http::HttpRequest get(std::string path) {
  http::HttpRequest r;
  r.method = "GET";
  r.path = path;
  r.target = path;
  return r;
}

std::string header(const http::HttpResponse& r, std::string_view name) {
  for (auto& [k, v] : r.headers)
    if (http::iequals(k, name)) return v;
  return "";
}

void expect_secure(const http::HttpResponse& r) {
  EXPECT_EQ(header(r, "Content-Security-Policy"), std::string(kDashboardCsp));
  EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(r, "X-Frame-Options"), "DENY");
  EXPECT_EQ(header(r, "Referrer-Policy"), "no-referrer");
}

TEST(WebUi, IndexIsTheEmbeddedFileWithSecurityHeaders) {
  auto r = serve_ui(get("/ui/"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("<title>ebb dashboard</title>"), std::string::npos);
  EXPECT_EQ(header(r, "Cache-Control"), "no-cache");
  EXPECT_EQ(r.api, "ui");
  expect_secure(r);
  EXPECT_NE(kDashboardCsp.find("default-src 'self'"), std::string_view::npos);
  EXPECT_NE(kDashboardCsp.find("frame-ancestors 'none'"), std::string_view::npos);
}

TEST(WebUi, EveryEmbeddedFileIsServedByteForByte) {
  ASSERT_GE(web_assets().size(), 5u);
  for (auto& a : web_assets()) {
    auto r = serve_ui(get("/ui/" + std::string(a.path)));
    ASSERT_EQ(r.status, 200) << a.path;
    EXPECT_EQ(r.body.size(), a.size) << a.path;
    EXPECT_EQ(r.body, std::string(reinterpret_cast<const char*>(a.data), a.size));
    EXPECT_EQ(r.content_type, a.content_type);
    expect_secure(r);
  }
}

TEST(WebUi, VendorFilesAreImmutableAndEtagsRevalidate) {
  auto js = serve_ui(get("/ui/vendor/uplot-1.6.32/uPlot.iife.min.js"));
  ASSERT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header(js, "Cache-Control"), "public, max-age=31536000, immutable");
  auto again = get("/ui/vendor/uplot-1.6.32/uPlot.iife.min.js");
  again.headers.emplace_back("If-None-Match", header(js, "ETag"));
  auto r = serve_ui(again);
  EXPECT_EQ(r.status, 304);
  EXPECT_TRUE(r.body.empty());
}

TEST(WebUi, OnlyExactPathsAndGet) {
  for (auto p : {"/ui/../CMakeLists.txt", "/ui/%2e%2e/x", "/ui/app.js/", "/ui//app.js", "/ui/APP.JS",
                 "/ui/vendor/", "/ui/nope.html", "/ui/app.js%00"}) {
    auto r = serve_ui(get(p));
    EXPECT_EQ(r.status, 404) << p;
    expect_secure(r);
  }
  auto post = get("/ui/");
  post.method = "POST";
  EXPECT_EQ(serve_ui(post).status, 405);
  auto bare = serve_ui(get("/ui"));
  EXPECT_EQ(bare.status, 301);
  EXPECT_EQ(header(bare, "Location"), "/ui/");
  EXPECT_TRUE(is_ui_path("/ui"));
  EXPECT_TRUE(is_ui_path("/ui/x"));
  EXPECT_FALSE(is_ui_path("/uix"));
  EXPECT_FALSE(is_ui_path("/000000000000/ui"));
}

}  // namespace
}  // namespace ebb::server
