// TaskTemplate: the task part of a Service (and later Job/Schedule) manifest as plain
// values — what to run, its environment, its resources and its time limits — plus the
// environment a task gets, built from nothing (reliability.md §4.6 step 7; ebb's own
// environment never leaks into tasks). The manifest validator has already checked the
// document; parse_task_template() only converts it (and rejects what it cannot
// convert, e.g. an unparsable quantity, with Code::Invalid).
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace ebb::runtime {

struct EnvVar {
  std::string name;
  std::string value;
};

// env[].valueFrom.secretKeyRef: resolved at each launch, never stored with the task.
struct SecretEnvRef {
  std::string name;    // the variable
  std::string secret;  // secretKeyRef.name
  std::string key;     // secretKeyRef.key
  bool optional = false;
};

struct TaskTemplate {
  std::vector<std::string> command;     // argv[0..]
  std::vector<std::string> args;        // appended to command
  std::vector<EnvVar> env;              // literal values
  std::vector<SecretEnvRef> secret_env; // secretKeyRef values, looked up at launch
  std::string working_dir;              // "" = the task's own <task dir>/work
  int64_t cpu_millis = 0;               // resources.cpu (0 = not given)
  int64_t memory_bytes = 0;             // resources.memory (0 = not given)
  std::optional<int64_t> timeout_seconds;  // whole-run deadline (stop reason "Timeout")
  int64_t stop_timeout_seconds = 30;    // SIGTERM → SIGKILL grace
  std::string image;                    // for container runtimes; the process runtime ignores it

  std::vector<std::string> argv() const;  // command + args
};

// `template` object of a validated manifest → TaskTemplate. Accepts resources as
// `resources: {cpu, memory}`, Kubernetes `resources: {limits|requests: {cpu, memory}}`
// (limits win) or top-level `cpu`/`memory`.
Result<TaskTemplate> parse_task_template(const nlohmann::json& tmpl);

// Opens secret NAME's KEY (nullopt: no such secret or key). Called at task launch only.
using SecretLookup = std::function<std::optional<std::string>(const std::string& name, const std::string& key)>;

// Adds the template's secretKeyRef variables to `t.env` (replacing a literal of the same
// name). A missing required secret or key is an error naming the variable, the secret
// and the key — never a value; a missing optional one is skipped (Kubernetes).
Status resolve_secret_env(TaskTemplate& t, const SecretLookup& lookup);

// Per-task credentials (autoscaling.md §5.1): key id "EBBT" + 16 upper-case
// alphanumerics, secret 40 characters, both from the CSPRNG.
struct TaskCredentials {
  std::string access_key_id;
  std::string secret_access_key;
};
TaskCredentials new_task_credentials();

// What ebb adds to a task's environment.
struct TaskEnvContext {
  std::string task_path;        // PATH
  std::string home;             // HOME: the task's directory
  std::string endpoint_url;     // AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SQS, EBB_ENDPOINT_URL
  std::string ca_bundle;        // https endpoint: AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, SSL_CERT_FILE ("" = none)
  std::string region;           // AWS_REGION, AWS_DEFAULT_REGION
  TaskCredentials credentials;
  std::string task_id;          // EBB_TASK_ID
  std::string service;          // EBB_SERVICE ("" = not a service task: omitted)
  std::string queue_name;       // EBB_QUEUE_NAME ("" = none: EBB_QUEUE_URL omitted too)
  std::string account;          // for EBB_QUEUE_URL = <endpoint>/<account>/<queue>
};

// The complete environment, "NAME=value", built from nothing: PATH, HOME, LANG=C.UTF-8,
// the CA bundle variables when ebbd serves HTTPS, then the template's env (overriding those), then ebb's variables, which win over
// both. Each name appears once, in first-definition order.
std::vector<std::string> build_task_env(const TaskTemplate& t, const TaskEnvContext& ctx);

}  // namespace ebb::runtime
