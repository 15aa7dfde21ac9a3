// Internal: deadlines, retries with backoff, and request ids for the clients.
#ifndef ANNALS_CLIENTS_CPP_SRC_CALL_H_
#define ANNALS_CLIENTS_CPP_SRC_CALL_H_

#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include <algorithm>
#include <string>

#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "annals/options.h"
#include "services/common/status/grpc_status.h"

namespace annals::internal {

// A random id for a write, so that its retries are applied once.
inline std::string NewRequestId() {
  thread_local absl::BitGen gen;
  return absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(gen),
                         absl::Uniform<uint64_t>(gen));
}

inline void SetDeadline(grpc::ClientContext& context,
                        const ClientOptions& options) {
  context.set_deadline(absl::ToChronoTime(absl::Now() + options.timeout));
}

// Runs `call(context, response)` until it succeeds, fails with anything but
// UNAVAILABLE, or max_attempts are spent; each attempt gets a fresh context
// with the configured deadline.
template <typename Response, typename Call>
absl::StatusOr<Response> CallWithRetry(const ClientOptions& options,
                                       Call&& call) {
  absl::Duration backoff = options.initial_backoff;
  thread_local absl::BitGen gen;
  for (int attempt = 1;; ++attempt) {
    grpc::ClientContext context;
    SetDeadline(context, options);
    Response response;
    grpc::Status status = call(&context, &response);
    if (status.ok()) return response;
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE ||
        attempt >= std::max(1, options.max_attempts)) {
      return FromGrpcStatus(status);
    }
    // Full jitter keeps many clients from retrying in step.
    absl::SleepFor(backoff * absl::Uniform(gen, 0.5, 1.0));
    backoff = std::min(backoff * 2, options.max_backoff);
  }
}

}  // namespace annals::internal

#endif  // ANNALS_CLIENTS_CPP_SRC_CALL_H_
