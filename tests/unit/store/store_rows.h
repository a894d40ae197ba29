// Sample rows and field-by-field comparisons for the store tests (the model structs
// have no operator==, and a gtest failure should name the field that differs).
#pragma once
#include <gtest/gtest.h>

#include <string>

#include "store/store.h"

namespace ebb::test {

inline QueueRow sample_queue(int64_t id, std::string name) {
  return QueueRow{.id = id, .name = std::move(name), .attrs_json = R"({"VisibilityTimeout":"30"})",
                  .tags_json = R"({"team":"a"})", .created_s = 1700000000 + id, .modified_s = 1700000100 + id,
                  .next_seq = 7 + id};
}

// Every field set to a distinct non-default value; binary bytes with NULs.
inline Message sample_message(int64_t id, int64_t queue_id) {
  Message m;
  m.id = id;
  m.queue_id = queue_id;
  m.message_id = "5fea7756-0ea4-451a-a703-a558b933e2" + std::to_string(10 + id % 90);
  m.body = std::string("body\0with nul ", 14) + std::to_string(id);
  m.attrs = {
      MsgAttr{.name = "Bin", .data_type = "Binary.raw", .value = std::string("\0\1\2\xff\0", 5), .binary = true},
      MsgAttr{.name = "Num", .data_type = "Number.java.lang.Long", .value = "42"},
      MsgAttr{.name = "Str", .data_type = "String", .value = ""},
  };
  m.sent_ms = 1700000000000 + id;
  m.visible_at_ms = 1700000030000 + id;
  m.leased = true;
  m.receive_count = 3;
  m.first_receive_ms = 1700000001000;
  m.delivered_ms = 1700000002000;
  m.grant = 0xfffffffeu;  // above INT32_MAX: must survive the INTEGER column unsigned
  m.group_id = "group-" + std::to_string(queue_id);
  m.dedup_id = "dedup-" + std::to_string(id);
  m.seq = 18446744073709 + id;
  m.dlq_source_arn = "arn:aws:sqs:us-east-1:000000000000:src";
  m.trace_header = "Root=1-5759e988-bd862e3fe1be46a994272793";
  m.sender_id = "AIDAEXAMPLE";
  return m;
}

inline DedupRow sample_dedup(int64_t queue_id, std::string key, int64_t expires_ms) {
  return DedupRow{.queue_id = queue_id, .key = std::move(key), .message_id = "mid-" + std::to_string(expires_ms),
                  .seq = expires_ms * 10, .expires_ms = expires_ms};
}

inline MoveTaskRow sample_move_task(std::string id) {
  return MoveTaskRow{.task_id = std::move(id), .source_arn = "arn:aws:sqs:us-east-1:000000000000:dlq",
                     .dest_arn = "", .rate = 50, .status = "RUNNING", .moved = 12, .to_move = 99,
                     .started_ms = 1700000005000, .failure_reason = "none yet"};
}

inline void expect_same(const QueueRow& a, const QueueRow& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.attrs_json, b.attrs_json);
  EXPECT_EQ(a.tags_json, b.tags_json);
  EXPECT_EQ(a.created_s, b.created_s);
  EXPECT_EQ(a.modified_s, b.modified_s);
  EXPECT_EQ(a.next_seq, b.next_seq);
}

inline void expect_same(const Message& a, const Message& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.queue_id, b.queue_id);
  EXPECT_EQ(a.message_id, b.message_id);
  EXPECT_EQ(a.body, b.body);
  ASSERT_EQ(a.attrs.size(), b.attrs.size());
  for (size_t i = 0; i < a.attrs.size(); i++) {
    EXPECT_EQ(a.attrs[i].name, b.attrs[i].name);
    EXPECT_EQ(a.attrs[i].data_type, b.attrs[i].data_type);
    EXPECT_EQ(a.attrs[i].value, b.attrs[i].value);
    EXPECT_EQ(a.attrs[i].binary, b.attrs[i].binary);
  }
  EXPECT_EQ(a.sent_ms, b.sent_ms);
  EXPECT_EQ(a.visible_at_ms, b.visible_at_ms);
  EXPECT_EQ(a.leased, b.leased);
  EXPECT_EQ(a.receive_count, b.receive_count);
  EXPECT_EQ(a.first_receive_ms, b.first_receive_ms);
  EXPECT_EQ(a.delivered_ms, b.delivered_ms);
  EXPECT_EQ(a.grant, b.grant);
  EXPECT_EQ(a.group_id, b.group_id);
  EXPECT_EQ(a.dedup_id, b.dedup_id);
  EXPECT_EQ(a.seq, b.seq);
  EXPECT_EQ(a.dlq_source_arn, b.dlq_source_arn);
  EXPECT_EQ(a.trace_header, b.trace_header);
  EXPECT_EQ(a.sender_id, b.sender_id);
}

inline void expect_same(const DedupRow& a, const DedupRow& b) {
  EXPECT_EQ(a.queue_id, b.queue_id);
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(a.message_id, b.message_id);
  EXPECT_EQ(a.seq, b.seq);
  EXPECT_EQ(a.expires_ms, b.expires_ms);
}

inline void expect_same(const MoveTaskRow& a, const MoveTaskRow& b) {
  EXPECT_EQ(a.task_id, b.task_id);
  EXPECT_EQ(a.source_arn, b.source_arn);
  EXPECT_EQ(a.dest_arn, b.dest_arn);
  EXPECT_EQ(a.rate, b.rate);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.moved, b.moved);
  EXPECT_EQ(a.to_move, b.to_move);
  EXPECT_EQ(a.started_ms, b.started_ms);
  EXPECT_EQ(a.failure_reason, b.failure_reason);
}

}  // namespace ebb::test
