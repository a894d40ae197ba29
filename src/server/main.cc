// ebbd: the ebb server. Flags and EBB_* variables per ecosystem.md §3.5
// (flag > environment > default).
#include <CLI/CLI.hpp>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <tuple>
#include <iostream>

#include "server/daemon.h"
#include "api/http/http_server.h"
#include "server/exposure.h"
#include "server/log_fields.h"
#include "server/log_format.h"
#include "server/paths.h"

namespace {

bool valid_account_id(const std::string& s) {
  return s.size() == 12 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// --task-user: NAME, UID or UID:GID; a name or lone uid takes the group from the
// password database (a lone uid without an entry: gid = uid).
std::optional<std::pair<int64_t, int64_t>> resolve_task_user(const std::string& s) {
  auto number = [](const std::string& t) -> std::optional<int64_t> {
    if (t.empty() || t.size() > 10 || !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    int64_t v = std::stoll(t);
    return v < 0xFFFFFFFFLL ? std::optional<int64_t>(v) : std::nullopt;
  };
  if (auto colon = s.find(':'); colon != std::string::npos) {
    auto u = number(s.substr(0, colon)), g = number(s.substr(colon + 1));
    if (!u || !g) return std::nullopt;
    return std::pair{*u, *g};
  }
  if (auto u = number(s)) {
    const passwd* pw = ::getpwuid(static_cast<uid_t>(*u));
    return std::pair{*u, pw ? int64_t(pw->pw_gid) : *u};
  }
  const passwd* pw = ::getpwnam(s.c_str());
  if (!pw) return std::nullopt;
  return std::pair{int64_t(pw->pw_uid), int64_t(pw->pw_gid)};
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ebb;
  CLI::App app{"ebbd — a durable server that speaks the Amazon SQS API"};
  std::string listen = "127.0.0.1:9324", data_dir, auth = "sigv4", public_url, region = "us-east-1",
              account = "000000000000", log_level = "info", log_format = "auto", port_file;
  int threads = 2, shutdown_timeout = 30, orphan_grace = 30;
  bool purge_rate_limit = false, insecure = false, leave_tasks = false, debug_auth = false;
  int64_t min_free_mib = -1, disk_reserve_mib = 64;
  std::string launcher, task_path, key_file;
  std::string price_table = "fargate-linux-x86";
  double price_vcpu = -1, price_gb = -1, price_instance = -1;

  app.add_option("--listen", listen, "HOST:PORT to listen on (port 0: any free port)")->envname("EBB_LISTEN");
  app.add_option("--data-dir", data_dir, "data directory (default: STATE_DIRECTORY or $XDG_DATA_HOME/ebb)")
      ->envname("EBB_DATA_DIR");
  app.add_option("--auth", auth, "sigv4 (default: verify AWS Signature V4) | none (loopback only: no checks)")
      ->envname("EBB_AUTH")
      ->check(CLI::IsMember({"none", "sigv4"}));
  app.add_flag("--debug-auth", debug_auth,
               "answer signature mismatches with the canonical request and string to sign (debugging clients)")
      ->envname("EBB_DEBUG_AUTH");
  app.add_option("--public-url", public_url, "base of queue URLs behind a proxy")->envname("EBB_PUBLIC_URL");
  app.add_option("--region", region, "region for ARNs")->envname("EBB_REGION");
  app.add_option("--account-id", account, "12-digit account id for ARNs and URLs")->envname("EBB_ACCOUNT_ID");
  app.add_option("--log-level", log_level, "debug|info|warning|error")->envname("EBB_LOG_LEVEL");
  app.add_option("--log-format", log_format, "json|text|auto")->envname("EBB_LOG_FORMAT");
  app.add_option("--threads", threads, "HTTP I/O threads")->envname("EBB_THREADS")->check(CLI::Range(1, 64));
  app.add_option("--port-file", port_file, "after binding, write HOST:PORT here (atomically)")
      ->envname("EBB_PORT_FILE");
  app.add_flag("--purge-rate-limit", purge_rate_limit, "enforce the 60 s PurgeQueueInProgress rule")
      ->envname("EBB_PURGE_RATE_LIMIT");
  app.add_flag("--insecure,--allow-insecure-remote", insecure, "allow plain HTTP on a non-loopback address")
      ->envname("EBB_ALLOW_INSECURE_REMOTE");
  std::string tls_cert, tls_key;
  app.add_option("--tls-cert", tls_cert,
                 "PEM certificate (leaf first, then intermediates): serve HTTPS only, TLS 1.2+ (needs --tls-key)")
      ->envname("EBB_TLS_CERT");
  app.add_option("--tls-key", tls_key, "PEM private key of --tls-cert (unencrypted; keep it 0600)")
      ->envname("EBB_TLS_KEY");
  app.add_option("--shutdown-timeout", shutdown_timeout, "seconds to drain on SIGTERM")
      ->envname("EBB_SHUTDOWN_TIMEOUT_SECONDS")
      ->check(CLI::Range(0, 3600));
  app.add_option("--launcher", launcher, "the ebb-launcher executable (default: next to ebbd)")
      ->envname("EBB_LAUNCHER");
  app.add_option("--key-file", key_file,
                 "key that seals secrets at rest (default: <data dir>/secret.key, created 0600 on first start)")
      ->envname("EBB_KEY_FILE");
  app.add_option("--task-path", task_path, "PATH given to tasks (default: /usr/local/bin:/usr/bin:/bin)")
      ->envname("EBB_TASK_PATH");
  std::string task_user = "nobody";
  bool allow_root_tasks = false;
  auto* task_user_opt =
      app.add_option("--task-user", task_user,
                     "user tasks run as when ebbd runs as root: NAME, UID or UID:GID (default nobody)")
          ->envname("EBB_TASK_USER");
  app.add_flag("--allow-root-tasks", allow_root_tasks,
               "let tasks run as root: without --task-user tasks keep ebbd's root; runAsUser 0 is accepted")
      ->envname("EBB_ALLOW_ROOT_TASKS");
  app.add_option("--orphan-grace", orphan_grace,
                 "seconds the launcher keeps tasks running for a restarted ebbd after losing this one")
      ->envname("EBB_ORPHAN_GRACE_SECONDS")
      ->check(CLI::Range(0, 86400));
  app.add_flag("--leave-tasks-on-exit", leave_tasks,
               "on SIGTERM leave tasks running for the next ebbd to re-adopt (default: stop them)")
      ->envname("EBB_LEAVE_TASKS_ON_EXIT");
  // Cost accounting (docs/cost.md): a preset, then single prices over it.
  app.add_option("--price-table", price_table, "fargate-linux-x86|fargate-linux-arm|fargate-spot-linux-x86|fargate-spot-linux-arm")
      ->envname("EBB_PRICE_TABLE");
  app.add_option("--price-vcpu-hour", price_vcpu, "USD per vCPU-hour (default: the table's)")->envname("EBB_PRICE_VCPU_HOUR");
  app.add_option("--price-gb-hour", price_gb, "USD per GB-hour (default: the table's)")->envname("EBB_PRICE_GB_HOUR");
  app.add_option("--price-instance-hour", price_instance, "USD per hour of one always-on instance (default 0.0208, t3.small)")
      ->envname("EBB_PRICE_INSTANCE_HOUR");
  app.add_option("--min-free-disk", min_free_mib,
                 "MiB that must stay free on the data volume, else sends get 503 (default -1: 5 % or 1 GiB, "
                 "the smaller)")
      ->envname("EBB_MIN_FREE_DISK_MIB")
      ->check(CLI::Range(int64_t(-1), int64_t(1) << 40));
  app.add_option("--disk-reserve", disk_reserve_mib,
                 "MiB of reserve file kept in the data directory and released when the disk fills (0: none)")
      ->envname("EBB_DISK_RESERVE_MIB")
      ->check(CLI::Range(int64_t(0), int64_t(1) << 20));
  // HTTP limits (reliability.md §4.3); defaults from http::HttpLimits.
  const http::HttpLimits dl;
  int64_t request_line = dl.request_line, header_total = dl.header_total, header_count = dl.header_count,
          header_one = dl.header_one, body_sqs = dl.body_sqs, body_native = dl.body_native, body_ui = dl.body_ui,
          header_timeout = dl.header_timeout.count(), body_timeout = dl.body_timeout.count(),
          body_grace = dl.body_grace.count(), body_min_rate = dl.body_min_rate, write_timeout = dl.write_timeout.count(),
          idle_timeout = dl.idle_timeout.count(), max_conns = dl.max_connections,
          max_conns_addr = dl.max_connections_per_addr, max_long_polls = 1000;
  struct LimitFlag {
    const char* flag;
    const char* env;
    const char* help;
    int64_t* value;
    int64_t lo, hi;
  };
  const LimitFlag limit_flags[] = {
      {"--http-max-request-line", "EBB_HTTP_MAX_REQUEST_LINE", "bytes in the request line (else 414)", &request_line,
       256, 1 << 20},
      {"--http-max-header-bytes", "EBB_HTTP_MAX_HEADER_BYTES", "bytes of all headers together (else 431)",
       &header_total, 1024, 1 << 20},
      {"--http-max-header-count", "EBB_HTTP_MAX_HEADER_COUNT", "header fields per request (else 431)", &header_count,
       8, 1024},
      {"--http-max-header-field", "EBB_HTTP_MAX_HEADER_FIELD", "bytes in one header field (else 431)", &header_one,
       256, 1 << 20},
      {"--http-max-sqs-body", "EBB_HTTP_MAX_SQS_BODY", "bytes of an SQS API request body (else 413)", &body_sqs,
       1 << 20, int64_t(1) << 30},
      {"--http-max-api-body", "EBB_HTTP_MAX_API_BODY", "bytes of a /api/v1 request body (else 413)", &body_native,
       64 << 10, int64_t(1) << 30},
      {"--http-max-ui-body", "EBB_HTTP_MAX_UI_BODY", "bytes of a dashboard (/ui/) request body (else 413)",
       &body_ui, 1024, 1 << 20},
      {"--http-header-timeout", "EBB_HTTP_HEADER_TIMEOUT_SECONDS",
       "seconds to receive a request's headers (else close, no response)", &header_timeout, 1, 3600},
      {"--http-body-timeout", "EBB_HTTP_BODY_TIMEOUT_SECONDS", "seconds to receive a whole body (else 408)",
       &body_timeout, 1, 3600},
      {"--http-body-grace", "EBB_HTTP_BODY_GRACE_SECONDS", "seconds before the minimum body rate applies",
       &body_grace, 0, 3600},
      {"--http-min-body-rate", "EBB_HTTP_MIN_BODY_RATE",
       "bytes/s a body must average after the grace (else 408; 0: off)", &body_min_rate, 0, int64_t(1) << 30},
      {"--http-write-timeout", "EBB_HTTP_WRITE_TIMEOUT_SECONDS", "seconds to write a response (else close)",
       &write_timeout, 1, 3600},
      {"--http-idle-timeout", "EBB_HTTP_IDLE_TIMEOUT_SECONDS", "seconds an idle keep-alive connection is kept",
       &idle_timeout, 1, 86400},
      {"--max-connections", "EBB_MAX_CONNECTIONS", "open HTTP connections in all (new ones refused)", &max_conns, 1,
       1 << 20},
      {"--max-connections-per-address", "EBB_MAX_CONNECTIONS_PER_ADDRESS",
       "open HTTP connections per client address (new ones refused)", &max_conns_addr, 1, 1 << 20},
      {"--max-long-polls", "EBB_MAX_LONG_POLLS",
       "concurrent ReceiveMessage long polls; further ones answer at once (empty if nothing is visible)",
       &max_long_polls, 0, 1 << 20},
  };
  for (auto& f : limit_flags)
    app.add_option(f.flag, *f.value, f.help)
        ->envname(f.env)
        ->check(CLI::Range(f.lo, f.hi))
        ->capture_default_str()
        ->group("HTTP limits");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the message
    return e.get_exit_code() == 0 ? 0 : 2;  // usage errors exit 2, like the other config errors
  }

  auto fmt = logf::parse_format(log_format);
  auto lvl = logf::parse_level(log_level);
  if (!fmt || !lvl) {
    std::cerr << "ebbd: --log-format must be json|text|auto and --log-level debug|info|warning|error\n";
    return 2;
  }
  logf::setup_logging(*fmt, *lvl);

  server::DaemonConfig cfg;
  auto fail = [](const std::string& why) {
    logf::error("refusing to start", {{"error", why}});
    return 2;
  };
  auto addr = http::parse_listen_address(listen);
  if (!addr.ok()) return fail(addr.error().message);
  cfg.listen = *addr;
  cfg.auth = *http::parse_auth_mode(auth);
  cfg.debug_auth = debug_auth;
  if (!valid_account_id(account)) return fail("--account-id must be 12 digits");
  if (region.empty()) return fail("--region must not be empty");
  while (!public_url.empty() && public_url.back() == '/') public_url.pop_back();
  cfg.public_url = public_url;
  cfg.region = region;
  cfg.account_id = account;
  cfg.threads = threads;
  cfg.port_file = port_file;
  cfg.purge_rate_limit = purge_rate_limit;
  cfg.insecure = insecure;
  cfg.shutdown_timeout_seconds = shutdown_timeout;
  cfg.orphan_grace_seconds = orphan_grace;
  cfg.min_free_disk_bytes = min_free_mib < 0 ? -1 : min_free_mib << 20;
  cfg.disk_reserve_bytes = disk_reserve_mib << 20;
  cfg.stop_tasks_on_exit = !leave_tasks;
  cfg.task_path = task_path;
  cfg.allow_root_tasks = allow_root_tasks;
  if (::geteuid() == 0 && !(allow_root_tasks && task_user_opt->count() == 0 && !std::getenv("EBB_TASK_USER"))) {
    auto ids = resolve_task_user(task_user);
    if (!ids) return fail("--task-user " + task_user + ": no such user (give NAME, UID or UID:GID)");
    if (ids->first == 0 && !allow_root_tasks) return fail("--task-user is root: that needs --allow-root-tasks");
    cfg.task_uid = ids->first;
    cfg.task_gid = ids->second;
    logf::info("tasks run as an unprivileged user", {{"uid", cfg.task_uid}, {"gid", cfg.task_gid}});
  } else if (::geteuid() == 0) {
    logf::warn("--allow-root-tasks: tasks run as root and can read and change everything ebbd can", {});
  } else {
    logf::warn("ebbd is not root: tasks run as ebbd's own user and can read its data directory", {});
  }
  cfg.limits.request_line = size_t(request_line);
  cfg.limits.header_total = size_t(header_total);
  cfg.limits.header_count = size_t(header_count);
  cfg.limits.header_one = size_t(header_one);
  cfg.limits.body_sqs = uint64_t(body_sqs);
  cfg.limits.body_native = uint64_t(body_native);
  cfg.limits.body_ui = uint64_t(body_ui);
  cfg.limits.header_timeout = std::chrono::seconds(header_timeout);
  cfg.limits.body_timeout = std::chrono::seconds(body_timeout);
  cfg.limits.body_grace = std::chrono::seconds(body_grace);
  cfg.limits.body_min_rate = uint64_t(body_min_rate);
  cfg.limits.write_timeout = std::chrono::seconds(write_timeout);
  cfg.limits.idle_timeout = std::chrono::seconds(idle_timeout);
  cfg.limits.max_connections = size_t(max_conns);
  cfg.limits.max_connections_per_addr = size_t(max_conns_addr);
  cfg.max_long_polls = size_t(max_long_polls);
  cfg.key_file = key_file;
  auto prices = obs::price_preset(price_table);
  if (!prices.ok()) return fail("--price-table: " + prices.error().message);
  cfg.prices = *prices;
  for (auto [flag, value, field] : {std::tuple{"--price-vcpu-hour", price_vcpu, &cfg.prices.vcpu_hour},
                                    std::tuple{"--price-gb-hour", price_gb, &cfg.prices.gb_hour},
                                    std::tuple{"--price-instance-hour", price_instance, &cfg.prices.instance_hour}}) {
    if (value == -1) continue;
    if (!(value >= 0 && value < 1e6)) return fail(std::string(flag) + " must be a price in USD between 0 and 1000000");
    *field = value;
  }
  if (launcher.empty()) {
    // Default: the ebb-launcher installed or built next to this executable.
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    launcher = ec ? std::string("ebb-launcher") : (self.parent_path() / "ebb-launcher").string();
  }
  cfg.launcher_path = launcher;
  if (data_dir.empty()) {
    auto d = server::default_data_dir(server::process_env);
    if (!d.ok()) return fail(d.error().message);
    data_dir = *d;
  }
  cfg.data_dir = data_dir;

  if (tls_cert.empty() != tls_key.empty())
    return fail(tls_cert.empty() ? "--tls-key needs --tls-cert" : "--tls-cert needs --tls-key");
  const bool tls = !tls_cert.empty();
  if (tls) {
    if (auto st = http::check_tls_files(tls_cert, tls_key); !st.ok()) return fail(st.error().message);
    cfg.tls_cert = tls_cert;
    cfg.tls_key = tls_key;
  }
  if (auto st = server::check_exposure(cfg.listen, cfg.auth, tls, cfg.insecure); !st.ok())
    return fail(st.error().message);
  if (!tls && !http::is_loopback_host(cfg.listen.host))
    logf::warn("serving plain HTTP on a non-loopback address (--insecure)", {{"addr", cfg.listen.to_string()}});
  if (cfg.auth == http::AuthMode::None)
    logf::warn("--auth none: request signatures are not verified; any local client that can connect has full "
               "access",
               {{"auth", auth}, {"addr", cfg.listen.to_string()}});
  if (cfg.debug_auth)
    logf::warn("--debug-auth: signature mismatches reveal the canonical request to the client", {});

  return server::run_daemon(cfg);
}
