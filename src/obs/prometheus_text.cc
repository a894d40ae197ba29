#include "obs/prometheus_text.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace ebb::obs {
namespace {

// Shortest of %.15g / %.17g that reads back as the same double.
void shortest(char* buf, size_t n, double v) {
  std::snprintf(buf, n, "%.15g", v);
  if (std::strtod(buf, nullptr) != v) std::snprintf(buf, n, "%.17g", v);
}

void append_value(std::string& out, double value) {
  char buf[64];
  if (std::isnan(value)) std::snprintf(buf, sizeof buf, " NaN\n");
  else if (std::isinf(value)) std::snprintf(buf, sizeof buf, value > 0 ? " +Inf\n" : " -Inf\n");
  else if (value == std::floor(value) && std::fabs(value) < 1e15) std::snprintf(buf, sizeof buf, " %.0f\n", value);
  else {
    buf[0] = ' ';
    shortest(buf + 1, sizeof buf - 2, value);
    std::strcat(buf, "\n");
  }
  out += buf;
}

void append_labels(std::string& out, std::span<const Label> labels) {
  if (labels.empty()) return;
  out += '{';
  bool first = true;
  for (auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out.append(k).append("=\"").append(escape_label(v)).append("\"");
  }
  out += '}';
}

void append_le(char* buf, size_t n, double le) { shortest(buf, n, le); }

}  // namespace

std::string escape_label(std::string_view v) {
  std::string o;
  o.reserve(v.size());
  for (char c : v) {
    if (c == '\\') o += "\\\\";
    else if (c == '"') o += "\\\"";
    else if (c == '\n') o += "\\n";
    else o += c;
  }
  return o;
}

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void sample(std::string& out, std::string_view name, std::span<const Label> labels, double value) {
  out.append(name);
  append_labels(out, labels);
  append_value(out, value);
}

void histogram(std::string& out, std::string_view name, std::span<const Label> labels, const Histogram& h) {
  const Histogram::Snapshot s = h.snapshot();
  std::vector<Label> with_le(labels.begin(), labels.end());
  with_le.emplace_back("le", "");
  const std::string bucket = std::string(name) + "_bucket";
  char le[40];
  for (size_t i = 0; i < s.bounds.size(); ++i) {
    append_le(le, sizeof le, s.bounds[i]);
    with_le.back().second = le;
    sample(out, bucket, with_le, double(s.cumulative[i]));
  }
  with_le.back().second = "+Inf";
  sample(out, bucket, with_le, double(s.count));
  sample(out, std::string(name) + "_sum", labels, s.sum);
  sample(out, std::string(name) + "_count", labels, double(s.count));
}

void histogram(std::string& out, std::string_view name, std::span<const Label> labels, std::span<const double> bounds,
               std::span<const uint64_t> counts, double sum) {
  std::vector<Label> with_le(labels.begin(), labels.end());
  with_le.emplace_back("le", "");
  const std::string bucket = std::string(name) + "_bucket";
  char le[40];
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds.size(); ++i) {
    cumulative += i < counts.size() ? counts[i] : 0;
    append_le(le, sizeof le, bounds[i]);
    with_le.back().second = le;
    sample(out, bucket, with_le, double(cumulative));
  }
  for (size_t i = bounds.size(); i < counts.size(); ++i) cumulative += counts[i];
  with_le.back().second = "+Inf";
  sample(out, bucket, with_le, double(cumulative));
  sample(out, std::string(name) + "_sum", labels, sum);
  sample(out, std::string(name) + "_count", labels, double(cumulative));
}

}  // namespace ebb::obs
