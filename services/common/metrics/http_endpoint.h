// MetricsEndpoint: a small HTTP server answering GET /metrics with a
// Registry in the Prometheus text format, on its own port, apart from gRPC.
//
//   auto endpoint = metrics::MetricsEndpoint::Start("127.0.0.1:0", &registry);
//   // curl http://127.0.0.1:<(*endpoint)->port()>/metrics
//
// GET (and HEAD) /metrics answers 200 with the rendering; any other path
// answers 404, another method on /metrics 405. Each connection serves one
// request and is closed.
//
// Slow clients cannot blind it: one thread serves every connection without
// blocking (poll), each connection gets kMetricsRequestDeadline for its
// whole exchange (request and response; a request unfinished by then is
// answered 408 and closed), and at most kMetricsMaxConnections are open at
// once (more wait in the listen queue until one closes). A scrape is thus
// answered at once while fewer slow clients are connected, and within the
// deadline whatever they do. (cpp-httplib, used before, had per-read
// timeouts only and two worker threads: two clients sending a header line
// every 1.5 s held both for good.)
//
// Thread safety: port(), host() and Stop() are safe to call concurrently.
#ifndef ANNALS_SERVICES_COMMON_METRICS_HTTP_ENDPOINT_H_
#define ANNALS_SERVICES_COMMON_METRICS_HTTP_ENDPOINT_H_

#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/common/metrics/registry.h"

namespace annals::metrics {

// Longest time a connection may take to send its request and read the
// answer.
inline constexpr absl::Duration kMetricsRequestDeadline = absl::Seconds(5);
// Most connections served at once.
inline constexpr int kMetricsMaxConnections = 64;
// Longest request head (request line and headers) accepted; longer ones
// are answered 431.
inline constexpr size_t kMetricsMaxRequestBytes = 8192;

// Splits "host:port", "[v6]:port", ":port" or "port" (host then
// 127.0.0.1). Fails with INVALID_ARGUMENT naming `address` when the port is
// not a number in [0, 65535].
absl::StatusOr<std::pair<std::string, int>> ParseListenAddress(
    absl::string_view address);

class MetricsEndpoint {
 public:
  // Binds `listen` (see ParseListenAddress; port 0 picks a free port) and
  // serves `registry`, which must outlive the endpoint, on a thread of its
  // own. Fails with INVALID_ARGUMENT for a malformed address and UNAVAILABLE
  // when the address cannot be bound (in use, or not local).
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(
      absl::string_view listen, const Registry* registry);

  // Stops (see Stop()).
  ~MetricsEndpoint();

  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  // The host as given (brackets removed) and the port actually bound.
  const std::string& host() const { return host_; }
  int port() const { return port_; }
  // "http://HOST:PORT/metrics", with brackets around an IPv6 host.
  std::string url() const;

  // Closes the listening socket and every connection (an answer being sent
  // is cut short), and joins the thread. Idempotent.
  void Stop();

 private:
  MetricsEndpoint() = default;
  // The serving loop, on thread_, until the wake-up pipe is written.
  void Serve();

  std::string host_;
  int port_ = 0;
  const Registry* registry_ = nullptr;
  int listen_fd_ = -1;
  // Written once by Stop() to end Serve().
  int wake_read_fd_ = -1;
  int wake_write_fd_ = -1;
  absl::Mutex stop_mu_;
  std::thread thread_ ABSL_GUARDED_BY(stop_mu_);
};

}  // namespace annals::metrics

#endif  // ANNALS_SERVICES_COMMON_METRICS_HTTP_ENDPOINT_H_
