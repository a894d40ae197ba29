// ObservedStore: a Store decorator that times every commit
// (ebb_store_commit_duration_seconds) and shows its ops to an Activity first, adding
// the usage records it returns to the same transaction.
#pragma once
#include <string>

#include "clock/clock.h"
#include "obs/activity.h"
#include "obs/histogram.h"
#include "store/store.h"

namespace ebb::obs {

class ObservedStore final : public Store {
 public:
  // `activity` may be null (timing only).
  ObservedStore(Store& inner, Clock& clock, Activity* activity, std::string label = "sqlite");
  LoadedState load() override { return inner_.load(); }
  std::vector<RecordRow> load_records() override { return inner_.load_records(); }
  void commit(std::span<const StoreOp> ops) override;

  const Histogram& commit_seconds() const { return commit_seconds_; }
  const std::string& label() const { return label_; }

 private:
  Store& inner_;
  Clock& clock_;
  Activity* activity_;
  std::string label_;
  Histogram commit_seconds_{kLatencyBuckets};
};

}  // namespace ebb::obs
