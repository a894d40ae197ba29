// GET /metrics: Prometheus text from memory only (no store query per scrape).
// Minimal for now; later issues extend the catalogue of ecosystem.md §3.3.
#pragma once
#include <string>

#include "queue/engine.h"
#include "server/http_metrics.h"

namespace ebb::server {

std::string render_metrics(const Engine& engine, const HttpMetrics& http, int64_t now_ms);

}  // namespace ebb::server
