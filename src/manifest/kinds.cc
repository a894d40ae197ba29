#include "manifest/kinds.h"

#include "manifest/alarm_kind.h"
#include "manifest/batch_kind.h"
#include "manifest/config_map_kind.h"
#include "manifest/event_source_kind.h"
#include "manifest/manifest.h"
#include "manifest/names.h"
#include "manifest/queue_kind.h"
#include "manifest/schedule_kind.h"
#include "manifest/service_kind.h"
#include "manifest/task_definition_kind.h"

namespace ebb::manifest {

const std::vector<KindInfo>& kinds() {
  static const std::vector<KindInfo> table = {
      {"ebb/v1", "Queue", &check_queue_name, &check_queue_spec, false},
      {"ebb/v1", "Service", &check_dns1123_subdomain, &check_service_spec, false},
      {"ebb/v1", "EventSource", &check_dns1123_subdomain, &check_event_source_spec, false},
      {"ebb/v1", "Schedule", &check_dns1123_subdomain, &check_schedule_spec, false},
      {"ebb/v1", "TaskDefinition", &check_dns1123_subdomain, &check_task_definition_spec, false},
      {"batch/v1", "Job", &check_dns1123_subdomain, &check_job_spec, false},
      {"batch/v1", "CronJob", &check_cron_job_name, &check_cron_job_spec, false},
      {"v1", "ConfigMap", &check_dns1123_subdomain, &check_config_map, true},
      {"ebb/v1", "Alarm", &check_dns1123_subdomain, &check_alarm_spec, false},
  };
  return table;
}

const KindInfo* find_kind(std::string_view api_version, std::string_view kind) {
  for (const KindInfo& k : kinds()) {
    if (k.api_version == api_version && k.kind == kind) return &k;
  }
  return nullptr;
}

std::vector<std::pair<std::string, std::string>> supported_kinds() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const KindInfo& k : kinds()) out.emplace_back(std::string(k.api_version), std::string(k.kind));
  return out;
}

}  // namespace ebb::manifest
