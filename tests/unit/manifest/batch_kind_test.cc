// batch/v1 Job and CronJob, the pod template and v1 ConfigMap (ecosystem.md §3.6,
// scheduling.md §6.1 and §7.1, reliability.md §5.4). The seed article's documents
// are copied verbatim (only the Helm-templated Job name is rendered) and must pass.
#include <gtest/gtest.h>

#include "manifest/batch_kind.h"
#include "manifest/manifest.h"
#include "test_util.h"

namespace ebb::manifest {
namespace {

using testing::errors_of;
using testing::has_error;

// The seed article's "Simple Job Example".
constexpr const char* kSeedSimpleJob = R"(
apiVersion: batch/v1
kind: Job
metadata:
  name: data-processing-job
spec:
  completions: 1      # Run once successfully
  backoffLimit: 3     # Retry up to 3 times on failure

  template:
    spec:
      restartPolicy: Never  # Don't restart on failure (Job handles retries)

      containers:
      - name: processor
        image: myregistry/data-processor:latest
        env:
        - name: JOB_TYPE
          value: "daily-aggregation"

        resources:
          requests:
            cpu: "500m"
            memory: "1Gi"
          limits:
            cpu: "1000m"
            memory: "2Gi"
)";

// The seed article's "Parallel Processing" Job.
constexpr const char* kSeedParallelJob = R"(
apiVersion: batch/v1
kind: Job
metadata:
  name: parallel-data-job
spec:
  completions: 100      # Process 100 batches
  parallelism: 10       # Run 10 Pods at once
  backoffLimit: 5

  template:
    spec:
      restartPolicy: Never

      containers:
      - name: processor
        image: myregistry/data-processor:latest
        env:
        - name: BATCH_SIZE
          value: "1000"
        # Each Pod processes one batch of 1000 items
        # 10 Pods process 10 batches simultaneously
        # Total: 100 batches = 100,000 items
)";

// The seed article's CronJob.
constexpr const char* kSeedCronJob = R"(
apiVersion: batch/v1
kind: CronJob
metadata:
  name: daily-report
spec:
  schedule: "0 2 * * *"  # 2 AM daily
  timeZone: "America/New_York"  # Kubernetes 1.25+

  # Job history
  successfulJobsHistoryLimit: 3
  failedJobsHistoryLimit: 3

  # Concurrency control
  concurrencyPolicy: Forbid  # Don't run if previous job still running

  # Miss tolerance
  startingDeadlineSeconds: 300  # If we miss the schedule by >5 minutes, skip

  jobTemplate:
    spec:
      backoffLimit: 2

      template:
        spec:
          restartPolicy: OnFailure

          containers:
          - name: report-generator
            image: myregistry/report-generator:latest
            env:
            - name: REPORT_TYPE
              value: "daily-summary"
)";

// The seed article's ETL Job; the name nightly-etl-{{ .Values.date }} is what Helm renders.
constexpr const char* kSeedEtlJob = R"(
apiVersion: batch/v1
kind: Job
metadata:
  name: nightly-etl-2025-01-15
spec:
  completions: 50      # One per data source
  parallelism: 10      # Process 10 sources simultaneously
  backoffLimit: 2

  template:
    metadata:
      labels:
        app: etl-processor
        date: "{{ .Values.date }}"

    spec:
      serviceAccountName: etl-processor-sa  # IRSA for AWS access

      containers:
      - name: etl
        image: myregistry/etl-processor:v2.1.0

        env:
        - name: DATA_SOURCE
          valueFrom:
            configMapKeyRef:
              name: etl-sources
              key: source-$(JOB_COMPLETION_INDEX)

        - name: TARGET_DATABASE
          valueFrom:
            secretKeyRef:
              name: warehouse-credentials
              key: connection-string

        - name: JOB_COMPLETION_INDEX
          valueFrom:
            fieldRef:
              fieldPath: metadata.annotations['batch.kubernetes.io/job-completion-index']

        resources:
          requests:
            cpu: "2000m"
            memory: "4Gi"
          limits:
            cpu: "4000m"
            memory: "8Gi"

        volumeMounts:
        - name: temp-data
          mountPath: /tmp/etl

      volumes:
      - name: temp-data
        emptyDir:
          sizeLimit: "20Gi"

      nodeSelector:
        workload-type: batch  # Use specific node pool
)";

// The seed article's ConfigMap.
constexpr const char* kSeedConfigMap = R"(
apiVersion: v1
kind: ConfigMap
metadata:
  name: etl-sources
data:
  source-0: "s3://data/source-crm/"
  source-1: "s3://data/source-analytics/"
  source-2: "s3://data/source-warehouse/"
  # ... 47 more sources
)";

Result<std::vector<Validated>> load(std::string_view yaml) {
  auto docs = parse_file(yaml, "m.yaml");
  if (!docs.ok()) return docs.error();
  return validate_all(*docs);
}

bool has_warning(const Validated& v, std::string_view fragment) {
  for (const std::string& w : v.warnings) {
    if (w.find(fragment) != std::string::npos) return true;
  }
  return false;
}

// A Job whose spec is `spec_lines` (indented by two) followed by a minimal template
// unless `template_lines` replaces it (indented by four under template).
std::string job(std::string_view spec_lines, std::string_view template_lines =
                                                 "    spec:\n      restartPolicy: Never\n      containers:\n"
                                                 "      - name: w\n        command: [/bin/true]\n") {
  return "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n" + std::string(spec_lines) +
         "  template:\n" + std::string(template_lines);
}

// A Job whose single container has `container_lines` (indented by eight) after its name.
std::string job_container(std::string_view container_lines, std::string_view pod_lines = "      restartPolicy: Never\n") {
  return job("", "    spec:\n" + std::string(pod_lines) + "      containers:\n      - name: w\n" +
                     std::string(container_lines));
}

std::string cron_job(std::string_view name, std::string_view spec_lines) {
  return "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: " + std::string(name) + "}\nspec:\n" +
         std::string(spec_lines) +
         "  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n"
         "          containers: [{name: w, command: [/bin/true]}]\n";
}

// ---- the seed documents ------------------------------------------------------------

TEST(BatchSeed, SimpleJobValidates) {
  auto v = load(kSeedSimpleJob);
  ASSERT_TRUE(v.ok()) << v.error().message;
  ASSERT_EQ(v->size(), 1u);
  EXPECT_EQ((*v)[0].api_version, "batch/v1");
  EXPECT_EQ((*v)[0].kind, "Job");
  EXPECT_EQ((*v)[0].name, "data-processing-job");
  // No command: stored, and the process runtime's refusal is announced.
  EXPECT_TRUE(has_warning((*v)[0], "spec.template.spec.containers[0].command: the process runtime needs `command`; "
                                   "add it or use a container runtime"));
}

TEST(BatchSeed, ParallelJobValidates) {
  auto v = load(kSeedParallelJob);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ((*v)[0].name, "parallel-data-job");
}

TEST(BatchSeed, CronJobValidates) {
  auto v = load(kSeedCronJob);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ((*v)[0].kind, "CronJob");
  EXPECT_EQ((*v)[0].name, "daily-report");
}

TEST(BatchSeed, EtlJobValidatesWithWarnings) {
  auto v = load(kSeedEtlJob);
  ASSERT_TRUE(v.ok()) << v.error().message;
  const Validated& etl = (*v)[0];
  EXPECT_EQ(etl.name, "nightly-etl-2025-01-15");
  // scheduling.md §6.2: the mistakes the seed makes are warnings, not errors.
  EXPECT_TRUE(has_warning(etl, "spec.completionMode: JOB_COMPLETION_INDEX will be empty: set completionMode: Indexed"));
  EXPECT_TRUE(has_warning(etl, "valueFrom.configMapKeyRef.key: $(…) is expanded by ebb"));
  EXPECT_TRUE(has_warning(etl, "spec.template.spec.restartPolicy: not set; ebb uses Never"));
  EXPECT_TRUE(has_warning(etl, "spec.template.metadata.labels.date"));
  // Stored as written: volumes, nodeSelector, serviceAccountName.
  EXPECT_EQ(etl.doc["spec"]["template"]["spec"]["nodeSelector"]["workload-type"], "batch");
  EXPECT_EQ(etl.doc["spec"]["template"]["spec"]["volumes"][0]["emptyDir"]["sizeLimit"], "20Gi");
}

TEST(BatchSeed, EtlJobWithHelmNameIsRejectedByName) {
  std::string helm = kSeedEtlJob;
  helm.replace(helm.find("nightly-etl-2025-01-15"), 22, "nightly-etl-{{ .Values.date }}");
  auto docs = parse_file(helm, "m.yaml");
  if (!docs.ok()) {
    // A plain `{{` starts a YAML flow mapping: the parser already says where.
    SUCCEED();
    return;
  }
  EXPECT_TRUE(has_error(helm, "metadata.name"));
}

TEST(BatchSeed, ConfigMapValidates) {
  auto v = load(kSeedConfigMap);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ((*v)[0].kind, "ConfigMap");
  EXPECT_EQ((*v)[0].doc["data"]["source-1"], "s3://data/source-analytics/");
}

TEST(BatchSeed, AllTogetherInOneFile) {
  std::string all = std::string(kSeedConfigMap) + "---\n" + kSeedSimpleJob + "---\n" + kSeedParallelJob + "---\n" +
                    kSeedCronJob + "---\n" + kSeedEtlJob;
  auto v = load(all);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->size(), 5u);
}

TEST(BatchSeed, EcosystemCronJobValidates) {
  // ecosystem.md §3.6's complete example: 8 indexed shards, 4 at a time.
  auto v = load(R"yaml(apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly-reindex
spec:
  schedule: "0 2 * * *"
  timeZone: America/New_York
  concurrencyPolicy: Forbid
  startingDeadlineSeconds: 600
  successfulJobsHistoryLimit: 3
  failedJobsHistoryLimit: 1
  jobTemplate:
    spec:
      completions: 8
      parallelism: 4
      completionMode: Indexed
      backoffLimit: 3
      activeDeadlineSeconds: 3600
      ttlSecondsAfterFinished: 86400
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: reindex
              image: search-tools:1.4   # used by container runtimes; the process runtime runs command
              command: ["/opt/search/bin/reindex", "--shard=$(JOB_COMPLETION_INDEX)", "--of=8"]
              resources:
                requests: {cpu: 250m, memory: 512Mi}
                limits: {cpu: "1", memory: 1Gi}
)yaml");
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_TRUE((*v)[0].warnings.empty()) << (*v)[0].warnings[0];
}

// ---- Job fields ------------------------------------------------------------------------

TEST(Job, MinimalIsValid) { EXPECT_EQ(errors_of(job("")), ""); }

TEST(Job, UnknownFieldNamesItsPath) {
  EXPECT_TRUE(has_error(job("  backofLimit: 3\n"), "spec.backofLimit: unknown field"));
  EXPECT_TRUE(has_error(job_container("        commnd: [x]\n"), "spec.template.spec.containers[0].commnd: unknown field"));
}

TEST(Job, RangesNameTheField) {
  EXPECT_TRUE(has_error(job("  backoffLimit: -1\n"), "spec.backoffLimit: must be between 0 and 2147483647"));
  EXPECT_TRUE(has_error(job("  parallelism: 100001\n"), "spec.parallelism: must be between 0 and 100000"));
  EXPECT_TRUE(has_error(job("  completions: 99999999999999\n"), "spec.completions: must be between 0 and 2147483647"));
  EXPECT_TRUE(has_error(job("  activeDeadlineSeconds: -5\n"), "spec.activeDeadlineSeconds"));
  EXPECT_TRUE(has_error(job("  ttlSecondsAfterFinished: 1.5\n"), "spec.ttlSecondsAfterFinished: must be an integer"));
  EXPECT_TRUE(has_error(job("  suspend: \"yes\"\n"), "spec.suspend: must be true or false"));
  EXPECT_EQ(errors_of(job("  activeDeadlineSeconds: 0\n  parallelism: 0\n  completions: 0\n")), "");
}

TEST(Job, CompletionModeRules) {
  EXPECT_TRUE(has_error(job("  completionMode: Sequential\n"), "spec.completionMode: must be one of NonIndexed, Indexed"));
  EXPECT_TRUE(has_error(job("  completionMode: Indexed\n"), "spec.completions: required when completionMode is Indexed"));
  EXPECT_TRUE(has_error(job("  backoffLimitPerIndex: 1\n"), "spec.backoffLimitPerIndex: allowed only with completionMode: Indexed"));
  EXPECT_TRUE(has_error(job("  completionMode: Indexed\n  completions: 3\n  maxFailedIndexes: 1\n"),
                        "spec.maxFailedIndexes: needs backoffLimitPerIndex"));
  EXPECT_TRUE(has_error(job("  completionMode: Indexed\n  completions: 3\n  backoffLimitPerIndex: 1\n  maxFailedIndexes: 4\n"),
                        "spec.maxFailedIndexes: must be at most completions (3)"));
  EXPECT_TRUE(has_error(job("  completionMode: Indexed\n  completions: 200000\n  backoffLimitPerIndex: 1\n"),
                        "spec.maxFailedIndexes: required when backoffLimitPerIndex is set and completions > 100000"));
  EXPECT_EQ(errors_of(job("  completionMode: Indexed\n  completions: 3\n  backoffLimitPerIndex: 1\n  maxFailedIndexes: 2\n")), "");
}

TEST(Job, SelectorIsRejected) {
  EXPECT_TRUE(has_error(job("  manualSelector: true\n"), "spec.manualSelector: not supported"));
  EXPECT_TRUE(has_error(job("  selector: {matchLabels: {a: b}}\n"), "spec.selector: not supported"));
}

TEST(Job, RestartPolicy) {
  EXPECT_TRUE(has_error(job_container("        command: [x]\n", "      restartPolicy: Always\n"),
                        "spec.template.spec.restartPolicy: must be Never or OnFailure for a Job"));
  EXPECT_EQ(errors_of(job_container("        command: [x]\n", "      restartPolicy: OnFailure\n")), "");
}

TEST(Job, TemplateIsRequired) {
  EXPECT_TRUE(has_error("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec: {completions: 1}\n",
                        "spec.template: required field is missing"));
  EXPECT_TRUE(has_error("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n", "spec: required field is missing"));
  EXPECT_TRUE(has_error(job("", "    spec:\n      restartPolicy: Never\n      containers: []\n"),
                        "spec.template.spec.containers: must have at least one container"));
}

TEST(Job, Names) {
  EXPECT_TRUE(has_error("apiVersion: batch/v1\nkind: Job\nmetadata: {name: Big_Job}\nspec: {}\n", "metadata.name"));
  std::string long_name(254, 'a');
  EXPECT_TRUE(has_error("apiVersion: batch/v1\nkind: Job\nmetadata: {name: " + long_name + "}\nspec: {}\n",
                        "longer than 253 characters"));
}

TEST(Job, Containers) {
  EXPECT_TRUE(has_error(job_container("        command: []\n"), "spec.template.spec.containers[0].command: must not be empty"));
  EXPECT_TRUE(has_error(job_container("        command: [x]\n        workingDir: srv/app\n"),
                        "spec.template.spec.containers[0].workingDir: must be an absolute path"));
  EXPECT_TRUE(has_error(job_container("        command: [x]\n        workingDir: /srv/../etc\n"),
                        "spec.template.spec.containers[0].workingDir: must not contain \"..\""));
  EXPECT_TRUE(has_error(job_container("        command: [x]\n        args: [on]\n"), "hint: quote the value"));
  EXPECT_TRUE(has_error(job("", "    spec:\n      restartPolicy: Never\n      containers:\n"
                                "      - {name: a, command: [x]}\n      - {name: a, command: [z]}\n"),
                        "duplicate container name a"));
  EXPECT_TRUE(has_error(job_container("        command: [x]\n        imagePullPolicy: Sometimes\n"),
                        "containers[0].imagePullPolicy: must be one of Always, IfNotPresent, Never"));
}

TEST(Job, Env) {
  EXPECT_TRUE(has_error(job_container("        command: [x]\n        env: [{name: 1BAD, value: x}]\n"),
                        "containers[0].env[0].name: \"1BAD\" is not a valid variable name"));
  EXPECT_TRUE(has_error(job_container("        command: [x]\n        env: [{name: A, value: x}, {name: A, value: z}]\n"),
                        "containers[0].env[1].name: duplicate variable A"));
  EXPECT_TRUE(has_error(job_container("        command: [x]\n        env:\n        - name: A\n          valueFrom:\n"
                                      "            fieldRef: {fieldPath: spec.nodeName}\n"),
                        "containers[0].env[0].valueFrom.fieldRef.fieldPath: \"spec.nodeName\" is not supported"));
  EXPECT_TRUE(has_error(job_container("        command: [x]\n        env:\n        - name: A\n          valueFrom:\n"
                                      "            secretKeyRef: {name: s, key: k}\n"
                                      "            configMapKeyRef: {name: c, key: k}\n"),
                        "containers[0].env[0].valueFrom: must name exactly one source"));
  EXPECT_TRUE(has_error(job_container("        command: [x]\n        env:\n        - name: A\n          valueFrom:\n"
                                      "            configMapKeyRef: {name: c}\n"),
                        "valueFrom.configMapKeyRef.key: required field is missing"));
  // Index via the label form, in Indexed mode: no warning.
  auto v = load(job("  completionMode: Indexed\n  completions: 2\n",
                    "    spec:\n      restartPolicy: Never\n      containers:\n      - name: w\n        command: [x]\n"
                    "        env:\n        - name: I\n          valueFrom:\n            fieldRef:\n"
                    "              fieldPath: metadata.labels['batch.kubernetes.io/job-completion-index']\n"));
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_TRUE((*v)[0].warnings.empty());
}

TEST(Job, ArgvAndEnvLimit) {
  std::string big(70 * 1024, 'a');
  EXPECT_TRUE(has_error(job_container("        command: [x, \"" + big + "\", \"" + big + "\"]\n"),
                        "the limit is 131072 (128 KiB)"));
}

TEST(Job, Resources) {
  EXPECT_TRUE(has_error(job_container("        command: [x]\n        resources: {requests: {memory: 1GiB}}\n"),
                        "containers[0].resources.requests.memory"));
  EXPECT_TRUE(has_error(job_container("        command: [x]\n        resources: {limits: {cpu: 500mm}}\n"),
                        "containers[0].resources.limits.cpu"));
  EXPECT_TRUE(has_error(job_container("        command: [x]\n        resources: {requests: {cpu: \"2\"}, limits: {cpu: \"1\"}}\n"),
                        "containers[0].resources.requests.cpu: must not exceed limits.cpu"));
  EXPECT_TRUE(has_error(job_container("        command: [x]\n        resources: {requests: {gpu: 1}}\n"),
                        "containers[0].resources.requests.gpu: unknown field"));
  EXPECT_TRUE(has_error(job_container("        command: [x]\n        resources: {cpu: 1}\n"),
                        "containers[0].resources.cpu: unknown field"));
  EXPECT_EQ(errors_of(job_container("        command: [x]\n        resources: {requests: {cpu: 2, memory: 512Mi, "
                                    "nvidia.com/gpu: 1}, limits: {cpu: 2, memory: 1Gi}}\n")),
            "");
}

TEST(Job, SecurityContext) {
  EXPECT_TRUE(has_error(job_container("        command: [x]\n        securityContext: {runAsUser: -1}\n"),
                        "containers[0].securityContext.runAsUser: must be between 0 and 2147483647"));
  EXPECT_TRUE(has_error(job_container("        command: [x]\n        securityContext: {runAsUser: 0, runAsNonRoot: true}\n"),
                        "runAsUser: is 0 (root) but runAsNonRoot is true"));
  EXPECT_EQ(errors_of(job_container("        command: [x]\n        securityContext: {runAsUser: 1000, runAsGroup: 1000}\n")), "");
}

TEST(Job, Volumes) {
  EXPECT_TRUE(has_error(job("", "    spec:\n      restartPolicy: Never\n      containers: [{name: w, command: [x]}]\n"
                                "      volumes: [{name: v, emptyDir: {sizeLimit: 20GiB}}]\n"),
                        "spec.template.spec.volumes[0].emptyDir.sizeLimit"));
  EXPECT_TRUE(has_error(job("", "    spec:\n      restartPolicy: Never\n      containers: [{name: w, command: [x]}]\n"
                                "      volumes: [{name: v, emptyDir: {}, hostPath: {path: /x}}]\n"),
                        "spec.template.spec.volumes[0]: must have a name and exactly one volume source"));
  EXPECT_TRUE(has_error(job("", "    spec:\n      restartPolicy: Never\n      containers: [{name: w, command: [x]}]\n"
                                "      volumes: [{name: v, gitRepo: {}}]\n"),
                        "spec.template.spec.volumes[0].gitRepo: unknown field"));
}

TEST(Job, PodFailurePolicy) {
  const std::string base = "  podFailurePolicy:\n    rules:\n";
  EXPECT_EQ(errors_of(job(base + "    - action: FailJob\n      onExitCodes: {containerName: w, operator: In, values: [1, 42]}\n"
                                 "    - action: Ignore\n      onPodConditions: [{type: DisruptionTarget, status: \"True\"}]\n")),
            "");
  EXPECT_TRUE(has_error(job(base + "    - action: FailJob\n      onExitCodes: {operator: In, values: [0, 1]}\n"),
                        "spec.podFailurePolicy.rules[0].onExitCodes.values[0]: 0 is not allowed with operator In"));
  EXPECT_TRUE(has_error(job(base + "    - action: FailJob\n      onExitCodes: {operator: NotIn, values: [3, 1]}\n"),
                        "spec.podFailurePolicy.rules[0].onExitCodes.values[1]: values must be sorted"));
  EXPECT_TRUE(has_error(job(base + "    - action: Restart\n      onExitCodes: {operator: In, values: [1]}\n"),
                        "spec.podFailurePolicy.rules[0].action: must be one of FailJob, FailIndex, Ignore, Count"));
  EXPECT_TRUE(has_error(job(base + "    - action: FailIndex\n      onExitCodes: {operator: In, values: [1]}\n"),
                        "spec.podFailurePolicy.rules[0].action: FailIndex needs backoffLimitPerIndex"));
  EXPECT_TRUE(has_error(job(base + "    - action: Count\n"),
                        "spec.podFailurePolicy.rules[0]: give exactly one of onExitCodes and onPodConditions"));
  EXPECT_TRUE(has_error(job(base + "    - action: Count\n      onExitCodes: {containerName: other, operator: In, values: [1]}\n"),
                        "onExitCodes.containerName: no container named \"other\""));
  std::string on_failure = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n" + base +
                           "    - action: Count\n      onExitCodes: {operator: In, values: [1]}\n"
                           "  template:\n    spec:\n      restartPolicy: OnFailure\n"
                           "      containers: [{name: w, command: [x]}]\n";
  EXPECT_TRUE(has_error(on_failure, "spec.podFailurePolicy: needs template.spec.restartPolicy: Never"));
  std::string many = base;
  for (int i = 0; i < 21; ++i) many += "    - action: Count\n      onExitCodes: {operator: In, values: [1]}\n";
  EXPECT_TRUE(has_error(job(many), "spec.podFailurePolicy.rules: at most 20 rules, got 21"));
}

TEST(Job, SuccessPolicy) {
  EXPECT_TRUE(has_error(job("  successPolicy: {rules: [{succeededCount: 1}]}\n"),
                        "spec.successPolicy: allowed only with completionMode: Indexed"));
  const std::string indexed = "  completionMode: Indexed\n  completions: 6\n";
  EXPECT_EQ(errors_of(job(indexed + "  successPolicy: {rules: [{succeededIndexes: \"0-2,5\", succeededCount: 2}]}\n")), "");
  EXPECT_TRUE(has_error(job(indexed + "  successPolicy: {rules: [{succeededIndexes: \"0-7\"}]}\n"),
                        "spec.successPolicy.rules[0].succeededIndexes: index 7 is not below completions (6)"));
  EXPECT_TRUE(has_error(job(indexed + "  successPolicy: {rules: [{succeededIndexes: \"3,1\"}]}\n"),
                        "spec.successPolicy.rules[0].succeededIndexes: must be ascending"));
}

TEST(Job, ProcessRuntimeProblems) {
  auto v = load(kSeedEtlJob);
  ASSERT_TRUE(v.ok()) << v.error().message;
  std::vector<std::string> p = process_runtime_problems((*v)[0].doc["spec"]["template"]["spec"], "spec.template.spec");
  ASSERT_GE(p.size(), 3u);
  EXPECT_EQ(p[0], "spec.template.spec.containers[0].command: the process runtime needs `command`; add it or use a "
                  "container runtime");
  auto ok = load(job(""));
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(process_runtime_problems((*ok)[0].doc["spec"]["template"]["spec"], "spec.template.spec").empty());
}

// ---- CronJob ------------------------------------------------------------------------------

TEST(CronJob, NameAtMost52) {
  EXPECT_EQ(errors_of(cron_job(std::string(52, 'a'), "  schedule: \"0 2 * * *\"\n")), "");
  EXPECT_TRUE(has_error(cron_job(std::string(53, 'a'), "  schedule: \"0 2 * * *\"\n"),
                        "metadata.name: a CronJob name must be at most 52 characters"));
}

TEST(CronJob, Fields) {
  EXPECT_TRUE(has_error(cron_job("c", ""), "spec.schedule: required field is missing"));
  EXPECT_TRUE(has_error(cron_job("c", "  schedule: \"\"\n"), "spec.schedule: must not be empty"));
  EXPECT_TRUE(has_error(cron_job("c", "  schedule: \"TZ=UTC 0 * * * *\"\n"), "spec.schedule: a time zone inside"));
  EXPECT_TRUE(has_error(cron_job("c", "  schedule: 5\n"), "spec.schedule: must be a string"));
  EXPECT_TRUE(has_error(cron_job("c", "  schedule: \"@daily\"\n  timeZone: Local\n"), "spec.timeZone: \"Local\" is not allowed"));
  EXPECT_TRUE(has_error(cron_job("c", "  schedule: \"@daily\"\n  concurrencyPolicy: Skip\n"),
                        "spec.concurrencyPolicy: must be one of Allow, Forbid, Replace"));
  EXPECT_TRUE(has_error(cron_job("c", "  schedule: \"@daily\"\n  successfulJobsHistoryLimit: -1\n"),
                        "spec.successfulJobsHistoryLimit: must be between 0"));
  EXPECT_TRUE(has_error(cron_job("c", "  schedule: \"@daily\"\n  startingDeadlineSeconds: -1\n"),
                        "spec.startingDeadlineSeconds"));
  EXPECT_TRUE(has_error(cron_job("c", "  schedule: \"@daily\"\n  dstPolicy: {gap: Shift}\n"), "spec.dstPolicy.gap"));
  EXPECT_TRUE(has_error("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec: {schedule: \"@daily\"}\n",
                        "spec.jobTemplate: required field is missing"));
  EXPECT_TRUE(has_error("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: \"@daily\"\n"
                        "  jobTemplate: {spec: {backofLimit: 1}}\n",
                        "spec.jobTemplate.spec.backofLimit: unknown field"));
}

// ---- ConfigMap ------------------------------------------------------------------------------

TEST(ConfigMap, Fields) {
  const std::string head = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n";
  EXPECT_EQ(errors_of(head + "data: {a: b}\nbinaryData: {c: aGVsbG8=}\nimmutable: true\n"), "");
  EXPECT_EQ(errors_of(head), "");
  EXPECT_TRUE(has_error(head + "spec: {a: b}\n", "spec: unknown field"));
  EXPECT_TRUE(has_error(head + "data: {\"a b\": c}\n", "data[\"a b\"]: keys are 1-253 characters"));
  EXPECT_TRUE(has_error(head + "data: {n: 5}\n", "data.n: must be a string"));
  EXPECT_TRUE(has_error(head + "binaryData: {n: \"not base64!\"}\n", "binaryData.n: must be base64"));
  EXPECT_TRUE(has_error(head + "data: {n: x}\nbinaryData: {n: eA==}\n", "binaryData.n: duplicate key"));
  EXPECT_TRUE(has_error(head + "immutable: 1\n", "immutable: must be true or false"));
}

TEST(Kinds, UnsupportedListsTheNewKinds) {
  std::string e = errors_of("apiVersion: batch/v2\nkind: Job\nmetadata: {name: j}\n");
  EXPECT_NE(e.find("batch/v1 Job"), std::string::npos) << e;
  EXPECT_NE(e.find("batch/v1 CronJob"), std::string::npos) << e;
  EXPECT_NE(e.find("ebb/v1 Schedule"), std::string::npos) << e;
  EXPECT_NE(e.find("v1 ConfigMap"), std::string::npos) << e;
}

}  // namespace
}  // namespace ebb::manifest
