// Slot vectors of scheduling.md §9.1–9.4 (standard cron, EventBridge cron(), DST,
// rate()/at()), the exactly-once rule on both transition days in several zones, the
// mirror latest_at_or_before(), and a 10,000-call sanity run.
#include <gtest/gtest.h>

#include <date/date.h>
#include <date/tz.h>

#include <cstdio>
#include <string>
#include <vector>

#include "sched/expression.h"

namespace ebb::sched {
namespace {

// "2025-06-04T07:00Z" or "2025-06-04T00:00:10Z" → epoch ms.
int64_t T(const char* s) {
  int y, mo, d, h, mi, sec = 0;
  char z;
  if (std::sscanf(s, "%d-%d-%dT%d:%d:%d%c", &y, &mo, &d, &h, &mi, &sec, &z) < 7) {
    sec = 0;
    std::sscanf(s, "%d-%d-%dT%d:%d", &y, &mo, &d, &h, &mi);
  }
  int64_t days = date::sys_days{date::year{y} / mo / d}.time_since_epoch().count();
  return ((days * 86400) + h * 3600 + mi * 60 + sec) * 1000;
}

std::string iso(int64_t ms) {
  int64_t s = ms / 1000;
  auto dp = date::floor<date::days>(date::sys_seconds{std::chrono::seconds{s}});
  date::year_month_day ymd{dp};
  int64_t tod = s - int64_t{dp.time_since_epoch().count()} * 86400;
  char b[40];
  if (tod % 60)
    std::snprintf(b, sizeof b, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(ymd.year()), unsigned(ymd.month()),
                  unsigned(ymd.day()), int(tod / 3600), int(tod / 60 % 60), int(tod % 60));
  else
    std::snprintf(b, sizeof b, "%04d-%02u-%02uT%02d:%02dZ", int(ymd.year()), unsigned(ymd.month()),
                  unsigned(ymd.day()), int(tod / 3600), int(tod / 60 % 60));
  return b;
}

Zone zone(const char* name) {
  auto z = Zone::find(name);
  EXPECT_TRUE(z.ok()) << name << ": " << (z.ok() ? "" : z.error().message);
  return z.value();
}

Expression P(const char* text, const char* zname = "UTC", Dialect d = Dialect::EventBridge,
             int64_t now = T("2025-01-01T00:00Z"), bool allow_past = false) {
  auto e = Expression::parse(text, d, zone(zname), now, allow_past);
  EXPECT_TRUE(e.ok()) << text << ": " << (e.ok() ? "" : e.error().message);
  if (!e.ok()) return Expression();
  return e.value();
}

std::vector<std::string> slots(const Expression& e, int64_t from, size_t n) {
  std::vector<std::string> out;
  int64_t t = from;
  for (size_t i = 0; i < n; ++i) {
    auto s = e.next_after(t);
    if (!s) {
      out.push_back("none");
      break;
    }
    EXPECT_GT(*s, t);
    out.push_back(iso(*s));
    t = *s;
  }
  return out;
}

using V = std::vector<std::string>;

// ---- §9.1 standard cron, UTC ----

TEST(ExpressionStandard, S1_Daily) {
  EXPECT_EQ(slots(P("0 6 * * *", "UTC", Dialect::Kubernetes), T("2025-06-04T07:00Z"), 2),
            (V{"2025-06-05T06:00Z", "2025-06-06T06:00Z"}));
}

TEST(ExpressionStandard, S2_ThirteenthOrFriday) {
  EXPECT_EQ(slots(P("0 0 13 * 5", "UTC", Dialect::Kubernetes), T("2025-06-01T00:00Z"), 4),
            (V{"2025-06-06T00:00Z", "2025-06-13T00:00Z", "2025-06-20T00:00Z", "2025-06-27T00:00Z"}));
}

TEST(ExpressionStandard, S3_DebianManPage) {
  EXPECT_EQ(slots(P("30 4 1,15 * 5", "UTC", Dialect::Kubernetes), T("2025-08-01T00:00Z"), 5),
            (V{"2025-08-01T04:30Z", "2025-08-08T04:30Z", "2025-08-15T04:30Z", "2025-08-22T04:30Z",
               "2025-08-29T04:30Z"}));
}

TEST(ExpressionStandard, S4_Mondays) {
  EXPECT_EQ(slots(P("0 0 * * 1", "UTC", Dialect::Kubernetes), T("2025-06-01T00:00Z"), 2),
            (V{"2025-06-02T00:00Z", "2025-06-09T00:00Z"}));
}

TEST(ExpressionStandard, S5_StepDomOrDow) {
  auto e = P("0 0 */2 * 1", "UTC", Dialect::Kubernetes);
  EXPECT_EQ(slots(e, T("2025-06-01T00:00Z"), 6),
            (V{"2025-06-02T00:00Z", "2025-06-03T00:00Z", "2025-06-05T00:00Z", "2025-06-07T00:00Z",
               "2025-06-09T00:00Z", "2025-06-11T00:00Z"}));
  ASSERT_FALSE(e.warnings().empty());
  EXPECT_NE(e.warnings()[0].find("either"), std::string::npos) << e.warnings()[0];
}

TEST(ExpressionStandard, S6_Feb29) {
  auto e = P("0 0 29 2 *", "UTC", Dialect::Kubernetes);
  EXPECT_EQ(slots(e, T("2025-01-01T00:00Z"), 2), (V{"2028-02-29T00:00Z", "2032-02-29T00:00Z"}));
}

TEST(ExpressionStandard, S7_OffsetStep) {
  EXPECT_EQ(slots(P("5/20 * * * *", "UTC", Dialect::Kubernetes), T("2025-06-04T00:00:10Z"), 4),
            (V{"2025-06-04T00:05Z", "2025-06-04T00:25Z", "2025-06-04T00:45Z", "2025-06-04T01:05Z"}));
}

TEST(ExpressionStandard, S8_StepLargerThanSpan) {
  auto e = P("*/61 * * * *", "UTC", Dialect::Kubernetes);
  EXPECT_EQ(slots(e, T("2025-06-04T00:00:10Z"), 2), (V{"2025-06-04T01:00Z", "2025-06-04T02:00Z"}));
  ASSERT_EQ(e.warnings().size(), 1u);
  EXPECT_NE(e.warnings()[0].find("minute"), std::string::npos);
}

TEST(ExpressionStandard, S9_Weekly) {
  EXPECT_EQ(slots(P("@weekly", "UTC", Dialect::Kubernetes), T("2025-06-04T00:00Z"), 2),
            (V{"2025-06-08T00:00Z", "2025-06-15T00:00Z"}));
}

TEST(ExpressionStandard, S10_Weekdays) {
  EXPECT_EQ(slots(P("0 9 * * MON-FRI", "UTC", Dialect::Kubernetes), T("2025-06-06T10:00Z"), 2),
            (V{"2025-06-09T09:00Z", "2025-06-10T09:00Z"}));
}

TEST(ExpressionStandard, S11_SevenIsSunday) {
  auto e = P("0 0 * * 7", "UTC", Dialect::Kubernetes);
  EXPECT_EQ(slots(e, T("2025-06-04T00:00Z"), 2), (V{"2025-06-08T00:00Z", "2025-06-15T00:00Z"}));
  ASSERT_EQ(e.warnings().size(), 1u);
  EXPECT_NE(e.warnings()[0].find("portable"), std::string::npos);
}

TEST(ExpressionStandard, S12_EveryAnchoredAtCreation) {
  auto e = P("@every 90m", "UTC", Dialect::Kubernetes, T("2025-06-04T00:00:10Z"));
  EXPECT_EQ(slots(e, T("2025-06-04T00:00:10Z"), 2), (V{"2025-06-04T01:30:10Z", "2025-06-04T03:00:10Z"}));
  EXPECT_EQ(iso(*e.initial_slot()), "2025-06-04T01:30:10Z");
  EXPECT_FALSE(e.fixed_time());
}

TEST(ExpressionStandard, MacrosAndNames) {
  EXPECT_EQ(slots(P("@yearly", "UTC", Dialect::Kubernetes), T("2025-06-04T00:00Z"), 1), (V{"2026-01-01T00:00Z"}));
  EXPECT_EQ(slots(P("@annually"), T("2025-06-04T00:00Z"), 1), (V{"2026-01-01T00:00Z"}));
  EXPECT_EQ(slots(P("@monthly"), T("2025-06-04T00:00Z"), 1), (V{"2025-07-01T00:00Z"}));
  EXPECT_EQ(slots(P("@daily"), T("2025-06-04T00:00Z"), 1), (V{"2025-06-05T00:00Z"}));
  EXPECT_EQ(slots(P("@midnight"), T("2025-06-04T00:00Z"), 1), (V{"2025-06-05T00:00Z"}));
  EXPECT_EQ(slots(P("@hourly"), T("2025-06-04T00:00Z"), 1), (V{"2025-06-04T01:00Z"}));
  EXPECT_EQ(slots(P("0 0 1 jan,Jul *", "UTC", Dialect::Kubernetes), T("2025-06-04T00:00Z"), 2),
            (V{"2025-07-01T00:00Z", "2026-01-01T00:00Z"}));
  EXPECT_EQ(slots(P("  0\t12 * * sat,SUN  ", "UTC", Dialect::Kubernetes), T("2025-06-04T00:00Z"), 2),
            (V{"2025-06-07T12:00Z", "2025-06-08T12:00Z"}));
  EXPECT_EQ(slots(P("0 0 ? * 1-5/2", "UTC", Dialect::Kubernetes), T("2025-06-01T00:00Z"), 3),
            (V{"2025-06-02T00:00Z", "2025-06-04T00:00Z", "2025-06-06T00:00Z"}));
}

TEST(ExpressionStandard, StrictlyAfterAndSubSecondInputs) {
  auto e = P("*/5 * * * *", "UTC", Dialect::Kubernetes);
  EXPECT_EQ(iso(*e.next_after(T("2025-06-04T00:05Z"))), "2025-06-04T00:10Z");
  EXPECT_EQ(iso(*e.next_after(T("2025-06-04T00:05Z") - 1)), "2025-06-04T00:05Z");
  EXPECT_EQ(iso(*e.next_after(T("2025-06-04T23:59:59Z") + 999)), "2025-06-05T00:00Z");
  EXPECT_EQ(iso(*e.next_after(T("2025-12-31T23:55Z"))), "2026-01-01T00:00Z");
}

// ---- §9.2 EventBridge cron(), UTC ----

TEST(ExpressionEventBridge, E1_Seed) {
  EXPECT_EQ(slots(P("cron(0 6 * * ? *)"), T("2025-06-04T07:00Z"), 2), (V{"2025-06-05T06:00Z", "2025-06-06T06:00Z"}));
}

TEST(ExpressionEventBridge, E2_LastFridayThenCompleted) {
  auto e = P("cron(15 10 ? * 6L 2019-2022)", "UTC", Dialect::EventBridge, T("2022-11-01T00:00Z"));
  EXPECT_EQ(slots(e, T("2022-11-01T00:00Z"), 3), (V{"2022-11-25T10:15Z", "2022-12-30T10:15Z", "none"}));
}

TEST(ExpressionEventBridge, E3_NearestWeekday15) {
  EXPECT_EQ(slots(P("cron(0 9 15W * ? *)"), T("2025-11-01T00:00Z"), 4),
            (V{"2025-11-14T09:00Z", "2025-12-15T09:00Z", "2026-01-15T09:00Z", "2026-02-16T09:00Z"}));
}

TEST(ExpressionEventBridge, E4_NearestWeekday1) {
  EXPECT_EQ(slots(P("cron(0 9 1W * ? *)"), T("2025-10-05T00:00Z"), 6),
            (V{"2025-11-03T09:00Z", "2025-12-01T09:00Z", "2026-01-01T09:00Z", "2026-02-02T09:00Z",
               "2026-03-02T09:00Z", "2026-04-01T09:00Z"}));
}

TEST(ExpressionEventBridge, E5_NearestWeekday31) {
  EXPECT_EQ(slots(P("cron(0 9 31W * ? *)"), T("2025-08-01T00:00Z"), 4),
            (V{"2025-08-29T09:00Z", "2025-10-31T09:00Z", "2025-12-31T09:00Z", "2026-01-30T09:00Z"}));
}

TEST(ExpressionEventBridge, E6_LastDay) {
  EXPECT_EQ(slots(P("cron(0 0 L * ? *)"), T("2027-12-31T01:00Z"), 3),
            (V{"2028-01-31T00:00Z", "2028-02-29T00:00Z", "2028-03-31T00:00Z"}));
}

TEST(ExpressionEventBridge, E7_LastDayOfFebruary) {
  EXPECT_EQ(slots(P("cron(0 0 L 2 ? *)"), T("2025-01-01T00:00Z"), 3),
            (V{"2025-02-28T00:00Z", "2026-02-28T00:00Z", "2027-02-28T00:00Z"}));
}

TEST(ExpressionEventBridge, E8_SecondTuesday) {
  EXPECT_EQ(slots(P("cron(0 10 ? * 3#2 *)"), T("2026-01-01T00:00Z"), 2),
            (V{"2026-01-13T10:00Z", "2026-02-10T10:00Z"}));
}

TEST(ExpressionEventBridge, E9_FifthMonday) {
  EXPECT_EQ(slots(P("cron(0 10 ? * 2#5 *)"), T("2025-01-01T00:00Z"), 4),
            (V{"2025-03-31T10:00Z", "2025-06-30T10:00Z", "2025-09-29T10:00Z", "2025-12-29T10:00Z"}));
}

TEST(ExpressionEventBridge, E10_WrappingHoursWeekdays) {
  auto e = P("cron(0/30 20-2 ? * MON-FRI *)");
  EXPECT_EQ(slots(e, T("2025-06-06T19:00Z"), 15),
            (V{"2025-06-06T20:00Z", "2025-06-06T20:30Z", "2025-06-06T21:00Z", "2025-06-06T21:30Z",
               "2025-06-06T22:00Z", "2025-06-06T22:30Z", "2025-06-06T23:00Z", "2025-06-06T23:30Z",
               "2025-06-09T00:00Z", "2025-06-09T00:30Z", "2025-06-09T01:00Z", "2025-06-09T01:30Z",
               "2025-06-09T02:00Z", "2025-06-09T02:30Z", "2025-06-09T20:00Z"}));
}

TEST(ExpressionEventBridge, E11_LIsSaturday) {
  EXPECT_EQ(slots(P("cron(0 8 ? * L *)"), T("2025-06-01T00:00Z"), 2), (V{"2025-06-07T08:00Z", "2025-06-14T08:00Z"}));
}

TEST(ExpressionEventBridge, E12_OneIsSunday) {
  EXPECT_EQ(slots(P("cron(0 9 ? * 1 *)"), T("2025-06-01T00:00Z"), 2), (V{"2025-06-01T09:00Z", "2025-06-08T09:00Z"}));
}

TEST(ExpressionEventBridge, E13_WrappingDays) {
  EXPECT_EQ(slots(P("cron(0 9 ? * FRI-MON *)"), T("2025-06-04T00:00Z"), 5),
            (V{"2025-06-06T09:00Z", "2025-06-07T09:00Z", "2025-06-08T09:00Z", "2025-06-09T09:00Z",
               "2025-06-13T09:00Z"}));
}

TEST(ExpressionEventBridge, E14_OffsetStep) {
  EXPECT_EQ(slots(P("cron(1/10 9 * * ? *)"), T("2025-06-04T00:00Z"), 7),
            (V{"2025-06-04T09:01Z", "2025-06-04T09:11Z", "2025-06-04T09:21Z", "2025-06-04T09:31Z",
               "2025-06-04T09:41Z", "2025-06-04T09:51Z", "2025-06-05T09:01Z"}));
}

TEST(ExpressionEventBridge, E15_Feb29) {
  EXPECT_EQ(slots(P("cron(0 0 29 2 ? *)"), T("2025-01-01T00:00Z"), 2), (V{"2028-02-29T00:00Z", "2032-02-29T00:00Z"}));
}

TEST(ExpressionEventBridge, E16_SingleYear) {
  EXPECT_EQ(slots(P("cron(0 0 1 1 ? 2030)"), T("2025-01-01T00:00Z"), 2), (V{"2030-01-01T00:00Z", "none"}));
}

TEST(ExpressionEventBridge, BareStandardCronInSchedule) {
  EXPECT_EQ(slots(P("0 6 * * *", "UTC", Dialect::EventBridge), T("2025-06-04T07:00Z"), 1), (V{"2025-06-05T06:00Z"}));
}

// ---- §9.3 DST ----

TEST(ExpressionDst, Z1_NewYorkGapFixedTime) {
  auto e = P("30 2 * * *", "America/New_York", Dialect::Kubernetes);
  EXPECT_TRUE(e.fixed_time());
  EXPECT_EQ(slots(e, T("2025-03-08T12:00Z"), 3), (V{"2025-03-09T07:00Z", "2025-03-10T06:30Z", "2025-03-11T06:30Z"}));
}

TEST(ExpressionDst, Z2_NewYorkOverlapFixedTime) {
  EXPECT_EQ(slots(P("30 1 * * *", "America/New_York", Dialect::Kubernetes), T("2025-11-01T12:00Z"), 2),
            (V{"2025-11-02T05:30Z", "2025-11-03T06:30Z"}));
}

TEST(ExpressionDst, Z3_NewYorkHourlyGap) {
  auto e = P("0 * * * *", "America/New_York", Dialect::Kubernetes);
  EXPECT_FALSE(e.fixed_time());
  EXPECT_EQ(slots(e, T("2025-03-09T04:30Z"), 4),
            (V{"2025-03-09T05:00Z", "2025-03-09T06:00Z", "2025-03-09T07:00Z", "2025-03-09T08:00Z"}));
}

TEST(ExpressionDst, Z4_NewYorkHourlyOverlap) {
  EXPECT_EQ(slots(P("0 * * * *", "America/New_York", Dialect::Kubernetes), T("2025-11-02T04:30Z"), 4),
            (V{"2025-11-02T05:00Z", "2025-11-02T06:00Z", "2025-11-02T07:00Z", "2025-11-02T08:00Z"}));
}

TEST(ExpressionDst, Z5_NewYorkStepInRepeatedHour) {
  EXPECT_EQ(slots(P("*/15 1 * * *", "America/New_York", Dialect::Kubernetes), T("2025-11-02T04:30Z"), 9),
            (V{"2025-11-02T05:00Z", "2025-11-02T05:15Z", "2025-11-02T05:30Z", "2025-11-02T05:45Z",
               "2025-11-02T06:00Z", "2025-11-02T06:15Z", "2025-11-02T06:30Z", "2025-11-02T06:45Z",
               "2025-11-03T06:00Z"}));
}

TEST(ExpressionDst, Z6_BerlinOverlap) {
  EXPECT_EQ(slots(P("0 2 * * *", "Europe/Berlin", Dialect::Kubernetes), T("2025-10-25T12:00Z"), 2),
            (V{"2025-10-26T00:00Z", "2025-10-27T01:00Z"}));
}

TEST(ExpressionDst, Z7_BerlinGap) {
  EXPECT_EQ(slots(P("30 2 * * *", "Europe/Berlin", Dialect::Kubernetes), T("2025-03-29T12:00Z"), 2),
            (V{"2025-03-30T01:00Z", "2025-03-31T00:30Z"}));
}

TEST(ExpressionDst, Z8_BerlinTwoTimesInGapOneRun) {
  EXPECT_EQ(slots(P("0,30 2 * * *", "Europe/Berlin", Dialect::Kubernetes), T("2025-03-29T12:00Z"), 3),
            (V{"2025-03-30T01:00Z", "2025-03-31T00:00Z", "2025-03-31T00:30Z"}));
}

TEST(ExpressionDst, Z9_SantiagoMidnightGap) {
  EXPECT_EQ(slots(P("0 0 * * *", "America/Santiago", Dialect::Kubernetes), T("2025-09-05T12:00Z"), 3),
            (V{"2025-09-06T04:00Z", "2025-09-07T04:00Z", "2025-09-08T03:00Z"}));
}

TEST(ExpressionDst, Z10_LordHoweHalfHourGap) {
  EXPECT_EQ(slots(P("15 2 * * *", "Australia/Lord_Howe", Dialect::Kubernetes), T("2025-10-03T12:00Z"), 3),
            (V{"2025-10-03T15:45Z", "2025-10-04T15:30Z", "2025-10-05T15:15Z"}));
}

TEST(ExpressionDst, Z11_LondonGap) {
  EXPECT_EQ(slots(P("30 1 * * *", "Europe/London", Dialect::Kubernetes), T("2025-03-29T12:00Z"), 2),
            (V{"2025-03-30T01:00Z", "2025-03-31T00:30Z"}));
}

TEST(ExpressionDst, LondonOverlap) {
  EXPECT_EQ(slots(P("30 1 * * *", "Europe/London", Dialect::Kubernetes), T("2025-10-25T12:00Z"), 3),
            (V{"2025-10-26T00:30Z", "2025-10-27T01:30Z", "2025-10-28T01:30Z"}));
}

TEST(ExpressionDst, SydneyGapAndOverlap) {
  auto e = P("30 2 * * *", "Australia/Sydney", Dialect::Kubernetes);
  // DST ends 6 Apr 2025 (03:00 AEDT → 02:00 AEST): 02:30 once, at the first (AEDT) occurrence.
  EXPECT_EQ(slots(e, T("2025-04-04T00:00Z"), 3), (V{"2025-04-04T15:30Z", "2025-04-05T15:30Z", "2025-04-06T16:30Z"}));
  // DST starts 5 Oct 2025 (02:00 AEST → 03:00 AEDT): 02:30 runs at the transition, 03:00 AEDT.
  EXPECT_EQ(slots(e, T("2025-10-03T00:00Z"), 3), (V{"2025-10-03T16:30Z", "2025-10-04T16:00Z", "2025-10-05T15:30Z"}));
}

TEST(ExpressionDst, Z12_EventBridgeCronGap) {
  EXPECT_EQ(slots(P("cron(30 2 * * ? *)", "America/New_York"), T("2025-03-08T12:00Z"), 2),
            (V{"2025-03-09T07:00Z", "2025-03-10T06:30Z"}));
}

TEST(ExpressionDst, Z13_RateIsElapsedTime) {
  auto e = P("rate(1 day)", "America/New_York", Dialect::EventBridge, T("2025-03-01T00:00Z")).with_anchor(T("2025-03-08T07:00Z"));
  EXPECT_EQ(iso(*e.initial_slot()), "2025-03-08T07:00Z");
  EXPECT_EQ(slots(e, T("2025-03-08T07:00Z") - 1, 3), (V{"2025-03-08T07:00Z", "2025-03-09T07:00Z", "2025-03-10T07:00Z"}));
}

TEST(ExpressionDst, Z14_AtInGapRejected) {
  auto e = Expression::parse("at(2025-03-09T02:30:00)", Dialect::EventBridge, zone("America/New_York"),
                             T("2025-01-01T00:00Z"));
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("does not exist in America/New_York: clocks jump from 02:00 to 03:00"),
            std::string::npos)
      << e.error().message;
}

TEST(ExpressionDst, Z15_AtInOverlapFirstOccurrence) {
  auto e = P("at(2025-11-02T01:30:00)", "America/New_York");
  EXPECT_EQ(slots(e, T("2025-01-01T00:00Z"), 2), (V{"2025-11-02T05:30Z", "none"}));
  ASSERT_EQ(e.warnings().size(), 1u);
  EXPECT_NE(e.warnings()[0].find("occurs twice"), std::string::npos);
}

TEST(ExpressionDst, Z16_KubernetesPolicy) {
  DstPolicy k8s{DstPolicy::Gap::Skip, DstPolicy::Overlap::Both};
  EXPECT_EQ(slots(P("30 2 * * *", "America/New_York", Dialect::Kubernetes).with_dst_policy(k8s), T("2025-03-08T12:00Z"), 2),
            (V{"2025-03-10T06:30Z", "2025-03-11T06:30Z"}));
  EXPECT_EQ(slots(P("30 1 * * *", "America/New_York", Dialect::Kubernetes).with_dst_policy(k8s), T("2025-11-01T12:00Z"), 3),
            (V{"2025-11-02T05:30Z", "2025-11-02T06:30Z", "2025-11-03T06:30Z"}));
  EXPECT_EQ(slots(P("0 2 * * *", "Europe/Berlin", Dialect::Kubernetes).with_dst_policy(k8s), T("2025-10-25T12:00Z"), 3),
            (V{"2025-10-26T00:00Z", "2025-10-26T01:00Z", "2025-10-27T01:00Z"}));
  EXPECT_EQ(slots(P("0 0 * * *", "America/Santiago", Dialect::Kubernetes).with_dst_policy(k8s), T("2025-09-05T12:00Z"), 2),
            (V{"2025-09-06T04:00Z", "2025-09-08T03:00Z"}));
  // EventBridge Scheduler / systemd: skip the gap, first occurrence only.
  DstPolicy eb{DstPolicy::Gap::Skip, DstPolicy::Overlap::FirstOnly};
  EXPECT_EQ(slots(P("30 1 * * *", "America/New_York", Dialect::Kubernetes).with_dst_policy(eb), T("2025-11-01T12:00Z"), 2),
            (V{"2025-11-02T05:30Z", "2025-11-03T06:30Z"}));
}

// Every fixed time of day fires exactly once per civil day across both transition days.
TEST(ExpressionDst, FixedTimeExactlyOncePerDayOnBothTransitions) {
  struct Case {
    const char* zone;
    const char* around[2];
  };
  const Case cases[] = {
      {"America/New_York", {"2025-03-05T00:00Z", "2025-10-29T00:00Z"}},
      {"Europe/London", {"2025-03-26T00:00Z", "2025-10-22T00:00Z"}},
      {"Europe/Berlin", {"2025-03-26T00:00Z", "2025-10-22T00:00Z"}},
      {"Australia/Sydney", {"2025-04-02T00:00Z", "2025-10-01T00:00Z"}},
      {"Australia/Lord_Howe", {"2025-04-02T00:00Z", "2025-10-01T00:00Z"}},
      {"America/Santiago", {"2025-04-02T00:00Z", "2025-09-03T00:00Z"}},
  };
  for (const auto& c : cases) {
    const auto* tz = date::locate_zone(c.zone);
    for (int hm = 0; hm < 4 * 60; hm += 15) {
      std::string text = std::to_string(hm % 60) + " " + std::to_string(hm / 60) + " * * *";
      auto e = P(text.c_str(), c.zone, Dialect::Kubernetes);
      for (const char* from : c.around) {
        int64_t t = T(from);
        int64_t prev_day = -1;
        for (int i = 0; i < 10; ++i) {
          auto s = e.next_after(t);
          ASSERT_TRUE(s);
          auto local = tz->to_local(date::sys_seconds{std::chrono::seconds{*s / 1000}});
          int64_t day = date::floor<date::days>(local).time_since_epoch().count();
          if (prev_day >= 0) EXPECT_EQ(day, prev_day + 1) << c.zone << " '" << text << "' at " << iso(*s);
          prev_day = day;
          t = *s;
        }
      }
    }
  }
}

// latest_at_or_before mirrors next_after, including across DST days and year fields.
TEST(ExpressionMirror, LatestAtOrBefore) {
  const std::pair<const char*, const char*> exprs[] = {
      {"0 * * * *", "America/New_York"},      {"*/15 1 * * *", "America/New_York"},
      {"30 2 * * *", "America/New_York"},     {"0,30 2 * * *", "Europe/Berlin"},
      {"0 0 * * *", "America/Santiago"},      {"15 2 * * *", "Australia/Lord_Howe"},
      {"cron(0 9 15W * ? *)", "UTC"},         {"cron(15 10 ? * 6L 2019-2030)", "UTC"},
      {"0 0 29 2 *", "UTC"},                  {"30 1 * * *", "Australia/Sydney"},
  };
  for (const auto& [text, zn] : exprs) {
    auto e = P(text, zn, Dialect::EventBridge, T("2019-01-01T00:00Z"));
    int64_t t = T("2025-02-20T00:00Z");
    auto prev = e.latest_at_or_before(t);
    for (int i = 0; i < 40; ++i) {
      auto s = e.next_after(t);
      ASSERT_TRUE(s) << text;
      EXPECT_EQ(e.latest_at_or_before(*s), s) << text << " " << iso(*s);
      EXPECT_EQ(e.latest_at_or_before(*s - 1), prev) << text << " before " << iso(*s);
      prev = s;
      t = *s;
    }
  }
  auto e16 = P("cron(0 0 1 1 ? 2030)");
  EXPECT_EQ(e16.latest_at_or_before(T("2029-12-31T00:00Z")), std::nullopt);
  EXPECT_EQ(iso(*e16.latest_at_or_before(T("2031-06-01T00:00Z"))), "2030-01-01T00:00Z");
}

// ---- §9.4 rate() / at() ----

TEST(ExpressionRate, R1_FiresAtCreation) {
  auto e = P("rate(5 minutes)", "UTC", Dialect::EventBridge, T("2025-06-04T10:03:27Z"));
  EXPECT_EQ(iso(*e.initial_slot()), "2025-06-04T10:03Z");
  EXPECT_EQ(slots(e, *e.initial_slot(), 2), (V{"2025-06-04T10:08Z", "2025-06-04T10:13Z"}));
  EXPECT_EQ(iso(*e.next_after(T("2025-06-04T10:03:27Z"))), "2025-06-04T10:08Z");
  EXPECT_EQ(iso(*e.latest_at_or_before(T("2025-06-04T10:12:59Z"))), "2025-06-04T10:08Z");
  EXPECT_EQ(e.describe(), "every 5 minutes");
}

TEST(ExpressionRate, R2_StartDate) {
  auto e = P("rate(1 hour)", "UTC", Dialect::EventBridge, T("2025-06-04T10:03Z")).with_anchor(T("2025-06-04T12:00Z"));
  EXPECT_EQ(iso(*e.initial_slot()), "2025-06-04T12:00Z");
  EXPECT_EQ(slots(e, T("2025-06-04T10:03Z"), 2), (V{"2025-06-04T12:00Z", "2025-06-04T13:00Z"}));
  EXPECT_EQ(e.latest_at_or_before(T("2025-06-04T11:59Z")), std::nullopt);
  EXPECT_EQ(e.describe(), "every hour");
}

TEST(ExpressionAt, A1_BerlinOnce) {
  auto e = P("at(2025-12-24T18:00:00)", "Europe/Berlin");
  EXPECT_EQ(slots(e, T("2025-06-01T00:00Z"), 2), (V{"2025-12-24T17:00Z", "none"}));
  EXPECT_EQ(iso(*e.initial_slot()), "2025-12-24T17:00Z");
  EXPECT_EQ(e.describe(), "once at 2025-12-24T18:00:00 (Europe/Berlin)");
}

TEST(ExpressionAt, A2_PastOnlyWhenAllowed) {
  auto no = Expression::parse("at(2024-01-01T00:00:00)", Dialect::EventBridge, zone("UTC"), T("2025-03-01T00:00Z"));
  ASSERT_FALSE(no.ok());
  EXPECT_NE(no.error().message.find("past"), std::string::npos);
  auto yes = P("at(2024-01-01T00:00:00)", "UTC", Dialect::EventBridge, T("2025-03-01T00:00Z"), true);
  EXPECT_EQ(iso(*yes.initial_slot()), "2024-01-01T00:00Z");
  EXPECT_EQ(yes.next_after(T("2025-03-01T00:00Z")), std::nullopt);
  ASSERT_EQ(yes.warnings().size(), 1u);
  EXPECT_NE(yes.warnings()[0].find("past"), std::string::npos);
}

TEST(ExpressionDescribe, Cron) {
  EXPECT_EQ(P("0 6 * * *").describe(), "at 06:00 every day (UTC)");
  EXPECT_EQ(P("cron(0 6 * * ? *)", "Europe/Berlin").describe(), "at 06:00 every day (Europe/Berlin)");
  EXPECT_EQ(P("@hourly").describe(), "every hour every day (UTC)");
  EXPECT_EQ(P("@every 1h30m").describe(), "every 1h30m of elapsed time");
  EXPECT_FALSE(P("0 9 * * MON-FRI").describe().empty());
}

// No timing assertion: 10,000 chained calls must simply finish (day-by-day search).
TEST(ExpressionPerf, TenThousandCalls) {
  const std::pair<const char*, const char*> exprs[] = {
      {"*/5 * * * *", "America/New_York"}, {"0 0 29 2 *", "UTC"},   {"cron(0 10 ? * 2#5 *)", "Europe/Berlin"},
      {"30 2 * * *", "Australia/Sydney"},  {"cron(0 9 31W * ? *)", "UTC"},
  };
  for (const auto& [text, zn] : exprs) {
    auto e = P(text, zn);
    int64_t t = T("2025-01-01T00:00Z");
    int n = 0;
    for (int i = 0; i < 2000; ++i) {
      auto s = e.next_after(t);
      if (!s) break;
      t = *s;
      ++n;
    }
    EXPECT_GT(n, 0) << text;
  }
}

}  // namespace
}  // namespace ebb::sched
