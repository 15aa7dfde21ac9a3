// Response amplification (issue 12, item 5), with the real annals-catalog
// and annals-timeline processes: a small request asking for a huge answer
// (BatchGetSnapshots with 1,000 copies of a large entity's snapshot, about
// 300 MB) fails with RESOURCE_EXHAUSTED naming --max_response_bytes, and the
// timeline's resident memory stays near where it was, however often it is
// asked; large answers within the budget, many at once, leave no lasting
// growth either. The catalog's List pages end early within the same budget.
#include <sys/types.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
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

constexpr int64_t kMiB = 1 << 20;

// Whether this build (and so the services it tests, built alike) runs under
// a sanitizer. Its allocator keeps freed memory in quarantine (256 MB by
// default for AddressSanitizer) and ignores malloc_trim(), so resident
// memory then measures the sanitizer, not Annals: the memory bounds are
// checked in the normal build only.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// VmRSS of process `pid` in bytes, or -1.
int64_t ResidentBytes(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    absl::string_view rest = line;
    if (!absl::ConsumePrefix(&rest, "VmRSS:")) continue;
    rest = absl::StripAsciiWhitespace(rest);
    absl::ConsumeSuffix(&rest, "kB");
    int64_t kib = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(rest), &kib)) {
      return kib * 1024;
    }
  }
  return -1;
}

// An entity near the largest the catalog accepts (about 280 KB): 64
// attributes of 4,000 characters and a 16 KB description.
int64_t CreateLargeEntity(const std::string& address, const std::string& id) {
  cv1::CreateEntityRequest request;
  request.set_entity_id(id);
  cv1::Entity* entity = request.mutable_entity();
  entity->set_kind("event");
  entity->set_label("Large " + id);
  entity->set_description(std::string(16 * 1024 - 1, 'd'));
  for (int i = 0; i < 64; ++i) {
    (*entity->mutable_attributes())[absl::StrCat("note_", i)] =
        std::string(4000, static_cast<char>('a' + i % 26));
  }
  entity->mutable_lifespan()->set_edtf("2025-03-12");
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  cv1::Entity created;
  grpc::Status status =
      FreshCatalogStub(address)->CreateEntity(&context, request, &created);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return status.ok() ? created.sequence() : -1;
}

tv1::BatchGetSnapshotsRequest Copies(const std::string& id, int count) {
  tv1::BatchGetSnapshotsRequest batch;
  for (int i = 0; i < count; ++i) {
    tv1::GetSnapshotRequest* lookup = batch.add_requests();
    lookup->set_entity(id);
    lookup->set_at("2025-03-12");
  }
  return batch;
}

grpc::Status Batch(tv1::TimelineService::Stub& stub,
                   const tv1::BatchGetSnapshotsRequest& batch,
                   tv1::BatchGetSnapshotsResponse* response) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  return stub.BatchGetSnapshots(&context, batch, response);
}

class ResponseBudgetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_ = StartCatalog(dir_.Sub("catalog"));
    ASSERT_TRUE(catalog_.ok());
    const int64_t sequence = CreateLargeEntity(catalog_.address(), "large");
    ASSERT_GT(sequence, 0);
    timeline_ = StartTimeline(catalog_.address());
    ASSERT_TRUE(timeline_.ok());
    ASSERT_TRUE(AwaitHealth(timeline_.address(), kTimelineService,
                            HealthCheckResponse::SERVING, absl::Seconds(30)));
    stub_ = tv1::TimelineService::NewStub(FreshChannel(timeline_.address()));
    tv1::BatchGetSnapshotsRequest one = Copies("large", 1);
    one.set_min_sequence(sequence);
    tv1::BatchGetSnapshotsResponse response;
    grpc::Status status = Batch(*stub_, one, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    snapshot_bytes_ =
        static_cast<int64_t>(response.snapshots(0).ByteSizeLong());
    ASSERT_GT(snapshot_bytes_, 250000);
  }

  TempDir dir_;
  ServiceProcess catalog_;
  ServiceProcess timeline_;
  std::unique_ptr<tv1::TimelineService::Stub> stub_;
  int64_t snapshot_bytes_ = 0;
};

TEST_F(ResponseBudgetTest, ThousandCopiesAreRefusedWithoutGrowingTheTimeline) {
  const tv1::BatchGetSnapshotsRequest batch = Copies("large", 1000);
  const int64_t answer = 1000 * snapshot_bytes_;
  const int64_t before = ResidentBytes(timeline_.process->pid());
  ASSERT_GT(before, 0);
  constexpr int kCalls = 5;
  for (int i = 0; i < kCalls; ++i) {
    tv1::BatchGetSnapshotsResponse response;
    grpc::Status status = Batch(*stub_, batch, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_THAT(status.error_message(),
                HasSubstr("the response would exceed --max_response_bytes "
                          "(4000000 bytes); ask for fewer lookups"));
    EXPECT_THAT(
        status.error_message(),
        HasSubstr(absl::StrCat("requests[", 4000000 / snapshot_bytes_, "]")));
  }
  const int64_t after = ResidentBytes(timeline_.process->pid());
  std::printf(
      "request %zu bytes, answer asked for %lld MB; timeline RSS %lld MB -> "
      "%lld MB after %d calls\n",
      batch.ByteSizeLong(), static_cast<long long>(answer / kMiB),
      static_cast<long long>(before / kMiB),
      static_cast<long long>(after / kMiB), kCalls);
  // Building the answer would take at least its size; refused, the calls
  // cost no more than what the budget lets them build, a few MB each.
  ASSERT_GT(answer, 250 * kMiB);
  if (kSanitized) {
    GTEST_SKIP() << "refusals checked; resident memory is not meaningful "
                    "under a sanitizer's allocator";
  }
  EXPECT_LT(after - before, 32 * kMiB)
      << "the timeline grew by " << (after - before) / kMiB << " MB";
}

TEST_F(ResponseBudgetTest, LargeAnswersWithinTheBudgetLeaveNoLastingGrowth) {
  if (kSanitized) {
    GTEST_SKIP() << "resident memory is not meaningful under a sanitizer's "
                    "allocator (its quarantine keeps what is freed)";
  }
  // As many copies as fit in the budget, asked by 8 callers at once, 4
  // times each: about 8 x 3.8 MB answers in flight.
  const int copies = static_cast<int>(3800000 / snapshot_bytes_);
  const tv1::BatchGetSnapshotsRequest batch = Copies("large", copies);
  const int64_t before = ResidentBytes(timeline_.process->pid());
  int64_t peak = before;
  std::vector<std::thread> callers;
  std::atomic<int> failures{0};
  for (int c = 0; c < 8; ++c) {
    callers.emplace_back([&] {
      auto stub =
          tv1::TimelineService::NewStub(FreshChannel(timeline_.address()));
      for (int i = 0; i < 4; ++i) {
        tv1::BatchGetSnapshotsResponse response;
        if (!Batch(*stub, batch, &response).ok()) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& caller : callers) caller.join();
  EXPECT_EQ(failures.load(), 0);
  peak = std::max(peak, ResidentBytes(timeline_.process->pid()));
  absl::SleepFor(absl::Seconds(2));
  const int64_t after = ResidentBytes(timeline_.process->pid());
  std::printf(
      "%d copies (%lld KB answers), 8 callers x 4: timeline RSS %lld MB -> "
      "%lld MB right after -> %lld MB 2 s later\n",
      copies, static_cast<long long>(copies * snapshot_bytes_ / 1024),
      static_cast<long long>(before / kMiB),
      static_cast<long long>(peak / kMiB),
      static_cast<long long>(after / kMiB));
  EXPECT_LT(after - before, 16 * kMiB)
      << "the timeline kept " << (after - before) / kMiB << " MB";
}

TEST_F(ResponseBudgetTest, CatalogPagesOfLargeEntitiesStayWithinTheBudget) {
  // 20 entities of about 280 KB: 5.6 MB in one page of 1000 before.
  for (int i = 1; i < 20; ++i) {
    ASSERT_GT(CreateLargeEntity(catalog_.address(), absl::StrCat("large-", i)),
              0);
  }
  auto stub = FreshCatalogStub(catalog_.address());  // default 4 MiB limit
  cv1::ListEntitiesRequest request;
  request.set_page_size(1000);
  std::vector<int> pages;
  do {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    cv1::ListEntitiesResponse page;
    grpc::Status status = stub->ListEntities(&context, request, &page);
    ASSERT_TRUE(status.ok())
        << status.error_code() << " " << status.error_message();
    EXPECT_LE(page.ByteSizeLong(), 4000000u);
    pages.push_back(page.entities_size());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_EQ(pages[0] + pages[1], 20);
  EXPECT_GE(pages[0], 10);  // 14 of about 280 KB fit in 4,000,000 bytes
}

}  // namespace
}  // namespace annals::testing
