// Time series kept by ebbd itself (issue 5 §2, ecosystem.md §2.3), so the dashboard
// works without Prometheus. Bounded memory: every series has two rings,
//   fine:   1 s resolution, the last hour  (61 chunks of 60 slots)
//   coarse: 1 min resolution, the last day (25 chunks of 60 slots; each slot the mean
//           of that minute's fine samples)
// A chunk whose samples are all equal (an idle queue: zeros) stores one value and a
// 64-bit "written" mask, 32 bytes; it allocates its 60 floats only when a value
// differs. Worst case per series ≈ 21 KB, an idle one ≈ 3 KB. At most `max_series`
// series exist (new ones beyond are dropped and counted); a series not written for a
// day is forgotten.
//
// Time comes in as an argument (unix seconds): the sampler reads the Clock, tests pass
// instants. Thread-safe (one mutex); queries copy out.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ebb::obs {

// name{k="v",…}; labels sorted by key (std::map), so one set has one key.
using Labels = std::map<std::string, std::string>;

class SeriesRing {
 public:
  static constexpr int kChunkSlots = 60;
  SeriesRing(int64_t resolution_s, int chunks);
  void write(int64_t t_s, float v);           // t_s is rounded down to the resolution
  float read(int64_t t_s) const;              // NaN when nothing was written there (or it fell out)
  int64_t resolution() const { return res_; }
  size_t bytes() const;

 private:
  struct Chunk {
    int64_t id = -1;              // absolute chunk number held (slot / 60)
    uint64_t written = 0;         // bit i: slot i has a value
    float constant = 0;           // the value of every written slot while `values` is null
    std::unique_ptr<float[]> values;
  };
  int64_t res_;
  std::vector<Chunk> chunks_;
};

struct SeriesConfig {
  int64_t fine_resolution_s = 1;
  int64_t fine_span_s = 3600;        // the last hour at 1 s
  int64_t coarse_resolution_s = 60;
  int64_t coarse_span_s = 86400;     // the last day at 1 min
  size_t max_series = 20000;
  int64_t forget_after_s = 86400;    // a series not written for this long is removed
};

// One query answer: uPlot's data argument (ecosystem.md §2.3).
struct SeriesTable {
  int64_t step_s = 1;
  std::vector<int64_t> t;                          // unix seconds
  std::vector<std::vector<std::optional<double>>> columns;  // one per requested series; nullopt = gap
};

class SeriesStore {
 public:
  explicit SeriesStore(SeriesConfig cfg = {});

  // Records one sample. A new series is created unless max_series is reached.
  void record(const std::string& name, const Labels& labels, int64_t t_s, double value);
  // Removes series not written since now_s - forget_after_s.
  void forget_stale(int64_t now_s);

  // Values of each (name, labels) over the last `range_s` seconds ending at now_s:
  // 1 s steps when range_s <= fine span, else 1 min steps (range capped at the coarse
  // span). A series that does not exist gives an all-gap column.
  SeriesTable query(const std::vector<std::pair<std::string, Labels>>& series, int64_t range_s, int64_t now_s) const;

  struct Info {
    std::string name;
    Labels labels;
    int64_t last_s = 0;
    double last = 0;
  };
  // Series whose name is `name` (all when empty) and whose labels include `match`,
  // sorted by name then labels; at most `limit` after skipping `offset`.
  std::vector<Info> list(const std::string& name, const Labels& match, size_t offset, size_t limit,
                         size_t* total = nullptr) const;

  size_t size() const;
  size_t bytes() const;              // memory held by the rings
  uint64_t dropped() const;          // samples refused because max_series was reached
  const SeriesConfig& config() const { return cfg_; }

  static std::string key(const std::string& name, const Labels& labels);

 private:
  struct Series {
    std::string name;
    Labels labels;
    SeriesRing fine, coarse;
    int64_t minute = -1;             // the coarse slot being averaged
    double sum = 0;
    int64_t n = 0;
    int64_t last_s = 0;
    double last = 0;
    Series(std::string n, Labels l, const SeriesConfig& c);
  };

  SeriesConfig cfg_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Series>> series_;
  uint64_t dropped_ = 0;
};

}  // namespace ebb::obs
