// The services' file-descriptor policy: a raised open-files limit, and a
// gRPC listener that outlives descriptor exhaustion (docs/reliability.md,
// ADR 7).
//
//   ApplyDescriptorPolicy(logger);  // in main(), before the server starts
#ifndef ANNALS_SERVICES_COMMON_PROCESS_DESCRIPTORS_H_
#define ANNALS_SERVICES_COMMON_PROCESS_DESCRIPTORS_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "services/common/logging/logger.h"

namespace annals {

struct OpenFileLimit {
  // The soft limit (RLIMIT_NOFILE) before and after, and the hard limit.
  uint64_t before = 0;
  uint64_t after = 0;
  uint64_t hard = 0;
};

// Raises the soft RLIMIT_NOFILE to the hard limit (to fs.nr_open when the
// hard limit is unlimited). Returns the limits; `after` equals `before` when
// the soft limit was already at the hard limit. Fails with INTERNAL (naming
// the errno) when the limit cannot be read or set; the limit is then
// unchanged.
absl::StatusOr<OpenFileLimit> RaiseOpenFileLimit();

// How many descriptors the accept guard keeps free under `soft_limit`:
// an eighth of it, at least 8 and at most 64.
int ReservedDescriptors(int soft_limit);

// Keeps non-blocking listeners (gRPC's) accepting after the process runs
// out of file descriptors.
//
// gRPC 1.51's listener stops for good the first time accept4() fails with
// EMFILE or ENFILE. After this call the process holds one spare descriptor,
// and its accept4() (which this library defines, in front of libc's) turns
// that failure on a non-blocking listening socket into: release the spare,
// accept each waiting connection and close it at once (the clients see the
// connection closed and may retry), take the spare back, and report EAGAIN,
// which gRPC answers by waiting for the next connection. The same happens
// before descriptors run out, to keep ReservedDescriptors() of them for the
// process's own files (RocksDB tables, the timeline's catalog connection):
// a connection accepted on a descriptor number at or above the soft limit
// minus that reserve (the limit when InstallAcceptGuard() runs) is closed
// at once, with those waiting. Blocking listeners and other errors are
// passed through unchanged.
//
// `on_shed` (may be empty) is called, outside any lock and on the thread
// that accepted, with the number of connections just closed; it must be
// cheap and thread-safe. Call once, before the server starts; later calls
// only replace `on_shed`.
void InstallAcceptGuard(std::function<void(int64_t shed)> on_shed);

// Connections closed at once for want of a descriptor since
// InstallAcceptGuard(). Thread-safe.
int64_t ConnectionsShed();

// For main(): RaiseOpenFileLimit() and log the limits ("open files" at
// info, or a warning if it failed), then InstallAcceptGuard() with a
// warning "out of file descriptors: closed new connections at once" for
// the first connections shed and at most one such warning a minute after.
// `logger` may be null.
void ApplyDescriptorPolicy(
    const std::shared_ptr<const logging::Logger>& logger);

}  // namespace annals

#endif  // ANNALS_SERVICES_COMMON_PROCESS_DESCRIPTORS_H_
