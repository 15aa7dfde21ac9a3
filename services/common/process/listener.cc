#include "services/common/process/listener.h"

#include <grpc/grpc.h>

#include <algorithm>
#include <cstdint>
#include <limits>

namespace annals {
namespace {

int ClampedMilliseconds(absl::Duration duration) {
  return static_cast<int>(std::clamp<int64_t>(
      absl::ToInt64Milliseconds(duration), 1, std::numeric_limits<int>::max()));
}

}  // namespace

void ApplyListenerPolicy(grpc::ServerBuilder& builder,
                         absl::Duration max_connection_idle) {
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  if (max_connection_idle <= absl::ZeroDuration()) return;
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS,
                             ClampedMilliseconds(max_connection_idle));
  builder.AddChannelArgument(
      GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
      ClampedMilliseconds(std::min(max_connection_idle, kMaxHandshakeTime)));
}

}  // namespace annals
