// ebbd's life cycle: open the store, start the committer, load the engine, listen,
// drive engine timekeeping, and drain on SIGTERM/SIGINT. Asio lives in daemon.cc.
#pragma once
#include "server/daemon_config.h"

namespace ebb::server {

// Runs until a shutdown signal; returns the process exit code.
int run_daemon(const DaemonConfig& cfg);

}  // namespace ebb::server
