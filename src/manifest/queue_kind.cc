#include "manifest/queue_kind.h"

#include <set>

#include "manifest/names.h"

namespace ebb::manifest {
namespace {

bool ends_with_fifo(const std::string& name) {
  return name.size() >= 5 && name.compare(name.size() - 5, 5, ".fifo") == 0;
}

void check_dead_letter(const nlohmann::json& spec, const std::string& name, bool fifo, Checker& c) {
  auto it = spec.find("deadLetter");
  if (it == spec.end()) return;
  const std::string path = "spec.deadLetter";
  if (!c.object(*it, path, {"queue", "maxReceiveCount"})) return;
  // SQS RedrivePolicy: both parts are required; maxReceiveCount 1-1000.
  std::optional<std::string> dlq = c.string(*it, "queue", path, true);
  c.integer(*it, "maxReceiveCount", path, 1, 1000, true);
  if (!dlq) return;
  std::string why = check_queue_name(*dlq);
  if (!why.empty()) {
    c.error(path + ".queue", why);
    return;
  }
  if (*dlq == name) c.error(path + ".queue", "a queue cannot be its own dead-letter queue");
  // sqs-api: the DLQ must be of the same type; the name tells the type.
  if (fifo != ends_with_fifo(*dlq)) {
    c.error(path + ".queue", fifo ? "the dead-letter queue of a FIFO queue must be FIFO (name ending in .fifo)"
                                  : "the dead-letter queue of a standard queue must be standard (no .fifo suffix)");
  }
}

void check_redrive_allow(const nlohmann::json& spec, Checker& c) {
  auto it = spec.find("redriveAllowPolicy");
  if (it == spec.end()) return;
  const std::string path = "spec.redriveAllowPolicy";
  if (!c.object(*it, path, {"redrivePermission", "sourceQueues"})) return;
  std::optional<std::string> perm = c.one_of(*it, "redrivePermission", path, {"allowAll", "denyAll", "byQueue"}, true);
  auto src = it->find("sourceQueues");
  if (src == it->end()) {
    if (perm == "byQueue") c.error(path + ".sourceQueues", "required when redrivePermission is byQueue");
    return;
  }
  const std::string spath = path + ".sourceQueues";
  if (perm && *perm != "byQueue") c.error(spath, "allowed only when redrivePermission is byQueue");
  if (!src->is_array()) {
    c.error(spath, "must be a list of queue names, got " + describe_value(*src));
    return;
  }
  // SQS allows at most 10 source queue ARNs.
  if (src->empty() || src->size() > 10) c.error(spath, "must name 1 to 10 queues");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < src->size() && i < 100; ++i) {
    std::optional<std::string> q = c.as_string((*src)[i], index_path(spath, i));
    if (!q) continue;
    std::string why = check_queue_name(*q);
    if (!why.empty()) c.error(index_path(spath, i), why);
    else if (!seen.insert(*q).second) c.error(index_path(spath, i), "duplicate queue \"" + *q + "\"");
  }
}

}  // namespace

void check_queue_spec(const nlohmann::json& spec_in, const std::string& name, Checker& c) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  const nlohmann::json& spec = spec_in.is_null() ? kEmpty : spec_in;
  if (!c.object(spec, "spec",
                {"fifo", "visibilityTimeoutSeconds", "messageRetentionSeconds", "receiveWaitTimeSeconds",
                 "delaySeconds", "maxMessageSizeBytes", "contentBasedDeduplication", "deduplicationScope",
                 "fifoThroughputLimit", "deadLetter", "redriveAllowPolicy"})) {
    return;
  }
  // Ranges are SQS's attribute limits (sqs-api.md; reliability.md §5.2).
  c.integer(spec, "visibilityTimeoutSeconds", "spec", 0, 43200);
  c.integer(spec, "messageRetentionSeconds", "spec", 60, 1209600);
  c.integer(spec, "receiveWaitTimeSeconds", "spec", 0, 20);
  c.integer(spec, "delaySeconds", "spec", 0, 900);
  c.integer(spec, "maxMessageSizeBytes", "spec", 1024, 1048576);

  const bool fifo_name = ends_with_fifo(name);
  std::optional<bool> fifo_field = c.boolean(spec, "fifo", "spec");
  if (fifo_field && *fifo_field != fifo_name) {
    c.error("spec.fifo", *fifo_field ? "a FIFO queue's name must end in \".fifo\" (metadata.name is \"" + name + "\")"
                                     : "is false but metadata.name \"" + name + "\" ends in \".fifo\" (names ending in .fifo are FIFO queues)");
  }
  const bool fifo = fifo_field.value_or(fifo_name);

  std::optional<bool> cbd = c.boolean(spec, "contentBasedDeduplication", "spec");
  if (cbd && *cbd && !fifo) c.error("spec.contentBasedDeduplication", "allowed only for FIFO queues");
  std::optional<std::string> scope = c.one_of(spec, "deduplicationScope", "spec", {"queue", "messageGroup"});
  std::optional<std::string> limit = c.one_of(spec, "fifoThroughputLimit", "spec", {"perQueue", "perMessageGroupId"});
  if (scope && !fifo) c.error("spec.deduplicationScope", "allowed only for FIFO queues");
  if (limit && !fifo) c.error("spec.fifoThroughputLimit", "allowed only for FIFO queues");
  // SQS: per-group throughput needs per-group deduplication (high-throughput FIFO).
  if (fifo && limit == "perMessageGroupId" && scope.value_or("queue") != "messageGroup") {
    c.error("spec.fifoThroughputLimit", "perMessageGroupId needs spec.deduplicationScope: messageGroup");
  }
  check_dead_letter(spec, name, fifo, c);
  check_redrive_allow(spec, c);
}

}  // namespace ebb::manifest
