#include "server/exposure.h"

#include <gtest/gtest.h>

namespace ebb::server {
namespace {

using http::AuthMode;
using http::ListenAddress;

TEST(Exposure, AuthNoneOnlyOnLoopback) {
  EXPECT_TRUE(check_exposure(ListenAddress{"127.0.0.1", 0}, AuthMode::None, false, false).ok());
  EXPECT_TRUE(check_exposure(ListenAddress{"::1", 0}, AuthMode::None, false, false).ok());
  auto r = check_exposure(ListenAddress{"0.0.0.0", 9324}, AuthMode::None, false, true);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("--auth none"), std::string::npos);
}

TEST(Exposure, PlainHttpRemoteNeedsTheInsecureFlag) {
  EXPECT_FALSE(check_exposure(ListenAddress{"0.0.0.0", 9324}, AuthMode::SigV4, false, false).ok());
  EXPECT_TRUE(check_exposure(ListenAddress{"0.0.0.0", 9324}, AuthMode::SigV4, false, true).ok());
  EXPECT_TRUE(check_exposure(ListenAddress{"127.0.0.1", 9324}, AuthMode::SigV4, false, false).ok());
  auto r = check_exposure(ListenAddress{"0.0.0.0", 9324}, AuthMode::SigV4, false, false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("--tls-cert"), std::string::npos);
}

// reliability.md §4.1: with TLS a non-loopback listener needs no --allow-insecure-remote;
// --auth none stays loopback-only even with TLS.
TEST(Exposure, TlsRemoteNeedsNoInsecureFlag) {
  EXPECT_TRUE(check_exposure(ListenAddress{"0.0.0.0", 9324}, AuthMode::SigV4, true, false).ok());
  EXPECT_TRUE(check_exposure(ListenAddress{"::", 9324}, AuthMode::SigV4, true, false).ok());
  EXPECT_FALSE(check_exposure(ListenAddress{"0.0.0.0", 9324}, AuthMode::None, true, false).ok());
}

}  // namespace
}  // namespace ebb::server
