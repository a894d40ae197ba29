#include "api/sqs/key_policy.h"

#include <array>

namespace ebb::sqs {
namespace {

constexpr std::array<std::string_view, 5> kProducer = {"SendMessage", "SendMessageBatch", "GetQueueUrl",
                                                       "GetQueueAttributes", "ListQueues"};
constexpr std::array<std::string_view, 8> kConsumer = {
    "ReceiveMessage", "DeleteMessage",      "DeleteMessageBatch", "ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch", "GetQueueUrl", "GetQueueAttributes", "ListQueues"};

template <size_t N>
bool in(const std::array<std::string_view, N>& set, std::string_view a) {
  for (std::string_view s : set)
    if (s == a) return true;
  return false;
}

std::string patterns_text(const KeyPolicy& p) {
  std::string out;
  for (const auto& q : p.queues) out += (out.empty() ? "" : ", ") + q;
  return out;
}

}  // namespace

std::optional<KeyRole> parse_key_role(std::string_view s) {
  if (s == "admin") return KeyRole::Admin;
  if (s == "producer") return KeyRole::Producer;
  if (s == "consumer") return KeyRole::Consumer;
  return std::nullopt;
}

std::string_view key_role_name(KeyRole r) {
  switch (r) {
    case KeyRole::Admin: return "admin";
    case KeyRole::Producer: return "producer";
    case KeyRole::Consumer: return "consumer";
  }
  return "consumer";
}

bool role_allows(KeyRole role, std::string_view action) {
  switch (role) {
    case KeyRole::Admin: return true;
    case KeyRole::Producer: return in(kProducer, action);
    case KeyRole::Consumer: return in(kConsumer, action);
  }
  return false;
}

bool glob_match(std::string_view p, std::string_view s) {
  // Iterative matcher with one backtrack point (the last `*`): O(|p|·|s|) at worst,
  // no recursion whatever the pattern.
  size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == '?' || (p[pi] != '*' && p[pi] == s[si]))) {
      ++pi;
      ++si;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

Status check_queue_pattern(std::string_view p) {
  if (p.empty()) return err(Code::Invalid, "a queue pattern must not be empty (leave --queue out for every queue)");
  if (p.size() > 80)
    return err(Code::Invalid, "queue pattern \"" + std::string(p.substr(0, 80)) + "…\" is longer than 80 characters");
  for (unsigned char c : p) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || c == '*' || c == '?';
    if (!ok)
      return err(Code::Invalid, "queue pattern \"" + std::string(p) +
                                    "\": only letters, digits, '-', '_', '.' and the wildcards '*' and '?' are allowed");
  }
  return {};
}

bool KeyPolicy::covers(std::string_view queue) const {
  if (queues.empty()) return true;
  for (const auto& g : queues)
    if (glob_match(g, queue)) return true;
  return false;
}

Status authorize(const KeyPolicy& p, std::string_view action, const std::optional<std::string>& queue) {
  const std::string who = "The access key " + p.access_key_id + " (" + std::string(key_role_name(p.role)) +
                          (p.restricted() ? ", queues " + patterns_text(p) : std::string()) + ")";
  if (!role_allows(p.role, action))
    return err(Code::AccessDenied, who + " is not allowed to call " + std::string(action) +
                                       (queue ? " (queue " + *queue + ")" : std::string()) + ".");
  if (!p.restricted() || action == "ListQueues") return {};  // ListQueues is filtered instead
  if (!queue)
    return err(Code::AccessDenied, who + " is not allowed to call " + std::string(action) +
                                       ": it names no queue by QueueUrl or QueueName, and the key is limited to "
                                       "some queues.");
  if (!p.covers(*queue))
    return err(Code::AccessDenied,
               who + " is not allowed to call " + std::string(action) + " on queue " + *queue + ".");
  return {};
}

}  // namespace ebb::sqs
