#include "obs/series.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ebb::obs {

namespace {
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

bool same(float a, float b) { return a == b || (std::isnan(a) && std::isnan(b)); }

bool labels_include(const Labels& have, const Labels& want) {
  for (auto& [k, v] : want) {
    auto it = have.find(k);
    if (it == have.end() || it->second != v) return false;
  }
  return true;
}
}  // namespace

SeriesRing::SeriesRing(int64_t resolution_s, int chunks) : res_(resolution_s), chunks_(static_cast<size_t>(chunks)) {}

void SeriesRing::write(int64_t t_s, float v) {
  int64_t slot = floor_div(t_s, res_);
  int64_t id = floor_div(slot, kChunkSlots);
  int pos = static_cast<int>(slot - id * kChunkSlots);
  Chunk& c = chunks_[static_cast<size_t>(id % static_cast<int64_t>(chunks_.size()))];
  if (c.id > id) return;  // older than what the ring holds now
  if (c.id != id) {       // the chunk falls out of the window: reuse it
    c.id = id;
    c.written = 0;
    c.values.reset();
  }
  uint64_t bit = uint64_t{1} << pos;
  if (!c.values) {
    if (c.written == 0) {
      c.constant = v;
      c.written = bit;
      return;
    }
    if (same(c.constant, v)) {
      c.written |= bit;
      return;
    }
    c.values = std::make_unique<float[]>(kChunkSlots);
    std::fill(c.values.get(), c.values.get() + kChunkSlots, c.constant);
  }
  c.values[pos] = v;
  c.written |= bit;
}

float SeriesRing::read(int64_t t_s) const {
  int64_t slot = floor_div(t_s, res_);
  int64_t id = floor_div(slot, kChunkSlots);
  int pos = static_cast<int>(slot - id * kChunkSlots);
  const Chunk& c = chunks_[static_cast<size_t>(id % static_cast<int64_t>(chunks_.size()))];
  if (c.id != id || !(c.written & (uint64_t{1} << pos))) return kNaN;
  return c.values ? c.values[pos] : c.constant;
}

size_t SeriesRing::bytes() const {
  size_t b = sizeof(*this) + chunks_.size() * sizeof(Chunk);
  for (auto& c : chunks_)
    if (c.values) b += kChunkSlots * sizeof(float);
  return b;
}

namespace {
// Enough chunks that `span` seconds before any instant are still held (one partial
// chunk at each end).
int chunks_for(int64_t span_s, int64_t res_s) {
  int64_t slots = (span_s + res_s - 1) / res_s;
  return static_cast<int>((slots + SeriesRing::kChunkSlots - 1) / SeriesRing::kChunkSlots + 1);
}
}  // namespace

SeriesStore::Series::Series(std::string n, Labels l, const SeriesConfig& c)
    : name(std::move(n)), labels(std::move(l)),
      fine(c.fine_resolution_s, chunks_for(c.fine_span_s, c.fine_resolution_s)),
      coarse(c.coarse_resolution_s, chunks_for(c.coarse_span_s, c.coarse_resolution_s)) {}

SeriesStore::SeriesStore(SeriesConfig cfg) : cfg_(cfg) {}

std::string SeriesStore::key(const std::string& name, const Labels& labels) {
  std::string k = name;
  k += '{';
  bool first = true;
  for (auto& [lk, lv] : labels) {
    if (!first) k += ',';
    first = false;
    k += lk;
    k += "=\"";
    for (char ch : lv) {
      if (ch == '"' || ch == '\\') k += '\\';
      k += ch;
    }
    k += '"';
  }
  k += '}';
  return k;
}

void SeriesStore::record(const std::string& name, const Labels& labels, int64_t t_s, double value) {
  std::string k = key(name, labels);
  std::lock_guard lock(mu_);
  auto it = series_.find(k);
  if (it == series_.end()) {
    if (series_.size() >= cfg_.max_series) {
      ++dropped_;
      return;
    }
    it = series_.emplace(std::move(k), std::make_unique<Series>(name, labels, cfg_)).first;
  }
  Series& s = *it->second;
  if (t_s < s.last_s) return;  // time never runs backwards inside one series
  s.fine.write(t_s, static_cast<float>(value));
  int64_t minute = floor_div(t_s, cfg_.coarse_resolution_s);
  if (minute != s.minute) {
    if (s.n > 0) s.coarse.write(s.minute * cfg_.coarse_resolution_s, static_cast<float>(s.sum / double(s.n)));
    s.minute = minute;
    s.sum = 0;
    s.n = 0;
  }
  if (!std::isnan(value)) {
    s.sum += value;
    ++s.n;
  }
  s.last_s = t_s;
  s.last = value;
}

void SeriesStore::forget_stale(int64_t now_s) {
  std::lock_guard lock(mu_);
  for (auto it = series_.begin(); it != series_.end();) {
    if (it->second->last_s < now_s - cfg_.forget_after_s)
      it = series_.erase(it);
    else
      ++it;
  }
}

SeriesTable SeriesStore::query(const std::vector<std::pair<std::string, Labels>>& wanted, int64_t range_s,
                               int64_t now_s) const {
  SeriesTable out;
  range_s = std::clamp<int64_t>(range_s, 1, cfg_.coarse_span_s);
  bool fine = range_s <= cfg_.fine_span_s;
  int64_t step = fine ? cfg_.fine_resolution_s : cfg_.coarse_resolution_s;
  out.step_s = step;
  int64_t last = floor_div(now_s, step) * step;
  int64_t n = std::max<int64_t>(1, range_s / step);
  int64_t first = last - (n - 1) * step;
  out.t.reserve(static_cast<size_t>(n));
  for (int64_t t = first; t <= last; t += step) out.t.push_back(t);
  std::lock_guard lock(mu_);
  for (auto& [name, labels] : wanted) {
    std::vector<std::optional<double>> col(out.t.size());
    auto it = series_.find(key(name, labels));
    if (it != series_.end()) {
      const Series& s = *it->second;
      for (size_t i = 0; i < out.t.size(); ++i) {
        int64_t t = out.t[i];
        float v;
        if (fine) {
          v = s.fine.read(t);
        } else if (floor_div(t, step) == s.minute && s.n > 0) {
          v = static_cast<float>(s.sum / double(s.n));  // the minute in progress
        } else {
          v = s.coarse.read(t);
        }
        if (!std::isnan(v)) col[i] = double(v);
      }
    }
    out.columns.push_back(std::move(col));
  }
  return out;
}

std::vector<SeriesStore::Info> SeriesStore::list(const std::string& name, const Labels& match, size_t offset,
                                                 size_t limit, size_t* total) const {
  std::vector<Info> out;
  size_t seen = 0;
  std::lock_guard lock(mu_);
  auto it = name.empty() ? series_.begin() : series_.lower_bound(name + "{");
  for (; it != series_.end(); ++it) {
    const Series& s = *it->second;
    if (!name.empty() && s.name != name) break;
    if (!labels_include(s.labels, match)) continue;
    if (seen++ < offset || out.size() >= limit) continue;
    out.push_back(Info{s.name, s.labels, s.last_s, s.last});
  }
  if (total) *total = seen;
  return out;
}

size_t SeriesStore::size() const {
  std::lock_guard lock(mu_);
  return series_.size();
}

size_t SeriesStore::bytes() const {
  std::lock_guard lock(mu_);
  size_t b = 0;
  for (auto& [k, s] : series_) b += k.size() + sizeof(Series) + s->fine.bytes() + s->coarse.bytes();
  return b;
}

uint64_t SeriesStore::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

}  // namespace ebb::obs
