#include "api/http/request_checks.h"

#include <gtest/gtest.h>

#include "api/http/query_string.h"

namespace ebb::http {
namespace {

HttpRequest with_headers(Headers h) {
  HttpRequest r;
  r.method = "POST";
  r.path = "/";
  r.headers = std::move(h);
  return r;
}

TEST(RequestChecks, AcceptsOrdinaryRequest) {
  HttpLimits l;
  EXPECT_FALSE(check_request_head(with_headers({{"Host", "x"}, {"Content-Length", "3"}}), true, l));
}

TEST(RequestChecks, HostRules) {
  HttpLimits l;
  auto missing = check_request_head(with_headers({}), true, l);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);
  EXPECT_FALSE(check_request_head(with_headers({}), false, l));  // HTTP/1.0 may omit Host
  auto dup = check_request_head(with_headers({{"Host", "a"}, {"host", "b"}}), true, l);
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->status, 400);
}

TEST(RequestChecks, SmugglingAndEncoding) {
  HttpLimits l;
  auto both = check_request_head(with_headers({{"Host", "x"}, {"Content-Length", "3"}, {"Transfer-Encoding", "chunked"}}), true, l);
  ASSERT_TRUE(both);
  EXPECT_EQ(both->status, 400);
  EXPECT_TRUE(both->close);
  auto gz = check_request_head(with_headers({{"Host", "x"}, {"Content-Encoding", "gzip"}}), true, l);
  ASSERT_TRUE(gz);
  EXPECT_EQ(gz->status, 415);
}

TEST(RequestChecks, HeaderCountAndSize) {
  HttpLimits l;
  Headers many{{"Host", "x"}};
  for (int i = 0; i < 70; ++i) many.emplace_back("X-" + std::to_string(i), "v");
  auto r = check_request_head(with_headers(many), true, l);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  auto big = check_request_head(with_headers({{"Host", "x"}, {"X-Big", std::string(9000, 'a')}}), true, l);
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 431);
}

TEST(RequestChecks, BodyLimitByRoute) {
  HttpLimits l;
  EXPECT_EQ(l.body_limit("/"), 4u * 1024 * 1024);
  EXPECT_EQ(l.body_limit("/000000000000/q"), 4u * 1024 * 1024);
  EXPECT_EQ(l.body_limit("/api/v1/apply"), 1024u * 1024);
}

TEST(QueryString, DecodesParams) {
  EXPECT_EQ(query_param("a=1&dryRun=true", "dryRun"), "true");
  EXPECT_EQ(query_param("x=a%2Fb+c", "x"), "a/b c");
  EXPECT_FALSE(query_param("x=%2", "x"));
  EXPECT_FALSE(query_param("y=1", "x"));
}

}  // namespace
}  // namespace ebb::http
