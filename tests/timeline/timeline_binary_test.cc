// The annals-timeline binary: announces its port, serves health, and exits
// 0 on SIGTERM.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>

#include <optional>
#include <string>

#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/testing/subprocess.h"

namespace annals::timeline {
namespace {

using ::grpc::health::v1::HealthCheckResponse;

TEST(TimelineBinaryTest, AnnouncesItsPortAndStopsCleanlyOnSigterm) {
  // Port 1 on loopback refuses connections: the catalog is unreachable.
  annals::testing::Subprocess timeline(
      {ANNALS_TIMELINE_BINARY, "--listen=127.0.0.1:0", "--catalog=127.0.0.1:1",
       "--metrics_listen=off"});
  std::optional<std::string> port = timeline.WaitForLine(
      R"(annals-timeline listening on \S+ \(port (\d+)\))");
  ASSERT_TRUE(port.has_value());
  ASSERT_NE(*port, "0");

  {  // the client goes away first, as clients of a stopping server do
    auto channel = grpc::CreateChannel("127.0.0.1:" + *port,
                                       grpc::InsecureChannelCredentials());
    auto health = grpc::health::v1::Health::NewStub(channel);
    grpc::health::v1::HealthCheckRequest request;
    request.set_service("annals.timeline.v1.TimelineService");
    HealthCheckResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    ASSERT_TRUE(health->Check(&context, request, &response).ok());
    // Not caught up with a catalog it cannot reach.
    EXPECT_EQ(response.status(), HealthCheckResponse::NOT_SERVING);
  }
  const int status = timeline.Kill(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace annals::timeline
