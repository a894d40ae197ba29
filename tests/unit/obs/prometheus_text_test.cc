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

TEST(PrometheusText, HistogramFromPlainCountsIsCumulative) {
  const double bounds[] = {256, 1024};
  const uint64_t counts[] = {2, 0, 3};  // per bucket; the last is above every bound
  const Label labels[] = {{"queue", "q"}};
  std::string out;
  histogram(out, "s_bytes", labels, bounds, counts, 9000);
  EXPECT_EQ(out,
            "s_bytes_bucket{queue=\"q\",le=\"256\"} 2\n"
            "s_bytes_bucket{queue=\"q\",le=\"1024\"} 2\n"
            "s_bytes_bucket{queue=\"q\",le=\"+Inf\"} 5\n"
            "s_bytes_sum{queue=\"q\"} 9000\n"
            "s_bytes_count{queue=\"q\"} 5\n");
}

TEST(Histogram, RejectsUnsortedOrTooManyBounds) {
  EXPECT_THROW((Histogram{2, 1}), std::invalid_argument);
  std::vector<double> many(17);
  for (size_t i = 0; i < many.size(); ++i) many[i] = double(i);
  EXPECT_THROW(Histogram(std::span<const double>(many)), std::invalid_argument);
}

}  // namespace
}  // namespace ebb::obs

#include <zlib.h>

#include "obs/gzip.h"

namespace ebb::obs {
namespace {

TEST(Gzip, RoundTripsThroughZlib) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "ebb_queue_messages_visible{queue=\"q" + std::to_string(i) + "\"} 0\n";
  auto z = gzip_compress(text);
  ASSERT_TRUE(z);
  EXPECT_LT(z->size(), text.size() / 4);
  EXPECT_EQ(static_cast<unsigned char>((*z)[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>((*z)[1]), 0x8b);
  z_stream s{};
  ASSERT_EQ(inflateInit2(&s, 15 + 16), Z_OK);
  std::string back(text.size() + 16, '\0');
  s.next_in = reinterpret_cast<Bytef*>(z->data());
  s.avail_in = static_cast<uInt>(z->size());
  s.next_out = reinterpret_cast<Bytef*>(back.data());
  s.avail_out = static_cast<uInt>(back.size());
  EXPECT_EQ(inflate(&s, Z_FINISH), Z_STREAM_END);
  back.resize(s.total_out);
  inflateEnd(&s);
  EXPECT_EQ(back, text);
}

TEST(Gzip, AcceptEncoding) {
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("deflate, GZIP;q=0.5"));
  EXPECT_TRUE(accepts_gzip("identity, *"));
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip; q=0.000"));
  EXPECT_FALSE(accepts_gzip("gzipx"));
}

}  // namespace
}  // namespace ebb::obs
