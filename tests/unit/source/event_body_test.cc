// Message bodies of event sources (event_body.h) and file-name filters (source_spec.h).
#include <gtest/gtest.h>

#include "source/event_body.h"
#include "source/source_spec.h"

namespace ebb::source {
namespace {

TEST(EventBody, KeysAreFormUrlEncodedLikeS3) {
  EXPECT_EQ(s3_encode_key("HappyFace.jpg"), "HappyFace.jpg");
  EXPECT_EQ(s3_encode_key("my photo (1).jpg"), "my+photo+%281%29.jpg");
  EXPECT_EQ(s3_encode_key("a+b=c&d~e*f_g-h"), "a%2Bb%3Dc%26d%7Ee*f_g-h");
  EXPECT_EQ(s3_encode_key("caf\xc3\xa9"), "caf%C3%A9");
}

TEST(EventBody, Rfc3339WithMilliseconds) {
  EXPECT_EQ(rfc3339_ms(WallTime{Millis{1'735'689'600'000}}), "2025-01-01T00:00:00.000Z");
  EXPECT_EQ(rfc3339_ms(WallTime{Millis{1'709'251'199'007}}), "2024-02-29T23:59:59.007Z");
}

TEST(EventBody, S3NotificationShape) {
  FileEvent e{.source = "uploads", .region = "eu-west-1", .bucket = "photos", .key = "a b.jpg", .size = 12,
              .etag = "0123456789abcdef0123456789abcdef", .sequencer = "0055AED6DCD90281E5",
              .event_time = WallTime{Millis{1'735'689'600'123}}, .request_id = "C3D13FE58DE4C810", .host_id = "id2"};
  nlohmann::json b = nlohmann::json::parse(s3_event_body(e));
  ASSERT_EQ(b["Records"].size(), 1u);
  const nlohmann::json& r = b["Records"][0];
  EXPECT_EQ(r["eventVersion"], "2.1");
  EXPECT_EQ(r["eventSource"], "aws:s3");
  EXPECT_EQ(r["awsRegion"], "eu-west-1");
  EXPECT_EQ(r["eventTime"], "2025-01-01T00:00:00.123Z");
  EXPECT_EQ(r["eventName"], "ObjectCreated:Put");
  EXPECT_TRUE(r["userIdentity"]["principalId"].is_string());
  EXPECT_EQ(r["requestParameters"]["sourceIPAddress"], "127.0.0.1");
  EXPECT_EQ(r["responseElements"]["x-amz-request-id"], "C3D13FE58DE4C810");
  EXPECT_EQ(r["responseElements"]["x-amz-id-2"], "id2");
  EXPECT_EQ(r["s3"]["s3SchemaVersion"], "1.0");
  EXPECT_EQ(r["s3"]["configurationId"], "uploads");
  EXPECT_EQ(r["s3"]["bucket"]["name"], "photos");
  EXPECT_EQ(r["s3"]["bucket"]["arn"], "arn:aws:s3:::photos");
  EXPECT_TRUE(r["s3"]["bucket"]["ownerIdentity"]["principalId"].is_string());
  EXPECT_EQ(r["s3"]["object"]["key"], "a+b.jpg");
  EXPECT_EQ(r["s3"]["object"]["size"], 12);
  EXPECT_EQ(r["s3"]["object"]["eTag"], "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(r["s3"]["object"]["sequencer"], "0055AED6DCD90281E5");
  // AWS's key order, so the text reads like a real notification.
  std::string text = s3_event_body(e);
  EXPECT_LT(text.find("eventVersion"), text.find("eventSource"));
  EXPECT_LT(text.find("eventName"), text.find("\"s3\""));

  e.etag.reset();  // large files: no eTag
  EXPECT_FALSE(nlohmann::json::parse(s3_event_body(e))["Records"][0]["s3"]["object"].contains("eTag"));
}

TEST(EventBody, SimpleBody) {
  FileEvent e;
  e.bucket = "photos";
  e.key = "a b.jpg";
  e.size = 3;
  EXPECT_EQ(simple_event_body(e), R"({"bucket":"photos","key":"a b.jpg","size":3})");
}

TEST(SourceSpec, DefaultsAndFilters) {
  SourceSpec s = source_spec_from(nlohmann::json{{"directory", "/in"}, {"queue", "q"}});
  EXPECT_EQ(s.body, "s3");
  EXPECT_EQ(s.bucket, "/in");
  EXPECT_TRUE(s.ignore_hidden);
  const struct {
    const char* name;
    bool want;
  } cases[] = {{"a.jpg", true}, {".a.jpg", false}, {"a.tmp", false}, {"a.part", false},
               {"a.swp", false}, {"a.tmp.jpg", true}, {"", false}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(accepts_file_name(s, c.name), c.want);
  }
  s.ignore_hidden = false;
  EXPECT_TRUE(accepts_file_name(s, ".a.jpg"));
  EXPECT_TRUE(accepts_file_name(s, "a.tmp"));
  s.include = {"*.jpg", "*.[Pp][Nn][Gg]"};
  EXPECT_TRUE(accepts_file_name(s, "x.jpg"));
  EXPECT_TRUE(accepts_file_name(s, "x.PNG"));
  EXPECT_FALSE(accepts_file_name(s, "x.txt"));
}

}  // namespace
}  // namespace ebb::source
