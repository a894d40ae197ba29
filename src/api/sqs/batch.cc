#include "api/sqs/batch.h"

#include "api/sqs/message_rules.h"
#include "api/sqs/params.h"

namespace ebb::sqs {

namespace {
constexpr size_t kMaxEntries = 10;
}

Result<const Value*> check_batch_shape(Call& c, const std::string& queue, std::string_view entry_param) {
  EBB_CHECK(c.engine.queue_exists(queue));
  EBB_TRY(const Value* entries, opt_list(c.params, "Entries"));
  if (!entries || entries->items.empty())
    return err(Code::EmptyBatchRequest,
               "There should be at least one " + std::string(entry_param) + " in the request.");
  size_t n = entries->items.size();
  if (n > kMaxEntries)
    return err(Code::TooManyEntriesInBatchRequest,
               "Maximum number of entries per request are 10. You have sent " + std::to_string(n) + ".");
  for (const Value& e : entries->items) {
    const Value* id = e.is_object() ? find(e, "Id") : nullptr;
    if (!id || !id->is_string() || !valid_batch_entry_id(id->text))
      return err(Code::InvalidBatchEntryId,
                 "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
                 "It can be at most 80 letters long.");
  }
  for (size_t i = 1; i < n; ++i)
    for (size_t j = 0; j < i; ++j)
      if (entries->items[i].get("Id")->text == entries->items[j].get("Id")->text)
        return err(Code::BatchEntryIdsNotDistinct, "Id " + entries->items[i].get("Id")->text + " repeated.");
  return entries;
}

Value failed_entry(const std::string& id, const Error& e) {
  const CodeInfo& info = code_info(e.code);
  Value f = Value::object();
  f.members.reserve(4);
  f.set("Id", Value::str(id));
  f.set("SenderFault", Value::boolean_of(info.sender));
  f.set("Code", Value::str(std::string(info.query_code)));
  f.set("Message", Value::str(e.message));
  return f;
}

Value success_list(std::string_view xml_item) { return Value::list(xml_item); }
Value failed_list() { return Value::list("BatchResultErrorEntry"); }

void write_failed(ResultWriter& w, const std::vector<FailedEntry>& failed) {
  if (failed.empty()) return;
  w.begin_list("Failed", "BatchResultErrorEntry");
  for (const FailedEntry& f : failed) {
    const CodeInfo& info = code_info(f.error.code);
    w.begin_item();
    w.str("Id", *f.id);
    w.boolean("SenderFault", info.sender);
    w.str("Code", info.query_code);
    w.str("Message", f.error.message);
    w.end_item();
  }
  w.end_list();
}

Value batch_result(Value successful, Value failed) {
  Value r = Value::object();
  if (!successful.items.empty()) r.set("Successful", std::move(successful));
  if (!failed.items.empty()) r.set("Failed", std::move(failed));
  return r;
}

}  // namespace ebb::sqs
