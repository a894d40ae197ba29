// XML/JSON output, error rendering, queue URLs (sqs-api.md §3.2, §4, §5.1, §6.3).
#include <gtest/gtest.h>

#include "api/sqs/json_writer.h"
#include "api/sqs/queue_url.h"
#include "api/sqs/response.h"
#include "api/sqs/xml_writer.h"

namespace ebb::sqs {
namespace {

const char* kId = "b5bf2332-e983-4f2a-9a5b-0a3b5b0a1c2d";

TEST(Xml, Escaping) {
  std::string out;
  xml_escape_into("a&b<c>d\"e\r\nf]]>\xef\xbf\xbd", out);
  EXPECT_EQ(out, "a&amp;b&lt;c&gt;d&quot;e&#xD;\nf]]&gt;\xef\xbf\xbd");
}

TEST(Xml, FlattenedListsAndMaps) {
  Value r = Value::object();
  Value& urls = r.set("QueueUrls", Value::list("QueueUrl"));
  urls.push(Value::str("u1"));
  urls.push(Value::str("u2"));
  Value& attrs = r.set("Attributes", Value::map("Attribute", "Name", "Value"));
  attrs.set("A", Value::str("1"));
  std::string out;
  write_xml_members(r, out);
  EXPECT_EQ(out, "<QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl><Attribute><Name>A</Name><Value>1</Value></Attribute>");
}

TEST(Xml, SuccessEnvelope) {
  Value r = Value::object();
  r.set("QueueUrl", Value::str("http://localhost:4566/000000000000/orders"));
  auto resp = render_result(Protocol::Query, "CreateQueue", &r, kId);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.content_type, "text/xml");
  EXPECT_EQ(resp.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CreateQueueResponse "
            "xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><CreateQueueResult><QueueUrl>http://localhost:4566/"
            "000000000000/orders</QueueUrl></CreateQueueResult><ResponseMetadata><RequestId>" +
                std::string(kId) + "</RequestId></ResponseMetadata></CreateQueueResponse>");
  auto none = render_result(Protocol::Query, "DeleteQueue", nullptr, kId);
  EXPECT_EQ(none.body.find("Result"), std::string::npos);
  Value empty = Value::object();
  auto er = render_result(Protocol::Query, "ReceiveMessage", &empty, kId);
  EXPECT_NE(er.body.find("<ReceiveMessageResult/>"), std::string::npos);
}

TEST(Json, OutputRules) {
  Value r = Value::object();
  r.set("Absent", Value{});
  r.set("SenderFault", Value::boolean_of(true));
  r.set("N", Value::num(5));
  r.set("S", Value::str("line1\r\nline2\"\\\x01"));
  std::string out;
  write_json(r, out);
  EXPECT_EQ(out, R"({"SenderFault":true,"N":5,"S":"line1\r\nline2\"\\\u0001"})");
  EXPECT_EQ(render_result(Protocol::Json, "DeleteQueue", nullptr, kId).body, "{}");
}

TEST(Errors, QueryAndJson) {
  auto q = render_error(Protocol::Query, "GetQueueUrl", err(Code::NonExistentQueue, "x"), kId);
  EXPECT_EQ(q.status, 400);
  EXPECT_EQ(q.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ErrorResponse "
            "xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><Error><Type>Sender</Type><Code>AWS."
            "SimpleQueueService.NonExistentQueue</Code><Message>The specified queue does not exist for this wsdl "
            "version.</Message><Detail/></Error><RequestId>" +
                std::string(kId) + "</RequestId></ErrorResponse>");
  EXPECT_EQ(q.error_code, "AWS.SimpleQueueService.NonExistentQueue");
  auto j = render_error(Protocol::Json, "GetQueueUrl", err(Code::NonExistentQueue, "x"), kId);
  EXPECT_EQ(j.body, R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."})");
  ASSERT_EQ(j.headers.size(), 1u);
  EXPECT_EQ(j.headers[0].first, "x-amzn-query-error");
  EXPECT_EQ(j.headers[0].second, "AWS.SimpleQueueService.NonExistentQueue;Sender");
  auto h = render_error(Protocol::Json, "DeleteMessage",
                        err(Code::ReceiptHandleIsInvalid, "The input receipt handle \"garbage\" is not a valid receipt handle."), kId);
  EXPECT_EQ(h.status, 404);
  EXPECT_EQ(h.body, R"({"__type":"com.amazonaws.sqs#ReceiptHandleIsInvalid","message":"The input receipt handle \"garbage\" is not a valid receipt handle."})");
  auto s = render_error(Protocol::Json, "", err(Code::Serialization, "bad"), kId);
  EXPECT_TRUE(s.headers.empty());
  auto u = render_error(Protocol::Query, "X", err(Code::ServiceUnavailable, "later"), kId);
  EXPECT_EQ(u.status, 503);
  EXPECT_NE(u.body.find("<Type>Receiver</Type>"), std::string::npos);
  auto uj = render_error(Protocol::Json, "X", err(Code::ServiceUnavailable, "later"), kId);
  EXPECT_EQ(uj.headers[0].second, "ServiceUnavailable;Receiver");
}

TEST(QueueUrl, Parse) {
  const std::string acct = "000000000000";
  auto name = [&](std::string_view u) {
    auto r = queue_name_from_url(u, acct);
    return r.ok() ? *r : "!" + std::string(code_info(r.error().code).query_code);
  };
  EXPECT_EQ(name("http://localhost:4566/000000000000/orders"), "orders");
  EXPECT_EQ(name("https://sqs.example.com:9324/000000000000/orders.fifo/"), "orders.fifo");
  EXPECT_EQ(name("http://x/queue/orders"), "orders");
  EXPECT_EQ(name("http://x/queue/us-east-1/000000000000/orders"), "orders");
  EXPECT_EQ(name("orders"), "orders");
  EXPECT_EQ(name("/000000000000/orders"), "orders");
  EXPECT_EQ(name("http://x/123456789012/orders"), "!AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(name("http://x/000000000000/../x"), "!AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(name("http://x/000000000000/a%2Fb"), "!AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(name(""), "!InvalidAddress");
  EXPECT_EQ(name("http://localhost:4566/"), "!InvalidAddress");
  EXPECT_EQ(name("/"), "!InvalidAddress");
}

TEST(QueueUrl, Make) {
  EXPECT_EQ(make_queue_url("", "http", "localhost:4566", "000000000000", "orders"),
            "http://localhost:4566/000000000000/orders");
  EXPECT_EQ(make_queue_url("https://q.example.com/", "http", "h", "000000000000", "o"),
            "https://q.example.com/000000000000/o");
  EXPECT_TRUE(is_queue_path("/000000000000/orders"));
  EXPECT_FALSE(is_queue_path("/"));
  EXPECT_FALSE(is_queue_path("/api/v1/queues"));
}

}  // namespace
}  // namespace ebb::sqs
