// Server side of the native API, /api/v1 (docs/api.md). Every mutating engine call
// returns a Token; answers are sent only once that token is durable.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "api/admin/apply.h"
#include "api/http/http_message.h"
#include "clock/clock.h"
#include "obs/activity.h"
#include "obs/series.h"
#include "queue/engine.h"

namespace ebb::admin {

struct AdminConfig {
  std::string public_url;  // base of queue URLs; "" = from the Host header
  std::string scheme = "http";  // of URLs from the Host header ("https" under TLS)
};

class AdminApi {
 public:
  // `post` runs work on the server's executor: used to leave the committer's thread
  // (when_durable callbacks must stay short) before calling the engine again.
  using Post = std::function<void(std::function<void()>)>;
  AdminApi(Engine& engine, Clock& clock, AdminConfig cfg, Post post);

  // `req.path` starts with /api/v1. Answers through `respond`, exactly once.
  void handle(const http::HttpRequest& req, http::Respond respond);
  // Services, tasks, logs and event sources (admin_workloads.cc). Set before serving.
  void set_controllers(Controllers c) { controllers_ = c; }
  // GET /api/v1/cost (admin_cost.cc). Set before serving; null answers 404.
  void set_activity(const obs::Activity* a) { activity_ = a; }
  // GET /api/v1/series (admin_series.cc). Set before serving; null answers 404.
  void set_series(const obs::SeriesStore* s) { series_ = s; }

 private:
  void list_queues(const http::HttpRequest& req, http::Respond respond);
  void get_queue(const http::HttpRequest& req, const std::string& name, http::Respond respond);
  void delete_queue(const std::string& name, http::Respond respond);
  void send(const http::HttpRequest& req, const std::string& name, http::Respond respond);
  void receive(const http::HttpRequest& req, const std::string& name, http::Respond respond);
  void peek(const http::HttpRequest& req, const std::string& name, http::Respond respond);
  void purge(const std::string& name, http::Respond respond);
  void start_redrive(const http::HttpRequest& req, const std::string& name, http::Respond respond);
  void list_redrives(const std::string& name, http::Respond respond);
  void apply(const http::HttpRequest& req, http::Respond respond);
  // admin_workloads.cc: false when `segs` is not one of its routes.
  bool handle_workloads(const std::vector<std::string>& segs, const http::HttpRequest& req, http::Respond respond);
  // admin_alarms.cc: /alarms[/NAME]; false when `segs` is not one of its routes.
  bool handle_alarms(const std::vector<std::string>& segs, const http::HttpRequest& req, http::Respond respond);
  // admin_secrets.cc: /secrets[/NAME] (write-only values); false when not its route.
  bool handle_secrets(const std::vector<std::string>& segs, const http::HttpRequest& req, http::Respond respond);
  void read_logs(const http::HttpRequest& req, http::Respond respond);
  void cost(const http::HttpRequest& req, http::Respond respond);
  void series(const http::HttpRequest& req, http::Respond respond);

  // Sends `reply` once `token` is durable (a 503 if the commit failed).
  void answer_when_durable(Token token, http::HttpResponse reply, http::Respond respond);
  std::string url_base(const http::HttpRequest& req) const;

  Engine& engine_;
  Clock& clock_;
  AdminConfig cfg_;
  Post post_;
  Controllers controllers_;
  const obs::Activity* activity_ = nullptr;
  const obs::SeriesStore* series_ = nullptr;
};

}  // namespace ebb::admin
