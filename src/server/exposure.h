// Start-up refusals for unsafe exposure (reliability.md §4.1, §4.2): plain HTTP on a
// non-loopback address needs TLS or --allow-insecure-remote; --auth none needs a loopback listener.
#pragma once
#include "api/http/auth_stage.h"
#include "api/http/listen_address.h"
#include "base/result.h"

namespace ebb::server {

Status check_exposure(const http::ListenAddress& listen, http::AuthMode auth, bool tls, bool insecure);

}  // namespace ebb::server
