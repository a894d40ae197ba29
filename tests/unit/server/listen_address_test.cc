#include "api/http/listen_address.h"

#include <gtest/gtest.h>

#include "api/http/auth_stage.h"
#include "server/exposure.h"

namespace ebb::http {
namespace {

TEST(ListenAddress, Parses) {
  auto a = parse_listen_address("127.0.0.1:9324");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9324);
  auto b = parse_listen_address("[::1]:0");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 0);
  EXPECT_EQ(b->to_string(), "[::1]:0");
  auto c = parse_listen_address(":4566");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "127.0.0.1");
}

TEST(ListenAddress, RejectsGarbage) {
  for (auto s : {"", "9324", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:x", "::1:80", "[::1]80", "example.com:80"})
    EXPECT_FALSE(parse_listen_address(s).ok()) << s;
}

TEST(ListenAddress, Loopback) {
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.1.2.3"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_TRUE(is_loopback_host("::ffff:127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_FALSE(is_loopback_host("0.0.0.0"));
  EXPECT_FALSE(is_loopback_host("::"));
  EXPECT_FALSE(is_loopback_host("192.168.1.10"));
}

TEST(Exposure, RefusesUnsafeCombinations) {
  ListenAddress lo{"127.0.0.1", 9324}, any{"0.0.0.0", 9324};
  EXPECT_TRUE(server::check_exposure(lo, AuthMode::None, false, false).ok());
  EXPECT_FALSE(server::check_exposure(any, AuthMode::SigV4, false, false).ok());
  EXPECT_TRUE(server::check_exposure(any, AuthMode::SigV4, false, true).ok());
  EXPECT_FALSE(server::check_exposure(any, AuthMode::None, false, true).ok());
}

}  // namespace
}  // namespace ebb::http
