// TimelineService end to end: a real catalog (CatalogServer on 127.0.0.1:0,
// RocksDB in a temporary folder) and a real timeline following it, in this
// process, over real gRPC.
#include "services/timeline/timeline_service.h"

#include <grpcpp/grpcpp.h>

#include <future>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "annals/catalog/v1/catalog_service.grpc.pb.h"
#include "annals/timeline/v1/timeline_service.grpc.pb.h"
#include "annals/timeline_client.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/catalog/server.h"
#include "services/common/status/errors.h"
#include "services/common/status/grpc_status.h"
#include "services/timeline/server.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/timeline/fake_change_source.h"
#include "tests/timeline/nato_world.h"

namespace annals::timeline {
namespace {

using ::annals::testing::FakeChangeSource;
using ::annals::testing::NatoImport;
using ::annals::testing::NatoStatement;
using ::annals::testing::StatusIs;
using ::annals::testing::TempDir;
using ::grpc::health::v1::HealthCheckResponse;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace cv1 = ::annals::catalog::v1;

constexpr char kServiceName[] = "annals.timeline.v1.TimelineService";

// Generous bounds, reached only when something is broken.
absl::Time Deadline() { return absl::Now() + absl::Seconds(30); }
std::chrono::system_clock::time_point ClientDeadline() {
  return absl::ToChronoTime(Deadline());
}

class TimelineServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StartCatalog(dir_.Sub("catalog"), 0));
    ASSERT_NO_FATAL_FAILURE(StartTimeline(absl::Seconds(30)));
    ASSERT_TRUE(timeline_->AwaitCaughtUp(Deadline()));
  }

  void TearDown() override {
    if (timeline_ != nullptr) {
      EXPECT_OK(timeline_->Shutdown());
    }
    if (catalog_ != nullptr) {
      EXPECT_OK(catalog_->Shutdown());
    }
  }

  // Starts a catalog on `data_dir`, on `port` (0: any free port).
  absl::Status TryStartCatalog(const std::string& data_dir, int port) {
    catalog::CatalogServerOptions options;
    options.listen = absl::StrCat("127.0.0.1:", port);
    options.data_dir = data_dir;
    options.sync_writes = false;
    auto server = catalog::CatalogServer::Start(options);
    if (!server.ok()) return server.status();
    catalog_ = *std::move(server);
    catalog_stub_ = cv1::CatalogService::NewStub(grpc::CreateChannel(
        CatalogAddress(), grpc::InsecureChannelCredentials()));
    return absl::OkStatus();
  }

  void StartCatalog(const std::string& data_dir, int port) {
    ASSERT_OK(TryStartCatalog(data_dir, port));
  }

  std::string CatalogAddress() const {
    return absl::StrCat("127.0.0.1:", catalog_->port());
  }

  // Stops the catalog and starts one on `data_dir`: on the same port when it
  // is still free, else on another one that the timeline is pointed at.
  void RestartCatalog(const std::string& data_dir) {
    const int port = catalog_->port();
    // Open change feeds are cut after a short grace, as in a real restart.
    ASSERT_OK(catalog_->Shutdown(absl::Milliseconds(100)));
    catalog_.reset();
    if (!TryStartCatalog(data_dir, port).ok()) {
      ASSERT_NO_FATAL_FAILURE(StartCatalog(data_dir, 0));
      timeline_->SetCatalogTarget(CatalogAddress());
    }
  }

  // `max_response_bytes` 0: the default limit.
  void StartTimeline(absl::Duration max_wait,
                     std::shared_ptr<ChangeSource> source = nullptr,
                     int64_t max_response_bytes = 0) {
    if (timeline_ != nullptr) {
      ASSERT_OK(timeline_->Shutdown());
    }
    TimelineServerOptions options;
    options.listen = "127.0.0.1:0";
    options.catalog = CatalogAddress();
    options.max_wait = max_wait;
    options.initial_backoff = absl::Milliseconds(20);
    options.max_backoff = absl::Milliseconds(200);
    options.change_source = std::move(source);
    if (max_response_bytes > 0) {
      options.limits.max_response_bytes = max_response_bytes;
    }
    options.log = [this](absl::string_view line) {
      absl::MutexLock lock(&log_mu_);
      log_.emplace_back(line);
    };
    auto server = TimelineServer::Start(options);
    ASSERT_OK(server);
    timeline_ = *std::move(server);
    auto channel =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", timeline_->port()),
                            grpc::InsecureChannelCredentials());
    stub_ = v1::TimelineService::NewStub(channel);
    health_ = grpc::health::v1::Health::NewStub(channel);
  }

  // The typed client of the timeline, on a channel of its own.
  TimelineClient Client() {
    return TimelineClient::Connect(
        absl::StrCat("127.0.0.1:", timeline_->port()));
  }

  int64_t Import(const cv1::ImportRecordsRequest& batch) {
    grpc::ClientContext context;
    context.set_deadline(ClientDeadline());
    cv1::ImportRecordsResponse summary;
    auto writer = catalog_stub_->ImportRecords(&context, &summary);
    EXPECT_TRUE(writer->Write(batch));
    EXPECT_TRUE(writer->WritesDone());
    EXPECT_OK(writer->Finish());
    return summary.last_sequence();
  }

  int64_t AddCommander(const std::string& id, const std::string& tenure) {
    cv1::ImportRecordsRequest batch;
    *batch.add_records() =
        NatoStatement(id, "nmi", "commander", "olsen", tenure);
    return Import(batch);
  }

  grpc::Status Snapshot(
      const std::string& entity, const std::string& at, int64_t min_sequence,
      v1::GetSnapshotResponse* out,
      std::chrono::system_clock::time_point deadline = ClientDeadline()) {
    v1::GetSnapshotRequest request;
    request.set_entity(entity);
    request.set_at(at);
    request.set_min_sequence(min_sequence);
    grpc::ClientContext context;
    context.set_deadline(deadline);
    return stub_->GetSnapshot(&context, request, out);
  }

  // Names in a history, checked for duplicates.
  std::vector<std::string> History(int64_t min_sequence) {
    v1::ListHistoryRequest request;
    request.set_entity("nmi");
    request.set_predicate("commander");
    request.set_min_sequence(min_sequence);
    request.set_page_size(1000);
    grpc::ClientContext context;
    context.set_deadline(ClientDeadline());
    v1::ListHistoryResponse response;
    EXPECT_OK(stub_->ListHistory(&context, request, &response));
    std::vector<std::string> names;
    for (const auto& entry : response.entries()) {
      names.push_back(entry.statement().name());
    }
    EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(),
              names.size());
    return names;
  }

  HealthCheckResponse::ServingStatus Health(const std::string& service) {
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    HealthCheckResponse response;
    grpc::ClientContext context;
    context.set_deadline(ClientDeadline());
    grpc::Status status = health_->Check(&context, request, &response);
    EXPECT_OK(status);
    return response.status();
  }

  // Polls health until it reports `expected` for both names, or the bound.
  bool AwaitHealth(HealthCheckResponse::ServingStatus expected) {
    const absl::Time deadline = Deadline();
    while (absl::Now() < deadline) {
      if (Health("") == expected && Health(kServiceName) == expected) {
        return true;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    return false;
  }

  TempDir dir_;
  std::unique_ptr<catalog::CatalogServer> catalog_;
  std::unique_ptr<cv1::CatalogService::Stub> catalog_stub_;
  std::unique_ptr<TimelineServer> timeline_;
  std::unique_ptr<v1::TimelineService::Stub> stub_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
  absl::Mutex log_mu_;
  std::vector<std::string> log_ ABSL_GUARDED_BY(log_mu_);
};

TEST_F(TimelineServiceTest, ReadsItsOwnWriteThroughMinSequence) {
  const int64_t imported = Import(NatoImport());
  ASSERT_GT(imported, 0);
  v1::GetSnapshotResponse snapshot;
  ASSERT_OK(Snapshot("entities/nmi", "2021-06-01", imported, &snapshot));
  ASSERT_EQ(snapshot.statements_size(), 1);
  EXPECT_EQ(snapshot.statements(0).statement().name(),
            "statements/nmi-commander-lollesgaard");
  EXPECT_EQ(snapshot.statements(0).certainty(), type::v1::CERTAINTY_DEFINITE);
  EXPECT_GE(snapshot.sequence(), imported);

  // A live write afterwards, read back the same way.
  const int64_t written = AddCommander("nmi-acting-commander", "2021-06");
  ASSERT_OK(Snapshot("nmi", "2021-06-01", written, &snapshot));
  EXPECT_EQ(snapshot.statements_size(), 2);
  EXPECT_GE(snapshot.sequence(), written);
}

TEST_F(TimelineServiceTest, ACallWaitingForASequenceSeesTheWriteThatReachesIt) {
  const int64_t imported = Import(NatoImport());
  ASSERT_TRUE(timeline_->state().AwaitSequence(imported, Deadline()).ok());
  auto pending = std::async(std::launch::async, [&] {
    v1::GetSnapshotResponse snapshot;
    grpc::Status status =
        Snapshot("nmi", "2030-01-01", imported + 1, &snapshot);
    return std::make_pair(status, snapshot);
  });
  AddCommander("nmi-commander-2030", "2029/2031");
  auto [status, snapshot] = pending.get();
  ASSERT_OK(status);
  std::vector<std::string> names;
  for (const auto& item : snapshot.statements()) {
    names.push_back(item.statement().name());
  }
  EXPECT_THAT(names, ElementsAre("statements/nmi-commander-schreurs",
                                 "statements/nmi-commander-2030"));
}

TEST_F(TimelineServiceTest, SequenceNotReachedBeforeTheDeadlineIsUnavailable) {
  const int64_t imported = Import(NatoImport());
  v1::GetSnapshotResponse snapshot;
  grpc::Status status =
      Snapshot("nmi", "2021-06-01", imported + 100, &snapshot,
               absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();
  EXPECT_THAT(status.error_message(),
              HasSubstr(absl::StrCat("min_sequence ", imported + 100)));
}

TEST_F(TimelineServiceTest, SequenceNotReachedWithinMaxWaitIsUnavailable) {
  ASSERT_NO_FATAL_FAILURE(StartTimeline(absl::Milliseconds(50)));
  const int64_t imported = Import(NatoImport());
  v1::GetSnapshotResponse snapshot;
  grpc::ClientContext context;  // no deadline: the server's max_wait applies
  v1::GetSnapshotRequest request;
  request.set_entity("nmi");
  request.set_at("2021-06-01");
  request.set_min_sequence(imported + 100);
  grpc::Status status = stub_->GetSnapshot(&context, request, &snapshot);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), HasSubstr("not applied yet"));
}

TEST_F(TimelineServiceTest, HealthIsNotServingUntilTheInitialCatchUp) {
  auto source = std::make_shared<FakeChangeSource>();
  cv1::Change change;
  change.mutable_entity()->set_name("entities/nmi");
  change.mutable_entity()->set_kind("mission");
  source->Append(change);
  source->Hold(true);  // the head is announced, the changes held back
  ASSERT_NO_FATAL_FAILURE(StartTimeline(absl::Seconds(1), source));
  EXPECT_EQ(Health(""), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Health(kServiceName), HealthCheckResponse::NOT_SERVING);
  source->Hold(false);
  ASSERT_TRUE(timeline_->AwaitCaughtUp(Deadline()));
  EXPECT_EQ(Health(""), HealthCheckResponse::SERVING);
  EXPECT_EQ(Health(kServiceName), HealthCheckResponse::SERVING);
}

TEST_F(TimelineServiceTest, CatalogRestartIsFollowedWithoutLossOrDuplicates) {
  const int64_t imported = Import(NatoImport());
  EXPECT_EQ(History(imported).size(), 7u);
  ASSERT_OK(catalog_->Shutdown(absl::Milliseconds(100)));

  // The catalog is gone: the timeline answers from what it has.
  v1::GetSnapshotResponse snapshot;
  ASSERT_OK(Snapshot("nmi", "2021-06-01", 0, &snapshot));
  EXPECT_EQ(snapshot.sequence(), imported);
  EXPECT_EQ(snapshot.statements_size(), 1);
  // ...but reports that it is out of sync (not ready), while the process
  // as a whole stays SERVING (alive).
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (Health(kServiceName) != HealthCheckResponse::NOT_SERVING &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(Health(kServiceName), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Health(""), HealthCheckResponse::SERVING);

  ASSERT_NO_FATAL_FAILURE(RestartCatalog(dir_.Sub("catalog")));
  const int64_t written = AddCommander("nmi-commander-later", "2030/..");
  ASSERT_EQ(written, imported + 1);
  const std::vector<std::string> names = History(written);
  EXPECT_EQ(names.size(), 8u);
  EXPECT_EQ(names.back(), "statements/nmi-commander-later");
  EXPECT_GE(timeline_->follower_status().connections, 2);
  // Resynchronised: SERVING again.
  EXPECT_TRUE(AwaitHealth(HealthCheckResponse::SERVING));
}

TEST_F(TimelineServiceTest,
       CatalogRecreatedFromNothingMakesTheTimelineNotServing) {
  const int64_t imported = Import(NatoImport());
  EXPECT_EQ(History(imported).size(), 7u);
  ASSERT_NO_FATAL_FAILURE(RestartCatalog(dir_.Sub("empty-catalog")));
  // NOT_SERVING comes first from the outage; wait for the follower to see
  // the new catalog and stop for good.
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (!timeline_->follower_status().stopped && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_TRUE(AwaitHealth(HealthCheckResponse::NOT_SERVING));

  v1::GetSnapshotResponse snapshot;
  grpc::Status status = Snapshot("nmi", "2021-06-01", 0, &snapshot);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), HasSubstr("catalog_id"));
  // Nothing of the new catalog was mixed in.
  EXPECT_EQ(timeline_->state().applied_sequence(), imported);
  EXPECT_TRUE(timeline_->follower_status().stopped);
  absl::MutexLock lock(&log_mu_);
  EXPECT_THAT(log_, ::testing::Contains(HasSubstr("NOT SERVING")));
}

TEST_F(TimelineServiceTest, EveryQueryAnswersOverTheWire) {
  const int64_t imported = Import(NatoImport());
  {
    v1::RelateRequest request;
    request.mutable_a()->set_lifespan("ntm-i");
    request.mutable_b()->set_lifespan("nmi");
    request.set_min_sequence(imported);
    v1::RelateResponse response;
    grpc::ClientContext context;
    context.set_deadline(ClientDeadline());
    ASSERT_OK(stub_->Relate(&context, request, &response));
    EXPECT_THAT(response.relations(), ElementsAre("before"));
    EXPECT_TRUE(response.definite());
    EXPECT_EQ(response.sequence(), imported);
  }
  {
    v1::FindGapsRequest request;
    request.set_subject("nmi");
    request.set_predicate("commander");
    request.set_from("2018-10-01");
    request.set_to("2018-11-30");
    v1::FindGapsResponse response;
    grpc::ClientContext context;
    ASSERT_OK(stub_->FindGaps(&context, request, &response));
    ASSERT_EQ(response.definite_gaps_size(), 1);
    EXPECT_EQ(response.definite_gaps(0).from(), "2018-10-01");
    EXPECT_EQ(response.definite_gaps(0).to(), "2018-10-31");  // last day
    ASSERT_EQ(response.possible_gaps_size(), 1);
    EXPECT_EQ(response.possible_gaps(0).to(), "2018-11-29");
  }
  {
    v1::QueryWindowRequest request;
    request.set_from("2019");
    request.set_to("2021");
    request.set_predicate("commander");
    request.set_page_size(2);
    std::vector<std::string> names;
    for (int page = 0; page < 10; ++page) {
      v1::QueryWindowResponse response;
      grpc::ClientContext context;
      ASSERT_OK(stub_->QueryWindow(&context, request, &response));
      for (const auto& item : response.items()) {
        names.push_back(item.statement().name());
      }
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    EXPECT_THAT(names, ElementsAre("statements/nmi-commander-fortin",
                                   "statements/nmi-commander-carignan",
                                   "statements/nmi-commander-olsen",
                                   "statements/nmi-commander-lollesgaard"));
  }
  {
    v1::CountActiveRequest request;
    request.set_bucket(v1::BUCKET_YEAR);
    request.set_from("2020");
    request.set_to("2020");
    request.set_predicate("commander");
    v1::CountActiveResponse response;
    grpc::ClientContext context;
    ASSERT_OK(stub_->CountActive(&context, request, &response));
    ASSERT_EQ(response.buckets_size(), 1);
    EXPECT_EQ(response.buckets(0).definite(), 2);  // Carignan, Olsen
  }
}

TEST_F(TimelineServiceTest, BadInputGetsAClearStatusNamingTheField) {
  const int64_t imported = Import(NatoImport());
  v1::GetSnapshotResponse snapshot;
  grpc::Status unknown =
      Snapshot("no-such-mission", "2021-06-01", imported, &snapshot);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(unknown.error_message(), HasSubstr("entities/no-such-mission"));

  grpc::Status bad_day = Snapshot("nmi", "2021-02-30", imported, &snapshot);
  EXPECT_EQ(bad_day.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(FromGrpcStatus(bad_day)), ElementsAre("at"));

  v1::QueryWindowRequest reversed;
  reversed.set_from("2021-01-01");
  reversed.set_to("2020-01-01");
  v1::QueryWindowResponse window;
  grpc::ClientContext context1;
  grpc::Status status = stub_->QueryWindow(&context1, reversed, &window);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(FromGrpcStatus(status)), ElementsAre("to"));

  v1::ListHistoryRequest huge_page;
  huge_page.set_entity("nmi");
  huge_page.set_page_size(5000);
  v1::ListHistoryResponse history;
  grpc::ClientContext context2;
  status = stub_->ListHistory(&context2, huge_page, &history);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(FromGrpcStatus(status)), ElementsAre("page_size"));

  v1::CountActiveRequest no_bucket;
  no_bucket.set_from("2020-01-01");
  no_bucket.set_to("2021-01-01");
  v1::CountActiveResponse counts;
  grpc::ClientContext context3;
  status = stub_->CountActive(&context3, no_bucket, &counts);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(FromGrpcStatus(status)), ElementsAre("bucket"));

  v1::RelateRequest unknown_statement;
  unknown_statement.mutable_a()->set_statement("nope");
  unknown_statement.mutable_b()->set_edtf("2020");
  v1::RelateResponse relate;
  grpc::ClientContext context4;
  status = stub_->Relate(&context4, unknown_statement, &relate);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

// StreamSnapshots: a message of lookups of `entity` on each day in `days`.
v1::StreamSnapshotsRequest Lookups(int64_t tag, const std::string& entity,
                                   const std::vector<std::string>& days) {
  v1::StreamSnapshotsRequest request;
  request.set_tag(tag);
  for (const std::string& day : days) {
    v1::GetSnapshotRequest* lookup = request.add_requests();
    lookup->set_entity(entity);
    lookup->set_at(day);
  }
  return request;
}

std::vector<std::string> StatementNames(const v1::GetSnapshotResponse& s) {
  std::vector<std::string> names;
  for (const auto& item : s.statements()) {
    names.push_back(item.statement().name());
  }
  return names;
}

TEST_F(TimelineServiceTest, StreamAnswersEveryMessageInOrderWithItsTag) {
  const int64_t imported = Import(NatoImport());
  TimelineClient client = Client();
  std::unique_ptr<annals::SnapshotStream> stream = client.StreamSnapshots();
  const std::vector<std::vector<std::string>> days = {
      {"2021-06-01", "2019-01-01"}, {"2012-01-01"}, {}, {"2020-03-01"}};
  const std::vector<int64_t> tags = {7, 3, 0, -9};
  // Every message goes out before any answer is read.
  for (size_t m = 0; m < days.size(); ++m) {
    v1::StreamSnapshotsRequest request = Lookups(tags[m], "nmi", days[m]);
    request.set_min_sequence(imported);
    ASSERT_TRUE(stream->Send(std::move(request)));
  }
  for (size_t m = 0; m < days.size(); ++m) {
    v1::StreamSnapshotsResponse answer;
    ASSERT_TRUE(stream->Receive(&answer));
    EXPECT_EQ(answer.tag(), tags[m]);
    EXPECT_GE(answer.sequence(), imported);
    ASSERT_EQ(answer.results_size(), static_cast<int>(days[m].size()));
    for (size_t i = 0; i < days[m].size(); ++i) {
      // The same answer as a GetSnapshot of that lookup.
      v1::GetSnapshotResponse unary;
      ASSERT_OK(Snapshot("nmi", days[m][i], imported, &unary));
      ASSERT_TRUE(answer.results(i).has_snapshot());
      EXPECT_THAT(StatementNames(answer.results(i).snapshot()),
                  ::testing::ElementsAreArray(StatementNames(unary)));
      EXPECT_EQ(answer.results(i).snapshot().entity().name(), "entities/nmi");
    }
  }
  EXPECT_OK(stream->Finish());
}

TEST_F(TimelineServiceTest, StreamReportsAFailedLookupAsItsResultAndGoesOn) {
  const int64_t imported = Import(NatoImport());
  TimelineClient client = Client();
  std::unique_ptr<annals::SnapshotStream> stream = client.StreamSnapshots();
  v1::StreamSnapshotsRequest mixed = Lookups(1, "nmi", {"2021-06-01"});
  mixed.set_min_sequence(imported);
  mixed.add_requests()->CopyFrom(mixed.requests(0));
  mixed.mutable_requests(1)->set_entity("no-such-mission");
  mixed.add_requests()->CopyFrom(mixed.requests(0));
  mixed.mutable_requests(2)->set_at("2021-02-30");
  ASSERT_TRUE(stream->Send(mixed));
  ASSERT_TRUE(stream->Send(Lookups(2, "nmi", {"2021-06-01"})));

  v1::StreamSnapshotsResponse answer;
  ASSERT_TRUE(stream->Receive(&answer));
  EXPECT_EQ(answer.tag(), 1);
  ASSERT_EQ(answer.results_size(), 3);
  EXPECT_TRUE(answer.results(0).has_snapshot());
  EXPECT_FALSE(StatementNames(answer.results(0).snapshot()).empty());
  ASSERT_TRUE(answer.results(1).has_error());
  const absl::Status unknown = FromRpcStatus(answer.results(1).error());
  EXPECT_THAT(unknown, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(unknown.message(), HasSubstr("entities/no-such-mission"));
  ASSERT_TRUE(answer.results(2).has_error());
  const absl::Status bad_day = FromRpcStatus(answer.results(2).error());
  EXPECT_THAT(bad_day, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ViolatedFields(bad_day), ElementsAre("requests[2].at"));

  // The stream goes on.
  ASSERT_TRUE(stream->Receive(&answer));
  EXPECT_EQ(answer.tag(), 2);
  ASSERT_EQ(answer.results_size(), 1);
  EXPECT_TRUE(answer.results(0).has_snapshot());
  EXPECT_OK(stream->Finish());
}

TEST_F(TimelineServiceTest, StreamEndsOnAMalformedMessageNamingTheField) {
  const int64_t imported = Import(NatoImport());
  TimelineClient client = Client();
  {
    std::unique_ptr<annals::SnapshotStream> stream = client.StreamSnapshots();
    v1::StreamSnapshotsRequest good = Lookups(1, "nmi", {"2021-06-01"});
    good.set_min_sequence(imported);
    v1::StreamSnapshotsRequest bad = Lookups(2, "nmi", {"2021-06-01"});
    bad.mutable_requests(0)->set_min_sequence(imported);
    ASSERT_TRUE(stream->Send(good));
    stream->Send(bad);
    // The answer before the bad message still arrives, then the error.
    v1::StreamSnapshotsResponse answer;
    ASSERT_TRUE(stream->Receive(&answer));
    EXPECT_EQ(answer.tag(), 1);
    EXPECT_FALSE(stream->Receive(&answer));
    const absl::Status status = stream->Finish();
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(ViolatedFields(status),
                ElementsAre("requests[0].min_sequence"));
  }
  {
    std::unique_ptr<annals::SnapshotStream> stream = client.StreamSnapshots();
    std::vector<std::string> days(TimelineService::kMaxStreamLookups + 1,
                                  "2021-06-01");
    stream->Send(Lookups(1, "nmi", days));
    const absl::Status status = stream->Finish();
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(ViolatedFields(status), ElementsAre("requests"));
  }
}

TEST_F(TimelineServiceTest, StreamWaitsForAMessagesMinSequence) {
  const int64_t imported = Import(NatoImport());
  TimelineClient client = Client();
  std::unique_ptr<annals::SnapshotStream> stream = client.StreamSnapshots();
  v1::StreamSnapshotsRequest request = Lookups(5, "nmi", {"2021-06"});
  request.mutable_requests(0)->set_at("2021-06-15");
  request.set_min_sequence(imported + 1);
  ASSERT_TRUE(stream->Send(request));
  // Answered once the write that reaches it is applied, and with it.
  const int64_t written = AddCommander("nmi-acting-commander", "2021-06");
  ASSERT_EQ(written, imported + 1);
  v1::StreamSnapshotsResponse answer;
  ASSERT_TRUE(stream->Receive(&answer));
  EXPECT_EQ(answer.tag(), 5);
  EXPECT_GE(answer.sequence(), written);
  ASSERT_EQ(answer.results_size(), 1);
  EXPECT_THAT(StatementNames(answer.results(0).snapshot()),
              ::testing::Contains("statements/nmi-acting-commander"));
  EXPECT_OK(stream->Finish());
}

TEST_F(TimelineServiceTest, StreamCancelledByTheClientEnds) {
  const int64_t imported = Import(NatoImport());
  TimelineClient client = Client();
  {
    // Cancelled while the server waits for a sequence that never comes.
    std::unique_ptr<annals::SnapshotStream> stream = client.StreamSnapshots();
    v1::StreamSnapshotsRequest waiting = Lookups(1, "nmi", {"2021-06-01"});
    waiting.set_min_sequence(imported + 1000);
    ASSERT_TRUE(stream->Send(waiting));
    absl::SleepFor(absl::Milliseconds(50));
    stream->Cancel();
    EXPECT_THAT(stream->Finish(), StatusIs(absl::StatusCode::kCancelled));
  }
  {
    // Cancelled with answers unread, and destroyed without Finish.
    std::unique_ptr<annals::SnapshotStream> stream = client.StreamSnapshots();
    for (int m = 0; m < 3 * TimelineService::kMaxQueuedAnswers; ++m) {
      if (!stream->Send(Lookups(m, "nmi", {"2021-06-01", "2019-01-01"}))) {
        break;
      }
      if (m == TimelineService::kMaxQueuedAnswers) stream->Cancel();
    }
  }
  // The server is unharmed.
  v1::GetSnapshotResponse snapshot;
  EXPECT_OK(Snapshot("nmi", "2021-06-01", imported, &snapshot));
}

TEST_F(TimelineServiceTest, StreamAnswerOverTheResponseLimitEndsTheStream) {
  const int64_t imported = Import(NatoImport());
  v1::GetSnapshotResponse one;
  ASSERT_OK(Snapshot("nmi", "2021-06-01", imported, &one));
  const int64_t size = static_cast<int64_t>(one.ByteSizeLong());
  // Room for three of these snapshots in one answer, not five.
  ASSERT_NO_FATAL_FAILURE(
      StartTimeline(absl::Seconds(30), nullptr, size * 7 / 2));
  ASSERT_TRUE(timeline_->AwaitCaughtUp(Deadline()));
  TimelineClient client = Client();
  const std::vector<std::string> two(2, "2021-06-01");
  const std::vector<std::string> five(5, "2021-06-01");
  {
    // Answered as one batch.
    std::unique_ptr<annals::SnapshotStream> stream = client.StreamSnapshots();
    ASSERT_TRUE(stream->Send(Lookups(1, "nmi", two)));
    stream->Send(Lookups(2, "nmi", five));
    v1::StreamSnapshotsResponse answer;
    ASSERT_TRUE(stream->Receive(&answer));
    EXPECT_EQ(answer.results_size(), 2);
    const absl::Status status = stream->Finish();
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kResourceExhausted));
    EXPECT_THAT(status.message(), HasSubstr("--max_response_bytes"));
  }
  {
    // Answered lookup by lookup (the first one fails), under the same
    // budget.
    std::unique_ptr<annals::SnapshotStream> stream = client.StreamSnapshots();
    v1::StreamSnapshotsRequest request = Lookups(3, "nmi", five);
    request.mutable_requests(0)->set_entity("no-such-mission");
    stream->Send(request);
    const absl::Status status = stream->Finish();
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kResourceExhausted));
    EXPECT_THAT(status.message(), HasSubstr("requests[4]"));
  }
}

TEST_F(TimelineServiceTest, StreamBeforeTheCatchUpEndsUnavailable) {
  // The head is announced, the changes held back: not caught up.
  auto source = std::make_shared<FakeChangeSource>();
  cv1::Change change;
  change.mutable_entity()->set_name("entities/nmi");
  change.mutable_entity()->set_kind("mission");
  source->Append(change);
  source->Hold(true);
  ASSERT_NO_FATAL_FAILURE(StartTimeline(absl::Seconds(1), source));
  TimelineClient client = Client();
  std::unique_ptr<annals::SnapshotStream> stream = client.StreamSnapshots();
  ASSERT_TRUE(stream->Send(Lookups(1, "nmi", {"2021-06-01"})));
  EXPECT_THAT(stream->Finish(), StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace annals::timeline
