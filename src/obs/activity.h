// Activity: what tasks, Jobs and schedule slots did, learnt from the records the
// controllers commit (ObservedStore passes every commit's ops here). One place covers
// every owner kind — Service, Job, CronJob, Schedule — without hooks in the
// controllers, and what it counts is exactly what became durable.
//
// It keeps (a) the task, Job and schedule metric families of ecosystem.md §3.3 (since
// this ebbd started) and (b) the cost ledger of issue 5 §5: hourly usage buckets per
// owner, persisted as "usage" records (key "<hour ms>/<Kind>/<name>") in the SAME
// transaction as the task record that finished, so a crash can neither lose nor double
// a task's usage. Buckets older than kUsageRetentionHours are deleted.
//
// Threading: observe() runs on the committer's writer thread; views on any thread.
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "obs/cost_model.h"
#include "obs/histogram.h"
#include "store/store.h"

namespace ebb::obs {

inline constexpr int64_t kHourMs = 3'600'000;
inline constexpr int64_t kUsageRetentionHours = 24 * 92;  // `ebb cost --since 90d` still answers

// Owner of a task as metrics label it: a CronJob's or Schedule's Jobs are labelled
// with the CronJob's/Schedule's name, never the generated Job name.
struct Owner {
  std::string kind;  // Service | Job | CronJob | Schedule
  std::string name;
  auto operator<=>(const Owner&) const = default;
};

// Usage of one owner in one hour (or a sum of them).
struct Usage {
  int64_t tasks = 0;             // finished attempts that ran (started)
  int64_t failed = 0;
  double run_seconds = 0;        // sum of run times
  double billed_seconds = 0;     // Fargate billing: per second, one-minute minimum
  double vcpu_seconds = 0;       // reserved (template) vCPU × run time
  double gb_seconds = 0;         // reserved GB × run time
  double fargate_vcpu_seconds = 0;  // Fargate size vCPU × billed seconds (the priced quantity)
  double fargate_gb_seconds = 0;
  double cpu_used_seconds = 0;   // measured user + system CPU
  int64_t peak_rss_bytes = 0;    // largest peak RSS of one task
  double reserved_vcpu = 0;      // largest reservation seen
  int64_t reserved_memory_bytes = 0;
  int64_t peak_concurrency = 0;  // most tasks running at once
  int64_t first_start_ms = 0;    // earliest task start seen (0 = none): where the data begins

  void add(const Usage& o);
  nlohmann::json to_json() const;
  static Usage from_json(const nlohmann::json& j);
};

// What a finished (or still running) attempt contributes.
Usage usage_of_run(const PriceTable& p, int64_t cpu_millis, int64_t memory_bytes, double run_seconds,
                   double cpu_used_seconds, int64_t peak_rss_bytes, bool failed);

class Activity {
 public:
  explicit Activity(PriceTable prices);

  // Seeds state from the records of the store (call once, before serving).
  void load(const std::vector<RecordRow>& records);
  // Looks at a commit's ops before they commit; returns ops to add to the same
  // transaction (usage buckets). Cheap when no task/job/slot record is among them.
  std::vector<StoreOp> observe(std::span<const StoreOp> ops);

  const PriceTable& prices() const { return prices_; }

  // Prometheus families (task, job, schedule, cost); now_ms prices always-on time.
  void render(std::string& out, int64_t now_ms) const;
  // GET /api/v1/cost?since=… : the report of docs/cost.md.
  nlohmann::json cost_report(int64_t since_ms, int64_t now_ms) const;
  // Started, unfinished tasks per owner (the dashboard's time series).
  std::map<Owner, int64_t> running_by_owner() const;

 private:
  struct TaskSeen {
    Owner owner;
    bool started = false;  // counted as running
  };
  struct OwnerMetrics {
    int64_t running = 0, peak_running = 0;
    int64_t first_seen_ms = 0;
    uint64_t starts = 0;
    std::map<std::string, uint64_t> failures;  // by reason
    Histogram duration_ok{kTaskDurationBuckets}, duration_failed{kTaskDurationBuckets};
    Histogram start_latency{kStartLatencyBuckets};
    double cpu_allocated_s = 0, memory_allocated_byte_s = 0, cpu_used_s = 0, fargate_usd = 0;
  };
  struct ScheduleMetrics {
    std::map<std::string, uint64_t> fires;  // by result
    Histogram lateness{kLatenessBuckets};
    int64_t last_fire_ms = 0;
  };
  struct OpenTask {
    Owner owner;
    int64_t cpu_millis = 0, memory_bytes = 0, started_ms = 0;
    double cpu_seconds = 0;
    int64_t peak_rss_bytes = 0;
  };

  void on_task(const std::string& id, const std::string& value, std::set<std::pair<int64_t, Owner>>& dirty);
  void on_task_deleted(const std::string& id);
  void on_job(const std::string& name, const std::string& value);
  void on_slot(const std::string& key, const std::string& value);
  Owner owner_of(const std::string& kind, const std::string& name) const;
  OwnerMetrics& owner_metrics(const Owner& o, int64_t now_ms);
  void note_concurrency(const Owner& o, int64_t at_ms, std::set<std::pair<int64_t, Owner>>& dirty);
  static std::string bucket_key(int64_t hour_ms, const Owner& o);

  PriceTable prices_;
  mutable std::mutex mu_;
  std::map<std::string, TaskSeen> tasks_;            // unfinished task records
  std::map<std::string, OpenTask> open_;             // started, unfinished (cost of running tasks)
  std::set<std::string> accounted_;                  // finished task records present in the store
  std::map<std::string, std::pair<Owner, bool>> jobs_;  // job name → (label owner, finished)
  std::map<std::string, std::string> slots_;         // slot key → last outcome seen
  std::map<Owner, int64_t> running_;                 // started, unfinished, per owner
  int64_t running_all_ = 0;
  std::map<int64_t, std::map<Owner, Usage>> buckets_;  // hour start ms → owner → usage
  std::map<int64_t, int64_t> peak_all_;              // hour start ms → peak of all tasks at once
  std::map<Owner, OwnerMetrics> owners_;
  std::map<Owner, ScheduleMetrics> schedules_;
  std::map<std::pair<Owner, std::string>, uint64_t> jobs_finished_;  // (owner, complete|failed)
};

}  // namespace ebb::obs
