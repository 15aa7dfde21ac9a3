#include "services/common/metrics/http_endpoint.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <list>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace annals::metrics {
namespace {

// One client connection: its request as read so far, then its answer.
struct Connection {
  int fd = -1;
  absl::Time deadline;
  std::string request;
  std::string response;
  size_t sent = 0;
  bool answering = false;
};

std::string Answer(int status, absl::string_view reason,
                   absl::string_view content_type, absl::string_view body,
                   bool include_body, absl::string_view extra_headers = "") {
  return absl::StrCat(
      "HTTP/1.1 ", status, " ", reason, "\r\nContent-Type: ", content_type,
      "\r\nContent-Length: ", body.size(), "\r\n", extra_headers,
      "Connection: close\r\n\r\n", include_body ? body : "");
}

constexpr absl::string_view kPlainText = "text/plain; charset=utf-8";

// The answer to a complete request head `head` (up to the blank line).
std::string AnswerRequest(absl::string_view head, const Registry& registry) {
  const size_t line_end = head.find("\r\n");
  absl::string_view line = head.substr(0, line_end);
  const size_t first_space = line.find(' ');
  const size_t second_space = line.find(' ', first_space + 1);
  if (first_space == absl::string_view::npos ||
      second_space == absl::string_view::npos ||
      !absl::StartsWith(line.substr(second_space + 1), "HTTP/1.")) {
    return Answer(400, "Bad Request", kPlainText, "bad request\n", true);
  }
  absl::string_view method = line.substr(0, first_space);
  absl::string_view path =
      line.substr(first_space + 1, second_space - first_space - 1);
  path = path.substr(0, path.find('?'));
  const bool head_only = method == "HEAD";
  if (path != "/metrics") {
    return Answer(404, "Not Found", kPlainText,
                  "not found; metrics are at /metrics\n", !head_only);
  }
  if (method != "GET" && !head_only) {
    return Answer(405, "Method Not Allowed", kPlainText, "only GET and HEAD\n",
                  true, "Allow: GET, HEAD\r\n");
  }
  return Answer(200, "OK", kTextContentType, registry.RenderText(), !head_only);
}

void SetNonBlocking(int fd) {
  const int flags = fcntl(fd, F_GETFL);
  if (flags >= 0) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

}  // namespace

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
  endpoint->registry_ = registry;

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port_text = std::to_string(address->second);
  if (const int error = getaddrinfo(endpoint->host_.c_str(), port_text.c_str(),
                                    &hints, &found);
      error != 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot serve metrics on ", listen, ": ", gai_strerror(error)));
  }
  std::string failure = "no address";
  for (addrinfo* candidate = found; candidate != nullptr;
       candidate = candidate->ai_next) {
    const int fd =
        socket(candidate->ai_family, candidate->ai_socktype | SOCK_CLOEXEC,
               candidate->ai_protocol);
    if (fd < 0) {
      failure = std::strerror(errno);
      continue;
    }
    // SO_REUSEADDR only (a restart need not wait for TIME_WAIT); never
    // SO_REUSEPORT, which would let a second process share the port.
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    if (bind(fd, candidate->ai_addr, candidate->ai_addrlen) != 0 ||
        ::listen(fd, 128) != 0) {
      failure = std::strerror(errno);
      close(fd);
      continue;
    }
    endpoint->listen_fd_ = fd;
    break;
  }
  freeaddrinfo(found);
  if (endpoint->listen_fd_ < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", listen, ": ", failure));
  }
  sockaddr_storage bound{};
  socklen_t bound_size = sizeof(bound);
  getsockname(endpoint->listen_fd_, reinterpret_cast<sockaddr*>(&bound),
              &bound_size);
  endpoint->port_ =
      bound.ss_family == AF_INET6
          ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
          : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  SetNonBlocking(endpoint->listen_fd_);

  int wake[2];
  if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    close(endpoint->listen_fd_);
    return absl::UnavailableError(absl::StrCat(
        "cannot serve metrics on ", listen, ": pipe: ", std::strerror(errno)));
  }
  endpoint->wake_read_fd_ = wake[0];
  endpoint->wake_write_fd_ = wake[1];
  absl::MutexLock lock(&endpoint->stop_mu_);
  MetricsEndpoint* self = endpoint.get();
  endpoint->thread_ = std::thread([self] { self->Serve(); });
  return endpoint;
}

void MetricsEndpoint::Serve() {
  std::list<Connection> connections;
  std::vector<pollfd> polled;
  for (;;) {
    const absl::Time now = absl::Now();
    // Deadlines: a request still coming in is answered 408; an answer
    // still going out is cut.
    for (auto it = connections.begin(); it != connections.end();) {
      if (now < it->deadline) {
        ++it;
        continue;
      }
      if (!it->answering) {
        const std::string timeout = Answer(408, "Request Timeout", kPlainText,
                                           "request too slow\n", true);
        send(it->fd, timeout.data(), timeout.size(),
             MSG_NOSIGNAL | MSG_DONTWAIT);
      }
      close(it->fd);
      it = connections.erase(it);
    }
    absl::Time next_deadline = absl::InfiniteFuture();
    polled.clear();
    polled.push_back({wake_read_fd_, POLLIN, 0});
    const bool accepting =
        static_cast<int>(connections.size()) < kMetricsMaxConnections;
    polled.push_back({accepting ? listen_fd_ : -1, POLLIN, 0});
    for (const Connection& connection : connections) {
      polled.push_back({connection.fd,
                        static_cast<decltype(pollfd::events)>(
                            connection.answering ? POLLOUT : POLLIN),
                        0});
      next_deadline = std::min(next_deadline, connection.deadline);
    }
    int timeout_ms = -1;
    if (next_deadline != absl::InfiniteFuture()) {
      timeout_ms = static_cast<int>(std::max<int64_t>(
          0, absl::ToInt64Milliseconds(next_deadline - now) + 1));
    }
    if (poll(polled.data(), polled.size(), timeout_ms) < 0 && errno != EINTR) {
      break;
    }
    if (polled[0].revents != 0) break;  // Stop()

    if (accepting && (polled[1].revents & POLLIN) != 0) {
      while (static_cast<int>(connections.size()) < kMetricsMaxConnections) {
        const int fd =
            accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) break;  // EAGAIN, or out of descriptors: try later
        Connection connection;
        connection.fd = fd;
        connection.deadline = absl::Now() + kMetricsRequestDeadline;
        connections.push_back(std::move(connection));
      }
    }
    size_t index = 2;
    for (auto it = connections.begin(); it != connections.end(); ++index) {
      Connection& connection = *it;
      decltype(pollfd::revents) events = 0;
      if (index < polled.size() && polled[index].fd == connection.fd) {
        events = polled[index].revents;
      }
      bool finished = false;
      if (events != 0 && !connection.answering) {
        char buffer[4096];
        const ssize_t n = recv(connection.fd, buffer, sizeof(buffer), 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
          finished = true;
        } else if (n > 0) {
          connection.request.append(buffer, static_cast<size_t>(n));
          const size_t end = connection.request.find("\r\n\r\n");
          if (end != std::string::npos) {
            connection.response = AnswerRequest(
                absl::string_view(connection.request).substr(0, end),
                *registry_);
            connection.answering = true;
          } else if (connection.request.size() > kMetricsMaxRequestBytes) {
            connection.response =
                Answer(431, "Request Header Fields Too Large", kPlainText,
                       "request too large\n", true);
            connection.answering = true;
          }
        }
      } else if (events != 0 && connection.answering) {
        const ssize_t n =
            send(connection.fd, connection.response.data() + connection.sent,
                 connection.response.size() - connection.sent,
                 MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) connection.sent += static_cast<size_t>(n);
        if ((n < 0 && errno != EAGAIN && errno != EINTR) ||
            connection.sent == connection.response.size()) {
          finished = true;
        }
      }
      if (finished) {
        shutdown(connection.fd, SHUT_WR);
        close(connection.fd);
        it = connections.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const Connection& connection : connections) close(connection.fd);
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
  const char stop = 's';
  while (write(wake_write_fd_, &stop, 1) < 0 && errno == EINTR) {
  }
  thread_.join();
  close(listen_fd_);
  close(wake_read_fd_);
  close(wake_write_fd_);
  listen_fd_ = wake_read_fd_ = wake_write_fd_ = -1;
}

}  // namespace annals::metrics
