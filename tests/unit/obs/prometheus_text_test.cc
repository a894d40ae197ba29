#include "obs/prometheus_text.h"

#include <gtest/gtest.h>

#include "obs/histogram.h"

namespace ebb::obs {
namespace {

TEST(PrometheusText, EscapesLabelValues) {
  std::string out;
  sample(out, "m", {{"q", "a\\b\"c\nd"}}, 1);
  EXPECT_EQ(out, "m{q=\"a\\\\b\\\"c\\nd\"} 1\n");
}

TEST(PrometheusText, HistogramIsCumulativeWithInfEqualToCount) {
  Histogram h{0.1, 1, 10};
  for (double v : {0.05, 0.1, 0.5, 2.0, 50.0}) h.observe(v);
  std::string out;
  histogram(out, "x_seconds", {{"k", "v"}}, h);
  EXPECT_EQ(out,
            "x_seconds_bucket{k=\"v\",le=\"0.1\"} 2\n"
            "x_seconds_bucket{k=\"v\",le=\"1\"} 3\n"
            "x_seconds_bucket{k=\"v\",le=\"10\"} 4\n"
            "x_seconds_bucket{k=\"v\",le=\"+Inf\"} 5\n"
            "x_seconds_sum{k=\"v\"} 52.65\n"
            "x_seconds_count{k=\"v\"} 5\n");
}

TEST(Histogram, RejectsUnsortedOrTooManyBounds) {
  EXPECT_THROW((Histogram{2, 1}), std::invalid_argument);
  std::vector<double> many(17);
  for (size_t i = 0; i < many.size(); ++i) many[i] = double(i);
  EXPECT_THROW(Histogram(std::span<const double>(many)), std::invalid_argument);
}

}  // namespace
}  // namespace ebb::obs
