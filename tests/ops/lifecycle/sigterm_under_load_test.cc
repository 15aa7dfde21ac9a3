// No acknowledged write is lost when the real annals-catalog is stopped with
// SIGTERM in the middle of a write load, and the change feed stays gap-free.
// (tests/catalog/durability_test.cc does the same for SIGKILL.)
#include <signal.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "tests/ops/lifecycle/service_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace annals::testing {
namespace {

constexpr int kWriters = 4;
constexpr int kAcknowledgedBeforeSignal = 200;

TEST(SigtermUnderLoadTest, NoAcknowledgedWriteIsLostAndTheFeedIsGapFree) {
  TempDir dir;
  ServiceProcess catalog = StartCatalog(dir.Sub("catalog"));
  ASSERT_TRUE(catalog.ok());

  // Each writer writes until its first failure; only acknowledged writes
  // are recorded, with the sequence the catalog gave them.
  absl::Mutex mu;
  std::map<std::string, int64_t> acknowledged;  // name -> sequence
  std::map<std::string, int> failures;          // "CODE: message" -> count
  std::atomic<bool> give_up{false};             // safety net only
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto stub = CatalogStub(catalog.address());
      for (int i = 0; i < 100000 && !give_up.load(); ++i) {
        catalog::v1::Entity created;
        grpc::Status status =
            CreateEvent(*stub, absl::StrCat("w", w, "-", i), &created);
        absl::MutexLock lock(&mu);
        if (!status.ok()) {
          ++failures[absl::StrCat(status.error_code(), ": ",
                                  status.error_message())];
          return;
        }
        acknowledged[created.name()] = created.sequence();
      }
    });
  }
  std::string trouble;
  {
    absl::MutexLock lock(&mu);
    auto enough = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu) {
      return acknowledged.size() >= kAcknowledgedBeforeSignal ||
             !failures.empty();
    };
    mu.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(20));
    if (!failures.empty()) {
      trouble = "a write failed before the signal: " + failures.begin()->first;
    } else if (acknowledged.size() < kAcknowledgedBeforeSignal) {
      trouble = absl::StrCat("only ", acknowledged.size(),
                             " writes acknowledged in 20 s");
    }
  }
  // Mid-load: every writer is still writing.
  const int exit_status =
      catalog.process->Kill(trouble.empty() ? SIGTERM : SIGKILL);
  give_up = true;
  for (std::thread& writer : writers) writer.join();
  ASSERT_EQ(trouble, "");
  EXPECT_TRUE(ExitedZero(exit_status)) << "wait status " << exit_status;
  // Writes the stopping catalog did not take were refused: UNAVAILABLE (14)
  // once it stopped listening, or CANCELLED (1) for calls gRPC had received
  // but not yet started when the shutdown began. Nothing timed out or broke.
  for (const auto& [failure, count] : failures) {
    EXPECT_TRUE(failure.rfind("14: ", 0) == 0 || failure.rfind("1: ", 0) == 0)
        << count << " x " << failure;
  }

  ServiceProcess restarted = StartCatalog(dir.Sub("catalog"));
  ASSERT_TRUE(restarted.ok());
  int64_t last_acknowledged = 0;
  for (const auto& [name, sequence] : acknowledged) {
    last_acknowledged = std::max(last_acknowledged, sequence);
  }
  EXPECT_GE(restarted.start_sequence, last_acknowledged);

  // Every acknowledged write is there, at the sequence it was given.
  auto stub = CatalogStub(restarted.address());
  for (const auto& [name, sequence] : acknowledged) {
    catalog::v1::GetEntityRequest request;
    request.set_name(name);
    catalog::v1::Entity entity;
    grpc::ClientContext context;
    SetDeadline(context, absl::Seconds(5));
    ASSERT_OK(stub->GetEntity(&context, request, &entity)) << name;
    EXPECT_EQ(entity.sequence(), sequence) << name;
  }

  // The feed holds exactly one change per sequence, 1 to the head, and each
  // acknowledged write at its sequence.
  grpc::ClientContext context;
  SetDeadline(context, absl::Seconds(20));
  catalog::v1::WatchChangesRequest request;
  auto feed = stub->WatchChanges(&context, request);
  catalog::v1::WatchChangesResponse message;
  ASSERT_TRUE(feed->Read(&message));
  const int64_t head = message.head_sequence();
  EXPECT_EQ(head, restarted.start_sequence);
  std::map<int64_t, std::string> by_sequence;
  int64_t expected = 1;
  while (expected <= head && feed->Read(&message)) {
    for (const catalog::v1::Change& change : message.changes()) {
      ASSERT_EQ(change.sequence(), expected) << "gap or repeat in the feed";
      by_sequence[change.sequence()] = change.entity().name();
      ++expected;
    }
  }
  EXPECT_EQ(expected, head + 1);
  context.TryCancel();
  feed->Finish().IgnoreError();
  for (const auto& [name, sequence] : acknowledged) {
    EXPECT_EQ(by_sequence[sequence], name);
  }
  feed.reset();
  stub.reset();  // an open connection would hold the shutdown up
  EXPECT_TRUE(ExitedZero(restarted.process->Kill(SIGTERM)));
}

}  // namespace
}  // namespace annals::testing
