// ebb_http_requests_total{api,action,code} and ebb_http_request_duration_seconds{api,action}
// (ecosystem.md §3.3). Labels are bounded: api and code are fixed sets, action is an
// SQS operation or a route name ("other" for anything unknown). observe() is on every
// request's path: a shared lock to find the (api, action) entry, then atomics only.
// Also ebb_sqs_errors_total{action,error_code}.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>

#include "obs/histogram.h"

namespace ebb::server {

class HttpMetrics {
 public:
  void observe(std::string_view api, std::string_view action, int code, double seconds);
  void count(const std::string& api, const std::string& action, int code) { observe(api, action, code, 0); }
  // ebb_sqs_errors_total{action,error_code}: an SQS error response (error_code = the
  // Query code of sqs-api.md §5.2 whatever the protocol; action "other" if unknown).
  void sqs_error(std::string_view action, std::string_view error_code);
  // Appends both families in Prometheus text format 0.0.4.
  void render(std::string& out) const;

 private:
  struct Entry {
    obs::Histogram duration{obs::kLatencyBuckets};
    struct Slot {
      std::atomic<int> code{0};
      std::atomic<uint64_t> n{0};
    };
    std::array<Slot, 12> codes;     // claimed on first use (CAS 0 → code)
    std::mutex overflow_mu;         // a 13th distinct code and beyond
    std::map<int, uint64_t> overflow;
    void count(int code);
  };
  struct Less {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return std::pair<std::string_view, std::string_view>(a.first, a.second) <
             std::pair<std::string_view, std::string_view>(b.first, b.second);
    }
  };
  Entry& entry(std::string_view api, std::string_view action);

  mutable std::mutex errors_mu_;  // errors are off the hot path: one plain lock
  std::map<std::pair<std::string, std::string>, uint64_t, Less> sqs_errors_;

  mutable std::shared_mutex mu_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<Entry>, Less> entries_;
};

}  // namespace ebb::server
