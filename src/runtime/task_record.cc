// TaskRecord <-> JSON (camelCase keys) and TaskState names.
#include "runtime/task_record.h"

#include <utility>

namespace ebb::runtime {
namespace {

constexpr std::pair<TaskState, const char*> kStates[] = {
    {TaskState::Pending, "Pending"},   {TaskState::Starting, "Starting"},
    {TaskState::Running, "Running"},   {TaskState::Draining, "Draining"},
    {TaskState::Stopping, "Stopping"}, {TaskState::Succeeded, "Succeeded"},
    {TaskState::Failed, "Failed"},     {TaskState::Lost, "Lost"},
};

// Optional typed fields: absent keeps the default, a wrong type is an error.
bool get_string(const nlohmann::json& j, const char* key, std::string& out, std::string& error) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_string()) {
    error = std::string("field ") + key + " must be a string";
    return false;
  }
  out = it->get<std::string>();
  return true;
}

template <class Int>
bool get_int(const nlohmann::json& j, const char* key, Int& out, std::string& error) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_number_integer()) {
    error = std::string("field ") + key + " must be an integer";
    return false;
  }
  out = it->get<Int>();
  return true;
}

bool get_double(const nlohmann::json& j, const char* key, double& out, std::string& error) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return true;
  if (!it->is_number()) {
    error = std::string("field ") + key + " must be a number";
    return false;
  }
  out = it->get<double>();
  return true;
}

}  // namespace

const char* to_string(TaskState s) {
  for (const auto& [state, name] : kStates)
    if (state == s) return name;
  return "Unknown";
}

bool parse_task_state(const std::string& s, TaskState& out) {
  for (const auto& [state, name] : kStates) {
    if (s == name) {
      out = state;
      return true;
    }
  }
  return false;
}

nlohmann::json to_json(const TaskRecord& t) {
  return nlohmann::json{
      {"id", t.id},
      {"ownerKind", t.owner_kind},
      {"ownerName", t.owner_name},
      {"state", to_string(t.state)},
      {"accessKeyId", t.access_key_id},
      {"secretAccessKey", t.secret_access_key},
      {"cpuMillis", t.cpu_millis},
      {"memoryBytes", t.memory_bytes},
      {"createdMs", t.created_ms},
      {"startedMs", t.started_ms},
      {"endedMs", t.ended_ms},
      {"firstReceiveMs", t.first_receive_ms},
      {"pid", t.pid},
      {"startTicks", t.start_ticks},
      {"cgroup", t.cgroup},
      {"exitCode", t.exit_code},
      {"signal", t.signal},
      {"reason", t.reason},
      {"message", t.message},
      {"cpuSeconds", t.cpu_seconds},
      {"peakRssBytes", t.peak_rss_bytes},
      {"logPath", t.log_path},
      {"stopRequestedMs", t.stop_requested_ms},
      {"stopReason", t.stop_reason},
  };
}

bool from_json(const nlohmann::json& j, TaskRecord& t, std::string& error) {
  if (!j.is_object()) {
    error = "task record must be a JSON object";
    return false;
  }
  TaskRecord r;
  auto id = j.find("id");
  if (id == j.end() || !id->is_string() || id->get<std::string>().empty()) {
    error = "field id is required";
    return false;
  }
  r.id = id->get<std::string>();
  auto state = j.find("state");
  if (state == j.end() || !state->is_string() || !parse_task_state(state->get<std::string>(), r.state)) {
    error = "field state is missing or not a task state";
    return false;
  }
  // The start time is unsigned on the wire too; a negative number is corruption.
  if (auto st = j.find("startTicks"); st != j.end() && st->is_number_integer() && st->get<int64_t>() < 0 &&
                                      !st->is_number_unsigned()) {
    error = "field startTicks must not be negative";
    return false;
  }
  const bool ok = get_string(j, "ownerKind", r.owner_kind, error) &&
                  get_string(j, "ownerName", r.owner_name, error) &&
                  get_string(j, "accessKeyId", r.access_key_id, error) &&
                  get_string(j, "secretAccessKey", r.secret_access_key, error) &&
                  get_int(j, "cpuMillis", r.cpu_millis, error) &&
                  get_int(j, "memoryBytes", r.memory_bytes, error) &&
                  get_int(j, "createdMs", r.created_ms, error) &&
                  get_int(j, "startedMs", r.started_ms, error) &&
                  get_int(j, "endedMs", r.ended_ms, error) &&
                  get_int(j, "firstReceiveMs", r.first_receive_ms, error) &&
                  get_int(j, "pid", r.pid, error) &&
                  get_int(j, "startTicks", r.start_ticks, error) &&
                  get_string(j, "cgroup", r.cgroup, error) &&
                  get_int(j, "exitCode", r.exit_code, error) &&
                  get_int(j, "signal", r.signal, error) &&
                  get_string(j, "reason", r.reason, error) &&
                  get_string(j, "message", r.message, error) &&
                  get_double(j, "cpuSeconds", r.cpu_seconds, error) &&
                  get_int(j, "peakRssBytes", r.peak_rss_bytes, error) &&
                  get_string(j, "logPath", r.log_path, error) &&
                  get_int(j, "stopRequestedMs", r.stop_requested_ms, error) &&
                  get_string(j, "stopReason", r.stop_reason, error);
  if (!ok) return false;
  t = std::move(r);
  return true;
}

}  // namespace ebb::runtime
