#include "runtime/runtime_hub.h"

namespace ebb::runtime {

class RuntimeHub::View final : public Runtime {
 public:
  explicit View(RuntimeHub& hub) : hub_(hub) {}
  Capabilities capabilities() const override { return hub_.real_.capabilities(); }
  Result<Reconnected> start(Listener* l) override { return hub_.start_for(this, l); }
  void launch(const LaunchSpec& spec) override { hub_.launch_for(listener, spec); }
  void stop(const std::string& task_id, int64_t grace_ms) override { hub_.real_.stop(task_id, grace_ms); }
  void shutdown(bool stop_tasks) override { hub_.shutdown_for(this, stop_tasks); }

  Listener* listener = nullptr;
  bool shut = false;

 private:
  RuntimeHub& hub_;
};

RuntimeHub::RuntimeHub(Runtime& real) : real_(real) {}
RuntimeHub::~RuntimeHub() = default;

Runtime& RuntimeHub::view() {
  std::lock_guard lk(mu_);
  views_.push_back(std::make_unique<View>(*this));
  return *views_.back();
}

Result<Reconnected> RuntimeHub::start_for(View* v, Listener* l) {
  std::unique_lock lk(mu_);
  v->listener = l;
  v->shut = false;
  if (lost_) {
    // The first view to ask (re)starts the launcher connection; the others share its
    // answer. Calling the real start() under mu_ is safe: listener callbacks only begin
    // after start() returned.
    auto rc = real_.start(this);
    if (!rc.ok()) return rc.error();
    reconnected_ = *rc;
    lost_ = false;
    generation_++;
  }
  return *reconnected_;
}

void RuntimeHub::launch_for(Listener* l, const LaunchSpec& spec) {
  {
    std::lock_guard lk(mu_);
    owner_[spec.task_id] = l;
  }
  real_.launch(spec);
}

void RuntimeHub::shutdown_for(View* v, bool stop_tasks) {
  bool last;
  {
    std::lock_guard lk(mu_);
    v->shut = true;
    any_stop_ = any_stop_ || stop_tasks;
    last = true;
    for (auto& x : views_)
      if (x->listener && !x->shut) last = false;
  }
  // Earlier views stopped their own tasks through stop(); the launcher itself goes
  // when the last controller is done with it.
  if (last) real_.shutdown(any_stop_);
}

std::vector<Listener*> RuntimeHub::targets(const std::string& task_id, bool erase) {
  std::lock_guard lk(mu_);
  auto it = owner_.find(task_id);
  if (it != owner_.end()) {
    Listener* l = it->second;
    if (erase) owner_.erase(it);
    return {l};
  }
  std::vector<Listener*> all;
  for (auto& v : views_)
    if (v->listener) all.push_back(v->listener);
  return all;
}

void RuntimeHub::on_started(const TaskStarted& s) {
  for (Listener* l : targets(s.task_id, false)) l->on_started(s);
}

void RuntimeHub::on_exited(const TaskExited& e) {
  for (Listener* l : targets(e.task_id, true)) l->on_exited(e);
}

void RuntimeHub::on_runtime_lost(const std::string& why) {
  std::vector<Listener*> all;
  {
    std::lock_guard lk(mu_);
    lost_ = true;
    owner_.clear();
    for (auto& v : views_)
      if (v->listener) all.push_back(v->listener);
  }
  for (Listener* l : all) l->on_runtime_lost(why);
}

}  // namespace ebb::runtime
