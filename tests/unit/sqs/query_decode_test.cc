// Form decoding and flattened Query names → the Value tree (sqs-api.md §3.1).
#include <gtest/gtest.h>

#include "api/sqs/form_decode.h"
#include "api/sqs/query_tree.h"

namespace ebb::sqs {
namespace {

Result<Value> tree(std::string_view text, std::string_view action = "X") {
  FormParams p;
  EBB_CHECK(decode_form(text, p));
  return build_query_tree(p, action);
}

TEST(FormDecode, PlusAndPercent) {
  FormParams p;
  ASSERT_TRUE(decode_form("MessageBody=hello+world&A=%7B%22x%22%3A1%7D&B=caf%C3%A9&&C", p).ok());
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].second, "hello world");
  EXPECT_EQ(p[1].second, "{\"x\":1}");
  EXPECT_EQ(p[2].second, "caf\xc3\xa9");
  EXPECT_EQ(p[3].first, "C");
  EXPECT_EQ(p[3].second, "");
}

TEST(FormDecode, BadEscapes) {
  for (const char* bad : {"A=%G1", "A=%", "A=%4", "A=x%zz", "%2=1"}) {
    FormParams p;
    auto st = decode_form(bad, p);
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.error().code, Code::InvalidQueryParameter);
  }
}

TEST(QueryTree, ScalarsLastWins) {
  auto t = tree("QueueName=a&QueueName=b");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->get("QueueName")->text, "b");
}

TEST(QueryTree, AttributesMapSortedWithGaps) {
  auto t = tree("Attribute.3.Name=C&Attribute.3.Value=3&Attribute.1.Name=A&Attribute.1.Value=1&"
                "Attribute.10.Name=J&Attribute.10.Value=10");
  ASSERT_TRUE(t.ok());
  const Value* m = t->get("Attributes");
  ASSERT_TRUE(m && m->is_object());
  ASSERT_EQ(m->members.size(), 3u);
  EXPECT_EQ(m->members[0].first, "A");
  EXPECT_EQ(m->members[1].first, "C");
  EXPECT_EQ(m->members[2].first, "J");
  EXPECT_EQ(m->members[2].second.text, "10");
}

TEST(QueryTree, RepeatedIndexLastWins) {
  auto t = tree("AttributeName.1=A&AttributeName.1=B");
  ASSERT_TRUE(t.ok());
  const Value* l = t->get("AttributeNames");
  ASSERT_EQ(l->items.size(), 1u);
  EXPECT_EQ(l->items[0].text, "B");
}

TEST(QueryTree, BareListName) {
  auto t = tree("AttributeName=All&MessageAttributeName=All&TagKey=k");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->get("AttributeNames")->items[0].text, "All");
  EXPECT_EQ(t->get("MessageAttributeNames")->items[0].text, "All");
  EXPECT_EQ(t->get("TagKeys")->items[0].text, "k");
}

TEST(QueryTree, TagsPerAction) {
  auto c = tree("Tag.1.Key=team&Tag.1.Value=billing", "CreateQueue");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->get("tags")->get("team")->text, "billing");
  auto t = tree("Tags.1.Key=a&Tags.1.Value=b&Tag.2.Key=c&Tag.2.Value=d", "TagQueue");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->get("Tags")->get("a")->text, "b");
  EXPECT_EQ(t->get("Tags")->get("c")->text, "d");
}

TEST(QueryTree, MessageAttributes) {
  auto t = tree("MessageAttribute.1.Name=tenant&MessageAttribute.1.Value.DataType=String&"
                "MessageAttribute.1.Value.StringValue=acme&MessageAttribute.2.Name=b&"
                "MessageAttribute.2.Value.DataType=Binary&MessageAttribute.2.Value.BinaryValue=AAE%3D");
  ASSERT_TRUE(t.ok());
  const Value* m = t->get("MessageAttributes");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->get("tenant")->get("DataType")->text, "String");
  EXPECT_EQ(m->get("tenant")->get("StringValue")->text, "acme");
  EXPECT_EQ(m->get("b")->get("BinaryValue")->text, "AAE=");
}

TEST(QueryTree, BatchEntriesWithNestedAttributes) {
  auto t = tree("SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=later&"
                "SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=hello+world&"
                "SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=x&"
                "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=Number&"
                "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=1.50");
  ASSERT_TRUE(t.ok());
  const Value* e = t->get("Entries");
  ASSERT_TRUE(e && e->is_list());
  ASSERT_EQ(e->items.size(), 2u);
  EXPECT_EQ(e->items[0].get("Id")->text, "a");
  EXPECT_EQ(e->items[0].get("MessageBody")->text, "hello world");
  EXPECT_EQ(e->items[0].get("MessageAttributes")->get("x")->get("StringValue")->text, "1.50");
  EXPECT_EQ(e->items[1].get("Id")->text, "b");
}

TEST(QueryTree, PermissionLists) {
  auto t = tree("Label=l&AWSAccountId.1=111122223333&ActionName.1=SendMessage&ActionName.2=ReceiveMessage");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->get("AWSAccountIds")->items.size(), 1u);
  EXPECT_EQ(t->get("Actions")->items[1].text, "ReceiveMessage");
}

TEST(QueryTree, HostileIndexes) {
  for (const char* bad : {"AttributeName.0=A", "AttributeName.1001=A", "SendMessageBatchRequestEntry.4294967297.Id=a",
                          "Attribute.x.Name=A", "AttributeName.+1=A", "AttributeName.-1=A"}) {
    auto t = tree(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.error().code, Code::InvalidParameterValue) << bad;
  }
  std::string many;
  for (int i = 1; i <= 101; ++i) many += "AttributeName." + std::to_string(i) + "=A&";
  EXPECT_FALSE(tree(many).ok());
  EXPECT_TRUE(tree("AttributeName.1000=A").ok());
}

}  // namespace
}  // namespace ebb::sqs
