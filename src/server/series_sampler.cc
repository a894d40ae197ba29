#include "server/series_sampler.h"

#include <algorithm>

namespace ebb::server {

MonoTime SeriesSampler::tick() {
  int64_t now = clock_.now_ms();
  std::vector<QueueStats> queues;
  service::MetricsSnapshot services;
  std::map<obs::Owner, int64_t> running;
  SamplerInputs in;
  if (engine_) {
    queues = engine_->stats();
    in.queues = &queues;
  }
  if (services_ && *services_) {
    services = (*services_)->metrics();
    in.services = &services;
  }
  if (activity_) {
    running = activity_->running_by_owner();
    in.running = &running;
  }
  sample(now, in);
  int64_t to_next = 1000 - ((now % 1000) + 1000) % 1000;
  return clock_.mono_now() + Millis(to_next);
}

void SeriesSampler::sample(int64_t now_ms, const SamplerInputs& in) {
  const int64_t t = now_ms >= 0 ? now_ms / 1000 : -((-now_ms + 999) / 1000);
  auto rec = [&](const char* name, const obs::Labels& labels, double v) { store_.record(name, labels, t, v); };
  if (in.queues) {
    double visible = 0, inflight = 0, delayed = 0, oldest = 0, sent = 0, received = 0, deleted = 0;
    std::map<std::string, Counters> next;
    for (auto& q : *in.queues) {
      obs::Labels l{{"queue", q.name}};
      double age = q.oldest_sent_ms ? double(std::max<int64_t>(0, now_ms - q.oldest_sent_ms)) / 1000.0 : 0.0;
      rec("queue_visible", l, double(q.visible));
      rec("queue_in_flight", l, double(q.inflight));
      rec("queue_delayed", l, double(q.delayed));
      rec("queue_oldest_age_seconds", l, age);
      visible += double(q.visible);
      inflight += double(q.inflight);
      delayed += double(q.delayed);
      oldest = std::max(oldest, age);
      Counters c{q.sent, q.received, q.deleted, now_ms};
      // Rates need two samples; counters restart from zero with the process (and a
      // re-created queue), so a decrease starts over instead of going negative.
      if (auto it = last_.find(q.name); it != last_.end() && now_ms > it->second.at_ms) {
        const Counters& p = it->second;
        double dt = double(now_ms - p.at_ms) / 1000.0;
        auto rate = [dt](uint64_t now_v, uint64_t prev) { return now_v >= prev ? double(now_v - prev) / dt : 0.0; };
        double rs = rate(c.sent, p.sent), rr = rate(c.received, p.received), rd = rate(c.deleted, p.deleted);
        rec("queue_sent_per_second", l, rs);
        rec("queue_received_per_second", l, rr);
        rec("queue_deleted_per_second", l, rd);
        sent += rs;
        received += rr;
        deleted += rd;
      }
      next.emplace(q.name, c);
    }
    last_ = std::move(next);  // deleted queues drop out
    rec("queue_visible", {}, visible);
    rec("queue_in_flight", {}, inflight);
    rec("queue_delayed", {}, delayed);
    rec("queue_oldest_age_seconds", {}, oldest);
    rec("queue_sent_per_second", {}, sent);
    rec("queue_received_per_second", {}, received);
    rec("queue_deleted_per_second", {}, deleted);
  }
  if (in.services) {
    double desired = 0, running = 0;
    for (auto& s : in.services->services) {
      obs::Labels l{{"service", s.name}};
      rec("service_desired", l, double(s.desired));
      rec("service_running", l, double(s.running));
      rec("service_pending", l, double(s.starting));
      rec("service_backlog", l, double(s.backlog));
      rec("service_backlog_per_task", l, s.backlog_per_task);
      desired += double(s.desired);
      running += double(s.running);
    }
    rec("service_desired", {}, desired);
    rec("service_running", {}, running);
  }
  if (in.running) {
    double all = 0;
    for (auto& [owner, n] : *in.running) {
      rec("tasks_running", {{"kind", owner.kind}, {"name", owner.name}}, double(n));
      all += double(n);
    }
    rec("tasks_running", {}, all);
  }
  if (t - last_forget_s_ >= 60) {
    store_.forget_stale(t);
    last_forget_s_ = t;
  }
}

}  // namespace ebb::server
