// How both services' gRPC servers treat their listening address and their
// client connections (docs/reliability.md).
#ifndef ANNALS_SERVICES_COMMON_PROCESS_LISTENER_H_
#define ANNALS_SERVICES_COMMON_PROCESS_LISTENER_H_

#include <grpcpp/server_builder.h>

#include "absl/time/time.h"

namespace annals {

// Longest time gRPC gives a new connection to complete its HTTP/2
// handshake (gRPC's own default).
inline constexpr absl::Duration kMaxHandshakeTime = absl::Seconds(120);

// Sets `builder`'s channel arguments so that:
// - binding an address another socket serves fails (no SO_REUSEPORT, which
//   gRPC sets by default on Linux and which lets a second server take half
//   of the new connections);
// - a connection with no call in flight for `max_connection_idle` is closed
//   with GOAWAY, and one that has not completed its handshake within
//   min(`max_connection_idle`, kMaxHandshakeTime) is dropped. Zero or less:
//   idle connections are kept, handshakes get kMaxHandshakeTime.
void ApplyListenerPolicy(grpc::ServerBuilder& builder,
                         absl::Duration max_connection_idle);

}  // namespace annals

#endif  // ANNALS_SERVICES_COMMON_PROCESS_LISTENER_H_
