// ReceiveMessage (sqs-api.md §10.10, §8.5). Answered from the engine's callback, which
// runs once the grants are durable, possibly after a long poll on another thread.
#include <algorithm>

#include "api/sqs/actions.h"
#include "api/sqs/attribute_digest.h"
#include "api/sqs/message_rules.h"
#include "api/sqs/params.h"
#include "base/crypto.h"

namespace ebb::sqs {

namespace {

// System attributes in the order they are written (the order of the §10.10 example).
enum SysAttr : unsigned {
  kSenderId = 1u << 0,
  kFirstReceive = 1u << 1,
  kReceiveCount = 1u << 2,
  kSentTimestamp = 1u << 3,
  kDedupId = 1u << 4,
  kGroupId = 1u << 5,
  kSequenceNumber = 1u << 6,
  kTraceHeader = 1u << 7,
  kDlqSource = 1u << 8,
  kAllSys = (1u << 9) - 1,
};

unsigned system_mask(const std::vector<std::string>& names) {
  unsigned m = 0;
  for (const std::string& n : names) {
    if (n == "All") return kAllSys;
    if (n == "SenderId") m |= kSenderId;
    else if (n == "ApproximateFirstReceiveTimestamp") m |= kFirstReceive;
    else if (n == "ApproximateReceiveCount") m |= kReceiveCount;
    else if (n == "SentTimestamp") m |= kSentTimestamp;
    else if (n == "MessageDeduplicationId") m |= kDedupId;
    else if (n == "MessageGroupId") m |= kGroupId;
    else if (n == "SequenceNumber") m |= kSequenceNumber;
    else if (n == "AWSTraceHeader") m |= kTraceHeader;
    else if (n == "DeadLetterQueueSourceArn") m |= kDlqSource;
    // unknown names are ignored (§8.5)
  }
  return m;
}

Value system_attributes(Delivered& d, unsigned mask) {
  Value a = Value::map("Attribute", "Name", "Value");
  if (mask & kSenderId) a.set("SenderId", Value::str(std::move(d.sender_id)));
  if ((mask & kFirstReceive) && d.first_receive_ms > 0)
    a.set("ApproximateFirstReceiveTimestamp", Value::str(std::to_string(d.first_receive_ms)));
  if (mask & kReceiveCount) a.set("ApproximateReceiveCount", Value::str(std::to_string(d.receive_count)));
  if (mask & kSentTimestamp) a.set("SentTimestamp", Value::str(std::to_string(d.sent_ms)));
  if ((mask & kDedupId) && !d.dedup_id.empty()) a.set("MessageDeduplicationId", Value::str(std::move(d.dedup_id)));
  if ((mask & kGroupId) && !d.group_id.empty()) a.set("MessageGroupId", Value::str(std::move(d.group_id)));
  if ((mask & kSequenceNumber) && !d.sequence_number.empty())
    a.set("SequenceNumber", Value::str(std::move(d.sequence_number)));
  if ((mask & kTraceHeader) && !d.trace_header.empty()) a.set("AWSTraceHeader", Value::str(std::move(d.trace_header)));
  if ((mask & kDlqSource) && !d.dlq_source_arn.empty())
    a.set("DeadLetterQueueSourceArn", Value::str(std::move(d.dlq_source_arn)));
  return a;
}

Value user_attribute(MsgAttr& a) {
  Value v = Value::object();
  if (a.binary) v.set("BinaryValue", Value::str(base64_encode(a.value)));
  else v.set("StringValue", Value::str(std::move(a.value)));
  v.set("DataType", Value::str(std::move(a.data_type)));
  return v;
}

Value render_message(Delivered& d, unsigned sys_mask, const std::vector<std::string>& user_names) {
  Value m = Value::object();
  m.members.reserve(7);
  m.set("MessageId", Value::str(std::move(d.message_id)));
  m.set("ReceiptHandle", Value::str(std::move(d.receipt_handle)));
  m.set("MD5OfBody", Value::str(md5_hex(d.body)));
  m.set("Body", Value::str(std::move(d.body)));
  if (sys_mask) {
    Value a = system_attributes(d, sys_mask);
    if (!a.members.empty()) m.set("Attributes", std::move(a));
  }
  if (!user_names.empty() && !d.attrs.empty()) {
    MsgAttrs chosen;
    for (MsgAttr& a : d.attrs)
      if (attribute_selected(user_names, a.name)) chosen.push_back(std::move(a));
    if (!chosen.empty()) {
      // The digest covers exactly the attributes returned (§11.2), already name-sorted.
      m.set("MD5OfMessageAttributes", Value::str(attributes_md5(chosen)));
      Value map = Value::map("MessageAttribute", "Name", "Value");
      map.members.reserve(chosen.size());
      for (MsgAttr& a : chosen) {
        std::string name = a.name;
        map.set(std::move(name), user_attribute(a));
      }
      m.set("MessageAttributes", std::move(map));
    }
  }
  return m;
}

}  // namespace

Status receive_message(const CallPtr& c) {
  EBB_TRY(std::string name, c->queue_name());
  ReceiveOptions opts;
  EBB_TRY(std::optional<int> max,
          opt_int(c->params, "MaxNumberOfMessages", 1, 10, "Must be between 1 and 10, if provided."));
  opts.max_messages = max.value_or(1);
  EBB_TRY(opts.visibility,
          opt_int(c->params, "VisibilityTimeout", 0, 43200, "Must be between 0 and 43200, if provided."));
  EBB_TRY(opts.wait_seconds, opt_int(c->params, "WaitTimeSeconds", 0, 20, "Must be >= 0 and <= 20, if provided."));
  EBB_TRY(const std::string* attempt, opt_string(c->params, "ReceiveRequestAttemptId"));
  if (attempt) {
    EBB_CHECK(check_fifo_id(*attempt, "ReceiveRequestAttemptId"));
    opts.attempt_id = *attempt;
  }
  // System attribute names come from both members (the JS SDK sends only the second).
  EBB_TRY(auto sys_names, string_list(c->params, "AttributeNames"));
  EBB_TRY(auto more_sys, string_list(c->params, "MessageSystemAttributeNames"));
  sys_names.insert(sys_names.end(), more_sys.begin(), more_sys.end());
  unsigned mask = system_mask(sys_names);
  EBB_TRY(auto user_names, string_list(c->params, "MessageAttributeNames"));

  c->engine.receive(name, opts, [c, mask, user_names = std::move(user_names)](Result<std::vector<Delivered>> got) {
    if (!got.ok()) {
      c->fail(got.error());
      return;
    }
    Value r = Value::object();
    std::vector<Delivered>& msgs = got.value();
    if (!msgs.empty()) {
      Value& list = r.set("Messages", Value::list("Message"));
      list.items.reserve(msgs.size());
      for (Delivered& d : msgs) list.push(render_message(d, mask, user_names));
    }
    c->reply(r);
  });
  return {};
}

}  // namespace ebb::sqs
