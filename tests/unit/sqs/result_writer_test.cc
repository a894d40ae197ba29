// ResultWriter must produce exactly what render_result() makes of the same result as
// a Value tree, in both protocols (it replaces that tree on the hot actions only).
#include <gtest/gtest.h>

#include "api/sqs/json_writer.h"
#include "api/sqs/response.h"
#include "api/sqs/result_writer.h"

namespace ebb::sqs {
namespace {

constexpr std::string_view kReq = "req-<&>\"id";

void expect_same(Protocol p, std::string_view action, const Value& v, ResultWriter&& w) {
  SqsResponse a = render_result(p, action, &v, kReq);
  SqsResponse b = std::move(w).finish(kReq);
  EXPECT_EQ(a.body, b.body);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.content_type, b.content_type);
  EXPECT_EQ(a.action, b.action);
}

class ResultWriterTest : public ::testing::TestWithParam<Protocol> {};

TEST_P(ResultWriterTest, EmptyResult) {
  ResultWriter w(GetParam(), "ReceiveMessage");
  expect_same(GetParam(), "ReceiveMessage", Value::object(), std::move(w));
}

TEST_P(ResultWriterTest, BatchWithSuccessfulAndFailed) {
  Protocol p = GetParam();
  Value v = Value::object();
  Value ok = Value::list("SendMessageBatchResultEntry");
  Value bad = Value::list("BatchResultErrorEntry");
  ResultWriter w(p, "SendMessageBatch", 8);
  w.begin_list("Successful", "SendMessageBatchResultEntry");
  for (int i = 0; i < 3; ++i) {
    Value r = Value::object();
    std::string id = "id\"" + std::to_string(i) + "<\n\x01";
    r.set("Id", Value::str(id));
    r.set("MessageId", Value::str("0b8e-" + std::to_string(i)));
    r.set("MD5OfMessageBody", Value::str("d41d8cd98f00b204e9800998ecf8427e"));
    ok.push(std::move(r));
    w.begin_item();
    w.str("Id", id);
    w.str("MessageId", "0b8e-" + std::to_string(i));
    w.str("MD5OfMessageBody", "d41d8cd98f00b204e9800998ecf8427e");
    w.end_item();
  }
  w.end_list();
  Value f = Value::object();
  f.set("Id", Value::str("x"));
  f.set("SenderFault", Value::boolean_of(true));
  f.set("Code", Value::str("InvalidParameterValue"));
  f.set("Message", Value::str("Bad & \"worse\"\r"));
  bad.push(std::move(f));
  w.begin_list("Failed", "BatchResultErrorEntry");
  w.begin_item();
  w.str("Id", "x");
  w.boolean("SenderFault", true);
  w.str("Code", "InvalidParameterValue");
  w.str("Message", "Bad & \"worse\"\r");
  w.end_item();
  w.end_list();
  v.set("Successful", std::move(ok));
  v.set("Failed", std::move(bad));
  expect_same(p, "SendMessageBatch", v, std::move(w));
}

TEST_P(ResultWriterTest, MessagesWithMaps) {
  Protocol p = GetParam();
  Value v = Value::object();
  Value& list = v.set("Messages", Value::list("Message"));
  ResultWriter w(p, "ReceiveMessage");
  w.begin_list("Messages", "Message");
  for (int i = 0; i < 2; ++i) {
    Value m = Value::object();
    m.set("MessageId", Value::str("mid"));
    m.set("Body", Value::str("body \"quoted\" <tag> & \t tab"));
    w.begin_item();
    w.str("MessageId", "mid");
    w.str("Body", "body \"quoted\" <tag> & \t tab");
    // System attributes: the second message has none applicable (map omitted).
    w.begin_map("Attributes", "Attribute", "Name", "Value");
    if (i == 0) {
      Value a = Value::map("Attribute", "Name", "Value");
      a.set("SenderId", Value::str("AID"));
      a.set("SentTimestamp", Value::str("1700000000000"));
      m.set("Attributes", std::move(a));
      w.map_str("SenderId", "AID");
      w.map_int("SentTimestamp", 1700000000000);
    }
    w.end_map();
    m.set("MD5OfMessageAttributes", Value::str("abc"));
    w.str("MD5OfMessageAttributes", "abc");
    Value ua = Value::map("MessageAttribute", "Name", "Value");
    w.begin_map("MessageAttributes", "MessageAttribute", "Name", "Value");
    for (std::string name : {"a<b", "c\"d"}) {
      Value o = Value::object();
      o.set("StringValue", Value::str("v&" + name));
      o.set("DataType", Value::str("String"));
      ua.set(name, std::move(o));
      w.begin_map_object(name);
      w.str("StringValue", "v&" + name);
      w.str("DataType", "String");
      w.end_map_object();
    }
    w.end_map();
    m.set("MessageAttributes", std::move(ua));
    w.end_item();
    list.push(std::move(m));
  }
  w.end_list();
  expect_same(p, "ReceiveMessage", v, std::move(w));
}

INSTANTIATE_TEST_SUITE_P(Protocols, ResultWriterTest, ::testing::Values(Protocol::Json, Protocol::Query));

TEST(JsonEscape, EscapesControlQuoteBackslashOnly) {
  std::string out;
  json_escape_into(std::string_view("a\"b\\c\n\r\t\x01\x1f\x7f é", 14), out);
  EXPECT_EQ(out, "a\\\"b\\\\c\\n\\r\\t\\u0001\\u001f\x7f é");
}

}  // namespace
}  // namespace ebb::sqs
