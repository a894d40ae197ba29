// The commands of `ebb`, one function each, with plain option structs. main.cc (the
// only file that includes CLI11) fills the structs from the command line and calls
// these; each returns the process exit code (cli_error.h) after printing data to
// stdout and diagnostics to stderr.
#pragma once
#include <string>
#include <vector>

#include "cli/api_client.h"

namespace ebb::cli {

// Numeric options arrive as text (strict_number.h); "" = not given.

struct ApplyOptions {
  std::vector<std::string> files;  // FILE, DIR or "-"
  std::string dry_run;             // "", "none", "client", "server"
};
int run_apply(ApiClient& api, const ApplyOptions& o);

struct GetOptions {
  std::string type;                // "queues", "queue", "q", "queue/NAME", "svc"…
  std::vector<std::string> names;
  std::string output;              // "", "wide", "json", "yaml", "name"
  bool no_headers = false;
  bool watch = false;              // -w: keep printing changes until Ctrl-C
  bool watch_only = false;         // --watch-only: -w without the first listing
  std::string owner;               // tasks: --owner service/NAME
  bool all = false;                // tasks: -a, finished tasks too
};
int run_get(ApiClient& api, const GetOptions& o);

struct DescribeOptions {
  std::string type;
  std::vector<std::string> names;
};
int run_describe(ApiClient& api, const DescribeOptions& o);

struct DeleteOptions {
  std::string type;
  std::vector<std::string> names;
  bool yes = false;
};
int run_delete(ApiClient& api, const DeleteOptions& o);

struct SendOptions {
  std::string queue;
  std::string body;
  std::string body_file;
  bool body_given = false;
  std::vector<std::string> attributes;  // "k=v"
  std::string delay;
  std::string group;
  std::string dedup_id;
  std::string output;                   // "", "json", "yaml"
};
int run_send(ApiClient& api, const SendOptions& o);

struct ReceiveOptions {
  std::string queue;
  std::string max;
  std::string wait;
  std::string visibility;
  bool del = false;
  std::string output;
};
int run_receive(ApiClient& api, const ReceiveOptions& o);

struct PeekOptions {
  std::string queue;
  std::string max;
  std::string output;
};
int run_peek(ApiClient& api, const PeekOptions& o);

struct PurgeOptions {
  std::string queue;
  bool yes = false;
};
int run_purge(ApiClient& api, const PurgeOptions& o);

struct RedriveOptions {
  std::string dlq;
  std::string to;
  std::string max_per_second;
  bool quiet = false;
};
int run_redrive(ApiClient& api, const RedriveOptions& o);

// ebb logs task/ID|service/NAME|job/NAME [-f] [--tail N]
struct LogsOptions {
  std::string target;
  bool follow = false;
  std::string tail;                // "" = everything
};
int run_logs(ApiClient& api, const LogsOptions& o);

// ebb scale service/NAME --min N --max M
struct ScaleOptions {
  std::string type;
  std::vector<std::string> names;
  std::string min;
  std::string max;
};
int run_scale(ApiClient& api, const ScaleOptions& o);

// ebb token create [--scope read|write|admin] [--expires 90d] [--name N] | list | revoke ID
struct TokenOptions {
  std::string verb;
  std::string scope = "read";
  std::string expires;      // "" = the server's default (90 days)
  std::string name;
  std::string id;
  std::string output;       // list: "" or "json"
  bool no_headers = false;
};
int run_token(ApiClient& api, const TokenOptions& o);
// "90d", "12h", "30m", "45s" or plain seconds → seconds; nullopt if malformed.
std::optional<int64_t> parse_token_expiry(const std::string& s);

// ebb suspend|resume service|cronjob|schedule|job/NAME…
struct SuspendOptions {
  std::string type;
  std::vector<std::string> names;
};
int run_suspend(ApiClient& api, const SuspendOptions& o, bool resume);

// ebb wait job/NAME --for=condition=Complete|Failed|Suspended [--timeout 30s]
// (kubectl wait): 0 when met; 1 when the job ended the other way, on timeout
// ("timed out waiting for the condition") or Ctrl-C.
struct WaitOptions {
  std::string target;              // job/NAME or job NAME
  std::vector<std::string> names;
  std::string condition;           // --for value: "condition=Complete"
  std::string timeout;             // "" = kubectl's 30s; "10m", "1h30m", "0" (check once)
};
int run_wait(ApiClient& api, const WaitOptions& o);

// ebb cost [--since 30d] [-o json|yaml|wide] [--no-headers] (GET /api/v1/cost).
struct CostOptions {
  std::string since = "30d";
  std::string output;              // "", "wide", "json", "yaml"
  bool no_headers = false;
};
int run_cost(ApiClient& api, const CostOptions& o);

// ebb create job NAME --from=cronjob/X (kubectl create job --from).
struct CreateJobOptions {
  std::string name;
  std::string from;                // cronjob/X or cj/X
};
int run_create_job(ApiClient& api, const CreateJobOptions& o);

// ebb trigger schedule/NAME…: fire a schedule's target now.
struct TriggerOptions {
  std::string type;
  std::vector<std::string> names;
};
int run_trigger(ApiClient& api, const TriggerOptions& o);

int run_version();

// ebb doctor: offline check of a data directory (store integrity, schema, file modes,
// free space), and salvage of a damaged store into a new directory (reliability.md P-D6).
// Needs no server.
struct DoctorOptions {
  std::string data_dir;    // "" = ebbd's default (EBB_DATA_DIR, STATE_DIRECTORY, XDG…)
  std::string salvage_to;  // "" = check only
};
int run_doctor(const DoctorOptions& o);

// Resource type words (`queues`, `queue`, `q`, `svc`, `es`, `sched`, `cj`…) →
// "queues", "services", "tasks", "eventsources", "schedules", "cronjobs" or "jobs";
// `queue/NAME` also yields the name. Unknown or not-yet-supported types are usage
// errors.
struct TypeAndNames {
  std::string type;
  std::vector<std::string> names;
};
Outcome<TypeAndNames> resolve_type(const std::string& type, const std::vector<std::string>& names);
// "queues (q), services (svc), …" for hints.
extern const char* const kSupportedTypes;

}  // namespace ebb::cli
