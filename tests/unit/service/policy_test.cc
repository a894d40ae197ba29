// The controller's pure parts: removal order (autoscaling.md §5.2), restart back-off
// (§5.4), manifest defaults (§2), task templates and the task environment
// (reliability.md §4.6 step 7), event formatting (§9).
#include <gtest/gtest.h>

#include "runtime/task_template.h"
#include "service/removal_order.h"
#include "service/restart_backoff.h"
#include "service/service_events.h"
#include "service/service_spec.h"

namespace ebb::service {
namespace {

using nlohmann::json;

TEST(RemovalOrder, NeverReceivedNewestFirstThenIdleLongestFirstThenBusyFewestLeases) {
  struct Case {
    const char* name;
    std::vector<RemovalCandidate> in;
    std::vector<std::string> want;
  };
  const Case cases[] = {
      {.name = "never received: newest first",
       .in = {{.id = "old", .created_ms = 1}, {.id = "new", .created_ms = 5}, {.id = "mid", .created_ms = 3}},
       .want = {"new", "mid", "old"}},
      {.name = "idle: longest idle first",
       .in = {{.id = "a", .ever_received = true, .idle_since_ms = 30},
              {.id = "b", .ever_received = true, .idle_since_ms = 10},
              {.id = "c", .ever_received = true, .idle_since_ms = 20}},
       .want = {"b", "c", "a"}},
      {.name = "busy: fewest leases, then the latest lease expiring soonest",
       .in = {{.id = "two", .ever_received = true, .leases = 2, .latest_deadline_ms = 100},
              {.id = "one-late", .ever_received = true, .leases = 1, .latest_deadline_ms = 900},
              {.id = "one-soon", .ever_received = true, .leases = 1, .latest_deadline_ms = 500}},
       .want = {"one-soon", "one-late", "two"}},
      {.name = "classes in order",
       .in = {{.id = "busy", .created_ms = 9, .ever_received = true, .leases = 1},
              {.id = "idle", .created_ms = 9, .ever_received = true, .idle_since_ms = 1},
              {.id = "fresh", .created_ms = 1}},
       .want = {"fresh", "idle", "busy"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(removal_order(c.in), c.want);
  }
}

TEST(RestartBackoff, DoublesFromOneSecondToSixtyAndResetsAfterALongLife) {
  RestartBackoff b;
  int64_t now = 0;
  std::vector<int64_t> seen;
  for (int i = 0; i < 9; ++i) {
    const int64_t created = now;  // the replacement launched when the gate opened
    now += 500;                   // lives half a second
    ASSERT_TRUE(b.on_task_end(500, created, now));
    seen.push_back(b.delay_ms / 1000);
    EXPECT_TRUE(b.blocks(now));
    EXPECT_FALSE(b.blocks(b.until_ms));
    now = b.until_ms;
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{1, 2, 4, 8, 16, 32, 60, 60, 60}));
  // 10 s to 60 s: replaced at once, the level stays.
  EXPECT_FALSE(b.on_task_end(30'000, now, now + 30'000));
  EXPECT_EQ(b.delay_ms, 60'000);
  // A 60 s life resets it: the next short life waits 1 s again.
  EXPECT_FALSE(b.on_task_end(60'000, now, now + 60'000));
  EXPECT_EQ(b.delay_ms, 0);
  EXPECT_TRUE(b.on_task_end(std::nullopt, now + 60'000, now + 61'000));
  EXPECT_EQ(b.delay_ms, 1'000);
}

TEST(RestartBackoff, TasksFailingTogetherCountOnce) {
  RestartBackoff b;
  ASSERT_TRUE(b.on_task_end(100, 0, 1'000));    // first of ten crashing workers
  EXPECT_FALSE(b.on_task_end(100, 0, 1'001));   // its siblings, launched before the rise
  EXPECT_FALSE(b.on_task_end(100, 0, 1'002));
  EXPECT_EQ(b.delay_ms, 1'000);
  EXPECT_TRUE(b.on_task_end(100, 2'000, 2'100));  // a retry fails: now it doubles
  EXPECT_EQ(b.delay_ms, 2'000);
}

TEST(ServiceSpec, FillsEveryDefault) {
  json doc = {{"apiVersion", "ebb/v1"},
              {"kind", "Service"},
              {"metadata", {{"name", "w"}}},
              {"spec", {{"template", {{"command", {"python3", "w.py"}}}}, {"scaling", {{"queue", "q"}}}}}};
  auto s = parse_service(doc);
  ASSERT_TRUE(s.ok()) << s.error().message;
  const scale::Config& c = s->scaling;
  ASSERT_EQ(c.triggers.size(), 1u);
  EXPECT_EQ(c.triggers[0].queue, "q");
  EXPECT_EQ(c.triggers[0].target, 5);
  EXPECT_TRUE(c.triggers[0].include_in_flight);
  EXPECT_FALSE(c.triggers[0].include_delayed);
  EXPECT_EQ(c.min_tasks, 1);
  EXPECT_EQ(c.max_tasks, 10);
  EXPECT_DOUBLE_EQ(c.tolerance, 0.1);
  EXPECT_EQ(c.scale_out_cooldown, 0);
  EXPECT_EQ(c.scale_in_window, 300'000);
  EXPECT_EQ(c.scale_to_zero_delay, 300'000);
  EXPECT_EQ(c.activation_backlog, 0);
  EXPECT_EQ(c.deactivation_backlog, 0);
  EXPECT_TRUE(c.scale_in_enabled);
  EXPECT_FALSE(c.scale_in_max_per_step);
  EXPECT_EQ(c.scale_in_step, 15'000);
  EXPECT_TRUE(c.fifo_cap_at_groups);
  EXPECT_FALSE(c.paused);
  EXPECT_FALSE(s->drain_timeout_ms);
  EXPECT_EQ(s->min_interval_ms, 100);
  EXPECT_EQ(s->max_interval_ms, 1000);
  EXPECT_EQ(s->task.stop_timeout_seconds, 30);
  EXPECT_EQ(s->task.argv(), (std::vector<std::string>{"python3", "w.py"}));
}

TEST(ServiceSpec, TriggersListAndExplicitValues) {
  json scaling = {{"triggers",
                   {{{"queue", "a"}, {"targetBacklogPerTask", 2.5}},
                    {{"queue", "b"}, {"includeInFlight", false}, {"includeDelayed", true}}}},
                  {"minTasks", 0},
                  {"maxTasks", 4},
                  {"scaleInCooldownSeconds", 60},
                  {"scaleIn", {{"enabled", false}, {"maxTasksPerStep", 2}, {"stepSeconds", 5}}},
                  {"drainTimeoutSeconds", 120},
                  {"evaluation", {{"minIntervalMs", 50}, {"maxIntervalMs", 500}}}};
  json doc = {{"metadata", {{"name", "w"}}},
              {"spec", {{"paused", true}, {"template", {{"command", {"w"}}}}, {"scaling", scaling}}}};
  auto s = parse_service(doc);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(s->scaling.triggers.size(), 2u);
  EXPECT_EQ(s->scaling.triggers[0].target, 2.5);
  EXPECT_FALSE(s->scaling.triggers[1].include_in_flight);
  EXPECT_TRUE(s->scaling.triggers[1].include_delayed);
  EXPECT_EQ(s->scaling.min_tasks, 0);
  EXPECT_EQ(s->scaling.scale_in_window, 60'000);
  EXPECT_FALSE(s->scaling.scale_in_enabled);
  EXPECT_EQ(s->scaling.scale_in_max_per_step, 2);
  EXPECT_EQ(s->scaling.scale_in_step, 5'000);
  EXPECT_EQ(s->drain_timeout_ms, 120'000);
  EXPECT_EQ(s->min_interval_ms, 50);
  EXPECT_EQ(s->max_interval_ms, 500);
  EXPECT_TRUE(s->paused);
  EXPECT_TRUE(s->scaling.paused);
}

TEST(TaskTemplate, ParsesEverything) {
  json t = {{"command", {"python3"}},
            {"args", {"-m", "worker"}},
            {"env",
             {{{"name", "A"}, {"value", "1"}},
              {{"name", "S"}, {"valueFrom", {{"secretKeyRef", {{"name", "x"}, {"key", "y"}, {"optional", true}}}}}}}},
            {"workingDir", "/srv/w"},
            {"resources", {{"cpu", "500m"}, {"memory", "1Gi"}}},
            {"timeoutSeconds", 90},
            {"stopTimeoutSeconds", 5},
            {"image", "w:1"}};
  auto r = runtime::parse_task_template(t);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->argv(), (std::vector<std::string>{"python3", "-m", "worker"}));
  ASSERT_EQ(r->env.size(), 1u);  // the secret ref is skipped
  EXPECT_EQ(r->env[0].name, "A");
  EXPECT_EQ(r->working_dir, "/srv/w");
  EXPECT_EQ(r->cpu_millis, 500);
  EXPECT_EQ(r->memory_bytes, int64_t{1} << 30);
  EXPECT_EQ(r->timeout_seconds, 90);
  EXPECT_EQ(r->stop_timeout_seconds, 5);
  EXPECT_EQ(r->image, "w:1");
  EXPECT_FALSE(runtime::parse_task_template(json{{"command", {"x"}}, {"resources", {{"cpu", "lots"}}}}).ok());
}

TEST(TaskTemplate, EnvironmentIsBuiltFromNothingAndEbbWins) {
  runtime::TaskTemplate t;
  t.command = {"w"};
  t.env = {{"LANG", "de_DE.UTF-8"}, {"AWS_ACCESS_KEY_ID", "stolen"}, {"OUT", "/tmp/o"}};
  runtime::TaskEnvContext ctx;
  ctx.task_path = "/usr/bin:/bin";
  ctx.home = "tasks/w-1";
  ctx.endpoint_url = "http://127.0.0.1:9324/";
  ctx.region = "eu-west-1";
  ctx.credentials = runtime::new_task_credentials();
  ctx.task_id = "w-1";
  ctx.service = "w";
  ctx.queue_name = "q";
  ctx.account = "000000000000";
  std::vector<std::string> env = runtime::build_task_env(t, ctx);
  std::map<std::string, std::string> m;
  for (auto& kv : env) {
    auto eq = kv.find('=');
    ASSERT_NE(eq, std::string::npos);
    EXPECT_FALSE(m.count(kv.substr(0, eq))) << "duplicate " << kv;
    m[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  EXPECT_EQ(m["PATH"], "/usr/bin:/bin");
  EXPECT_EQ(m["HOME"], "tasks/w-1");
  EXPECT_EQ(m["LANG"], "de_DE.UTF-8");  // the template may override LANG
  EXPECT_EQ(m["OUT"], "/tmp/o");
  EXPECT_EQ(m["AWS_ACCESS_KEY_ID"], ctx.credentials.access_key_id);  // ebb wins
  EXPECT_EQ(m["AWS_SECRET_ACCESS_KEY"], ctx.credentials.secret_access_key);
  EXPECT_EQ(m["AWS_ENDPOINT_URL"], "http://127.0.0.1:9324/");
  EXPECT_EQ(m["AWS_ENDPOINT_URL_SQS"], "http://127.0.0.1:9324/");
  EXPECT_EQ(m["AWS_REGION"], "eu-west-1");
  EXPECT_EQ(m["AWS_DEFAULT_REGION"], "eu-west-1");
  EXPECT_EQ(m["EBB_TASK_ID"], "w-1");
  EXPECT_EQ(m["EBB_SERVICE"], "w");
  EXPECT_EQ(m["EBB_QUEUE_URL"], "http://127.0.0.1:9324/000000000000/q");
  EXPECT_EQ(m["EBB_QUEUE_NAME"], "q");
  EXPECT_EQ(m["EBB_ENDPOINT_URL"], "http://127.0.0.1:9324/");
  EXPECT_EQ(m.size(), 15u);  // nothing else: no variable of ebb's own environment

  const std::string& key = ctx.credentials.access_key_id;
  EXPECT_EQ(key.size(), 20u);
  EXPECT_EQ(key.rfind("EBBT", 0), 0u);
  for (char c : key) EXPECT_TRUE((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) << key;
  EXPECT_EQ(ctx.credentials.secret_access_key.size(), 40u);
  EXPECT_NE(runtime::new_task_credentials().access_key_id, key);
}

TEST(ServiceEvents, DecisionMessageAndInputs) {
  scale::Config cfg;
  cfg.triggers = {{.queue = "thumbnails"}};
  scale::Inputs in;
  in.counts = {{.visible = 392, .in_flight = 20}};
  scale::Decision d;
  d.old_desired = 8;
  d.raw = 10;
  d.desired = 10;
  d.reason = scale::Reason::CappedAtMax;
  d.triggers = {{.backlog = 412, .recommendation = 83}};
  EXPECT_EQ(decision_message(cfg, in, d, 8),
            "backlog 412 (visible 392, in flight 20), running 8, target 5 → desired 10, capped at max 10");
  json inputs = decision_inputs(cfg, in, d);
  EXPECT_EQ(inputs["oldDesired"], 8);
  EXPECT_EQ(inputs["raw"], 10);
  EXPECT_EQ(inputs["windowMax"], 0);
  EXPECT_EQ(inputs["newDesired"], 10);
  EXPECT_EQ(inputs["triggers"][0],
            (json{{"queue", "thumbnails"}, {"visible", 392}, {"inFlight", 20}, {"delayed", 0},
                  {"activeGroups", 0}, {"backlog", 412}, {"recommendation", 83}}));
  json e = make_event(1795860001250, false, "CappedAtMax", "service/thumbnailer", "m", inputs);
  EXPECT_EQ(e["time"], "2026-11-28T10:00:01.250Z");
  EXPECT_EQ(e["timeMs"], 1795860001250);
  EXPECT_EQ(e["type"], "Normal");
  EXPECT_EQ(e["object"], "service/thumbnailer");
  EXPECT_EQ(rfc3339_s(0), "1970-01-01T00:00:00Z");
}

}  // namespace
}  // namespace ebb::service
