// kind: TaskDefinition (apiVersion ebb/v1) and the import of ECS task definitions
// (ecosystem.md §3.6). An ECS JSON document (top-level `family` and
// `containerDefinitions`, no apiVersion/kind) given to `ebb apply -f` becomes
//   {apiVersion: ebb/v1, kind: TaskDefinition, metadata: {name: FAMILY},
//    spec: {command, env, workingDir, stopTimeoutSeconds, image, resources}}
// whose spec is a task template (task_template_kind.h). The server assigns ECS-style
// revisions (family:1, family:2…) that services and schedules reference.
//
// Mapping (first container only; more containers are ignored with a warning):
//   cpu (task, else container; 1024 units = 1 vCPU, or "N vCPU") → resources.cpu
//   memory (task, else container memory/memoryReservation; MiB, or "N GB") → resources.memory
//   entryPoint + command → command;  environment → env;  workingDirectory → workingDir
//   secrets [{name, valueFrom: ARN or parameter}] → env valueFrom.secretKeyRef
//     {name: the ARN's last ':'/'/' segment, key: "value"}
//   stopTimeout → stopTimeoutSeconds;  image → image
// AWS-only fields (executionRoleArn, taskRoleArn, networkMode, requiresCompatibilities,
// runtimePlatform; per container logConfiguration, essential, portMappings) are
// ignored with one warning each; any other field is an error.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "manifest/checker.h"

namespace ebb::manifest {

void check_task_definition_spec(const nlohmann::json& spec, const std::string& name, Checker& c);

// A reference "FAMILY" or "FAMILY:REVISION" (revision ≥ 1) at `path`.
void check_task_definition_ref(const std::string& ref, const std::string& path, Checker& c);

// True for an object with `family` and `containerDefinitions` and neither
// `apiVersion` nor `kind`.
bool is_ecs_task_definition(const nlohmann::json& doc);

// The ebb/v1 TaskDefinition document of an ECS task definition. Problems of the ECS
// shape (unknown fields, wrong types) are reported through `c` with ECS paths
// ("containerDefinitions[0].environment[1].name"); the returned document is then
// validated like any other.
nlohmann::json ecs_to_task_definition(const nlohmann::json& ecs, Checker& c);

}  // namespace ebb::manifest
