// Queue attributes (sqs-api.md §7): validation and normalisation of the values users
// set, independent of other queues (RedrivePolicy's target is checked by the engine).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace ebb {

struct RedrivePolicy {
  std::string dlq_arn;
  std::string dlq_name;
  int max_receive_count = 0;
};

// The parsed view of a queue's stored attributes, used on the hot path.
struct QueueSettings {
  bool fifo = false;
  int delay_seconds = 0;
  int max_message_size = 1048576;
  int retention_seconds = 345600;
  int receive_wait_seconds = 0;
  int visibility_timeout = 30;
  bool content_based_dedup = false;
  bool dedup_scope_group = false;  // DeduplicationScope=messageGroup
  std::optional<RedrivePolicy> redrive;
};

// Stored values for a new queue of that type (defaults; every value a string).
std::map<std::string, std::string> default_attributes(bool fifo);

// Validates a CreateQueue/SetQueueAttributes request map for a queue of type `fifo`
// and returns the normalised values to store ("" value = remove that attribute).
// RedrivePolicy is parsed and normalised but its target is not resolved here.
Result<std::map<std::string, std::string>> normalise_attributes(const std::map<std::string, std::string>& in,
                                                                bool fifo, bool creating,
                                                                const std::string& account);

// Parse the stored map into settings. Never fails on stored (already validated) data.
QueueSettings parse_settings(const std::map<std::string, std::string>& stored, bool fifo);

// RedrivePolicy JSON → parsed, or the InvalidParameterValue error of §7.2.
Result<RedrivePolicy> parse_redrive_policy(const std::string& text, const std::string& account);

// ARN "arn:aws:sqs:<region>:<account>:<name>" → name (empty optional if malformed or
// not SQS). A different account is reported through `foreign_account`.
std::optional<std::string> arn_queue_name(const std::string& arn, const std::string& account,
                                          bool* foreign_account = nullptr);

// Canonical order of GetQueueAttributes output (the order AWS uses).
const std::vector<std::string>& attribute_order();
bool is_known_attribute(const std::string& name);

}  // namespace ebb
