// SIGTERM and SIGINT stop the real service processes in order: no new
// calls, calls in flight finish, the catalog's database is closed with
// everything acknowledged in it, and the process exits 0.
#include <signal.h>

#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/ops/lifecycle/service_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace annals::testing {
namespace {

using ::grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;

catalog::v1::ImportRecordsRequest EventBatch(const std::string& id) {
  catalog::v1::ImportRecordsRequest batch;
  catalog::v1::Entity* entity = batch.add_records()->mutable_entity();
  entity->set_name("entities/" + id);
  entity->set_kind("event");
  entity->set_label("Event " + id);
  return batch;
}

// Polls with new connections until a call to `address` is refused, or
// `timeout`; returns the code of the last attempt.
grpc::StatusCode AwaitRefusal(const std::string& address,
                              absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  grpc::StatusCode code = grpc::StatusCode::OK;
  while (absl::Now() < deadline) {
    auto stub = CatalogStub(address);
    catalog::v1::GetEntityRequest request;
    request.set_name("first");
    catalog::v1::Entity entity;
    grpc::ClientContext context;
    SetDeadline(context, absl::Seconds(1));
    code = stub->GetEntity(&context, request, &entity).error_code();
    if (code == grpc::StatusCode::UNAVAILABLE) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return code;
}

class SignalShutdownTest : public ::testing::TestWithParam<int> {};

TEST_P(SignalShutdownTest, CatalogFinishesACallInFlightAndKeepsItsWrites) {
  const int signal = GetParam();
  TempDir dir;
  ServiceProcess catalog = StartCatalog(dir.Sub("catalog"));
  ASSERT_TRUE(catalog.ok());

  // A client-streaming import is in flight when the signal arrives; its
  // first batch is already committed.
  auto stub = CatalogStub(catalog.address());
  catalog::v1::ImportRecordsResponse response;
  grpc::ClientContext context;
  SetDeadline(context, absl::Seconds(20));
  auto import = stub->ImportRecords(&context, &response);
  ASSERT_TRUE(import->Write(EventBatch("first")));
  bool first_committed = false;
  for (int i = 0; i < 250 && !first_committed; ++i) {  // it may be in transit
    catalog::v1::GetEntityRequest get;
    get.set_name("first");
    catalog::v1::Entity first;
    grpc::ClientContext get_context;
    SetDeadline(get_context, absl::Seconds(5));
    first_committed = stub->GetEntity(&get_context, get, &first).ok();
    if (!first_committed) absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_TRUE(first_committed);

  int exit_status = -1;
  std::thread stopper(
      [&] { exit_status = catalog.process->Kill(signal); });  // waits
  EXPECT_TRUE(catalog.process->WaitForLine("signal " + std::to_string(signal)))
      << "no shutdown line";
  // New calls are refused while the import is still open...
  EXPECT_EQ(AwaitRefusal(catalog.address(), absl::Seconds(10)),
            grpc::StatusCode::UNAVAILABLE);
  // ...and the import itself goes on to the end.
  EXPECT_TRUE(import->Write(EventBatch("second")));
  import->WritesDone();
  EXPECT_OK(import->Finish());
  EXPECT_EQ(response.batches(), 2);
  EXPECT_EQ(response.entities_created(), 2);
  import.reset();
  stub.reset();  // an open connection would hold the shutdown up
  stopper.join();
  EXPECT_TRUE(ExitedZero(exit_status)) << "wait status " << exit_status;

  // Everything acknowledged is in the database after a restart.
  ServiceProcess restarted = StartCatalog(dir.Sub("catalog"));
  ASSERT_TRUE(restarted.ok());
  EXPECT_EQ(restarted.start_sequence, response.last_sequence());
  auto restarted_stub = CatalogStub(restarted.address());
  for (const char* id : {"first", "second"}) {
    catalog::v1::GetEntityRequest get;
    get.set_name(id);
    catalog::v1::Entity entity;
    grpc::ClientContext get_context;
    SetDeadline(get_context, absl::Seconds(5));
    EXPECT_OK(restarted_stub->GetEntity(&get_context, get, &entity)) << id;
  }
  restarted_stub.reset();
  EXPECT_TRUE(ExitedZero(restarted.process->Kill(SIGTERM)));
}

TEST_P(SignalShutdownTest, TimelineAnswersAWaitingCallAndExitsZero) {
  const int signal = GetParam();
  TempDir dir;
  ServiceProcess catalog =
      StartCatalog(dir.Sub("catalog"), "127.0.0.1:0", absl::Seconds(1));
  ASSERT_TRUE(catalog.ok());
  ServiceProcess timeline = StartTimeline(catalog.address());
  ASSERT_TRUE(timeline.ok());
  ASSERT_TRUE(AwaitHealth(timeline.address(), kTimelineService,
                          HealthCheckResponse::SERVING, absl::Seconds(20)));
  catalog::v1::Entity event;
  ASSERT_OK(CreateEvent(*CatalogStub(catalog.address()), "event", &event));

  // In flight: a call waiting for a sequence the catalog has not reached.
  auto stub = TimelineStub(timeline.address());
  grpc::Status waiting;
  absl::Duration waited;
  std::thread waiter([&] {
    timeline::v1::GetSnapshotResponse snapshot;
    const absl::Time start = absl::Now();
    waiting = Snapshot(*stub, "event", event.sequence() + 1000, &snapshot,
                       absl::Seconds(25));
    waited = absl::Now() - start;
  });
  // A later call on the same connection has been answered, so the server
  // has the waiting one.
  absl::SleepFor(absl::Milliseconds(50));
  timeline::v1::GetSnapshotResponse snapshot;
  EXPECT_OK(Snapshot(*stub, "event", event.sequence(), &snapshot));
  absl::SleepFor(absl::Milliseconds(100));

  int exit_status = -1;
  std::thread stopper([&] { exit_status = timeline.process->Kill(signal); });
  waiter.join();
  stub.reset();  // an open connection would hold the shutdown up
  stopper.join();
  EXPECT_TRUE(ExitedZero(exit_status)) << "wait status " << exit_status;
  // Answered by the stopping server, saying why, long before its own 25 s
  // deadline or the server's 10 s maximum wait.
  EXPECT_THAT(waiting, StatusIs(absl::StatusCode::kUnavailable,
                                HasSubstr("is not applied yet")));
  EXPECT_LT(waited, absl::Seconds(8));
  EXPECT_EQ(CheckHealth(timeline.address(), kTimelineService),
            HealthCheckResponse::UNKNOWN)
      << "still answering after exit";
  EXPECT_TRUE(ExitedZero(catalog.process->Kill(SIGTERM)));
}

INSTANTIATE_TEST_SUITE_P(Signals, SignalShutdownTest,
                         ::testing::Values(SIGTERM, SIGINT),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(info.param == SIGTERM ? "Sigterm"
                                                                    : "Sigint");
                         });

}  // namespace
}  // namespace annals::testing
