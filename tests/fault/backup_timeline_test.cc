// A timeline that followed a catalog, pointed at that catalog restored from
// a backup (issue 14, item 3), with the real annals-catalog and
// annals-timeline processes; the restored catalog comes back on the
// original's address, as it would behind a Service.
//
//  - the backup holds everything the timeline applied, and the change at
//    the timeline's sequence is the one it applied: it resumes, serves on,
//    and applies what is written next, with no rebuild;
//  - the timeline applied changes the backup lacks: it cannot un-apply
//    them, so it stops (NOT_SERVING, queries UNAVAILABLE naming why)
//    without mixing histories, and a restarted timeline rebuilds from the
//    restored catalog;
//  - the restored catalog was written to past the timeline's sequence
//    before the timeline came back: the change at the timeline's sequence
//    is another one, so it stops the same way.
//
// Each runs twice: with the timeline's state in memory, and in a folder
// (--data_dir), where stopping must also discard the folder so that the
// restarted timeline rebuilds instead of reloading the history it stopped
// following. One more test restarts a timeline on its folder while the
// catalog is down: it serves what it holds at once.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "annals/catalog/v1/admin_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ops/lifecycle/service_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace annals::testing {
namespace {

using ::grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;

constexpr absl::Duration kPatience = absl::Seconds(30);

// The parameter: whether the timeline keeps its state in a folder.
class TimelineAfterRestoreTest : public ::testing::TestWithParam<bool> {
 protected:
  // Starts the original catalog and a timeline following it.
  void SetUp() override {
    catalog_ = StartCatalog(dir_.Sub("original"));
    ASSERT_TRUE(catalog_.ok());
    address_ = catalog_.address();
    timeline_ = StartFollowing();
    ASSERT_TRUE(timeline_.ok());
  }

  ServiceProcess StartFollowing() {
    return StartTimeline(
        address_, GetParam()
                      ? std::vector<std::string>{"--data_dir=" + dir_.Sub("tl")}
                      : std::vector<std::string>{});
  }

  void TearDown() override {
    if (timeline_.process != nullptr) timeline_.process->Kill(SIGTERM);
    if (catalog_.process != nullptr) catalog_.process->Kill(SIGTERM);
  }

  // Creates event `id` in the catalog serving now; returns its sequence.
  int64_t Write(const std::string& id) {
    catalog::v1::Entity created;
    grpc::Status status =
        CreateEvent(*CatalogStub(catalog_.address()), id, &created);
    EXPECT_TRUE(status.ok()) << id << ": " << status.error_message();
    return created.sequence();
  }

  // Backs the serving catalog up into dir_/backups; returns its sequence.
  int64_t Backup() {
    auto admin = catalog::v1::CatalogAdminService::NewStub(Channel(address_));
    catalog::v1::CreateBackupRequest request;
    request.set_directory(dir_.Sub("backups"));
    catalog::v1::Backup backup;
    grpc::ClientContext context;
    SetDeadline(context, absl::Seconds(60));
    grpc::Status status = admin->CreateBackup(&context, request, &backup);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return backup.last_sequence();
  }

  // Stops the original and restores the backup into dir_/restored.
  void StopAndRestore() {
    EXPECT_TRUE(ExitedZero(catalog_.process->Kill(SIGTERM)));
    RunOutcome restored = RunToExit(
        {ANNALS_CATALOG_BINARY, "--restore_from=" + dir_.Sub("backups"),
         "--data_dir=" + dir_.Sub("restored")},
        60);
    ASSERT_EQ(restored.exit_code, 0) << restored.output;
  }

  // Serves the restored folder on the original's address.
  void ServeRestored() {
    catalog_ = StartCatalog(dir_.Sub("restored"), address_);
    ASSERT_TRUE(catalog_.ok()) << "the port of " << address_ << " was taken";
  }

  // The timeline's snapshot of event `id` once it applied `sequence`.
  grpc::Status SnapshotOf(const std::string& id, int64_t sequence,
                          timeline::v1::GetSnapshotResponse* snapshot) {
    return Snapshot(*TimelineStub(timeline_.address()), id, sequence, snapshot,
                    kPatience);
  }

  // Waits until the timeline stops following (NOT_SERVING overall) and
  // returns the reason a query gets.
  std::string AwaitStopped() {
    EXPECT_TRUE(AwaitHealth(timeline_.address(), "",
                            HealthCheckResponse::NOT_SERVING, kPatience));
    timeline::v1::GetSnapshotResponse snapshot;
    grpc::Status status = Snapshot(*TimelineStub(timeline_.address()),
                                   "before-backup", 0, &snapshot);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
    return status.error_message();
  }

  TempDir dir_;
  ServiceProcess catalog_;
  ServiceProcess timeline_;
  std::string address_;
};

TEST_P(TimelineAfterRestoreTest, ResumesWhenTheBackupHoldsWhatItApplied) {
  const int64_t written = Write("before-backup");
  timeline::v1::GetSnapshotResponse snapshot;
  ASSERT_TRUE(SnapshotOf("before-backup", written, &snapshot).ok());
  const int64_t backed_up = Backup();
  ASSERT_EQ(backed_up, written);
  ASSERT_NO_FATAL_FAILURE(StopAndRestore());
  ASSERT_NO_FATAL_FAILURE(ServeRestored());

  // The same timeline process applies the next change of the restored
  // catalog on top of what it had: it resumed.
  const int64_t next = Write("after-restore");
  EXPECT_EQ(next, backed_up + 1);
  grpc::Status status = SnapshotOf("after-restore", next, &snapshot);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(snapshot.sequence(), next);
  EXPECT_EQ(snapshot.entity().name(), "entities/after-restore");
  ASSERT_TRUE(SnapshotOf("before-backup", next, &snapshot).ok());
  EXPECT_TRUE(AwaitHealth(timeline_.address(), kTimelineService,
                          HealthCheckResponse::SERVING, kPatience));
}

TEST_P(TimelineAfterRestoreTest,
       StopsWhenItAppliedMoreThanTheBackupAndARestartRebuilds) {
  const int64_t backed_up = [&] {
    Write("before-backup");
    return Backup();
  }();
  const int64_t lost = Write("lost-by-the-restore");
  timeline::v1::GetSnapshotResponse snapshot;
  ASSERT_TRUE(SnapshotOf("lost-by-the-restore", lost, &snapshot).ok());
  ASSERT_NO_FATAL_FAILURE(StopAndRestore());
  ASSERT_NO_FATAL_FAILURE(ServeRestored());

  const std::string reason = AwaitStopped();
  EXPECT_THAT(reason, HasSubstr(absl::StrCat("head_sequence is ", backed_up)));
  EXPECT_THAT(reason, HasSubstr("restored from an older copy"));

  // A new timeline rebuilds from the restored catalog: what the backup
  // lacked is gone, what was written since is there.
  EXPECT_TRUE(ExitedZero(timeline_.process->Kill(SIGTERM)));
  const int64_t next = Write("after-restore");
  EXPECT_EQ(next, backed_up + 1);
  timeline_ = StartFollowing();
  ASSERT_TRUE(timeline_.ok());
  ASSERT_TRUE(SnapshotOf("after-restore", next, &snapshot).ok());
  EXPECT_EQ(snapshot.sequence(), next);
  grpc::Status gone = SnapshotOf("lost-by-the-restore", next, &snapshot);
  EXPECT_EQ(gone.error_code(), grpc::StatusCode::NOT_FOUND)
      << gone.error_message();
}

TEST_P(TimelineAfterRestoreTest,
       StopsWhenTheRestoredCatalogHasAnotherChangeAtItsSequence) {
  const int64_t backed_up = [&] {
    Write("before-backup");
    return Backup();
  }();
  const int64_t applied = Write("lost-by-the-restore");
  timeline::v1::GetSnapshotResponse snapshot;
  ASSERT_TRUE(SnapshotOf("lost-by-the-restore", applied, &snapshot).ok());
  ASSERT_NO_FATAL_FAILURE(StopAndRestore());

  // Written to on another address first, past the timeline's sequence.
  catalog_ = StartCatalog(dir_.Sub("restored"));
  ASSERT_TRUE(catalog_.ok());
  EXPECT_EQ(Write("other-1"), backed_up + 1);
  EXPECT_EQ(Write("other-2"), backed_up + 2);
  EXPECT_TRUE(ExitedZero(catalog_.process->Kill(SIGTERM)));
  ASSERT_NO_FATAL_FAILURE(ServeRestored());

  const std::string reason = AwaitStopped();
  EXPECT_THAT(reason, HasSubstr(absl::StrCat("at sequence ", applied)));
  EXPECT_THAT(reason, HasSubstr("is not the one this timeline applied"));
}

TEST_P(TimelineAfterRestoreTest,
       RestartedOnItsFolderServesWhatItHeldWhileTheCatalogIsDown) {
  if (!GetParam()) GTEST_SKIP() << "only a timeline with a folder can";
  const int64_t written = Write("before-restart");
  timeline::v1::GetSnapshotResponse snapshot;
  ASSERT_TRUE(SnapshotOf("before-restart", written, &snapshot).ok());
  timeline_.process->Kill(SIGKILL);
  EXPECT_TRUE(ExitedZero(catalog_.process->Kill(SIGTERM)));

  timeline_ = StartFollowing();
  ASSERT_TRUE(timeline_.ok());
  // Serving from its folder: the process is ready, the service is not in
  // sync with a catalog it cannot reach.
  EXPECT_TRUE(AwaitHealth(timeline_.address(), "", HealthCheckResponse::SERVING,
                          kPatience));
  EXPECT_EQ(CheckHealth(timeline_.address(), kTimelineService),
            HealthCheckResponse::NOT_SERVING);
  grpc::Status status = SnapshotOf("before-restart", written, &snapshot);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(snapshot.sequence(), written);
  EXPECT_EQ(snapshot.entity().name(), "entities/before-restart");

  // The catalog back: it resumes after what it held.
  catalog_ = StartCatalog(dir_.Sub("original"), address_);
  ASSERT_TRUE(catalog_.ok());
  EXPECT_TRUE(AwaitHealth(timeline_.address(), kTimelineService,
                          HealthCheckResponse::SERVING, kPatience));
  const int64_t next = Write("after-restart");
  EXPECT_EQ(next, written + 1);
  ASSERT_TRUE(SnapshotOf("after-restart", next, &snapshot).ok());
}

INSTANTIATE_TEST_SUITE_P(InMemoryAndInAFolder, TimelineAfterRestoreTest,
                         ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Folder" : "InMemory";
                         });

}  // namespace
}  // namespace annals::testing
