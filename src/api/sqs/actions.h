// The SQS actions (sqs-api.md §10), one handler each, and the table that names them.
#pragma once
#include <string_view>

#include "api/sqs/call.h"

namespace ebb::sqs {

struct ActionDef {
  std::string_view name;
  bool has_output;  // false: <OpResponse> with only ResponseMetadata / {}
  Handler handler;
};

// nullptr for an unknown name (case-sensitive).
const ActionDef* find_action(std::string_view name);

// queue_actions.cc
Status create_queue(const CallPtr& c);
Status get_queue_url(const CallPtr& c);
Status list_queues(const CallPtr& c);
Status delete_queue(const CallPtr& c);
Status purge_queue(const CallPtr& c);
Status get_queue_attributes(const CallPtr& c);
Status set_queue_attributes(const CallPtr& c);
Status list_dead_letter_source_queues(const CallPtr& c);
// tag_actions.cc
Status tag_queue(const CallPtr& c);
Status untag_queue(const CallPtr& c);
Status list_queue_tags(const CallPtr& c);
// send_actions.cc
Status send_message(const CallPtr& c);
Status send_message_batch(const CallPtr& c);
// receive_action.cc
Status receive_message(const CallPtr& c);
// handle_actions.cc
Status delete_message(const CallPtr& c);
Status delete_message_batch(const CallPtr& c);
Status change_message_visibility(const CallPtr& c);
Status change_message_visibility_batch(const CallPtr& c);
// move_task_actions.cc
Status start_message_move_task(const CallPtr& c);
Status list_message_move_tasks(const CallPtr& c);
Status cancel_message_move_task(const CallPtr& c);
// permission_actions.cc
Status add_permission(const CallPtr& c);
Status remove_permission(const CallPtr& c);

}  // namespace ebb::sqs
