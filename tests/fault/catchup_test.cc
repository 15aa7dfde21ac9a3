// A timeline that has not caught up, or whose catalog froze, with the real
// annals-catalog and annals-timeline processes (issue 12, items 4 and 11):
//  - started while its catalog is down, the timeline answers every query
//    kind with UNAVAILABLE, saying it has not caught up with the catalog at
//    its address and how far it got, instead of answering as if the
//    catalog were empty; once the catalog is back and the timeline has
//    caught up, every query answers, with the sequence it reflects;
//  - a catalog frozen with SIGSTOP (the connection stays open, nothing
//    answers) turns the timeline's readiness NOT_SERVING within
//    --feed_stall_timeout (keepalive pings on the feed), and SIGCONT brings
//    it back to SERVING.
#include <signal.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fault/fault_testing.h"
#include "tests/ops/lifecycle/service_process.h"
#include "tests/testing/temp_dir.h"

namespace annals::testing {
namespace {

namespace tv1 = ::annals::timeline::v1;
using ::grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;

absl::Duration Patience() { return absl::Seconds(30); }

struct Reply {
  std::string method;
  grpc::Status status;
  int64_t sequence = -1;
};

template <typename Response, typename Call>
Reply Ask(const std::string& method, Call call) {
  Response response;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  Reply reply{method, call(&context, &response)};
  if (reply.status.ok()) reply.sequence = response.sequence();
  return reply;
}

// One question of every query kind about the NATO data set.
std::vector<Reply> AskEveryKind(const std::string& address) {
  auto stub = tv1::TimelineService::NewStub(FreshChannel(address));
  std::vector<Reply> replies;
  tv1::GetSnapshotRequest snapshot;
  snapshot.set_entity("nmi");
  snapshot.set_at("2021-06-01");
  replies.push_back(Ask<tv1::GetSnapshotResponse>(
      "GetSnapshot",
      [&](auto* c, auto* r) { return stub->GetSnapshot(c, snapshot, r); }));
  tv1::BatchGetSnapshotsRequest batch;
  *batch.add_requests() = snapshot;
  replies.push_back(Ask<tv1::BatchGetSnapshotsResponse>(
      "BatchGetSnapshots",
      [&](auto* c, auto* r) { return stub->BatchGetSnapshots(c, batch, r); }));
  tv1::ListHistoryRequest history;
  history.set_entity("nmi");
  history.set_predicate("commander");
  replies.push_back(Ask<tv1::ListHistoryResponse>(
      "ListHistory",
      [&](auto* c, auto* r) { return stub->ListHistory(c, history, r); }));
  tv1::QueryWindowRequest window;
  window.set_from("2018");
  window.set_to("2021");
  window.set_kind("mission");
  replies.push_back(Ask<tv1::QueryWindowResponse>(
      "QueryWindow",
      [&](auto* c, auto* r) { return stub->QueryWindow(c, window, r); }));
  tv1::RelateRequest relate;
  relate.mutable_a()->set_lifespan("ntm-i");
  relate.mutable_b()->set_lifespan("nmi");
  replies.push_back(Ask<tv1::RelateResponse>(
      "Relate", [&](auto* c, auto* r) { return stub->Relate(c, relate, r); }));
  tv1::FindGapsRequest gaps;
  gaps.set_subject("nmi");
  gaps.set_predicate("commander");
  gaps.set_from("2018-07-01");
  gaps.set_to("2018-12-31");
  replies.push_back(Ask<tv1::FindGapsResponse>(
      "FindGaps",
      [&](auto* c, auto* r) { return stub->FindGaps(c, gaps, r); }));
  tv1::CountActiveRequest count;
  count.set_bucket(tv1::BUCKET_YEAR);
  count.set_from("2015");
  count.set_to("2022");
  count.set_kind("mission");
  replies.push_back(Ask<tv1::CountActiveResponse>(
      "CountActive",
      [&](auto* c, auto* r) { return stub->CountActive(c, count, r); }));
  return replies;
}

TEST(CatchUpTest, TimelineThatHasNotCaughtUpAnswersUnavailableNotEmpty) {
  TempDir dir;
  // A catalog holding the NATO data, then stopped: its address is where the
  // timeline will look for it.
  std::string address;
  int64_t head = 0;
  {
    ServiceProcess catalog = StartCatalog(dir.Sub("catalog"));
    ASSERT_TRUE(catalog.ok());
    address = catalog.address();
    std::string error;
    head = ImportNmi(*FreshCatalogStub(address), &error);
    ASSERT_GT(head, 0) << error;
    ASSERT_TRUE(ExitedZero(catalog.process->Kill(SIGTERM)));
  }
  ServiceProcess timeline = StartTimeline(address);
  ASSERT_TRUE(timeline.ok());
  absl::SleepFor(absl::Milliseconds(500));  // let it try the catalog
  for (const Reply& reply : AskEveryKind(timeline.address())) {
    EXPECT_EQ(reply.status.error_code(), grpc::StatusCode::UNAVAILABLE)
        << reply.method
        << " answered before the catch-up: " << reply.status.error_code() << " "
        << reply.status.error_message();
    EXPECT_THAT(reply.status.error_message(),
                HasSubstr(absl::StrCat(
                    "has not yet caught up with its catalog at ", address)))
        << reply.method;
    EXPECT_THAT(reply.status.error_message(), HasSubstr("applied sequence 0"))
        << reply.method;
    EXPECT_THAT(reply.status.error_message(), HasSubstr("retry"))
        << reply.method;
  }
  EXPECT_EQ(CheckHealth(timeline.address(), kTimelineService),
            HealthCheckResponse::NOT_SERVING);

  ServiceProcess catalog =
      StartCatalog(dir.Sub("catalog"), address, absl::Seconds(1));
  ASSERT_TRUE(catalog.ok()) << "port " << address << " was taken";
  ASSERT_TRUE(AwaitHealth(timeline.address(), kTimelineService,
                          HealthCheckResponse::SERVING, Patience()));
  for (const Reply& reply : AskEveryKind(timeline.address())) {
    EXPECT_TRUE(reply.status.ok())
        << reply.method << ": " << reply.status.error_message();
    EXPECT_EQ(reply.sequence, head) << reply.method;
  }
}

// Sends SIGCONT to a stopped process when it goes out of scope, so that a
// failing test never leaves a frozen catalog behind.
class Frozen {
 public:
  explicit Frozen(pid_t pid) : pid_(pid) { ::kill(pid_, SIGSTOP); }
  ~Frozen() { Thaw(); }
  void Thaw() {
    if (pid_ > 0) ::kill(pid_, SIGCONT);
    pid_ = -1;
  }

 private:
  pid_t pid_;
};

TEST(CatchUpTest, FrozenCatalogTurnsTheTimelineNotServingWithinTheTimeout) {
  TempDir dir;
  ServiceProcess catalog = StartCatalog(dir.Sub("catalog"));
  ASSERT_TRUE(catalog.ok());
  std::string error;
  const int64_t head = ImportNmi(*FreshCatalogStub(catalog.address()), &error);
  ASSERT_GT(head, 0) << error;
  // Through the environment, as an operator might set it.
  constexpr absl::Duration kStallTimeout = absl::Seconds(4);
  setenv("ANNALS_FEED_STALL_TIMEOUT", "4s", 1);
  ServiceProcess timeline = StartTimeline(catalog.address());
  unsetenv("ANNALS_FEED_STALL_TIMEOUT");
  ASSERT_TRUE(timeline.ok());
  ASSERT_TRUE(AwaitHealth(timeline.address(), kTimelineService,
                          HealthCheckResponse::SERVING, Patience()));

  Frozen frozen(catalog.process->pid());
  const absl::Time stopped = absl::Now();
  // The bound, plus time for scheduling on a busy machine.
  ASSERT_TRUE(AwaitHealth(timeline.address(), kTimelineService,
                          HealthCheckResponse::NOT_SERVING,
                          kStallTimeout + absl::Seconds(3)))
      << "still SERVING " << absl::Now() - stopped
      << " after the catalog froze";
  const absl::Duration noticed = absl::Now() - stopped;
  std::printf("frozen catalog noticed after %s\n",
              absl::FormatDuration(noticed).c_str());
  // Alive, and still answering from what it applied.
  EXPECT_EQ(CheckHealth(timeline.address(), ""), HealthCheckResponse::SERVING);
  for (const Reply& reply : AskEveryKind(timeline.address())) {
    EXPECT_TRUE(reply.status.ok())
        << reply.method << ": " << reply.status.error_message();
    EXPECT_EQ(reply.sequence, head) << reply.method;
  }

  frozen.Thaw();
  EXPECT_TRUE(AwaitHealth(timeline.address(), kTimelineService,
                          HealthCheckResponse::SERVING, Patience()))
      << "not SERVING again after the catalog resumed";
  EXPECT_TRUE(ExitedZero(catalog.process->Kill(SIGTERM)));
}

}  // namespace
}  // namespace annals::testing
