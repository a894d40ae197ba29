// The standard process_* families every Prometheus client library exports (so stock
// dashboards work), read from procfs at scrape time, and ebb_build_info.
#pragma once
#include <string>

namespace ebb::obs {

void render_process_metrics(std::string& out);
void render_build_info(std::string& out);

}  // namespace ebb::obs
