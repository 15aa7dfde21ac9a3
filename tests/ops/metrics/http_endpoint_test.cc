#include "services/common/metrics/http_endpoint.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ops/metrics/scrape.h"
#include "tests/testing/status_matchers.h"

namespace annals::metrics {
namespace {

using ::annals::testing::HttpGet;
using ::annals::testing::HttpRequest;
using ::annals::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST(ParseListenAddressTest, AcceptsTheUsualForms) {
  EXPECT_THAT(*ParseListenAddress("127.0.0.1:9401"), Pair("127.0.0.1", 9401));
  EXPECT_THAT(*ParseListenAddress("0.0.0.0:0"), Pair("0.0.0.0", 0));
  EXPECT_THAT(*ParseListenAddress("localhost:80"), Pair("localhost", 80));
  EXPECT_THAT(*ParseListenAddress("[::1]:9401"), Pair("::1", 9401));
  // Without a host: loopback, never every interface.
  EXPECT_THAT(*ParseListenAddress(":9401"), Pair("127.0.0.1", 9401));
  EXPECT_THAT(*ParseListenAddress("9401"), Pair("127.0.0.1", 9401));
}

TEST(ParseListenAddressTest, RejectsMalformedPorts) {
  for (const char* bad :
       {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:x", "127.0.0.1:65536",
        "127.0.0.1:-1", "[::1]9401", "[::1", "host:12ab"}) {
    EXPECT_THAT(ParseListenAddress(bad),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
}

class MetricsEndpointTest : public ::testing::Test {
 protected:
  MetricsEndpointTest() {
    counter_ = &registry_.AddCounter("annals_test_total", "A test counter.")
                    .WithLabels({});
  }
  Registry registry_;
  Counter* counter_;
};

TEST_F(MetricsEndpointTest, ServesTheRegistryOnAnEphemeralPort) {
  auto endpoint = MetricsEndpoint::Start("127.0.0.1:0", &registry_);
  ASSERT_OK(endpoint);
  ASSERT_GT((*endpoint)->port(), 0);
  EXPECT_EQ((*endpoint)->host(), "127.0.0.1");
  EXPECT_EQ(
      (*endpoint)->url(),
      "http://127.0.0.1:" + std::to_string((*endpoint)->port()) + "/metrics");

  auto first = HttpGet((*endpoint)->port(), "/metrics");
  ASSERT_OK(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->headers["content-type"],
            "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(first->body, registry_.RenderText());
  EXPECT_THAT(first->body, HasSubstr("\nannals_test_total 0\n"));

  // Each scrape renders afresh.
  counter_->Increment(3);
  auto second = HttpGet((*endpoint)->port(), "/metrics");
  ASSERT_OK(second);
  EXPECT_THAT(second->body, HasSubstr("\nannals_test_total 3\n"));
}

TEST_F(MetricsEndpointTest, QueryStringIsIgnored) {
  auto endpoint = MetricsEndpoint::Start("127.0.0.1:0", &registry_);
  ASSERT_OK(endpoint);
  auto response = HttpGet((*endpoint)->port(), "/metrics?name[]=x");
  ASSERT_OK(response);
  EXPECT_EQ(response->status, 200);
}

TEST_F(MetricsEndpointTest, OtherPathsAreNotFound) {
  auto endpoint = MetricsEndpoint::Start("127.0.0.1:0", &registry_);
  ASSERT_OK(endpoint);
  for (const char* path :
       {"/", "/metric", "/metrics/", "/metricsx", "/debug"}) {
    auto response = HttpGet((*endpoint)->port(), path);
    ASSERT_OK(response);
    EXPECT_EQ(response->status, 404) << path;
    EXPECT_THAT(response->body, ::testing::Not(HasSubstr("annals_test_total")))
        << path;
  }
}

TEST_F(MetricsEndpointTest, OnlyGetAndHeadServeMetrics) {
  auto endpoint = MetricsEndpoint::Start("127.0.0.1:0", &registry_);
  ASSERT_OK(endpoint);
  auto post = HttpRequest((*endpoint)->port(), "POST", "/metrics");
  ASSERT_OK(post);
  EXPECT_GE(post->status, 400);
  EXPECT_THAT(post->body, ::testing::Not(HasSubstr("annals_test_total")));
  auto head = HttpRequest((*endpoint)->port(), "HEAD", "/metrics");
  ASSERT_OK(head);
  EXPECT_EQ(head->status, 200);
}

TEST_F(MetricsEndpointTest, PortInUseIsUnavailable) {
  auto first = MetricsEndpoint::Start("127.0.0.1:0", &registry_);
  ASSERT_OK(first);
  std::string taken = "127.0.0.1:" + std::to_string((*first)->port());
  EXPECT_THAT(MetricsEndpoint::Start(taken, &registry_),
              StatusIs(absl::StatusCode::kUnavailable));
  // The first one still answers.
  auto response = HttpGet((*first)->port(), "/metrics");
  ASSERT_OK(response);
  EXPECT_EQ(response->status, 200);
}

TEST_F(MetricsEndpointTest, MalformedAddressIsInvalidArgument) {
  EXPECT_THAT(MetricsEndpoint::Start("127.0.0.1:http", &registry_),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(MetricsEndpointTest, StopClosesThePortAndIsIdempotent) {
  auto endpoint = MetricsEndpoint::Start("127.0.0.1:0", &registry_);
  ASSERT_OK(endpoint);
  int port = (*endpoint)->port();
  (*endpoint)->Stop();
  (*endpoint)->Stop();
  EXPECT_THAT(HttpGet(port, "/metrics"),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(MetricsEndpointTest, StopRightAfterStartReturns) {
  for (int i = 0; i < 20; ++i) {
    auto endpoint = MetricsEndpoint::Start("127.0.0.1:0", &registry_);
    ASSERT_OK(endpoint);
    (*endpoint)->Stop();
  }
}

// Slow-loris clients: each sends a header line every 1.5 s and never ends
// its request. A scrape on a new connection is still answered promptly,
// and the slow connections are closed by the whole-request deadline.
TEST_F(MetricsEndpointTest, SlowClientsDoNotBlindTheEndpoint) {
  auto endpoint = MetricsEndpoint::Start("127.0.0.1:0", &registry_);
  ASSERT_OK(endpoint);
  constexpr int kSlowClients = 16;
  std::vector<int> slow;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>((*endpoint)->port()));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < kSlowClients; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(
        connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    const std::string start = "GET /metrics HTTP/1.1\r\nHost: x\r\n";
    ASSERT_EQ(send(fd, start.data(), start.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(start.size()));
    slow.push_back(fd);
  }
  std::atomic<bool> done{false};
  std::thread drip([&] {
    for (int line = 0; !done.load(); ++line) {
      for (int fd : slow) {
        const std::string header = "X-Slow-" + std::to_string(line) + ": 1\r\n";
        send(fd, header.data(), header.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      }
      for (int i = 0; i < 15 && !done.load(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  });
  // Past the first drip, so that every slow client has started.
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  for (int attempt = 0; attempt < 3; ++attempt) {
    const absl::Time start = absl::Now();
    auto response = HttpGet((*endpoint)->port(), "/metrics");
    ASSERT_OK(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  }
  // The deadline (kMetricsRequestDeadline) closes the slow connections
  // even though they keep sending.
  std::this_thread::sleep_for(absl::ToChronoSeconds(kMetricsRequestDeadline) +
                              std::chrono::seconds(2));
  int closed = 0;
  for (int fd : slow) {
    char buffer[256];
    timeval timeout{0, 100000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    ssize_t n;
    while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) {
    }
    if (n == 0 || (n < 0 && errno == ECONNRESET)) ++closed;
  }
  done.store(true);
  drip.join();
  for (int fd : slow) close(fd);
  EXPECT_EQ(closed, kSlowClients);
}

}  // namespace
}  // namespace annals::metrics
