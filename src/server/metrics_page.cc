#include "server/metrics_page.h"

#include "server/prometheus_text.h"

namespace ebb::server {

std::string render_metrics(const Engine& engine, const HttpMetrics& http, int64_t now_ms,
                           const service::ServiceController* services) {
  auto stats = engine.stats();
  std::string out;
  // Each family's samples stay contiguous, so loop over the queues once per family.
  family(out, "ebb_queue_messages", "gauge", "Messages in a queue by state.");
  for (auto& s : stats) {
    sample(out, "ebb_queue_messages", {{"queue", s.name}, {"state", "visible"}}, double(s.visible));
    sample(out, "ebb_queue_messages", {{"queue", s.name}, {"state", "inflight"}}, double(s.inflight));
    sample(out, "ebb_queue_messages", {{"queue", s.name}, {"state", "delayed"}}, double(s.delayed));
  }
  family(out, "ebb_queue_oldest_message_age_seconds", "gauge", "Age of the oldest undeleted message.");
  for (auto& s : stats) {
    double age = s.oldest_sent_ms ? std::max<int64_t>(0, now_ms - s.oldest_sent_ms) / 1000.0 : 0.0;
    sample(out, "ebb_queue_oldest_message_age_seconds", {{"queue", s.name}}, age);
  }
  struct Counter {
    const char* name;
    const char* help;
    uint64_t QueueStats::*field;
  };
  static const Counter kCounters[] = {
      {"ebb_queue_messages_sent_total", "Accepted sends.", &QueueStats::sent},
      {"ebb_queue_messages_received_total", "Deliveries.", &QueueStats::received},
      {"ebb_queue_messages_deleted_total", "Deletes.", &QueueStats::deleted},
      {"ebb_queue_empty_receives_total", "Receives that returned nothing.", &QueueStats::empty_receives},
  };
  for (auto& c : kCounters) {
    family(out, c.name, "counter", c.help);
    for (auto& s : stats) sample(out, c.name, {{"queue", s.name}}, double(s.*c.field));
  }
  http.render(out);
  if (services) render_service_metrics(out, services->metrics());
  return out;
}

void render_service_metrics(std::string& out, const service::MetricsSnapshot& m) {
  struct Gauge {
    const char* name;
    const char* help;
    int64_t service::ServiceMetrics::*field;
  };
  static const Gauge kGauges[] = {
      {"ebb_service_tasks_desired", "Desired task count (the autoscaler's decision).",
       &service::ServiceMetrics::desired},
      {"ebb_service_tasks_running", "Tasks alive and not draining.", &service::ServiceMetrics::running},
      {"ebb_service_tasks_pending", "Tasks launched but not yet running.", &service::ServiceMetrics::starting},
      {"ebb_service_tasks_draining", "Tasks finishing their leases before they stop.",
       &service::ServiceMetrics::draining},
  };
  for (auto& g : kGauges) {
    family(out, g.name, "gauge", g.help);
    for (auto& s : m.services) sample(out, g.name, {{"service", s.name}}, double(s.*g.field));
  }
  family(out, "ebb_service_backlog", "gauge", "Backlog the autoscaler saw at its last evaluation, by component.");
  for (auto& s : m.services) {
    sample(out, "ebb_service_backlog", {{"service", s.name}, {"component", "visible"}}, double(s.visible));
    sample(out, "ebb_service_backlog", {{"service", s.name}, {"component", "in_flight"}}, double(s.in_flight));
    sample(out, "ebb_service_backlog", {{"service", s.name}, {"component", "delayed"}}, double(s.delayed));
  }
  family(out, "ebb_service_backlog_per_task", "gauge", "Backlog divided by max(running tasks, 1).");
  for (auto& s : m.services) sample(out, "ebb_service_backlog_per_task", {{"service", s.name}}, s.backlog_per_task);
  family(out, "ebb_service_backlog_per_task_target", "gauge", "targetBacklogPerTask.");
  for (auto& s : m.services) sample(out, "ebb_service_backlog_per_task_target", {{"service", s.name}}, s.target);
  family(out, "ebb_service_scaling_events_total", "counter", "Scaling decisions by reason.");
  for (auto& s : m.services)
    for (auto& [reason, n] : s.scaling_events)
      sample(out, "ebb_service_scaling_events_total", {{"service", s.name}, {"reason", reason}}, double(n));
  family(out, "ebb_task_starts_total", "counter", "Task processes started.");
  for (auto& s : m.services) sample(out, "ebb_task_starts_total", {{"kind", "service"}, {"name", s.name}}, double(s.task_starts));
  family(out, "ebb_task_exits_total", "counter", "Task processes that ended.");
  for (auto& s : m.services) sample(out, "ebb_task_exits_total", {{"kind", "service"}, {"name", s.name}}, double(s.task_exits));
  family(out, "ebb_task_failures_total", "counter", "Task processes that ended in failure.");
  for (auto& s : m.services) sample(out, "ebb_task_failures_total", {{"kind", "service"}, {"name", s.name}}, double(s.task_failures));
  family(out, "ebb_autoscaler_decision_latency_seconds", "gauge",
         "Queue counter change to scaling decision: the last one and the largest since start.");
  sample(out, "ebb_autoscaler_decision_latency_seconds", {{"stat", "last"}}, m.decision_latency_last_seconds);
  sample(out, "ebb_autoscaler_decision_latency_seconds", {{"stat", "max"}}, m.decision_latency_max_seconds);
}

}  // namespace ebb::server
