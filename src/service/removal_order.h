// Which tasks leave first when a service scales in (autoscaling.md §5.2), as a pure
// function of what the queue engine knows about each task's consumer key:
// (1) tasks that never received a message, newest first; (2) idle tasks (no lease),
// longest idle first; (3) busy tasks, fewest leases first, then the one whose latest
// lease expires soonest. Ties are broken by id so the order is deterministic.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ebb::service {

struct RemovalCandidate {
  std::string id;
  int64_t created_ms = 0;
  bool ever_received = false;     // a message was ever granted to it
  int64_t leases = 0;
  int64_t idle_since_ms = 0;
  int64_t latest_deadline_ms = 0;
};

// Every candidate's id, in the order they should be removed.
std::vector<std::string> removal_order(std::vector<RemovalCandidate> candidates);

}  // namespace ebb::service
