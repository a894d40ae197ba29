// SeriesSampler: what one tick records, rates from counters (issue 5 §2).
#include "server/series_sampler.h"

#include <gtest/gtest.h>

#include "support/fake_clock.h"

namespace ebb::server {
namespace {

QueueStats queue(std::string name, int64_t visible, uint64_t sent) {
  QueueStats q;
  q.name = std::move(name);
  q.visible = visible;
  q.sent = sent;
  return q;
}

double at(const obs::SeriesStore& s, const std::string& name, obs::Labels l, int64_t now_s) {
  auto t = s.query({{name, l}}, 1, now_s);
  return t.columns[0][0].value_or(-1);
}

TEST(SeriesSampler, RecordsQueueGaugesTotalsAndRates) {
  FakeClock clock;
  obs::SeriesStore store;
  SeriesSampler sampler(clock, store);
  int64_t t0 = clock.now_ms();
  std::vector<QueueStats> qs{queue("a", 3, 10), queue("b", 4, 0)};
  qs[0].oldest_sent_ms = t0 - 7000;
  sampler.sample(t0, SamplerInputs{&qs});
  int64_t s0 = t0 / 1000;
  EXPECT_EQ(at(store, "queue_visible", {{"queue", "a"}}, s0), 3);
  EXPECT_EQ(at(store, "queue_visible", {}, s0), 7);
  EXPECT_EQ(at(store, "queue_oldest_age_seconds", {}, s0), 7);
  EXPECT_EQ(at(store, "queue_sent_per_second", {{"queue", "a"}}, s0), -1);  // needs two samples

  qs[0].sent = 30;  // 20 sends in 2 s
  sampler.sample(t0 + 2000, SamplerInputs{&qs});
  EXPECT_EQ(at(store, "queue_sent_per_second", {{"queue", "a"}}, s0 + 2), 10);
  EXPECT_EQ(at(store, "queue_sent_per_second", {}, s0 + 2), 10);

  qs[0].sent = 5;  // counters restarted (queue re-created): no negative rate
  sampler.sample(t0 + 3000, SamplerInputs{&qs});
  EXPECT_EQ(at(store, "queue_sent_per_second", {{"queue", "a"}}, s0 + 3), 0);
}

TEST(SeriesSampler, RecordsServicesAndRunningTasks) {
  FakeClock clock;
  obs::SeriesStore store;
  SeriesSampler sampler(clock, store);
  service::MetricsSnapshot snap;
  service::ServiceMetrics m;
  m.name = "thumb";
  m.desired = 5;
  m.running = 2;
  snap.services.push_back(m);
  std::map<obs::Owner, int64_t> running{{{"Service", "thumb"}, 2}, {{"Job", "j"}, 1}};
  sampler.sample(clock.now_ms(), SamplerInputs{nullptr, &snap, &running});
  int64_t s = clock.now_ms() / 1000;
  EXPECT_EQ(at(store, "service_desired", {{"service", "thumb"}}, s), 5);
  EXPECT_EQ(at(store, "service_running", {{"service", "thumb"}}, s), 2);
  EXPECT_EQ(at(store, "tasks_running", {{"kind", "Job"}, {"name", "j"}}, s), 1);
  EXPECT_EQ(at(store, "tasks_running", {}, s), 3);
}

TEST(SeriesSampler, TickReturnsTheNextWholeSecond) {
  FakeClock clock;
  clock.advance(Millis(250));
  obs::SeriesStore store;
  SeriesSampler sampler(clock, store);
  auto next = sampler.tick();
  EXPECT_EQ(next - clock.mono_now(), Millis(750));
}

}  // namespace
}  // namespace ebb::server
