// `annals import` against a real annals-catalog that is SIGKILLed in the
// middle of an import (issue 12, item 9): a call that broke without an
// answer has an unknown outcome, never "rejected". The tool sends the same
// batches again with the same request ids, so what the dead catalog had
// committed is counted once, as created, and nothing is applied twice; what
// cannot be settled is reported as unknown, with its own exit status.
#include <signal.h>

#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/cli/cli.h"
#include "clients/cli/import_command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fault/fault_testing.h"
#include "tests/ops/lifecycle/service_process.h"
#include "tests/testing/temp_dir.h"

namespace annals::testing {
namespace {

namespace cv1 = ::annals::catalog::v1;
using ::testing::HasSubstr;
using ::testing::Not;

// 20 batches of 1,000: long enough that the catalog dies mid-import.
constexpr int kRecords = 20000;
// The catalog is killed once this many changes are in its feed.
constexpr int64_t kKillAfterChanges = 3000;

struct CliRun {
  int status = -1;
  std::string out;
  std::string err;
};

// `annals ARGS...` in process, as a user's shell would run it.
CliRun Annals(const std::vector<std::string>& argv) {
  std::ostringstream out, err;
  cli::Environment environment;
  CliRun run;
  run.status = cli::Run(argv, out, err, environment);
  run.out = out.str();
  run.err = err.str();
  return run;
}

std::string WriteRecords(const TempDir& dir) {
  const std::string path = dir.Sub("artifacts.jsonl");
  std::ofstream file(path);
  for (int i = 0; i < kRecords; ++i) {
    file << R"({"entity": {"name": "entities/io-)" << i
         << R"(", "kind": "artifact", "label": "Artifact )" << i
         << R"(", "lifespan": {"edtf": "1900/2000"}}})"
         << "\n";
  }
  return path;
}

// Blocks until the feed at `address` holds at least `changes` changes, or
// the deadline passes; true if it does.
bool WaitForChanges(const std::string& address, int64_t changes) {
  auto stub = FreshCatalogStub(address);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  cv1::WatchChangesRequest request;
  auto reader = stub->WatchChanges(&context, request);
  cv1::WatchChangesResponse message;
  int64_t seen = 0;
  while (seen < changes && reader->Read(&message)) {
    seen += message.changes_size();
  }
  context.TryCancel();
  while (reader->Read(&message)) {
  }
  reader->Finish().IgnoreError();
  return seen >= changes;
}

class ImportOutcomeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_ = StartCatalog(dir_.Sub("catalog"));
    ASSERT_TRUE(catalog_.ok());
    address_ = catalog_.address();
    path_ = WriteRecords(dir_);
  }

  std::vector<std::string> ImportArgs(int retry_seconds) const {
    return {"--catalog=" + address_, "import",
            absl::StrCat("--retry-for=", retry_seconds), path_};
  }

  // Starts the import in a thread and SIGKILLs the catalog once it has
  // committed kKillAfterChanges changes. Returns the thread.
  std::thread ImportAndKill(int retry_seconds, CliRun& run) {
    std::thread import([this, retry_seconds, &run] {
      run = Annals(ImportArgs(retry_seconds));
    });
    EXPECT_TRUE(WaitForChanges(catalog_.address(), kKillAfterChanges));
    catalog_.process->Kill(SIGKILL);
    return import;
  }

  TempDir dir_;
  ServiceProcess catalog_;
  // The catalog's address, kept across restarts.
  std::string address_;
  std::string path_;
};

TEST_F(ImportOutcomeTest,
       ImportCutByACatalogCrashIsRetriedWithItsRequestIdsAndCountedOnce) {
  CliRun run;
  std::thread import = ImportAndKill(/*retry_seconds=*/120, run);
  // Longer than the client library's own retries, so that the tool's
  // resolution is what settles the outcome.
  absl::SleepFor(absl::Seconds(3));
  catalog_ = StartCatalog(dir_.Sub("catalog"), address_);
  ASSERT_TRUE(catalog_.ok()) << "restart on " << address_;
  // The crash came mid-import: the restarted catalog holds part of it.
  EXPECT_GT(catalog_.start_sequence, 0);
  EXPECT_LT(catalog_.start_sequence, kRecords);
  import.join();

  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("no answer from the catalog"));
  EXPECT_THAT(run.err, HasSubstr("same request ids"));
  EXPECT_THAT(run.err, Not(HasSubstr("rejected")));
  // Every record created exactly once: the batches the first catalog had
  // committed answered from their records (a retry with new request ids
  // would have counted them as unchanged).
  EXPECT_THAT(run.out, HasSubstr(absl::StrCat("imported 1 of 1 files, ",
                                              kRecords, " records: ", kRecords,
                                              " entities created, 0 updated")));
  EXPECT_THAT(run.out, HasSubstr("; 0 unchanged; 0 files rejected, 0 "
                                 "committed in part, 0 with unknown outcome"));

  auto stub = FreshCatalogStub(catalog_.address());
  FeedRead feed = ReadWholeFeed(*stub, absl::Seconds(60));
  ASSERT_TRUE(feed.problem.empty()) << feed.problem;
  EXPECT_EQ(feed.head, kRecords);
  EXPECT_EQ(static_cast<int64_t>(feed.changes.size()), kRecords);
  EXPECT_TRUE(ExitedZero(catalog_.process->Kill(SIGTERM)));
}

TEST_F(ImportOutcomeTest,
       ImportWhoseCatalogStaysDownIsReportedUnknownNeverRejected) {
  CliRun run;
  std::thread import = ImportAndKill(/*retry_seconds=*/2, run);
  import.join();

  EXPECT_EQ(run.status, cli::kExitOutcomeUnknown) << run.out << run.err;
  EXPECT_THAT(run.err, HasSubstr("outcome unknown for " + path_));
  EXPECT_THAT(run.err, Not(HasSubstr("rejected")));
  EXPECT_THAT(run.out, HasSubstr("imported 0 of 1 files, 0 records"));
  EXPECT_THAT(run.out, HasSubstr("0 files rejected, 0 committed in part, 1 "
                                 "with unknown outcome"));

  // It was indeed committed in part: "rejected" would have been a lie.
  catalog_ = StartCatalog(dir_.Sub("catalog"), address_);
  ASSERT_TRUE(catalog_.ok());
  const int64_t committed = catalog_.start_sequence;
  EXPECT_GT(committed, 0);
  EXPECT_LT(committed, kRecords);

  // Running the same command again settles it: the rest is created, what
  // was committed is found unchanged.
  CliRun again = Annals(ImportArgs(/*retry_seconds=*/60));
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_THAT(again.out,
              HasSubstr(absl::StrCat(kRecords - committed,
                                     " entities created, 0 updated")));
  EXPECT_THAT(again.out,
              HasSubstr(absl::StrCat("; ", committed, " unchanged")));
  auto stub = FreshCatalogStub(catalog_.address());
  FeedRead feed = ReadWholeFeed(*stub, absl::Seconds(60));
  ASSERT_TRUE(feed.problem.empty()) << feed.problem;
  EXPECT_EQ(feed.head, kRecords);
  EXPECT_TRUE(ExitedZero(catalog_.process->Kill(SIGTERM)));
}

}  // namespace
}  // namespace annals::testing
