// RuntimeHub: one Runtime (one launcher) shared by several controllers (services,
// Jobs, schedules). Each controller gets its own view, which is a Runtime: start()
// registers the controller as the listener of the tasks it launches, launch() routes
// that task's events back to it, and shutdown() of the last view shuts the real
// runtime down. Events of tasks no view launched in this process (re-adopted after a
// restart) go to every listener; controllers ignore task ids they do not know.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "runtime/runtime.h"

namespace ebb::runtime {

class RuntimeHub final : public Listener {
 public:
  explicit RuntimeHub(Runtime& real);
  ~RuntimeHub() override;
  // A view for one controller; lives as long as the hub.
  Runtime& view();

  void on_started(const TaskStarted& s) override;
  void on_exited(const TaskExited& e) override;
  void on_runtime_lost(const std::string& why) override;

  class View;

 private:
  friend class View;
  Result<Reconnected> start_for(View* v, Listener* l);
  void launch_for(Listener* l, const LaunchSpec& spec);
  void shutdown_for(View* v, bool stop_tasks);
  std::vector<Listener*> targets(const std::string& task_id, bool erase);

  Runtime& real_;
  std::mutex mu_;
  std::vector<std::unique_ptr<View>> views_;
  std::map<std::string, Listener*> owner_;  // task id → the listener that launched it
  uint64_t generation_ = 0;                 // bumps when the real runtime (re)starts
  std::optional<Reconnected> reconnected_;  // answer of the current generation
  bool lost_ = true;                        // the real runtime needs start()
  bool any_stop_ = false;                   // some view asked to stop its tasks at shutdown
};

}  // namespace ebb::runtime
