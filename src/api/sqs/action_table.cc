#include "api/sqs/actions.h"

namespace ebb::sqs {

namespace {

const ActionDef kActions[] = {
    {"CreateQueue", true, create_queue},
    {"GetQueueUrl", true, get_queue_url},
    {"ListQueues", true, list_queues},
    {"DeleteQueue", false, delete_queue},
    {"PurgeQueue", false, purge_queue},
    {"GetQueueAttributes", true, get_queue_attributes},
    {"SetQueueAttributes", false, set_queue_attributes},
    {"ListDeadLetterSourceQueues", true, list_dead_letter_source_queues},
    {"TagQueue", false, tag_queue},
    {"UntagQueue", false, untag_queue},
    {"ListQueueTags", true, list_queue_tags},
    {"SendMessage", true, send_message},
    {"SendMessageBatch", true, send_message_batch},
    {"ReceiveMessage", true, receive_message},
    {"DeleteMessage", false, delete_message},
    {"DeleteMessageBatch", true, delete_message_batch},
    {"ChangeMessageVisibility", false, change_message_visibility},
    {"ChangeMessageVisibilityBatch", true, change_message_visibility_batch},
    {"StartMessageMoveTask", true, start_message_move_task},
    {"ListMessageMoveTasks", true, list_message_move_tasks},
    {"CancelMessageMoveTask", true, cancel_message_move_task},
    {"AddPermission", false, add_permission},
    {"RemovePermission", false, remove_permission},
};

}  // namespace

const ActionDef* find_action(std::string_view name) {
  for (const ActionDef& a : kActions)
    if (a.name == name) return &a;
  return nullptr;
}

}  // namespace ebb::sqs
