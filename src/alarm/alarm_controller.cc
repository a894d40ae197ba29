#include "alarm/alarm_controller.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <tuple>

#include "alarm/alarm_spec.h"
#include "alarm/evaluator.h"
#include "alarm/metric_sampler.h"
#include "base/rfc3339.h"
#include "sched/job_controller.h"

namespace ebb::alarm {
namespace {

using nlohmann::json;

constexpr int64_t kIdleMs = 60'000;

json datapoints_json(const std::vector<Datapoint>& window, const AlarmSpec& spec) {
  json out = json::array();
  for (const Datapoint& d : window) {
    json values = json::array();
    for (double v : d.values) values.push_back(std::isnan(v) ? json(nullptr) : json(v));
    json p = {{"start", rfc3339_s(d.start_ms)},
              {"value", values.empty() ? json(nullptr) : values[0]},
              {"missing", d.missing},
              {"breaching", d.breaching}};
    if (spec.conditions.size() > 1) p["values"] = values;
    out.push_back(std::move(p));
  }
  return out;
}

json condition_json(const Condition& c) {
  json labels = json::object();
  for (auto& [k, v] : c.labels) labels[k] = v;
  return {{"metric", c.metric},
          {"labels", labels},
          {"statistic", statistic_name(c.statistic)},
          {"comparison", c.comparison == Comparison::GreaterThan          ? "GreaterThanThreshold"
                         : c.comparison == Comparison::GreaterThanOrEqual ? "GreaterThanOrEqualToThreshold"
                         : c.comparison == Comparison::LessThan           ? "LessThanThreshold"
                                                                          : "LessThanOrEqualToThreshold"},
          {"threshold", c.threshold}};
}

std::string escape_label(const std::string& v) {
  std::string out;
  for (char ch : v) {
    if (ch == '\\') out += "\\\\";
    else if (ch == '"') out += "\\\"";
    else if (ch == '\n') out += "\\n";
    else out += ch;
  }
  return out;
}

std::string number_text(double v) {
  std::ostringstream o;
  o.precision(17);
  o << v;
  return o.str();
}

// A notification waiting to run or to be retried.
struct Pending {
  std::string id;        // "<alarm>/<transition>/<action index>"
  size_t action = 0;
  std::string state;     // the state entered
  std::string payload;   // JSON text
  int attempts = 0;      // failed attempts so far
  int64_t next_ms = 0;
  bool ready = false;    // the transition that produced it is durable
  bool in_flight = false;

  json to_json() const {
    return {{"id", id}, {"action", action}, {"state", state}, {"payload", payload}, {"attempts", attempts}};
  }
};

struct Obj {
  json doc;
  AlarmSpec spec;
  std::unique_ptr<Evaluator> ev;
  std::vector<ConditionSampler> samplers;
  int64_t created_ms = 0;
  int64_t state_since_ms = 0;
  std::string reason;
  int64_t seq = 0;  // transitions so far
  std::map<std::string, int64_t> transitions_to;
  std::map<std::string, int64_t> deliveries;  // "success" | "failure" → webhook attempts
  std::vector<json> history;                  // oldest first
  std::vector<Pending> outbox;
  int64_t next_sample_ms = 0;
  uint64_t generation = 0;  // bumped by apply: samples taken for an older spec are dropped

  State state() const { return ev->state(); }
};

}  // namespace

struct AlarmController::Impl : std::enable_shared_from_this<AlarmController::Impl> {
  Clock& clock;
  Committer& committer;
  Engine& engine;
  sched::JobController* jobs;
  std::unique_ptr<WebhookSender> sender;
  AlarmControllerConfig cfg;
  Scrape scrape;
  mutable std::mutex mu;
  std::map<std::string, Obj> alarms;
  std::function<void()> wakeup;
  uint64_t generations = 0;
  bool stopped = false;
  std::vector<std::pair<WebhookRequest, std::function<void(WebhookOutcome)>>> outgoing;
  std::vector<std::tuple<Token, std::string, std::vector<std::string>>> durable_waits;

  Impl(Clock& c, Committer& cm, Engine& e, sched::JobController* j, std::unique_ptr<WebhookSender> s,
       AlarmControllerConfig conf)
      : clock(c), committer(cm), engine(e), jobs(j), sender(std::move(s)), cfg(std::move(conf)) {}

  void build(Obj& o, const AlarmSpec& spec, State state) {
    o.spec = spec;
    o.ev = std::make_unique<Evaluator>(spec, state);
    o.samplers.clear();
    for (const Condition& c : spec.conditions) o.samplers.emplace_back(c);
    o.generation = ++generations;
  }

  void add_history(Obj& o, json entry) {
    o.history.push_back(std::move(entry));
    if (o.history.size() > cfg.history_limit) o.history.erase(o.history.begin());
  }

  json record_json(const Obj& o) const {
    json outbox = json::array();
    for (const Pending& p : o.outbox) outbox.push_back(p.to_json());
    return {{"doc", o.doc},
            {"createdMs", o.created_ms},
            {"state", state_name(o.state())},
            {"stateSinceMs", o.state_since_ms},
            {"reason", o.reason},
            {"seq", o.seq},
            {"transitionsTo", o.transitions_to},
            {"deliveries", o.deliveries},
            {"history", o.history},
            {"outbox", outbox}};
  }

  Token persist(const Obj& o) {
    return committer.append(op::PutRecord{"alarm", o.spec.name, record_json(o).dump()});
  }

  // The JSON a webhook receives and a queue action sends.
  std::string payload(const Obj& o, const Transition& t) const {
    json p = {{"version", "ebb/v1"},
              {"kind", "AlarmStateChange"},
              {"id", o.spec.name + "/" + std::to_string(o.seq)},
              {"alarm", o.spec.name},
              {"description", o.spec.description},
              {"time", rfc3339_s(t.at_ms)},
              {"previousState", state_name(t.from)},
              {"state", state_name(t.to)},
              {"reason", t.reason},
              {"condition", condition_json(o.spec.conditions[0])},
              {"periodSeconds", o.spec.period_seconds},
              {"evaluationPeriods", o.spec.evaluation_periods},
              {"datapointsToAlarm", o.spec.datapoints_to_alarm},
              {"datapoints", datapoints_json(t.window, o.spec)}};
    if (o.spec.conditions.size() > 1) {
      json more = json::array();
      for (size_t i = 1; i < o.spec.conditions.size(); ++i) more.push_back(condition_json(o.spec.conditions[i]));
      p["and"] = more;
    }
    return p.dump(-1, ' ', false, json::error_handler_t::replace);
  }

  void record_transition(Obj& o, const Transition& t) {
    ++o.seq;
    o.transitions_to[std::string(state_name(t.to))]++;
    o.state_since_ms = t.at_ms;
    o.reason = t.reason;
    add_history(o, {{"timeMs", t.at_ms},
                    {"type", "StateUpdate"},
                    {"from", state_name(t.from)},
                    {"to", state_name(t.to)},
                    {"summary", "Alarm updated from " + std::string(state_name(t.from)) + " to " +
                                    std::string(state_name(t.to))},
                    {"reason", t.reason},
                    {"datapoints", datapoints_json(t.window, o.spec)}});
    std::vector<size_t> fresh;
    if (!o.spec.suspend) {
      for (size_t i = 0; i < o.spec.actions.size(); ++i) {
        if (!o.spec.actions[i].runs_on(t.to)) continue;
        Pending p;
        p.id = o.spec.name + "/" + std::to_string(o.seq) + "/" + std::to_string(i);
        p.action = i;
        p.state = state_name(t.to);
        p.payload = payload(o, t);
        p.next_ms = t.at_ms;
        o.outbox.push_back(std::move(p));
        fresh.push_back(o.outbox.size() - 1);
      }
    }
    Token tok = persist(o);
    if (fresh.empty()) return;
    // Act only once the change (and the notifications it owes) is durable. Registered
    // by tick() after `mu` is released: the committer may call back at once.
    std::vector<std::string> ids;
    for (size_t i : fresh) ids.push_back(o.outbox[i].id);
    durable_waits.emplace_back(tok, o.spec.name, std::move(ids));
  }

  void watch_durable(Token tok, const std::string& name, const std::vector<std::string>& ids) {
    std::weak_ptr<Impl> self = weak_from_this();
    committer.when_durable(tok, [self, name, ids](bool ok) {
      auto im = self.lock();
      if (!im || !ok) return;
      std::function<void()> wake;
      {
        std::lock_guard<std::mutex> g(im->mu);
        auto it = im->alarms.find(name);
        if (it == im->alarms.end()) return;
        for (Pending& p : it->second.outbox)
          if (std::find(ids.begin(), ids.end(), p.id) != ids.end()) p.ready = true;
        wake = im->wakeup;
      }
      if (wake) wake();
    });
  }

  // The action is over (done or given up): off the outbox, into the history.
  void finish(Obj& o, const std::string& id, bool ok, const std::string& summary) {
    auto it = std::find_if(o.outbox.begin(), o.outbox.end(), [&](const Pending& p) { return p.id == id; });
    if (it == o.outbox.end()) return;
    add_history(o, {{"timeMs", clock.now_ms()},
                    {"type", "Action"},
                    {"result", ok ? "success" : "failure"},
                    {"notification", id},
                    {"summary", summary}});
    o.outbox.erase(it);
    persist(o);
  }

  std::optional<std::string> secret_of(const Action& a, std::string& why) const {
    if (!a.secret_env.empty()) {
      auto v = cfg.getenv ? cfg.getenv(a.secret_env) : std::nullopt;
      if (!v || v->empty()) why = "environment variable " + a.secret_env + " is not set in ebbd's environment";
      return v && !v->empty() ? v : std::nullopt;
    }
    if (a.secret_name.empty()) return std::string();
    if (cfg.secrets)
      if (std::optional<std::string> v = cfg.secrets(a.secret_name, a.secret_key); v && !v->empty()) return v;
    std::ifstream f(cfg.data_dir + "/secrets/" + a.secret_name, std::ios::binary);
    if (!f) {
      why = "secret " + a.secret_name + " not found (key " + a.secret_key + "; create it with `ebb secret create " + a.secret_name + "`)";
      return std::nullopt;
    }
    std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    if (s.empty()) {
      why = "secret " + a.secret_name + " is empty";
      return std::nullopt;
    }
    return s;
  }

  // Runs one due notification. Called with `mu` held.
  void run(Obj& o, Pending& p, int64_t now) {
    if (p.action >= o.spec.actions.size()) return finish(o, p.id, false, "the action no longer exists");
    const Action& a = o.spec.actions[p.action];
    const std::string id = p.id;
    switch (a.kind) {
      case Action::Kind::Log: {
        json fields = json::parse(p.payload, nullptr, false);
        json f = {{"alarm", o.spec.name}, {"state", p.state}};
        if (fields.is_object()) {
          f["previous_state"] = fields.value("previousState", "");
          f["reason"] = fields.value("reason", "");
        }
        if (cfg.log) cfg.log(a.log_level, "alarm " + o.spec.name + " is " + p.state, f);
        return finish(o, id, true, "logged at " + a.log_level);
      }
      case Action::Kind::Queue: {
        SendEntry e;
        e.body = p.payload;
        e.attrs = {{"ebb.alarm", "String", o.spec.name, false}, {"ebb.alarmState", "String", p.state, false}};
        if (!a.group_id.empty()) {
          e.group_id = a.group_id;
          e.dedup_id = id;  // a resumed notification is not sent twice within 5 minutes
        }
        Token t = 0;
        auto res = engine.send(a.queue, {std::move(e)}, t);
        std::string error = !res ? res.error().message : !(*res)[0] ? (*res)[0].error().message : "";
        if (error.empty()) return finish(o, id, true, "sent message " + (*res)[0]->message_id + " to queue " + a.queue);
        return retry_or_fail(o, p, now, 5, true, "queue " + a.queue + ": " + error);
      }
      case Action::Kind::Task: {
        if (!jobs) return finish(o, id, false, "tasks are not available on this server");
        std::string base = o.spec.name.substr(0, 40);
        while (!base.empty() && (base.back() == '-' || base.back() == '.')) base.pop_back();
        const std::string job = base + "-alarm-" + std::to_string(o.seq) + "-" + std::to_string(p.action);
        json annotations = {{"ebb/env.EBB_ALARM_NAME", o.spec.name},
                            {"ebb/env.EBB_ALARM_STATE", p.state},
                            {"ebb/env.EBB_ALARM_NOTIFICATION", id}};
        json fields = json::parse(p.payload, nullptr, false);
        if (fields.is_object()) {
          annotations["ebb/env.EBB_ALARM_PREVIOUS_STATE"] = fields.value("previousState", "");
          annotations["ebb/env.EBB_ALARM_REASON"] = fields.value("reason", "");
        }
        auto t = jobs->create(job, a.job_spec, "alarm/" + o.spec.name, json::object(), annotations);
        if (t.ok() || t.error().code == Code::Conflict) return finish(o, id, true, "started job " + job);
        return retry_or_fail(o, p, now, 5, true, "job " + job + ": " + t.error().message);
      }
      case Action::Kind::Webhook: {
        std::string why;
        std::optional<std::string> secret = secret_of(a, why);
        if (!secret) return retry_or_fail(o, p, now, a.max_attempts, true, "webhook " + a.url + ": " + why);
        WebhookRequest r;
        r.url = a.url;
        r.body = p.payload;
        r.timeout_seconds = a.timeout_seconds;
        r.headers = {{"Content-Type", "application/json"},
                     {"User-Agent", "ebb-alarms/1"},
                     {"X-Ebb-Event", "AlarmStateChange"},
                     {"X-Ebb-Delivery", id},
                     {"X-Ebb-Attempt", std::to_string(p.attempts + 1)}};
        if (!secret->empty()) r.headers.emplace_back("X-Ebb-Signature-256", signature_header(*secret, r.body));
        p.in_flight = true;
        std::weak_ptr<Impl> self = weak_from_this();
        std::string name = o.spec.name;
        // Sent by tick() once `mu` is released (a sender may answer on the calling thread).
        outgoing.emplace_back(std::move(r), [self, name, id](WebhookOutcome out) {
          auto im = self.lock();
          if (!im) return;
          std::function<void()> wake;
          {
            std::lock_guard<std::mutex> g(im->mu);
            im->webhook_done(name, id, out);
            wake = im->wakeup;
          }
          if (wake) wake();
        });
        return;
      }
    }
  }

  void webhook_done(const std::string& name, const std::string& id, const WebhookOutcome& out) {
    auto it = alarms.find(name);
    if (it == alarms.end()) return;
    Obj& o = it->second;
    auto p = std::find_if(o.outbox.begin(), o.outbox.end(), [&](const Pending& x) { return x.id == id; });
    if (p == o.outbox.end()) return;
    p->in_flight = false;
    o.deliveries[out.ok() ? "success" : "failure"]++;
    // The alarm may have been changed while the request was out: its actions then
    // decide the retries; an action that is gone is not retried.
    const bool known = p->action < o.spec.actions.size() && o.spec.actions[p->action].kind == Action::Kind::Webhook;
    const std::string url = known ? o.spec.actions[p->action].url : "(removed action)";
    if (out.ok()) return finish(o, id, true, "webhook " + url + " answered " + std::to_string(out.status));
    std::string what = out.status ? "answered " + std::to_string(out.status) : out.error;
    retry_or_fail(o, *p, clock.now_ms(), known ? o.spec.actions[p->action].max_attempts : 1, out.retryable(),
                  "webhook " + url + ": " + what);
  }

  void retry_or_fail(Obj& o, Pending& p, int64_t now, int max_attempts, bool retryable, const std::string& why) {
    p.in_flight = false;
    ++p.attempts;
    if (!retryable || p.attempts >= max_attempts) {
      return finish(o, p.id, false,
                    why + " (gave up after " + std::to_string(p.attempts) + " attempt" + (p.attempts == 1 ? "" : "s") + ")");
    }
    p.next_ms = now + retry_delay_ms(p.attempts);
  }

  json view(const Obj& o) const {
    json doc = o.doc;
    json md = doc.value("metadata", json::object());
    md["creationTimestamp"] = rfc3339_s(o.created_ms);
    doc["metadata"] = md;
    json history = json::array();
    for (auto it = o.history.rbegin(); it != o.history.rend(); ++it) {
      json h = *it;
      h["time"] = rfc3339_s(h.value("timeMs", int64_t(0)));
      h.erase("timeMs");
      history.push_back(std::move(h));
    }
    json pending = json::array();
    for (const Pending& p : o.outbox)
      pending.push_back({{"id", p.id}, {"action", o.spec.actions.size() > p.action ? o.spec.actions[p.action].describe() : ""},
                         {"attempts", p.attempts}});
    std::vector<Datapoint> window(o.ev->window().begin(), o.ev->window().end());
    doc["status"] = {{"state", state_name(o.state())},
                     {"stateReason", o.reason},
                     {"stateTransitionTime", rfc3339_s(o.state_since_ms)},
                     {"transitions", o.seq},
                     {"datapoints", datapoints_json(window, o.spec)},
                     {"pendingNotifications", pending},
                     {"history", history}};
    return doc;
  }
};

AlarmController::AlarmController(Clock& clock, Committer& committer, Engine& engine, sched::JobController* jobs,
                                 std::unique_ptr<WebhookSender> sender, AlarmControllerConfig cfg)
    : impl_(std::make_shared<Impl>(clock, committer, engine, jobs, std::move(sender), std::move(cfg))) {}

AlarmController::~AlarmController() { stop(); }

void AlarmController::set_scrape(Scrape s) {
  std::lock_guard<std::mutex> g(impl_->mu);
  impl_->scrape = std::move(s);
}

void AlarmController::stop() {
  {
    std::lock_guard<std::mutex> g(impl_->mu);
    impl_->stopped = true;
  }
  if (impl_->sender) impl_->sender->stop();
}

void AlarmController::load(const std::vector<RecordRow>& records) {
  std::lock_guard<std::mutex> g(impl_->mu);
  const int64_t now = impl_->clock.now_ms();
  for (const RecordRow& r : records) {
    if (r.kind != "alarm") continue;
    json j = json::parse(r.value, nullptr, false);
    if (!j.is_object()) continue;
    auto spec = alarm_spec(j.value("doc", json::object()));
    if (!spec.ok()) continue;
    Obj o;
    o.doc = j["doc"];
    impl_->build(o, *spec, parse_state(j.value("state", "")).value_or(State::InsufficientData));
    o.created_ms = j.value("createdMs", now);
    o.state_since_ms = j.value("stateSinceMs", o.created_ms);
    o.reason = j.value("reason", "");
    o.seq = j.value("seq", int64_t(0));
    o.transitions_to = j.value("transitionsTo", std::map<std::string, int64_t>{});
    o.deliveries = j.value("deliveries", std::map<std::string, int64_t>{});
    for (const json& h : j.value("history", json::array())) o.history.push_back(h);
    for (const json& p : j.value("outbox", json::array())) {
      Pending x;
      x.id = p.value("id", "");
      x.action = p.value("action", size_t(0));
      x.state = p.value("state", "");
      x.payload = p.value("payload", "");
      x.attempts = p.value("attempts", 0);
      x.next_ms = now;
      x.ready = true;  // it was durable: it was read back
      o.outbox.push_back(std::move(x));
    }
    o.next_sample_ms = now;
    impl_->alarms.emplace(spec->name, std::move(o));
  }
}

Result<std::pair<std::string, Token>> AlarmController::apply(const json& doc, std::vector<std::string>& warnings) {
  EBB_TRY(AlarmSpec spec, alarm_spec(doc));
  Impl& im = *impl_;
  // References are checked before anything changes (reliability.md §4.7 for secrets).
  for (size_t i = 0; i < spec.actions.size(); ++i) {
    const Action& a = spec.actions[i];
    const std::string path = "spec.notify[" + std::to_string(i) + "]";
    if (a.kind == Action::Kind::Webhook) {
      std::string why;
      if (!im.secret_of(a, why)) return err(Code::Invalid, path + ".webhook.secretRef: " + why);
    }
    if (a.kind == Action::Kind::Queue && !im.engine.queue_exists(a.queue).ok())
      return err(Code::Invalid, path + ".queue.name: queue " + a.queue + " does not exist");
    if (a.kind == Action::Kind::Task && !im.jobs)
      return err(Code::Invalid, path + ".task: tasks are not available on this server");
  }
  std::lock_guard<std::mutex> g(im.mu);
  const int64_t now = im.clock.now_ms();
  auto it = im.alarms.find(spec.name);
  if (it != im.alarms.end() && it->second.doc == doc) return std::pair<std::string, Token>{"unchanged", 0};
  std::string action = it == im.alarms.end() ? "created" : "configured";
  if (it == im.alarms.end()) {
    Obj o;
    o.created_ms = now;
    o.state_since_ms = now;
    o.reason = "Unchecked: Initial alarm creation";
    it = im.alarms.emplace(spec.name, std::move(o)).first;
    im.build(it->second, spec, State::InsufficientData);
    im.add_history(it->second, {{"timeMs", now}, {"type", "ConfigurationUpdate"}, {"summary", "Alarm created"}});
  } else {
    im.build(it->second, spec, it->second.state());
    im.add_history(it->second, {{"timeMs", now}, {"type", "ConfigurationUpdate"}, {"summary", "Alarm updated"}});
  }
  Obj& o = it->second;
  o.doc = doc;
  o.next_sample_ms = now;
  if (spec.suspend) warnings.push_back("suspend: true, the alarm changes state but runs no action");
  Token t = im.persist(o);
  if (im.wakeup) im.wakeup();
  return std::pair<std::string, Token>{action, t};
}

Result<Token> AlarmController::remove(const std::string& name) {
  std::lock_guard<std::mutex> g(impl_->mu);
  auto it = impl_->alarms.find(name);
  if (it == impl_->alarms.end()) return err(Code::NotFound, "alarm " + name + " not found");
  impl_->alarms.erase(it);
  return impl_->committer.append(op::DeleteRecord{"alarm", name});
}

json AlarmController::list() const {
  std::lock_guard<std::mutex> g(impl_->mu);
  json items = json::array();
  for (auto& [name, o] : impl_->alarms) items.push_back(impl_->view(o));
  return {{"apiVersion", "ebb/v1"}, {"kind", "List"}, {"items", items}};
}

Result<json> AlarmController::get(const std::string& name) const {
  std::lock_guard<std::mutex> g(impl_->mu);
  auto it = impl_->alarms.find(name);
  if (it == impl_->alarms.end()) return err(Code::NotFound, "alarm " + name + " not found");
  return impl_->view(it->second);
}

void AlarmController::render_metrics(std::string& out) const {
  std::lock_guard<std::mutex> g(impl_->mu);
  out += "# HELP ebb_alarm_state 1 for the alarm's current state, 0 for the others.\n# TYPE ebb_alarm_state gauge\n";
  for (auto& [name, o] : impl_->alarms) {
    for (State s : {State::Ok, State::Alarm, State::InsufficientData}) {
      out += "ebb_alarm_state{alarm=\"" + escape_label(name) + "\",state=\"" + std::string(state_name(s)) + "\"} " +
             (o.state() == s ? "1" : "0") + "\n";
    }
  }
  out += "# HELP ebb_alarm_transitions_total State changes by the state entered.\n"
         "# TYPE ebb_alarm_transitions_total counter\n";
  for (auto& [name, o] : impl_->alarms) {
    for (State s : {State::Ok, State::Alarm, State::InsufficientData}) {
      auto n = o.transitions_to.find(std::string(state_name(s)));
      out += "ebb_alarm_transitions_total{alarm=\"" + escape_label(name) + "\",to=\"" + std::string(state_name(s)) +
             "\"} " + number_text(double(n == o.transitions_to.end() ? 0 : n->second)) + "\n";
    }
  }
  out += "# HELP ebb_webhook_deliveries_total Alarm webhook attempts by result.\n"
         "# TYPE ebb_webhook_deliveries_total counter\n";
  for (auto& [name, o] : impl_->alarms) {
    bool has_webhook = std::any_of(o.spec.actions.begin(), o.spec.actions.end(),
                                   [](const Action& a) { return a.kind == Action::Kind::Webhook; });
    if (!has_webhook && o.deliveries.empty()) continue;
    for (const char* r : {"success", "failure"}) {
      auto n = o.deliveries.find(r);
      out += "ebb_webhook_deliveries_total{alarm=\"" + escape_label(name) + "\",result=\"" + r + "\"} " +
             number_text(double(n == o.deliveries.end() ? 0 : n->second)) + "\n";
    }
  }
}

MonoTime AlarmController::tick() {
  Impl& im = *impl_;
  const int64_t now = im.clock.now_ms();
  const MonoTime mono = im.clock.mono_now();
  std::set<std::string> names;
  Scrape scrape;
  {
    std::lock_guard<std::mutex> g(im.mu);
    if (im.stopped) return mono + Millis(kIdleMs);
    for (auto& [name, o] : im.alarms)
      if (o.next_sample_ms <= now)
        for (const Condition& c : o.spec.conditions) names.insert(c.metric);
    scrape = im.scrape;
  }
  // Outside the lock: the page includes this controller's own families.
  std::map<std::string, std::vector<Sample>> samples;
  const bool sampled = !names.empty() && scrape;
  if (sampled) samples = parse_samples(scrape(), names);

  std::unique_lock<std::mutex> lock(im.mu);
  int64_t wake = now + kIdleMs;
  for (auto& [name, o] : im.alarms) {
    if (sampled && o.next_sample_ms <= now) {
      std::vector<Observation> obs;
      for (ConditionSampler& s : o.samplers) obs.push_back(s.observe(samples));
      for (const Transition& t : o.ev->observe(now, obs)) im.record_transition(o, t);
      // On multiples of the interval: alarms with the same interval share one scrape,
      // whenever each was applied.
      const int64_t iv = o.spec.sample_interval_ms();
      o.next_sample_ms = (now / iv + 1) * iv;
    }
    wake = std::min(wake, o.next_sample_ms);
    for (size_t i = 0; i < o.outbox.size(); ++i) {
      Pending& p = o.outbox[i];
      if (!p.ready || p.in_flight) continue;
      if (p.next_ms <= now && !im.stopped) {
        const size_t before = o.outbox.size();
        im.run(o, p, now);
        if (o.outbox.size() < before) --i;  // finished: the next one moved here
        continue;
      }
      wake = std::min(wake, p.next_ms);
    }
    for (const Pending& p : o.outbox)
      if (p.ready && !p.in_flight) wake = std::min(wake, p.next_ms);
  }
  auto outgoing = std::move(im.outgoing);
  im.outgoing.clear();
  auto waits = std::move(im.durable_waits);
  im.durable_waits.clear();
  lock.unlock();
  for (auto& [tok, name, ids] : waits) im.watch_durable(tok, name, ids);
  for (auto& [req, done] : outgoing) im.sender->send(std::move(req), std::move(done));
  return mono + Millis(std::max<int64_t>(wake - now, 0));
}

void AlarmController::on_wakeup(std::function<void()> f) {
  std::lock_guard<std::mutex> g(impl_->mu);
  impl_->wakeup = std::move(f);
}

}  // namespace ebb::alarm
