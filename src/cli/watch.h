// `ebb get … --watch` (ecosystem.md §3.2): after the first listing, poll the same
// objects every second and print one more row (no header, no screen clearing) each
// time an object's row changes — kubectl's behaviour, so the output pipes and logs
// well. With -o json each change is one compact line in the Kubernetes watch-event
// shape {"type":"ADDED|MODIFIED|DELETED","object":{…}}; -o yaml prints the same
// events as YAML documents, -o name the object's TYPE/NAME. Columns that change with
// the clock alone (AGE, OLDEST, RUNTIME…) do not count as changes; for json, yaml and
// name the wide columns are compared. Ends on Ctrl-C with exit 0.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/api_client.h"
#include "cli/poll_loop.h"
#include "cli/resource_kind.h"

namespace ebb::cli {

struct WatchRequest {
  const ResourceKind* kind = nullptr;
  std::vector<std::string> names;  // empty: the whole collection
  std::string list_query;          // appended to the collection path ("?all=true")
  std::string output;              // "", "wide", "json", "yaml", "name"
  bool no_headers = false;
  bool watch_only = false;         // do not print `initial`
};

// `initial` is what the first fetch returned (printed unless watch_only).
int run_watch(ApiClient& api, const WatchRequest& w, const std::vector<nlohmann::json>& initial, PollLoop& loop);

}  // namespace ebb::cli
