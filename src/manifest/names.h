// Name rules for manifest objects and labels (reliability.md §5.4, Kubernetes'
// DNS-1123 and label syntax, SQS queue names). Each check returns "" when the name
// is valid, else the reason, written to follow "metadata.name: ".
#pragma once
#include <string>
#include <string_view>

namespace ebb::manifest {

// DNS-1123 subdomain: at most 253 of [a-z0-9-.], labels start and end alphanumeric.
std::string check_dns1123_subdomain(std::string_view name);

// Queue names: DNS-1123 and SQS together: 1-80 characters of [a-z0-9-], starting
// and ending with a letter or digit, optionally followed by ".fifo".
std::string check_queue_name(std::string_view name);

// Label keys: optional DNS-1123 prefix + "/" + name of at most 63 of [A-Za-z0-9-_.]
// starting and ending alphanumeric. Label values: empty or the same as the name part.
std::string check_label_key(std::string_view key);
std::string check_label_value(std::string_view value);

}  // namespace ebb::manifest
