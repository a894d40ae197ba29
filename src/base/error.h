// One table of every error ebb's SQS API can produce (sqs-api.md §5.2).
#pragma once
#include <string>
#include <string_view>

namespace ebb {

enum class Code {
  NonExistentQueue,
  QueueAlreadyExists,
  QueueDeletedRecently,
  InvalidParameterValue,
  MissingParameter,
  InvalidAttributeName,
  InvalidAttributeValue,
  InvalidMessageContents,
  ReceiptHandleIsInvalid,
  EmptyBatchRequest,
  TooManyEntriesInBatchRequest,
  BatchEntryIdsNotDistinct,
  InvalidBatchEntryId,
  BatchRequestTooLong,
  PurgeQueueInProgress,
  OverLimit,
  UnsupportedOperation,
  ResourceNotFound,
  InvalidAddress,
  MessageNotInflight,
  MissingAction,          // Query only
  InvalidAction,          // Query only
  InvalidQueryParameter,  // Query: bad percent escape
  UnknownOperation,       // JSON only
  Serialization,          // JSON only: unparsable body
  AccessDenied,
  // authentication (reliability.md §3.3)
  MissingAuthenticationToken,
  IncompleteSignature,
  InvalidClientTokenId,
  SignatureDoesNotMatch,
  Unauthorized,           // native API: no or bad bearer token (401)
  InternalError,
  ServiceUnavailable,
  // native API (/api/v1) only
  NotFound,
  Invalid,
  Conflict,
};

struct Error {
  Code code;
  std::string message;
};

inline Error err(Code c, std::string msg) { return Error{c, std::move(msg)}; }

struct CodeInfo {
  std::string_view query_code;  // Query <Code> and x-amzn-query-error first field
  std::string_view json_type;   // fragment after '#' in JSON __type
  int http_status;
  bool sender;                  // Sender (4xx) or Receiver (5xx)
  bool query_error_header;      // JSON: send x-amzn-query-error
};

const CodeInfo& code_info(Code c);

}  // namespace ebb
