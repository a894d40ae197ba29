#include "server/metrics_page.h"

#include <sys/stat.h>

#include <map>

#include "obs/process_metrics.h"
#include "server/prometheus_text.h"

namespace ebb::server {

std::string render_metrics(const Engine& engine, const HttpMetrics& http, int64_t now_ms,
                           const service::ServiceController* services) {
  return render_metrics(MetricsSources{engine, http, services}, now_ms);
}

std::string render_metrics(const MetricsSources& src, int64_t now_ms) {
  std::string out;
  out.reserve(16 << 10);
  obs::render_build_info(out);
  obs::render_process_metrics(out);
  render_queue_metrics(out, src.engine.stats(), now_ms);
  if (src.services) render_service_metrics(out, src.services->metrics());
  if (src.activity) src.activity->render(out, now_ms);
  if (src.schedules) render_next_fires(out, src.schedules->next_fires());
  src.http.render(out);
  if (src.alarms) src.alarms->render_metrics(out);
  if (src.store) {
    family(out, "ebb_store_commit_duration_seconds", "histogram",
           "Store commit and sync time of one group commit (reliability.md §2.1).");
    histogram(out, "ebb_store_commit_duration_seconds", {{"store", src.store->label()}}, src.store->commit_seconds());
  }
  if (!src.db_path.empty()) {
    // The database and its write-ahead log: what the store occupies on disk.
    double bytes = 0;
    for (const char* suffix : {"", "-wal", "-shm"}) {
      struct stat st {};
      if (::stat((src.db_path + suffix).c_str(), &st) == 0) bytes += static_cast<double>(st.st_size);
    }
    family(out, "ebb_store_size_bytes", "gauge", "Database size on disk (with its write-ahead log).");
    sample(out, "ebb_store_size_bytes", {{"store", src.store ? src.store->label() : std::string("sqlite")}}, bytes);
  }
  return out;
}

void render_queue_metrics(std::string& out, const std::vector<QueueStats>& stats, int64_t now_ms) {
  // Each family's samples stay contiguous, so loop over the queues once per family.
  struct Gauge {
    const char* name;
    const char* help;
    int64_t QueueStats::*field;
  };
  static const Gauge kGauges[] = {
      {"ebb_queue_messages_visible", "Messages available to receive (ApproximateNumberOfMessagesVisible).",
       &QueueStats::visible},
      {"ebb_queue_messages_in_flight", "Messages received, not deleted, lease running (…NotVisible).",
       &QueueStats::inflight},
      {"ebb_queue_messages_delayed", "Messages waiting for DelaySeconds (…Delayed).", &QueueStats::delayed},
      {"ebb_queue_receive_waiters", "Parked long polls.", &QueueStats::receive_waiters},
  };
  for (auto& g : kGauges) {
    family(out, g.name, "gauge", g.help);
    for (auto& s : stats) sample(out, g.name, {{"queue", s.name}}, double(s.*g.field));
  }
  family(out, "ebb_queue_oldest_message_age_seconds", "gauge",
         "Age of the oldest undeleted message (ApproximateAgeOfOldestMessage).");
  for (auto& s : stats) {
    double age = s.oldest_sent_ms ? std::max<int64_t>(0, now_ms - s.oldest_sent_ms) / 1000.0 : 0.0;
    sample(out, "ebb_queue_oldest_message_age_seconds", {{"queue", s.name}}, age);
  }
  std::map<std::string_view, int64_t> visible;
  for (auto& s : stats) visible[s.name] = s.visible;
  family(out, "ebb_queue_dead_letter_messages", "gauge",
         "Visible messages in the dead-letter queue of `queue` (alert on > 0 without knowing DLQ names).");
  for (auto& s : stats) {
    if (s.dlq.empty()) continue;
    auto it = visible.find(s.dlq);
    sample(out, "ebb_queue_dead_letter_messages", {{"queue", s.name}, {"dead_letter_queue", s.dlq}},
           it == visible.end() ? 0.0 : double(it->second));
  }
  struct Counter {
    const char* name;
    const char* help;
    uint64_t QueueStats::*field;
  };
  static const Counter kCounters[] = {
      {"ebb_queue_messages_sent_total", "Accepted sends (NumberOfMessagesSent).", &QueueStats::sent},
      {"ebb_queue_messages_received_total", "Deliveries (NumberOfMessagesReceived).", &QueueStats::received},
      {"ebb_queue_messages_deleted_total", "Deletes (NumberOfMessagesDeleted).", &QueueStats::deleted},
      {"ebb_queue_empty_receives_total", "Receives that returned nothing (NumberOfEmptyReceives).",
       &QueueStats::empty_receives},
      {"ebb_queue_messages_deduplicated_total", "FIFO duplicates dropped (NumberOfDeduplicatedSentMessages).",
       &QueueStats::deduplicated},
  };
  for (auto& c : kCounters) {
    family(out, c.name, "counter", c.help);
    for (auto& s : stats) sample(out, c.name, {{"queue", s.name}}, double(s.*c.field));
  }
  family(out, "ebb_queue_messages_dead_lettered_total", "counter", "Messages moved to the DLQ after maxReceiveCount.");
  for (auto& s : stats)
    if (!s.dlq.empty())
      sample(out, "ebb_queue_messages_dead_lettered_total", {{"queue", s.name}, {"dead_letter_queue", s.dlq}},
             double(s.dead_lettered));
  family(out, "ebb_queue_messages_redriven_total", "counter",
         "Messages moved out of `queue` by redrive / move tasks, by destination queue.");
  for (auto& s : stats)
    for (auto& [dest, n] : s.redriven)
      sample(out, "ebb_queue_messages_redriven_total", {{"queue", s.name}, {"destination", dest}}, double(n));
  family(out, "ebb_queue_sent_message_size_bytes", "histogram",
         "Size of accepted messages, body + attributes (SentMessageSize).");
  for (auto& s : stats) {
    const obs::Label labels[] = {{"queue", s.name}};
    histogram(out, "ebb_queue_sent_message_size_bytes", labels, kSentSizeBuckets, s.sent_sizes, s.sent_size_sum);
  }
  family(out, "ebb_stale_receipt_total", "counter",
         "Deletes with a superseded receipt handle: answered 200 with no effect (reliability.md §2.2).");
  for (auto& s : stats) sample(out, "ebb_stale_receipt_total", {{"queue", s.name}}, double(s.stale_receipts));
}

void render_next_fires(std::string& out, const std::vector<sched::ScheduleController::NextFire>& next) {
  family(out, "ebb_schedule_next_fire_timestamp_seconds", "gauge",
         "Next slot of a Schedule or CronJob (nextScheduleTime; kube_cronjob_next_schedule_time).");
  for (auto& n : next)
    sample(out, "ebb_schedule_next_fire_timestamp_seconds", {{"kind", n.kind}, {"name", n.name}},
           double(n.slot_ms) / 1000.0);
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
  family(out, "ebb_service_scaling_events_total", "counter", "Changes of the desired count by direction.");
  for (auto& s : m.services) {
    sample(out, "ebb_service_scaling_events_total", {{"service", s.name}, {"direction", "out"}}, double(s.scaled_out));
    sample(out, "ebb_service_scaling_events_total", {{"service", s.name}, {"direction", "in"}}, double(s.scaled_in));
  }
  family(out, "ebb_service_scaling_suppressed_total", "counter", "A change was wanted but not made, by reason.");
  for (auto& s : m.services)
    for (auto& [reason, n] : s.suppressed)
      sample(out, "ebb_service_scaling_suppressed_total", {{"service", s.name}, {"reason", reason}}, double(n));
  family(out, "ebb_service_scaling_decisions_total", "counter",
         "Autoscaler decisions recorded as events, by the autoscaler's reason (ScaleOut, HeldByWindow, ...).");
  for (auto& s : m.services)
    for (auto& [reason, n] : s.scaling_events)
      sample(out, "ebb_service_scaling_decisions_total", {{"service", s.name}, {"reason", reason}}, double(n));
  family(out, "ebb_service_last_scaling_timestamp_seconds", "gauge", "Last change of the desired count.");
  for (auto& s : m.services)
    if (s.last_scale_ms)
      sample(out, "ebb_service_last_scaling_timestamp_seconds", {{"service", s.name}}, double(s.last_scale_ms) / 1000.0);
  family(out, "ebb_autoscaler_decision_latency_seconds", "gauge",
         "Queue counter change to scaling decision: the last one and the largest since start.");
  sample(out, "ebb_autoscaler_decision_latency_seconds", {{"stat", "last"}}, m.decision_latency_last_seconds);
  sample(out, "ebb_autoscaler_decision_latency_seconds", {{"stat", "max"}}, m.decision_latency_max_seconds);
}

}  // namespace ebb::server
