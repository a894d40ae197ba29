#include "base/error.h"

namespace ebb {

const CodeInfo& code_info(Code c) {
  static const CodeInfo kNonExistent{"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", 400, true, true};
  static const CodeInfo kExists{"QueueAlreadyExists", "QueueNameExists", 400, true, true};
  static const CodeInfo kDeletedRecently{"AWS.SimpleQueueService.QueueDeletedRecently", "QueueDeletedRecently", 400, true, true};
  static const CodeInfo kInvalidParam{"InvalidParameterValue", "InvalidParameterValueException", 400, true, true};
  static const CodeInfo kMissing{"MissingParameter", "MissingRequiredParameterException", 400, true, true};
  static const CodeInfo kAttrName{"InvalidAttributeName", "InvalidAttributeName", 400, true, true};
  static const CodeInfo kAttrValue{"InvalidAttributeValue", "InvalidAttributeValue", 400, true, true};
  static const CodeInfo kContents{"InvalidMessageContents", "InvalidMessageContents", 400, true, true};
  static const CodeInfo kHandle{"ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", 404, true, true};
  static const CodeInfo kEmpty{"AWS.SimpleQueueService.EmptyBatchRequest", "EmptyBatchRequest", 400, true, true};
  static const CodeInfo kTooMany{"AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "TooManyEntriesInBatchRequest", 400, true, true};
  static const CodeInfo kNotDistinct{"AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "BatchEntryIdsNotDistinct", 400, true, true};
  static const CodeInfo kBadId{"AWS.SimpleQueueService.InvalidBatchEntryId", "InvalidBatchEntryId", 400, true, true};
  static const CodeInfo kTooLong{"AWS.SimpleQueueService.BatchRequestTooLong", "BatchRequestTooLong", 400, true, true};
  static const CodeInfo kPurge{"AWS.SimpleQueueService.PurgeQueueInProgress", "PurgeQueueInProgress", 403, true, true};
  static const CodeInfo kOverLimit{"OverLimit", "OverLimit", 403, true, true};
  static const CodeInfo kUnsupported{"AWS.SimpleQueueService.UnsupportedOperation", "UnsupportedOperation", 400, true, true};
  static const CodeInfo kResource{"ResourceNotFoundException", "ResourceNotFoundException", 404, true, true};
  static const CodeInfo kAddress{"InvalidAddress", "InvalidAddress", 404, true, true};
  static const CodeInfo kNotInflight{"AWS.SimpleQueueService.MessageNotInflight", "MessageNotInflight", 400, true, true};
  static const CodeInfo kMissingAction{"MissingAction", "MissingAction", 400, true, true};
  static const CodeInfo kInvalidAction{"InvalidAction", "InvalidAction", 400, true, true};
  static const CodeInfo kQueryParam{"InvalidQueryParameter", "InvalidQueryParameter", 400, true, true};
  static const CodeInfo kUnknownOp{"UnknownOperationException", "UnknownOperationException", 400, true, false};
  static const CodeInfo kSerialization{"SerializationException", "SerializationException", 400, true, false};
  static const CodeInfo kAccess{"AccessDenied", "AccessDenied", 403, true, true};
  static const CodeInfo kMissingAuth{"MissingAuthenticationToken", "MissingAuthenticationToken", 403, true, true};
  static const CodeInfo kIncompleteSig{"IncompleteSignature", "IncompleteSignature", 400, true, true};
  static const CodeInfo kBadKey{"InvalidClientTokenId", "InvalidClientTokenId", 403, true, true};
  static const CodeInfo kSigMismatch{"SignatureDoesNotMatch", "SignatureDoesNotMatch", 403, true, true};
  static const CodeInfo kUnauthorized{"Unauthorized", "Unauthorized", 401, true, false};
  static const CodeInfo kInternal{"InternalError", "InternalError", 500, false, true};
  static const CodeInfo kUnavailable{"ServiceUnavailable", "ServiceUnavailable", 503, false, true};
  static const CodeInfo kNotFound{"NotFound", "NotFound", 404, true, false};
  static const CodeInfo kInvalid{"Invalid", "Invalid", 400, true, false};
  static const CodeInfo kConflict{"Conflict", "Conflict", 409, true, false};
  switch (c) {
    case Code::NonExistentQueue: return kNonExistent;
    case Code::QueueAlreadyExists: return kExists;
    case Code::QueueDeletedRecently: return kDeletedRecently;
    case Code::InvalidParameterValue: return kInvalidParam;
    case Code::MissingParameter: return kMissing;
    case Code::InvalidAttributeName: return kAttrName;
    case Code::InvalidAttributeValue: return kAttrValue;
    case Code::InvalidMessageContents: return kContents;
    case Code::ReceiptHandleIsInvalid: return kHandle;
    case Code::EmptyBatchRequest: return kEmpty;
    case Code::TooManyEntriesInBatchRequest: return kTooMany;
    case Code::BatchEntryIdsNotDistinct: return kNotDistinct;
    case Code::InvalidBatchEntryId: return kBadId;
    case Code::BatchRequestTooLong: return kTooLong;
    case Code::PurgeQueueInProgress: return kPurge;
    case Code::OverLimit: return kOverLimit;
    case Code::UnsupportedOperation: return kUnsupported;
    case Code::ResourceNotFound: return kResource;
    case Code::InvalidAddress: return kAddress;
    case Code::MessageNotInflight: return kNotInflight;
    case Code::MissingAction: return kMissingAction;
    case Code::InvalidAction: return kInvalidAction;
    case Code::InvalidQueryParameter: return kQueryParam;
    case Code::UnknownOperation: return kUnknownOp;
    case Code::Serialization: return kSerialization;
    case Code::AccessDenied: return kAccess;
    case Code::MissingAuthenticationToken: return kMissingAuth;
    case Code::IncompleteSignature: return kIncompleteSig;
    case Code::InvalidClientTokenId: return kBadKey;
    case Code::SignatureDoesNotMatch: return kSigMismatch;
    case Code::Unauthorized: return kUnauthorized;
    case Code::InternalError: return kInternal;
    case Code::ServiceUnavailable: return kUnavailable;
    case Code::NotFound: return kNotFound;
    case Code::Invalid: return kInvalid;
    case Code::Conflict: return kConflict;
  }
  return kInternal;
}

}  // namespace ebb
