// The timeline's health follows its catch-up with the catalog, across a
// catalog outage, with real annals-catalog and annals-timeline processes.
//
// server.h's contract: NOT_SERVING until the initial catch-up is done, then
// SERVING; the service name NOT_SERVING while the catalog is unreachable
// (the overall status stays SERVING; answers carry the
// sequence they reflect).
#include <signal.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/ops/lifecycle/service_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace annals::testing {
namespace {

using ::grpc::health::v1::HealthCheckResponse;

// Imports `count` events in batches of 500; returns the last sequence.
int64_t ImportEvents(catalog::v1::CatalogService::Stub& stub, int count) {
  catalog::v1::ImportRecordsResponse response;
  grpc::ClientContext context;
  SetDeadline(context, absl::Seconds(20));
  auto writer = stub.ImportRecords(&context, &response);
  catalog::v1::ImportRecordsRequest batch;
  for (int i = 0; i < count; ++i) {
    catalog::v1::Entity* entity = batch.add_records()->mutable_entity();
    entity->set_name(absl::StrCat("entities/event-", i));
    entity->set_kind("event");
    entity->set_label(absl::StrCat("Event ", i));
    entity->mutable_lifespan()->set_edtf("2025-03-12");
    if (batch.records_size() == 500 || i == count - 1) {
      if (!writer->Write(batch)) break;
      batch.Clear();
    }
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  EXPECT_OK(status);
  return status.ok() ? response.last_sequence() : -1;
}

TEST(TimelineHealthTest, NotServingUntilCaughtUpWithTheCatalog) {
  TempDir dir;
  // A catalog with history, then stopped: its port is where the timeline
  // will look for it.
  ServiceProcess catalog = StartCatalog(dir.Sub("catalog"));
  ASSERT_TRUE(catalog.ok());
  int64_t head = ImportEvents(*CatalogStub(catalog.address()), 3000);
  ASSERT_EQ(head, 3000);
  ASSERT_TRUE(ExitedZero(catalog.process->Kill(SIGTERM)));

  ServiceProcess timeline = StartTimeline(catalog.address());
  ASSERT_TRUE(timeline.ok());
  // Nothing to catch up with: not serving, for the service and overall.
  EXPECT_EQ(CheckHealth(timeline.address(), kTimelineService),
            HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(CheckHealth(timeline.address(), ""),
            HealthCheckResponse::NOT_SERVING);

  ServiceProcess restarted =
      StartCatalog(dir.Sub("catalog"), catalog.address(), absl::Seconds(1));
  ASSERT_TRUE(restarted.ok()) << "port " << catalog.port << " was taken";
  ASSERT_EQ(restarted.start_sequence, head);
  ASSERT_TRUE(AwaitHealth(timeline.address(), kTimelineService,
                          HealthCheckResponse::SERVING, absl::Seconds(20)));
  // Serving means caught up: with no write since, the first answer after
  // the switch already reflects the whole history.
  timeline::v1::GetSnapshotResponse snapshot;
  ASSERT_OK(Snapshot(*TimelineStub(timeline.address()), "event-2999",
                     /*min_sequence=*/0, &snapshot));
  EXPECT_EQ(snapshot.sequence(), head);
  EXPECT_EQ(CheckHealth(timeline.address(), ""), HealthCheckResponse::SERVING);

  EXPECT_TRUE(ExitedZero(timeline.process->Kill(SIGTERM)));
  EXPECT_TRUE(ExitedZero(restarted.process->Kill(SIGTERM)));
}

TEST(TimelineHealthTest, AnswersThroughACatalogOutageAndResynchronises) {
  TempDir dir;
  // A short grace: the timeline's change-feed stream is a call in flight
  // that only ends when the catalog cancels it.
  ServiceProcess catalog =
      StartCatalog(dir.Sub("catalog"), "127.0.0.1:0", absl::Seconds(1));
  ASSERT_TRUE(catalog.ok());
  ServiceProcess timeline = StartTimeline(catalog.address());
  ASSERT_TRUE(timeline.ok());
  ASSERT_TRUE(AwaitHealth(timeline.address(), kTimelineService,
                          HealthCheckResponse::SERVING, absl::Seconds(20)));
  auto timeline_stub = TimelineStub(timeline.address());

  catalog::v1::Entity before;
  ASSERT_OK(CreateEvent(*CatalogStub(catalog.address()), "before", &before));
  timeline::v1::GetSnapshotResponse snapshot;
  ASSERT_OK(Snapshot(*timeline_stub, "before", before.sequence(), &snapshot));

  // Outage: the timeline keeps answering, from the sequence it reached.
  ASSERT_TRUE(ExitedZero(catalog.process->Kill(SIGTERM)));
  ASSERT_OK(Snapshot(*timeline_stub, "before", 0, &snapshot));
  EXPECT_EQ(snapshot.sequence(), before.sequence());
  EXPECT_EQ(snapshot.entity().name(), "entities/before");
  // ...and reports NOT_SERVING until it has resynchronised.
  EXPECT_TRUE(AwaitHealth(timeline.address(), kTimelineService,
                          HealthCheckResponse::NOT_SERVING, absl::Seconds(20)));

  // The catalog comes back on the same data and port; a new write reaches
  // the timeline once it has reconnected.
  ServiceProcess restarted =
      StartCatalog(dir.Sub("catalog"), catalog.address(), absl::Seconds(1));
  ASSERT_TRUE(restarted.ok()) << "port " << catalog.port << " was taken";
  EXPECT_EQ(restarted.start_sequence, before.sequence());
  catalog::v1::Entity after;
  ASSERT_OK(CreateEvent(*CatalogStub(restarted.address()), "after", &after));
  EXPECT_EQ(after.sequence(), before.sequence() + 1);
  ASSERT_OK(Snapshot(*timeline_stub, "after", after.sequence(), &snapshot,
                     absl::Seconds(20)));
  EXPECT_EQ(snapshot.sequence(), after.sequence());
  ASSERT_OK(Snapshot(*timeline_stub, "before", after.sequence(), &snapshot));
  EXPECT_TRUE(AwaitHealth(timeline.address(), kTimelineService,
                          HealthCheckResponse::SERVING, absl::Seconds(20)));
  EXPECT_TRUE(AwaitHealth(timeline.address(), "", HealthCheckResponse::SERVING,
                          absl::Seconds(20)));

  timeline_stub.reset();  // an open connection would hold the shutdown up
  EXPECT_TRUE(ExitedZero(timeline.process->Kill(SIGTERM)));
  EXPECT_TRUE(ExitedZero(restarted.process->Kill(SIGTERM)));
}

}  // namespace
}  // namespace annals::testing
