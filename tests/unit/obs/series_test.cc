// SeriesStore: rings, downsampling, bounds (issue 5 §2). Instants are passed in, as
// the sampler passes the Clock's; no test waits.
#include "obs/series.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ebb::obs {
namespace {

constexpr int64_t T0 = 1'735'689'600;  // 2025-01-01T00:00:00Z, a whole hour

std::vector<std::pair<std::string, Labels>> one(const std::string& n, Labels l = {}) { return {{n, l}}; }

TEST(SeriesRing, ReadsBackWhatWasWrittenAndGapsElsewhere) {
  SeriesRing r(1, 61);
  r.write(T0, 5);
  r.write(T0 + 2, 7);
  EXPECT_EQ(r.read(T0), 5);
  EXPECT_TRUE(std::isnan(r.read(T0 + 1)));
  EXPECT_EQ(r.read(T0 + 2), 7);
}

TEST(SeriesRing, ConstantChunksAllocateNoValues) {
  SeriesRing idle(1, 61), busy(1, 61);
  for (int i = 0; i < 3600; ++i) idle.write(T0 + i, 0);
  for (int i = 0; i < 3600; ++i) busy.write(T0 + i, float(i));
  EXPECT_EQ(idle.read(T0 + 1234), 0);
  EXPECT_EQ(busy.read(T0 + 1234), 1234);
  EXPECT_LT(idle.bytes() * 5, busy.bytes());
  EXPECT_GE(busy.bytes(), 60u * 60 * sizeof(float));
}

TEST(SeriesRing, OldSlotsFallOutOfTheWindow) {
  SeriesRing r(1, 61);
  r.write(T0, 1);
  r.write(T0 + 3660, 2);  // 61 chunks later: the same physical chunk is reused
  EXPECT_TRUE(std::isnan(r.read(T0)));
  EXPECT_EQ(r.read(T0 + 3660), 2);
  r.write(T0 + 1, 9);  // older than the held chunk: ignored, not mixed in
  EXPECT_TRUE(std::isnan(r.read(T0 + 1)));
}

TEST(SeriesStore, LastHourAtOneSecond) {
  SeriesStore s;
  for (int i = 0; i < 4000; ++i) s.record("queue_visible", {{"queue", "a"}}, T0 + i, i);
  auto t = s.query(one("queue_visible", {{"queue", "a"}}), 3600, T0 + 3999);
  ASSERT_EQ(t.step_s, 1);
  ASSERT_EQ(t.t.size(), 3600u);
  EXPECT_EQ(t.t.front(), T0 + 400);
  EXPECT_EQ(t.t.back(), T0 + 3999);
  EXPECT_EQ(*t.columns[0].front(), 400);
  EXPECT_EQ(*t.columns[0].back(), 3999);
  for (size_t i = 0; i < t.t.size(); ++i) ASSERT_EQ(*t.columns[0][i], double(t.t[i] - T0));
}

TEST(SeriesStore, LongerRangesAreMinuteMeans) {
  SeriesStore s;
  // Two hours: minute m holds the values 60m .. 60m+59, so its mean is 60m + 29.5.
  for (int i = 0; i < 7200; ++i) s.record("x", {}, T0 + i, i);
  auto t = s.query(one("x"), 2 * 3600, T0 + 7199);
  ASSERT_EQ(t.step_s, 60);
  ASSERT_EQ(t.t.size(), 120u);
  EXPECT_EQ(t.t.front(), T0);
  for (size_t m = 0; m < 120; ++m) {
    ASSERT_TRUE(t.columns[0][m].has_value()) << m;
    EXPECT_DOUBLE_EQ(*t.columns[0][m], 60.0 * double(m) + 29.5) << m;
  }
}

TEST(SeriesStore, MinuteInProgressIsItsMeanSoFar) {
  SeriesStore s;
  for (int i = 0; i < 90; ++i) s.record("x", {}, T0 + i, i < 60 ? 0 : 10);
  auto t = s.query(one("x"), 3 * 3600, T0 + 89);
  EXPECT_EQ(*t.columns[0].back(), 10);                  // the minute in progress
  EXPECT_EQ(*t.columns[0][t.t.size() - 2], 0);          // the finished one
  EXPECT_FALSE(t.columns[0][t.t.size() - 3].has_value());  // before the first sample
}

TEST(SeriesStore, DayIsTheLimitOfTheCoarseRing) {
  SeriesStore s;
  for (int64_t m = 0; m < 26 * 60; ++m) s.record("x", {}, T0 + m * 60, double(m));
  int64_t now = T0 + (26 * 60 - 1) * 60;
  auto t = s.query(one("x"), 400 * 86400, now);  // capped at a day
  ASSERT_EQ(t.t.size(), 1440u);
  EXPECT_EQ(*t.columns[0].back(), 26 * 60 - 1);
  EXPECT_EQ(*t.columns[0].front(), 2 * 60);  // samples older than the day are gone
}

TEST(SeriesStore, GapsAreNullAndUnknownSeriesAllNull) {
  SeriesStore s;
  s.record("x", {}, T0, 1);
  s.record("x", {}, T0 + 5, 2);
  auto t = s.query({{"x", {}}, {"nope", {}}}, 10, T0 + 9);
  ASSERT_EQ(t.columns.size(), 2u);
  int present = 0;
  for (auto& v : t.columns[0]) present += v.has_value();
  EXPECT_EQ(present, 2);
  for (auto& v : t.columns[1]) EXPECT_FALSE(v.has_value());
}

TEST(SeriesStore, LabelsSelectExactlyOneSeries) {
  SeriesStore s;
  s.record("queue_visible", {{"queue", "a"}}, T0, 1);
  s.record("queue_visible", {{"queue", "b"}}, T0, 2);
  s.record("queue_visible", {}, T0, 3);
  EXPECT_EQ(*s.query(one("queue_visible", {{"queue", "b"}}), 1, T0).columns[0][0], 2);
  EXPECT_EQ(*s.query(one("queue_visible"), 1, T0).columns[0][0], 3);
  size_t total = 0;
  auto l = s.list("queue_visible", {}, 1, 1, &total);
  EXPECT_EQ(total, 3u);
  ASSERT_EQ(l.size(), 1u);
  auto m = s.list("", {{"queue", "a"}}, 0, 10);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].labels.at("queue"), "a");
}

TEST(SeriesStore, SeriesCountIsBoundedAndStaleSeriesAreForgotten) {
  SeriesConfig c;
  c.max_series = 3;
  c.forget_after_s = 600;
  SeriesStore s(c);
  for (int i = 0; i < 5; ++i) s.record("x", {{"queue", std::to_string(i)}}, T0, 1);
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(s.dropped(), 2u);
  s.record("x", {{"queue", "0"}}, T0 + 700, 1);
  s.forget_stale(T0 + 700);
  EXPECT_EQ(s.size(), 1u);
  s.record("x", {{"queue", "9"}}, T0 + 701, 1);  // room again
  EXPECT_EQ(s.size(), 2u);
}

TEST(SeriesStore, IdleSeriesStayCheap) {
  SeriesStore s;
  for (int i = 0; i < 3 * 3600; ++i)
    for (int q = 0; q < 100; ++q) s.record("queue_visible", {{"queue", "q" + std::to_string(q)}}, T0 + i, 0);
  // 100 idle series over three hours: a few KB each, far below the 21 KB worst case.
  EXPECT_LT(s.bytes() / 100, 4096u);
}

}  // namespace
}  // namespace ebb::obs
