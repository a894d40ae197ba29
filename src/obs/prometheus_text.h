// Helpers for the Prometheus text exposition format 0.0.4 (ecosystem.md §3.3): HELP
// and TYPE once per family, label values escaped, histograms cumulative with
// le="+Inf" equal to _count, no timestamps.
#pragma once
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "obs/histogram.h"

namespace ebb::obs {

using Label = std::pair<std::string_view, std::string_view>;

// Label values escape backslash, double quote and newline.
std::string escape_label(std::string_view v);
void family(std::string& out, std::string_view name, std::string_view type, std::string_view help);
void sample(std::string& out, std::string_view name, std::span<const Label> labels, double value);
inline void sample(std::string& out, std::string_view name, std::initializer_list<Label> labels, double value) {
  sample(out, name, std::span<const Label>(labels.begin(), labels.size()), value);
}
// The _bucket, _sum and _count samples of one histogram series (the family line is
// written by the caller, once).
void histogram(std::string& out, std::string_view name, std::span<const Label> labels, const Histogram& h);
inline void histogram(std::string& out, std::string_view name, std::initializer_list<Label> labels,
                      const Histogram& h) {
  histogram(out, name, std::span<const Label>(labels.begin(), labels.size()), h);
}

// The same from plain per-bucket counts (not cumulative; counts[bounds.size()] holds
// the observations above every bound), for values counted under another lock.
void histogram(std::string& out, std::string_view name, std::span<const Label> labels, std::span<const double> bounds,
               std::span<const uint64_t> counts, double sum);

}  // namespace ebb::obs
