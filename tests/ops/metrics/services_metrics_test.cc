// The metrics endpoints of a real catalog and timeline in process, scraped
// over HTTP on loopback: the figures move with the calls and writes made.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/synchronization/notification.h"
#include "annals/catalog/v1/catalog_service.grpc.pb.h"
#include "annals/timeline/v1/timeline_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/catalog/server.h"
#include "services/timeline/server.h"
#include "tests/ops/metrics/scrape.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/timeline/fake_change_source.h"

namespace annals {
namespace {

using ::annals::testing::Exposition;
using ::annals::testing::Scrape;
using ::annals::testing::StatusIs;
using ::annals::testing::TempDir;

// Generous: only reached if the code under test is broken.
absl::Time Deadline() { return absl::Now() + absl::Seconds(30); }

constexpr char kCatalogService[] =
    "grpc_service=\"annals.catalog.v1.CatalogService\"";
constexpr char kTimelineService[] =
    "grpc_service=\"annals.timeline.v1.TimelineService\"";

std::string Method(const std::string& name) {
  return "grpc_method=\"" + name + "\"";
}
std::string Code(const std::string& code) {
  return "grpc_code=\"" + code + "\"";
}

class ServicesMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog::CatalogServerOptions catalog_options;
    catalog_options.listen = "127.0.0.1:0";
    catalog_options.data_dir = dir_.Sub("catalog");
    catalog_options.metrics_listen = "127.0.0.1:0";
    auto catalog = catalog::CatalogServer::Start(catalog_options);
    ASSERT_OK(catalog);
    catalog_ = *std::move(catalog);
    ASSERT_GT(catalog_->metrics_port(), 0);

    timeline::TimelineServerOptions timeline_options;
    timeline_options.listen = "127.0.0.1:0";
    timeline_options.catalog = "127.0.0.1:" + std::to_string(catalog_->port());
    timeline_options.initial_backoff = absl::Milliseconds(20);
    timeline_options.max_backoff = absl::Milliseconds(200);
    timeline_options.metrics_listen = "127.0.0.1:0";
    auto timeline = timeline::TimelineServer::Start(timeline_options);
    ASSERT_OK(timeline);
    timeline_ = *std::move(timeline);
    ASSERT_GT(timeline_->metrics_port(), 0);
    ASSERT_NE(timeline_->metrics_port(), catalog_->metrics_port());
    ASSERT_TRUE(timeline_->AwaitCaughtUp(Deadline()));

    catalog_channel_ =
        grpc::CreateChannel("127.0.0.1:" + std::to_string(catalog_->port()),
                            grpc::InsecureChannelCredentials());
    catalog_stub_ = catalog::v1::CatalogService::NewStub(catalog_channel_);
    timeline_stub_ = timeline::v1::TimelineService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(timeline_->port()),
                            grpc::InsecureChannelCredentials()));
  }

  Exposition ScrapeCatalog() {
    absl::StatusOr<Exposition> scraped = Scrape(catalog_->metrics_port());
    EXPECT_OK(scraped);
    return scraped.ok() ? *scraped : Exposition();
  }
  Exposition ScrapeTimeline() {
    absl::StatusOr<Exposition> scraped = Scrape(timeline_->metrics_port());
    EXPECT_OK(scraped);
    return scraped.ok() ? *scraped : Exposition();
  }

  grpc::Status CreateEntity(const std::string& id) {
    catalog::v1::CreateEntityRequest request;
    request.set_entity_id(id);
    request.mutable_entity()->set_kind("mission");
    request.mutable_entity()->set_label(id);
    catalog::v1::Entity response;
    grpc::ClientContext context;
    return catalog_stub_->CreateEntity(&context, request, &response);
  }

  grpc::Status GetEntity(const std::string& name) {
    catalog::v1::GetEntityRequest request;
    request.set_name(name);
    catalog::v1::Entity response;
    grpc::ClientContext context;
    return catalog_stub_->GetEntity(&context, request, &response);
  }

  // Waits until the timeline has applied the catalog's head.
  void AwaitTimeline() {
    ASSERT_OK(timeline_->state().AwaitSequence(
        catalog_->catalog().head_sequence(), Deadline()));
  }

  TempDir dir_;
  std::unique_ptr<catalog::CatalogServer> catalog_;
  std::unique_ptr<timeline::TimelineServer> timeline_;
  std::shared_ptr<grpc::Channel> catalog_channel_;
  std::unique_ptr<catalog::v1::CatalogService::Stub> catalog_stub_;
  std::unique_ptr<timeline::v1::TimelineService::Stub> timeline_stub_;
};

TEST_F(ServicesMetricsTest, CatalogCountsCallsByMethodAndCode) {
  Exposition before = ScrapeCatalog();
  EXPECT_EQ(before.types.at("grpc_server_started_total"), "counter");
  EXPECT_EQ(before.types.at("grpc_server_handled_total"), "counter");
  EXPECT_EQ(before.types.at("grpc_server_handling_seconds"), "histogram");
  EXPECT_EQ(before.Sum("grpc_server_started_total",
                       {kCatalogService, Method("GetEntity")}),
            0);

  ASSERT_OK(CreateEntity("nmi"));
  ASSERT_OK(CreateEntity("ntm-i"));
  EXPECT_THAT(CreateEntity("Not An Id"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  for (int i = 0; i < 3; ++i) ASSERT_OK(GetEntity("nmi"));
  EXPECT_THAT(GetEntity("missing"), StatusIs(absl::StatusCode::kNotFound));

  Exposition after = ScrapeCatalog();
  const std::string create = Method("CreateEntity");
  const std::string get = Method("GetEntity");
  EXPECT_EQ(after.Sum("grpc_server_started_total", {kCatalogService, create}),
            3);
  EXPECT_EQ(
      after.Value("grpc_server_started_total{" + std::string(kCatalogService) +
                  "," + get + ",grpc_type=\"unary\"}"),
      4);
  EXPECT_EQ(after.Sum("grpc_server_handled_total",
                      {kCatalogService, create, Code("OK")}),
            2);
  EXPECT_EQ(after.Sum("grpc_server_handled_total",
                      {kCatalogService, create, Code("INVALID_ARGUMENT")}),
            1);
  EXPECT_EQ(after.Sum("grpc_server_handled_total",
                      {kCatalogService, get, Code("OK")}),
            3);
  EXPECT_EQ(after.Sum("grpc_server_handled_total",
                      {kCatalogService, get, Code("NOT_FOUND")}),
            1);
  // One latency observation per handled call; the parser has checked that
  // the buckets are cumulative and end at _count.
  EXPECT_EQ(
      after.Sum("grpc_server_handling_seconds_count", {kCatalogService, get}),
      4);
  EXPECT_EQ(after.Sum("grpc_server_handling_seconds_bucket",
                      {kCatalogService, get, "le=\"+Inf\""}),
            4);
  EXPECT_GT(
      after.Sum("grpc_server_handling_seconds_sum", {kCatalogService, get}), 0);
  // The timeline's change feed is a server stream on the catalog.
  EXPECT_GE(after.Sum("grpc_server_started_total",
                      {kCatalogService, Method("WatchChanges"),
                       "grpc_type=\"server_stream\""}),
            1);
}

TEST_F(ServicesMetricsTest, ErrorCounterByCodeIncreasesAfterABadRequest) {
  const std::vector<std::string> invalid = {
      kCatalogService, Method("CreateEntity"), Code("INVALID_ARGUMENT")};
  double before = ScrapeCatalog().Sum("grpc_server_handled_total", invalid);
  EXPECT_THAT(CreateEntity("Not An Id"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ScrapeCatalog().Sum("grpc_server_handled_total", invalid),
            before + 1);
  EXPECT_THAT(CreateEntity(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(ScrapeCatalog().Sum("grpc_server_handled_total", invalid),
            before + 2);
}

TEST_F(ServicesMetricsTest, UnknownMethodsShareOneLabel) {
  grpc::GenericStub generic(catalog_channel_);
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  grpc::ClientContext context;
  absl::Notification done;
  grpc::Status status;
  generic.UnaryCall(&context, "/annals.catalog.v1.CatalogService/NoSuchMethod",
                    grpc::StubOptions(), &request, &response,
                    [&](grpc::Status s) {
                      status = std::move(s);
                      done.Notify();
                    });
  ASSERT_TRUE(done.WaitForNotificationWithDeadline(Deadline()));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);

  Exposition scraped = ScrapeCatalog();
  for (const auto& [series, value] : scraped.samples) {
    EXPECT_THAT(series, ::testing::Not(::testing::HasSubstr("NoSuchMethod")));
  }
  EXPECT_EQ(scraped.Value("grpc_server_handled_total{grpc_service=\"unknown\","
                          "grpc_method=\"unknown\",grpc_type=\"bidi_stream\","
                          "grpc_code=\"UNIMPLEMENTED\"}"),
            1);
}

TEST_F(ServicesMetricsTest, CatalogSequenceGaugesFollowWrites) {
  Exposition before = ScrapeCatalog();
  EXPECT_EQ(before.types.at("annals_catalog_head_sequence"), "gauge");
  EXPECT_EQ(before.types.at("annals_catalog_changes_committed_total"),
            "counter");
  EXPECT_EQ(before.Value("annals_catalog_head_sequence"), 0);
  EXPECT_EQ(before.Value("annals_catalog_changes_committed_total"), 0);

  for (const char* id : {"a", "b", "c"}) ASSERT_OK(CreateEntity(id));

  Exposition after = ScrapeCatalog();
  EXPECT_EQ(after.Value("annals_catalog_head_sequence"), 3);
  EXPECT_EQ(after.Value("annals_catalog_head_sequence"),
            catalog_->catalog().head_sequence());
  EXPECT_EQ(after.Value("annals_catalog_changes_committed_total"), 3);
}

TEST_F(ServicesMetricsTest, CatalogReportsStorageFigures) {
  for (const char* id : {"a", "b", "c", "d"}) ASSERT_OK(CreateEntity(id));
  Exposition scraped = ScrapeCatalog();
  for (const char* name : {"annals_catalog_storage_estimate_num_keys",
                           "annals_catalog_storage_live_sst_bytes",
                           "annals_catalog_storage_memtable_bytes",
                           "annals_catalog_storage_pending_compaction_bytes"}) {
    EXPECT_EQ(scraped.types[name], "gauge") << name;
    for (const char* space :
         {"meta", "entities", "statements", "index", "changes", "requests"}) {
      EXPECT_TRUE(scraped.Has(std::string(name) + "{space=\"" + space + "\"}"))
          << name << " " << space;
    }
  }
  // Four entities and their four changes are in the memtables.
  EXPECT_GE(scraped.Value(
                "annals_catalog_storage_estimate_num_keys{space=\"entities\"}"),
            4);
  EXPECT_GE(scraped.Value(
                "annals_catalog_storage_estimate_num_keys{space=\"changes\"}"),
            4);
  EXPECT_GT(scraped.Value(
                "annals_catalog_storage_memtable_bytes{space=\"entities\"}"),
            0);
  EXPECT_GT(scraped.Value("annals_catalog_storage_block_cache_capacity_bytes"),
            0);
  EXPECT_TRUE(scraped.Has("annals_catalog_storage_block_cache_usage_bytes"));
}

TEST_F(ServicesMetricsTest, TimelineSequenceFollowsTheCatalog) {
  Exposition before = ScrapeTimeline();
  EXPECT_EQ(before.Value("annals_timeline_applied_sequence"), 0);
  EXPECT_EQ(before.Value("annals_timeline_caught_up"), 1);
  EXPECT_EQ(before.Value("annals_timeline_stopped"), 0);

  for (const char* id : {"a", "b", "c", "d", "e"}) ASSERT_OK(CreateEntity(id));
  AwaitTimeline();

  Exposition after = ScrapeTimeline();
  EXPECT_EQ(after.Value("annals_timeline_applied_sequence"), 5);
  // The head arrives with the changes, so once they are applied it is known.
  EXPECT_EQ(after.Value("annals_timeline_catalog_head_sequence"), 5);
  EXPECT_EQ(after.Value("annals_timeline_lag_changes"), 0);
  EXPECT_EQ(after.Value("annals_timeline_feed_connected"), 1);
  EXPECT_GE(after.Value("annals_timeline_feed_connections_total"), 1);
}

TEST_F(ServicesMetricsTest, TimelineCountsItsCallsByCode) {
  ASSERT_OK(CreateEntity("nmi"));
  AwaitTimeline();
  const std::string snapshot = Method("GetSnapshot");
  double ok_before = ScrapeTimeline().Sum(
      "grpc_server_handled_total", {kTimelineService, snapshot, Code("OK")});

  timeline::v1::GetSnapshotRequest request;
  request.set_entity("nmi");
  request.set_at("2021-06-01");
  timeline::v1::GetSnapshotResponse response;
  {
    grpc::ClientContext context;
    ASSERT_OK(timeline_stub_->GetSnapshot(&context, request, &response));
  }
  request.set_at("not a date");
  {
    grpc::ClientContext context;
    EXPECT_THAT(timeline_stub_->GetSnapshot(&context, request, &response),
                StatusIs(absl::StatusCode::kInvalidArgument));
  }

  Exposition after = ScrapeTimeline();
  EXPECT_EQ(after.Sum("grpc_server_handled_total",
                      {kTimelineService, snapshot, Code("OK")}),
            ok_before + 1);
  EXPECT_EQ(after.Sum("grpc_server_handled_total",
                      {kTimelineService, snapshot, Code("INVALID_ARGUMENT")}),
            1);
  EXPECT_EQ(after.Sum("grpc_server_handling_seconds_count",
                      {kTimelineService, snapshot}),
            ok_before + 2);
}

TEST(ServerMetricsOptionsTest, NoEndpointWithoutAnAddress) {
  TempDir dir;
  catalog::CatalogServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir.Sub("catalog");
  auto server = catalog::CatalogServer::Start(options);
  ASSERT_OK(server);
  EXPECT_EQ((*server)->metrics_port(), 0);
  EXPECT_EQ((*server)->metrics_url(), "");
}

TEST(ServerMetricsOptionsTest, MetricsPortInUseFailsStart) {
  TempDir dir;
  catalog::CatalogServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir.Sub("first");
  options.metrics_listen = "127.0.0.1:0";
  auto first = catalog::CatalogServer::Start(options);
  ASSERT_OK(first);

  options.data_dir = dir.Sub("second");
  options.metrics_listen =
      "127.0.0.1:" + std::to_string((*first)->metrics_port());
  EXPECT_THAT(catalog::CatalogServer::Start(options),
              StatusIs(absl::StatusCode::kUnavailable));

  timeline::TimelineServerOptions timeline_options;
  timeline_options.listen = "127.0.0.1:0";
  timeline_options.change_source =
      std::make_shared<testing::FakeChangeSource>();
  timeline_options.metrics_listen = options.metrics_listen;
  EXPECT_THAT(timeline::TimelineServer::Start(timeline_options),
              StatusIs(absl::StatusCode::kUnavailable));
}

// A feed that announces a head before delivering the changes shows the lag.
TEST(TimelineLagTest, LagIsTheHeadMinusTheAppliedSequence) {
  auto source = std::make_shared<testing::FakeChangeSource>();
  for (int i = 0; i < 5; ++i) {
    catalog::v1::Change change;
    change.set_type(catalog::v1::CHANGE_TYPE_CREATED);
    change.mutable_commit_time()->set_seconds(1700000000);
    change.mutable_entity()->set_name("entities/e" + std::to_string(i));
    change.mutable_entity()->set_kind("mission");
    change.mutable_entity()->set_label("e");
    source->Append(std::move(change));
  }
  source->Hold(true);  // streams deliver their first message only
  timeline::TimelineServerOptions options;
  options.listen = "127.0.0.1:0";
  options.change_source = source;
  options.metrics_listen = "127.0.0.1:0";
  auto server = timeline::TimelineServer::Start(options);
  ASSERT_OK(server);

  // Wait until the first message (head 5) has been read.
  absl::Time deadline = Deadline();
  while ((*server)->follower_status().catalog_head < 5 &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  ASSERT_OK_AND_ASSIGN(Exposition held, Scrape((*server)->metrics_port()));
  EXPECT_EQ(held.Value("annals_timeline_catalog_head_sequence"), 5);
  EXPECT_EQ(held.Value("annals_timeline_applied_sequence"), 0);
  EXPECT_EQ(held.Value("annals_timeline_lag_changes"), 5);
  EXPECT_EQ(held.Value("annals_timeline_caught_up"), 0);

  source->Hold(false);
  ASSERT_TRUE((*server)->AwaitCaughtUp(Deadline()));
  ASSERT_OK_AND_ASSIGN(Exposition released, Scrape((*server)->metrics_port()));
  EXPECT_EQ(released.Value("annals_timeline_applied_sequence"), 5);
  EXPECT_EQ(released.Value("annals_timeline_lag_changes"), 0);
  EXPECT_EQ(released.Value("annals_timeline_caught_up"), 1);
}

}  // namespace
}  // namespace annals
