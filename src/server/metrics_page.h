// GET /metrics: Prometheus text from memory only (no store query per scrape), the
// catalogue of ecosystem.md §3.3 (docs/metrics.md lists every family).
#pragma once
#include <string>

#include "alarm/alarm_controller.h"
#include "obs/activity.h"
#include "obs/observed_store.h"
#include "queue/engine.h"
#include "sched/schedule_controller.h"
#include "service/service_controller.h"
#include "server/http_metrics.h"

namespace ebb::server {

struct MetricsSources {
  const Engine& engine;
  const HttpMetrics& http;
  const service::ServiceController* services = nullptr;  // null: no service controller
  const obs::Activity* activity = nullptr;               // tasks, Jobs, schedules, cost
  const obs::ObservedStore* store = nullptr;             // commit latency
  std::string db_path;                                   // ebb_store_size_bytes ("" = not shown)
  const alarm::AlarmController* alarms = nullptr;        // ebb_alarm_* and ebb_webhook_* families
  const sched::ScheduleController* schedules = nullptr;  // ebb_schedule_next_fire_timestamp_seconds
};

std::string render_metrics(const MetricsSources& src, int64_t now_ms);
// Kept for callers that only have the queue engine and HTTP counters.
std::string render_metrics(const Engine& engine, const HttpMetrics& http, int64_t now_ms,
                           const service::ServiceController* services = nullptr);

// Queue families (ecosystem.md §3.3).
void render_queue_metrics(std::string& out, const std::vector<QueueStats>& stats, int64_t now_ms);
// Service families (autoscaling.md §9, ecosystem.md §3.3).
void render_service_metrics(std::string& out, const service::MetricsSnapshot& m);

// ebb_schedule_next_fire_timestamp_seconds{kind,name}.
void render_next_fires(std::string& out, const std::vector<sched::ScheduleController::NextFire>& next);

}  // namespace ebb::server
