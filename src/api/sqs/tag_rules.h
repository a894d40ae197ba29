// Queue tag limits (sqs-api.md §9.11): at most 50 per request, key 1–128
// characters, value 0–256 characters, keys starting with "aws:" are reserved.
#pragma once
#include <map>
#include <string>

#include "base/result.h"

namespace ebb::sqs {

Status check_tags(const std::map<std::string, std::string>& tags, const std::string& queue);

}  // namespace ebb::sqs
