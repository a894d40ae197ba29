// The cost model against the seed article's worked numbers (issue 5 §5).
#include "obs/cost_model.h"

#include <gtest/gtest.h>

namespace ebb::obs {
namespace {

constexpr int64_t kGiB = 1LL << 30;

TEST(CostModel, SeedTaskHourHalfVcpuOneGb) {
  PriceTable p;  // default: Fargate Linux/x86 us-east-1 as the seed quotes it
  EXPECT_DOUBLE_EQ(p.vcpu_hour, 0.04048);
  EXPECT_DOUBLE_EQ(p.gb_hour, 0.004445);
  // (0.5 vCPU × $0.04048) + (1 GB × $0.004445) = $0.024685/hour
  EXPECT_NEAR(hourly_price(p, fargate_size(500, kGiB)), 0.024685, 1e-12);
  EXPECT_NEAR(task_cost(p, fargate_size(500, kGiB), 3600), 0.024685, 1e-12);
}

TEST(CostModel, SeedFourMinuteDailyRun) {
  PriceTable p;
  const double run = task_cost(p, fargate_size(500, kGiB), 4 * 60);
  EXPECT_NEAR(run, 0.0016457, 1e-7);       // seed: "Cost per run = $0.0017"
  EXPECT_NEAR(run, 0.0017, 0.00006);
  EXPECT_NEAR(30 * run, 0.0494, 0.0001);   // seed: "$0.051" (= 30 × the rounded $0.0017)
}

TEST(CostModel, SeedImageProcessingMonth) {
  PriceTable p;
  const double hour = hourly_price(p, fargate_size(500, kGiB));
  // "Daily cost: 333 hours × $0.024685 = $8.22", "Monthly cost: $8.22 × 30 = $246.60"
  EXPECT_NEAR(333 * hour, 8.22, 0.005);
  // "Peak: 8 hours × 6 tasks × $0.024685 = $1.18", "Off-peak: 16 hours × 1.5 tasks × $0.024685 = $0.59"
  EXPECT_NEAR(8 * 6 * hour, 1.18, 0.005);
  EXPECT_NEAR(16 * 1.5 * hour, 0.59, 0.005);
}

TEST(CostModel, SeedAlwaysOnSmallInstance) {
  PriceTable p;  // t3.small: the seed's "$15/month" always-on cron box
  EXPECT_NEAR(always_on_cost(p, 1, 730 * 3600.0), 15.18, 0.01);
  EXPECT_NEAR(always_on_cost(p, 3, 3600), 3 * 0.0208, 1e-12);
  EXPECT_EQ(always_on_cost(p, 0, 3600), 0);
}

TEST(CostModel, PerSecondBillingWithOneMinuteMinimum) {
  PriceTable p;
  EXPECT_EQ(billed_seconds(p, 0), 0);        // never ran: nothing billed
  EXPECT_EQ(billed_seconds(p, 0.2), 60);
  EXPECT_EQ(billed_seconds(p, 59.9), 60);
  EXPECT_EQ(billed_seconds(p, 60.0), 60);
  EXPECT_EQ(billed_seconds(p, 60.001), 61);  // per second, rounded up
  EXPECT_EQ(billed_seconds(p, 3600), 3600);
  EXPECT_NEAR(task_cost(p, fargate_size(500, kGiB), 10), 0.024685 / 60, 1e-12);
}

TEST(CostModel, FargateSizesRoundUp) {
  auto eq = [](TaskSize s, double v, double g) {
    EXPECT_DOUBLE_EQ(s.vcpu, v);
    EXPECT_DOUBLE_EQ(s.gb, g);
  };
  eq(fargate_size(0, 0), 0.25, 0.5);              // nothing asked: the smallest task
  eq(fargate_size(100, 128LL << 20), 0.25, 0.5);
  eq(fargate_size(250, 700LL << 20), 0.25, 1);
  eq(fargate_size(250, 3 * kGiB), 0.5, 3);        // 0.25 vCPU stops at 2 GB
  eq(fargate_size(500, 0), 0.5, 1);
  eq(fargate_size(500, kGiB), 0.5, 1);
  eq(fargate_size(600, kGiB), 1, 2);
  eq(fargate_size(1000, 5 * kGiB + 1), 1, 6);
  eq(fargate_size(8000, 17 * kGiB), 8, 20);       // 4 GB steps
  eq(fargate_size(16000, 33 * kGiB), 16, 40);     // 8 GB steps
  eq(fargate_size(32000, 64 * kGiB), 32, 64);     // beyond Fargate: as asked
}

TEST(CostModel, Presets) {
  auto arm = price_preset("fargate-linux-arm");
  ASSERT_TRUE(arm.ok());
  EXPECT_DOUBLE_EQ(arm->vcpu_hour, 0.03238);
  auto spot = price_preset("fargate-spot-linux-x86");
  ASSERT_TRUE(spot.ok());
  EXPECT_NEAR(spot->vcpu_hour, 0.04048 * 0.3, 1e-12);
  auto bad = price_preset("lambda");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("fargate-linux-x86"), std::string::npos);
}

TEST(CostModel, ParseSince) {
  EXPECT_EQ(*parse_since("30d"), 30 * 86'400'000LL);
  EXPECT_EQ(*parse_since("12h"), 12 * 3'600'000LL);
  EXPECT_EQ(*parse_since("90m"), 90 * 60'000LL);
  EXPECT_EQ(*parse_since("1s"), 1000);
  EXPECT_EQ(*parse_since("2w"), 14 * 86'400'000LL);
  for (const char* bad : {"", "d", "30", "30x", "-1d", "0d", "1.5h", "401d", "99999999999d", "30 d"})
    EXPECT_FALSE(parse_since(bad).ok()) << bad;
}

}  // namespace
}  // namespace ebb::obs
