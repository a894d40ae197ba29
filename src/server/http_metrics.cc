#include "server/http_metrics.h"

#include <vector>

#include "server/prometheus_text.h"

namespace ebb::server {

void HttpMetrics::Entry::count(int code) {
  for (auto& s : codes) {
    int c = s.code.load(std::memory_order_acquire);
    if (c == 0 && s.code.compare_exchange_strong(c, code, std::memory_order_acq_rel)) c = code;
    if (c == code) {
      s.n.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  std::lock_guard lk(overflow_mu);
  ++overflow[code];
}

HttpMetrics::Entry& HttpMetrics::entry(std::string_view api, std::string_view action) {
  const std::pair<std::string_view, std::string_view> key(api, action.empty() ? std::string_view("other") : action);
  {
    std::shared_lock lk(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end()) return *it->second;
  }
  std::unique_lock lk(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end())
    it = entries_.emplace(std::pair<std::string, std::string>(key.first, key.second), std::make_unique<Entry>()).first;
  return *it->second;
}

void HttpMetrics::observe(std::string_view api, std::string_view action, int code, double seconds) {
  Entry& e = entry(api, action);
  e.count(code);
  e.duration.observe(seconds);
}

void HttpMetrics::sqs_error(std::string_view action, std::string_view error_code) {
  const std::pair<std::string_view, std::string_view> key(action.empty() ? std::string_view("other") : action,
                                                          error_code);
  std::lock_guard lk(errors_mu_);
  auto it = sqs_errors_.find(key);
  if (it == sqs_errors_.end())
    it = sqs_errors_.emplace(std::pair<std::string, std::string>(key.first, key.second), 0).first;
  ++it->second;
}

void HttpMetrics::render(std::string& out) const {
  std::shared_lock lk(mu_);
  family(out, "ebb_http_requests_total", "counter", "HTTP requests by API, action and status code.");
  for (auto& [key, e] : entries_) {
    std::map<int, uint64_t> by_code;
    for (auto& s : e->codes)
      if (int c = s.code.load(std::memory_order_acquire)) by_code[c] += s.n.load(std::memory_order_relaxed);
    {
      std::lock_guard ol(e->overflow_mu);
      for (auto& [c, n] : e->overflow) by_code[c] += n;
    }
    for (auto& [code, n] : by_code) {
      std::string c = std::to_string(code);
      sample(out, "ebb_http_requests_total", {{"api", key.first}, {"action", key.second}, {"code", c}}, double(n));
    }
  }
  family(out, "ebb_http_request_duration_seconds", "histogram", "Time from request parsed to response handed over.");
  for (auto& [key, e] : entries_)
    histogram(out, "ebb_http_request_duration_seconds", {{"api", key.first}, {"action", key.second}}, e->duration);
  lk.unlock();
  std::lock_guard el(errors_mu_);
  family(out, "ebb_sqs_errors_total", "counter", "SQS error responses by action and error code (sqs-api.md §5.2).");
  for (auto& [key, n] : sqs_errors_)
    sample(out, "ebb_sqs_errors_total", {{"action", key.first}, {"error_code", key.second}}, double(n));
}

}  // namespace ebb::server
