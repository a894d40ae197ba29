// Per-key authorization on the SQS API (reliability.md §3.2 step 12; docs/security.md
// "Access keys"). A key has a role and optional queue-name patterns:
//
//   admin     every action
//   producer  SendMessage, SendMessageBatch, GetQueueUrl, GetQueueAttributes, ListQueues
//   consumer  ReceiveMessage, DeleteMessage(Batch), ChangeMessageVisibility(Batch),
//             GetQueueUrl, GetQueueAttributes, ListQueues
//
// Patterns are globs over the queue name (`*` any run of characters, `?` one
// character); none means every queue. The queue is the one the request names by
// QueueUrl or QueueName; ListQueues answers only the queues the patterns match.
// No I/O: pure functions for the verifier's hot path and for unit tests.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace ebb::sqs {

enum class KeyRole { Admin, Producer, Consumer };
std::optional<KeyRole> parse_key_role(std::string_view s);
std::string_view key_role_name(KeyRole r);

// May `role` call `action` at all (whatever the queue)?
bool role_allows(KeyRole role, std::string_view action);

// `*` matches any run of characters (empty included), `?` exactly one; everything
// else matches itself (case-sensitive, as queue names are).
bool glob_match(std::string_view pattern, std::string_view name);

inline constexpr size_t kMaxQueuePatterns = 50;
// A pattern is 1-80 characters of A-Z a-z 0-9 - _ . * ? (queue-name characters plus
// the wildcards). Invalid names the pattern and what is wrong.
Status check_queue_pattern(std::string_view pattern);

struct KeyPolicy {
  std::string access_key_id;
  KeyRole role = KeyRole::Admin;
  std::vector<std::string> queues;  // globs; empty = every queue

  bool restricted() const { return !queues.empty(); }
  // Does some pattern match `queue` (always true without patterns)?
  bool covers(std::string_view queue) const;
};

// Step 12. `queue` is the queue the request names, nullopt when it names none (ListQueues,
// the message-move-task actions). AccessDenied naming the key, the action and the queue.
Status authorize(const KeyPolicy& policy, std::string_view action, const std::optional<std::string>& queue);

}  // namespace ebb::sqs
