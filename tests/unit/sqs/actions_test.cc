// Action-level tests: SqsApi over a real Engine; §10 examples in both protocols
// (message ids and receipt handles masked).
#include <gtest/gtest.h>

#include "sqs_harness.h"

namespace ebb::test {
namespace {

const std::string kXml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
const std::string kNs = " xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"";
const std::string kMeta = std::string("<ResponseMetadata><RequestId>") + kRequestId + "</RequestId></ResponseMetadata>";
const std::string kOrdersUrl = "http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Forders";

std::string ok_xml(const std::string& op, const std::string& result) {
  return kXml + "<" + op + "Response" + kNs + ">" + result + kMeta + "</" + op + "Response>";
}

class SqsActions : public ::testing::Test {
 protected:
  SqsHarness h;
  void create(const std::string& name) {
    auto r = h.json("CreateQueue", "{\"QueueName\":\"" + name + "\"}");
    ASSERT_EQ(r.status, 200) << r.body;
  }
};

TEST_F(SqsActions, CreateQueueBothProtocols) {
  auto q = h.query(
      "Action=CreateQueue&Version=2012-11-05&QueueName=orders&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=60&"
      "Attribute.2.Name=ReceiveMessageWaitTimeSeconds&Attribute.2.Value=20&Tag.1.Key=team&Tag.1.Value=billing");
  EXPECT_EQ(q.status, 200);
  EXPECT_EQ(q.content_type, "text/xml");
  EXPECT_EQ(q.action, "CreateQueue");
  EXPECT_EQ(q.body, ok_xml("CreateQueue",
                           "<CreateQueueResult><QueueUrl>http://localhost:4566/000000000000/orders</QueueUrl></CreateQueueResult>"));
  // Idempotent in JSON with the same attributes.
  auto j = h.json("CreateQueue",
                  R"({"QueueName": "orders", "Attributes": {"VisibilityTimeout": "60", "ReceiveMessageWaitTimeSeconds": "20"}, "tags": {"team": "billing"}})");
  EXPECT_EQ(j.status, 200);
  EXPECT_EQ(j.content_type, "application/x-amz-json-1.0");
  EXPECT_EQ(j.body, R"({"QueueUrl":"http://localhost:4566/000000000000/orders"})");
  auto tags = h.json("ListQueueTags", R"({"QueueUrl":"http://localhost:4566/000000000000/orders"})");
  EXPECT_EQ(tags.body, R"({"Tags":{"team":"billing"}})");
  auto xtags = h.query("Action=ListQueueTags&QueueUrl=" + kOrdersUrl);
  EXPECT_EQ(xtags.body, ok_xml("ListQueueTags", "<ListQueueTagsResult><Tag><Key>team</Key><Value>billing</Value></Tag></ListQueueTagsResult>"));
}

TEST_F(SqsActions, CreateQueueNameRules) {
  auto r = h.json("CreateQueue", R"({"QueueName":"bad name"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(header(r, "x-amzn-query-error"), "InvalidParameterValue;Sender");
  auto f = h.json("CreateQueue", R"({"QueueName":"orders"   ,"Attributes":{"FifoQueue":"true"}})");
  EXPECT_EQ(f.status, 400);
  EXPECT_NE(f.body.find("must end with .fifo suffix"), std::string::npos);
  auto m = h.json("CreateQueue", R"({})");
  EXPECT_EQ(m.body, R"({"__type":"com.amazonaws.sqs#MissingRequiredParameterException","message":"The request must contain the parameter QueueName."})");
}

TEST_F(SqsActions, GetQueueUrlAndMissing) {
  create("orders");
  auto q = h.query("Action=GetQueueUrl&Version=2012-11-05&QueueName=orders");
  EXPECT_EQ(q.body, ok_xml("GetQueueUrl",
                           "<GetQueueUrlResult><QueueUrl>http://localhost:4566/000000000000/orders</QueueUrl></GetQueueUrlResult>"));
  auto j = h.json("GetQueueUrl", R"({"QueueName": "orders"})");
  EXPECT_EQ(j.body, R"({"QueueUrl":"http://localhost:4566/000000000000/orders"})");
  auto mq = h.query("Action=GetQueueUrl&Version=2012-11-05&QueueName=missing");
  EXPECT_EQ(mq.status, 400);
  EXPECT_EQ(mq.body, kXml + "<ErrorResponse" + kNs +
                         "><Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The "
                         "specified queue does not exist for this wsdl version.</Message><Detail/></Error><RequestId>" +
                         kRequestId + "</RequestId></ErrorResponse>");
  auto mj = h.json("GetQueueUrl", R"({"QueueName": "missing"})");
  EXPECT_EQ(mj.status, 400);
  EXPECT_EQ(header(mj, "x-amzn-query-error"), "AWS.SimpleQueueService.NonExistentQueue;Sender");
  EXPECT_EQ(mj.body, R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."})");
  auto other = h.json("GetQueueUrl", R"({"QueueName": "orders","QueueOwnerAWSAccountId":"111122223333"})");
  EXPECT_EQ(other.status, 400);
}

TEST_F(SqsActions, ListQueuesPaging) {
  create("orders");
  create("orders-dlq");
  create("ordz");
  create("other");
  auto q = h.query("Action=ListQueues&Version=2012-11-05&QueueNamePrefix=ord&MaxResults=2");
  EXPECT_EQ(q.body, ok_xml("ListQueues",
                           "<ListQueuesResult><QueueUrl>http://localhost:4566/000000000000/orders</QueueUrl><QueueUrl>"
                           "http://localhost:4566/000000000000/orders-dlq</QueueUrl><NextToken>b3JkZXJzLWRscQ</NextToken>"
                           "</ListQueuesResult>"));
  auto j = h.json("ListQueues", R"({"QueueNamePrefix": "ord", "MaxResults": 2})");
  EXPECT_EQ(j.body,
            R"({"QueueUrls":["http://localhost:4566/000000000000/orders","http://localhost:4566/000000000000/orders-dlq"],"NextToken":"b3JkZXJzLWRscQ"})");
  auto next = h.json("ListQueues", R"({"QueueNamePrefix": "ord", "MaxResults": 2, "NextToken": "b3JkZXJzLWRscQ"})");
  EXPECT_EQ(next.body, R"({"QueueUrls":["http://localhost:4566/000000000000/ordz"]})");
  auto all = h.json("ListQueues", "{}");
  EXPECT_EQ(all.body.find("NextToken"), std::string::npos);
  EXPECT_EQ(h.json("ListQueues", R"({"QueueNamePrefix":"zzz"})").body, "{}");
  auto bad = h.json("ListQueues", R"({"MaxResults": 2, "NextToken": "!!"})");
  EXPECT_EQ(bad.body, R"({"__type":"com.amazonaws.sqs#InvalidParameterValueException","message":"Invalid NextToken value."})");
  EXPECT_EQ(h.json("ListQueues", R"({"MaxResults": 0})").status, 400);
  EXPECT_EQ(h.json("ListQueues", R"({"MaxResults": 1001})").status, 400);
}

TEST_F(SqsActions, SendMessageExamples) {
  create("orders");
  auto q = h.query("Action=SendMessage&Version=2012-11-05&QueueUrl=" + kOrdersUrl +
                   "&MessageBody=hello+world&MessageAttribute.1.Name=tenant&MessageAttribute.1.Value.DataType=String&"
                   "MessageAttribute.1.Value.StringValue=acme");
  EXPECT_EQ(mask_ids(q.body),
            ok_xml("SendMessage",
                   "<SendMessageResult><MessageId>ID</MessageId><MD5OfMessageBody>5eb63bbbe01eeed093cb22bb8f5acdc3</"
                   "MD5OfMessageBody><MD5OfMessageAttributes>c52f727da6769fcbc66f3f8555ce234a</MD5OfMessageAttributes>"
                   "</SendMessageResult>"));
  auto j = h.json("SendMessage",
                  R"({"QueueUrl": "http://localhost:4566/000000000000/orders", "MessageBody": "hello world", "MessageAttributes": {"tenant": {"DataType": "String", "StringValue": "acme"}}})");
  EXPECT_EQ(mask_ids(j.body),
            R"({"MessageId":"ID","MD5OfMessageBody":"5eb63bbbe01eeed093cb22bb8f5acdc3","MD5OfMessageAttributes":"c52f727da6769fcbc66f3f8555ce234a"})");
  auto sys = h.json("SendMessage",
                    R"({"QueueUrl":"http://localhost:4566/000000000000/orders","MessageBody":"x","MessageSystemAttributes":{"AWSTraceHeader":{"DataType":"String","StringValue":"Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"}}})");
  EXPECT_NE(sys.body.find(R"("MD5OfMessageSystemAttributes":"5f48eef650c1d0207456969c85af2fdd")"), std::string::npos);
  auto nobody = h.json("SendMessage", R"({"QueueUrl":"http://localhost:4566/000000000000/orders"})");
  EXPECT_EQ(nobody.body, R"({"__type":"com.amazonaws.sqs#MissingRequiredParameterException","message":"The request must contain the parameter MessageBody."})");
  auto badchar = h.json("SendMessage", R"({"QueueUrl":"http://localhost:4566/000000000000/orders","MessageBody":"a\u0000b"})");
  EXPECT_EQ(header(badchar, "x-amzn-query-error"), "InvalidMessageContents;Sender");
  auto lone = h.json("SendMessage", R"({"QueueUrl":"http://localhost:4566/000000000000/orders","MessageBody":"a\ud800"})");
  EXPECT_EQ(header(lone, "x-amzn-query-error"), "InvalidMessageContents;Sender");
  auto missingq = h.json("SendMessage", R"({"QueueUrl":"http://localhost:4566/000000000000/nope","MessageBody":"x"})");
  EXPECT_EQ(header(missingq, "x-amzn-query-error"), "AWS.SimpleQueueService.NonExistentQueue;Sender");
}

TEST_F(SqsActions, SendMessageToQueuePath) {
  create("orders");
  auto q = h.query("Action=SendMessage&MessageBody=hi", "/000000000000/orders");
  EXPECT_EQ(q.status, 200) << q.body;
}

TEST_F(SqsActions, FifoSend) {
  auto c = h.json("CreateQueue", R"({"QueueName":"orders.fifo","Attributes":{"FifoQueue":"true","ContentBasedDeduplication":"true"}})");
  ASSERT_EQ(c.status, 200) << c.body;
  auto s = h.json("SendMessage",
                  R"({"QueueUrl": "http://localhost:4566/000000000000/orders.fifo", "MessageBody": "hello world", "MessageGroupId": "customer-7", "MessageDeduplicationId": "order-1001"})");
  EXPECT_EQ(s.status, 200) << s.body;
  EXPECT_NE(s.body.find("\"SequenceNumber\":\""), std::string::npos);
  auto bad = h.json("SendMessage",
                    R"({"QueueUrl": "http://localhost:4566/000000000000/orders.fifo", "MessageBody": "x", "MessageGroupId": "a b"})");
  EXPECT_EQ(bad.status, 400);
}

TEST_F(SqsActions, SendMessageBatchExamples) {
  create("orders");
  auto q = h.query("Action=SendMessageBatch&Version=2012-11-05&QueueUrl=" + kOrdersUrl +
                   "&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=hello+world&"
                   "SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=later&"
                   "SendMessageBatchRequestEntry.2.DelaySeconds=901");
  EXPECT_EQ(mask_ids(q.body),
            ok_xml("SendMessageBatch",
                   "<SendMessageBatchResult><SendMessageBatchResultEntry><Id>a</Id><MessageId>ID</MessageId>"
                   "<MD5OfMessageBody>5eb63bbbe01eeed093cb22bb8f5acdc3</MD5OfMessageBody></SendMessageBatchResultEntry>"
                   "<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault><Code>InvalidParameterValue</Code>"
                   "<Message>Value 901 for parameter DelaySeconds is invalid. Reason: Must be between 0 and 900, if "
                   "provided.</Message></BatchResultErrorEntry></SendMessageBatchResult>"));
  auto j = h.json("SendMessageBatch",
                  R"({"QueueUrl": "http://localhost:4566/000000000000/orders", "Entries": [{"Id": "a", "MessageBody": "hello world"}, {"Id": "b", "MessageBody": "later", "DelaySeconds": 901}]})");
  EXPECT_EQ(mask_ids(j.body),
            R"({"Successful":[{"Id":"a","MessageId":"ID","MD5OfMessageBody":"5eb63bbbe01eeed093cb22bb8f5acdc3"}],"Failed":[{"Id":"b","SenderFault":true,"Code":"InvalidParameterValue","Message":"Value 901 for parameter DelaySeconds is invalid. Reason: Must be between 0 and 900, if provided."}]})");
  auto ok = h.json("SendMessageBatch",
                   R"({"QueueUrl": "http://localhost:4566/000000000000/orders", "Entries": [{"Id": "a", "MessageBody": "x"}]})");
  EXPECT_EQ(ok.body.find("Failed"), std::string::npos);
}

TEST_F(SqsActions, BatchShapeErrors) {
  create("orders");
  std::string entries;
  for (int i = 0; i < 11; ++i) entries += (i ? "," : "") + std::string(R"({"Id":"e)") + std::to_string(i) + R"(","MessageBody":"x"})";
  auto many = h.json("SendMessageBatch", R"({"QueueUrl":"http://localhost:4566/000000000000/orders","Entries":[)" + entries + "]}");
  EXPECT_EQ(many.status, 400);
  EXPECT_EQ(header(many, "x-amzn-query-error"), "AWS.SimpleQueueService.TooManyEntriesInBatchRequest;Sender");
  EXPECT_EQ(many.body, R"({"__type":"com.amazonaws.sqs#TooManyEntriesInBatchRequest","message":"Maximum number of entries per request are 10. You have sent 11."})");
  auto empty = h.json("SendMessageBatch", R"({"QueueUrl":"http://localhost:4566/000000000000/orders","Entries":[]})");
  EXPECT_EQ(header(empty, "x-amzn-query-error"), "AWS.SimpleQueueService.EmptyBatchRequest;Sender");
  auto dup = h.json("SendMessageBatch", R"({"QueueUrl":"http://localhost:4566/000000000000/orders","Entries":[{"Id":"a","MessageBody":"x"},{"Id":"a","MessageBody":"y"}]})");
  EXPECT_EQ(header(dup, "x-amzn-query-error"), "AWS.SimpleQueueService.BatchEntryIdsNotDistinct;Sender");
  auto badid = h.json("SendMessageBatch", R"({"QueueUrl":"http://localhost:4566/000000000000/orders","Entries":[{"Id":"a.b","MessageBody":"x"}]})");
  EXPECT_EQ(header(badid, "x-amzn-query-error"), "AWS.SimpleQueueService.InvalidBatchEntryId;Sender");
  std::string big(600000, 'x');
  auto toolong = h.json("SendMessageBatch", R"({"QueueUrl":"http://localhost:4566/000000000000/orders","Entries":[{"Id":"a","MessageBody":")" + big +
                                                R"("},{"Id":"b","MessageBody":")" + big + R"("}]})");
  EXPECT_EQ(toolong.body, R"({"__type":"com.amazonaws.sqs#BatchRequestTooLong","message":"Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes."})");
  // Queue existence is checked first.
  auto noq = h.json("SendMessageBatch", R"({"QueueUrl":"http://localhost:4566/000000000000/nope","Entries":[]})");
  EXPECT_EQ(header(noq, "x-amzn-query-error"), "AWS.SimpleQueueService.NonExistentQueue;Sender");
}

TEST_F(SqsActions, ReceiveAndDelete) {
  create("orders");
  auto s = h.json("SendMessage",
                  R"({"QueueUrl":"http://localhost:4566/000000000000/orders","MessageBody":"line1\r\nline2","MessageAttributes":{"tenant":{"DataType":"String","StringValue":"acme"},"other":{"DataType":"Number","StringValue":"1"}}})");
  ASSERT_EQ(s.status, 200) << s.body;
  auto q = h.query("Action=ReceiveMessage&Version=2012-11-05&QueueUrl=" + kOrdersUrl +
                   "&MaxNumberOfMessages=10&WaitTimeSeconds=0&AttributeName.1=All&MessageAttributeName.1=ten.*");
  ASSERT_EQ(q.status, 200) << q.body;
  EXPECT_NE(q.body.find("<MD5OfBody>133faf504928b85572d6aae8fff988aa</MD5OfBody><Body>line1&#xD;\nline2</Body>"),
            std::string::npos)
      << q.body;
  EXPECT_NE(q.body.find("<Attribute><Name>SenderId</Name><Value>000000000000</Value></Attribute>"), std::string::npos);
  EXPECT_NE(q.body.find("<Name>ApproximateReceiveCount</Name><Value>1</Value>"), std::string::npos);
  EXPECT_NE(q.body.find("<MD5OfMessageAttributes>c52f727da6769fcbc66f3f8555ce234a</MD5OfMessageAttributes>"
                        "<MessageAttribute><Name>tenant</Name><Value><StringValue>acme</StringValue><DataType>String"
                        "</DataType></Value></MessageAttribute></Message>"),
            std::string::npos)
      << q.body;
  size_t a = q.body.find("<ReceiptHandle>") + 15;
  std::string handle = q.body.substr(a, q.body.find("</ReceiptHandle>") - a);

  // Visible again at once, then received through JSON (system names from the JS SDK member).
  auto cv = h.json("ChangeMessageVisibility", R"({"QueueUrl":"http://localhost:4566/000000000000/orders","ReceiptHandle":")" +
                                                  handle + R"(","VisibilityTimeout":0})");
  ASSERT_EQ(cv.status, 200) << cv.body;
  EXPECT_EQ(cv.body, "{}");
  auto j = h.json("ReceiveMessage",
                  R"({"QueueUrl":"http://localhost:4566/000000000000/orders","MessageSystemAttributeNames":["ApproximateReceiveCount"],"MessageAttributeNames":["All"]})");
  ASSERT_EQ(j.status, 200) << j.body;
  EXPECT_NE(j.body.find(R"("Body":"line1\r\nline2","Attributes":{"ApproximateReceiveCount":"2"},"MD5OfMessageAttributes":")"),
            std::string::npos)
      << j.body;
  EXPECT_NE(j.body.find(R"("MessageAttributes":{"other":{"StringValue":"1","DataType":"Number"},"tenant":{"StringValue":"acme","DataType":"String"}})"),
            std::string::npos);
  size_t b = j.body.find("\"ReceiptHandle\":\"") + 17;
  std::string handle2 = j.body.substr(b, j.body.find('"', b) - b);

  auto db = h.query("Action=DeleteMessageBatch&Version=2012-11-05&QueueUrl=" + kOrdersUrl +
                    "&DeleteMessageBatchRequestEntry.1.Id=m1&DeleteMessageBatchRequestEntry.1.ReceiptHandle=" + handle2 +
                    "&DeleteMessageBatchRequestEntry.2.Id=m2&DeleteMessageBatchRequestEntry.2.ReceiptHandle=garbage");
  EXPECT_EQ(db.body, ok_xml("DeleteMessageBatch",
                            "<DeleteMessageBatchResult><DeleteMessageBatchResultEntry><Id>m1</Id></DeleteMessageBatchResultEntry>"
                            "<BatchResultErrorEntry><Id>m2</Id><SenderFault>true</SenderFault><Code>ReceiptHandleIsInvalid</Code>"
                            "<Message>The input receipt handle &quot;garbage&quot; is not a valid receipt handle.</Message>"
                            "</BatchResultErrorEntry></DeleteMessageBatchResult>"));
  auto empty = h.json("ReceiveMessage", R"({"QueueUrl":"http://localhost:4566/000000000000/orders","WaitTimeSeconds":0})");
  EXPECT_EQ(empty.body, "{}");
  auto xempty = h.query("Action=ReceiveMessage&WaitTimeSeconds=0&QueueUrl=" + kOrdersUrl);
  EXPECT_EQ(xempty.body, ok_xml("ReceiveMessage", "<ReceiveMessageResult/>"));
}

TEST_F(SqsActions, HandleErrors) {
  create("orders");
  auto d = h.json("DeleteMessage", R"({"QueueUrl": "http://localhost:4566/000000000000/orders", "ReceiptHandle": "garbage"})");
  EXPECT_EQ(d.status, 404);
  EXPECT_EQ(header(d, "x-amzn-query-error"), "ReceiptHandleIsInvalid;Sender");
  EXPECT_EQ(d.body, R"({"__type":"com.amazonaws.sqs#ReceiptHandleIsInvalid","message":"The input receipt handle \"garbage\" is not a valid receipt handle."})");
  auto cvb = h.json("ChangeMessageVisibilityBatch",
                    R"({"QueueUrl":"http://localhost:4566/000000000000/orders","Entries":[{"Id":"m1","ReceiptHandle":"garbage","VisibilityTimeout":0},{"Id":"m2","ReceiptHandle":"x"}]})");
  EXPECT_EQ(cvb.status, 200);
  EXPECT_NE(cvb.body.find(R"({"Id":"m2","SenderFault":true,"Code":"MissingParameter")"), std::string::npos) << cvb.body;
  EXPECT_NE(cvb.body.find(R"({"Id":"m1","SenderFault":true,"Code":"ReceiptHandleIsInvalid")"), std::string::npos);
  auto big = h.json("ChangeMessageVisibility", R"({"QueueUrl":"http://localhost:4566/000000000000/orders","ReceiptHandle":"x","VisibilityTimeout":43201})");
  EXPECT_EQ(big.status, 400);
}

TEST_F(SqsActions, ReceiveBadParams) {
  create("orders");
  auto q = h.query("Action=ReceiveMessage&QueueUrl=" + kOrdersUrl + "&MaxNumberOfMessages=11");
  EXPECT_EQ(q.body, kXml + "<ErrorResponse" + kNs +
                        "><Error><Type>Sender</Type><Code>InvalidParameterValue</Code><Message>Value 11 for parameter "
                        "MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.</Message><Detail/>"
                        "</Error><RequestId>" + kRequestId + "</RequestId></ErrorResponse>");
  auto j = h.json("ReceiveMessage", R"({"QueueUrl":"http://localhost:4566/000000000000/orders","MaxNumberOfMessages":11})");
  EXPECT_EQ(j.body, R"({"__type":"com.amazonaws.sqs#InvalidParameterValueException","message":"Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."})");
  EXPECT_EQ(header(j, "x-amzn-query-error"), "InvalidParameterValue;Sender");
  auto w = h.json("ReceiveMessage", R"({"QueueUrl":"http://localhost:4566/000000000000/orders","WaitTimeSeconds":21})");
  EXPECT_NE(w.body.find("Must be >= 0 and <= 20, if provided."), std::string::npos);
}

TEST_F(SqsActions, QueueAttributes) {
  create("orders");
  create("orders-dlq");
  auto set = h.query(
      "Action=SetQueueAttributes&Version=2012-11-05&QueueUrl=" + kOrdersUrl +
      "&Attribute.1.Name=RedrivePolicy&Attribute.1.Value=%7B%22deadLetterTargetArn%22%3A%22arn%3Aaws%3Asqs%3Aus-east-1%3A000000000000%3Aorders-dlq%22%2C%22maxReceiveCount%22%3A%225%22%7D");
  EXPECT_EQ(set.body, ok_xml("SetQueueAttributes", ""));
  auto get = h.json("GetQueueAttributes",
                    R"({"QueueUrl": "http://localhost:4566/000000000000/orders", "AttributeNames": ["RedrivePolicy","VisibilityTimeout"]})");
  EXPECT_NE(get.body.find(R"("RedrivePolicy":"{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:orders-dlq\",\"maxReceiveCount\":5}")"),
            std::string::npos)
      << get.body;
  auto xget = h.query("Action=GetQueueAttributes&QueueUrl=" + kOrdersUrl + "&AttributeName.1=VisibilityTimeout");
  EXPECT_EQ(xget.body, ok_xml("GetQueueAttributes",
                              "<GetQueueAttributesResult><Attribute><Name>VisibilityTimeout</Name><Value>30</Value>"
                              "</Attribute></GetQueueAttributesResult>"));
  EXPECT_EQ(h.json("GetQueueAttributes", R"({"QueueUrl":"http://localhost:4566/000000000000/orders"})").body, "{}");
  auto dls = h.json("ListDeadLetterSourceQueues", R"({"QueueUrl":"http://localhost:4566/000000000000/orders-dlq"})");
  EXPECT_EQ(dls.body, R"({"queueUrls":["http://localhost:4566/000000000000/orders"]})");
  auto none = h.json("ListDeadLetterSourceQueues", R"({"QueueUrl":"http://localhost:4566/000000000000/orders"})");
  EXPECT_EQ(none.body, R"({"queueUrls":[]})");
}

TEST_F(SqsActions, TagsAndPurgeAndDelete) {
  create("orders");
  EXPECT_EQ(h.query("Action=TagQueue&QueueUrl=" + kOrdersUrl + "&Tag.1.Key=a&Tag.1.Value=b").status, 200);
  EXPECT_EQ(h.json("ListQueueTags", R"({"QueueUrl":"http://localhost:4566/000000000000/orders"})").body, R"({"Tags":{"a":"b"}})");
  EXPECT_EQ(h.query("Action=UntagQueue&QueueUrl=" + kOrdersUrl + "&TagKey.1=a").status, 200);
  EXPECT_EQ(h.json("ListQueueTags", R"({"QueueUrl":"http://localhost:4566/000000000000/orders"})").body, "{}");
  EXPECT_EQ(h.json("TagQueue", R"({"QueueUrl":"http://localhost:4566/000000000000/orders","Tags":{"aws:x":"1"}})").status, 400);
  EXPECT_EQ(h.json("PurgeQueue", R"({"QueueUrl":"http://localhost:4566/000000000000/orders"})").body, "{}");
  auto del = h.query("Action=DeleteQueue&Version=2012-11-05&QueueUrl=" + kOrdersUrl);
  EXPECT_EQ(del.body, ok_xml("DeleteQueue", ""));
  EXPECT_EQ(h.json("GetQueueUrl", R"({"QueueName":"orders"})").status, 400);
}

TEST_F(SqsActions, MoveTaskFormat) {
  auto bad = h.json("StartMessageMoveTask", R"({"SourceArn":"not-an-arn"})");
  EXPECT_EQ(bad.body, R"({"__type":"com.amazonaws.sqs#InvalidParameterValueException","message":"You must use this format to specify the SourceArn: arn:<partition>:<service>:<region>:<account-id>:<resource-id>"})");
  auto rate = h.json("StartMessageMoveTask", R"({"SourceArn":"arn:aws:sqs:us-east-1:000000000000:orders-dlq","MaxNumberOfMessagesPerSecond":501})");
  EXPECT_EQ(rate.status, 400);
  auto missing = h.json("StartMessageMoveTask", R"({"SourceArn":"arn:aws:sqs:us-east-1:000000000000:nope"})");
  EXPECT_EQ(missing.status, 404) << missing.body;
  auto list = h.json("ListMessageMoveTasks", R"({"SourceArn":"arn:aws:sqs:us-east-1:000000000000:orders-dlq","MaxResults":11})");
  EXPECT_EQ(list.status, 400);
}

TEST_F(SqsActions, Permissions) {
  create("orders");
  auto add = h.query("Action=AddPermission&QueueUrl=" + kOrdersUrl +
                     "&Label=l1&AWSAccountId.1=111122223333&ActionName.1=SendMessage");
  EXPECT_EQ(add.status, 200) << add.body;
  auto badaction = h.query("Action=AddPermission&QueueUrl=" + kOrdersUrl +
                           "&Label=l2&AWSAccountId.1=111122223333&ActionName.1=DeleteQueue");
  EXPECT_EQ(badaction.status, 400);
  auto badlabel = h.json("AddPermission", R"({"QueueUrl":"http://localhost:4566/000000000000/orders","Label":"a b","AWSAccountIds":["111122223333"],"Actions":["*"]})");
  EXPECT_EQ(badlabel.status, 400);
  EXPECT_EQ(h.json("RemovePermission", R"({"QueueUrl":"http://localhost:4566/000000000000/orders","Label":"l1"})").status, 200);
}

TEST_F(SqsActions, ProtocolDetection) {
  auto none = h.query("Version=2012-11-05");
  EXPECT_EQ(none.status, 400);
  EXPECT_EQ(none.error_code, "MissingAction");
  auto inv = h.query("Action=Nope");
  EXPECT_EQ(inv.error_code, "InvalidAction");
  auto target = h.json("Nope", "{}");
  EXPECT_EQ(target.status, 400);
  EXPECT_NE(target.body.find("UnknownOperationException"), std::string::npos);
  EXPECT_TRUE(header(target, "x-amzn-query-error").empty());
  SqsRequest wrong = SqsHarness::base();
  wrong.amz_target = "SQS.ListQueues";
  EXPECT_NE(h.send(wrong).body.find("UnknownOperationException"), std::string::npos);
  auto ser = h.json("ListQueues", "{");
  EXPECT_NE(ser.body.find("com.amazonaws.sqs#SerializationException"), std::string::npos);
  EXPECT_TRUE(header(ser, "x-amzn-query-error").empty());
  // Content type contradicting the protocol.
  SqsRequest form_json = SqsHarness::base();
  form_json.amz_target = "AmazonSQS.ListQueues";
  form_json.content_type = "application/x-www-form-urlencoded";
  form_json.body = "{}";
  auto fj = h.send(form_json);
  EXPECT_EQ(fj.status, 400);
  EXPECT_EQ(fj.content_type, "application/x-amz-json-1.0");
  SqsRequest json_query = SqsHarness::base();
  json_query.content_type = "application/x-amz-json-1.0";
  json_query.body = "Action=ListQueues";
  auto jq = h.send(json_query);
  EXPECT_EQ(jq.status, 400);
  EXPECT_EQ(jq.content_type, "text/xml");
  // GET with the query string; POST without content type; body wins over query string.
  SqsRequest get = SqsHarness::base();
  get.method = "GET";
  get.query = "Action=ListQueues";
  EXPECT_EQ(h.send(get).status, 200);
  SqsRequest post = SqsHarness::base();
  post.query = "Action=Bogus";
  post.body = "Action=ListQueues";
  EXPECT_EQ(h.send(post).status, 200);
  auto pct = h.query("Action=ListQueues&QueueNamePrefix=%G1");
  EXPECT_EQ(pct.error_code, "InvalidQueryParameter");
}

}  // namespace
}  // namespace ebb::test
