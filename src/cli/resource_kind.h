// The resource types `get`, `describe`, `delete` and `--watch` work on: their API
// collection, table columns and row function (ecosystem.md §3.2 "Columns"), and
// fetching a list or named objects of one type.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/api_client.h"
#include "cli/queue_view.h"

namespace ebb::cli {

struct ResourceKind {
  std::string type;        // "services": what resolve_type() returns
  std::string singular;    // "service": `-o name` prints service/NAME, messages say service "NAME"
  std::string collection;  // "/api/v1/services"
  std::vector<std::string> headers;
  std::vector<std::string> wide_headers;  // appended by -o wide
  // Columns that change with the clock alone (AGE…): `get --watch` ignores them when
  // it decides whether an object changed.
  std::vector<std::string> clock_columns;
  std::vector<std::string> (*row)(const nlohmann::json& object, bool wide, TimePoint now);
};

// `type` as resolve_type() returns it: queues, services, tasks, eventsources,
// schedules, cronjobs, jobs.
const ResourceKind& resource_kind(const std::string& type);

// metadata.name of an API object ("" when absent).
std::string object_name(const nlohmann::json& object);
// collection + "/" + escaped name.
std::string object_path(ApiClient& api, const ResourceKind& kind, const std::string& name);
// `service "NAME" not found`.
std::string not_found_message(const ResourceKind& kind, const std::string& name);

struct Fetched {
  std::vector<nlohmann::json> objects;  // list order, or the order of the names
  std::vector<std::string> missing;     // the names that were not found (NotFound)
  std::vector<CliError> refused;        // other refusals of named objects
};

// The whole collection (`names` empty; `list_query` such as "?all=true" appended) or
// each named object. An error that leaves the outcome unknown (exit 3), or any error
// on the list, ends the fetch.
Outcome<Fetched> fetch_objects(ApiClient& api, const ResourceKind& kind, const std::vector<std::string>& names,
                               const std::string& list_query);

}  // namespace ebb::cli
