// Every digest vector of sqs-api.md §11.1–§11.3.
#include <gtest/gtest.h>

#include "api/sqs/attribute_digest.h"
#include "api/sqs/message_rules.h"
#include "api/sqs/json_decode.h"
#include "base/crypto.h"

namespace ebb::sqs {
namespace {

MsgAttr str(std::string n, std::string v, std::string type = "String") { return MsgAttr{n, type, v, false}; }
MsgAttr bin(std::string n, std::string v) { return MsgAttr{n, "Binary", v, true}; }

std::string digest(MsgAttrs a) {
  std::sort(a.begin(), a.end(), [](auto& x, auto& y) { return x.name < y.name; });
  return attributes_md5(a);
}

TEST(Md5Body, Vectors) {
  EXPECT_EQ(md5_hex("hello world"), "5eb63bbbe01eeed093cb22bb8f5acdc3");
  EXPECT_EQ(md5_hex("msg"), "6e2baaf3b97dbeef01c0043275f9a0e7");
  EXPECT_EQ(md5_hex("line1\r\nline2"), "133faf504928b85572d6aae8fff988aa");
  EXPECT_EQ(md5_hex("gr\xc3\xbc\xc3\x9f" "e \xf0\x9f\x91\x8b"), "540178070b815959f92b43ab337f74b1");
}

TEST(Md5Attributes, WorkedExampleBuffer) {
  std::string buf = attributes_digest_input({str("Foo", "Bar")});
  std::string expect("\0\0\0\3Foo\0\0\0\6String\1\0\0\0\3Bar", 25);
  EXPECT_EQ(buf, expect);
}

TEST(Md5Attributes, AwsVectors) {
  EXPECT_EQ(digest({str("Foo", "Bar")}), "ae7155c6026991b6d54b11589678bf9c");
  EXPECT_EQ(digest({str("MyAttribute", "foobar")}), "adb59cd4678ea5a855436b949cd07ab6");
  EXPECT_EQ(digest({str("Hello", "There")}), "a311262e065454b75da111d535b8dacd");
  EXPECT_EQ(digest({str("General", "Kenobi"), str("Hello", "There")}), "fca026605781cb4126a1e9044df24232");
  EXPECT_EQ(digest({str("Hello", "There"), str("Help.Me", "Me")}), "83fee93c1bcd8b9a5a923ffacdc636c7");
  EXPECT_EQ(digest({str("Help.Me", "Me"), str("General", "Kenobi"), str("Hello", "There")}),
            "4c360f3fdafd970e05fae2f149d997f5");
  EXPECT_EQ(digest({bin("attr1", "traceparent\x1e" "00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01")}),
            "8cbe4db156db8a94db8b801b7addb984");
}

TEST(Md5Attributes, ComputedVectors) {
  EXPECT_EQ(digest({str("tenant", "acme")}), "c52f727da6769fcbc66f3f8555ce234a");
  EXPECT_EQ(digest({str("tenant", "acme"), str("attempt", "3", "Number")}), "d6dc103c7801ca3ecaf5ca802c03c62c");
  EXPECT_EQ(digest({str("timestamp", "1493147359900", "Number.java.lang.Long")}), "2e2e4876d8e0bd6b8c2c8f556831c349");
  EXPECT_EQ(digest({bin("b", std::string("\x00\x01", 2))}), "973749046908c117819a7d5e12dac587");
  EXPECT_EQ(digest({}), "");
}

TEST(Md5Attributes, ThroughValidationFromJson) {
  // Attributes as a client sends them, unsorted, binary as base64: the parsed set digests right.
  auto v = decode_json_body(R"({"MessageAttributes":{"tenant":{"DataType":"String","StringValue":"acme"},)"
                            R"("attempt":{"DataType":"Number","StringValue":"3"}}})");
  ASSERT_TRUE(v.ok());
  auto attrs = parse_message_attributes(v->get("MessageAttributes"));
  ASSERT_TRUE(attrs.ok());
  EXPECT_EQ(attrs->front().name, "attempt");
  EXPECT_EQ(attributes_md5(*attrs), "d6dc103c7801ca3ecaf5ca802c03c62c");
  auto b = decode_json_body(R"({"M":{"b":{"DataType":"Binary","BinaryValue":"AAE="}}})");
  ASSERT_TRUE(b.ok());
  auto battrs = parse_message_attributes(b->get("M"));
  ASSERT_TRUE(battrs.ok());
  EXPECT_EQ(attributes_md5(*battrs), "973749046908c117819a7d5e12dac587");
}

TEST(Md5SystemAttributes, TraceHeaderVector) {
  auto v = decode_json_body(R"({"S":{"AWSTraceHeader":{"DataType":"String","StringValue":"Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"}}})");
  ASSERT_TRUE(v.ok());
  auto sys = parse_system_attributes(v->get("S"));
  ASSERT_TRUE(sys.ok());
  EXPECT_EQ(sys->md5, "5f48eef650c1d0207456969c85af2fdd");
  EXPECT_EQ(sys->trace_header, "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1");
}

}  // namespace
}  // namespace ebb::sqs
