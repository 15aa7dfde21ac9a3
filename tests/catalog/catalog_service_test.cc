// CatalogService through a real gRPC server on 127.0.0.1:0.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "annals/catalog/v1/catalog_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "services/catalog/server.h"
#include "services/common/status/errors.h"
#include "services/common/status/grpc_status.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace annals::catalog {
namespace {

using ::annals::testing::StatusIs;
using ::annals::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class CatalogServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CatalogServerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = dir_.Sub("catalog");
    options.max_receive_message_bytes = 1 << 20;
    auto server = CatalogServer::Start(options);
    ASSERT_OK(server);
    server_ = *std::move(server);
    channel_ =
        grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                            grpc::InsecureChannelCredentials());
    stub_ = v1::CatalogService::NewStub(channel_);
  }

  grpc::Status CreateEntity(const std::string& id, const std::string& kind,
                            v1::Entity* out = nullptr) {
    v1::CreateEntityRequest request;
    request.set_entity_id(id);
    request.mutable_entity()->set_kind(kind);
    request.mutable_entity()->set_label(id);
    v1::Entity response;
    grpc::ClientContext context;
    grpc::Status status = stub_->CreateEntity(&context, request, &response);
    if (out != nullptr) *out = response;
    return status;
  }

  TempDir dir_;
  std::unique_ptr<CatalogServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CatalogService::Stub> stub_;
};

TEST_F(CatalogServiceTest, CreateThenGetOverTheWire) {
  v1::Entity created;
  ASSERT_OK(CreateEntity("nmi", "mission", &created));
  EXPECT_EQ(created.sequence(), 1);

  v1::GetEntityRequest get;
  get.set_name("nmi");
  v1::Entity fetched;
  grpc::ClientContext context;
  ASSERT_OK(stub_->GetEntity(&context, get, &fetched));
  EXPECT_EQ(fetched.name(), "entities/nmi");
  EXPECT_EQ(fetched.etag(), created.etag());
}

TEST_F(CatalogServiceTest, InvalidArgumentCarriesBadRequestDetails) {
  v1::CreateEntityRequest request;
  request.set_entity_id("Not An Id");
  request.mutable_entity()->set_kind("mission");
  request.mutable_entity()->set_label("x");
  v1::Entity response;
  grpc::ClientContext context;
  grpc::Status status = stub_->CreateEntity(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("entity_id"));

  // The binary details decode as google.rpc.Status with a BadRequest.
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details()));
  EXPECT_EQ(details.code(),
            static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  bool found = false;
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad_request;
    if (any.UnpackTo(&bad_request)) {
      found = true;
      ASSERT_EQ(bad_request.field_violations_size(), 1);
      EXPECT_EQ(bad_request.field_violations(0).field(), "entity_id");
    }
  }
  EXPECT_TRUE(found);
  EXPECT_THAT(ViolatedFields(FromGrpcStatus(status)), ElementsAre("entity_id"));
}

TEST_F(CatalogServiceTest, OversizedRequestIsRejectedAndWritesNothing) {
  v1::CreateEntityRequest request;
  request.set_entity_id("big");
  request.mutable_entity()->set_kind("event");
  request.mutable_entity()->set_label("big");
  request.mutable_entity()->set_description(std::string(2 << 20, 'x'));
  v1::Entity response;
  grpc::ClientContext context;
  grpc::Status status = stub_->CreateEntity(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(server_->catalog().head_sequence(), 0);
}

TEST_F(CatalogServiceTest, ImportStreamCommitsEachBatchAndSummarizes) {
  grpc::ClientContext context;
  v1::ImportRecordsResponse summary;
  auto writer = stub_->ImportRecords(&context, &summary);
  v1::ImportRecordsRequest batch;
  google::protobuf::TextFormat::ParseFromString(
      "records { entity { name: 'doc' kind: 'source' label: 'Doc' } }"
      "records { entity { name: 'nmi' kind: 'mission' label: 'NMI' } }",
      &batch);
  ASSERT_TRUE(writer->Write(batch));
  batch.Clear();
  google::protobuf::TextFormat::ParseFromString(
      "records { statement { subject: 'nmi' predicate: 'personnel' "
      "object { quantity { amount: '500' unit: 'personnel' } } "
      "valid_time { edtf: '2021' } sources { source: 'doc' } } }",
      &batch);
  ASSERT_TRUE(writer->Write(batch));
  ASSERT_TRUE(writer->WritesDone());
  ASSERT_OK(writer->Finish());
  EXPECT_EQ(summary.batches(), 2);
  EXPECT_EQ(summary.entities_created(), 2);
  EXPECT_EQ(summary.statements_created(), 1);
  EXPECT_EQ(summary.last_sequence(), 3);
}

TEST_F(CatalogServiceTest, ImportStopsAtFirstBadBatchKeepingEarlierOnes) {
  grpc::ClientContext context;
  v1::ImportRecordsResponse summary;
  auto writer = stub_->ImportRecords(&context, &summary);
  v1::ImportRecordsRequest good;
  google::protobuf::TextFormat::ParseFromString(
      "records { entity { name: 'nmi' kind: 'mission' label: 'NMI' } }", &good);
  v1::ImportRecordsRequest bad;
  google::protobuf::TextFormat::ParseFromString(
      "records { entity { name: 'ok' kind: 'mission' label: 'OK' } }"
      "records { entity { name: 'BAD' kind: 'mission' label: 'Bad' } }",
      &bad);
  writer->Write(good);
  writer->Write(bad);
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("batch 1"));
  EXPECT_THAT(status.error_message(), HasSubstr("records[1].entity.name"));
  EXPECT_EQ(server_->catalog().head_sequence(), 1);
}

TEST_F(CatalogServiceTest, KeepGoingImportReportsRefusedRecordsOfEveryBatch) {
  grpc::ClientContext context;
  v1::ImportRecordsResponse summary;
  auto writer = stub_->ImportRecords(&context, &summary);
  v1::ImportRecordsRequest first;
  google::protobuf::TextFormat::ParseFromString(
      "error_mode: IMPORT_ERROR_MODE_KEEP_GOING "
      "records { entity { name: 'nmi' kind: 'mission' label: 'NMI' } }"
      "records { entity { name: 'BAD' kind: 'mission' label: 'Bad' } }",
      &first);
  v1::ImportRecordsRequest second;
  google::protobuf::TextFormat::ParseFromString(
      "error_mode: IMPORT_ERROR_MODE_KEEP_GOING "
      "records { statement { subject: 'nmi' predicate: 'motto' "
      "object { text: 'x' } valid_time { edtf: '2021-13' } } }"
      "records { statement { subject: 'nmi' predicate: 'motto' "
      "object { text: 'y' } valid_time { edtf: '2021' } } }",
      &second);
  ASSERT_TRUE(writer->Write(first));
  ASSERT_TRUE(writer->Write(second));
  ASSERT_TRUE(writer->WritesDone());
  ASSERT_OK(writer->Finish());
  EXPECT_EQ(summary.batches(), 2);
  EXPECT_EQ(summary.refused(), 2);
  ASSERT_EQ(summary.refused_records_size(), 2);
  EXPECT_EQ(summary.refused_records(0).batch(), 0);
  EXPECT_EQ(summary.refused_records(0).record(), 1);
  EXPECT_EQ(summary.refused_records(0).field(), "records[1].entity.name");
  EXPECT_EQ(summary.refused_records(0).code(), "INVALID_ARGUMENT");
  EXPECT_EQ(summary.refused_records(1).batch(), 1);
  EXPECT_EQ(summary.refused_records(1).record(), 0);
  EXPECT_EQ(summary.refused_records(1).field(),
            "records[0].statement.valid_time.edtf");
  EXPECT_EQ(summary.entities_created(), 1);
  EXPECT_EQ(summary.statements_created(), 1);
  EXPECT_EQ(summary.last_sequence(), 2);
  EXPECT_EQ(server_->catalog().head_sequence(), 2);
}

TEST_F(CatalogServiceTest,
       ValidateOnlyStreamChecksAcrossBatchesAndCommitsNone) {
  grpc::ClientContext context;
  v1::ImportRecordsResponse summary;
  auto writer = stub_->ImportRecords(&context, &summary);
  v1::ImportRecordsRequest first;
  google::protobuf::TextFormat::ParseFromString(
      "validate_only: true "
      "records { entity { name: 'doc' kind: 'source' label: 'Doc' } }"
      "records { entity { name: 'nmi' kind: 'mission' label: 'NMI' } }",
      &first);
  v1::ImportRecordsRequest second;
  google::protobuf::TextFormat::ParseFromString(
      "validate_only: true "
      "records { statement { subject: 'nmi' predicate: 'motto' "
      "object { text: 'y' } valid_time { edtf: '2021' } "
      "sources { source: 'doc' } } }",
      &second);
  ASSERT_TRUE(writer->Write(first));
  ASSERT_TRUE(writer->Write(second));
  ASSERT_TRUE(writer->WritesDone());
  ASSERT_OK(writer->Finish());
  EXPECT_EQ(summary.batches_validated(), 2);
  EXPECT_EQ(summary.batches(), 0);
  EXPECT_EQ(summary.last_sequence(), 0);
  EXPECT_EQ(summary.entities_created(), 2);
  EXPECT_EQ(summary.statements_created(), 1);
  EXPECT_EQ(server_->catalog().head_sequence(), 0);
}

// Reads the feed from `after` until `count` changes arrived.
std::vector<v1::Change> ReadFeed(v1::CatalogService::Stub& stub, int64_t after,
                                 size_t count,
                                 std::string* catalog_id = nullptr) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  v1::WatchChangesRequest request;
  request.set_after_sequence(after);
  auto reader = stub.WatchChanges(&context, request);
  std::vector<v1::Change> changes;
  v1::WatchChangesResponse message;
  while (changes.size() < count && reader->Read(&message)) {
    if (catalog_id != nullptr) *catalog_id = message.catalog_id();
    for (const auto& change : message.changes()) changes.push_back(change);
  }
  context.TryCancel();
  reader->Finish().IgnoreError();
  return changes;
}

TEST_F(CatalogServiceTest, FeedFromZeroSeesEveryConcurrentWriteOnceInOrder) {
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 30;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([this, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        EXPECT_OK(CreateEntity(
            "w" + std::to_string(w) + "-" + std::to_string(i), "event"));
      }
    });
  }
  for (auto& writer : writers) writer.join();

  std::string catalog_id;
  std::vector<v1::Change> changes =
      ReadFeed(*stub_, 0, kWriters * kPerWriter, &catalog_id);
  ASSERT_EQ(changes.size(), static_cast<size_t>(kWriters * kPerWriter));
  std::set<std::string> names;
  for (size_t i = 0; i < changes.size(); ++i) {
    EXPECT_EQ(changes[i].sequence(), static_cast<int64_t>(i + 1));
    names.insert(changes[i].entity().name());
  }
  EXPECT_EQ(names.size(), changes.size());
  EXPECT_EQ(catalog_id, server_->catalog().catalog_id());
}

TEST_F(CatalogServiceTest, FeedStreamsLiveChangesWhileWritersRun) {
  constexpr int kTotal = 60;
  std::vector<v1::Change> changes;
  std::thread reader([&] { changes = ReadFeed(*stub_, 0, kTotal); });
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([this, w] {
      for (int i = 0; i < kTotal / 3; ++i) {
        EXPECT_OK(CreateEntity(
            "l" + std::to_string(w) + "-" + std::to_string(i), "event"));
      }
    });
  }
  for (auto& writer : writers) writer.join();
  reader.join();
  ASSERT_EQ(changes.size(), static_cast<size_t>(kTotal));
  for (size_t i = 0; i < changes.size(); ++i) {
    EXPECT_EQ(changes[i].sequence(), static_cast<int64_t>(i + 1));
  }
}

TEST_F(CatalogServiceTest, ReconnectingReaderResumesAfterItsLastSequence) {
  for (int i = 0; i < 10; ++i)
    ASSERT_OK(CreateEntity("e" + std::to_string(i), "event"));
  std::vector<v1::Change> first = ReadFeed(*stub_, 0, 4);
  ASSERT_GE(first.size(), 4u);
  int64_t last = first[3].sequence();
  std::vector<v1::Change> rest = ReadFeed(*stub_, last, 10 - last);
  ASSERT_EQ(rest.size(), static_cast<size_t>(10 - last));
  EXPECT_EQ(rest.front().sequence(), last + 1);
  EXPECT_EQ(rest.back().sequence(), 10);
}

TEST_F(CatalogServiceTest, NegativeAfterSequenceIsInvalidArgument) {
  grpc::ClientContext context;
  v1::WatchChangesRequest request;
  request.set_after_sequence(-1);
  auto reader = stub_->WatchChanges(&context, request);
  v1::WatchChangesResponse message;
  EXPECT_FALSE(reader->Read(&message));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(CatalogServiceTest, ShutdownEndsOpenFeedStreams) {
  grpc::ClientContext context;
  v1::WatchChangesRequest request;
  auto reader = stub_->WatchChanges(&context, request);
  v1::WatchChangesResponse message;
  ASSERT_TRUE(reader->Read(&message));  // the header
  ASSERT_OK(server_->Shutdown(absl::Milliseconds(200)));
  while (reader->Read(&message)) {
  }
  EXPECT_FALSE(reader->Finish().ok());
}

TEST_F(CatalogServiceTest, ShutdownEndsIdleFeedStreamsAsUnavailable) {
  ASSERT_OK(CreateEntity("nmi", "mission"));
  grpc::ClientContext context;
  v1::WatchChangesRequest request;
  auto reader = stub_->WatchChanges(&context, request);
  v1::WatchChangesResponse message;
  int64_t received = 0;
  while (received < 1 && reader->Read(&message)) {
    for (const auto& change : message.changes()) received = change.sequence();
  }
  ASSERT_EQ(received, 1);
  // A long grace: the stream must not wait for it to run out (it would end
  // CANCELLED then), but end at once, telling the reader to reconnect.
  std::thread stopper(
      [this] { EXPECT_OK(server_->Shutdown(absl::Seconds(60))); });
  while (reader->Read(&message)) {
  }
  grpc::Status status = reader->Finish();
  stopper.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), HasSubstr("shutting down"));
}

}  // namespace
}  // namespace annals::catalog
