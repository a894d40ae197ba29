#include "queue/attributes.h"

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

namespace ebb {
namespace {

struct IntRange {
  const char* name;
  int64_t lo, hi;
};
constexpr IntRange kIntAttrs[] = {
    {"DelaySeconds", 0, 900},
    {"MaximumMessageSize", 1024, 1048576},
    {"MessageRetentionPeriod", 60, 1209600},
    {"ReceiveMessageWaitTimeSeconds", 0, 20},
    {"VisibilityTimeout", 0, 43200},
    {"KmsDataKeyReusePeriodSeconds", 60, 86400},
};

const IntRange* int_attr(const std::string& n) {
  for (auto& r : kIntAttrs)
    if (n == r.name) return &r;
  return nullptr;
}

bool parse_int(const std::string& s, int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::optional<bool> parse_bool(const std::string& s) {
  std::string l = s;
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  if (l == "true") return true;
  if (l == "false") return false;
  return std::nullopt;
}

const char* kReadOnly[] = {"QueueArn",
                           "CreatedTimestamp",
                           "LastModifiedTimestamp",
                           "ApproximateNumberOfMessages",
                           "ApproximateNumberOfMessagesNotVisible",
                           "ApproximateNumberOfMessagesDelayed"};

bool is_read_only(const std::string& n) {
  for (auto* r : kReadOnly)
    if (n == r) return true;
  return false;
}

Error invalid_value(const std::string& name, const std::string& reason) {
  return err(Code::InvalidAttributeValue, "Invalid value for the parameter " + name + ". Reason: " + reason);
}

Error redrive_error(const std::string& text, const std::string& reason) {
  return err(Code::InvalidParameterValue,
             "Value " + text + " for parameter RedrivePolicy is invalid. Reason: " + reason);
}

Result<std::string> normalise_allow_policy(const std::string& text) {
  auto bad = [&](const std::string& reason) {
    return err(Code::InvalidParameterValue,
               "Value " + text + " for parameter RedriveAllowPolicy is invalid. Reason: " + reason);
  };
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("Invalid JSON.");
  auto perm = j.find("redrivePermission");
  if (perm == j.end() || !perm->is_string()) return bad("Redrive allow policy does not contain mandatory attribute: redrivePermission.");
  std::string p = perm->get<std::string>();
  if (p != "allowAll" && p != "denyAll" && p != "byQueue")
    return bad("Invalid value for redrivePermission: " + p + ", valid values are allowAll, denyAll and byQueue.");
  auto src = j.find("sourceQueueArns");
  if (p == "byQueue") {
    if (src == j.end() || !src->is_array() || src->empty() || src->size() > 10)
      return bad("sourceQueueArns must contain 1 to 10 queue ARNs when redrivePermission is byQueue.");
    for (auto& a : *src)
      if (!a.is_string()) return bad("sourceQueueArns must be a list of queue ARNs.");
  } else if (src != j.end()) {
    return bad("sourceQueueArns is only allowed when redrivePermission is byQueue.");
  }
  for (auto& [k, _] : j.items())
    if (k != "redrivePermission" && k != "sourceQueueArns") return bad("Unknown attribute " + k + ".");
  return j.dump();
}

}  // namespace

std::optional<std::string> arn_queue_name(const std::string& arn, const std::string& account, bool* foreign) {
  if (foreign) *foreign = false;
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t p = arn.find(':', start);
    parts.push_back(arn.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) break;
    start = p + 1;
  }
  if (parts.size() != 6 || parts[0] != "arn" || parts[1].empty() || parts[2] != "sqs" || parts[5].empty())
    return std::nullopt;
  if (parts[4] != account && foreign) *foreign = true;
  return parts[5];
}

Result<RedrivePolicy> parse_redrive_policy(const std::string& text, const std::string& account) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return redrive_error(text, "Invalid JSON.");
  auto arn = j.find("deadLetterTargetArn");
  auto mrc = j.find("maxReceiveCount");
  if (mrc == j.end()) return redrive_error(text, "Redrive policy does not contain mandatory attribute: maxReceiveCount.");
  if (arn == j.end()) return redrive_error(text, "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.");
  int64_t n = -1;
  std::string shown;
  if (mrc->is_number_integer()) {
    n = mrc->get<int64_t>();
    shown = std::to_string(n);
  } else if (mrc->is_string()) {
    shown = mrc->get<std::string>();
    if (!parse_int(shown, n)) n = -1;
  } else {
    shown = mrc->dump();
  }
  if (n < 1 || n > 1000)
    return redrive_error(text, "Invalid value for maxReceiveCount: " + shown + ", valid values are from 1 to 1000 both inclusive.");
  if (!arn->is_string()) return redrive_error(text, "Dead letter target does not exist.");
  RedrivePolicy p;
  p.dlq_arn = arn->get<std::string>();
  bool foreign = false;
  auto name = arn_queue_name(p.dlq_arn, account, &foreign);
  if (!name || foreign) return redrive_error(text, "Dead letter target does not exist.");
  p.dlq_name = *name;
  p.max_receive_count = int(n);
  return p;
}

std::map<std::string, std::string> default_attributes(bool fifo) {
  std::map<std::string, std::string> m{{"DelaySeconds", "0"},
                                       {"MaximumMessageSize", "1048576"},
                                       {"MessageRetentionPeriod", "345600"},
                                       {"ReceiveMessageWaitTimeSeconds", "0"},
                                       {"VisibilityTimeout", "30"},
                                       {"SqsManagedSseEnabled", "false"}};
  if (fifo) {
    m["FifoQueue"] = "true";
    m["ContentBasedDeduplication"] = "false";
    m["DeduplicationScope"] = "queue";
    m["FifoThroughputLimit"] = "perQueue";
  }
  return m;
}

Result<std::map<std::string, std::string>> normalise_attributes(const std::map<std::string, std::string>& in,
                                                                bool fifo, bool creating,
                                                                const std::string& account) {
  std::map<std::string, std::string> out;
  for (auto& [name, value] : in) {
    if (is_read_only(name)) return err(Code::InvalidAttributeName, "Unknown Attribute " + name + ".");
    if (auto r = int_attr(name)) {
      int64_t v;
      if (!parse_int(value, v) || v < r->lo || v > r->hi)
        return invalid_value(name, "Must be between " + std::to_string(r->lo) + " and " + std::to_string(r->hi) + ".");
      out[name] = std::to_string(v);
    } else if (name == "SqsManagedSseEnabled") {
      auto b = parse_bool(value);
      if (!b) return invalid_value(name, "Must be true or false.");
      out[name] = *b ? "true" : "false";
    } else if (name == "FifoQueue") {
      if (!fifo) return err(Code::InvalidAttributeName, "Unknown Attribute FifoQueue.");
      auto b = parse_bool(value);
      if (!b) return invalid_value(name, "Must be true or false.");
      if (!*b) return invalid_value(name, "Modifying queue type is not supported.");
      out[name] = "true";
    } else if (name == "ContentBasedDeduplication") {
      if (!fifo) return err(Code::InvalidAttributeName, "Unknown Attribute ContentBasedDeduplication.");
      auto b = parse_bool(value);
      if (!b) return invalid_value(name, "Must be true or false.");
      out[name] = *b ? "true" : "false";
    } else if (name == "DeduplicationScope" || name == "FifoThroughputLimit") {
      if (!fifo)
        return err(Code::InvalidAttributeName, "You can specify the " + name + " only when FifoQueue is set to true.");
      bool ok = name == "DeduplicationScope" ? (value == "queue" || value == "messageGroup")
                                             : (value == "perQueue" || value == "perMessageGroupId");
      if (!ok)
        return invalid_value(name, name == "DeduplicationScope" ? "Must be queue or messageGroup."
                                                               : "Must be perQueue or perMessageGroupId.");
      out[name] = value;
    } else if (name == "RedrivePolicy") {
      if (value.empty()) {
        out[name] = "";
        continue;
      }
      EBB_TRY(auto p, parse_redrive_policy(value, account));
      nlohmann::ordered_json j;
      j["deadLetterTargetArn"] = p.dlq_arn;
      j["maxReceiveCount"] = p.max_receive_count;
      out[name] = j.dump();
    } else if (name == "RedriveAllowPolicy") {
      if (value.empty()) {
        out[name] = "";
        continue;
      }
      EBB_TRY(auto v, normalise_allow_policy(value));
      out[name] = v;
    } else if (name == "Policy") {
      if (!value.empty()) {
        auto j = nlohmann::json::parse(value, nullptr, false);
        if (j.is_discarded() || !j.is_object())
          return invalid_value(name, "Policy must be a JSON document.");
      }
      out[name] = value;
    } else if (name == "KmsMasterKeyId") {
      out[name] = value;
    } else {
      return err(Code::InvalidAttributeName, "Unknown Attribute " + name + ".");
    }
  }
  (void)creating;
  return out;
}

QueueSettings parse_settings(const std::map<std::string, std::string>& s, bool fifo) {
  QueueSettings q;
  q.fifo = fifo;
  auto geti = [&](const char* n, int& dst) {
    auto it = s.find(n);
    int64_t v;
    if (it != s.end() && parse_int(it->second, v)) dst = int(v);
  };
  geti("DelaySeconds", q.delay_seconds);
  geti("MaximumMessageSize", q.max_message_size);
  geti("MessageRetentionPeriod", q.retention_seconds);
  geti("ReceiveMessageWaitTimeSeconds", q.receive_wait_seconds);
  geti("VisibilityTimeout", q.visibility_timeout);
  if (auto it = s.find("ContentBasedDeduplication"); it != s.end()) q.content_based_dedup = it->second == "true";
  if (auto it = s.find("DeduplicationScope"); it != s.end()) q.dedup_scope_group = it->second == "messageGroup";
  if (auto it = s.find("RedrivePolicy"); it != s.end() && !it->second.empty()) {
    auto j = nlohmann::json::parse(it->second, nullptr, false);
    if (j.is_object() && j.contains("deadLetterTargetArn") && j.contains("maxReceiveCount")) {
      RedrivePolicy p;
      p.dlq_arn = j["deadLetterTargetArn"].get<std::string>();
      p.max_receive_count = j["maxReceiveCount"].get<int>();
      auto name = arn_queue_name(p.dlq_arn, "");
      p.dlq_name = name.value_or("");
      q.redrive = p;
    }
  }
  return q;
}

const std::vector<std::string>& attribute_order() {
  static const std::vector<std::string> k{"QueueArn",
                                          "ApproximateNumberOfMessages",
                                          "ApproximateNumberOfMessagesNotVisible",
                                          "ApproximateNumberOfMessagesDelayed",
                                          "CreatedTimestamp",
                                          "LastModifiedTimestamp",
                                          "VisibilityTimeout",
                                          "MaximumMessageSize",
                                          "MessageRetentionPeriod",
                                          "DelaySeconds",
                                          "ReceiveMessageWaitTimeSeconds",
                                          "Policy",
                                          "RedrivePolicy",
                                          "RedriveAllowPolicy",
                                          "KmsMasterKeyId",
                                          "KmsDataKeyReusePeriodSeconds",
                                          "SqsManagedSseEnabled",
                                          "FifoQueue",
                                          "ContentBasedDeduplication",
                                          "DeduplicationScope",
                                          "FifoThroughputLimit"};
  return k;
}

bool is_known_attribute(const std::string& name) {
  auto& o = attribute_order();
  return name == "All" || std::find(o.begin(), o.end(), name) != o.end();
}

}  // namespace ebb
