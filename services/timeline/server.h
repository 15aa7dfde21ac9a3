// A running timeline: TimelineState, the ChangeFollower that feeds it from
// the catalog, and the gRPC server in front of it, with health checking and
// reflection. main() and the tests both use it.
//
// Health ("annals.timeline.v1.TimelineService" and the overall "") reports
// NOT_SERVING until the initial catch-up with the catalog is done, then
// SERVING, and NOT_SERVING for good if the catalog's history changes
// underneath (see change_follower.h). While the catalog is unreachable after
// the initial catch-up, the service name alone reports NOT_SERVING until a
// new stream has caught up (queries still answer from what was applied, with
// the sequence they reflect); the overall status stays SERVING. A catalog
// that stops answering without closing the connection (frozen, dead host)
// is noticed by keepalive within CatalogConnection::stall_timeout.
//
// Queries. Until the initial catch-up every query fails with UNAVAILABLE
// naming the catalog's address and the progress (TimelineState), and calls
// with `min_sequence` wait for the catch-up as well: nothing is published
// to the SequenceGate before it.
#ifndef ANNALS_SERVICES_TIMELINE_SERVER_H_
#define ANNALS_SERVICES_TIMELINE_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/common/logging/logger.h"
#include "services/common/security/bearer_token.h"
#include "services/common/security/server_security.h"
#include "services/timeline/change_follower.h"
#include "services/timeline/change_source.h"
#include "services/timeline/grpc_change_source.h"
#include "services/timeline/sequence_gate.h"
#include "services/timeline/timeline_state.h"

namespace grpc {
class Server;
}

namespace annals {
class MemoryReturner;
}  // namespace annals

namespace annals::metrics {
class GrpcServerMetrics;
class MetricsEndpoint;
class Registry;
}  // namespace annals::metrics

namespace annals::timeline {

class AuthorizedTimelineService;
class GrpcChangeSource;
class TimelineService;

struct TimelineServerOptions {
  // host:port to listen on; port 0 picks a free port (see port()).
  // Default: 127.0.0.1:7402.
  std::string listen = "127.0.0.1:7402";
  // The catalog's gRPC address. Default: 127.0.0.1:7401.
  std::string catalog = "127.0.0.1:7401";
  // Longest wait for `min_sequence` by a call without a deadline.
  // Default: 10 s.
  absl::Duration max_wait = absl::Seconds(10);
  // Reconnect backoff and logging; see ChangeFollowerOptions.
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(2);
  std::function<void(absl::string_view)> log;
  // Follow this source instead of the catalog at `catalog` (tests).
  // Default: none.
  std::shared_ptr<ChangeSource> change_source;
  // host:port of the Prometheus endpoint (GET /metrics, docs/metrics.md);
  // port 0 picks a free port (see metrics_port()). Empty: no endpoint and
  // no per-call recording. Default: empty.
  std::string metrics_listen;
  // TLS and bearer tokens for this server's own callers (all its methods
  // are reads: the token is checked with auth_reads). Default: plaintext,
  // no token.
  security::ServerSecurity security;
  // TLS and token for the catalog's change feed. Default: plaintext.
  CatalogConnection catalog_connection;
  // Largest request accepted, in bytes; larger ones fail with
  // RESOURCE_EXHAUSTED. Default: 16 MiB.
  int max_receive_message_bytes = 16 << 20;
  // A connection with no call in flight for this long is closed (GOAWAY),
  // which frees its file descriptor; zero or less: never. Default: 5 min.
  absl::Duration max_connection_idle = absl::Minutes(5);
  // Query limits (page size, window length); see TimelineLimits.
  TimelineLimits limits;
  // The timeline's own folder (TimelineStore): a restart reloads its state
  // from it and resumes the feed where it stopped. Empty: in memory,
  // rebuilt from the feed at every start. Default: empty.
  std::string data_dir;
  // The folder's block cache (index and filter blocks included): the
  // memory reads of statements and records may use. Default: 64 MiB.
  int64_t block_cache_bytes = int64_t{64} << 20;
  // Receives the follower's events (unless `log` is set), refused calls,
  // and (at debug level) one event per call. Null: no logging beyond
  // `log`. Default: null.
  std::shared_ptr<const logging::Logger> logger;
};

class TimelineServer {
 public:
  // Starts serving and following the catalog. Fails with UNAVAILABLE if the
  // address cannot be bound. An unreachable catalog is not an error: the
  // follower keeps trying and health stays NOT_SERVING until it catches up.
  static absl::StatusOr<std::unique_ptr<TimelineServer>> Start(
      const TimelineServerOptions& options);

  ~TimelineServer();

  // The port actually bound.
  int port() const { return port_; }
  // The metrics endpoint's port, or 0 without one.
  int metrics_port() const;
  // "http://HOST:PORT/metrics", or empty without an endpoint.
  std::string metrics_url() const;
  const TimelineState& state() const { return *state_; }
  FollowerStatus follower_status() const { return follower_->status(); }
  // Blocks until the initial catch-up is done (or the follower stopped, or
  // `deadline`); returns whether caught up.
  bool AwaitCaughtUp(absl::Time deadline) const {
    return follower_->AwaitCaughtUp(deadline);
  }

  // Points the follower at a catalog that moved to `target`; takes effect
  // at the next reconnect. No effect with a custom change_source.
  void SetCatalogTarget(absl::string_view target);

  // Stops following, answers calls waiting for a sequence, stops accepting
  // calls, and gives calls in flight until `grace` to finish (then cancels
  // them). Safe to call twice.
  absl::Status Shutdown(absl::Duration grace = absl::Seconds(5));

 private:
  TimelineServer() = default;

  // Declared before server_, which uses them, so that they outlive it.
  std::unique_ptr<metrics::Registry> metrics_;
  std::unique_ptr<metrics::GrpcServerMetrics> grpc_metrics_;
  std::unique_ptr<TimelineState> state_;
  std::unique_ptr<SequenceGate> gate_;
  std::shared_ptr<ChangeSource> source_;
  GrpcChangeSource* grpc_source_ = nullptr;  // source_, when it is one
  std::unique_ptr<ChangeFollower> follower_;
  // Outlives every call (declared before server_).
  std::unique_ptr<MemoryReturner> memory_returner_;
  std::unique_ptr<TimelineService> service_;
  std::unique_ptr<security::CallAuthorizer> authorizer_;
  std::unique_ptr<AuthorizedTimelineService> authorized_service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<metrics::MetricsEndpoint> metrics_endpoint_;
  int port_ = 0;
  bool stopped_ = false;
  // The follower's log, for the shutdown's own lines.
  std::function<void(absl::string_view)> log_;
};

}  // namespace annals::timeline

#endif  // ANNALS_SERVICES_TIMELINE_SERVER_H_
