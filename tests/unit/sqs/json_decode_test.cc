// JSON request body rules (sqs-api.md §4, reliability.md §5.2).
#include <gtest/gtest.h>

#include "api/sqs/json_decode.h"

namespace ebb::sqs {
namespace {

Code code_of(const std::string& body) {
  auto r = decode_json_body(body);
  return r.ok() ? Code::InternalError : r.error().code;  // InternalError = "it parsed"
}

TEST(JsonDecode, EmptyBodyIsEmptyObject) {
  auto r = decode_json_body("");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->is_object());
  EXPECT_TRUE(r->members.empty());
}

TEST(JsonDecode, Shapes) {
  auto r = decode_json_body(R"({"QueueUrl":"u","MaxNumberOfMessages":10,"A":["x"],"M":{"k":"v"},"B":true,"D":10.0})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->get("QueueUrl")->text, "u");
  EXPECT_EQ(r->get("MaxNumberOfMessages")->kind, Value::Kind::Number);
  EXPECT_EQ(r->get("MaxNumberOfMessages")->text, "10");
  EXPECT_EQ(r->get("A")->items[0].text, "x");
  EXPECT_EQ(r->get("M")->get("k")->text, "v");
  EXPECT_TRUE(r->get("B")->boolean);
  EXPECT_NE(r->get("D")->text.find('.'), std::string::npos);
}

TEST(JsonDecode, SurrogatePairsJoined) {
  auto r = decode_json_body(R"({"MessageBody":"gr\u00fc\u00dfe \ud83d\udc4b"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->get("MessageBody")->text, "gr\xc3\xbc\xc3\x9f" "e \xf0\x9f\x91\x8b");
}

TEST(JsonDecode, LoneSurrogateIsInvalidMessageContents) {
  EXPECT_EQ(code_of(R"({"MessageBody":"a\ud800"})"), Code::InvalidMessageContents);
  EXPECT_EQ(code_of(R"({"MessageBody":"a\udc00b"})"), Code::InvalidMessageContents);
  EXPECT_EQ(code_of(R"({"MessageBody":"\ud800\u0041"})"), Code::InvalidMessageContents);
}

TEST(JsonDecode, InvalidUtf8IsInvalidMessageContents) {
  EXPECT_EQ(code_of("{\"MessageBody\":\"\xff\"}"), Code::InvalidMessageContents);
  EXPECT_EQ(code_of("{\"MessageBody\":\"\xc0\xaf\"}"), Code::InvalidMessageContents);
}

TEST(JsonDecode, SerializationErrors) {
  EXPECT_EQ(code_of(R"({"QueueUrl":"a","QueueUrl":"b"})"), Code::Serialization);
  EXPECT_EQ(code_of(R"({"a":1} x)"), Code::Serialization);
  EXPECT_EQ(code_of("\xEF\xBB\xBF{}"), Code::Serialization);
  EXPECT_EQ(code_of(R"({"a":NaN})"), Code::Serialization);
  EXPECT_EQ(code_of(R"({"a":Infinity})"), Code::Serialization);
  EXPECT_EQ(code_of(R"({"a":1 /* c */})"), Code::Serialization);
  EXPECT_EQ(code_of(R"([1,2])"), Code::Serialization);
  EXPECT_EQ(code_of(R"("x")"), Code::Serialization);
  EXPECT_EQ(code_of(R"({"a":)"), Code::Serialization);
  // valid JSON, but the integer does not fit 64 bits: a bad value, not a bad body
  EXPECT_EQ(code_of(R"({"a":99999999999999999999})"), Code::InvalidParameterValue);
  EXPECT_EQ(code_of(R"({"a":01})"), Code::Serialization);
}

TEST(JsonDecode, DepthLimit) {
  EXPECT_TRUE(decode_json_body("{\"a\":" + std::string(31, '[') + std::string(31, ']') + "}").ok());
  EXPECT_EQ(code_of("{\"a\":" + std::string(32, '[') + std::string(32, ']') + "}"), Code::Serialization);
}

TEST(JsonDecode, MemberLimit) {
  auto obj = [](int n) {
    std::string s = "{";
    for (int i = 0; i < n; ++i) s += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
    return s + "}";
  };
  EXPECT_TRUE(decode_json_body(obj(1024)).ok());
  EXPECT_EQ(code_of(obj(1025)), Code::Serialization);
  // duplicate detection also works past the small-object path
  std::string dup = obj(40);
  dup.back() = ',';
  dup += "\"k3\":2}";
  EXPECT_EQ(code_of(dup), Code::Serialization);
}

}  // namespace
}  // namespace ebb::sqs
