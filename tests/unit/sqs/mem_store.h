// A Store that keeps nothing: records how many ops were committed and loads empty.
// Enough to drive a real Engine + Committer in action-level tests.
#pragma once
#include <atomic>
#include <span>

#include "store/store.h"

namespace ebb::test {

class MemStore final : public Store {
 public:
  LoadedState load() override { return {}; }
  void commit(std::span<const StoreOp> ops) override { ops_ += ops.size(); }
  size_t ops() const { return ops_; }

 private:
  std::atomic<size_t> ops_{0};
};

}  // namespace ebb::test
