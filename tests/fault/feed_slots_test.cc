// Change-feed slots held by anonymous readers (issue 12, item 8), with the
// real annals-catalog and annals-timeline processes. A client that opens
// --max_streams WatchChanges streams and never reads them must not lock the
// timelines out:
//  - without tokens, one client address holds at most
//    --max_streams_per_peer streams, so a timeline on another address
//    still gets a slot (the reader comes over [::1], the timeline over
//    127.0.0.1, to a catalog listening on both);
//  - with a token, --reserved_streams slots are kept for callers presenting
//    it, so a timeline with --catalog_token_file still gets one even from
//    the reader's own address.
// In both cases the timeline turns SERVING and applies a write made while
// the reader holds its streams; the reader's excess streams fail with
// RESOURCE_EXHAUSTED naming the flag.
#include <fstream>
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

namespace cv1 = ::annals::catalog::v1;
namespace tv1 = ::annals::timeline::v1;
using ::grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;

constexpr int kMaxStreams = 8;
constexpr char kToken[] = "feed-slots-test-token";

// A WatchChanges stream that got its first message and is then never read:
// what a client holding slots for nothing does.
struct HeldStream {
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<cv1::WatchChangesResponse>> reader;
};

// Opens `count` streams over one channel to `address`; returns those that
// got their first message, and the statuses of those refused.
std::vector<std::unique_ptr<HeldStream>> HoldStreams(
    const std::string& address, int count, std::vector<grpc::Status>* refused) {
  auto stub = cv1::CatalogService::NewStub(FreshChannel(address));
  std::vector<std::unique_ptr<HeldStream>> held;
  for (int i = 0; i < count; ++i) {
    auto stream = std::make_unique<HeldStream>();
    stream->context.set_wait_for_ready(true);
    cv1::WatchChangesRequest request;  // the whole feed, never read
    stream->reader = stub->WatchChanges(&stream->context, request);
    cv1::WatchChangesResponse header;
    if (stream->reader->Read(&header)) {
      held.push_back(std::move(stream));
    } else {
      refused->push_back(stream->reader->Finish());
    }
  }
  return held;
}

void Release(std::vector<std::unique_ptr<HeldStream>>& held) {
  for (auto& stream : held) {
    stream->context.TryCancel();
    stream->reader->Finish().IgnoreError();
  }
  held.clear();
}

// Creates "entities/{id}" (as the token holder when `token` is set);
// returns its sequence, or -1.
int64_t Write(const std::string& address, const std::string& id,
              const std::string& token) {
  auto stub = FreshCatalogStub(address);
  cv1::CreateEntityRequest request;
  request.set_entity_id(id);
  request.mutable_entity()->set_kind("event");
  request.mutable_entity()->set_label(id);
  request.mutable_entity()->mutable_lifespan()->set_edtf("2025-03-12");
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  cv1::Entity created;
  grpc::Status status = stub->CreateEntity(&context, request, &created);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return status.ok() ? created.sequence() : -1;
}

// Whether the timeline at `address` answers for `id` at `sequence` or
// later within 30 s.
bool TimelineApplied(const std::string& address, const std::string& id,
                     int64_t sequence) {
  auto stub = tv1::TimelineService::NewStub(FreshChannel(address));
  tv1::GetSnapshotRequest request;
  request.set_entity(id);
  request.set_at("2025-03-12");
  request.set_min_sequence(sequence);
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    tv1::GetSnapshotResponse response;
    if (stub->GetSnapshot(&context, request, &response).ok()) return true;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return false;
}

TEST(AnonymousFeedTest, OneAddressCannotTakeEveryStreamFromTheTimelines) {
  TempDir dir;
  constexpr int kPerPeer = 4;
  // Both stacks, so that the reader (over ::1) and the timeline (over
  // 127.0.0.1) come from different addresses.
  ServiceProcess catalog =
      StartCatalog(dir.Sub("catalog"), "[::]:0", absl::Seconds(1),
                   {absl::StrCat("--max_streams=", kMaxStreams),
                    absl::StrCat("--max_streams_per_peer=", kPerPeer)});
  ASSERT_TRUE(catalog.ok());
  const std::string v6 = absl::StrCat("[::1]:", catalog.port);
  ASSERT_GT(Write(v6, "before", ""), 0);

  std::vector<grpc::Status> refused;
  std::vector<std::unique_ptr<HeldStream>> held =
      HoldStreams(v6, kMaxStreams, &refused);
  EXPECT_EQ(held.size(), kPerPeer);
  ASSERT_EQ(refused.size(), kMaxStreams - kPerPeer);
  for (const grpc::Status& status : refused) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_THAT(status.error_message(),
                HasSubstr("too many change-feed streams from ::1 "
                          "(--max_streams_per_peer=4)"));
  }

  ServiceProcess timeline = StartTimeline(catalog.address());
  ASSERT_TRUE(timeline.ok());
  EXPECT_TRUE(AwaitHealth(timeline.address(), kTimelineService,
                          HealthCheckResponse::SERVING, absl::Seconds(30)))
      << "the timeline found no change-feed slot";
  const int64_t sequence = Write(v6, "during", "");
  EXPECT_TRUE(TimelineApplied(timeline.address(), "during", sequence));
  Release(held);
}

TEST(AnonymousFeedTest, WithATokenReservedStreamsAreLeftForTheTimelines) {
  TempDir dir;
  const std::string token_file = dir.Sub("token");
  std::ofstream(token_file) << kToken << "\n";
  constexpr int kReserved = 2;
  // No cap per address: the reserve alone keeps the timeline's slot, even
  // from the reader's own address.
  ServiceProcess catalog = StartCatalog(
      dir.Sub("catalog"), "127.0.0.1:0", absl::Seconds(1),
      {"--auth_token_file=" + token_file,
       absl::StrCat("--max_streams=", kMaxStreams), "--max_streams_per_peer=0",
       absl::StrCat("--reserved_streams=", kReserved)});
  ASSERT_TRUE(catalog.ok());
  ASSERT_GT(Write(catalog.address(), "before", kToken), 0);

  std::vector<grpc::Status> refused;
  std::vector<std::unique_ptr<HeldStream>> held =
      HoldStreams(catalog.address(), kMaxStreams, &refused);
  EXPECT_EQ(held.size(), kMaxStreams - kReserved);
  ASSERT_EQ(refused.size(), kReserved);
  for (const grpc::Status& status : refused) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_THAT(status.error_message(),
                HasSubstr("(--max_streams=8 less --reserved_streams=2 kept "
                          "for callers presenting it)"));
  }

  ServiceProcess timeline =
      StartTimeline(catalog.address(), {"--catalog_token_file=" + token_file});
  ASSERT_TRUE(timeline.ok());
  EXPECT_TRUE(AwaitHealth(timeline.address(), kTimelineService,
                          HealthCheckResponse::SERVING, absl::Seconds(30)))
      << "the timeline found no change-feed slot";
  const int64_t sequence = Write(catalog.address(), "during", kToken);
  EXPECT_TRUE(TimelineApplied(timeline.address(), "during", sequence));
  Release(held);
}

}  // namespace
}  // namespace annals::testing
