#include "annals/catalog_client.h"

#include <string>
#include <vector>

#include "annals/catalog/v1/catalog_service_mock.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/catalog/server.h"
#include "services/common/status/errors.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace annals {
namespace {

namespace v1 = ::annals::catalog::v1;
using ::annals::testing::StatusIs;
using ::annals::testing::TempDir;
using ::testing::_;
using ::testing::HasSubstr;
using ::testing::Return;

ClientOptions FastRetries() {
  ClientOptions options;
  options.initial_backoff = absl::Milliseconds(1);
  options.max_backoff = absl::Milliseconds(2);
  return options;
}

TEST(CatalogClientTest, UnavailableWriteIsRetriedWithTheSameRequestId) {
  auto stub = std::make_shared<v1::MockCatalogServiceStub>();
  std::vector<std::string> request_ids;
  v1::Entity created;
  created.set_name("entities/nmi");
  created.set_sequence(7);
  EXPECT_CALL(*stub, CreateEntity(_, _, _))
      .Times(3)
      .WillRepeatedly([&](grpc::ClientContext*,
                          const v1::CreateEntityRequest& r,
                          v1::Entity* response) {
        request_ids.push_back(r.request_id());
        if (request_ids.size() < 3) {
          return grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting");
        }
        *response = created;
        return grpc::Status::OK;
      });
  CatalogClient client(stub, FastRetries());
  ASSERT_OK_AND_ASSIGN(v1::Entity entity, client.CreateEntity({}));
  EXPECT_EQ(entity.name(), "entities/nmi");
  ASSERT_EQ(request_ids.size(), 3u);
  EXPECT_FALSE(request_ids[0].empty());
  EXPECT_EQ(request_ids[0], request_ids[1]);
  EXPECT_EQ(request_ids[1], request_ids[2]);
  EXPECT_EQ(client.session()->last_write_sequence(), 7);
}

TEST(CatalogClientTest, ErrorsOtherThanUnavailableAreNotRetried) {
  auto stub = std::make_shared<v1::MockCatalogServiceStub>();
  EXPECT_CALL(*stub, GetEntity(_, _, _))
      .Times(1)
      .WillOnce(Return(grpc::Status(grpc::StatusCode::NOT_FOUND, "no such")));
  CatalogClient client(stub, FastRetries());
  EXPECT_THAT(client.GetEntity("nobody"),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(CatalogClientTest, GivesUpAfterMaxAttempts) {
  auto stub = std::make_shared<v1::MockCatalogServiceStub>();
  ClientOptions options = FastRetries();
  options.max_attempts = 2;
  EXPECT_CALL(*stub, GetEntity(_, _, _))
      .Times(2)
      .WillRepeatedly(
          Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down")));
  CatalogClient client(stub, options);
  EXPECT_THAT(client.GetEntity("nmi"),
              StatusIs(absl::StatusCode::kUnavailable));
}

class CatalogClientServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog::CatalogServerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = dir_.Sub("catalog");
    auto server = catalog::CatalogServer::Start(options);
    ASSERT_OK(server);
    server_ = *std::move(server);
    address_ = "127.0.0.1:" + std::to_string(server_->port());
  }

  TempDir dir_;
  std::unique_ptr<catalog::CatalogServer> server_;
  std::string address_;
};

TEST_F(CatalogClientServerTest, WritesRecordTheirSequenceInTheSession) {
  auto session = std::make_shared<Session>();
  CatalogClient client = CatalogClient::Connect(address_, {}, session);
  v1::CreateEntityRequest request;
  request.set_entity_id("doc");
  request.mutable_entity()->set_kind("source");
  request.mutable_entity()->set_label("Doc");
  ASSERT_OK(client.CreateEntity(request));
  EXPECT_EQ(session->last_write_sequence(), 1);

  v1::ImportRecordsRequest batch;
  auto* entity = batch.add_records()->mutable_entity();
  entity->set_name("entities/nmi");
  entity->set_kind("mission");
  entity->set_label("NMI");
  ASSERT_OK_AND_ASSIGN(auto summary, client.ImportRecords({batch}));
  EXPECT_EQ(summary.entities_created(), 1);
  EXPECT_EQ(session->last_write_sequence(), 2);

  ASSERT_OK_AND_ASSIGN(v1::Entity nmi, client.GetEntity("nmi"));
  EXPECT_EQ(nmi.label(), "NMI");
}

TEST_F(CatalogClientServerTest, ServerErrorDetailsReachTheCaller) {
  CatalogClient client = CatalogClient::Connect(address_);
  v1::CreateEntityRequest request;
  request.set_entity_id("nmi");
  request.mutable_entity()->set_kind("mission");
  request.mutable_entity()->set_label("NMI");
  request.mutable_entity()->mutable_lifespan()->set_edtf("2018-13");
  absl::StatusOr<v1::Entity> result = client.CreateEntity(request);
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("2018-13")));
  EXPECT_THAT(ViolatedFields(result.status()),
              ::testing::ElementsAre("entity.lifespan.edtf"));
}

TEST_F(CatalogClientServerTest, WatchStopsWhenTheCallbackSaysSo) {
  CatalogClient client = CatalogClient::Connect(address_);
  for (std::string id : {"a", "b", "c"}) {
    v1::CreateEntityRequest request;
    request.set_entity_id(id);
    request.mutable_entity()->set_kind("event");
    request.mutable_entity()->set_label(id);
    ASSERT_OK(client.CreateEntity(request));
  }
  std::vector<int64_t> sequences;
  ASSERT_OK(client.WatchChanges(1, [&](const v1::WatchChangesResponse& m) {
    for (const auto& change : m.changes())
      sequences.push_back(change.sequence());
    return sequences.size() < 2;
  }));
  EXPECT_THAT(sequences, ::testing::ElementsAre(2, 3));
}

TEST(CatalogClientUnreachableTest, UnreachableServerIsUnavailable) {
  ClientOptions options = FastRetries();
  options.timeout = absl::Milliseconds(300);
  options.max_attempts = 2;
  // Port 1 on loopback: nothing listens there.
  CatalogClient client = CatalogClient::Connect("127.0.0.1:1", options);
  absl::StatusOr<v1::Entity> result = client.GetEntity("nmi");
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(result.status().code() == absl::StatusCode::kUnavailable ||
              result.status().code() == absl::StatusCode::kDeadlineExceeded)
      << result.status();
}

}  // namespace
}  // namespace annals
