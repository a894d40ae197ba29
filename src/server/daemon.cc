#include "server/daemon.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "alarm/alarm_controller.h"
#include "api/admin/admin_api.h"
#include "api/http/http_server.h"
#include "api/sqs/sqs_api.h"
#include "clock/clock.h"
#include "obs/activity.h"
#include "obs/observed_store.h"
#include "queue/engine.h"
#include "runtime/runtime.h"
#include "runtime/runtime_hub.h"
#include "sched/job_controller.h"
#include "sched/schedule_controller.h"
#include "sched/task_definitions.h"
#include "service/service_controller.h"
#include "source/event_source.h"
#include "server/ticker.h"
#include "server/access_keys.h"
#include "server/credentials.h"
#include "store/secret_box.h"
#include "store/secret_store.h"
#include "server/http_metrics.h"
#include "server/log_fields.h"
#include "server/metrics_page.h"
#include "server/paths.h"
#include "server/router.h"
#include "server/series_sampler.h"
#include "store/committer.h"
#include "store/disk_guard.h"
#include "store/sqlite_open.h"
#include "store/fault_vfs.h"
#include "store/store.h"

namespace ebb::server {

namespace asio = boost::asio;

Ticker::Ticker(asio::io_context& ioc, Tick tick, SetWakeup set_wakeup, Millis cap)
    : tick_(std::move(tick)), set_wakeup_(std::move(set_wakeup)), cap_(cap), strand_(asio::make_strand(ioc)),
      timer_(strand_) {}

void Ticker::start() {
  set_wakeup_([this] { asio::post(strand_, [this] { run_now(); }); });
  asio::post(strand_, [this] { run_now(); });
}

void Ticker::stop() {
  set_wakeup_({});
  asio::post(strand_, [this] {
    stopped_ = true;
    timer_.cancel();
  });
}

void Ticker::run_now() {
  if (stopped_) return;
  arm(tick_());
}

void Ticker::arm(MonoTime next) {
  // The timer runs on the steady clock; `next` comes from the same clock in production.
  auto cap = std::chrono::steady_clock::now() + cap_;
  timer_.expires_at(std::min(next, cap));  // cancels the previous wait
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec == asio::error::operation_aborted) return;
    run_now();
  });
}

namespace {

// First start: show the new admin key pair once (stderr, not the structured log).
void announce_new_credentials(const AdminCredentials& c) {
  logf::info("created admin credentials", {{"path", c.path}, {"access_key_id", c.key.access_key_id}});
  std::fprintf(stderr,
               "\nebbd: created the admin key pair (shown once; also stored, mode 0600, in %s):\n"
               "  AWS_ACCESS_KEY_ID=%s\n  AWS_SECRET_ACCESS_KEY=%s\n"
               "Any AWS SDK or CLI can use it directly: AWS_SHARED_CREDENTIALS_FILE=%s\n\n",
               c.path.c_str(), c.key.access_key_id.c_str(), c.key.secret.c_str(), c.path.c_str());
}

// Drain on SIGTERM/SIGINT: not ready, stop accepting, answer parked long polls, let
// in-flight responses finish (bounded), then stop the I/O threads.
class Shutdown {
 public:
  Shutdown(asio::io_context& ioc, http::HttpServer& server, Engine& engine, std::function<void()> stop_timers,
           std::atomic<bool>& ready, std::chrono::seconds timeout)
      : ioc_(ioc), server_(server), engine_(engine), stop_timers_(std::move(stop_timers)), ready_(ready),
        timeout_(timeout),
        signals_(ioc, SIGTERM, SIGINT), poll_(ioc) {}

  void arm() {
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      begin(sig);
    });
  }

 private:
  void begin(int sig) {
    logf::info("shutting down", {{"signal", sig}, {"timeout_seconds", static_cast<int64_t>(timeout_.count())}});
    ready_ = false;
    server_.stop_accepting();
    engine_.release_all_waiters();
    server_.drain();
    deadline_ = std::chrono::steady_clock::now() + timeout_;
    // A second signal skips the wait.
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec) finish();
    });
    wait_for_connections();
  }

  void wait_for_connections() {
    if (server_.connections() == 0 || std::chrono::steady_clock::now() >= deadline_) return finish();
    poll_.expires_after(std::chrono::milliseconds(50));
    poll_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) wait_for_connections();
    });
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    if (size_t open = server_.connections()) logf::warn("closing connections at shutdown timeout", {{"open", open}});
    stop_timers_();
    ioc_.stop();
  }

  asio::io_context& ioc_;
  http::HttpServer& server_;
  Engine& engine_;
  std::function<void()> stop_timers_;
  std::atomic<bool>& ready_;
  std::chrono::seconds timeout_;
  asio::signal_set signals_;
  asio::steady_timer poll_;
  std::chrono::steady_clock::time_point deadline_;
  bool finished_ = false;
};

}  // namespace

// The CA bundle tasks get when ebbd serves HTTPS (AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS,
// SSL_CERT_FILE): the system trust store followed by the certificates of --tls-cert
// (never a key block, should the file hold one), so a private CA and a public one both
// work. Tasks run as another user and cannot enter the 0700 data directory, so the
// bundle lives in a fresh 0755 directory under the temporary directory, file 0644: it is
// public data. Returns the file's path.
static Result<std::string> write_task_ca_bundle(const std::string& cert_file) {
  auto slurp = [](const std::string& path, std::string& out) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    char buf[8192];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    std::fclose(f);
    return true;
  };
  std::string bundle, chain;
  slurp("/etc/ssl/certs/ca-certificates.crt", bundle);  // Debian's store; absent elsewhere is fine
  if (!bundle.empty() && bundle.back() != '\n') bundle += '\n';
  if (!slurp(cert_file, chain)) return err(Code::Invalid, "cannot read --tls-cert " + cert_file);
  static constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----", kEnd = "-----END CERTIFICATE-----";
  for (size_t at = chain.find(kBegin); at != std::string::npos; at = chain.find(kBegin, at)) {
    size_t end = chain.find(kEnd, at);
    if (end == std::string::npos) break;
    end += kEnd.size();
    bundle.append(chain, at, end - at);
    bundle += '\n';
    at = end;
  }
  std::error_code ec;
  std::string tmpl = (std::filesystem::temp_directory_path(ec) / "ebbd-ca-XXXXXX").string();
  if (ec) tmpl = "/tmp/ebbd-ca-XXXXXX";
  if (!::mkdtemp(tmpl.data())) return err(Code::InternalError, "cannot create " + tmpl + ": " + std::strerror(errno));
  ::chmod(tmpl.c_str(), 0755);
  const std::string path = tmpl + "/ca-bundle.pem";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return err(Code::InternalError, "cannot create " + path + ": " + std::strerror(errno));
  ::fchmod(fd, 0644);
  bool ok = ::write(fd, bundle.data(), bundle.size()) == ssize_t(bundle.size());
  ::close(fd);
  if (!ok) return err(Code::InternalError, "cannot write " + path);
  return path;
}

// Alarms read webhook secrets from <data dir>/secrets/ or ebbd's environment, and
// their log action writes ebbd's log.
static alarm::AlarmControllerConfig alarm_config(const std::string& data_dir) {
  alarm::AlarmControllerConfig c;
  c.data_dir = data_dir;
  c.getenv = [](const std::string& k) -> std::optional<std::string> {
    const char* v = std::getenv(k.c_str());
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  c.log = [](const std::string& level, const std::string& msg, const nlohmann::json& f) {
    auto lvl = level == "error" ? spdlog::level::err : level == "info" ? spdlog::level::info : spdlog::level::warn;
    logf::log(lvl, msg, {{"alarm", f.value("alarm", "")}, {"state", f.value("state", "")},
                         {"previous_state", f.value("previous_state", "")}, {"reason", f.value("reason", "")}});
  };
  return c;
}

int run_daemon(const DaemonConfig& cfg) {
  if (auto st = ensure_private_dir(cfg.data_dir); !st.ok()) {
    logf::error("cannot prepare the data directory", {{"error", st.error().message}});
    return 1;
  }
  // One ebbd per data directory: a second one would hold a diverging in-memory copy
  // of the same store. The lock dies with the process (kill -9 included).
  int lock_fd = ::open((cfg.data_dir + "/ebbd.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0 || ::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    logf::error("data directory is in use by another ebbd", {{"data_dir", cfg.data_dir}});
    return 1;
  }
  std::string db_path = cfg.data_dir + "/ebb.db";
  // Test hook (reliability.md §6.2): storage faults injected through an SQLite VFS shim.
  try {
    if (faultvfs::install_from_env())
      logf::warn("EBB_FAULT_VFS is set: storage faults are being injected (for tests only)", {});
  } catch (const std::exception& e) {
    logf::error("refusing to start", {{"error", e.what()}});
    return 2;
  }
  // Disk-full degradation (reliability.md P-D5): the watermark and the reserve file,
  // set up before the store so that a commit that hits ENOSPC can release the reserve.
  SystemClock clock;
  DiskGuard disk(clock, DiskGuardConfig{cfg.data_dir, cfg.min_free_disk_bytes, cfg.disk_reserve_bytes});
  disk.start();
  SqliteFullPolicy full_policy;
  full_policy.on_full = [&disk, attempts = full_policy.attempts](const std::string& error, int attempt) {
    logf::warn("a commit hit a full disk and was rolled back; releasing the reserve and retrying",
               {{"attempt", attempt}, {"max_attempts", attempts}, {"error", error}});
    disk.note_full();
  };
  full_policy.free_list_bytes = [&disk](int64_t b) { disk.set_reusable_bytes(b); };
  std::unique_ptr<Store> store;
  try {
    store = open_sqlite_store(db_path, std::move(full_policy));
  } catch (const std::exception& e) {
    logf::error("cannot open the store", {{"path", db_path}, {"error", e.what()}});
    return 1;
  }

  // Every commit passes the Activity (task/Job/schedule metrics, cost ledger) and is timed.
  obs::Activity activity(cfg.prices);
  obs::ObservedStore observed(*store, clock, &activity);
  Committer committer(observed);
  // Fail-stop (reliability.md P-D4): a commit that failed may or may not be on disk;
  // nothing more may be acknowledged. Exit at once; the supervisor restarts us.
  committer.on_fatal([](const std::string& why) {
    logf::error("store commit failed; exiting", {{"error", why}});
    ::_exit(75);
  });
  committer.start();

  EngineConfig ecfg;
  ecfg.region = cfg.region;
  ecfg.account = cfg.account_id;
  ecfg.purge_rate_limit = cfg.purge_rate_limit;
  ecfg.max_long_polls = cfg.max_long_polls;
  Engine engine(clock, *store, committer, ecfg);
  try {
    engine.load();
  } catch (const std::exception& e) {
    logf::error("cannot load queue state", {{"path", db_path}, {"error", e.what()}});
    committer.stop();
    return 1;
  }

  asio::io_context ioc(cfg.threads);
  std::atomic<bool> ready{false};
  HttpMetrics metrics;
  // Secrets (reliability.md §4.7) and access-key secrets, sealed with a key kept
  // outside the database.
  const std::string key_file = cfg.key_file.empty() ? cfg.data_dir + "/secret.key" : cfg.key_file;
  auto box = SecretBox::load_or_create(key_file);
  if (!box.ok()) {
    logf::error("cannot read the secret key", {{"error", box.error().message}});
    committer.stop();
    return 1;
  }
  // Keys made by `ebb key create`, with their policies (reliability.md §3.2 step 12);
  // loaded with the other records below, before serving.
  AccessKeyStore access_keys(clock, committer, *box);
  // Access keys (reliability.md §4.2): the admin key from the data dir's credentials
  // file (created on first start), then keys made by `ebb key create`, then the
  // per-task keys of live tasks (added below).
  KeyRing keys;
  keys.set_access_keys(&access_keys);
  if (cfg.auth == http::AuthMode::SigV4) {
    auto creds = load_or_create_admin_credentials(cfg.data_dir);
    if (!creds.ok()) {
      logf::error("cannot read the admin credentials", {{"error", creds.error().message}});
      committer.stop();
      return 1;
    }
    if (creds->created) announce_new_credentials(*creds);
    keys.add_key(creds->key);
  }
  http::SigV4Options sqs_auth;
  sqs_auth.regions = {cfg.region};
  http::AuthStage auth(cfg.auth, sqs_auth, [&keys](std::string_view id) { return keys.secret_of(id); });
  auth.set_debug_auth(cfg.debug_auth);
  access_keys.on_revoke([&auth](const std::string& id) { auth.sqs_verifier().forget(id); });
  // Native API, CLI and /metrics (reliability.md §4.2): bearer tokens from the store
  // (loaded with the other records below, before serving) or SigV4 with service "ebb"
  // signed by the admin key. The CLI signs for us-east-1 unless told otherwise.
  TokenStore tokens(clock, committer);
  http::SigV4Options native_sigv4;
  native_sigv4.service = "ebb";
  native_sigv4.regions = {cfg.region};
  if (cfg.region != "us-east-1") native_sigv4.regions.push_back("us-east-1");
  NativeAuth native_auth(cfg.auth, clock, &tokens, native_sigv4, [&keys](std::string_view id) -> std::optional<std::string> {
    if (!keys.is_admin(id)) return std::nullopt;  // per-task keys are for the SQS API only
    return keys.secret_of(id);
  });
  native_auth.set_tls(!cfg.tls_cert.empty());
  disk.refresh();  // now with the store's free pages counted
  if (disk.sends_refused())
    logf::warn("the data volume is almost full: sends are refused until space is freed",
               {{"free_bytes", disk.last_free_bytes()}, {"min_free_bytes", disk.watermark_bytes()}});
  SqsApiConfig sqs_cfg{cfg.public_url};
  sqs_cfg.refuse_sends = [&disk] { return disk.sends_refused(); };
  SqsApi sqs(engine, sqs_cfg);
  admin::AdminApi admin(engine, clock, admin::AdminConfig{cfg.public_url, cfg.tls_cert.empty() ? "http" : "https"},
                        [&ioc](std::function<void()> f) { asio::post(ioc, std::move(f)); });
  const service::ServiceController* services_for_metrics = nullptr;  // set below, before serving
  RouterParts router_parts{engine, sqs, admin, auth, metrics, clock, ready, &services_for_metrics};
  router_parts.activity = &activity;
  router_parts.store = &observed;
  router_parts.db_path = db_path;
  const alarm::AlarmController* alarms_for_metrics = nullptr;  // set below, before serving
  router_parts.alarms = &alarms_for_metrics;
  router_parts.native_auth = &native_auth;
  router_parts.tokens = &tokens;
  router_parts.access_keys = &access_keys;
  router_parts.key_ring = &keys;
  router_parts.committer = &committer;
  router_parts.insecure_remote = cfg.tls_cert.empty() && !http::is_loopback_host(cfg.listen.host);
  router_parts.tls = !cfg.tls_cert.empty();
  const sched::ScheduleController* schedules_for_metrics = nullptr;  // set below, before serving
  router_parts.schedules = &schedules_for_metrics;
  admin.set_activity(&activity);
  obs::SeriesStore series;  // the dashboard's charts (docs/dashboard.md)
  admin.set_series(&series);
  Router router(router_parts);
  http::HttpServer server(ioc, cfg.limits,
                          [&router](http::HttpRequest req, http::Respond respond) {
                            router.handle(std::move(req), std::move(respond));
                          });

  if (!cfg.tls_cert.empty()) {
    if (auto st = server.use_tls(cfg.tls_cert, cfg.tls_key); !st.ok()) {
      logf::error("refusing to start", {{"error", st.error().message}});
      committer.stop();
      return 2;
    }
  }
  auto bound = server.listen(cfg.listen);
  if (!bound.ok()) {
    logf::error("cannot listen", {{"addr", cfg.listen.to_string()}, {"error", bound.error().message}});
    committer.stop();
    return 1;
  }
  if (!cfg.port_file.empty()) {
    if (auto st = write_file_atomically(cfg.port_file, bound->to_string() + "\n"); !st.ok()) {
      logf::error("cannot write the port file", {{"error", st.error().message}});
      committer.stop();
      return 1;
    }
  }

  // Services and event sources need the address tasks use to reach us.
  std::string endpoint = (server.tls() ? "https://" : "http://") + bound->to_string();
  SecretStore secrets(clock, committer, *box);
  const runtime::SecretLookup secret_lookup = [&secrets](const std::string& n, const std::string& k) {
    return secrets.value(n, k);
  };
  auto runtime = runtime::make_process_runtime(runtime::ProcessRuntimeConfig{
      cfg.launcher_path, cfg.data_dir + "/run", int64_t(cfg.orphan_grace_seconds) * 1000});
  service::ControllerConfig scfg;
  scfg.data_dir = cfg.data_dir;
  scfg.endpoint_url = endpoint;
  std::string ca_bundle;
  if (server.tls()) {
    auto b = write_task_ca_bundle(cfg.tls_cert);
    if (!b.ok()) {
      logf::error("cannot write the tasks' CA bundle", {{"error", b.error().message}});
      committer.stop();
      return 1;
    }
    ca_bundle = *b;
    logf::info("tasks trust the CA bundle", {{"path", ca_bundle}});
  }
  scfg.ca_bundle = ca_bundle;
  scfg.region = cfg.region;
  scfg.account = cfg.account_id;
  if (!cfg.task_path.empty()) scfg.task_path = cfg.task_path;
  scfg.task_uid = cfg.task_uid;
  scfg.task_gid = cfg.task_gid;
  scfg.allow_root_tasks = cfg.allow_root_tasks;
  scfg.secrets = secret_lookup;
  // One launcher, shared by every controller that runs tasks.
  runtime::RuntimeHub hub(*runtime);
  service::ServiceController services(clock, engine, committer, hub.view(), scfg);
  sched::JobControllerConfig jcfg;
  jcfg.data_dir = cfg.data_dir;
  jcfg.endpoint_url = endpoint;
  jcfg.ca_bundle = ca_bundle;
  jcfg.region = cfg.region;
  jcfg.account = cfg.account_id;
  jcfg.task_path = scfg.task_path;
  jcfg.task_uid = cfg.task_uid;
  jcfg.task_gid = cfg.task_gid;
  jcfg.allow_root_tasks = cfg.allow_root_tasks;
  jcfg.secrets = secret_lookup;
  sched::JobController jobs(clock, committer, hub.view(), jcfg);
  sched::ScheduleController schedules(clock, committer, engine, jobs);
  sched::TaskDefinitions task_definitions(clock, committer);
  schedules.set_task_definitions([&task_definitions](const std::string& ref) { return task_definitions.resolve(ref); });
  source::EventSourceController sources(clock, engine, committer, source::SourceConfig{cfg.region});
  alarm::AlarmControllerConfig alarm_cfg = alarm_config(cfg.data_dir);
  alarm_cfg.secrets = secret_lookup;
  alarm::AlarmController alarms(clock, committer, engine, &jobs, alarm::make_curl_sender(), std::move(alarm_cfg));
  alarms.set_scrape([&] {
    MetricsSources src{engine, metrics, &services, &activity, &observed, db_path};
    src.alarms = &alarms;
    src.schedules = &schedules;
    return render_metrics(src, clock.now_ms());
  });
  try {
    auto records = store->load_records();
    activity.load(records);
    services.load(records);
    sources.load(records);
    jobs.load(records);
    schedules.load(records);
    task_definitions.load(records);
    alarms.load(records);
    tokens.load(records);
    if (tokens.skipped() > 0) logf::warn("skipped malformed token records", {{"count", int64_t(tokens.skipped())}});
    secrets.load(records);
    access_keys.load(records);
    if (access_keys.skipped() > 0)
      logf::warn("skipped access key records that are malformed or do not open with the key file",
                 {{"count", int64_t(access_keys.skipped())}, {"key_file", key_file}});
  } catch (const std::exception& e) {
    logf::error("cannot load services and event sources", {{"path", db_path}, {"error", e.what()}});
    committer.stop();
    return 1;
  }
  if (auto st = services.start(); !st.ok()) {
    logf::error("cannot start the task runtime", {{"error", st.error().message}});
    committer.stop();
    return 1;
  }
  if (auto st = jobs.start(); !st.ok()) {
    logf::error("cannot start jobs", {{"error", st.error().message}});
    services.shutdown(false, Millis(0));
    committer.stop();
    return 1;
  }
  if (auto st = sources.start(); !st.ok()) {
    logf::error("cannot start event sources", {{"error", st.error().message}});
    jobs.shutdown(false, Millis(0));
    services.shutdown(false, Millis(0));
    committer.stop();
    return 1;
  }
  if (auto st = schedules.start(); !st.ok()) {
    logf::error("cannot start schedules", {{"error", st.error().message}});
    sources.stop();
    jobs.shutdown(false, Millis(0));
    services.shutdown(false, Millis(0));
    committer.stop();
    return 1;
  }
  auto caps = services.capabilities();
  logf::info("task runtime", {{"runtime", caps.runtime}, {"cgroup", caps.cgroup}, {"memory_limit", caps.memory_limit},
                              {"pids_limit", caps.pids_limit}, {"cpu_limit", caps.cpu_limit}});
  for (auto& note : caps.notes) logf::warn("task runtime limit", {{"note", note}});
  admin.set_controllers(admin::Controllers{&services, &sources, &jobs, &schedules, &task_definitions, &alarms, &secrets});
  alarms_for_metrics = &alarms;
  schedules_for_metrics = &schedules;
  keys.add_provider([&services](const std::string& id) { return services.task_secret(id); });
  keys.add_provider([&jobs](const std::string& id) { return jobs.task_secret(id); });
  services_for_metrics = &services;
  engine.on_counts_changed([&services] { services.notify_counts_changed(); });
  engine.on_stale_receipt([](const std::string& queue) {
    logf::warn("delete with a superseded receipt handle: no effect (the message was received again)",
               {{"queue", queue}});
  });

  Ticker engine_ticker(
      ioc, [&engine] { return engine.tick(); }, [&engine](std::function<void()> f) { engine.on_wakeup(std::move(f)); },
      std::chrono::seconds(1));
  Ticker service_ticker(
      ioc, [&services] { return services.tick(); },
      [&services](std::function<void()> f) { services.on_wakeup(std::move(f)); }, std::chrono::seconds(1));
  Ticker job_ticker(
      ioc, [&jobs] { return jobs.tick(); }, [&jobs](std::function<void()> f) { jobs.on_wakeup(std::move(f)); },
      std::chrono::seconds(1));
  Ticker schedule_ticker(
      ioc, [&schedules] { return schedules.tick(); },
      [&schedules](std::function<void()> f) { schedules.on_wakeup(std::move(f)); }, std::chrono::seconds(1));
  Ticker alarm_ticker(
      ioc, [&alarms] { return alarms.tick(); },
      [&alarms](std::function<void()> f) { alarms.on_wakeup(std::move(f)); }, std::chrono::seconds(10));
  alarm_ticker.start();
  SeriesSampler sampler(clock, series);
  sampler.set_sources(&engine, &services_for_metrics, &activity);
  Ticker series_ticker(
      ioc, [&sampler] { return sampler.tick(); }, [](std::function<void()>) {}, std::chrono::seconds(1));
  series_ticker.start();
  engine_ticker.start();
  service_ticker.start();
  job_ticker.start();
  schedule_ticker.start();
  Shutdown shutdown(
      ioc, server, engine,
      [&] {
        series_ticker.stop();
        alarm_ticker.stop();
        engine_ticker.stop();
        service_ticker.stop();
        job_ticker.stop();
        schedule_ticker.stop();
      },
      ready, std::chrono::seconds(cfg.shutdown_timeout_seconds));
  shutdown.arm();
  server.start_accepting();
  ready = true;
  logf::info("listening", {{"addr", bound->to_string()},
                           {"data_dir", cfg.data_dir},
                           {"auth", cfg.auth == http::AuthMode::None ? "none" : "sigv4"},
                           {"tls", server.tls() ? "on" : "off"},
                           {"threads", cfg.threads},
                           {"queues", static_cast<int64_t>(engine.stats().size())}});

  std::vector<std::thread> threads;
  for (int i = 1; i < cfg.threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : threads) t.join();

  engine.on_counts_changed({});
  alarms.stop();
  sources.stop();
  // Tasks get SIGTERM and their stop timeout; their exits are recorded before the
  // store closes. Without --stop-tasks-on-exit they keep running for the next ebbd.
  jobs.shutdown(cfg.stop_tasks_on_exit, std::chrono::seconds(cfg.shutdown_timeout_seconds));
  services.shutdown(cfg.stop_tasks_on_exit, std::chrono::seconds(cfg.shutdown_timeout_seconds));
  committer.stop();  // commits what is pending (answers already sent were durable)
  if (!ca_bundle.empty() && cfg.stop_tasks_on_exit) {  // tasks left running may still read it
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(ca_bundle).parent_path(), ec);
  }
  logf::info("stopped");
  return 0;
}

}  // namespace ebb::server
