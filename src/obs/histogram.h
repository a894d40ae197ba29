// Histogram: fixed buckets, lock-free observe() for hot paths (HTTP latency, store
// commits). Bucket bounds are set at construction and never change; counts are
// per-bucket (non-cumulative) atomics, made cumulative when rendered, so `le="+Inf"`
// always equals `_count` even while other threads observe.
#pragma once
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>

namespace ebb::obs {

class Histogram {
 public:
  static constexpr size_t kMaxBuckets = 16;
  // Upper bounds in increasing order (at most kMaxBuckets; +Inf is implicit).
  explicit Histogram(std::span<const double> bounds);
  Histogram(std::initializer_list<double> bounds) : Histogram(std::span<const double>(bounds.begin(), bounds.size())) {}
  Histogram(const Histogram& o);
  Histogram& operator=(const Histogram&) = delete;

  void observe(double v);

  struct Snapshot {
    std::span<const double> bounds;
    std::array<uint64_t, kMaxBuckets + 1> cumulative{};  // [i] = observations <= bounds[i]; [n] = count
    uint64_t count = 0;
    double sum = 0;
  };
  Snapshot snapshot() const;
  std::span<const double> bounds() const { return {bounds_.data(), n_}; }

 private:
  std::array<double, kMaxBuckets> bounds_{};
  size_t n_ = 0;
  std::array<std::atomic<uint64_t>, kMaxBuckets + 1> counts_{};  // last = above every bound
  std::atomic<double> sum_{0};
};

// Bucket sets used by ebb's families (seconds).
inline constexpr double kLatencyBuckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                             0.1,    0.25,  0.5,    1,     2.5,  5,     10};
inline constexpr double kLatenessBuckets[] = {0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900};  // ecosystem.md §3.3
inline constexpr double kTaskDurationBuckets[] = {1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400};
inline constexpr double kStartLatencyBuckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

}  // namespace ebb::obs
