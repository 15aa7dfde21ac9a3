// Options shared by the Annals C++ clients.
#ifndef ANNALS_CLIENTS_CPP_INCLUDE_ANNALS_OPTIONS_H_
#define ANNALS_CLIENTS_CPP_INCLUDE_ANNALS_OPTIONS_H_

#include <string>

#include "absl/time/time.h"

namespace annals {

struct ClientOptions {
  // Deadline of each attempt of a call. Default: 10 seconds.
  absl::Duration timeout = absl::Seconds(10);
  // Attempts of a retryable call (reads, and writes with a request id, which
  // the client always sets) when the server is UNAVAILABLE. Default: 4.
  int max_attempts = 4;
  // Backoff before the second attempt; doubles each time, with jitter, up to
  // max_backoff. Default: 100 ms and 2 s.
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(2);
};

}  // namespace annals

#endif  // ANNALS_CLIENTS_CPP_INCLUDE_ANNALS_OPTIONS_H_
