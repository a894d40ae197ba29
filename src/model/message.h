// Plain data shared by the queue engine and the store. No I/O, no logic beyond encoding.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ebb {

// One user message attribute (sqs-api.md §8.2). `value` holds the UTF-8 string for
// String/Number types and the raw decoded bytes for Binary types.
struct MsgAttr {
  std::string name;
  std::string data_type;  // full type, custom label included ("Number.java.lang.Long")
  std::string value;
  bool binary = false;
};

// Attributes are kept sorted by name (byte order), the order the MD5 digest needs.
using MsgAttrs = std::vector<MsgAttr>;

// Compact length-prefixed encoding used by the store (blob column).
std::string encode_attrs(const MsgAttrs& a);
bool decode_attrs(std::string_view blob, MsgAttrs& out);

// A message as persisted. `visible_at_ms` is the delay end (not leased) or the lease
// deadline (leased); a message whose visible_at_ms has passed is visible.
struct Message {
  int64_t id = 0;          // internal, unique across queues, never reused
  int64_t queue_id = 0;
  std::string message_id;  // UUID v4
  std::string body;
  MsgAttrs attrs;
  int64_t sent_ms = 0;            // SentTimestamp (retention counts from here)
  int64_t visible_at_ms = 0;
  bool leased = false;
  int32_t receive_count = 0;
  int64_t first_receive_ms = 0;   // 0 = never received
  int64_t delivered_ms = 0;       // time of the delivery that created the current lease (12 h cap)
  uint32_t grant = 0;             // delivery number; part of the receipt handle
  std::string group_id;           // FIFO (and fair-queue standard messages)
  std::string dedup_id;           // FIFO
  int64_t seq = 0;                // FIFO sequence counter; 0 = none
  std::string dlq_source_arn;     // set when dead-lettered into this queue
  std::string trace_header;       // AWSTraceHeader
  std::string sender_id;
};

struct QueueRow {
  int64_t id = 0;
  std::string name;
  std::string attrs_json;   // {"VisibilityTimeout":"30",...} stored attribute values (strings)
  std::string tags_json;    // {"k":"v"}
  int64_t created_s = 0;
  int64_t modified_s = 0;
  int64_t next_seq = 1;     // FIFO sequence counter (next to hand out)
};

struct DedupRow {
  int64_t queue_id = 0;
  std::string key;          // dedup id, or group + '\n' + dedup id with messageGroup scope
  std::string message_id;
  int64_t seq = 0;
  int64_t expires_ms = 0;
};

struct MoveTaskRow {
  std::string task_id;       // UUID
  std::string source_arn;
  std::string dest_arn;      // "" = each message's origin
  int32_t rate = 0;          // messages per second, 0 = unlimited
  std::string status;        // RUNNING, COMPLETED, CANCELLING, CANCELLED, FAILED
  int64_t moved = 0;
  int64_t to_move = 0;
  int64_t started_ms = 0;
  std::string failure_reason;
};

}  // namespace ebb
