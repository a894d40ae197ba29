#include "runtime/task_template.h"

#include "base/crypto.h"
#include "base/quantity.h"

namespace ebb::runtime {
namespace {

using nlohmann::json;

// Draws `n` characters uniformly from `alphabet` (rejection sampling: no modulo bias).
std::string random_chars(size_t n, std::string_view alphabet) {
  std::string out;
  const size_t limit = 256 - 256 % alphabet.size();
  while (out.size() < n) {
    for (unsigned char c : random_bytes(n * 2)) {
      if (c >= limit) continue;
      out.push_back(alphabet[c % alphabet.size()]);
      if (out.size() == n) break;
    }
  }
  return out;
}

const json* field(const json& obj, const char* name) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(name);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

// The quantity text for `name` ("cpu"/"memory") in any accepted resources form.
const json* quantity_field(const json& tmpl, const char* name) {
  if (const json* res = field(tmpl, "resources")) {
    if (const json* v = field(*res, name)) return v;
    if (const json* lim = field(*res, "limits"))
      if (const json* v = field(*lim, name)) return v;
    if (const json* req = field(*res, "requests"))
      if (const json* v = field(*req, name)) return v;
  }
  return field(tmpl, name);
}

std::string quantity_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number()) return v.dump();
  return "";
}

Result<std::vector<std::string>> string_list(const json& tmpl, const char* name) {
  std::vector<std::string> out;
  const json* v = field(tmpl, name);
  if (!v) return out;
  if (v->is_string()) {  // a single string is accepted as a one-element list
    out.push_back(v->get<std::string>());
    return out;
  }
  if (!v->is_array()) return err(Code::Invalid, std::string("template.") + name + ": must be a list of strings");
  for (const json& s : *v) {
    if (!s.is_string()) return err(Code::Invalid, std::string("template.") + name + ": must be a list of strings");
    out.push_back(s.get<std::string>());
  }
  return out;
}

void set_var(std::vector<EnvVar>& env, const std::string& name, const std::string& value) {
  for (EnvVar& e : env)
    if (e.name == name) {
      e.value = value;
      return;
    }
  env.push_back({name, value});
}

}  // namespace

std::vector<std::string> TaskTemplate::argv() const {
  std::vector<std::string> out = command;
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

Result<TaskTemplate> parse_task_template(const json& tmpl) {
  if (!tmpl.is_object()) return err(Code::Invalid, "template: must be an object");
  TaskTemplate t;
  EBB_TRY(t.command, string_list(tmpl, "command"));
  EBB_TRY(t.args, string_list(tmpl, "args"));
  if (t.command.empty() && t.args.empty()) return err(Code::Invalid, "template.command: required field is missing");
  if (const json* env = field(tmpl, "env")) {
    if (!env->is_array()) return err(Code::Invalid, "template.env: must be a list");
    for (const json& e : *env) {
      const json* name = field(e, "name");
      if (!name || !name->is_string()) return err(Code::Invalid, "template.env: every entry needs a name");
      // valueFrom.secretKeyRef: looked up at launch (resolve_secret_env), so the value is
      // never part of the spec that ebb stores or shows (reliability.md §4.7).
      if (const json* from = field(e, "valueFrom")) {
        if (const json* ref = field(*from, "secretKeyRef"); ref && ref->is_object()) {
          SecretEnvRef r;
          r.name = name->get<std::string>();
          r.secret = ref->value("name", std::string());
          r.key = ref->value("key", std::string());
          r.optional = ref->value("optional", false);
          t.secret_env.push_back(std::move(r));
        }
        continue;
      }
      const json* value = field(e, "value");
      std::string text;
      if (value) text = value->is_string() ? value->get<std::string>() : value->dump();
      set_var(t.env, name->get<std::string>(), text);
    }
  }
  if (const json* wd = field(tmpl, "workingDir"); wd && wd->is_string()) t.working_dir = wd->get<std::string>();
  if (const json* img = field(tmpl, "image"); img && img->is_string()) t.image = img->get<std::string>();
  if (const json* cpu = quantity_field(tmpl, "cpu")) {
    Result<int64_t> v = parse_cpu_quantity(quantity_text(*cpu));
    if (!v) return err(Code::Invalid, "template.resources.cpu: " + v.error().message);
    t.cpu_millis = *v;
  }
  if (const json* mem = quantity_field(tmpl, "memory")) {
    Result<int64_t> v = parse_memory_quantity(quantity_text(*mem));
    if (!v) return err(Code::Invalid, "template.resources.memory: " + v.error().message);
    t.memory_bytes = *v;
  }
  if (const json* to = field(tmpl, "timeoutSeconds")) {
    if (!to->is_number() || to->get<double>() <= 0) return err(Code::Invalid, "template.timeoutSeconds: must be > 0");
    t.timeout_seconds = to->get<int64_t>();
  }
  if (const json* st = field(tmpl, "stopTimeoutSeconds")) {
    if (!st->is_number() || st->get<double>() < 0) return err(Code::Invalid, "template.stopTimeoutSeconds: must be >= 0");
    t.stop_timeout_seconds = st->get<int64_t>();
  }
  return t;
}

TaskCredentials new_task_credentials() {
  static constexpr std::string_view kUpperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  static constexpr std::string_view kSecret = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  return {"EBBT" + random_chars(16, kUpperAlnum), random_chars(40, kSecret)};
}

std::vector<std::string> build_task_env(const TaskTemplate& t, const TaskEnvContext& ctx) {
  std::vector<EnvVar> env;
  // reliability.md §4.6 step 7: from nothing; the template may override these three.
  set_var(env, "PATH", ctx.task_path);
  set_var(env, "HOME", ctx.home);
  set_var(env, "LANG", "C.UTF-8");
  if (!ctx.ca_bundle.empty()) {
    // ebbd serves HTTPS, perhaps with a private CA: boto3/the AWS CLI, Node and
    // OpenSSL-based tools trust this bundle (the system store plus ebbd's chain). A
    // template may point them elsewhere.
    set_var(env, "AWS_CA_BUNDLE", ctx.ca_bundle);
    set_var(env, "NODE_EXTRA_CA_CERTS", ctx.ca_bundle);
    set_var(env, "SSL_CERT_FILE", ctx.ca_bundle);
  }
  for (const EnvVar& e : t.env) set_var(env, e.name, e.value);
  // ebb's variables win: a worker must reach ebb with its own credentials.
  set_var(env, "AWS_ENDPOINT_URL", ctx.endpoint_url);
  set_var(env, "AWS_ENDPOINT_URL_SQS", ctx.endpoint_url);
  set_var(env, "AWS_REGION", ctx.region);
  set_var(env, "AWS_DEFAULT_REGION", ctx.region);
  set_var(env, "AWS_ACCESS_KEY_ID", ctx.credentials.access_key_id);
  set_var(env, "AWS_SECRET_ACCESS_KEY", ctx.credentials.secret_access_key);
  set_var(env, "EBB_TASK_ID", ctx.task_id);
  if (!ctx.service.empty()) set_var(env, "EBB_SERVICE", ctx.service);
  if (!ctx.queue_name.empty()) {
    std::string base = ctx.endpoint_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    set_var(env, "EBB_QUEUE_URL", base + "/" + ctx.account + "/" + ctx.queue_name);
    set_var(env, "EBB_QUEUE_NAME", ctx.queue_name);
  }
  set_var(env, "EBB_ENDPOINT_URL", ctx.endpoint_url);
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const EnvVar& e : env) out.push_back(e.name + "=" + e.value);
  return out;
}

Status resolve_secret_env(TaskTemplate& t, const SecretLookup& lookup) {
  for (const SecretEnvRef& r : t.secret_env) {
    std::optional<std::string> v = lookup ? lookup(r.secret, r.key) : std::nullopt;
    if (!v) {
      if (r.optional) continue;
      return err(Code::NotFound, "env " + r.name + ": key \"" + r.key + "\" of secret \"" + r.secret + "\" not found");
    }
    set_var(t.env, r.name, *v);
  }
  return {};
}

}  // namespace ebb::runtime
