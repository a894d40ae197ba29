// AlarmController: every `kind: Alarm` (docs/alarms.md). On its tick it samples
// ebbd's own /metrics text (the Scrape seam: the same renderer GET /metrics uses),
// feeds each alarm's Evaluator, records state changes with their history in the
// store (record kind "alarm", so state and history survive restarts), and runs the
// alarm's actions once the change is durable: webhooks (signed, retried with back-off
// on the injected clock, sent off the I/O threads), a message to a queue, a task (a
// one-attempt Job owned by "alarm/NAME"), or a log line. Undelivered notifications
// are kept in the record and resumed after a restart.
// The clock is injected; tick() returns the next instant it must run.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "alarm/webhook.h"
#include "base/result.h"
#include "clock/clock.h"
#include "queue/engine.h"
#include "store/committer.h"
#include "store/store.h"

namespace ebb::sched {
class JobController;
}

namespace ebb::alarm {

struct AlarmControllerConfig {
  std::string data_dir;  // webhook secrets by name: <data_dir>/secrets/<name>
  // A variable of ebbd's environment (secretRef.env); tests replace it.
  std::function<std::optional<std::string>(const std::string&)> getenv;
  // Secrets of the secret store (secretRef.name/key); null or nullopt: the file
  // <data_dir>/secrets/<name> is read instead (the pre-store way, still accepted).
  std::function<std::optional<std::string>(const std::string& name, const std::string& key)> secrets;
  // The log action: level "info" | "warning" | "error", message, fields.
  std::function<void(const std::string&, const std::string&, const nlohmann::json&)> log;
  size_t history_limit = 100;  // entries kept per alarm
};

class AlarmController {
 public:
  // The text of GET /metrics at this instant.
  using Scrape = std::function<std::string()>;

  // `jobs` may be null (task actions are then refused at apply).
  AlarmController(Clock& clock, Committer& committer, Engine& engine, sched::JobController* jobs,
                  std::unique_ptr<WebhookSender> sender, AlarmControllerConfig cfg);
  ~AlarmController();

  // Set before the first tick (the renderer shows this controller's own families).
  void set_scrape(Scrape s);
  // Records "alarm".
  void load(const std::vector<RecordRow>& records);
  void stop();  // no webhook starts after this

  // A validated Alarm document → created | configured | unchanged. A changed alarm
  // keeps its state (CloudWatch's PutMetricAlarm) and starts a fresh window.
  Result<std::pair<std::string, Token>> apply(const nlohmann::json& validated_doc, std::vector<std::string>& warnings);
  Result<Token> remove(const std::string& name);

  // Views (docs/api.md "Alarms"): {apiVersion, kind, metadata, spec, status: {state,
  // stateReason, stateTransitionTime, transitions, datapoints[], pendingNotifications,
  // history[] (newest first)}}.
  nlohmann::json list() const;
  Result<nlohmann::json> get(const std::string& name) const;

  // ebb_alarm_state, ebb_alarm_transitions_total, ebb_webhook_deliveries_total.
  void render_metrics(std::string& out) const;

  MonoTime tick();
  void on_wakeup(std::function<void()> f);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace ebb::alarm
