// The exposition helpers live in obs/prometheus_text.h; server code uses them by
// their old names.
#pragma once
#include "obs/prometheus_text.h"

namespace ebb::server {

using obs::escape_label;
using obs::family;
using obs::histogram;
using obs::sample;

}  // namespace ebb::server
