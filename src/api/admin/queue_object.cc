#include "api/admin/queue_object.h"

#include <ctime>

namespace ebb::admin {
namespace {

// Stored attribute values are strings; the spec shows numbers and booleans.
void put_int(nlohmann::json& spec, const char* key, const std::map<std::string, std::string>& attrs,
             const char* attr) {
  auto it = attrs.find(attr);
  if (it == attrs.end()) return;
  try {
    spec[key] = std::stoll(it->second);
  } catch (...) {
    spec[key] = it->second;
  }
}

}  // namespace

std::string rfc3339_seconds(int64_t epoch_seconds) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json queue_object(const Engine& engine, const QueueStats& s, const std::string& url_base, int64_t now_ms) {
  // Effective values (defaults included) come from GetQueueAttributes "All".
  std::map<std::string, std::string> attrs = s.attributes;
  if (auto all = engine.get_attributes(s.name, {"All"}); all.ok())
    for (auto& [k, v] : *all) attrs[k] = v;

  nlohmann::json spec;
  spec["fifo"] = s.fifo;
  put_int(spec, "visibilityTimeoutSeconds", attrs, "VisibilityTimeout");
  put_int(spec, "messageRetentionSeconds", attrs, "MessageRetentionPeriod");
  put_int(spec, "receiveWaitTimeSeconds", attrs, "ReceiveMessageWaitTimeSeconds");
  put_int(spec, "delaySeconds", attrs, "DelaySeconds");
  put_int(spec, "maxMessageSizeBytes", attrs, "MaximumMessageSize");
  if (s.fifo) {
    auto it = attrs.find("ContentBasedDeduplication");
    spec["contentBasedDeduplication"] = it != attrs.end() && it->second == "true";
    if (auto d = attrs.find("DeduplicationScope"); d != attrs.end()) spec["deduplicationScope"] = d->second;
    if (auto t = attrs.find("FifoThroughputLimit"); t != attrs.end()) spec["fifoThroughputLimit"] = t->second;
  }
  // RedriveAllowPolicy in manifest form: queue names instead of ARNs.
  if (auto ap = attrs.find("RedriveAllowPolicy"); ap != attrs.end() && !ap->second.empty()) {
    auto j = nlohmann::json::parse(ap->second, nullptr, false);
    if (j.is_object() && j.contains("redrivePermission")) {
      nlohmann::json rap = {{"redrivePermission", j["redrivePermission"]}};
      if (j.contains("sourceQueueArns") && j["sourceQueueArns"].is_array()) {
        nlohmann::json names = nlohmann::json::array();
        for (auto& a : j["sourceQueueArns"]) {
          std::string arn = a.is_string() ? a.get<std::string>() : "";
          names.push_back(arn.substr(arn.rfind(':') + 1));
        }
        rap["sourceQueues"] = names;
      }
      spec["redriveAllowPolicy"] = rap;
    }
  }
  if (!s.dlq.empty()) spec["deadLetter"] = {{"queue", s.dlq}, {"maxReceiveCount", s.max_receive_count}};

  nlohmann::json meta = {{"name", s.name}, {"creationTimestamp", rfc3339_seconds(s.created_s)}};
  meta["labels"] = s.tags.empty() ? nlohmann::json::object() : nlohmann::json(s.tags);

  nlohmann::json status;
  status["url"] = url_base + "/" + engine.config().account + "/" + s.name;
  status["arn"] = engine.queue_arn(s.name);
  status["visible"] = s.visible;
  status["inFlight"] = s.inflight;
  status["delayed"] = s.delayed;
  status["oldestAgeSeconds"] = s.oldest_sent_ms ? std::max<int64_t>(0, (now_ms - s.oldest_sent_ms) / 1000) : 0;
  status["sent"] = s.sent;
  status["received"] = s.received;
  status["deleted"] = s.deleted;
  status["emptyReceives"] = s.empty_receives;
  auto sources = engine.dead_letter_sources(s.name);
  status["deadLetterSources"] = sources.ok() ? nlohmann::json(*sources) : nlohmann::json::array();

  return {{"apiVersion", "ebb/v1"}, {"kind", "Queue"}, {"metadata", meta}, {"spec", spec}, {"status", status}};
}

}  // namespace ebb::admin
