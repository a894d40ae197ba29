// TaskRecord: what ebb remembers about one task (one process run of a service, and
// later of a Job or Schedule). Written to the store as JSON (record kind "task", key =
// task id) before the launch and on every state change, so a restarted ebbd knows
// which tasks to re-adopt or mark Lost (reliability.md §2.7), and the cost report
// (issue 5) has start/end, CPU seconds and peak RSS.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace ebb::runtime {

enum class TaskState {
  Pending,    // record written, launch not yet requested (waiting for durability or back-off)
  Starting,   // launch requested, no pid yet
  Running,    // process alive
  Draining,   // alive, chosen for removal, still holds leases; takes no new messages
  Stopping,   // SIGTERM sent, waiting for exit
  Succeeded,  // exited 0
  Failed,     // exited non-zero, signalled, OOM, limit, launch failure
  Lost,       // ebb restarted and the process was gone (or unknowable)
};
const char* to_string(TaskState s);
bool parse_task_state(const std::string& s, TaskState& out);
inline bool finished(TaskState s) { return s == TaskState::Succeeded || s == TaskState::Failed || s == TaskState::Lost; }

struct TaskRecord {
  std::string id;                 // "thumbnailer-7f3a9c2e" (owner name + random suffix)
  std::string owner_kind;         // "Service" (later "Job", "Schedule")
  std::string owner_name;
  TaskState state = TaskState::Pending;
  std::string access_key_id;      // per-task credentials (autoscaling.md §5.1)
  std::string secret_access_key;
  int64_t cpu_millis = 0;         // reservation from the template (cost)
  int64_t memory_bytes = 0;
  int64_t created_ms = 0, started_ms = 0, ended_ms = 0;
  int64_t first_receive_ms = 0;   // first ReceiveMessage with its key (0 = never)
  int pid = 0;
  uint64_t start_ticks = 0;
  std::string cgroup;
  int exit_code = -1;
  int signal = 0;
  std::string reason;             // TaskExited::reason, or "Stopped" / "ScaledIn" / "Timeout" details
  std::string message;
  double cpu_seconds = 0;
  int64_t peak_rss_bytes = 0;
  std::string log_path;
  int64_t stop_requested_ms = 0;  // 0 = no stop requested
  std::string stop_reason;        // "ScaleIn", "Timeout", "Deleted", "DrainTimeout", "Shutdown"
};

nlohmann::json to_json(const TaskRecord& t);
// False (and `error` set) when required fields are missing or malformed.
bool from_json(const nlohmann::json& j, TaskRecord& t, std::string& error);

}  // namespace ebb::runtime
