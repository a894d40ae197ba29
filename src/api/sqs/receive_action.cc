// ReceiveMessage (sqs-api.md §10.10, §8.5). Answered from the engine's callback, which
// runs once the grants are durable, possibly after a long poll on another thread.
#include <algorithm>

#include "api/sqs/actions.h"
#include "api/sqs/attribute_digest.h"
#include "api/sqs/message_rules.h"
#include "api/sqs/params.h"
#include "api/sqs/result_writer.h"
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

void write_system_attributes(ResultWriter& w, const Delivered& d, unsigned mask) {
  w.begin_map("Attributes", "Attribute", "Name", "Value");
  if (mask & kSenderId) w.map_str("SenderId", d.sender_id);
  if ((mask & kFirstReceive) && d.first_receive_ms > 0) w.map_int("ApproximateFirstReceiveTimestamp", d.first_receive_ms);
  if (mask & kReceiveCount) w.map_int("ApproximateReceiveCount", d.receive_count);
  if (mask & kSentTimestamp) w.map_int("SentTimestamp", d.sent_ms);
  if ((mask & kDedupId) && !d.dedup_id.empty()) w.map_str("MessageDeduplicationId", d.dedup_id);
  if ((mask & kGroupId) && !d.group_id.empty()) w.map_str("MessageGroupId", d.group_id);
  if ((mask & kSequenceNumber) && !d.sequence_number.empty()) w.map_str("SequenceNumber", d.sequence_number);
  if ((mask & kTraceHeader) && !d.trace_header.empty()) w.map_str("AWSTraceHeader", d.trace_header);
  if ((mask & kDlqSource) && !d.dlq_source_arn.empty()) w.map_str("DeadLetterQueueSourceArn", d.dlq_source_arn);
  w.end_map();  // omitted when no attribute applied
}

void write_message(ResultWriter& w, const Delivered& d, unsigned sys_mask, const std::vector<std::string>& user_names) {
  w.begin_item();
  w.str("MessageId", d.message_id);
  w.str("ReceiptHandle", d.receipt_handle);
  w.str("MD5OfBody", md5_hex(d.body));
  w.str("Body", d.body);
  if (sys_mask) write_system_attributes(w, d, sys_mask);
  if (!user_names.empty() && !d.attrs.empty()) {
    MsgAttrs chosen;
    for (const MsgAttr& a : d.attrs)
      if (attribute_selected(user_names, a.name)) chosen.push_back(a);
    if (!chosen.empty()) {
      // The digest covers exactly the attributes returned (§11.2), already name-sorted.
      w.str("MD5OfMessageAttributes", attributes_md5(chosen));
      w.begin_map("MessageAttributes", "MessageAttribute", "Name", "Value");
      for (const MsgAttr& a : chosen) {
        w.begin_map_object(a.name);
        if (a.binary) w.str("BinaryValue", base64_encode(a.value));
        else w.str("StringValue", a.value);
        w.str("DataType", a.data_type);
        w.end_map_object();
      }
      w.end_map();
    }
  }
  w.end_item();
}

}  // namespace

Status receive_message(const CallPtr& c) {
  EBB_TRY(std::string name, c->queue_name());
  ReceiveOptions opts;
  opts.consumer = c->req.access_key_id;  // attributes leases to the task that holds them
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
    const std::vector<Delivered>& msgs = got.value();
    // Rendered directly (ResultWriter); reserve for the bodies plus ~600 bytes each.
    size_t reserve = 256;
    for (const Delivered& d : msgs) reserve += d.body.size() + 600;
    ResultWriter w(c->protocol, c->action, reserve);
    if (!msgs.empty()) {
      w.begin_list("Messages", "Message");
      for (const Delivered& d : msgs) write_message(w, d, mask, user_names);
      w.end_list();
    }
    c->done(std::move(w).finish(c->req.request_id));
  });
  return {};
}

}  // namespace ebb::sqs
