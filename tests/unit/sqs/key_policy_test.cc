// Per-key authorization (reliability.md §3.2 step 12): the glob matcher, the action
// table of each role, and step 12 in SqsApi on both protocols (AccessDenied in each
// protocol's error format, ListQueues filtered by the key's patterns).
#include "api/sqs/key_policy.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>

#include "sqs_harness.h"

namespace ebb::sqs {
namespace {

TEST(KeyPolicyGlob, StarAndQuestionMark) {
  EXPECT_TRUE(glob_match("orders-*", "orders-eu"));
  EXPECT_TRUE(glob_match("orders-*", "orders-"));
  EXPECT_FALSE(glob_match("orders-*", "orders"));
  EXPECT_FALSE(glob_match("orders-*", "billing"));
  EXPECT_FALSE(glob_match("orders-*", "xorders-eu"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("*", "anything"));
  EXPECT_TRUE(glob_match("q?", "q1"));
  EXPECT_FALSE(glob_match("q?", "q"));
  EXPECT_FALSE(glob_match("q?", "q12"));
  EXPECT_TRUE(glob_match("*-dlq", "orders-eu-dlq"));
  EXPECT_TRUE(glob_match("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXbYbZ"));
  EXPECT_TRUE(glob_match("*.fifo", "jobs.fifo"));
  EXPECT_FALSE(glob_match("*.fifo", "jobs"));
  EXPECT_TRUE(glob_match("exact", "exact"));
  EXPECT_FALSE(glob_match("exact", "Exact"));  // queue names are case-sensitive
  EXPECT_FALSE(glob_match("", "x"));
  EXPECT_TRUE(glob_match("", ""));
  EXPECT_TRUE(glob_match("**", "x"));
}

TEST(KeyPolicyGlob, ManyStarsStayFast) {
  // A backtracking matcher would take exponential time here; ours is O(|p|·|s|).
  std::string p(40, '*');
  p += "b";
  EXPECT_FALSE(glob_match(p, std::string(80, 'a')));
  EXPECT_TRUE(glob_match("*a*a*a*a*a*a*a*a", std::string(80, 'a')));
}

TEST(KeyPolicyPatterns, Validation) {
  EXPECT_TRUE(check_queue_pattern("orders-*").ok());
  EXPECT_TRUE(check_queue_pattern("job?.fifo").ok());
  EXPECT_FALSE(check_queue_pattern("").ok());
  EXPECT_FALSE(check_queue_pattern(std::string(81, 'a')).ok());
  auto e = check_queue_pattern("orders/eu");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("orders/eu"), std::string::npos);
  EXPECT_FALSE(check_queue_pattern("a b").ok());
  EXPECT_FALSE(check_queue_pattern("[ab]").ok());
}

TEST(KeyPolicyRoles, ActionTable) {
  const char* all[] = {"CreateQueue",        "GetQueueUrl",          "ListQueues",
                       "DeleteQueue",        "PurgeQueue",           "GetQueueAttributes",
                       "SetQueueAttributes", "ListDeadLetterSourceQueues", "TagQueue",
                       "UntagQueue",         "ListQueueTags",        "SendMessage",
                       "SendMessageBatch",   "ReceiveMessage",       "DeleteMessage",
                       "DeleteMessageBatch", "ChangeMessageVisibility", "ChangeMessageVisibilityBatch",
                       "StartMessageMoveTask", "ListMessageMoveTasks", "CancelMessageMoveTask",
                       "AddPermission",      "RemovePermission"};
  std::set<std::string> producer = {"SendMessage", "SendMessageBatch", "GetQueueUrl", "GetQueueAttributes",
                                    "ListQueues"};
  std::set<std::string> consumer = {"ReceiveMessage",     "DeleteMessage",      "DeleteMessageBatch",
                                    "ChangeMessageVisibility", "ChangeMessageVisibilityBatch", "GetQueueUrl",
                                    "GetQueueAttributes", "ListQueues"};
  for (const char* a : all) {
    EXPECT_TRUE(role_allows(KeyRole::Admin, a)) << a;
    EXPECT_EQ(role_allows(KeyRole::Producer, a), producer.contains(a)) << a;
    EXPECT_EQ(role_allows(KeyRole::Consumer, a), consumer.contains(a)) << a;
  }
  EXPECT_EQ(parse_key_role("producer"), KeyRole::Producer);
  EXPECT_FALSE(parse_key_role("root"));
  EXPECT_EQ(key_role_name(KeyRole::Consumer), "consumer");
}

TEST(KeyPolicyAuthorize, RoleThenQueue) {
  KeyPolicy p{"EBBTESTKEY", KeyRole::Producer, {"orders-*"}};
  EXPECT_TRUE(authorize(p, "SendMessage", std::string("orders-eu")).ok());
  auto st = authorize(p, "SendMessage", std::string("billing"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, Code::AccessDenied);
  EXPECT_NE(st.error().message.find("SendMessage"), std::string::npos);
  EXPECT_NE(st.error().message.find("billing"), std::string::npos);
  EXPECT_NE(st.error().message.find("EBBTESTKEY"), std::string::npos);
  st = authorize(p, "ReceiveMessage", std::string("orders-eu"));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("ReceiveMessage"), std::string::npos);
  EXPECT_TRUE(authorize(p, "ListQueues", std::nullopt).ok());
  KeyPolicy admin{"EBBADMIN", KeyRole::Admin, {"orders-*"}};
  EXPECT_TRUE(authorize(admin, "DeleteQueue", std::string("orders-eu")).ok());
  EXPECT_FALSE(authorize(admin, "DeleteQueue", std::string("billing")).ok());
  EXPECT_FALSE(authorize(admin, "ListMessageMoveTasks", std::nullopt).ok());  // names no queue
  KeyPolicy everything{"EBBALL", KeyRole::Consumer, {}};
  EXPECT_TRUE(authorize(everything, "ReceiveMessage", std::string("any")).ok());
  EXPECT_FALSE(authorize(everything, "PurgeQueue", std::string("any")).ok());
}

// Step 12 in front of the actions, both protocols.
struct SqsPolicy : ::testing::Test {
  test::SqsHarness h;
  std::shared_ptr<const KeyPolicy> producer =
      std::make_shared<KeyPolicy>(KeyPolicy{"EBBPRODUCER", KeyRole::Producer, {"orders-*"}});

  void SetUp() override {
    for (const char* q : {"orders-eu", "orders-us", "billing"})
      ASSERT_EQ(h.query(std::string("Action=CreateQueue&QueueName=") + q).status, 200);
  }
  SqsResponse query(std::string body, std::shared_ptr<const KeyPolicy> p) {
    SqsRequest r = test::SqsHarness::base();
    r.content_type = "application/x-www-form-urlencoded";
    r.body = std::move(body);
    r.policy = std::move(p);
    return h.send(std::move(r));
  }
  SqsResponse json(const std::string& op, std::string body, std::shared_ptr<const KeyPolicy> p) {
    SqsRequest r = test::SqsHarness::base();
    r.content_type = "application/x-amz-json-1.0";
    r.amz_target = "AmazonSQS." + op;
    r.body = std::move(body);
    r.policy = std::move(p);
    return h.send(std::move(r));
  }
};

TEST_F(SqsPolicy, QueryProtocol) {
  auto r = query("Action=SendMessage&QueueUrl=http://localhost:4566/000000000000/orders-eu&MessageBody=hi", producer);
  EXPECT_EQ(r.status, 200) << r.body;
  r = query("Action=SendMessage&QueueUrl=http://localhost:4566/000000000000/billing&MessageBody=hi", producer);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.content_type, "text/xml");
  EXPECT_NE(r.body.find("<Code>AccessDenied</Code>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<Type>Sender</Type>"), std::string::npos);
  EXPECT_NE(r.body.find("billing"), std::string::npos);
  r = query("Action=ReceiveMessage&QueueUrl=http://localhost:4566/000000000000/orders-eu", producer);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("ReceiveMessage"), std::string::npos);
  r = query("Action=GetQueueUrl&QueueName=billing", producer);  // QueueName counts too
  EXPECT_EQ(r.status, 403);
  r = query("Action=GetQueueUrl&QueueName=orders-us", producer);
  EXPECT_EQ(r.status, 200);
  r = query("Action=ListQueues", producer);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("orders-eu"), std::string::npos);
  EXPECT_NE(r.body.find("orders-us"), std::string::npos);
  EXPECT_EQ(r.body.find("billing"), std::string::npos) << r.body;
  // No policy (admin key, task keys, --auth none): everything.
  r = query("Action=ListQueues", nullptr);
  EXPECT_NE(r.body.find("billing"), std::string::npos);
}

TEST_F(SqsPolicy, JsonProtocol) {
  auto r = json("SendMessage", R"({"QueueUrl":"http://localhost:4566/000000000000/orders-eu","MessageBody":"x"})",
                producer);
  EXPECT_EQ(r.status, 200) << r.body;
  r = json("DeleteQueue", R"({"QueueUrl":"http://localhost:4566/000000000000/orders-eu"})", producer);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.content_type, "application/x-amz-json-1.0");
  EXPECT_NE(r.body.find("com.amazonaws.sqs#AccessDenied"), std::string::npos) << r.body;
  bool header = false;
  for (auto& [k, v] : r.headers)
    if (k == "x-amzn-query-error" && v == "AccessDenied;Sender") header = true;
  EXPECT_TRUE(header);
  r = json("CreateQueue", R"({"QueueName":"orders-new"})", producer);
  EXPECT_EQ(r.status, 403);  // queue management is admin only
  r = json("ListQueues", "{}", producer);
  EXPECT_EQ(r.body.find("billing"), std::string::npos) << r.body;
  auto consumer = std::make_shared<KeyPolicy>(KeyPolicy{"EBBCONSUMER", KeyRole::Consumer, {}});
  r = json("ReceiveMessage", R"({"QueueUrl":"http://localhost:4566/000000000000/billing"})", consumer);
  EXPECT_EQ(r.status, 200) << r.body;
  r = json("SendMessage", R"({"QueueUrl":"http://localhost:4566/000000000000/billing","MessageBody":"x"})", consumer);
  EXPECT_EQ(r.status, 403);
}

}  // namespace
}  // namespace ebb::sqs
