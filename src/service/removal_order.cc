#include "service/removal_order.h"

#include <algorithm>
#include <tuple>

namespace ebb::service {
namespace {

int removal_class(const RemovalCandidate& c) {
  if (!c.ever_received && c.leases == 0) return 0;
  return c.leases == 0 ? 1 : 2;
}

bool removed_before(const RemovalCandidate& a, const RemovalCandidate& b) {
  const int ca = removal_class(a), cb = removal_class(b);
  if (ca != cb) return ca < cb;
  switch (ca) {
    case 0:  // newest first
      return std::tie(b.created_ms, a.id) < std::tie(a.created_ms, b.id);
    case 1:  // longest idle first
      return std::tie(a.idle_since_ms, a.id) < std::tie(b.idle_since_ms, b.id);
    default:  // fewest leases, then soonest latest deadline
      return std::tie(a.leases, a.latest_deadline_ms, a.id) < std::tie(b.leases, b.latest_deadline_ms, b.id);
  }
}

}  // namespace

std::vector<std::string> removal_order(std::vector<RemovalCandidate> candidates) {
  std::sort(candidates.begin(), candidates.end(), removed_before);
  std::vector<std::string> ids;
  ids.reserve(candidates.size());
  for (RemovalCandidate& c : candidates) ids.push_back(std::move(c.id));
  return ids;
}

}  // namespace ebb::service
