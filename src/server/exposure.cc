#include "server/exposure.h"

namespace ebb::server {

Status check_exposure(const http::ListenAddress& listen, http::AuthMode auth, bool tls, bool insecure) {
  bool loopback = http::is_loopback_host(listen.host);
  if (!loopback && auth == http::AuthMode::None)
    return err(Code::Invalid, "--auth none is only allowed on a loopback listener (listen " + listen.to_string() + ")");
  if (!loopback && !tls && !insecure)
    return err(Code::Invalid, "refusing to serve plain HTTP on non-loopback " + listen.to_string() +
                                  " (give --tls-cert and --tls-key, or pass --allow-insecure-remote to accept the risk)");
  return {};
}

}  // namespace ebb::server
