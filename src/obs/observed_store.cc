#include "obs/observed_store.h"

#include <chrono>

namespace ebb::obs {

ObservedStore::ObservedStore(Store& inner, Clock& clock, Activity* activity, std::string label)
    : inner_(inner), clock_(clock), activity_(activity), label_(std::move(label)) {}

void ObservedStore::commit(std::span<const StoreOp> ops) {
  std::vector<StoreOp> extra;
  if (activity_) extra = activity_->observe(ops);
  const MonoTime t0 = clock_.mono_now();
  if (extra.empty()) {
    inner_.commit(ops);
  } else {
    std::vector<StoreOp> all(ops.begin(), ops.end());
    for (auto& op : extra) all.push_back(std::move(op));
    inner_.commit(all);
  }
  commit_seconds_.observe(std::chrono::duration<double>(clock_.mono_now() - t0).count());
}

}  // namespace ebb::obs
