// The timeline and the catalog stopped, restarted and started in the wrong
// order, with the real annals-catalog and annals-timeline processes.
//
// Already covered elsewhere, and not repeated here:
//  - tests/ops/lifecycle/health_test.cc: a catalog stopped cleanly (SIGTERM)
//    while the timeline serves, GetSnapshot keeps answering, readiness goes
//    NOT_SERVING and comes back; a timeline started while a catalog with
//    history is down is NOT_SERVING until it has caught up.
//  - tests/timeline/timeline_service_test.cc: a catalog recreated from
//    nothing, in process (CatalogServer and TimelineServer objects).
//
// Added here:
//  (a) the catalog SIGKILLed in the middle of writes: every query kind
//      keeps answering from one sequence S, which holds every change up to
//      S and none after; readiness is NOT_SERVING, liveness SERVING; the
//      restarted catalog still holds S (the timeline never got ahead of
//      what the catalog kept).
//  (b) the catalog's history replaced under the timeline at the same
//      address: recreated from an empty folder, swapped for another catalog
//      with a longer history, or restored from an older copy (also one
//      written to since, past the timeline's sequence). The timeline
//      stops for good (NOT_SERVING, overall too), every query fails with
//      UNAVAILABLE carrying the reason, and no answer ever shows data of the
//      new history; a restarted timeline rebuilds from it.
//  (c) the timeline started before any catalog exists: NOT_SERVING, queries
//      UNAVAILABLE, a query waiting for a sequence is answered once the
//      catalog appears and the data arrives.
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fault/fault_testing.h"
#include "tests/ops/lifecycle/service_process.h"
#include "tests/testing/temp_dir.h"

namespace annals::testing {
namespace {

namespace cv1 = ::annals::catalog::v1;
namespace tv1 = ::annals::timeline::v1;
using ::grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;

absl::Duration Patience() { return absl::Seconds(30); }

// One answer of AskEverything.
struct Answer {
  std::string method;
  grpc::Status status;
  int64_t sequence = -1;
};

template <typename Request, typename Response, typename Call>
Answer Ask(const char* method, const Request& request, Call call,
           absl::Duration timeout) {
  Response response;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  Answer answer;
  answer.method = method;
  answer.status = call(&context, request, &response);
  if (answer.status.ok()) answer.sequence = response.sequence();
  return answer;
}

// One question of each kind about the data set, after `min_sequence`.
std::vector<Answer> AskEverything(tv1::TimelineService::Stub& stub,
                                  int64_t min_sequence,
                                  absl::Duration timeout = Patience()) {
  std::vector<Answer> answers;
  {
    tv1::GetSnapshotRequest request;
    request.set_entity("nmi");
    request.set_at("2021-06-01");
    request.set_min_sequence(min_sequence);
    answers.push_back(Ask<tv1::GetSnapshotRequest, tv1::GetSnapshotResponse>(
        "GetSnapshot", request,
        [&](auto* c, const auto& r, auto* p) {
          return stub.GetSnapshot(c, r, p);
        },
        timeout));
  }
  {
    tv1::ListHistoryRequest request;
    request.set_entity("nmi");
    request.set_predicate("commander");
    request.set_min_sequence(min_sequence);
    answers.push_back(Ask<tv1::ListHistoryRequest, tv1::ListHistoryResponse>(
        "ListHistory", request,
        [&](auto* c, const auto& r, auto* p) {
          return stub.ListHistory(c, r, p);
        },
        timeout));
  }
  {
    tv1::QueryWindowRequest request;
    request.set_from("2018-01-01");
    request.set_to("2022-01-01");
    request.set_kind("mission");
    request.set_min_sequence(min_sequence);
    answers.push_back(Ask<tv1::QueryWindowRequest, tv1::QueryWindowResponse>(
        "QueryWindow", request,
        [&](auto* c, const auto& r, auto* p) {
          return stub.QueryWindow(c, r, p);
        },
        timeout));
  }
  {
    tv1::RelateRequest request;
    request.mutable_a()->set_lifespan("nmi");
    request.mutable_b()->set_statement("nmi-commander-per-olsen");
    request.set_min_sequence(min_sequence);
    answers.push_back(Ask<tv1::RelateRequest, tv1::RelateResponse>(
        "Relate", request,
        [&](auto* c, const auto& r, auto* p) { return stub.Relate(c, r, p); },
        timeout));
  }
  {
    tv1::FindGapsRequest request;
    request.set_subject("nmi");
    request.set_predicate("commander");
    request.set_from("2018-01-01");
    request.set_to("2025-01-01");
    request.set_min_sequence(min_sequence);
    answers.push_back(Ask<tv1::FindGapsRequest, tv1::FindGapsResponse>(
        "FindGaps", request,
        [&](auto* c, const auto& r, auto* p) { return stub.FindGaps(c, r, p); },
        timeout));
  }
  {
    tv1::CountActiveRequest request;
    request.set_bucket(tv1::BUCKET_YEAR);
    request.set_from("2015-01-01");
    request.set_to("2025-01-01");
    request.set_kind("mission");
    request.set_min_sequence(min_sequence);
    answers.push_back(Ask<tv1::CountActiveRequest, tv1::CountActiveResponse>(
        "CountActive", request,
        [&](auto* c, const auto& r, auto* p) {
          return stub.CountActive(c, r, p);
        },
        timeout));
  }
  return answers;
}

// The timeline's snapshot of entity `id` (min_sequence 0).
grpc::Status SnapshotOf(tv1::TimelineService::Stub& stub, const std::string& id,
                        tv1::GetSnapshotResponse* response) {
  tv1::GetSnapshotRequest request;
  request.set_entity(id);
  request.set_at("2025-03-12");
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + Patience()));
  return stub.GetSnapshot(&context, request, response);
}

std::unique_ptr<tv1::TimelineService::Stub> FreshTimelineStub(
    const std::string& address) {
  return tv1::TimelineService::NewStub(FreshChannel(address));
}

// (a) ------------------------------------------------------------------------

TEST(OrderTest,
     CatalogKilledMidWritesLeavesTheTimelineAnsweringFromOneSequence) {
  TempDir dir;
  ServiceProcess catalog =
      StartCatalog(dir.Sub("catalog"), "127.0.0.1:0", absl::Seconds(1));
  ASSERT_TRUE(catalog.ok());
  std::string error;
  const int64_t imported =
      ImportNmi(*FreshCatalogStub(catalog.address()), &error);
  ASSERT_GT(imported, 0) << error;
  ServiceProcess timeline = StartTimeline(catalog.address());
  ASSERT_TRUE(timeline.ok());
  ASSERT_TRUE(AwaitHealth(timeline.address(), kTimelineService,
                          HealthCheckResponse::SERVING, Patience()));
  auto stub = FreshTimelineStub(timeline.address());

  // Two writers create events until the catalog dies under them.
  absl::Mutex mu;
  std::map<std::string, int64_t> acknowledged;  // id -> sequence
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&, w] {
      auto catalog_stub = FreshCatalogStub(catalog.address());
      for (int i = 0;; ++i) {
        const std::string id = absl::StrCat("ev", w, "-", i);
        cv1::Entity created;
        if (!CreateEvent(*catalog_stub, id, &created).ok()) return;
        absl::MutexLock lock(&mu);
        acknowledged[id] = created.sequence();
      }
    });
  }
  {
    absl::MutexLock lock(&mu);
    auto enough = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu) {
      return acknowledged.size() >= 200;
    };
    mu.AwaitWithTimeout(absl::Condition(&enough), Patience());
  }
  catalog.process->Kill(SIGKILL);
  for (std::thread& writer : writers) writer.join();
  ASSERT_GE(acknowledged.size(), 200u);

  // Every kind of query answers, all from the same sequence S.
  std::vector<Answer> answers = AskEverything(*stub, 0);
  const int64_t reflected = answers[0].sequence;
  ASSERT_GE(reflected, imported);
  for (const Answer& answer : answers) {
    EXPECT_TRUE(answer.status.ok())
        << answer.method << ": " << answer.status.error_message();
    EXPECT_EQ(answer.sequence, reflected) << answer.method;
  }
  // S holds every change up to S and none after it.
  int visible = 0;
  for (const auto& [id, sequence] : acknowledged) {
    tv1::GetSnapshotResponse snapshot;
    grpc::Status status = SnapshotOf(*stub, id, &snapshot);
    if (sequence <= reflected) {
      EXPECT_TRUE(status.ok()) << id << " at " << sequence << " missing from "
                               << reflected << ": " << status.error_message();
      EXPECT_EQ(snapshot.sequence(), reflected);
      ++visible;
    } else {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND)
          << id << " at " << sequence << " visible from " << reflected;
    }
  }
  EXPECT_GT(visible, 0);
  // Not ready, but alive.
  EXPECT_TRUE(AwaitHealth(timeline.address(), kTimelineService,
                          HealthCheckResponse::NOT_SERVING, Patience()));
  EXPECT_EQ(CheckHealth(timeline.address(), ""), HealthCheckResponse::SERVING);
  // A later sequence cannot be had; the answer says which one it has.
  {
    tv1::GetSnapshotRequest request;
    request.set_entity("nmi");
    request.set_at("2021-06-01");
    request.set_min_sequence(reflected + 1);
    tv1::GetSnapshotResponse snapshot;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
    grpc::Status status = stub->GetSnapshot(&context, request, &snapshot);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_THAT(status.error_message(), HasSubstr(absl::StrCat(reflected)));
  }
  // Nothing moves while the catalog is away.
  for (const Answer& answer : AskEverything(*stub, 0)) {
    EXPECT_EQ(answer.sequence, reflected) << answer.method;
  }

  // The catalog comes back where it was: it kept at least what the timeline
  // reflects, and every acknowledged write; the timeline catches up.
  ServiceProcess restarted =
      StartCatalog(dir.Sub("catalog"), catalog.address(), absl::Seconds(1));
  ASSERT_TRUE(restarted.ok()) << "port " << catalog.port << " was taken";
  EXPECT_GE(restarted.start_sequence, reflected);
  cv1::Entity after;
  ASSERT_TRUE(
      CreateEvent(*FreshCatalogStub(restarted.address()), "after", &after)
          .ok());
  for (const Answer& answer : AskEverything(*stub, after.sequence())) {
    EXPECT_TRUE(answer.status.ok())
        << answer.method << ": " << answer.status.error_message();
    EXPECT_GE(answer.sequence, after.sequence()) << answer.method;
  }
  for (const auto& [id, sequence] : acknowledged) {
    tv1::GetSnapshotResponse snapshot;
    EXPECT_TRUE(SnapshotOf(*stub, id, &snapshot).ok()) << id;
  }
  EXPECT_TRUE(AwaitHealth(timeline.address(), kTimelineService,
                          HealthCheckResponse::SERVING, Patience()));
  stub.reset();
  EXPECT_TRUE(ExitedZero(timeline.process->Kill(SIGTERM)));
  EXPECT_TRUE(ExitedZero(restarted.process->Kill(SIGTERM)));
}

// (b) ------------------------------------------------------------------------

// A catalog with data/nmi and a timeline that has applied all of it.
struct FollowedCatalog {
  TempDir dir;
  ServiceProcess catalog;
  ServiceProcess timeline;
  int64_t head = 0;
  std::string catalog_id;
};

void StartFollowedCatalog(FollowedCatalog* world) {
  world->catalog =
      StartCatalog(world->dir.Sub("catalog"), "127.0.0.1:0", absl::Seconds(1));
  ASSERT_TRUE(world->catalog.ok());
  std::string error;
  auto stub = FreshCatalogStub(world->catalog.address());
  world->head = ImportNmi(*stub, &error);
  ASSERT_GT(world->head, 0) << error;
  world->catalog_id = ReadWholeFeed(*stub).catalog_id;
  world->timeline = StartTimeline(world->catalog.address());
  ASSERT_TRUE(world->timeline.ok());
  for (const Answer& answer : AskEverything(
           *FreshTimelineStub(world->timeline.address()), world->head)) {
    ASSERT_TRUE(answer.status.ok())
        << answer.method << ": " << answer.status.error_code() << " "
        << answer.status.error_message();
  }
}

// The catalog at world->catalog's address now has another history, in which
// `new_id` exists and the old one's data does not all exist. Checks that the
// timeline refuses it with `reason`, and that a new timeline follows it.
void ExpectRefusesTheNewHistory(FollowedCatalog* world,
                                const std::string& new_id,
                                const std::string& reason) {
  const std::string& address = world->timeline.address();
  auto stub = FreshTimelineStub(address);
  // Until the timeline has stopped (overall NOT_SERVING, which a mere
  // outage never causes), whatever it answers is the old history.
  const absl::Time deadline = absl::Now() + Patience();
  int answers_while_switching = 0;
  while (CheckHealth(address, "") != HealthCheckResponse::NOT_SERVING) {
    ASSERT_LT(absl::Now(), deadline) << "the timeline did not stop";
    tv1::GetSnapshotResponse snapshot;
    grpc::Status status = SnapshotOf(*stub, new_id, &snapshot);
    EXPECT_NE(status.error_code(), grpc::StatusCode::OK)
        << "served " << new_id << " of the new history";
    for (const Answer& answer : AskEverything(*stub, 0)) {
      if (answer.status.ok()) {
        EXPECT_EQ(answer.sequence, world->head) << answer.method;
        ++answers_while_switching;
      }
    }
  }
  EXPECT_EQ(CheckHealth(address, kTimelineService),
            HealthCheckResponse::NOT_SERVING);
  // Every query now fails with the reason, even those about data both
  // histories have, and those waiting for a sequence.
  for (int64_t min_sequence : {int64_t{0}, world->head + 1000}) {
    for (const Answer& answer : AskEverything(*stub, min_sequence)) {
      EXPECT_EQ(answer.status.error_code(), grpc::StatusCode::UNAVAILABLE)
          << answer.method;
      EXPECT_THAT(answer.status.error_message(), HasSubstr(reason))
          << answer.method;
    }
  }
  tv1::GetSnapshotResponse snapshot;
  grpc::Status status = SnapshotOf(*stub, new_id, &snapshot);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), HasSubstr(reason));
  // It stays stopped.
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(CheckHealth(address, ""), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(SnapshotOf(*stub, "nmi", &snapshot).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  std::printf(
      "[order] refused the new history (\"%s\"); %d answers from the "
      "old one while switching\n",
      reason.c_str(), answers_while_switching);

  // Restarting the timeline is the documented way to follow the new one.
  ServiceProcess rebuilt = StartTimeline(world->catalog.address());
  ASSERT_TRUE(rebuilt.ok());
  ASSERT_TRUE(AwaitHealth(rebuilt.address(), kTimelineService,
                          HealthCheckResponse::SERVING, Patience()));
  EXPECT_TRUE(
      SnapshotOf(*FreshTimelineStub(rebuilt.address()), new_id, &snapshot)
          .ok());
}

TEST(OrderTest, CatalogRecreatedEmptyAtTheSameAddressIsRefused) {
  FollowedCatalog world;
  ASSERT_NO_FATAL_FAILURE(StartFollowedCatalog(&world));
  const std::string address = world.catalog.address();
  world.catalog.process->Kill(SIGKILL);
  // The mistake: the same address, an empty folder.
  world.catalog =
      StartCatalog(world.dir.Sub("empty"), address, absl::Seconds(1));
  ASSERT_TRUE(world.catalog.ok()) << "port " << address << " was taken";
  ASSERT_EQ(world.catalog.start_sequence, 0);
  std::string error;
  // More changes than the old history had, once the timeline has seen it.
  ASSERT_GT(ImportEvents(*FreshCatalogStub(address), "only-in-new",
                         static_cast<int>(world.head) + 10, &error),
            world.head)
      << error;
  ASSERT_NO_FATAL_FAILURE(
      ExpectRefusesTheNewHistory(&world, "only-in-new-0", "catalog_id"));
}

TEST(OrderTest, AnotherCatalogWithALongerHistoryAtTheSameAddressIsRefused) {
  FollowedCatalog world;
  ASSERT_NO_FATAL_FAILURE(StartFollowedCatalog(&world));
  // Another catalog, prepared elsewhere, with more changes than the first:
  // its head does not go backwards, only its identity differs.
  std::string error;
  {
    ServiceProcess other = StartCatalog(world.dir.Sub("other"));
    ASSERT_TRUE(other.ok());
    ASSERT_GT(ImportEvents(*FreshCatalogStub(other.address()), "only-in-new",
                           static_cast<int>(world.head) + 50, &error),
              world.head)
        << error;
    ASSERT_TRUE(ExitedZero(other.process->Kill(SIGTERM)));
  }
  const std::string address = world.catalog.address();
  world.catalog.process->Kill(SIGKILL);
  world.catalog =
      StartCatalog(world.dir.Sub("other"), address, absl::Seconds(1));
  ASSERT_TRUE(world.catalog.ok()) << "port " << address << " was taken";
  ASSERT_GT(world.catalog.start_sequence, world.head);
  ASSERT_NO_FATAL_FAILURE(
      ExpectRefusesTheNewHistory(&world, "only-in-new-0", "catalog_id"));
}

// Stops the followed catalog, copies its folder to "backup", restarts it
// on the same address and writes five more events ("lost-*"), which the
// timeline applies. `backup_head` is the head of the copy.
void BackUpThenWriteMore(FollowedCatalog* world, int64_t* backup_head) {
  const std::string address = world->catalog.address();
  ASSERT_TRUE(ExitedZero(world->catalog.process->Kill(SIGTERM)));
  std::filesystem::copy(world->dir.Sub("catalog"), world->dir.Sub("backup"),
                        std::filesystem::copy_options::recursive);
  *backup_head = world->head;
  world->catalog =
      StartCatalog(world->dir.Sub("catalog"), address, absl::Seconds(1));
  ASSERT_TRUE(world->catalog.ok()) << "port " << address << " was taken";
  std::string error;
  world->head = ImportEvents(*FreshCatalogStub(address), "lost", 5, &error);
  ASSERT_EQ(world->head, *backup_head + 5) << error;
  for (const Answer& answer : AskEverything(
           *FreshTimelineStub(world->timeline.address()), world->head)) {
    ASSERT_TRUE(answer.status.ok())
        << answer.method << ": " << answer.status.error_code() << " "
        << answer.status.error_message();
  }
}

TEST(OrderTest, CatalogRestoredFromAnOlderCopyIsRefused) {
  FollowedCatalog world;
  ASSERT_NO_FATAL_FAILURE(StartFollowedCatalog(&world));
  const std::string address = world.catalog.address();
  int64_t backup_head = 0;
  ASSERT_NO_FATAL_FAILURE(BackUpThenWriteMore(&world, &backup_head));
  // The catalog is restored from the copy: same identity, shorter
  // history.
  ASSERT_TRUE(ExitedZero(world.catalog.process->Kill(SIGTERM)));
  world.catalog =
      StartCatalog(world.dir.Sub("backup"), address, absl::Seconds(1));
  ASSERT_TRUE(world.catalog.ok()) << "port " << address << " was taken";
  ASSERT_EQ(world.catalog.start_sequence, backup_head);
  ASSERT_EQ(ReadWholeFeed(*FreshCatalogStub(address)).catalog_id,
            world.catalog_id);
  // The restored catalog's own next change takes a sequence the timeline
  // already holds another change at. (Written once the timeline has
  // stopped; the next test writes first.)
  {
    const absl::Time deadline = absl::Now() + Patience();
    while (CheckHealth(world.timeline.address(), "") !=
               HealthCheckResponse::NOT_SERVING &&
           absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(20));
    }
  }
  cv1::Entity restored;
  ASSERT_TRUE(
      CreateEvent(*FreshCatalogStub(address), "after-restore", &restored).ok());
  ASSERT_EQ(restored.sequence(), backup_head + 1);
  ASSERT_NO_FATAL_FAILURE(
      ExpectRefusesTheNewHistory(&world, "after-restore", "head_sequence"));
}

TEST(OrderTest, CatalogRestoredFromAnOlderCopyThatCaughtUpIsRefused) {
  FollowedCatalog world;
  ASSERT_NO_FATAL_FAILURE(StartFollowedCatalog(&world));
  const std::string address = world.catalog.address();
  int64_t backup_head = 0;
  ASSERT_NO_FATAL_FAILURE(BackUpThenWriteMore(&world, &backup_head));
  ASSERT_TRUE(ExitedZero(world.catalog.process->Kill(SIGTERM)));
  // The restored copy takes other writes (elsewhere, before the timeline
  // can see it) until its head is past the timeline's: neither the id nor
  // the head gives it away.
  {
    ServiceProcess side = StartCatalog(world.dir.Sub("backup"));
    ASSERT_TRUE(side.ok());
    std::string error;
    ASSERT_EQ(
        ImportEvents(*FreshCatalogStub(side.address()), "restored", 6, &error),
        backup_head + 6)
        << error;
    ASSERT_TRUE(ExitedZero(side.process->Kill(SIGTERM)));
  }
  world.catalog =
      StartCatalog(world.dir.Sub("backup"), address, absl::Seconds(1));
  ASSERT_TRUE(world.catalog.ok()) << "port " << address << " was taken";
  ASSERT_GT(world.catalog.start_sequence, world.head);
  ASSERT_EQ(ReadWholeFeed(*FreshCatalogStub(address)).catalog_id,
            world.catalog_id);
  ASSERT_NO_FATAL_FAILURE(ExpectRefusesTheNewHistory(
      &world, "restored-5", "is not the one this timeline applied"));
}

// (c) ------------------------------------------------------------------------

TEST(OrderTest, TimelineStartedBeforeAnyCatalogServesOnceTheDataArrives) {
  TempDir dir;
  // A free port for the catalog-to-be (a catalog that never served data).
  std::string address;
  {
    ServiceProcess probe = StartCatalog(dir.Sub("probe"));
    ASSERT_TRUE(probe.ok());
    address = probe.address();
    ASSERT_TRUE(ExitedZero(probe.process->Kill(SIGTERM)));
  }
  ServiceProcess timeline = StartTimeline(address);
  ASSERT_TRUE(timeline.ok());
  auto stub = FreshTimelineStub(timeline.address());
  EXPECT_EQ(CheckHealth(timeline.address(), kTimelineService),
            HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(CheckHealth(timeline.address(), ""),
            HealthCheckResponse::NOT_SERVING);
  // Not caught up: a question about the data is refused, not answered as
  // if the catalog were empty (tests/fault/catchup_test.cc has every kind)...
  tv1::GetSnapshotResponse snapshot;
  EXPECT_EQ(SnapshotOf(*stub, "nmi", &snapshot).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // ...and one that waits for the data set's last sequence waits through
  // the catalog's absence.
  int64_t expected_head = 0;
  for (const cv1::ImportRecordsRequest& batch : LoadNmiData(ANNALS_DATA_DIR)) {
    expected_head += batch.records_size();
  }
  std::vector<Answer> waited;
  std::thread waiter([&] {
    waited = AskEverything(*FreshTimelineStub(timeline.address()),
                           expected_head, absl::Seconds(60));
  });
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(CheckHealth(timeline.address(), kTimelineService),
            HealthCheckResponse::NOT_SERVING)
      << "serving with no catalog";

  ServiceProcess catalog =
      StartCatalog(dir.Sub("catalog"), address, absl::Seconds(1));
  ASSERT_TRUE(catalog.ok()) << "port " << address << " was taken";
  // Caught up with the (empty) catalog: serving.
  EXPECT_TRUE(AwaitHealth(timeline.address(), kTimelineService,
                          HealthCheckResponse::SERVING, Patience()));
  EXPECT_EQ(CheckHealth(timeline.address(), ""), HealthCheckResponse::SERVING);
  std::string error;
  ASSERT_EQ(ImportNmi(*FreshCatalogStub(address), &error), expected_head)
      << error;
  waiter.join();
  ASSERT_EQ(waited.size(), 6u);
  for (const Answer& answer : waited) {
    EXPECT_TRUE(answer.status.ok())
        << answer.method << ": " << answer.status.error_message();
    EXPECT_GE(answer.sequence, expected_head) << answer.method;
  }
  {
    tv1::ListHistoryRequest request;
    request.set_entity("nmi");
    request.set_predicate("commander");
    tv1::ListHistoryResponse history;
    grpc::ClientContext context;  // holds the connection while it lives
    context.set_deadline(absl::ToChronoTime(absl::Now() + Patience()));
    ASSERT_TRUE(stub->ListHistory(&context, request, &history).ok());
    EXPECT_EQ(history.entries_size(), 7);
  }
  stub.reset();
  EXPECT_TRUE(ExitedZero(timeline.process->Kill(SIGTERM)));
  EXPECT_TRUE(ExitedZero(catalog.process->Kill(SIGTERM)));
}

}  // namespace
}  // namespace annals::testing
