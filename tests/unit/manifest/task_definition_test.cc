// ebb/v1 TaskDefinition and the import of ECS task definitions (ecosystem.md §3.6):
// the mapping of cpu units, MiB, entryPoint + command, environment, secrets; one
// warning per AWS-only field; unknown fields are errors with their ECS path.
#include <gtest/gtest.h>

#include "manifest/manifest.h"
#include "manifest/task_definition_kind.h"
#include "test_util.h"

namespace ebb::manifest {
namespace {

using testing::errors_of;
using testing::has_error;

// What `aws ecs register-task-definition` takes for a Fargate report task.
constexpr const char* kEcsReport = R"({
  "family": "daily-sales-report",
  "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
  "taskRoleArn": "arn:aws:iam::123456789012:role/report",
  "networkMode": "awsvpc",
  "requiresCompatibilities": ["FARGATE"],
  "runtimePlatform": {"operatingSystemFamily": "LINUX", "cpuArchitecture": "X86_64"},
  "cpu": "512",
  "memory": "1024",
  "containerDefinitions": [
    {
      "name": "report",
      "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/report:3",
      "essential": true,
      "entryPoint": ["/opt/reports/bin/daily-sales"],
      "command": ["--date=yesterday"],
      "environment": [{"name": "REGION", "value": "us-east-1"}],
      "workingDirectory": "/opt/reports",
      "stopTimeout": 30,
      "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/report"}}
    }
  ]
})";

Result<std::vector<Validated>> load(std::string_view text) {
  auto docs = parse_file(text, "task.json");
  if (!docs.ok()) return docs.error();
  return validate_all(*docs);
}

TEST(EcsImport, BecomesATaskDefinition) {
  auto v = load(kEcsReport);
  ASSERT_TRUE(v.ok()) << v.error().message;
  ASSERT_EQ(v->size(), 1u);
  const Validated& td = (*v)[0];
  EXPECT_EQ(td.api_version, "ebb/v1");
  EXPECT_EQ(td.kind, "TaskDefinition");
  EXPECT_EQ(td.name, "daily-sales-report");
  const nlohmann::json& spec = td.doc["spec"];
  EXPECT_EQ(spec["command"], nlohmann::json({"/opt/reports/bin/daily-sales", "--date=yesterday"}));
  EXPECT_EQ(spec["resources"]["cpu"], "500m");
  EXPECT_EQ(spec["resources"]["memory"], "1Gi");
  EXPECT_EQ(spec["env"][0]["name"], "REGION");
  EXPECT_EQ(spec["workingDir"], "/opt/reports");
  EXPECT_EQ(spec["stopTimeoutSeconds"], 30);
  EXPECT_EQ(spec["image"], "123456789012.dkr.ecr.us-east-1.amazonaws.com/report:3");
}

TEST(EcsImport, OneWarningPerAwsOnlyField) {
  auto v = load(kEcsReport);
  ASSERT_TRUE(v.ok()) << v.error().message;
  const std::vector<std::string>& w = (*v)[0].warnings;
  for (const char* f : {"executionRoleArn", "taskRoleArn", "networkMode", "requiresCompatibilities", "runtimePlatform",
                        "containerDefinitions[0].logConfiguration", "containerDefinitions[0].essential"}) {
    int n = 0;
    for (const std::string& line : w) n += line.rfind(std::string(f) + ": AWS-only field, ignored", 0) == 0;
    EXPECT_EQ(n, 1) << f;
  }
}

TEST(EcsImport, SameFieldInTwoContainersWarnsOnce) {
  auto v = load(R"({"family": "f", "containerDefinitions": [
      {"name": "a", "command": ["x"], "essential": true},
      {"name": "b", "command": ["y"], "essential": true}]})");
  ASSERT_TRUE(v.ok()) << v.error().message;
  int essential = 0, more = 0;
  for (const std::string& line : (*v)[0].warnings) {
    essential += line.find("essential") != std::string::npos;
    more += line.find("only the first container is run; 1 more ignored") != std::string::npos;
  }
  EXPECT_EQ(essential, 1);
  EXPECT_EQ(more, 1);
}

TEST(EcsImport, UnknownFieldsAreErrors) {
  EXPECT_TRUE(has_error(R"({"family": "f", "placementConstraints": [], "containerDefinitions": [{"name": "a", "command": ["x"]}]})",
                        "placementConstraints: unknown field"));
  EXPECT_TRUE(has_error(R"({"family": "f", "containerDefinitions": [{"name": "a", "command": ["x"], "mountPoints": []}]})",
                        "containerDefinitions[0].mountPoints: unknown field"));
}

TEST(EcsImport, CpuAndMemoryForms) {
  auto spec_of = [](std::string_view json) {
    auto v = load(json);
    return v.ok() ? (*v)[0].doc["spec"] : nlohmann::json(v.error().message);
  };
  nlohmann::json s = spec_of(R"({"family": "f", "cpu": "1 vCPU", "memory": "2 GB", "containerDefinitions": [{"name": "a", "command": ["x"]}]})");
  EXPECT_EQ(s["resources"]["cpu"], "1") << s.dump();
  EXPECT_EQ(s["resources"]["memory"], "2Gi") << s.dump();
  s = spec_of(R"({"family": "f", "containerDefinitions": [{"name": "a", "command": ["x"], "cpu": 256, "memoryReservation": 512}]})");
  EXPECT_EQ(s["resources"]["cpu"], "250m") << s.dump();
  EXPECT_EQ(s["resources"]["memory"], "512Mi") << s.dump();
  EXPECT_TRUE(has_error(R"({"family": "f", "cpu": "lots", "containerDefinitions": [{"name": "a", "command": ["x"]}]})",
                        "cpu: must be CPU units (1024 = 1 vCPU)"));
  EXPECT_TRUE(has_error(R"({"family": "f", "memory": -1, "containerDefinitions": [{"name": "a", "command": ["x"]}]})",
                        "memory: must be MiB"));
}

TEST(EcsImport, ShapeErrorsNameTheField) {
  EXPECT_TRUE(has_error(R"({"family": "f", "containerDefinitions": []})", "containerDefinitions: must be a non-empty list"));
  EXPECT_TRUE(has_error(R"({"family": "Bad_Family", "containerDefinitions": [{"name": "a", "command": ["x"]}]})",
                        "metadata.name"));
  EXPECT_TRUE(has_error(R"({"family": "f", "containerDefinitions": [{"name": "a", "command": "x y"}]})",
                        "containerDefinitions[0].command: must be a list of strings"));
  EXPECT_TRUE(has_error(R"({"family": "f", "containerDefinitions": [{"name": "a", "command": ["x"], "environment": [{"name": "A"}]}]})",
                        "containerDefinitions[0].environment[0].value: required field is missing"));
  EXPECT_TRUE(has_error(R"({"family": "f", "containerDefinitions": [{"name": "a", "command": ["x"], "stopTimeout": 121}]})",
                        "containerDefinitions[0].stopTimeout: must be between 0 and 120"));
  // Relying on the image's entrypoint: the process runtime's refusal.
  EXPECT_TRUE(has_error(R"({"family": "f", "containerDefinitions": [{"name": "a", "image": "busybox"}]})",
                        "the process runtime needs `command`; add it or use a container runtime"));
}

TEST(EcsImport, SecretsBecomeSecretRefs) {
  // ECS `secrets[].valueFrom` (an ARN) names an ebb secret by its last segment, key
  // "value"; whether it exists is the server's check at apply (reliability.md §4.7).
  auto v = load(R"({"family": "f", "containerDefinitions": [{"name": "a", "command": ["x"],
      "secrets": [{"name": "DB", "valueFrom": "arn:aws:ssm:us-east-1:1:parameter/warehouse-credentials"}]}]})");
  ASSERT_TRUE(v.ok()) << v.error().message;
  const nlohmann::json ref = (*v)[0].doc["spec"]["env"][0];
  EXPECT_EQ(ref["name"], "DB");
  EXPECT_EQ(ref["valueFrom"]["secretKeyRef"], nlohmann::json({{"name", "warehouse-credentials"}, {"key", "value"}}));
}

TEST(EcsImport, OnlyWithoutApiVersionAndKind) {
  EXPECT_FALSE(is_ecs_task_definition(nlohmann::json::parse(R"({"apiVersion": "ebb/v1", "family": "f", "containerDefinitions": []})")));
  EXPECT_TRUE(is_ecs_task_definition(nlohmann::json::parse(R"({"family": "f", "containerDefinitions": []})")));
  EXPECT_FALSE(is_ecs_task_definition(nlohmann::json::parse(R"({"family": "f"})")));
}

TEST(TaskDefinition, NativeDocument) {
  EXPECT_EQ(errors_of("apiVersion: ebb/v1\nkind: TaskDefinition\nmetadata: {name: report}\n"
                      "spec: {command: [x], resources: {cpu: 500m, memory: 1Gi}, image: busybox}\n"),
            "");
  EXPECT_TRUE(has_error("apiVersion: ebb/v1\nkind: TaskDefinition\nmetadata: {name: report}\nspec: {comand: [x]}\n",
                        "spec.comand: unknown field"));
  EXPECT_TRUE(has_error("apiVersion: ebb/v1\nkind: TaskDefinition\nmetadata: {name: report}\n",
                        "spec: required field is missing"));
}

}  // namespace
}  // namespace ebb::manifest
