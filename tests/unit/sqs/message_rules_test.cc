// Body characters, message attributes, system attributes, ids (sqs-api.md §8, §9.6).
#include <gtest/gtest.h>

#include "api/sqs/json_decode.h"
#include "api/sqs/message_rules.h"

namespace ebb::sqs {
namespace {

Code body_code(const std::string& b) {
  auto st = check_body(&b);
  return st.ok() ? Code::InternalError : st.error().code;
}

TEST(Body, RequiredAndCharacters) {
  EXPECT_EQ(check_body(nullptr).error().code, Code::MissingParameter);
  EXPECT_EQ(check_body(nullptr).error().message, "The request must contain the parameter MessageBody.");
  EXPECT_EQ(body_code(""), Code::MissingParameter);
  std::string good = "tab\there\r\nok \xef\xbf\xbd \xf0\x9f\x91\x8b";
  EXPECT_TRUE(check_body(&good).ok());
  for (std::string bad : {std::string("a\0b", 3), std::string("\x08"), std::string("\xef\xbf\xbe"),
                          std::string("\xef\xbf\xbf"), std::string("\xed\xa0\x80"), std::string("\xc0\xaf"),
                          std::string("\xf8\x88\x80\x80\x80"), std::string("abc\xe2\x82"), std::string("0123456789\x1f")}) {
    EXPECT_EQ(body_code(bad), Code::InvalidMessageContents) << bad;
  }
  std::string ctl = "\x01";
  auto st = check_body(&ctl);
  EXPECT_EQ(st.error().message,
            "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to "
            "#xFFFD | #x10000 to #x10FFFF");
}

Result<MsgAttrs> attrs(const std::string& json) {
  auto v = decode_json_body("{\"M\":" + json + "}");
  if (!v.ok()) return v.error();
  return parse_message_attributes(v->get("M"));
}

TEST(MessageAttributes, Valid) {
  auto a = attrs(R"({"b":{"DataType":"Number.java.lang.Long","StringValue":"1.50"},"a":{"DataType":"Binary.x","BinaryValue":"AAE="},"\u00c9t\u00e9":{"DataType":"String","StringValue":"x"}})");
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_EQ(a->size(), 3u);
  EXPECT_EQ((*a)[0].name, "a");
  EXPECT_TRUE((*a)[0].binary);
  EXPECT_EQ((*a)[0].value, std::string("\x00\x01", 2));
  EXPECT_EQ((*a)[1].data_type, "Number.java.lang.Long");
  EXPECT_EQ((*a)[1].value, "1.50");
}

TEST(MessageAttributes, Invalid) {
  std::string eleven = "{";
  for (int i = 0; i < 11; ++i) eleven += (i ? ",\"a" : "\"a") + std::to_string(i) + R"(":{"DataType":"String","StringValue":"x"})";
  eleven += "}";
  EXPECT_EQ(attrs(eleven).error().message, "Number of message attributes [11] exceeds the allowed maximum [10].");
  const char* bad[] = {
      R"({"AWS.x":{"DataType":"String","StringValue":"x"}})",
      R"({"amazon.x":{"DataType":"String","StringValue":"x"}})",
      R"({".x":{"DataType":"String","StringValue":"x"}})",
      R"({"x.":{"DataType":"String","StringValue":"x"}})",
      R"({"a..b":{"DataType":"String","StringValue":"x"}})",
      R"({"a b":{"DataType":"String","StringValue":"x"}})",
      R"({"x":{"DataType":"Strin","StringValue":"x"}})",
      R"({"x":{"DataType":"String.","StringValue":"x"}})",
      R"({"x":{"StringValue":"x"}})",
      R"({"x":{"DataType":"String","StringValue":""}})",
      R"({"x":{"DataType":"Binary","StringValue":"x"}})",
      R"({"x":{"DataType":"Binary","BinaryValue":"!!!"}})",
      R"({"x":{"DataType":"Number","StringValue":"abc"}})",
      R"({"x":{"DataType":"Number","StringValue":"1e127"}})",
      R"({"x":{"DataType":"Number","StringValue":"123456789012345678901234567890123456789"}})",
      R"({"x":{"DataType":"String","StringValue":"x","StringListValues":["a"]}})",
  };
  for (const char* b : bad) {
    auto r = attrs(b);
    ASSERT_FALSE(r.ok()) << b;
    EXPECT_EQ(r.error().code, Code::InvalidParameterValue) << b;
  }
  std::string long_name(257, 'a');
  EXPECT_FALSE(attrs("{\"" + long_name + R"(":{"DataType":"String","StringValue":"x"}})").ok());
  EXPECT_EQ(attrs(R"({"x":{"DataType":"Bogus","StringValue":"x"}})").error().message,
            "The message attribute 'x' has an invalid message attribute type, the set of supported type prefixes is "
            "Binary, Number, and String.");
  EXPECT_EQ(attrs(R"({"x":{"DataType":"Number"}})").error().message,
            "Message (user) attribute 'x' must contain a non-empty value of type 'Number'.");
  EXPECT_EQ(attrs(R"({"x":{"DataType":"String","StringValue":"\u0001"}})").error().code, Code::InvalidMessageContents);
}

TEST(MessageAttributes, NumberText) {
  for (const char* ok : {"0", "-1", "1.50", "+3", ".5", "5.", "1e126", "-1e128", "12345678901234567890123456789012345678",
                         "1.0E+10", "0000000000000000000000000000000000000000001"})
    EXPECT_TRUE(valid_number_text(ok)) << ok;
  for (const char* bad : {"", "-", "e5", "1e", "1.2.3", "0x10", " 1", "NaN", "2e126", "1e129", "1.1e126",
                          "123456789012345678901234567890123456789"})
    EXPECT_FALSE(valid_number_text(bad)) << bad;
}

TEST(SystemAttributes, OnlyTraceHeader) {
  auto v = decode_json_body(R"({"a":{"Other":{"DataType":"String","StringValue":"x"}},"b":{"AWSTraceHeader":{"DataType":"Number","StringValue":"1"}}})");
  EXPECT_FALSE(parse_system_attributes(v->get("a")).ok());
  EXPECT_FALSE(parse_system_attributes(v->get("b")).ok());
  auto none = parse_system_attributes(nullptr);
  EXPECT_TRUE(none.ok());
  EXPECT_TRUE(none->md5.empty());
}

TEST(FifoIds, Characters) {
  EXPECT_TRUE(check_fifo_id("customer-7!#$%&'()*+,./:;<=>?@[\\]^_`{|}~", "MessageGroupId").ok());
  EXPECT_FALSE(check_fifo_id("", "MessageGroupId").ok());
  EXPECT_FALSE(check_fifo_id(std::string(129, 'a'), "MessageGroupId").ok());
  EXPECT_TRUE(check_fifo_id(std::string(128, 'a'), "MessageGroupId").ok());
  auto st = check_fifo_id("a b", "MessageDeduplicationId");
  EXPECT_EQ(st.error().message,
            "Value a b for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId can only include "
            "alphanumeric and punctuation characters. 1 to 128 in length.");
  EXPECT_FALSE(check_fifo_id("caf\xc3\xa9", "MessageGroupId").ok());
}

TEST(BatchIds, Rules) {
  EXPECT_TRUE(valid_batch_entry_id("a-B_9"));
  EXPECT_TRUE(valid_batch_entry_id(std::string(80, 'x')));
  EXPECT_FALSE(valid_batch_entry_id(std::string(81, 'x')));
  EXPECT_FALSE(valid_batch_entry_id("a.b"));
  EXPECT_FALSE(valid_batch_entry_id("a b"));
  EXPECT_FALSE(valid_batch_entry_id(""));
}

TEST(AttributeSelection, Patterns) {
  std::vector<std::string> hel{"Hel.*"};
  EXPECT_TRUE(attribute_selected(hel, "Hello"));
  EXPECT_TRUE(attribute_selected(hel, "Help.Me"));
  EXPECT_FALSE(attribute_selected(hel, "General"));
  EXPECT_TRUE(attribute_selected({"All"}, "x"));
  EXPECT_TRUE(attribute_selected({".*"}, "x"));
  EXPECT_TRUE(attribute_selected({"*"}, "x"));
  EXPECT_TRUE(attribute_selected({"x"}, "x"));
  EXPECT_FALSE(attribute_selected({"x"}, "xy"));
  EXPECT_FALSE(attribute_selected({}, "x"));
}

}  // namespace
}  // namespace ebb::sqs
