// A gRPC server interceptor that logs each call at debug level: method,
// status code and latency (and the peer). Nothing from the call's metadata
// or messages is logged, so tokens and payloads never reach the log.
//
//   std::vector<std::unique_ptr<
//       grpc::experimental::ServerInterceptorFactoryInterface>> creators;
//   creators.push_back(logging::NewRpcLogInterceptorFactory(logger));
//   builder.experimental().SetInterceptorCreators(std::move(creators));
//
//   DEBUG rpc method=/annals.catalog.v1.CatalogService/GetEntity code=OK
//         latency_ms=0.412 peer=ipv4:127.0.0.1:51324
#ifndef ANNALS_SERVICES_COMMON_LOGGING_RPC_LOG_H_
#define ANNALS_SERVICES_COMMON_LOGGING_RPC_LOG_H_

#include <grpcpp/support/server_interceptor.h>

#include <memory>

#include "services/common/logging/logger.h"

namespace annals::logging {

// Calls that end without the server sending a status (the client went away)
// are logged with code CANCELLED when the call is destroyed. Nothing is
// logged, and nearly no work is done, when `logger` has debug disabled.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewRpcLogInterceptorFactory(std::shared_ptr<const Logger> logger);

}  // namespace annals::logging

#endif  // ANNALS_SERVICES_COMMON_LOGGING_RPC_LOG_H_
