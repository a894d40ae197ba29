// ebb queue purge QUEUE [--yes] and ebb queue redrive DLQ [--to QUEUE]
// [--max-per-second N] (StartMessageMoveTask, then progress until the task ends).
#include <cstdio>
#include <thread>

#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/strict_number.h"
#include "cli/terminal.h"

namespace ebb::cli {
namespace {

int64_t int_or(const nlohmann::json& j, const char* key, int64_t fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}

std::string str_or(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// The move task we started, among GET …/redrive's results (newest first).
const nlohmann::json* find_task(const nlohmann::json& list, const std::string& handle) {
  auto results = list.find("Results");
  if (results == list.end() || !results->is_array() || results->empty()) return nullptr;
  for (const auto& r : *results) {
    if (!handle.empty() && str_or(r, "TaskHandle") == handle) return &r;
  }
  // SQS lists a handle only for running tasks; a finished one is the newest entry.
  return &(*results)[0];
}

}  // namespace

int run_purge(ApiClient& api, const PurgeOptions& o) {
  if (!o.yes) {
    if (!stdin_is_terminal()) {
      return report(usage_error("purging deletes every message in queue/" + o.queue, "pass --yes to purge"));
    }
    if (!confirm("Delete every message in queue/" + o.queue + "?")) {
      std::fprintf(stderr, "queue/%s not purged\n", o.queue.c_str());
      return kExitOk;
    }
  }
  Outcome<nlohmann::json> r = api.post(api.queue_path(o.queue) + "/purge", nlohmann::json::object());
  if (!r.ok()) return report(r.error());
  std::printf("queue/%s purged\n", o.queue.c_str());
  return kExitOk;
}

int run_redrive(ApiClient& api, const RedriveOptions& o) {
  nlohmann::json req = nlohmann::json::object();
  if (!o.to.empty()) req["to"] = o.to;
  if (!o.max_per_second.empty()) {
    // SQS MaxNumberOfMessagesPerSecond: 1-500.
    Outcome<int64_t> v = parse_int_flag("--max-per-second", o.max_per_second, 1, 500);
    if (!v.ok()) return report(v.error());
    req["maxPerSecond"] = *v;
  }
  const std::string path = api.queue_path(o.dlq) + "/redrive";
  Outcome<nlohmann::json> started = api.post(path, req);
  if (!started.ok()) return report(started.error());
  const std::string handle = str_or(*started, "TaskHandle");
  int64_t total = int_or(*started, "ApproximateNumberOfMessagesToMove", 0);
  std::fprintf(stderr, "redrive of queue/%s started (%lld messages to move)\n", o.dlq.c_str(),
               static_cast<long long>(total));

  ProgressLine progress(stderr_is_terminal(), o.quiet);
  auto last_time = std::chrono::steady_clock::now();
  int64_t last_moved = 0;
  double rate = 0;
  while (true) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    Outcome<nlohmann::json> list = api.get(path);
    if (!list.ok()) {
      progress.finish();
      return report(list.error());
    }
    const nlohmann::json* task = find_task(*list, handle);
    if (!task) continue;
    const std::string status = str_or(*task, "Status");
    const int64_t moved = int_or(*task, "ApproximateNumberOfMessagesMoved", 0);
    total = int_or(*task, "ApproximateNumberOfMessagesToMove", total);
    auto now = std::chrono::steady_clock::now();
    double dt = std::chrono::duration<double>(now - last_time).count();
    if (dt > 0) rate = (moved - last_moved) / dt;
    last_time = now;
    last_moved = moved;
    const int pct = total > 0 ? static_cast<int>(moved * 100 / total) : 100;
    char line[160];
    std::snprintf(line, sizeof line, "redriven %lld/%lld (%d%%) %.0f msg/s", static_cast<long long>(moved),
                  static_cast<long long>(total), pct, rate < 0 ? 0.0 : rate);
    progress.update(line);
    if (status == "RUNNING" || status == "CANCELLING" || status.empty()) continue;
    progress.finish();
    if (status == "COMPLETED") {
      std::printf("queue/%s redriven: %lld messages moved\n", o.dlq.c_str(), static_cast<long long>(moved));
      return kExitOk;
    }
    std::string reason = str_or(*task, "FailureReason");
    return report(CliError{kExitRefused, "redrive of queue/" + o.dlq + " " + status + " after " +
                                             std::to_string(moved) + " messages" + (reason.empty() ? "" : ": " + reason),
                           {}, ""});
  }
}

}  // namespace ebb::cli
