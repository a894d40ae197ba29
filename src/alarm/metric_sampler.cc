#include "alarm/metric_sampler.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace ebb::alarm {
namespace {

bool name_char(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == ':';
}

// `{a="x",b="y\"z"}` starting at s[i] == '{'; i ends after '}'. False on bad syntax.
bool parse_labels(std::string_view s, size_t& i, Labels& out) {
  ++i;
  while (true) {
    while (i < s.size() && (s[i] == ' ' || s[i] == ',')) ++i;
    if (i >= s.size()) return false;
    if (s[i] == '}') {
      ++i;
      return true;
    }
    size_t k = i;
    while (i < s.size() && name_char(s[i])) ++i;
    std::string key(s.substr(k, i - k));
    if (key.empty() || i >= s.size() || s[i] != '=') return false;
    ++i;
    if (i >= s.size() || s[i] != '"') return false;
    ++i;
    std::string value;
    while (i < s.size() && s[i] != '"') {
      if (s[i] == '\\' && i + 1 < s.size()) {
        ++i;
        value += s[i] == 'n' ? '\n' : s[i];
      } else {
        value += s[i];
      }
      ++i;
    }
    if (i >= s.size()) return false;
    ++i;
    out.emplace_back(std::move(key), std::move(value));
  }
}

double parse_value(std::string_view v, bool& ok) {
  ok = true;
  if (v == "+Inf") return INFINITY;
  if (v == "-Inf") return -INFINITY;
  std::string t(v);
  char* end = nullptr;
  double d = std::strtod(t.c_str(), &end);
  ok = end && end != t.c_str() && *end == '\0' && !std::isnan(d);
  return d;
}

}  // namespace

std::map<std::string, std::vector<Sample>> parse_samples(std::string_view text, const std::set<std::string>& names) {
  std::map<std::string, std::vector<Sample>> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty() || line[0] == '#') continue;
    size_t i = 0;
    while (i < line.size() && name_char(line[i])) ++i;
    std::string name(line.substr(0, i));
    if (!names.count(name)) continue;
    Sample s;
    if (i < line.size() && line[i] == '{' && !parse_labels(line, i, s.labels)) continue;
    while (i < line.size() && line[i] == ' ') ++i;
    size_t e = line.find(' ', i);  // a timestamp may follow
    bool ok = false;
    s.value = parse_value(line.substr(i, e == std::string_view::npos ? std::string_view::npos : e - i), ok);
    if (!ok) continue;
    std::sort(s.labels.begin(), s.labels.end());
    out[name].push_back(std::move(s));
  }
  return out;
}

bool matches(const Labels& have, const Labels& want) {
  for (auto& w : want) {
    auto it = std::lower_bound(have.begin(), have.end(), w.first,
                               [](const std::pair<std::string, std::string>& p, const std::string& k) { return p.first < k; });
    if (it == have.end() || it->first != w.first || it->second != w.second) return false;
  }
  return true;
}

Observation ConditionSampler::observe(const std::map<std::string, std::vector<Sample>>& samples) {
  Observation o;
  const bool counter = is_counter_statistic(c_.statistic);
  std::map<Labels, double> seen;
  if (auto it = samples.find(c_.metric); it != samples.end()) {
    for (const Sample& s : it->second) {
      if (!matches(s.labels, c_.labels)) continue;
      o.present = true;
      if (!counter) {
        o.value += s.value;
        continue;
      }
      seen[s.labels] = s.value;
      auto prev = last_.find(s.labels);
      if (prev != last_.end()) o.value += s.value >= prev->second ? s.value - prev->second : s.value;
      else if (primed_) o.value += s.value;  // appeared since the previous sample: counted from 0
    }
  }
  if (counter) last_ = std::move(seen);
  primed_ = true;
  return o;
}

}  // namespace ebb::alarm
