// The `ebb` command line (ecosystem.md §3.2): the only translation unit that
// includes CLI11 (slow to compile). It turns argv into the option structs of
// commands.h, picks the server address, and maps parse errors to exit code 2
// (CLI11's own codes are 105/106…, ecosystem.md §1.4 P8).
#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/cmd_key.h"
#include "cli/commands.h"
#include "cli/secret_view.h"
#include "base/utf8.h"

namespace ebb::cli {
namespace {

constexpr const char* kDefaultServer = "http://127.0.0.1:9324";

// --server > EBB_SERVER > the default (no CLI config file yet).
Outcome<std::string> server_url(const std::string& flag) {
  std::string url = flag;
  if (url.empty()) {
    const char* env = std::getenv("EBB_SERVER");
    url = env && *env ? env : kDefaultServer;
  }
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return usage_error("server address \"" + url + "\" must start with http:// or https://");
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

const std::vector<std::string> kMessageOutputs = {"json", "yaml"};

int run(int argc, char** argv) {
  // reliability.md §5.6: non-UTF-8 arguments are rejected.
  for (int i = 1; i < argc; ++i) {
    if (!utf8_valid(argv[i])) return report(usage_error("argument " + std::to_string(i) + " is not valid UTF-8"));
  }

  CLI::App app{"ebb: command-line client for the ebb server (queues, services, tasks, event sources, schedules, "
               "cronjobs, jobs)",
               "ebb"};
  app.require_subcommand(1);
  app.fallthrough();  // --server may follow the subcommand, as kubectl's global flags
  std::string server_flag;
  app.add_option("--server,-s", server_flag, "server URL (default: $EBB_SERVER, else http://127.0.0.1:9324)");
  std::string token_flag, credentials_flag;
  app.add_option("--token", token_flag, "bearer token for the server (default: $EBB_TOKEN, else the admin key)");
  std::string ca_flag;
  app.add_option("--ca-file", ca_flag,
                 "PEM CA certificate(s) to trust for an https:// server (default: $EBB_CA_FILE, else the system "
                 "trust store)");
  app.add_option("--credentials-file", credentials_flag,
                 "admin key file to sign with (default: $EBB_CREDENTIALS_FILE, else <data dir>/credentials)");

  std::function<int(ApiClient&)> action;
  auto bind = [&](CLI::App* cmd, std::function<int(ApiClient&)> f) { cmd->callback([&action, f] { action = f; }); };

  ApplyOptions apply_o;
  auto* apply = app.add_subcommand("apply", "create or update objects from manifests");
  apply->add_option("-f,--filename", apply_o.files, "FILE, DIR or - (stdin); repeatable")->required()->allow_extra_args(false);
  apply->add_option("--dry-run", apply_o.dry_run, "client: validate only; server: validate on the server, change nothing")
      ->check(CLI::IsMember({"none", "client", "server"}));
  bind(apply, [&](ApiClient& api) { return run_apply(api, apply_o); });

  const std::string type_help =
      "queues (q), services (svc), tasks, eventsources (es), schedules (sched), cronjobs (cj), jobs, "
      "taskdefinitions (td), alarms, secrets; or TYPE/NAME";

  GetOptions get_o;
  auto* get = app.add_subcommand("get", "list objects, or show some by name");
  get->add_option("type", get_o.type, type_help)->required();
  get->add_option("names", get_o.names, "names");
  get->add_option("-o,--output", get_o.output, "wide|json|yaml|name")->check(CLI::IsMember({"wide", "json", "yaml", "name"}));
  get->add_flag("--no-headers", get_o.no_headers, "omit the header line");
  get->add_flag("-w,--watch", get_o.watch, "after the list, print a row each time an object changes (until Ctrl-C)");
  get->add_flag("--watch-only", get_o.watch_only, "like --watch, without the first list");
  get->add_option("--owner", get_o.owner, "tasks: only those of service/NAME");
  get->add_flag("-a,--all", get_o.all, "tasks: finished tasks too");
  bind(get, [&](ApiClient& api) { return run_get(api, get_o); });

  DescribeOptions describe_o;
  auto* describe = app.add_subcommand("describe", "show objects in detail");
  describe->add_option("type", describe_o.type, type_help)->required();
  describe->add_option("names", describe_o.names, "names");
  bind(describe, [&](ApiClient& api) { return run_describe(api, describe_o); });

  DeleteOptions delete_o;
  auto* del = app.add_subcommand("delete", "delete queues, services, event sources, schedules, cronjobs or jobs");
  del->add_option("type", delete_o.type, "queue, service, eventsource, schedule, cronjob, job; or TYPE/NAME")->required();
  del->add_option("names", delete_o.names, "names");
  del->add_flag("--yes,-y", delete_o.yes, "delete queues that still hold messages without asking");
  bind(del, [&](ApiClient& api) { return run_delete(api, delete_o); });

  LogsOptions logs_o;
  auto* logs = app.add_subcommand("logs", "print the output of a task, or of a service's or a job's tasks");
  logs->add_option("target", logs_o.target, "task/ID, service/NAME or job/NAME")->required();
  logs->add_flag("-f,--follow", logs_o.follow, "keep printing new output (until Ctrl-C)");
  logs->add_option("--tail", logs_o.tail, "only the last N lines of each task (-1: all)");
  bind(logs, [&](ApiClient& api) { return run_logs(api, logs_o); });

  ScaleOptions scale_o;
  auto* scale = app.add_subcommand("scale", "change a service's autoscaling bounds");
  scale->add_option("type", scale_o.type, "service/NAME, or service NAME")->required();
  scale->add_option("names", scale_o.names, "name");
  scale->add_option("--min", scale_o.min, "minimum tasks");
  scale->add_option("--max", scale_o.max, "maximum tasks (--min N --max N pins the service at N)");
  bind(scale, [&](ApiClient& api) { return run_scale(api, scale_o); });

  const std::string suspend_help = "service/NAME, cronjob/NAME, schedule/NAME or job/NAME; or TYPE NAME…";
  SuspendOptions suspend_o;
  auto* suspend = app.add_subcommand("suspend", "freeze a service's task count; stop a cronjob's or schedule's runs; "
                                                "stop a job's tasks");
  suspend->add_option("type", suspend_o.type, suspend_help)->required();
  suspend->add_option("names", suspend_o.names, "names");
  bind(suspend, [&](ApiClient& api) { return run_suspend(api, suspend_o, false); });

  SuspendOptions resume_o;
  auto* resume = app.add_subcommand("resume", "undo suspend");
  resume->add_option("type", resume_o.type, suspend_help)->required();
  resume->add_option("names", resume_o.names, "names");
  bind(resume, [&](ApiClient& api) { return run_suspend(api, resume_o, true); });

  WaitOptions wait_o;
  auto* wait = app.add_subcommand("wait", "wait until a job is Complete or Failed");
  wait->add_option("target", wait_o.target, "job/NAME, or job NAME")->required();
  wait->add_option("names", wait_o.names, "name");
  wait->add_option("--for", wait_o.condition, "condition=Complete, condition=Failed or condition=Suspended");
  wait->add_option("--timeout", wait_o.timeout, "give up after this long (30s, 10m, 1h30m; default 30s)");
  bind(wait, [&](ApiClient& api) { return run_wait(api, wait_o); });

  auto* create = app.add_subcommand("create", "create an object from another (create job NAME --from=cronjob/X)");
  create->require_subcommand(1);
  CreateJobOptions create_job_o;
  auto* create_job = create->add_subcommand("job", "run a cronjob now, as a job named NAME");
  create_job->add_option("name", create_job_o.name, "the new job's name")->required();
  create_job->add_option("--from", create_job_o.from, "cronjob/NAME")->required();
  bind(create_job, [&](ApiClient& api) { return run_create_job(api, create_job_o); });

  TriggerOptions trigger_o;
  auto* trigger = app.add_subcommand("trigger", "fire a schedule's target now");
  trigger->add_option("type", trigger_o.type, "schedule/NAME, or schedule NAME…")->required();
  trigger->add_option("names", trigger_o.names, "names");
  bind(trigger, [&](ApiClient& api) { return run_trigger(api, trigger_o); });

  auto* queue = app.add_subcommand("queue", "message operations: send, receive, peek, purge, redrive");
  queue->require_subcommand(1);

  SendOptions send_o;
  auto* send = queue->add_subcommand("send", "send a message (SendMessage)");
  send->add_option("queue", send_o.queue, "queue name")->required();
  auto* body_opt = send->add_option("--body", send_o.body, "message body");
  send->add_option("--body-file", send_o.body_file, "read the body from a file (- for stdin)");
  send->add_option("--attribute", send_o.attributes, "message attribute NAME=VALUE (String); repeatable")->allow_extra_args(false);
  send->add_option("--delay", send_o.delay, "delay in seconds, 0-900");
  send->add_option("--group", send_o.group, "message group id (FIFO)");
  send->add_option("--dedup-id", send_o.dedup_id, "deduplication id (FIFO)");
  send->add_option("-o,--output", send_o.output, "json|yaml (AWS response shape)")->check(CLI::IsMember(kMessageOutputs));
  bind(send, [&](ApiClient& api) {
    send_o.body_given = body_opt->count() > 0;
    return run_send(api, send_o);
  });

  ReceiveOptions receive_o;
  auto* receive = queue->add_subcommand("receive", "receive messages (ReceiveMessage)");
  receive->add_option("queue", receive_o.queue, "queue name")->required();
  receive->add_option("--max", receive_o.max, "messages, 1-10 (default 1)");
  receive->add_option("--wait", receive_o.wait, "long-poll seconds, 0-20");
  receive->add_option("--visibility", receive_o.visibility, "visibility timeout in seconds, 0-43200");
  receive->add_flag("--delete", receive_o.del, "delete each message once received");
  receive->add_option("-o,--output", receive_o.output, "json|yaml (AWS response shape)")->check(CLI::IsMember(kMessageOutputs));
  bind(receive, [&](ApiClient& api) { return run_receive(api, receive_o); });

  PeekOptions peek_o;
  auto* peek = queue->add_subcommand("peek", "look at messages without receiving them");
  peek->add_option("queue", peek_o.queue, "queue name")->required();
  peek->add_option("--max", peek_o.max, "messages, 1-10");
  peek->add_option("-o,--output", peek_o.output, "json|yaml (AWS response shape)")->check(CLI::IsMember(kMessageOutputs));
  bind(peek, [&](ApiClient& api) { return run_peek(api, peek_o); });

  PurgeOptions purge_o;
  auto* purge = queue->add_subcommand("purge", "delete every message of a queue");
  purge->add_option("queue", purge_o.queue, "queue name")->required();
  purge->add_flag("--yes,-y", purge_o.yes, "do not ask");
  bind(purge, [&](ApiClient& api) { return run_purge(api, purge_o); });

  RedriveOptions redrive_o;
  auto* redrive = queue->add_subcommand("redrive", "move messages from a dead-letter queue back (StartMessageMoveTask)");
  redrive->add_option("dlq", redrive_o.dlq, "dead-letter queue name")->required();
  redrive->add_option("--to", redrive_o.to, "destination queue (default: the original source queues)");
  redrive->add_option("--max-per-second", redrive_o.max_per_second, "messages per second, 1-500");
  redrive->add_flag("--quiet,-q", redrive_o.quiet, "no progress output");
  bind(redrive, [&](ApiClient& api) { return run_redrive(api, redrive_o); });

  CostOptions cost_o;
  auto* cost = app.add_subcommand("cost", "vCPU-seconds, GB-seconds, Fargate-equivalent price vs always-on");
  cost->add_option("--since", cost_o.since, "window: 30d (default), 12h, 90m, 2w");
  cost->add_option("-o,--output", cost_o.output, "wide|json|yaml")->check(CLI::IsMember({"wide", "json", "yaml"}));
  cost->add_flag("--no-headers", cost_o.no_headers, "table rows only");
  bind(cost, [&](ApiClient& api) { return run_cost(api, cost_o); });

  auto* token = app.add_subcommand("token", "bearer tokens for the API, the CLI and /metrics: create, list, revoke");
  token->require_subcommand(1);
  TokenOptions token_o;
  auto* token_create = token->add_subcommand("create", "make a token and print it (once)");
  token_create->add_option("--scope", token_o.scope, "read (GET only) | write (no token management) | admin")
      ->check(CLI::IsMember({"read", "write", "admin"}));
  token_create->add_option("--expires", token_o.expires, "lifetime: 90d (default), 12h, 30m, 45s");
  token_create->add_option("--name", token_o.name, "a note shown by ebb token list");
  bind(token_create, [&](ApiClient& api) {
    token_o.verb = "create";
    return run_token(api, token_o);
  });
  auto* token_list = token->add_subcommand("list", "list tokens (never their secrets)");
  token_list->add_option("-o,--output", token_o.output, "json")->check(CLI::IsMember({"json"}));
  token_list->add_flag("--no-headers", token_o.no_headers, "omit the header line");
  bind(token_list, [&](ApiClient& api) {
    token_o.verb = "list";
    return run_token(api, token_o);
  });
  auto* token_revoke = token->add_subcommand("revoke", "revoke a token by its id (tok_…)");
  token_revoke->add_option("id", token_o.id, "token id")->required();
  bind(token_revoke, [&](ApiClient& api) {
    token_o.verb = "revoke";
    return run_token(api, token_o);
  });
  auto* key = app.add_subcommand("key", "access keys for the SQS API with a role and queue patterns: create, list, revoke");
  key->require_subcommand(1);
  KeyOptions key_o;
  auto* key_create = key->add_subcommand("create", "make an access key and print it (once)");
  key_create->add_option("--role", key_o.role, "admin (everything) | producer (send) | consumer (receive, delete)")
      ->required()->check(CLI::IsMember({"admin", "producer", "consumer"}));
  key_create->add_option("--queue", key_o.queues, "queue-name glob (* and ?), repeatable; default: every queue");
  key_create->add_option("--name", key_o.name, "a note shown by ebb key list");
  key_create->add_option("--expires", key_o.expires, "lifetime: 90d, 12h, 30m, 45s (default: never)");
  key_create->add_option("--format", key_o.format, "env (export lines, default) | credentials (an AWS profile)")
      ->check(CLI::IsMember({"env", "credentials"}));
  bind(key_create, [&](ApiClient& api) { key_o.verb = "create"; return run_key(api, key_o); });
  auto* key_list = key->add_subcommand("list", "list access keys (never their secrets)");
  key_list->add_option("-o,--output", key_o.output, "json")->check(CLI::IsMember({"json"}));
  key_list->add_flag("--no-headers", key_o.no_headers, "omit the header line");
  bind(key_list, [&](ApiClient& api) { key_o.verb = "list"; return run_key(api, key_o); });
  auto* key_revoke = key->add_subcommand("revoke", "revoke an access key by its id (EBB…)");
  key_revoke->add_option("id", key_o.id, "access key id")->required();
  bind(key_revoke, [&](ApiClient& api) { key_o.verb = "revoke"; return run_key(api, key_o); });
  SecretCreateOptions secret_o;
  auto* secret = app.add_subcommand("secret", "secrets for tasks and webhooks (values from files or stdin only)");
  secret->require_subcommand(1);
  auto* secret_create = secret->add_subcommand("create", "create or replace a secret with the given keys");
  secret_create->add_option("name", secret_o.name, "secret name")->required();
  secret_create->add_option("--from-file", secret_o.from_file, "[KEY=]PATH: the file's bytes as KEY (default: its base name); repeatable");
  secret_create->add_option("--from-stdin", secret_o.from_stdin, "KEY: standard input as KEY (one trailing newline dropped)");
  bind(secret_create, [&](ApiClient& api) { return run_secret_create(api, secret_o); });

  auto* version = app.add_subcommand("version", "print the client version");
  bool version_only = false;
  version->callback([&] { version_only = true; });
  DoctorOptions doctor_o;
  bool doctor_only = false;
  auto* doctor = app.add_subcommand("doctor", "check a data directory offline; salvage a damaged store (needs no server)");
  doctor->add_option("--data-dir", doctor_o.data_dir, "the data directory (default: as ebbd finds it)");
  doctor->add_option("--salvage", doctor_o.salvage_to,
                     "recover what can be read into this new directory; the damaged one is left unchanged");
  doctor->callback([&] { doctor_only = true; });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    // CLI11 says "A subcommand is required" for `ebb frob`; name the word instead.
    std::vector<std::string> extra = app.remaining();
    for (CLI::App* sub : app.get_subcommands()) {
      std::vector<std::string> more = sub->remaining();
      extra.insert(extra.end(), more.begin(), more.end());
    }
    if (!extra.empty() && dynamic_cast<const CLI::RequiredError*>(&e)) {
      return report(usage_error("unknown command \"" + extra.front() + "\"", "run 'ebb --help' for the commands"));
    }
    return report(usage_error(e.what(), "run 'ebb --help' (or 'ebb COMMAND --help') for usage"));
  }
  if (version_only) return run_version();
  if (doctor_only) return run_doctor(doctor_o);
  Outcome<std::string> url = server_url(server_flag);
  if (!url.ok()) return report(url.error());
  ApiClient api(*url);
  // --ca-file > EBB_CA_FILE > the system trust store. Verification (chain, host name or
  // IP address) is always on.
  if (ca_flag.empty())
    if (const char* env = std::getenv("EBB_CA_FILE"); env && *env) ca_flag = env;
  if (!ca_flag.empty()) {
    if (std::FILE* f = std::fopen(ca_flag.c_str(), "rb")) {
      std::fclose(f);
    } else {
      return report(usage_error("cannot read the CA file " + ca_flag + ": " + std::strerror(errno),
                                "give a readable PEM file with --ca-file or EBB_CA_FILE"));
    }
    api.set_ca_file(ca_flag);
  }
  Outcome<ClientAuth> auth = resolve_client_auth(token_flag, credentials_flag);
  if (!auth.ok()) return report(auth.error());
  api.set_auth(*auth);
  return action ? action(api) : report(usage_error("no command given"));
}

}  // namespace
}  // namespace ebb::cli

int main(int argc, char** argv) {
  try {
    return ebb::cli::run(argc, argv);
  } catch (const std::exception& e) {
    // A bug, not a user error; still one line on stderr and a distinct exit code.
    std::fprintf(stderr, "error: internal: %s\n", e.what());
    return ebb::cli::kExitUnreachable;
  }
}
