// kind: Service and the task template (autoscaling.md §2, ecosystem.md §3.6,
// reliability.md §5.4 and §4.7).
#include <gtest/gtest.h>

#include "manifest/manifest.h"
#include "manifest/service_kind.h"
#include "test_util.h"

namespace ebb::manifest {
namespace {

using testing::errors_of;
using testing::has_error;

// The Service document of ecosystem.md §3.6's complete example, unchanged.
constexpr const char* kSeedService = R"(# Worker pool autoscaled on the queue's backlog
apiVersion: ebb/v1
kind: Service
metadata:
  name: thumbnailer
  labels: {app: thumbnails}
spec:
  template:
    command: ["python3", "-m", "thumbnailer.worker"]
    workingDir: /srv/thumbnailer
    env:
      - name: OUTPUT_DIR
        value: /srv/thumbnails/out
    resources:
      cpu: 500m                         # priced as 0.5 vCPU
      memory: 1Gi
    stopTimeoutSeconds: 30              # SIGTERM, then SIGKILL
  scaling:
    queue: thumbnails
    minTasks: 0
    maxTasks: 10
    targetBacklogPerTask: 5
    includeInFlight: true
    scaleOutCooldownSeconds: 60
    scaleInCooldownSeconds: 300
)";

// A Service with a minimal valid template and `scaling_lines` (indented by four).
std::string service(std::string_view scaling_lines, std::string_view template_lines = "    command: [worker]\n",
                    std::string_view extra_spec = "") {
  return "apiVersion: ebb/v1\nkind: Service\nmetadata: {name: svc}\nspec:\n  template:\n" +
         std::string(template_lines) + "  scaling:\n" + std::string(scaling_lines) + std::string(extra_spec);
}
std::string with_template(std::string_view template_lines) { return service("    queue: q\n", template_lines); }

Result<std::vector<Validated>> load(std::string_view yaml) {
  auto docs = parse_file(yaml, "m.yaml");
  if (!docs.ok()) return docs.error();
  return validate_all(*docs);
}

TEST(Service, SeedDocumentValidates) {
  auto v = load(kSeedService);
  ASSERT_TRUE(v.ok()) << v.error().message;
  ASSERT_EQ(v->size(), 1u);
  EXPECT_EQ((*v)[0].kind, "Service");
  EXPECT_EQ((*v)[0].name, "thumbnailer");
  // Defaults are not filled in by validation.
  EXPECT_FALSE((*v)[0].doc["spec"]["scaling"].contains("tolerance"));
}

TEST(Service, EveryScalingFieldAndTriggers) {
  const std::string all = service(R"(    triggers:
      - {queue: a, targetBacklogPerTask: 2.5, includeInFlight: false, includeDelayed: true}
      - {queue: b.fifo}
    minTasks: 2
    maxTasks: 1000
    tolerance: 0
    scaleOutCooldownSeconds: 0
    scaleInCooldownSeconds: 86400
    scaleToZeroDelaySeconds: 0
    activationBacklog: 3
    deactivationBacklog: 3
    scaleIn: {enabled: false, maxTasksPerStep: null, stepSeconds: 15}
    fifoCapAtActiveGroups: false
    drainTimeoutSeconds: null
    evaluation: {minIntervalMs: 10, maxIntervalMs: 600000}
)",
                                  R"(    command: [/usr/bin/worker, --fast]
    args: ["", "x"]
    env:
      - {name: _A1, value: ""}
      - name: TOKEN
        valueFrom: {secretKeyRef: {name: api-token, key: token, optional: true}}
    workingDir: /srv/w
    resources: {cpu: 2, memory: "512Mi"}
    timeoutSeconds: 604800
    stopTimeoutSeconds: 0
    runtime: process
    image: worker:1.0
)",
                                  "  paused: true\n");
  EXPECT_EQ(errors_of(all), "");
  EXPECT_EQ(errors_of(service("    queue: q\n    targetBacklogPerTask: 0.5\n    drainTimeoutSeconds: 60\n"
                              "    scaleIn: {maxTasksPerStep: 2}\n")),
            "");
}

TEST(Service, Defaults) {
  nlohmann::json d = service_defaults();
  const nlohmann::json& s = d["scaling"];
  EXPECT_EQ(s["targetBacklogPerTask"], 5);
  EXPECT_EQ(s["includeInFlight"], true);
  EXPECT_EQ(s["includeDelayed"], false);
  EXPECT_EQ(s["minTasks"], 1);
  EXPECT_EQ(s["maxTasks"], 10);
  EXPECT_DOUBLE_EQ(s["tolerance"].get<double>(), 0.1);
  EXPECT_EQ(s["scaleOutCooldownSeconds"], 0);
  EXPECT_EQ(s["scaleInCooldownSeconds"], 300);
  EXPECT_EQ(s["scaleToZeroDelaySeconds"], 300);
  EXPECT_EQ(s["scaleIn"]["stepSeconds"], 15);
  EXPECT_TRUE(s["scaleIn"]["maxTasksPerStep"].is_null());
  EXPECT_EQ(s["evaluation"]["minIntervalMs"], 100);
  EXPECT_EQ(s["evaluation"]["maxIntervalMs"], 1000);
  EXPECT_EQ(d["template"]["stopTimeoutSeconds"], 30);

  auto v = load(kSeedService);
  ASSERT_TRUE(v.ok()) << v.error().message;
  nlohmann::json full = service_spec_with_defaults((*v)[0].doc["spec"]);
  EXPECT_EQ(full["scaling"]["minTasks"], 0);                  // given wins
  EXPECT_EQ(full["scaling"]["scaleOutCooldownSeconds"], 60);  // given wins
  EXPECT_EQ(full["scaling"]["scaleToZeroDelaySeconds"], 300);
  EXPECT_EQ(full["template"]["runtime"], "process");
  EXPECT_EQ(full["paused"], false);

  nlohmann::json trig = service_spec_with_defaults(
      nlohmann::json::parse(R"({"template":{"command":["w"]},"scaling":{"triggers":[{"queue":"a"},{"queue":"b","targetBacklogPerTask":2}]}})"));
  EXPECT_FALSE(trig["scaling"].contains("targetBacklogPerTask"));
  EXPECT_EQ(trig["scaling"]["triggers"][0]["targetBacklogPerTask"], 5);
  EXPECT_EQ(trig["scaling"]["triggers"][1]["targetBacklogPerTask"], 2);
  EXPECT_EQ(trig["scaling"]["triggers"][1]["includeInFlight"], true);
}

struct Case {
  const char* name;
  std::string yaml;
  std::string want;
};

TEST(Service, InvalidScaling) {
  const Case cases[] = {
      {.name = "unknown scaling field", .yaml = service("    queue: q\n    maxTask: 3\n"),
       .want = "spec.scaling.maxTask: unknown field"},
      {.name = "unknown spec field", .yaml = service("    queue: q\n", "    command: [w]\n", "  replicas: 3\n"),
       .want = "spec.replicas: unknown field"},
      {.name = "no spec", .yaml = "apiVersion: ebb/v1\nkind: Service\nmetadata: {name: s}\n", .want = "spec: required"},
      {.name = "no template", .yaml = "apiVersion: ebb/v1\nkind: Service\nmetadata: {name: s}\nspec: {scaling: {queue: q}}\n",
       .want = "spec.template: required field is missing"},
      {.name = "no scaling", .yaml = "apiVersion: ebb/v1\nkind: Service\nmetadata: {name: s}\nspec: {template: {command: [w]}}\n",
       .want = "spec.scaling: required field is missing"},
      {.name = "bad name", .yaml = "apiVersion: ebb/v1\nkind: Service\nmetadata: {name: My_Svc}\nspec: {template: {command: [w]}, scaling: {queue: q}}\n",
       .want = "metadata.name: name \"My_Svc\" is not a valid DNS-1123 name"},
      {.name = "target zero", .yaml = service("    queue: q\n    targetBacklogPerTask: 0\n"),
       .want = "spec.scaling.targetBacklogPerTask: must be greater than 0"},
      {.name = "target negative", .yaml = service("    queue: q\n    targetBacklogPerTask: -2.5\n"),
       .want = "spec.scaling.targetBacklogPerTask: must be greater than 0"},
      {.name = "target string", .yaml = service("    queue: q\n    targetBacklogPerTask: \"5\"\n"),
       .want = "spec.scaling.targetBacklogPerTask: must be a number, got the string \"5\""},
      {.name = "target .inf", .yaml = service("    queue: q\n    targetBacklogPerTask: .inf\n"),
       .want = "spec.scaling.targetBacklogPerTask"},
      {.name = "minTasks negative", .yaml = service("    queue: q\n    minTasks: -1\n"),
       .want = "spec.scaling.minTasks: must be between 0 and 1000, got -1"},
      {.name = "maxTasks zero", .yaml = service("    queue: q\n    minTasks: 0\n    maxTasks: 0\n"),
       .want = "spec.scaling.maxTasks: must be between 1 and 1000, got 0"},
      {.name = "maxTasks above cap", .yaml = service("    queue: q\n    maxTasks: 1001\n"),
       .want = "spec.scaling.maxTasks: must be between 1 and 1000, got 1001"},
      {.name = "maxTasks below minTasks", .yaml = service("    queue: q\n    minTasks: 5\n    maxTasks: 4\n"),
       .want = "spec.scaling.maxTasks: must be at least minTasks (5), got 4"},
      {.name = "default maxTasks below minTasks", .yaml = service("    queue: q\n    minTasks: 20\n"),
       .want = "spec.scaling.maxTasks: the default 10 is less than minTasks (20); set maxTasks"},
      {.name = "tolerance 1", .yaml = service("    queue: q\n    tolerance: 1\n"),
       .want = "spec.scaling.tolerance: must be at least 0 and less than 1, got 1"},
      {.name = "tolerance negative", .yaml = service("    queue: q\n    tolerance: -0.1\n"),
       .want = "spec.scaling.tolerance: must be at least 0 and less than 1"},
      {.name = "scale-out cooldown", .yaml = service("    queue: q\n    scaleOutCooldownSeconds: 86401\n"),
       .want = "spec.scaling.scaleOutCooldownSeconds: must be between 0 and 86400, got 86401"},
      {.name = "scale-in cooldown", .yaml = service("    queue: q\n    scaleInCooldownSeconds: -1\n"),
       .want = "spec.scaling.scaleInCooldownSeconds: must be between 0 and 86400"},
      {.name = "scale-to-zero delay", .yaml = service("    queue: q\n    scaleToZeroDelaySeconds: 100000\n"),
       .want = "spec.scaling.scaleToZeroDelaySeconds: must be between 0 and 86400"},
      {.name = "deactivation above activation",
       .yaml = service("    queue: q\n    activationBacklog: 2\n    deactivationBacklog: 3\n"),
       .want = "spec.scaling.deactivationBacklog: must be at most activationBacklog (2), got 3"},
      {.name = "deactivation above default activation", .yaml = service("    queue: q\n    deactivationBacklog: 1\n"),
       .want = "spec.scaling.deactivationBacklog: must be at most activationBacklog (0), got 1"},
      {.name = "neither queue nor triggers", .yaml = service("    minTasks: 1\n"),
       .want = "spec.scaling: give exactly one of queue and triggers"},
      {.name = "queue and triggers", .yaml = service("    queue: q\n    triggers: [{queue: a}]\n"),
       .want = "spec.scaling: give exactly one of queue and triggers, not both"},
      {.name = "bad queue name", .yaml = service("    queue: Q_1\n"), .want = "spec.scaling.queue: queue name \"Q_1\""},
      {.name = "empty triggers", .yaml = service("    triggers: []\n"),
       .want = "spec.scaling.triggers: must have 1 to 100 entries, got 0"},
      {.name = "trigger unknown field", .yaml = service("    triggers: [{queue: a, target: 3}]\n"),
       .want = "spec.scaling.triggers[0].target: unknown field"},
      {.name = "trigger without queue", .yaml = service("    triggers: [{targetBacklogPerTask: 3}]\n"),
       .want = "spec.scaling.triggers[0].queue: required field is missing"},
      {.name = "trigger target zero", .yaml = service("    triggers: [{queue: a}, {queue: b, targetBacklogPerTask: 0}]\n"),
       .want = "spec.scaling.triggers[1].targetBacklogPerTask: must be greater than 0"},
      {.name = "duplicate trigger", .yaml = service("    triggers: [{queue: a}, {queue: a}]\n"),
       .want = "spec.scaling.triggers[1].queue: duplicate trigger for queue a"},
      {.name = "target beside triggers", .yaml = service("    triggers: [{queue: a}]\n    targetBacklogPerTask: 3\n"),
       .want = "spec.scaling.targetBacklogPerTask: not allowed with triggers; set it on each trigger"},
      {.name = "includeInFlight not bool", .yaml = service("    queue: q\n    includeInFlight: \"yes\"\n"),
       .want = "spec.scaling.includeInFlight: must be true or false"},
      {.name = "drain timeout zero", .yaml = service("    queue: q\n    drainTimeoutSeconds: 0\n"),
       .want = "spec.scaling.drainTimeoutSeconds: must be between 1 and 86400, got 0"},
      {.name = "drain timeout huge", .yaml = service("    queue: q\n    drainTimeoutSeconds: 86401\n"),
       .want = "spec.scaling.drainTimeoutSeconds: must be between 1 and 86400"},
      {.name = "evaluation min", .yaml = service("    queue: q\n    evaluation: {minIntervalMs: 9}\n"),
       .want = "spec.scaling.evaluation.minIntervalMs: must be between 10 and 10000, got 9"},
      {.name = "evaluation max below min", .yaml = service("    queue: q\n    evaluation: {minIntervalMs: 500, maxIntervalMs: 400}\n"),
       .want = "spec.scaling.evaluation.maxIntervalMs: must be at least minIntervalMs (500), got 400"},
      {.name = "evaluation max below default min", .yaml = service("    queue: q\n    evaluation: {maxIntervalMs: 50}\n"),
       .want = "spec.scaling.evaluation.maxIntervalMs: must be at least minIntervalMs (100), got 50"},
      {.name = "evaluation max too large", .yaml = service("    queue: q\n    evaluation: {maxIntervalMs: 600001}\n"),
       .want = "spec.scaling.evaluation.maxIntervalMs: must be between 10 and 600000"},
      {.name = "evaluation unknown", .yaml = service("    queue: q\n    evaluation: {intervalMs: 5}\n"),
       .want = "spec.scaling.evaluation.intervalMs: unknown field"},
      {.name = "scaleIn unknown", .yaml = service("    queue: q\n    scaleIn: {enable: true}\n"),
       .want = "spec.scaling.scaleIn.enable: unknown field"},
      {.name = "scaleIn step zero", .yaml = service("    queue: q\n    scaleIn: {stepSeconds: 0}\n"),
       .want = "spec.scaling.scaleIn.stepSeconds: must be between 1 and 86400"},
      {.name = "scaleIn max per step zero", .yaml = service("    queue: q\n    scaleIn: {maxTasksPerStep: 0}\n"),
       .want = "spec.scaling.scaleIn.maxTasksPerStep: must be between 1 and 1000"},
      {.name = "paused not bool", .yaml = service("    queue: q\n", "    command: [w]\n", "  paused: \"no\"\n"),
       .want = "spec.paused: must be true or false"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_TRUE(has_error(c.yaml, c.want));
  }
}

TEST(Service, EveryErrorIsReported) {
  std::string e = errors_of(service("    queue: q\n    minTasks: -1\n    tolerance: 2\n    bogus: 1\n",
                                    "    command: []\n    workingDir: rel\n"));
  EXPECT_NE(e.find("spec.scaling.minTasks"), std::string::npos) << e;
  EXPECT_NE(e.find("spec.scaling.tolerance"), std::string::npos) << e;
  EXPECT_NE(e.find("spec.scaling.bogus: unknown field"), std::string::npos) << e;
  EXPECT_NE(e.find("spec.template.command: must not be empty"), std::string::npos) << e;
  EXPECT_NE(e.find("spec.template.workingDir"), std::string::npos) << e;
}

TEST(TaskTemplate, InvalidTemplates) {
  const std::string big(70 * 1024, 'x');
  const Case cases[] = {
      {.name = "unknown field", .yaml = with_template("    command: [w]\n    cmd: [x]\n"),
       .want = "spec.template.cmd: unknown field"},
      {.name = "missing command", .yaml = with_template("    args: [x]\n"),
       .want = "spec.template.command: required field is missing"},
      {.name = "image without command", .yaml = with_template("    image: worker:1\n"),
       .want = "spec.template.command: the process runtime needs `command`; add it or use a container runtime"},
      {.name = "empty command", .yaml = with_template("    command: []\n"),
       .want = "spec.template.command: must not be empty"},
      {.name = "command not a list", .yaml = with_template("    command: worker\n"),
       .want = "spec.template.command: must be a list of strings, got the string \"worker\""},
      {.name = "command item number", .yaml = with_template("    command: [w, 5]\n"),
       .want = "spec.template.command[1]: must be a string, got the number 5"},
      {.name = "empty program", .yaml = with_template("    command: [\"\"]\n"),
       .want = "spec.template.command[0]: the program must not be empty"},
      {.name = "NUL in command", .yaml = with_template("    command: [\"w\\0x\"]\n"),
       .want = "spec.template.command[0]: must not contain a NUL character"},
      {.name = "NUL in args", .yaml = with_template("    command: [w]\n    args: [a, \"b\\0\"]\n"),
       .want = "spec.template.args[1]: must not contain a NUL character"},
      {.name = "argv+env too large",
       .yaml = with_template("    command: [w, " + big + "]\n    env: [{name: A, value: " + big + "}]\n"),
       .want = "spec.template: command, args and env together take"},
      {.name = "env not a list", .yaml = with_template("    command: [w]\n    env: {A: b}\n"),
       .want = "spec.template.env: must be a list"},
      {.name = "env bad name", .yaml = with_template("    command: [w]\n    env: [{name: 1A, value: x}]\n"),
       .want = "spec.template.env[0].name: \"1A\" is not a valid variable name"},
      {.name = "env bad name chars", .yaml = with_template("    command: [w]\n    env: [{name: A-B, value: x}]\n"),
       .want = "spec.template.env[0].name: \"A-B\" is not a valid variable name"},
      {.name = "env duplicate", .yaml = with_template("    command: [w]\n    env: [{name: A, value: x}, {name: A, value: z}]\n"),
       .want = "spec.template.env[1].name: duplicate variable A"},
      {.name = "env NUL value", .yaml = with_template("    command: [w]\n    env: [{name: A, value: \"x\\0\"}]\n"),
       .want = "spec.template.env[0].value: must not contain a NUL character"},
      {.name = "env value number", .yaml = with_template("    command: [w]\n    env: [{name: A, value: 5}]\n"),
       .want = "spec.template.env[0].value: must be a string, got the number 5; hint: quote"},
      {.name = "env unknown field", .yaml = with_template("    command: [w]\n    env: [{name: A, valu: x}]\n"),
       .want = "spec.template.env[0].valu: unknown field"},
      {.name = "env value and valueFrom",
       .yaml = with_template("    command: [w]\n    env: [{name: A, value: x, valueFrom: {secretKeyRef: {name: s, key: k, optional: true}}}]\n"),
       .want = "spec.template.env[0]: give either value or valueFrom, not both"},
      {.name = "secret name not a DNS subdomain",
       .yaml = with_template("    command: [w]\n    env: [{name: A, valueFrom: {secretKeyRef: {name: Db_Pass, key: password}}}]\n"),
       .want = "spec.template.env[0].valueFrom.secretKeyRef.name: secret "},
      {.name = "secret without key",
       .yaml = with_template("    command: [w]\n    env: [{name: A, valueFrom: {secretKeyRef: {name: s, optional: true}}}]\n"),
       .want = "spec.template.env[0].valueFrom.secretKeyRef.key: required field is missing"},
      {.name = "configMapKeyRef unsupported",
       .yaml = with_template("    command: [w]\n    env: [{name: A, valueFrom: {configMapKeyRef: {name: s, key: k}}}]\n"),
       .want = "spec.template.env[0].valueFrom.configMapKeyRef: unknown field"},
      {.name = "relative workingDir", .yaml = with_template("    command: [w]\n    workingDir: srv/w\n"),
       .want = "spec.template.workingDir: must be an absolute path"},
      {.name = "workingDir with ..", .yaml = with_template("    command: [w]\n    workingDir: /srv/../etc\n"),
       .want = "spec.template.workingDir: must not contain \"..\""},
      {.name = "memory 1GiB", .yaml = with_template("    command: [w]\n    resources: {memory: 1GiB}\n"),
       .want = "spec.template.resources.memory: invalid memory quantity \"1GiB\""},
      {.name = "memory -1Gi", .yaml = with_template("    command: [w]\n    resources: {memory: -1Gi}\n"),
       .want = "spec.template.resources.memory: invalid memory quantity"},
      {.name = "cpu 500mm", .yaml = with_template("    command: [w]\n    resources: {cpu: 500mm}\n"),
       .want = "spec.template.resources.cpu: invalid cpu quantity \"500mm\""},
      {.name = "cpu 1e400", .yaml = with_template("    command: [w]\n    resources: {cpu: \"1e400\"}\n"),
       .want = "spec.template.resources.cpu: invalid cpu quantity"},
      {.name = "requests not supported", .yaml = with_template("    command: [w]\n    resources: {requests: {cpu: 1}}\n"),
       .want = "spec.template.resources.requests: unknown field"},
      {.name = "timeout zero", .yaml = with_template("    command: [w]\n    timeoutSeconds: 0\n"),
       .want = "spec.template.timeoutSeconds: must be between 1 and 604800, got 0"},
      {.name = "timeout huge", .yaml = with_template("    command: [w]\n    timeoutSeconds: 604801\n"),
       .want = "spec.template.timeoutSeconds: must be between 1 and 604800"},
      {.name = "stop timeout", .yaml = with_template("    command: [w]\n    stopTimeoutSeconds: 3601\n"),
       .want = "spec.template.stopTimeoutSeconds: must be between 0 and 3600, got 3601"},
      {.name = "docker runtime", .yaml = with_template("    command: [w]\n    runtime: docker\n"),
       .want = "spec.template.runtime: runtime \"docker\" is not available; supported: process"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_TRUE(has_error(c.yaml, c.want));
  }
}

TEST(TaskTemplate, QuantitiesAccepted) {
  for (const char* r : {"{cpu: 500m, memory: 1Gi}", "{cpu: \"1\", memory: 512Mi}", "{cpu: 0.5}", "{memory: 1000000}"}) {
    SCOPED_TRACE(r);
    EXPECT_EQ(errors_of(with_template(std::string("    command: [w]\n    resources: ") + r + "\n")), "");
  }
}

}  // namespace
}  // namespace ebb::manifest

namespace ebb::manifest {
namespace {
using testing::errors_of;
using testing::has_error;

TEST(Service, TaskDefinitionStandsInForTheTemplate) {
  EXPECT_EQ(errors_of("apiVersion: ebb/v1\nkind: Service\nmetadata: {name: s}\n"
                      "spec: {taskDefinition: \"daily-report:3\", scaling: {queue: q}}\n"),
            "");
  EXPECT_EQ(errors_of("apiVersion: ebb/v1\nkind: Service\nmetadata: {name: s}\n"
                      "spec: {taskDefinition: daily-report, scaling: {queue: q}}\n"),
            "");
  EXPECT_TRUE(has_error("apiVersion: ebb/v1\nkind: Service\nmetadata: {name: s}\n"
                        "spec: {taskDefinition: r, template: {command: [w]}, scaling: {queue: q}}\n",
                        "spec: give exactly one of template and taskDefinition"));
  EXPECT_TRUE(has_error("apiVersion: ebb/v1\nkind: Service\nmetadata: {name: s}\n"
                        "spec: {taskDefinition: \"r:0\", scaling: {queue: q}}\n",
                        "spec.taskDefinition: must be FAMILY or FAMILY:REVISION"));
  EXPECT_TRUE(has_error("apiVersion: ebb/v1\nkind: Service\nmetadata: {name: s}\n"
                        "spec: {taskDefinition: 3, scaling: {queue: q}}\n",
                        "spec.taskDefinition: must be a string"));
}

}  // namespace
}  // namespace ebb::manifest
