// queue_spec(): a validated Queue document → SQS attribute names and values, the
// form the queue engine and apply's comparison use (docs/api.md, sqs-api.md).
#include "manifest/manifest.h"

namespace ebb::manifest {
namespace {

// spec field → SQS attribute; only fields present in the document are mapped.
struct AttrMap {
  const char* field;
  const char* attribute;
};
constexpr AttrMap kAttributes[] = {
    {"visibilityTimeoutSeconds", "VisibilityTimeout"},
    {"messageRetentionSeconds", "MessageRetentionPeriod"},
    {"receiveWaitTimeSeconds", "ReceiveMessageWaitTimeSeconds"},
    {"delaySeconds", "DelaySeconds"},
    {"maxMessageSizeBytes", "MaximumMessageSize"},
    {"contentBasedDeduplication", "ContentBasedDeduplication"},
    {"deduplicationScope", "DeduplicationScope"},
    {"fifoThroughputLimit", "FifoThroughputLimit"},
};

std::string attribute_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

}  // namespace

QueueSpec queue_spec(const Validated& v) {
  QueueSpec q;
  q.name = v.name;
  const nlohmann::json& doc = v.doc;
  static const nlohmann::json kEmpty = nlohmann::json::object();
  auto sit = doc.find("spec");
  const nlohmann::json& spec = sit != doc.end() && sit->is_object() ? *sit : kEmpty;

  const bool fifo_name = q.name.size() >= 5 && q.name.compare(q.name.size() - 5, 5, ".fifo") == 0;
  q.fifo = spec.value("fifo", fifo_name);
  // SQS reports FifoQueue only for FIFO queues; a standard queue has no such
  // attribute, so "fifo: false" maps to nothing and compares equal.
  if (q.fifo) q.attributes["FifoQueue"] = "true";
  for (const AttrMap& a : kAttributes) {
    auto it = spec.find(a.field);
    if (it == spec.end()) continue;
    // contentBasedDeduplication: false is allowed on a standard queue (it is what
    // `get -o yaml` may print) but SQS has no such attribute there.
    if (!q.fifo && std::string_view(a.field) == "contentBasedDeduplication") continue;
    q.attributes[a.attribute] = attribute_text(*it);
  }
  if (auto dl = spec.find("deadLetter"); dl != spec.end()) {
    q.dead_letter_queue = dl->value("queue", "");
    q.max_receive_count = dl->value("maxReceiveCount", 0);
  }
  if (auto ra = spec.find("redriveAllowPolicy"); ra != spec.end()) {
    q.redrive_permission = ra->value("redrivePermission", "");
    if (auto src = ra->find("sourceQueues"); src != ra->end()) {
      for (const auto& s : *src) q.redrive_source_queues.push_back(s.get<std::string>());
    }
  }
  if (auto md = doc.find("metadata"); md != doc.end()) {
    if (auto labels = md->find("labels"); labels != md->end()) {
      for (auto it = labels->begin(); it != labels->end(); ++it) q.tags[it.key()] = it.value().get<std::string>();
    }
  }
  return q;
}

}  // namespace ebb::manifest
