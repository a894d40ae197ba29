// Queue URLs (sqs-api.md §6.3): generated from the public URL or the Host header;
// parsed leniently by queue name, whatever scheme, host and port they carry.
#pragma once
#include <string>
#include <string_view>

#include "base/result.h"

namespace ebb::sqs {

// Accepts /<account>/<name>, /queue/<name>, /queue/<region>/<account>/<name>, a trailing
// '/', and a bare name. A 12-digit account other than `account` → NonExistentQueue;
// nothing usable → InvalidAddress (404).
Result<std::string> queue_name_from_url(std::string_view url, std::string_view account);

// "<base>/<account>/<name>", base = public_url or "<scheme>://<host>".
std::string make_queue_url(std::string_view public_url, std::string_view scheme, std::string_view host,
                           std::string_view account, std::string_view name);

// True for "/<12 digits>/<name>" (a Query request posted to its queue URL).
bool is_queue_path(std::string_view path);

}  // namespace ebb::sqs
