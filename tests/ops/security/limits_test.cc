// Configured limits and their errors: page size (catalog and timeline),
// window length (timeline), change-feed streams (catalog), message size.
#include <grpcpp/create_channel.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "annals/catalog/v1/catalog_service.grpc.pb.h"
#include "annals/catalog_client.h"
#include "annals/timeline_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/status/errors.h"
#include "services/common/status/grpc_status.h"
#include "tests/ops/security/security_testing.h"
#include "tests/testing/status_matchers.h"

namespace annals {
namespace {

namespace cv1 = ::annals::catalog::v1;
namespace tv1 = ::annals::timeline::v1;
using ::annals::testing::IsOk;
using ::annals::testing::LocalAddress;
using ::annals::testing::QuickOptions;
using ::annals::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int kMaxPageSize = 5;
constexpr int kMaxStreams = 2;
constexpr int kMaxWindowDays = 366;

// A catalog with small limits holding seven missions, and a timeline with
// small limits following it.
class LimitsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    catalog::CatalogServerOptions options;
    options.max_page_size = kMaxPageSize;
    options.max_streams = kMaxStreams;
    options.max_receive_message_bytes = 64 * 1024;
    catalog_ = testing::StartCatalog(*dir_, options).release();
    ASSERT_NE(catalog_, nullptr);
    catalog_client_ = new CatalogClient(
        CatalogClient::Connect(LocalAddress(catalog_->port()), QuickOptions()));
    for (int i = 0; i < 7; ++i) {
      cv1::CreateEntityRequest request;
      request.set_entity_id(absl::StrCat("mission-", i));
      request.mutable_entity()->set_kind("mission");
      request.mutable_entity()->set_label(absl::StrCat("Mission ", i));
      request.mutable_entity()->mutable_lifespan()->set_edtf(
          absl::StrCat(2010 + i, "/", 2012 + i));
      ASSERT_THAT(catalog_client_->CreateEntity(request), IsOk());
    }
    timeline::TimelineServerOptions timeline_options;
    timeline_options.catalog = LocalAddress(catalog_->port());
    timeline_options.limits.max_page_size = kMaxPageSize;
    timeline_options.limits.max_window_days = kMaxWindowDays;
    timeline_ = testing::StartTimeline(timeline_options).release();
    ASSERT_NE(timeline_, nullptr);
    ASSERT_TRUE(timeline_->AwaitCaughtUp(absl::Now() + absl::Seconds(20)));
  }

  static void TearDownTestSuite() {
    delete timeline_;
    delete catalog_client_;
    delete catalog_;
    delete dir_;
  }

  TimelineClient Timeline() {
    return TimelineClient::Connect(LocalAddress(timeline_->port()),
                                   QuickOptions(), catalog_client_->session());
  }

  static testing::TempDir* dir_;
  static catalog::CatalogServer* catalog_;
  static CatalogClient* catalog_client_;
  static timeline::TimelineServer* timeline_;
};

testing::TempDir* LimitsTest::dir_ = nullptr;
catalog::CatalogServer* LimitsTest::catalog_ = nullptr;
CatalogClient* LimitsTest::catalog_client_ = nullptr;
timeline::TimelineServer* LimitsTest::timeline_ = nullptr;

TEST_F(LimitsTest, CatalogPageSizeAboveTheConfiguredMaxIsInvalid) {
  cv1::ListEntitiesRequest request;
  request.set_page_size(kMaxPageSize + 1);
  auto too_big = catalog_client_->ListEntities(request);
  EXPECT_THAT(too_big, StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("page_size: 6 is out of range: "
                                          "use 1-5")));
  EXPECT_THAT(ViolatedFields(too_big.status()), ElementsAre("page_size"));

  cv1::ListStatementsRequest statements;
  statements.set_page_size(1000);
  EXPECT_THAT(
      catalog_client_->ListStatements(statements),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("use 1-5")));

  request.set_page_size(kMaxPageSize);
  ASSERT_OK_AND_ASSIGN(cv1::ListEntitiesResponse page,
                       catalog_client_->ListEntities(request));
  EXPECT_EQ(page.entities_size(), kMaxPageSize);
}

TEST_F(LimitsTest, CatalogDefaultPageSizeNeverExceedsTheMax) {
  ASSERT_OK_AND_ASSIGN(cv1::ListEntitiesResponse page,
                       catalog_client_->ListEntities({}));
  EXPECT_EQ(page.entities_size(), kMaxPageSize);
  EXPECT_FALSE(page.next_page_token().empty());
}

TEST_F(LimitsTest, TimelinePageSizeAboveTheConfiguredMaxIsInvalid) {
  TimelineClient timeline = Timeline();
  tv1::QueryWindowRequest window;
  window.set_from("2012");
  window.set_to("2012");  // 366 days, the configured maximum
  window.set_page_size(kMaxPageSize + 1);
  auto too_big = timeline.QueryWindow(window);
  EXPECT_THAT(too_big, StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("use 1-5")));
  EXPECT_THAT(ViolatedFields(too_big.status()), ElementsAre("page_size"));

  tv1::ListHistoryRequest history;
  history.set_entity("mission-1");
  history.set_page_size(50);
  EXPECT_THAT(
      timeline.ListHistory(history),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_size")));

  window.set_page_size(0);  // the default, capped at the max
  ASSERT_OK_AND_ASSIGN(tv1::QueryWindowResponse page,
                       timeline.QueryWindow(window));
  EXPECT_LE(page.items_size(), kMaxPageSize);
}

TEST_F(LimitsTest, TimelineWindowsLongerThanTheMaxAreInvalid) {
  TimelineClient timeline = Timeline();
  tv1::QueryWindowRequest window;
  window.set_from("2012-01-01");
  window.set_to("2013-12-31");
  auto too_long = timeline.QueryWindow(window);
  EXPECT_THAT(too_long,
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("spans 731 days; this server answers at most "
                                 "366 days")));
  EXPECT_THAT(ViolatedFields(too_long.status()), ElementsAre("to"));

  window.set_to("2013-01-01");  // both ends included: 367 days
  EXPECT_THAT(timeline.QueryWindow(window),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("spans 367 days")));
  window.set_to("2012-12-31");  // 366 days: allowed
  EXPECT_THAT(timeline.QueryWindow(window), IsOk());

  tv1::QueryWindowRequest unbounded;
  unbounded.set_to("2013-01-01");
  auto open = timeline.QueryWindow(unbounded);
  EXPECT_THAT(open, StatusIs(absl::StatusCode::kInvalidArgument,
                             HasSubstr("at most 366 days")));
  EXPECT_THAT(ViolatedFields(open.status()), ElementsAre("from"));

  tv1::CountActiveRequest count;
  count.set_bucket(tv1::BUCKET_MONTH);
  count.set_from("2010-01-01");
  count.set_to("2019-12-31");
  EXPECT_THAT(timeline.CountActive(count),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("at most 366 days")));
  count.set_from("2019-01-01");
  EXPECT_THAT(timeline.CountActive(count), IsOk());

  tv1::FindGapsRequest gaps;
  gaps.set_subject("mission-1");
  gaps.set_from("2000-01-01");
  gaps.set_to("2020-01-01");
  EXPECT_THAT(timeline.FindGaps(gaps),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("at most 366 days")));
  gaps.set_from("2019-06-01");
  EXPECT_THAT(timeline.FindGaps(gaps), IsOk());
}

// A WatchChanges stream that has received its header message.
struct OpenStream {
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<cv1::WatchChangesResponse>> reader;
};

// Opens a stream; returns it once its header arrived, or the status it
// failed with.
absl::StatusOr<std::unique_ptr<OpenStream>> Watch(
    cv1::CatalogService::Stub& stub) {
  auto stream = std::make_unique<OpenStream>();
  cv1::WatchChangesRequest request;
  request.set_after_sequence(1000000);  // the header only, then live changes
  stream->reader = stub.WatchChanges(&stream->context, request);
  cv1::WatchChangesResponse header;
  if (stream->reader->Read(&header)) return stream;
  return FromGrpcStatus(stream->reader->Finish());
}

TEST_F(LimitsTest, TooManyChangeFeedStreamsAreResourceExhausted) {
  // The timeline holds one stream of the two allowed.
  auto stub = cv1::CatalogService::NewStub(grpc::CreateChannel(
      LocalAddress(catalog_->port()), grpc::InsecureChannelCredentials()));
  std::vector<std::unique_ptr<OpenStream>> streams;
  for (int i = 1; i < kMaxStreams; ++i) {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<OpenStream> stream, Watch(*stub));
    streams.push_back(std::move(stream));
  }
  EXPECT_THAT(
      Watch(*stub),
      StatusIs(absl::StatusCode::kResourceExhausted,
               "too many change-feed streams (--max_streams=2); try later"));

  // Closing a stream frees its slot (once the server has seen the cancel).
  streams.back()->context.TryCancel();
  streams.back()->reader->Finish().ok();
  streams.pop_back();
  absl::StatusOr<std::unique_ptr<OpenStream>> again = Watch(*stub);
  for (absl::Time deadline = absl::Now() + absl::Seconds(10);
       !again.ok() && absl::Now() < deadline; again = Watch(*stub)) {
    ASSERT_THAT(again, StatusIs(absl::StatusCode::kResourceExhausted));
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_THAT(again, IsOk());
  if (again.ok()) {
    (*again)->context.TryCancel();
    (*again)->reader->Finish().ok();
  }
}

TEST_F(LimitsTest, MessagesAboveMaxMessageBytesAreResourceExhausted) {
  cv1::CreateEntityRequest request;
  request.set_entity_id("huge");
  request.mutable_entity()->set_kind("mission");
  request.mutable_entity()->set_label("Huge");
  request.mutable_entity()->set_description(std::string(100 * 1024, 'x'));
  EXPECT_THAT(catalog_client_->CreateEntity(request),
              StatusIs(absl::StatusCode::kResourceExhausted));
}

}  // namespace
}  // namespace annals
