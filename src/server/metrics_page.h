// GET /metrics: Prometheus text from memory only (no store query per scrape).
// Queue, HTTP, service and task families; later issues extend the catalogue of
// ecosystem.md §3.3.
#pragma once
#include <string>

#include "queue/engine.h"
#include "service/service_controller.h"
#include "server/http_metrics.h"

namespace ebb::server {

// `services` may be null (no service controller).
std::string render_metrics(const Engine& engine, const HttpMetrics& http, int64_t now_ms,
                           const service::ServiceController* services = nullptr);

// Service and task families (autoscaling.md §9, ecosystem.md §3.3).
void render_service_metrics(std::string& out, const service::MetricsSnapshot& m);

}  // namespace ebb::server
