// TaskRecord JSON (camelCase) and TaskState names.
#include "runtime/task_record.h"

#include <gtest/gtest.h>

namespace ebb::runtime {
namespace {

TEST(TaskRecord, StatesRoundTrip) {
  for (TaskState s : {TaskState::Pending, TaskState::Starting, TaskState::Running, TaskState::Draining,
                      TaskState::Stopping, TaskState::Succeeded, TaskState::Failed, TaskState::Lost}) {
    TaskState back{};
    ASSERT_TRUE(parse_task_state(to_string(s), back)) << to_string(s);
    EXPECT_EQ(back, s);
  }
  TaskState x;
  EXPECT_FALSE(parse_task_state("running", x));
  EXPECT_FALSE(parse_task_state("", x));
}

TEST(TaskRecord, JsonRoundTripUsesCamelCase) {
  TaskRecord t;
  t.id = "thumbnailer-7f3a9c2e";
  t.owner_kind = "Service";
  t.owner_name = "thumbnailer";
  t.state = TaskState::Running;
  t.access_key_id = "AKIA1";
  t.secret_access_key = "s3cr3t";
  t.cpu_millis = 250;
  t.memory_bytes = 128 << 20;
  t.created_ms = 1;
  t.started_ms = 2;
  t.ended_ms = 3;
  t.first_receive_ms = 4;
  t.pid = 4242;
  t.start_ticks = 9'000'000'000ull;
  t.cgroup = "/sys/fs/cgroup/ebb/x";
  t.exit_code = 3;
  t.signal = 0;
  t.reason = "Error";
  t.message = "exited with code 3";
  t.cpu_seconds = 0.5;
  t.peak_rss_bytes = 1 << 20;
  t.log_path = "/data/tasks/x/output.log";
  t.stop_requested_ms = 5;
  t.stop_reason = "ScaleIn";
  const nlohmann::json j = to_json(t);
  EXPECT_EQ(j.at("ownerKind"), "Service");
  EXPECT_EQ(j.at("startTicks"), 9'000'000'000ull);
  EXPECT_EQ(j.at("peakRssBytes"), 1 << 20);
  EXPECT_EQ(j.at("state"), "Running");
  TaskRecord back;
  std::string error;
  ASSERT_TRUE(from_json(j, back, error)) << error;
  EXPECT_EQ(to_json(back), j);
}

TEST(TaskRecord, FromJsonRejectsMalformed) {
  struct Case {
    const char* name;
    nlohmann::json j;
  };
  const Case cases[] = {
      {.name = "not an object", .j = nlohmann::json::array()},
      {.name = "missing id", .j = {{"state", "Running"}}},
      {.name = "missing state", .j = {{"id", "a"}}},
      {.name = "unknown state", .j = {{"id", "a"}, {"state", "Sleeping"}}},
      {.name = "pid is a string", .j = {{"id", "a"}, {"state", "Running"}, {"pid", "12"}}},
      {.name = "cpuSeconds is a string", .j = {{"id", "a"}, {"state", "Running"}, {"cpuSeconds", "x"}}},
      {.name = "negative startTicks", .j = {{"id", "a"}, {"state", "Running"}, {"startTicks", -1}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    TaskRecord t;
    std::string error;
    EXPECT_FALSE(from_json(c.j, t, error));
    EXPECT_FALSE(error.empty());
  }
  TaskRecord minimal;
  std::string error;
  EXPECT_TRUE(from_json({{"id", "a"}, {"state", "Pending"}}, minimal, error)) << error;
  EXPECT_EQ(minimal.exit_code, -1);
}

}  // namespace
}  // namespace ebb::runtime
