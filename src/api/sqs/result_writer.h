// ResultWriter: streams one action's successful result straight into the response
// body, in either protocol — byte for byte what render_result() makes of the
// equivalent Value tree (compact JSON; flattened Query XML).
//
// Why a hand-written path next to Value: the hot actions (SendMessage(Batch),
// ReceiveMessage, DeleteMessageBatch) spent ~20% of their CPU allocating, filling and
// freeing a Value tree per response (docs/benchmarks.md, "Misses and why"). Every
// other action keeps using Value; tests/unit/sqs/result_writer_test.cc checks that
// both paths agree.
//
// Differences from Value to keep in mind: maps are omitted when nothing was put in
// them (callers never set an empty map), and lists must only be begun when they will
// hold at least one item (callers never set an empty list either).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/sqs/protocol.h"
#include "api/sqs/sqs_api.h"

namespace ebb::sqs {

class ResultWriter {
 public:
  ResultWriter(Protocol p, std::string_view action, size_t reserve = 512);

  // Scalar members of the current object (result, list item or map value object).
  void str(std::string_view name, std::string_view value);
  void integer(std::string_view name, int64_t value);  // as a string (SQS sends numbers as text)
  void boolean(std::string_view name, bool value);

  // A list member of object items: JSON "name":[{…},…]; XML one <xml_item> per item.
  void begin_list(std::string_view name, std::string_view xml_item);
  void begin_item();
  void end_item();
  void end_list();

  // A map member: JSON "name":{"k":…}; XML flattened
  // <entry><key>k</key><value>…</value></entry>. Written only once an entry is put.
  void begin_map(std::string_view name, std::string_view entry, std::string_view key, std::string_view value);
  void map_str(std::string_view key, std::string_view value);
  void map_int(std::string_view key, int64_t value);
  void begin_map_object(std::string_view key);  // an entry whose value is an object
  void end_map_object();
  void end_map();

  SqsResponse finish(std::string_view request_id) &&;

 private:
  void comma();          // JSON: separator before a member or item at the current level
  void push_level();
  void pop_level() { --depth_; }
  void json_key(std::string_view name);
  void open_map_if_needed();
  void xml_open(std::string_view name);
  void xml_close(std::string_view name);

  Protocol p_;
  std::string_view action_;
  std::string out_;
  size_t result_open_end_ = 0;  // XML: end of "<ActionResult>", to collapse an empty result
  std::array<bool, 8> first_{};  // JSON: nothing written yet at this level
  size_t depth_ = 0;
  // The open list / map (this writer's callers never nest two of a kind).
  std::string_view list_item_;
  std::string_view map_name_, map_entry_, map_key_, map_value_;
  bool map_pending_ = false;  // begun but no entry yet
  bool map_open_ = false;
};

}  // namespace ebb::sqs
