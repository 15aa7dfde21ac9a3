// Sends gRPC's own log lines (gpr_log: failed TLS handshakes, transport
// errors) through a Logger, so that a service's stderr holds one format
// only (with --log_format=json, only JSON lines).
//
//   logging::RouteGrpcLogs(logger);  // in main(), once
#ifndef ANNALS_SERVICES_COMMON_LOGGING_GRPC_LOG_H_
#define ANNALS_SERVICES_COMMON_LOGGING_GRPC_LOG_H_

#include <memory>

#include "services/common/logging/logger.h"

namespace annals::logging {

// Process-wide: from now on gRPC's lines become events "grpc: <text>" with
// a "source" field (file:line), at debug, info or error level as gRPC rates
// them (which lines gRPC emits is still set by GRPC_VERBOSITY; default:
// errors only). The last call wins; `logger` is kept alive for the rest of
// the process. Thread-safe.
void RouteGrpcLogs(std::shared_ptr<const Logger> logger);

}  // namespace annals::logging

#endif  // ANNALS_SERVICES_COMMON_LOGGING_GRPC_LOG_H_
