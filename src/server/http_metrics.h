// Request counters for ebb_http_requests_total{api,action,code} (ecosystem.md §3.3).
// Labels are bounded: api and code are fixed sets, action is an SQS operation or a
// route name ("other" for anything unknown).
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace ebb::server {

class HttpMetrics {
 public:
  void count(const std::string& api, const std::string& action, int code);
  // Appends the family in Prometheus text format 0.0.4.
  void render(std::string& out) const;

 private:
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
};

}  // namespace ebb::server
