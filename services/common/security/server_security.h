// How a service protects itself: TLS for the connection, a bearer token for
// calls. Both services take this in their server options.
#ifndef ANNALS_SERVICES_COMMON_SECURITY_SERVER_SECURITY_H_
#define ANNALS_SERVICES_COMMON_SECURITY_SERVER_SECURITY_H_

#include <string>

#include "services/common/security/tls.h"

namespace annals::security {

struct ServerSecurity {
  // Default: plaintext.
  ServerTls tls;
  // The bearer token write calls must carry; empty: no token checks. A
  // secret: never log it. Default: empty.
  std::string auth_token;
  // Require the token for reads too (health and reflection stay open).
  // Default: false.
  bool auth_reads = false;
};

}  // namespace annals::security

#endif  // ANNALS_SERVICES_COMMON_SECURITY_SERVER_SECURITY_H_
