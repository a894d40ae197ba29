// kind: Queue (apiVersion ebb/v1): an SQS queue, standard or FIFO, with an optional
// dead-letter queue (ecosystem.md §3.6; fields and ranges as SQS's attributes,
// sqs-api.md). queue_spec() in queue_spec.cc maps a validated document to attributes.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "manifest/checker.h"

namespace ebb::manifest {

void check_queue_spec(const nlohmann::json& spec, const std::string& name, Checker& c);

}  // namespace ebb::manifest
