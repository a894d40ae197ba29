// Strict numbers and typed parameter access (sqs-api.md §3.1, reliability.md §5.2).
#include <gtest/gtest.h>

#include "api/sqs/json_decode.h"
#include "api/sqs/params.h"

namespace ebb::sqs {
namespace {

Value q(std::string v) {
  Value o = Value::object();
  o.set("DelaySeconds", Value::str(std::move(v)));
  return o;
}

Result<std::optional<int>> delay(const Value& o) {
  return opt_int(o, "DelaySeconds", 0, 900, "Must be between 0 and 900, if provided.");
}

TEST(StrictInt, QueryTextRules) {
  for (const char* bad : {"-1", "901", "99999999999999999999", "1e3", "0x10", " 5", "5 ", "+5", "1.5", "NaN", ""}) {
    auto r = delay(q(bad));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, Code::InvalidParameterValue);
  }
  EXPECT_EQ(delay(q("901")).error().message,
            "Value 901 for parameter DelaySeconds is invalid. Reason: Must be between 0 and 900, if provided.");
  EXPECT_EQ(**delay(q("0")), 0);
  EXPECT_EQ(**delay(q("900")), 900);
  EXPECT_FALSE(delay(Value::object())->has_value());
}

TEST(StrictInt, JsonRules) {
  auto ok = decode_json_body(R"({"DelaySeconds":10})");
  EXPECT_EQ(**delay(*ok), 10);
  auto str = decode_json_body(R"({"DelaySeconds":"10"})");
  EXPECT_EQ(**delay(*str), 10);
  for (const char* bad : {R"({"DelaySeconds":10.0})", R"({"DelaySeconds":true})", R"({"DelaySeconds":null})",
                          R"({"DelaySeconds":1e3})", R"({"DelaySeconds":-1})", R"({"DelaySeconds":[1]})"}) {
    auto v = decode_json_body(bad);
    ASSERT_TRUE(v.ok()) << bad;
    EXPECT_FALSE(delay(*v).ok()) << bad;
  }
}

TEST(Params, RequiredString) {
  Value o = Value::object();
  o.set("QueueUrl", Value::str(""));
  auto r = req_string(o, "QueueUrl");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::MissingParameter);
  EXPECT_EQ(r.error().message, "The request must contain the parameter QueueUrl.");
  EXPECT_FALSE(req_string(Value::object(), "QueueUrl").ok());
}

TEST(Params, ListsMapsBools) {
  auto v = decode_json_body(R"({"L":["a","b"],"M":{"x":"1","y":2},"B":"TRUE","Bad":["a",1]})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(string_list(*v, "L")->size(), 2u);
  EXPECT_EQ(string_map(*v, "M")->at("y"), "2");
  EXPECT_TRUE(**opt_bool(*v, "B"));
  EXPECT_FALSE(string_list(*v, "Bad").ok());
  EXPECT_TRUE(string_list(*v, "Absent")->empty());
}

}  // namespace
}  // namespace ebb::sqs
