#include "server/metrics_page.h"

#include "server/prometheus_text.h"

namespace ebb::server {

std::string render_metrics(const Engine& engine, const HttpMetrics& http, int64_t now_ms) {
  auto stats = engine.stats();
  std::string out;
  // Each family's samples stay contiguous, so loop over the queues once per family.
  family(out, "ebb_queue_messages", "gauge", "Messages in a queue by state.");
  for (auto& s : stats) {
    sample(out, "ebb_queue_messages", {{"queue", s.name}, {"state", "visible"}}, double(s.visible));
    sample(out, "ebb_queue_messages", {{"queue", s.name}, {"state", "inflight"}}, double(s.inflight));
    sample(out, "ebb_queue_messages", {{"queue", s.name}, {"state", "delayed"}}, double(s.delayed));
  }
  family(out, "ebb_queue_oldest_message_age_seconds", "gauge", "Age of the oldest undeleted message.");
  for (auto& s : stats) {
    double age = s.oldest_sent_ms ? std::max<int64_t>(0, now_ms - s.oldest_sent_ms) / 1000.0 : 0.0;
    sample(out, "ebb_queue_oldest_message_age_seconds", {{"queue", s.name}}, age);
  }
  struct Counter {
    const char* name;
    const char* help;
    uint64_t QueueStats::*field;
  };
  static const Counter kCounters[] = {
      {"ebb_queue_messages_sent_total", "Accepted sends.", &QueueStats::sent},
      {"ebb_queue_messages_received_total", "Deliveries.", &QueueStats::received},
      {"ebb_queue_messages_deleted_total", "Deletes.", &QueueStats::deleted},
      {"ebb_queue_empty_receives_total", "Receives that returned nothing.", &QueueStats::empty_receives},
  };
  for (auto& c : kCounters) {
    family(out, c.name, "counter", c.help);
    for (auto& s : stats) sample(out, c.name, {{"queue", s.name}}, double(s.*c.field));
  }
  http.render(out);
  return out;
}

}  // namespace ebb::server
