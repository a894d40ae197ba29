// ListQueues / ListDeadLetterSourceQueues paging (sqs-api.md §10.3): names sorted,
// NextToken = base64url of the last name returned, only when MaxResults was given.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "api/sqs/call.h"

namespace ebb::sqs {

// Reads MaxResults and NextToken from the request and writes QueueUrls (member
// `member`, XML <QueueUrl>) and NextToken into `result`. `always_list`: emit the
// member even when empty (ListDeadLetterSourceQueues' queueUrls).
Status page_queue_urls(const Call& c, const std::vector<std::string>& sorted_names, const char* member,
                       bool always_list, Value& result);

}  // namespace ebb::sqs
