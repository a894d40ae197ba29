// ebb describe queue NAME… : a human page per queue (kubectl describe's layout:
// "Label:  value" lines, indented sections).
#include <cstdio>

#include "cli/commands.h"
#include "cli/human_format.h"
#include "cli/queue_view.h"

namespace ebb::cli {
namespace {

std::string or_none(const std::string& s) { return s.empty() ? "<none>" : s; }

void line(const char* label, const std::string& value, int indent = 0) {
  std::printf("%*s%-*s%s\n", indent, "", 24 - indent, label, or_none(value).c_str());
}

std::string seconds_detail(const std::optional<int64_t>& s) {
  if (!s) return "";
  std::string h = human_duration(std::chrono::seconds(*s));
  return h == std::to_string(*s) + "s" ? h : h + " (" + std::to_string(*s) + "s)";
}

void describe_queue(const nlohmann::json& q) {
  auto now = std::chrono::system_clock::now();
  const bool fifo = bool_at(q, {"spec", "fifo"}).value_or(false);
  line("Name:", string_at(q, {"metadata", "name"}).value_or(""));
  line("Type:", fifo ? "FIFO" : "standard");
  line("URL:", string_at(q, {"status", "url"}).value_or(""));
  line("ARN:", string_at(q, {"status", "arn"}).value_or(""));
  std::string created = string_at(q, {"metadata", "creationTimestamp"}).value_or("");
  std::string age = age_of(q, now);
  line("Created:", created.empty() ? "" : created + (age.empty() ? "" : " (" + age + " ago)"));
  std::string labels;
  if (auto l = q.find("metadata"); l != q.end() && l->is_object() && l->contains("labels") && (*l)["labels"].is_object()) {
    for (auto it = (*l)["labels"].begin(); it != (*l)["labels"].end(); ++it) {
      labels += (labels.empty() ? "" : ",") + it.key() + "=" + (it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
    }
  }
  line("Labels:", labels);

  std::printf("Attributes:\n");
  line("Visibility timeout:", seconds_detail(int_at(q, {"spec", "visibilityTimeoutSeconds"})), 2);
  line("Message retention:", seconds_detail(int_at(q, {"spec", "messageRetentionSeconds"})), 2);
  line("Receive wait time:", seconds_detail(int_at(q, {"spec", "receiveWaitTimeSeconds"})), 2);
  line("Delivery delay:", seconds_detail(int_at(q, {"spec", "delaySeconds"})), 2);
  auto max_size = int_at(q, {"spec", "maxMessageSizeBytes"});
  line("Max message size:", max_size ? human_bytes(*max_size) + " (" + std::to_string(*max_size) + " bytes)" : "", 2);
  if (fifo) {
    auto cbd = bool_at(q, {"spec", "contentBasedDeduplication"});
    line("Content-based dedup:", cbd ? (*cbd ? "true" : "false") : "", 2);
    line("Deduplication scope:", string_at(q, {"spec", "deduplicationScope"}).value_or(""), 2);
    line("Throughput limit:", string_at(q, {"spec", "fifoThroughputLimit"}).value_or(""), 2);
  }

  std::string dlq = string_at(q, {"spec", "deadLetter", "queue"}).value_or("");
  auto mrc = int_at(q, {"spec", "deadLetter", "maxReceiveCount"});
  line("Dead-letter queue:", dlq.empty() ? "" : dlq + (mrc ? " (after " + std::to_string(*mrc) + " receives)" : ""));
  std::string sources;
  if (auto st = q.find("status"); st != q.end() && st->is_object()) {
    if (auto s = st->find("deadLetterSources"); s != st->end() && s->is_array()) {
      for (const auto& e : *s) sources += (sources.empty() ? "" : ", ") + (e.is_string() ? e.get<std::string>() : e.dump());
    }
  }
  line("Dead-letter sources:", sources);
  std::string allow = string_at(q, {"spec", "redriveAllowPolicy", "redrivePermission"}).value_or("");
  if (!allow.empty()) line("Redrive allowed:", allow);

  std::printf("Messages:\n");
  line("Visible:", text_of(int_at(q, {"status", "visible"})), 2);
  line("In flight:", text_of(int_at(q, {"status", "inFlight"})), 2);
  line("Delayed:", text_of(int_at(q, {"status", "delayed"})), 2);
  auto visible = int_at(q, {"status", "visible"});
  auto oldest = int_at(q, {"status", "oldestAgeSeconds"});
  line("Oldest:", (visible && *visible == 0) || !oldest ? "" : human_duration(std::chrono::seconds(*oldest)), 2);
  std::printf("Counters:\n");
  line("Sent:", text_of(int_at(q, {"status", "sent"})), 2);
  line("Received:", text_of(int_at(q, {"status", "received"})), 2);
  line("Deleted:", text_of(int_at(q, {"status", "deleted"})), 2);
  line("Empty receives:", text_of(int_at(q, {"status", "emptyReceives"})), 2);
  // The API has no events for queues yet (docs/api.md); kubectl prints the same.
  std::printf("Events:                 <none>\n");
}

}  // namespace

int run_describe(ApiClient& api, const DescribeOptions& o) {
  Outcome<TypeAndNames> tn = resolve_type(o.type, o.names);
  if (!tn.ok()) return report(tn.error());
  if (tn->names.empty()) return report(usage_error("describe needs a name: ebb describe queue NAME"));
  int exit = kExitOk;
  bool first = true;
  for (const std::string& name : tn->names) {
    Outcome<nlohmann::json> q = api.get(api.queue_path(name));
    if (!q.ok()) {
      CliError e = q.error();
      if (is_not_found(e)) e.message = "queue \"" + name + "\" not found";
      exit = report(e);
      if (e.exit == kExitUnreachable) return exit;
      continue;
    }
    if (!first) std::printf("\n\n");
    first = false;
    describe_queue(*q);
  }
  return exit;
}

}  // namespace ebb::cli
