#include "obs/histogram.h"

#include <algorithm>
#include <stdexcept>

namespace ebb::obs {

Histogram::Histogram(std::span<const double> bounds) {
  if (bounds.size() > kMaxBuckets) throw std::invalid_argument("histogram: too many buckets");
  if (!std::is_sorted(bounds.begin(), bounds.end()))
    throw std::invalid_argument("histogram: bounds must increase");
  n_ = bounds.size();
  std::copy(bounds.begin(), bounds.end(), bounds_.begin());
}

Histogram::Histogram(const Histogram& o) : bounds_(o.bounds_), n_(o.n_) {
  for (size_t i = 0; i <= kMaxBuckets; ++i) counts_[i].store(o.counts_[i].load(std::memory_order_relaxed));
  sum_.store(o.sum_.load(std::memory_order_relaxed));
}

void Histogram::observe(double v) {
  // A linear scan over at most 16 doubles beats a branchy binary search here.
  size_t i = 0;
  while (i < n_ && v > bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.bounds = bounds();
  uint64_t acc = 0;
  for (size_t i = 0; i <= n_; ++i) {
    acc += counts_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = acc;
  }
  s.count = acc;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace ebb::obs
