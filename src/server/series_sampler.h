// Feeds the SeriesStore once a second from the same in-memory sources /metrics reads
// (queue stats, service controller snapshot, task activity): the dashboard's charts.
// Series (labels in braces; the unlabelled one is the sum, or the max for ages):
//   queue_visible, queue_in_flight, queue_delayed, queue_oldest_age_seconds {queue}
//   queue_sent_per_second, queue_received_per_second, queue_deleted_per_second {queue}
//   service_desired, service_running, service_pending, service_backlog,
//   service_backlog_per_task {service}
//   tasks_running {kind,name}
#pragma once
#include <map>
#include <string>
#include <vector>

#include "clock/clock.h"
#include "obs/activity.h"
#include "obs/series.h"
#include "queue/engine.h"
#include "service/service_controller.h"

namespace ebb::server {

struct SamplerInputs {
  const std::vector<QueueStats>* queues = nullptr;
  const service::MetricsSnapshot* services = nullptr;
  const std::map<obs::Owner, int64_t>* running = nullptr;
};

class SeriesSampler {
 public:
  SeriesSampler(Clock& clock, obs::SeriesStore& store) : clock_(clock), store_(store) {}
  // Sources; any may be null (not running in this process).
  void set_sources(const Engine* engine, const service::ServiceController* const* services,
                   const obs::Activity* activity) {
    engine_ = engine;
    services_ = services;
    activity_ = activity;
  }
  // Takes one sample now and returns when the next is due (the next whole second).
  MonoTime tick();
  // One sample at wall instant now_ms from explicit inputs (unit tests use this).
  void sample(int64_t now_ms, const SamplerInputs& in);

 private:
  struct Counters {
    uint64_t sent = 0, received = 0, deleted = 0;
    int64_t at_ms = 0;
  };
  Clock& clock_;
  obs::SeriesStore& store_;
  const Engine* engine_ = nullptr;
  const service::ServiceController* const* services_ = nullptr;
  const obs::Activity* activity_ = nullptr;
  std::map<std::string, Counters> last_;  // per queue: the previous sample's counters
  int64_t last_forget_s_ = 0;
};

}  // namespace ebb::server
