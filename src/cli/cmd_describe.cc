// ebb describe TYPE NAME… : a human page per object (kubectl describe's layout:
// "Label:  value" lines, indented sections, an Events table). Services and tasks
// are in service_view.cc and task_view.cc, event sources in eventsource_view.cc,
// jobs, cronjobs and schedules in batch_view.cc.
#include <cstdio>

#include "cli/commands.h"
#include "cli/alarm_view.h"
#include "cli/batch_view.h"
#include "cli/detail_page.h"
#include "cli/eventsource_view.h"
#include "cli/human_format.h"
#include "cli/resource_kind.h"
#include "cli/service_view.h"
#include "cli/task_view.h"
#include "cli/yaml_output.h"

namespace ebb::cli {
namespace {

void line(const char* label, const std::string& value, int indent = 0) { detail_line(label, value, indent); }

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
  line("Labels:", labels_text(q));

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
  const ResourceKind& kind = resource_kind(tn->type);
  if (tn->names.empty()) return report(usage_error("describe needs a name: ebb describe " + kind.singular + " NAME"));
  int exit = kExitOk;
  bool first = true;
  for (const std::string& name : tn->names) {
    Outcome<nlohmann::json> obj = api.get(object_path(api, kind, name));
    if (!obj.ok()) {
      CliError e = obj.error();
      if (is_not_found(e)) e.message = not_found_message(kind, name);
      exit = report(e);
      if (e.exit == kExitUnreachable) return exit;
      continue;
    }
    if (!first) std::printf("\n\n");
    first = false;
    int page = kExitOk;
    if (tn->type == "services") page = describe_service(api, *obj);
    else if (tn->type == "tasks") page = describe_task(api, *obj);
    else if (tn->type == "eventsources") describe_eventsource(*obj);
    else if (tn->type == "jobs") page = describe_job(api, *obj);
    else if (tn->type == "cronjobs") page = describe_cronjob(api, *obj);
    else if (tn->type == "schedules") page = describe_schedule(api, *obj);
    else if (tn->type == "taskdefinitions") std::fputs(to_yaml(*obj).c_str(), stdout);
    else if (tn->type == "alarms") describe_alarm(*obj);
    else if (tn->type == "secrets") std::fputs(to_yaml(*obj).c_str(), stdout);  // metadata only: no values exist here
    else describe_queue(*obj);
    if (page != kExitOk) exit = page;
    if (page == kExitUnreachable) return exit;
  }
  return exit;
}

}  // namespace ebb::cli
