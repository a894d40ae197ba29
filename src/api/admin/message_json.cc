#include "api/admin/message_json.h"

#include "api/sqs/attribute_digest.h"
#include "base/crypto.h"

namespace ebb::admin {
std::string md5_of_attributes(const MsgAttrs& attrs) { return sqs::attributes_md5(attrs); }

nlohmann::json delivered_json(const Delivered& d, bool with_receipt_handle) {
  nlohmann::json m;
  m["MessageId"] = d.message_id;
  if (with_receipt_handle) m["ReceiptHandle"] = d.receipt_handle;
  m["MD5OfBody"] = md5_hex(d.body);
  m["Body"] = d.body;
  nlohmann::json a = nlohmann::json::object();
  if (!d.sender_id.empty()) a["SenderId"] = d.sender_id;
  a["SentTimestamp"] = std::to_string(d.sent_ms);
  a["ApproximateReceiveCount"] = std::to_string(d.receive_count);
  if (d.first_receive_ms) a["ApproximateFirstReceiveTimestamp"] = std::to_string(d.first_receive_ms);
  if (!d.group_id.empty()) a["MessageGroupId"] = d.group_id;
  if (!d.dedup_id.empty()) a["MessageDeduplicationId"] = d.dedup_id;
  if (!d.sequence_number.empty()) a["SequenceNumber"] = d.sequence_number;
  if (!d.trace_header.empty()) a["AWSTraceHeader"] = d.trace_header;
  if (!d.dlq_source_arn.empty()) a["DeadLetterQueueSourceArn"] = d.dlq_source_arn;
  m["Attributes"] = std::move(a);
  if (!d.attrs.empty()) {
    m["MD5OfMessageAttributes"] = md5_of_attributes(d.attrs);
    nlohmann::json ma = nlohmann::json::object();
    for (auto& at : d.attrs) {
      nlohmann::json v = {{"DataType", at.data_type}};
      if (at.binary) v["BinaryValue"] = base64_encode(at.value);
      else v["StringValue"] = at.value;
      ma[at.name] = std::move(v);
    }
    m["MessageAttributes"] = std::move(ma);
  }
  return m;
}

}  // namespace ebb::admin
