#include "services/common/metrics/http_endpoint.h"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace annals::metrics {

absl::StatusOr<std::pair<std::string, int>> ParseListenAddress(
    absl::string_view address) {
  absl::string_view host;
  absl::string_view port = address;
  if (absl::StartsWith(address, "[")) {
    size_t close = address.find(']');
    if (close == absl::string_view::npos || close + 1 >= address.size() ||
        address[close + 1] != ':') {
      return absl::InvalidArgumentError(absl::StrCat(
          "metrics address \"", address, "\": expected [HOST]:PORT"));
    }
    host = address.substr(1, close - 1);
    port = address.substr(close + 2);
  } else if (size_t colon = address.rfind(':');
             colon != absl::string_view::npos) {
    host = address.substr(0, colon);
    port = address.substr(colon + 1);
  }
  int number = -1;
  std::from_chars_result parsed =
      std::from_chars(port.data(), port.data() + port.size(), number);
  if (port.empty() || parsed.ec != std::errc() ||
      parsed.ptr != port.data() + port.size() || number < 0 || number > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics address \"", address,
                     "\": expected HOST:PORT with a port in 0..65535"));
  }
  return std::make_pair(
      host.empty() ? std::string("127.0.0.1") : std::string(host), number);
}

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(
    absl::string_view listen, const Registry* registry) {
  absl::StatusOr<std::pair<std::string, int>> address =
      ParseListenAddress(listen);
  if (!address.ok()) return address.status();

  std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint());
  endpoint->host_ = address->first;
  endpoint->server_ = std::make_unique<httplib::Server>();
  httplib::Server& server = *endpoint->server_;
  // One connection per request, and short timeouts: an idle or slow client
  // never holds up Stop() for long. Two threads are plenty for scrapes.
  server.set_keep_alive_max_count(1);
  server.set_read_timeout(2, 0);
  server.set_write_timeout(5, 0);
  server.new_task_queue = [] { return new httplib::ThreadPool(2); };
  // SO_REUSEADDR only: the library's default also sets SO_REUSEPORT, which
  // would let a second process share the port silently.
  server.set_socket_options([](int socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server.Get("/metrics", [registry](const httplib::Request&,
                                    httplib::Response& response) {
    response.set_content(registry->RenderText(), std::string(kTextContentType));
  });
  server.set_error_handler(
      [](const httplib::Request& request, httplib::Response& response) {
        if (response.status == 404) {
          response.set_content("not found; metrics are at /metrics\n",
                               "text/plain; charset=utf-8");
        }
      });

  int port = address->second;
  if (port == 0) {
    port = server.bind_to_any_port(endpoint->host_);
  } else if (!server.bind_to_port(endpoint->host_, port)) {
    port = -1;
  }
  if (port <= 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", listen,
                     " (address in use, or not an address of this machine)"));
  }
  endpoint->port_ = port;

  auto finished = std::make_shared<std::atomic<bool>>(false);
  {
    absl::MutexLock lock(&endpoint->stop_mu_);
    endpoint->thread_ = std::thread([&server, finished] {
      server.listen_after_bind();
      finished->store(true);
    });
  }
  // httplib's stop() does nothing until the accept loop runs: wait for it,
  // so that a Stop() right after Start() cannot be lost.
  while (!server.is_running() && !finished->load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!server.is_running()) {
    endpoint->Stop();
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", listen));
  }
  return endpoint;
}

MetricsEndpoint::~MetricsEndpoint() { Stop(); }

std::string MetricsEndpoint::url() const {
  bool v6 = host_.find(':') != std::string::npos;
  return absl::StrCat("http://", v6 ? "[" : "", host_, v6 ? "]" : "", ":",
                      port_, "/metrics");
}

void MetricsEndpoint::Stop() {
  absl::MutexLock lock(&stop_mu_);
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

}  // namespace annals::metrics
