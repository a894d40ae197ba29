#include "api/http/auth_stage.h"

#include <gtest/gtest.h>

namespace ebb::http {
namespace {

TEST(AuthStage, ParsesCredentialFromAuthorization) {
  auto id = access_key_from_authorization(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=abc");
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, "AKIDEXAMPLE");
}

TEST(AuthStage, CredentialMayComeLaterAndWithoutSpaces) {
  auto id = access_key_from_authorization("AWS4-HMAC-SHA256 SignedHeaders=host,Credential=K1/d/r/sqs/aws4_request");
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, "K1");
}

TEST(AuthStage, RejectsOtherSchemesAndEmptyIds) {
  EXPECT_FALSE(access_key_from_authorization("Bearer abc"));
  EXPECT_FALSE(access_key_from_authorization("AWS4-HMAC-SHA256Credential=K/d"));
  EXPECT_FALSE(access_key_from_authorization("AWS4-HMAC-SHA256 Credential=/d/r/s/aws4_request"));
  EXPECT_FALSE(access_key_from_authorization("AWS4-HMAC-SHA256 Signature=x"));
}

TEST(AuthStage, PresignedQueryCredential) {
  HttpRequest req;
  req.query = "Action=ListQueues&X-Amz-Credential=AKID2%2F20240101%2Fus-east-1%2Fsqs%2Faws4_request&X-Amz-Signature=f";
  auto r = AuthStage(AuthMode::None).authenticate(req, WallTime{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->access_key_id, "AKID2");
}

TEST(AuthStage, NoCredentialsAcceptedOnlyWithAuthNone) {
  HttpRequest req;
  auto r = AuthStage(AuthMode::None).authenticate(req, WallTime{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->access_key_id, "");
  auto s = AuthStage(AuthMode::SigV4).authenticate(req, WallTime{});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Code::MissingAuthenticationToken);
}

TEST(AuthStage, ParsesMode) {
  EXPECT_EQ(parse_auth_mode("none"), AuthMode::None);
  EXPECT_EQ(parse_auth_mode("sigv4"), AuthMode::SigV4);
  EXPECT_FALSE(parse_auth_mode("SIGV4"));
}

}  // namespace
}  // namespace ebb::http
