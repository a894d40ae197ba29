// Everything ebbd's main() resolved from flags, EBB_* variables and defaults.
#pragma once
#include <spdlog/common.h>

#include <string>

#include "api/http/auth_stage.h"
#include "api/http/http_limits.h"
#include "api/http/listen_address.h"
#include "obs/cost_model.h"

namespace ebb::server {

struct DaemonConfig {
  http::ListenAddress listen{"127.0.0.1", 9324};
  std::string data_dir;
  std::string key_file;             // secret-store key ("" = <data dir>/secret.key)
  http::AuthMode auth = http::AuthMode::SigV4;
  bool debug_auth = false;          // signature mismatches answer with the canonical request
  std::string public_url;           // "" = from the Host header
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  int threads = 2;                  // HTTP I/O threads
  std::string port_file;            // "" = none
  bool purge_rate_limit = false;
  bool insecure = false;            // allow plain HTTP on a non-loopback address
  std::string tls_cert, tls_key;    // PEM files: both set = HTTPS only (reliability.md §4.1)
  int shutdown_timeout_seconds = 30;
  http::HttpLimits limits;
  size_t max_long_polls = 1000;     // concurrent ReceiveMessage long polls (reliability.md §4.3)
  // Disk-full degradation (reliability.md P-D5)
  int64_t min_free_disk_bytes = -1;       // -1: min(5 % of the volume, 1 GiB)
  int64_t disk_reserve_bytes = 64LL << 20;
  // Tasks (services)
  std::string launcher_path;        // ebb-launcher (default: next to the ebbd executable)
  std::string task_path;            // PATH given to tasks ("" = the standard system path)
  int64_t task_uid = -1, task_gid = -1;  // task user when ebbd is root (-1: ebbd's own)
  bool allow_root_tasks = false;    // tasks (and runAsUser 0) may run as root
  int orphan_grace_seconds = 30;    // launcher keeps tasks this long for a restarted ebbd
  bool stop_tasks_on_exit = true;   // graceful shutdown stops tasks (else they are left to re-adopt)
  obs::PriceTable prices;           // cost accounting (docs/cost.md)
};

}  // namespace ebb::server
