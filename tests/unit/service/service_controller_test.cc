// ServiceController end to end at the controller level (autoscaling.md §5-§9, §8
// traces T2, T5, T14; reliability.md §2.7): FakeClock, MemStore + Committer, the real
// Engine and autoscaler, a FakeRuntime.
#include <fstream>

#include "harness.h"

namespace ebb::service::testing {
namespace {

// ---------------------------------------------------------------------------------
// §8 T2: 100 messages → N = 10 in one tick; back to 1 exactly one window later.

TEST_F(ServiceTest, T2SpikeScalesOutInOneTickAndBackAfterTheWindow) {
  create_queue("q");
  apply(service_doc("w", {{"queue", "q"}}), "created");
  tick();
  ASSERT_EQ(rt->launch_count(), 1u);
  rt->start_all();
  EXPECT_EQ(desired("w"), 1);
  EXPECT_EQ(status("w")["running"], 1);

  run_for(10'000);
  clock.advance(Millis{100});  // minIntervalMs since the last evaluation: no coalescing
  send("q", 100);
  tick();  // the counter change is evaluated and acted on in this one tick
  EXPECT_EQ(desired("w"), 10);
  EXPECT_EQ(rt->launch_count(), 10u);  // 1 + 9 launched in the same tick
  json st = status("w");
  EXPECT_EQ(st["starting"], 9);
  EXPECT_EQ(st["lastReason"], "CappedAtMax");
  EXPECT_EQ(st["backlog"], 100);
  EXPECT_EQ(st["triggers"][0]["recommendation"], 20);
  rt->start_all();
  EXPECT_EQ(status("w")["running"], 10);

  // The ten workers each take ten messages and delete them.
  for (const std::string& id : rt->alive()) remove_messages("q", receive_as(id, "q", 10));
  run_for(1'000);
  EXPECT_EQ(status("w")["backlog"], 0);
  EXPECT_EQ(desired("w"), 10);  // held by the window

  // The raw recommendation 10 ended at the first evaluation after the deletes (≤ 100 ms
  // after t = 10 s): N falls 300 s later, in one step, and idle tasks stop at once.
  run_for(299'000);  // t = 310 s
  EXPECT_EQ(desired("w"), 10);
  run_for(200);
  EXPECT_EQ(desired("w"), 1);
  EXPECT_EQ(rt->stopped_ids().size(), 9u);
  EXPECT_EQ(status("w")["draining"], 0);
  EXPECT_EQ(status("w")["stopping"], 9);
  rt->exit_stopped();
  tick();
  json after = status("w");
  EXPECT_EQ(after["running"], 1);
  EXPECT_EQ(after["stopping"], 0);
  EXPECT_EQ(rt->launch_count(), 10u);  // the exits of scaled-in tasks are not replaced
  for (const std::string& id : rt->stopped_ids()) {
    EXPECT_EQ(task_state(id), "Succeeded");
    EXPECT_EQ((*ctl->get_task(id))["status"]["stopReason"], "ScaleIn");
  }

  // Events (§9): the scale-out with its inputs, the scale-in, the task events.
  auto ev = ctl->events("w");
  ASSERT_TRUE(ev.ok());
  json scale_out;
  for (auto& e : (*ev)["items"])
    if (e["reason"] == "CappedAtMax") scale_out = e;
  ASSERT_FALSE(scale_out.is_null());
  EXPECT_EQ(scale_out["message"],
            "backlog 100 (visible 100, in flight 0), running 1, target 5 → desired 10, capped at max 10");
  EXPECT_EQ(scale_out["inputs"]["oldDesired"], 1);
  EXPECT_EQ(scale_out["inputs"]["newDesired"], 10);
  EXPECT_EQ(scale_out["object"], "service/w");
  EXPECT_EQ(count_reason("w", "ScaleIn"), 1u);
  EXPECT_EQ(count_reason("w", "TaskStarted"), 10u);
  EXPECT_EQ(count_reason("w", "Stopping"), 9u);
  EXPECT_EQ(count_reason("w", "TaskExited"), 9u);
  json decisions = status("w")["decisions"];
  ASSERT_GE(decisions.size(), 2u);
  EXPECT_EQ(decisions.back()["reason"], "ScaleIn");
  EXPECT_TRUE(decisions.back().contains("inputs"));

  MetricsSnapshot m = ctl->metrics();
  ASSERT_EQ(m.services.size(), 1u);
  EXPECT_EQ(m.services[0].desired, 1);
  EXPECT_EQ(m.services[0].running, 1);
  EXPECT_EQ(m.services[0].scaling_events["CappedAtMax"], 1u);
  EXPECT_EQ(m.task_starts, 10u);
  EXPECT_EQ(m.task_exits, 9u);
  EXPECT_EQ(m.task_failures, 0u);
}

// ---------------------------------------------------------------------------------
// §8 T5: scale to zero and back.

TEST_F(ServiceTest, T5ScaleToZeroAndBack) {
  create_queue("q");
  apply(service_doc("z", {{"queue", "q"}, {"minTasks", 0}}));
  tick();
  EXPECT_EQ(desired("z"), 0);
  EXPECT_EQ(rt->launch_count(), 0u);

  run_for(10'000);
  send("q", 3);
  run_for(100);  // a change right after an evaluation waits at most minIntervalMs
  EXPECT_EQ(desired("z"), 1);
  ASSERT_EQ(rt->launch_count(), 1u);
  EXPECT_EQ(status("z")["lastReason"], "Activated");
  rt->start_all();
  const std::string task = rt->alive().at(0);

  run_for(2'000);  // t = 12
  std::vector<Delivered> got = receive_as(task, "q", 10);
  ASSERT_EQ(got.size(), 3u);
  run_for(28'000);  // t = 40
  remove_messages("q", got);
  run_for(299'800);  // t = 339.8: the window and the zero delay still hold
  EXPECT_EQ(desired("z"), 1);
  EXPECT_TRUE(rt->stopped_ids().empty());
  run_for(400);      // t = 340.2
  EXPECT_EQ(desired("z"), 0);
  EXPECT_EQ(status("z")["lastReason"], "Deactivated");
  ASSERT_EQ(rt->stopped_ids(), std::vector<std::string>{task});
  rt->exit_stopped();
  tick();
  EXPECT_EQ(status("z")["running"], 0);

  // Back: one message activates it again.
  run_for(5'000);
  send("q", 1);
  run_for(100);
  EXPECT_EQ(desired("z"), 1);
  EXPECT_EQ(rt->launch_count(), 2u);
}

// ---------------------------------------------------------------------------------
// §8 T14: scale-in never interrupts work.

TEST_F(ServiceTest, T14IdleStopsAtOnceBusyDrainsUntilItsLeaseEnds) {
  create_queue("q");
  apply(service_doc("d", {{"queue", "q"},
                          {"targetBacklogPerTask", 1},
                          {"includeInFlight", false},
                          {"scaleInCooldownSeconds", 0},
                          {"scaleToZeroDelaySeconds", 0}}));
  send("q", 3);
  tick();
  ASSERT_EQ(desired("d"), 3);
  rt->start_all();
  const std::vector<std::string> ids = rt->alive();
  ASSERT_EQ(ids.size(), 3u);
  const std::string a = ids[0], b = ids[1], c = ids[2];
  send("q", 1);
  // a: idle (took one message and finished it); b: 1 lease; c: 2 leases.
  remove_messages("q", receive_as(a, "q", 1));
  std::vector<Delivered> b_msgs = receive_as(b, "q", 1);
  ASSERT_EQ(b_msgs.size(), 1u);
  ASSERT_EQ(receive_as(c, "q", 10).size(), 2u);

  run_for(200);  // raw becomes 1 and the window is 0 → N = 1
  EXPECT_EQ(desired("d"), 1);
  EXPECT_EQ(rt->stopped_ids(), std::vector<std::string>{a});  // a gets SIGTERM at once
  EXPECT_EQ(task_state(a), "Stopping");
  EXPECT_EQ(task_state(b), "Draining");
  EXPECT_EQ(task_state(c), "Running");  // c counts as the one desired task
  json tb = *ctl->get_task(b);
  EXPECT_EQ(tb["status"]["draining"], true);
  EXPECT_EQ(tb["status"]["leases"], 1);
  EXPECT_EQ(status("d")["draining"], 1);
  EXPECT_EQ(count_reason("d", "Draining"), 1u);

  // Draining: b's long poll answers at once, empty, although a message is visible.
  send("q", 1);
  EXPECT_TRUE(receive_as(b, "q", 10, /*wait_s=*/20).empty());

  run_for(41'000);  // t ≈ 42: b still holds its lease → still draining
  EXPECT_EQ(task_state(b), "Draining");
  remove_messages("q", b_msgs);
  tick();
  EXPECT_EQ(task_state(b), "Stopping");
  EXPECT_EQ((*ctl->get_task(b))["status"]["stopReason"], "ScaleIn");
  EXPECT_EQ(rt->stopped_ids(), (std::vector<std::string>{a, b}));
  rt->exit_stopped();
  tick();
  EXPECT_EQ(task_state(b), "Succeeded");
  EXPECT_EQ(rt->launch_count(), 3u);
}

TEST_F(ServiceTest, DrainingTaskReturnsToServiceBeforeANewLaunchAndDrainTimeoutStopsIt) {
  create_queue("q");
  apply(service_doc("d", {{"queue", "q"},
                          {"targetBacklogPerTask", 1},
                          {"includeInFlight", false},
                          {"scaleInCooldownSeconds", 0},
                          {"scaleToZeroDelaySeconds", 0},
                          {"drainTimeoutSeconds", 60}}));
  send("q", 2);
  tick();
  rt->start_all();
  const std::vector<std::string> ids = rt->alive();
  ASSERT_EQ(ids.size(), 2u);
  ASSERT_EQ(receive_as(ids[0], "q", 1).size(), 1u);
  ASSERT_EQ(receive_as(ids[1], "q", 1).size(), 1u);
  run_for(200);  // B = 0 → N = 1: one busy task drains
  ASSERT_EQ(desired("d"), 1);
  std::vector<std::string> draining = task_ids("d", "Draining");
  ASSERT_EQ(draining.size(), 1u);

  send("q", 2);  // N = 2 again: the draining task comes back, no new process
  run_for(200);
  EXPECT_EQ(desired("d"), 2);
  EXPECT_EQ(task_state(draining[0]), "Running");
  EXPECT_EQ(rt->launch_count(), 2u);
  EXPECT_EQ(count_reason("d", "ReturnedToService"), 1u);

  // Drain again and let drainTimeoutSeconds pass with the lease held.
  for (const std::string& id : ids) receive_as(id, "q", 1);
  run_for(200);
  draining = task_ids("d", "Draining");
  ASSERT_EQ(draining.size(), 1u);
  run_for(59'700);
  EXPECT_EQ(task_state(draining[0]), "Draining");
  run_for(200);
  EXPECT_EQ(task_state(draining[0]), "Stopping");
  EXPECT_EQ((*ctl->get_task(draining[0]))["status"]["stopReason"], "DrainTimeout");
}

// ---------------------------------------------------------------------------------
// §5.4 restart back-off and §5.1 launch failures.

TEST_F(ServiceTest, RestartBackoffDoublesToSixtySecondsAndResetsAfterASixtySecondLife) {
  create_queue("q");
  apply(service_doc("b", {{"queue", "q"}}));
  tick();
  ASSERT_EQ(rt->launch_count(), 1u);
  size_t launches = 1;
  for (int64_t delay_s : {1, 2, 4, 8, 16, 32, 60, 60}) {
    SCOPED_TRACE(delay_s);
    const std::string id = rt->alive().back();
    rt->report_started(id);
    run_for(500);
    rt->report_exit(id, 1);  // lived 0.5 s
    EXPECT_EQ(task_state(id), "Failed");
    tick();
    EXPECT_EQ(rt->launch_count(), launches);
    EXPECT_EQ(status("b")["restartBackoffSeconds"], delay_s);
    run_for(delay_s * 1000 - 1);
    EXPECT_EQ(rt->launch_count(), launches);
    run_for(1);
    EXPECT_EQ(rt->launch_count(), ++launches);
    EXPECT_EQ(desired("b"), 1);  // back-off never changes N
  }
  EXPECT_EQ(count_reason("b", "BackOff"), 8u);

  // A 60 s life resets the back-off: its exit is replaced at once, the next short
  // life waits 1 s again.
  std::string id = rt->alive().back();
  rt->report_started(id);
  run_for(60'000);
  EXPECT_EQ(status("b")["restartBackoffSeconds"], 0);
  rt->report_exit(id, 0);
  tick();
  EXPECT_EQ(rt->launch_count(), ++launches);
  id = rt->alive().back();
  rt->report_started(id);
  rt->report_exit(id, 2);
  tick();
  EXPECT_EQ(rt->launch_count(), launches);
  run_for(999);
  EXPECT_EQ(rt->launch_count(), launches);
  run_for(1);
  EXPECT_EQ(rt->launch_count(), ++launches);
}

TEST_F(ServiceTest, LaunchFailureBacksOffWithAWarningAndKeepsN) {
  create_queue("q");
  apply(service_doc("f", {{"queue", "q"}, {"minTasks", 2}}));
  tick();
  ASSERT_EQ(rt->launch_count(), 2u);
  std::vector<std::string> ids = rt->alive();
  rt->report_launch_failed(ids[0], "exec worker: No such file or directory");
  rt->report_started(ids[1]);
  tick();
  EXPECT_EQ(desired("f"), 2);
  EXPECT_EQ(rt->launch_count(), 2u);
  EXPECT_EQ(task_state(ids[0]), "Failed");
  auto ev = *ctl->events("f");
  json failed;
  for (auto& e : ev["items"])
    if (e["reason"] == "LaunchFailed") failed = e;
  ASSERT_FALSE(failed.is_null());
  EXPECT_EQ(failed["type"], "Warning");
  EXPECT_NE(failed["message"].get<std::string>().find("No such file"), std::string::npos);
  EXPECT_EQ(count_reason("f", "BackOff"), 1u);
  run_for(1'000);
  ASSERT_EQ(rt->launch_count(), 3u);
  rt->report_launch_failed(rt->alive().back(), "exec worker: No such file or directory");
  tick();
  run_for(1'999);
  EXPECT_EQ(rt->launch_count(), 3u);
  run_for(1);
  EXPECT_EQ(rt->launch_count(), 4u);
  EXPECT_EQ(desired("f"), 2);
}

TEST_F(ServiceTest, TimeoutSecondsStopsTheTaskWhichIsThenReplaced) {
  create_queue("q");
  apply(service_doc("t", {{"queue", "q"}}, json{{"command", {"w"}}, {"timeoutSeconds", 30}, {"stopTimeoutSeconds", 5}}));
  tick();
  const std::string id = rt->alive().at(0);
  rt->report_started(id);
  run_for(29'999);
  EXPECT_TRUE(rt->stopped_ids().empty());
  run_for(1);
  ASSERT_EQ(rt->stops().size(), 1u);
  EXPECT_EQ(rt->stops()[0], (std::pair<std::string, int64_t>{id, 5'000}));
  EXPECT_EQ((*ctl->get_task(id))["status"]["stopReason"], "Timeout");
  rt->exit_stopped();
  tick();
  EXPECT_EQ(task_state(id), "Failed");
  EXPECT_EQ(rt->launch_count(), 2u);  // replaced by policy, no back-off after a 30 s life
}

// ---------------------------------------------------------------------------------
// reliability.md §2.7: restart, re-adoption, Lost.

TEST_F(ServiceTest, RestartAdoptsTheLiveTaskMarksTheOtherLostAndReplacesIt) {
  create_queue("q");
  apply(service_doc("r", {{"queue", "q"}}));
  send("q", 10);
  tick();
  ASSERT_EQ(desired("r"), 2);
  rt->start_all();
  const std::vector<std::string> ids = rt->alive();
  ASSERT_EQ(ids.size(), 2u);
  const auto [pid, ticks] = rt->process_of(ids[0]);

  stop_controller();  // ebbd goes away; the tasks' records stay Running
  runtime::Reconnected rc;
  rc.live.push_back({.task_id = ids[0], .pid = pid, .start_ticks = ticks, .cgroup = ""});
  start_controller(rc);

  EXPECT_EQ(task_state(ids[0]), "Running");
  EXPECT_EQ(task_state(ids[1]), "Lost");
  EXPECT_EQ(count_reason("r", "TaskLost"), 1u);
  EXPECT_EQ(rt->launch_count(), 0u);  // nothing launched before ticking
  tick();
  EXPECT_EQ(desired("r"), 2);  // restored
  EXPECT_EQ(rt->launch_count(), 1u);  // one replacement, not two
  EXPECT_TRUE(rt->stopped_ids().empty());
}

TEST_F(ServiceTest, RestartRecordsExitsThatHappenedWhileAway) {
  create_queue("q");
  apply(service_doc("r", {{"queue", "q"}}));
  tick();
  rt->start_all();
  const std::string id = rt->alive().at(0);
  run_for(20'000);  // it lived 20 s: replaced without back-off
  stop_controller();
  runtime::Reconnected rc;
  runtime::TaskExited gone;
  gone.task_id = id;
  gone.pid = 4000;
  gone.exit_code = 3;
  gone.reason = "Error";
  gone.ended_ms = clock.now_ms();
  rc.exited.push_back(gone);
  start_controller(rc);
  EXPECT_EQ(task_state(id), "Failed");
  EXPECT_EQ((*ctl->get_task(id))["status"]["exitCode"], 3);
  tick();
  EXPECT_EQ(rt->launch_count(), 1u);
}

TEST_F(ServiceTest, LostLauncherIsReconnectedAndLostTasksAreReplaced) {
  create_queue("q");
  apply(service_doc("l", {{"queue", "q"}, {"minTasks", 2}}));
  tick();
  rt->start_all();
  const std::vector<std::string> ids = rt->alive();
  ASSERT_EQ(ids.size(), 2u);
  rt->report_runtime_lost("launcher exited");
  EXPECT_EQ(task_state(ids[0]), "Lost");
  EXPECT_EQ(count_reason("l", "RuntimeLost"), 1u);
  tick();  // reconnects (runtime.start again), then replaces both without back-off
  EXPECT_EQ(rt->starts, 2);
  EXPECT_EQ(rt->launch_count(), 4u);
  EXPECT_EQ(desired("l"), 2);
}

TEST_F(ServiceTest, ShutdownStopsEveryTaskOrLeavesThemForTheNextEbbd) {
  create_queue("q");
  apply(service_doc("s", {{"queue", "q"}, {"minTasks", 2}}));
  tick();
  rt->start_all();
  std::vector<std::string> ids = rt->alive();
  ctl->shutdown(/*stop_tasks=*/true, Millis{0});
  settle();
  EXPECT_EQ(rt->shutdowns(), std::vector<bool>{true});
  std::vector<std::string> stopped = rt->stopped_ids();
  std::sort(stopped.begin(), stopped.end());
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(stopped, ids);
  EXPECT_EQ((*ctl->get_task(ids[0]))["status"]["stopReason"], "Shutdown");
  rt->exit_stopped();
  tick();  // nothing is launched while shutting down
  EXPECT_EQ(task_state(ids[0]), "Succeeded");
  EXPECT_EQ(rt->launch_count(), 2u);
}

TEST_F(ServiceTest, ShutdownWithoutStoppingLeavesTasksRunning) {
  create_queue("q");
  apply(service_doc("s", {{"queue", "q"}}));
  tick();
  rt->start_all();
  ctl->shutdown(/*stop_tasks=*/false, Millis{0});
  EXPECT_EQ(rt->shutdowns(), std::vector<bool>{false});
  EXPECT_TRUE(rt->stopped_ids().empty());
  EXPECT_EQ(task_state(rt->alive().at(0)), "Running");
}

// ---------------------------------------------------------------------------------
// Events, records and pruning.

TEST_F(ServiceTest, EventsAndFinishedTasksArePruned) {
  stop_controller();
  cfg.events_kept = 5;
  cfg.finished_tasks_kept = 2;
  start_controller();
  create_queue("q");
  apply(service_doc("p", {{"queue", "q"}}));
  tick();
  for (int i = 0; i < 6; ++i) {
    const std::string id = rt->alive().back();
    rt->report_started(id);
    run_for(20'000);  // 20 s lives: replaced at once, no back-off
    rt->report_exit(id, 0);
    tick();
  }
  settle();
  EXPECT_EQ(ctl->events("p")->at("items").size(), 5u);
  EXPECT_EQ(records_of("event"), 5u);
  EXPECT_EQ(task_ids("p", "Succeeded").size(), 2u);
  EXPECT_EQ(records_of("task"), 3u);  // 2 finished + 1 alive
  // Event keys: "<service>/<12-digit sequence>".
  for (auto& r : store.load_records()) {
    if (r.kind != "event") continue;
    EXPECT_EQ(r.key.size(), std::string("p/").size() + 12) << r.key;
  }
  EXPECT_EQ(ctl->list_tasks("service/p", false)["items"].size(), 1u);
  EXPECT_EQ(ctl->list_tasks("", true)["items"].size(), 3u);
}

TEST_F(ServiceTest, ServiceRecordSurvivesRestartWithPausedAndOverrides) {
  create_queue("q");
  apply(service_doc("s", {{"queue", "q"}}));
  tick();
  ASSERT_TRUE(ctl->scale("s", 3, std::nullopt).ok());
  tick();
  EXPECT_EQ(desired("s"), 3);
  EXPECT_EQ(status("s")["minTasks"], 3);
  EXPECT_EQ(status("s")["lastReason"], "BoundsChanged");
  EXPECT_EQ(rt->launch_count(), 3u);
  ASSERT_TRUE(ctl->set_paused("s", true).ok());
  EXPECT_FALSE(ctl->scale("s", 5, 4).ok());
  EXPECT_EQ(ctl->scale("nope", 1, 2).error().code, Code::NotFound);
  rt->start_all();
  stop_controller();
  runtime::Reconnected rc;
  for (const std::string& id : rt->alive()) {
    auto [pid, ticks] = rt->process_of(id);
    rc.live.push_back({.task_id = id, .pid = pid, .start_ticks = ticks, .cgroup = ""});
  }
  start_controller(rc);
  json st = status("s");
  EXPECT_EQ(st["desired"], 3);
  EXPECT_EQ(st["paused"], true);
  EXPECT_EQ(st["minTasks"], 3);
  EXPECT_EQ(st["running"], 3);
  send("q", 100);
  tick();
  EXPECT_EQ(desired("s"), 3);  // paused freezes N
  ASSERT_TRUE(ctl->set_paused("s", false).ok());
  tick();
  EXPECT_EQ(desired("s"), 10);
  EXPECT_EQ(count_reason("s", "Suspended"), 1u);
  EXPECT_GE(count_reason("s", "Paused"), 1u);  // the decision while paused
  EXPECT_EQ(count_reason("s", "Resumed"), 1u);
}

// ---------------------------------------------------------------------------------
// apply / remove / views.

TEST_F(ServiceTest, ApplyActionsAndWarnings) {
  create_queue("q");
  std::vector<std::string> warnings;
  auto r = ctl->apply(service_doc("a", {{"queue", "q"}}), warnings);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first, "created");
  EXPECT_TRUE(warnings.empty());
  r = ctl->apply(service_doc("a", {{"queue", "q"}}), warnings);
  EXPECT_EQ(r->first, "unchanged");
  r = ctl->apply(service_doc("a", {{"queue", "q"}, {"maxTasks", 4}}), warnings);
  EXPECT_EQ(r->first, "configured");
  r = ctl->apply(service_doc("b", {{"queue", "q"}}), warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "queue q also feeds service a (each service sees the full backlog)");
  warnings.clear();
  r = ctl->apply(service_doc("c", {{"queue", "missing"}}), warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("does not exist"), std::string::npos);
  tick();
  // A missing queue is B = 0 with a Warning event, not an error.
  EXPECT_EQ(desired("c"), 1);
  EXPECT_EQ(count_reason("c", "QueueNotFound"), 1u);
  create_queue("missing");
  send("missing", 50);
  run_for(200);
  EXPECT_EQ(desired("c"), 10);
  EXPECT_EQ(count_reason("c", "QueueNotFound"), 1u);
  EXPECT_EQ(ctl->list()["items"].size(), 3u);
}

TEST_F(ServiceTest, TemplateChangeReplacesIdleTasksAndDrainsBusyOnes) {
  create_queue("q");
  apply(service_doc("u", {{"queue", "q"}}));
  send("q", 10);
  tick();
  rt->start_all();
  const std::vector<std::string> old = rt->alive();
  ASSERT_EQ(old.size(), 2u);
  std::vector<Delivered> held = receive_as(old[1], "q", 1);
  ASSERT_EQ(held.size(), 1u);
  apply(service_doc("u", {{"queue", "q"}}, json{{"command", {"worker-v2"}}}), "configured");
  tick();
  EXPECT_EQ(task_state(old[0]), "Stopping");
  EXPECT_EQ((*ctl->get_task(old[0]))["status"]["stopReason"], "Replaced");
  EXPECT_EQ(task_state(old[1]), "Draining");
  auto launches = rt->launches();
  ASSERT_EQ(launches.size(), 4u);
  EXPECT_EQ(launches[2].argv, std::vector<std::string>{"worker-v2"});
  EXPECT_EQ(launches[3].argv, std::vector<std::string>{"worker-v2"});
  EXPECT_EQ(desired("u"), 2);
  remove_messages("q", held);
  tick();
  EXPECT_EQ(task_state(old[1]), "Stopping");
  rt->exit_stopped();
  rt->start_all();
  tick();
  EXPECT_EQ(status("u")["running"], 2);
  EXPECT_EQ(rt->launch_count(), 4u);
}

TEST_F(ServiceTest, RemoveStopsTasksAndDeletesRecords) {
  create_queue("q");
  apply(service_doc("x", {{"queue", "q"}, {"minTasks", 2}}, json{{"command", {"w"}}, {"stopTimeoutSeconds", 7}}));
  tick();
  rt->start_all();
  auto r = ctl->remove("x");
  ASSERT_TRUE(r.ok());
  settle();
  EXPECT_EQ(ctl->get("x").error().code, Code::NotFound);
  EXPECT_EQ(ctl->remove("x").error().code, Code::NotFound);
  auto stops = rt->stops();
  ASSERT_EQ(stops.size(), 2u);
  EXPECT_EQ(stops[0].second, 7'000);
  EXPECT_EQ(records_of("service"), 0u);
  EXPECT_EQ(records_of("event"), 0u);
  EXPECT_EQ(records_of("task"), 2u);  // until they exit
  rt->exit_stopped();
  settle();
  EXPECT_EQ(records_of("task"), 0u);
  tick();
  EXPECT_EQ(rt->launch_count(), 2u);
}

TEST_F(ServiceTest, ViewsHaveTheDocumentedShape) {
  create_queue("q");
  json doc = service_doc("v", {{"queue", "q"}},
                         json{{"command", {"python3", "worker.py"}}, {"resources", {{"cpu", "500m"}, {"memory", "1Gi"}}}});
  doc["metadata"]["labels"] = {{"app", "thumbs"}};
  apply(doc);
  tick();
  const std::string id = rt->alive().at(0);
  json svc = *ctl->get("v");
  EXPECT_EQ(svc["apiVersion"], "ebb/v1");
  EXPECT_EQ(svc["kind"], "Service");
  EXPECT_EQ(svc["metadata"]["name"], "v");
  EXPECT_EQ(svc["metadata"]["labels"]["app"], "thumbs");
  EXPECT_TRUE(svc["metadata"]["creationTimestamp"].is_string());
  EXPECT_EQ(svc["spec"], doc["spec"]);
  std::set<std::string> keys;
  for (auto& [k, _] : svc["status"].items()) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"desired", "running", "starting", "draining", "stopping", "paused",
                                         "backlog", "backlogPerTask", "target", "minTasks", "maxTasks",
                                         "triggers", "lastScaleTime", "lastReason", "restartBackoffSeconds",
                                         "limits", "decisions"}));
  EXPECT_EQ(svc["status"]["triggers"][0].size(), 7u);
  EXPECT_EQ(svc["status"]["limits"].size(), 6u);
  EXPECT_TRUE(svc["status"]["lastScaleTime"].is_null());
  EXPECT_EQ(svc["status"]["target"].dump(), "5");

  json task = *ctl->get_task(id);
  EXPECT_EQ(task["kind"], "Task");
  EXPECT_EQ(task["metadata"]["name"], id);
  EXPECT_EQ(task["spec"],
            (json{{"owner", "service/v"}, {"command", {"python3", "worker.py"}}, {"cpu", "500m"}, {"memory", "1Gi"}}));
  keys.clear();
  for (auto& [k, _] : task["status"].items()) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"state", "pid", "startedAt", "endedAt", "exitCode", "signal", "reason",
                                         "message", "cpuSeconds", "peakRssBytes", "leases", "draining", "logPath",
                                         "stopReason"}));
  EXPECT_EQ(task["status"]["state"], "Starting");
  EXPECT_TRUE(task["status"]["pid"].is_null());
  EXPECT_EQ(task["status"]["leases"], 0);
  EXPECT_EQ(ctl->get_task("nope").error().code, Code::NotFound);
  EXPECT_EQ(ctl->events("nope").error().code, Code::NotFound);

  // Launch spec: directories, environment, credentials known to the auth layer.
  runtime::LaunchSpec spec = rt->launches().at(0);
  const std::string dir = data_dir + "/tasks/" + id;
  EXPECT_EQ(spec.log_path, dir + "/output.log");
  EXPECT_EQ(spec.work_dir, dir + "/work");
  EXPECT_EQ(spec.limits.cpu_millis, 500);
  EXPECT_EQ(rt->env_of(id, "HOME"), dir + "/work");  // reliability.md §4.6 step 7: the work dir
  EXPECT_TRUE(spec.own_work_dir);                      // the launcher chowns it to the task user
  EXPECT_EQ(spec.uid, -1);                             // ControllerConfig default: the launcher's own
  EXPECT_EQ(rt->env_of(id, "EBB_QUEUE_URL"), "http://127.0.0.1:9324/000000000000/q");
  EXPECT_EQ(rt->env_of(id, "EBB_SERVICE"), "v");
  EXPECT_EQ(rt->env_of(id, "EBB_TASK_ID"), id);
  const std::string key = rt->env_of(id, "AWS_ACCESS_KEY_ID");
  EXPECT_EQ(ctl->task_secret(key), rt->env_of(id, "AWS_SECRET_ACCESS_KEY"));
  EXPECT_FALSE(ctl->task_secret("EBBTNOSUCHKEY0000000"));

  // Log paths: rotated first, then current; the service lists its tasks' logs.
  EXPECT_EQ(*ctl->log_paths("task/" + id), std::vector<std::string>{dir + "/output.log"});
  EXPECT_TRUE(ctl->log_paths("service/v")->empty());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/output.log") << "hello\n";
  std::ofstream(dir + "/output.log.1") << "older\n";
  EXPECT_EQ(*ctl->log_paths("task/" + id), (std::vector<std::string>{dir + "/output.log.1", dir + "/output.log"}));
  EXPECT_EQ(*ctl->log_paths("service/v"), (std::vector<std::string>{dir + "/output.log.1", dir + "/output.log"}));
  EXPECT_EQ(ctl->log_paths("task/nope").error().code, Code::NotFound);
  EXPECT_EQ(ctl->log_paths("service/nope").error().code, Code::NotFound);

  rt->report_started(id);
  rt->report_exit(id, 1);
  task = *ctl->get_task(id);
  EXPECT_EQ(task["status"]["state"], "Failed");
  EXPECT_EQ(task["status"]["exitCode"], 1);
  EXPECT_TRUE(task["status"]["signal"].is_null());
  EXPECT_EQ(task["status"]["reason"], "Error");
  EXPECT_TRUE(task["status"]["endedAt"].is_string());
  EXPECT_EQ(task["status"]["cpuSeconds"], 0.25);
  EXPECT_TRUE(task["status"]["leases"].is_null());
}

}  // namespace
}  // namespace ebb::service::testing
