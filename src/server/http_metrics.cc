#include "server/http_metrics.h"

#include "server/prometheus_text.h"

namespace ebb::server {

void HttpMetrics::count(const std::string& api, const std::string& action, int code) {
  std::lock_guard lk(mu_);
  ++requests_[{api, action.empty() ? "other" : action, code}];
}

void HttpMetrics::render(std::string& out) const {
  family(out, "ebb_http_requests_total", "counter", "HTTP requests by API, action and status code.");
  std::lock_guard lk(mu_);
  for (auto& [key, n] : requests_) {
    auto& [api, action, code] = key;
    std::string c = std::to_string(code);
    sample(out, "ebb_http_requests_total", {{"api", api}, {"action", action}, {"code", c}}, static_cast<double>(n));
  }
}

}  // namespace ebb::server
