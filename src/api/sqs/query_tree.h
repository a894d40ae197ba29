// Query protocol: flattened parameter names → the Value tree with the JSON member
// names (sqs-api.md §3.1), so each action reads one shape whatever the protocol.
//   Attribute.N.Name/Value            → Attributes {name: value}
//   Tag.N.Key/Value, Tags.N.Key/Value → tags (CreateQueue) / Tags (other actions)
//   MessageAttribute.N.Name/.Value.X  → MessageAttributes {name: {X: …}}
//   XxxBatchRequestEntry.N.Field      → Entries [{Field: …}] (nested maps too)
//   AttributeName.N, TagKey.N, …      → lists (bare name accepted as one item)
// Indexes: every index present, numeric order, gaps allowed, last repeat wins; an
// index outside 1..1000 or more than 100 distinct indexes in one list is rejected.
#pragma once
#include <string_view>

#include "api/sqs/form_decode.h"
#include "base/result.h"
#include "base/value.h"

namespace ebb::sqs {

// Consumes the values of `params` (they are moved into the tree).
Result<Value> build_query_tree(FormParams& params, std::string_view action);

}  // namespace ebb::sqs
