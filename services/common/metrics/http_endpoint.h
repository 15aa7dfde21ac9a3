// MetricsEndpoint: a small HTTP server answering GET /metrics with a
// Registry in the Prometheus text format, on its own port, apart from gRPC.
//
//   auto endpoint = metrics::MetricsEndpoint::Start("127.0.0.1:0", &registry);
//   // curl http://127.0.0.1:<(*endpoint)->port()>/metrics
//
// GET (and HEAD) /metrics answers 200 with the rendering; any other path
// answers 404. Each connection serves one request and is closed, so that
// Stop() never waits for an idle client.
//
// Thread safety: port(), host() and Stop() are safe to call concurrently.
#ifndef ANNALS_SERVICES_COMMON_METRICS_HTTP_ENDPOINT_H_
#define ANNALS_SERVICES_COMMON_METRICS_HTTP_ENDPOINT_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "services/common/metrics/registry.h"

namespace httplib {
class Server;
}

namespace annals::metrics {

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

  // Closes the listening socket, lets a request being answered finish, and
  // joins the threads. Idempotent.
  void Stop();

 private:
  MetricsEndpoint() = default;

  std::string host_;
  int port_ = 0;
  std::unique_ptr<httplib::Server> server_;
  absl::Mutex stop_mu_;
  std::thread thread_ ABSL_GUARDED_BY(stop_mu_);
};

}  // namespace annals::metrics

#endif  // ANNALS_SERVICES_COMMON_METRICS_HTTP_ENDPOINT_H_
