// annals::CreateChannel: the gRPC channel CatalogClient::Connect and
// TimelineClient::Connect use, for callers that need one of their own (a
// health check, another stub).
//
//   annals::ClientOptions options;
//   options.tls = *annals::LoadTlsFiles("ca.pem", "", "");
//   options.bearer_token = *annals::ReadTokenFile("token");
//   std::shared_ptr<grpc::Channel> channel =
//       annals::CreateChannel("catalog.example:7401", options);
#ifndef ANNALS_CLIENTS_CPP_INCLUDE_ANNALS_CHANNEL_H_
#define ANNALS_CLIENTS_CPP_INCLUDE_ANNALS_CHANNEL_H_

#include <grpcpp/channel.h>

#include <memory>
#include <string>

#include "annals/options.h"

namespace annals {

// A channel to `address` ("host:port"): TLS when options.tls is set,
// plaintext otherwise; every call carries options.bearer_token, if any.
// Connecting is lazy: an unreachable address or a failed handshake shows up
// as UNAVAILABLE on the first call.
std::shared_ptr<grpc::Channel> CreateChannel(const std::string& address,
                                             const ClientOptions& options);

}  // namespace annals

#endif  // ANNALS_CLIENTS_CPP_INCLUDE_ANNALS_CHANNEL_H_
