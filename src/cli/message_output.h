// Printing message operation results. With -o json the AWS response shapes exactly
// as the API returns them (so `jq` filters written for `aws sqs` keep working,
// ecosystem.md §3.2); by default a readable form.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace ebb::cli {

// SendMessage result: {"MessageId","MD5OfMessageBody",…}.
void print_sent(const nlohmann::json& result, const std::string& output);

// ReceiveMessage shape {"Messages":[…]} (receive and peek). "No messages." on
// stderr when there are none and the output is readable.
void print_messages(const nlohmann::json& result, const std::string& output);

}  // namespace ebb::cli
