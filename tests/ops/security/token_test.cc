// Bearer tokens on the catalog and the timeline: writes need the token,
// reads only with auth_reads, health and reflection never; refused calls
// change nothing; tokens never reach the log.
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "annals/catalog/v1/catalog_service.grpc.pb.h"
#include "annals/catalog_client.h"
#include "annals/timeline_client.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/common/security/bearer_token.h"
#include "tests/ops/security/security_testing.h"
#include "tests/testing/status_matchers.h"

namespace annals {
namespace {

namespace cv1 = ::annals::catalog::v1;
using ::annals::testing::IsOk;
using ::annals::testing::LocalAddress;
using ::annals::testing::QuickOptions;
using ::annals::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kToken[] = "tok-3f9a1c77e0b2-right";
constexpr char kWrongToken[] = "tok-55d0e8a9f412-wrong";
constexpr char kMissingTokenMessage[] =
    "missing bearer token: this method requires authorization: Bearer "
    "<token>";

cv1::CreateEntityRequest NewEntity(const std::string& id) {
  cv1::CreateEntityRequest request;
  request.set_entity_id(id);
  request.mutable_entity()->set_kind("mission");
  request.mutable_entity()->set_label(absl::StrCat("Mission ", id));
  request.mutable_entity()->mutable_lifespan()->set_edtf("2018-10-01/..");
  return request;
}

// Lists the services over server reflection, with `token` (if any); returns
// the call's status.
grpc::Status ListServicesByReflection(const std::string& address,
                                      const std::string& token) {
  grpc::GenericStub stub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  if (!token.empty()) {
    context.AddMetadata("authorization", security::BearerValue(token));
  }
  auto call = stub.PrepareCall(
      &context,
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag;
  bool ok;
  call->StartCall(reinterpret_cast<void*>(1));
  cq.Next(&tag, &ok);
  // ServerReflectionRequest{list_services: ""}: field 7, length 0.
  const char request_bytes[] = {0x3a, 0x00};
  grpc::Slice slice(request_bytes, sizeof(request_bytes));
  grpc::ByteBuffer request(&slice, 1);
  call->Write(request, reinterpret_cast<void*>(2));
  cq.Next(&tag, &ok);
  grpc::ByteBuffer response;
  call->Read(&response, reinterpret_cast<void*>(3));
  cq.Next(&tag, &ok);
  const bool got_response = ok && response.Length() > 0;
  call->WritesDone(reinterpret_cast<void*>(4));
  cq.Next(&tag, &ok);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  if (status.ok() && !got_response) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "no reflection response");
  }
  return status;
}

class CatalogTokenTest : public ::testing::Test {
 protected:
  void Start(bool auth_reads) {
    catalog::CatalogServerOptions options;
    options.security.auth_token = kToken;
    options.security.auth_reads = auth_reads;
    options.logger = log_.MakeLogger();
    catalog_ = testing::StartCatalog(dir_, options);
    ASSERT_NE(catalog_, nullptr);
  }

  std::string address() const { return LocalAddress(catalog_->port()); }

  CatalogClient Client(const std::string& token) {
    ClientOptions options = QuickOptions();
    options.bearer_token = token;
    return CatalogClient::Connect(address(), options);
  }

  int64_t head() { return catalog_->catalog().head_sequence(); }

  testing::TempDir dir_;
  testing::LogCapture log_;
  std::unique_ptr<catalog::CatalogServer> catalog_;
};

// Every write method, called with `token`, must fail with `code` and
// `message` and leave the catalog as it was.
void ExpectEveryWriteRefused(CatalogClient& client, catalog::Catalog& catalog,
                             const std::string& message) {
  const int64_t head = catalog.head_sequence();
  auto refused = StatusIs(absl::StatusCode::kUnauthenticated, message);
  EXPECT_THAT(client.CreateEntity(NewEntity("ntm-i")), refused);

  cv1::UpdateEntityRequest update;
  update.mutable_entity()->set_name("entities/nmi");
  update.mutable_entity()->set_label("Renamed");
  update.mutable_update_mask()->add_paths("label");
  EXPECT_THAT(client.UpdateEntity(update), refused);

  cv1::DeleteEntityRequest remove;
  remove.set_name("entities/nmi");
  EXPECT_THAT(client.DeleteEntity(remove), refused);

  cv1::CreateStatementRequest statement;
  statement.mutable_statement()->set_subject("nmi");
  statement.mutable_statement()->set_predicate("commander");
  statement.mutable_statement()->mutable_object()->set_text("Someone");
  statement.mutable_statement()->mutable_valid_time()->set_edtf("2019");
  EXPECT_THAT(client.CreateStatement(statement), refused);

  cv1::RetractStatementRequest retract;
  retract.set_name("statements/first");
  EXPECT_THAT(client.RetractStatement(retract), refused);

  cv1::ImportRecordsRequest batch;
  *batch.add_records()->mutable_entity() = NewEntity("imported").entity();
  batch.mutable_records(0)->mutable_entity()->set_name("entities/imported");
  EXPECT_THAT(client.ImportRecords({batch}), refused);

  EXPECT_EQ(catalog.head_sequence(), head) << "a refused write committed";
  cv1::GetEntityRequest get;
  get.set_name("nmi");
  ASSERT_OK_AND_ASSIGN(cv1::Entity nmi, catalog.GetEntity(get));
  EXPECT_EQ(nmi.label(), "Mission nmi");
  EXPECT_FALSE(nmi.has_delete_time());
}

// An entity "nmi" and a statement "first", written with the right token.
void Seed(CatalogClient& client) {
  ASSERT_THAT(client.CreateEntity(NewEntity("nmi")), IsOk());
  cv1::CreateStatementRequest statement;
  statement.set_statement_id("first");
  statement.mutable_statement()->set_subject("nmi");
  statement.mutable_statement()->set_predicate("commander");
  statement.mutable_statement()->mutable_object()->set_text("Someone");
  statement.mutable_statement()->mutable_valid_time()->set_edtf("2019");
  ASSERT_THAT(client.CreateStatement(statement), IsOk());
}

TEST_F(CatalogTokenTest,
       WritesWithoutATokenAreUnauthenticatedAndChangeNothing) {
  Start(/*auth_reads=*/false);
  CatalogClient owner = Client(kToken);
  Seed(owner);
  CatalogClient anonymous = Client("");
  ExpectEveryWriteRefused(anonymous, catalog_->catalog(), kMissingTokenMessage);
}

TEST_F(CatalogTokenTest,
       WritesWithAWrongTokenAreUnauthenticatedAndChangeNothing) {
  Start(/*auth_reads=*/false);
  CatalogClient owner = Client(kToken);
  Seed(owner);
  CatalogClient intruder = Client(kWrongToken);
  ExpectEveryWriteRefused(intruder, catalog_->catalog(),
                          "invalid bearer token");
  // A prefix of the token, or the token with something appended, is wrong.
  CatalogClient prefix = Client(std::string(kToken).substr(0, 10));
  ExpectEveryWriteRefused(prefix, catalog_->catalog(), "invalid bearer token");
  CatalogClient longer = Client(absl::StrCat(kToken, "x"));
  ExpectEveryWriteRefused(longer, catalog_->catalog(), "invalid bearer token");
}

TEST_F(CatalogTokenTest, AuthorizationThatIsNotABearerTokenIsUnauthenticated) {
  Start(/*auth_reads=*/false);
  auto stub = cv1::CatalogService::NewStub(
      grpc::CreateChannel(address(), grpc::InsecureChannelCredentials()));
  for (const std::string& value :
       {absl::StrCat("Basic ", kToken), std::string(kToken),
        std::string("Bearer ")}) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", value);
    cv1::Entity response;
    EXPECT_THAT(stub->CreateEntity(&context, NewEntity("x"), &response),
                StatusIs(absl::StatusCode::kUnauthenticated,
                         HasSubstr("malformed authorization")))
        << value;
  }
  EXPECT_EQ(head(), 0);
}

TEST_F(CatalogTokenTest, TheRightTokenWritesAndTheSchemeIsCaseInsensitive) {
  Start(/*auth_reads=*/false);
  CatalogClient owner = Client(kToken);
  Seed(owner);
  EXPECT_EQ(head(), 2);
  auto stub = cv1::CatalogService::NewStub(
      grpc::CreateChannel(address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("bearer ", kToken));
  cv1::Entity response;
  EXPECT_OK(stub->CreateEntity(&context, NewEntity("ntm-i"), &response));
  EXPECT_EQ(head(), 3);
}

TEST_F(CatalogTokenTest, ReadsStayOpenWithoutAuthReads) {
  Start(/*auth_reads=*/false);
  CatalogClient owner = Client(kToken);
  Seed(owner);
  CatalogClient anonymous = Client("");
  EXPECT_THAT(anonymous.GetEntity("nmi"), IsOk());
  EXPECT_THAT(anonymous.ListEntities({}), IsOk());
  EXPECT_THAT(anonymous.GetStatement("first"), IsOk());
  EXPECT_THAT(anonymous.ListStatements({}), IsOk());
  int messages = 0;
  EXPECT_OK(anonymous.WatchChanges(
      0, [&](const cv1::WatchChangesResponse&) { return ++messages < 2; }));
  EXPECT_EQ(messages, 2);
}

TEST_F(CatalogTokenTest, AuthReadsRequiresTheTokenForEveryRead) {
  Start(/*auth_reads=*/true);
  CatalogClient owner = Client(kToken);
  Seed(owner);
  auto refused = StatusIs(absl::StatusCode::kUnauthenticated);
  for (const std::string& token : {std::string(), std::string(kWrongToken)}) {
    CatalogClient other = Client(token);
    EXPECT_THAT(other.GetEntity("nmi"), refused);
    EXPECT_THAT(other.ListEntities({}), refused);
    EXPECT_THAT(other.GetStatement("first"), refused);
    EXPECT_THAT(other.ListStatements({}), refused);
    EXPECT_THAT(other.WatchChanges(
                    0, [](const cv1::WatchChangesResponse&) { return false; }),
                refused);
  }
  EXPECT_THAT(owner.GetEntity("nmi"), IsOk());
  EXPECT_THAT(owner.ListStatements({}), IsOk());
  EXPECT_OK(owner.WatchChanges(
      0, [](const cv1::WatchChangesResponse&) { return false; }));
}

TEST_F(CatalogTokenTest, HealthAndReflectionStayOpenWithAuthReads) {
  Start(/*auth_reads=*/true);
  auto health = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_OK(health->Check(&context, request, &response));
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_OK(ListServicesByReflection(address(), ""));
}

TEST_F(CatalogTokenTest, TokensNeverReachTheLog) {
  Start(/*auth_reads=*/true);
  CatalogClient owner = Client(kToken);
  Seed(owner);
  EXPECT_THAT(owner.GetEntity("nmi"), IsOk());
  EXPECT_THAT(Client(kWrongToken).GetEntity("nmi"), Not(IsOk()));
  EXPECT_THAT(Client(kWrongToken).CreateEntity(NewEntity("x")), Not(IsOk()));
  EXPECT_THAT(Client("").GetEntity("nmi"), Not(IsOk()));
  auto stub = cv1::CatalogService::NewStub(
      grpc::CreateChannel(address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Basic ", kWrongToken));
  cv1::Entity entity;
  EXPECT_FALSE(stub->GetEntity(&context, {}, &entity).ok());
  catalog_->Shutdown().IgnoreError();

  const std::string log = log_.text();
  // The calls were logged (so the log is the one to search)...
  EXPECT_THAT(log, HasSubstr("CatalogService/CreateEntity code=OK"));
  EXPECT_THAT(log, HasSubstr("code=UNAUTHENTICATED"));
  EXPECT_THAT(log, HasSubstr("call rejected"));
  // ...and neither token, nor a telling piece of one, is in it.
  for (const std::string& secret :
       {std::string(kToken), std::string(kWrongToken), std::string("3f9a1c77"),
        std::string("55d0e8a9")}) {
    EXPECT_THAT(log, Not(HasSubstr(secret))) << log;
  }
}

class TimelineTokenTest : public ::testing::Test {
 protected:
  // A catalog that needs the token for reads, holding one entity.
  void SetUp() override {
    catalog::CatalogServerOptions options;
    options.security.auth_token = kToken;
    options.security.auth_reads = true;
    catalog_ = testing::StartCatalog(dir_, options);
    ASSERT_NE(catalog_, nullptr);
    ClientOptions client_options = QuickOptions();
    client_options.bearer_token = kToken;
    writer_ = std::make_unique<CatalogClient>(
        CatalogClient::Connect(LocalAddress(catalog_->port()), client_options));
    ASSERT_THAT(writer_->CreateEntity(NewEntity("nmi")), IsOk());
  }

  std::unique_ptr<timeline::TimelineServer> StartTimeline(
      const std::string& catalog_token) {
    timeline::TimelineServerOptions options;
    options.catalog = LocalAddress(catalog_->port());
    options.catalog_connection.token = catalog_token;
    options.security.auth_token = kToken;
    options.security.auth_reads = true;
    options.logger = log_.MakeLogger();
    return testing::StartTimeline(options);
  }

  testing::TempDir dir_;
  testing::LogCapture log_;
  std::unique_ptr<catalog::CatalogServer> catalog_;
  std::unique_ptr<CatalogClient> writer_;
};

TEST_F(TimelineTokenTest, FollowsACatalogThatRequiresTheTokenForReads) {
  auto timeline = StartTimeline(kToken);
  ASSERT_NE(timeline, nullptr);
  ASSERT_TRUE(timeline->AwaitCaughtUp(absl::Now() + absl::Seconds(20)));
  EXPECT_EQ(timeline->state().applied_sequence(),
            catalog_->catalog().head_sequence());
}

TEST_F(TimelineTokenTest, WithoutTheCatalogsTokenItNeverCatchesUp) {
  auto timeline = StartTimeline("");
  ASSERT_NE(timeline, nullptr);
  // Refused streams are retried, but can never succeed.
  EXPECT_FALSE(timeline->AwaitCaughtUp(absl::Now() + absl::Seconds(1)));
  EXPECT_EQ(timeline->state().applied_sequence(), 0);
  timeline->Shutdown().IgnoreError();
  EXPECT_THAT(log_.text(), HasSubstr("UNAUTHENTICATED"));
}

TEST_F(TimelineTokenTest, AuthReadsGuardsEveryTimelineQuery) {
  auto timeline = StartTimeline(kToken);
  ASSERT_NE(timeline, nullptr);
  ASSERT_TRUE(timeline->AwaitCaughtUp(absl::Now() + absl::Seconds(20)));
  const std::string address = LocalAddress(timeline->port());
  timeline::v1::GetSnapshotRequest snapshot;
  snapshot.set_entity("nmi");
  snapshot.set_at("2020-01-01");
  timeline::v1::BatchGetSnapshotsRequest batch;
  *batch.add_requests() = snapshot;
  timeline::v1::QueryWindowRequest window;
  timeline::v1::CountActiveRequest count;
  count.set_bucket(timeline::v1::BUCKET_YEAR);
  count.set_from("2018-01-01");
  count.set_to("2020-01-01");
  for (const std::string& token : {std::string(), std::string(kWrongToken)}) {
    ClientOptions options = QuickOptions();
    options.bearer_token = token;
    TimelineClient reader = TimelineClient::Connect(address, options);
    EXPECT_THAT(reader.GetSnapshot(snapshot),
                StatusIs(absl::StatusCode::kUnauthenticated));
    EXPECT_THAT(reader.BatchGetSnapshots(batch),
                StatusIs(absl::StatusCode::kUnauthenticated));
    EXPECT_THAT(reader.QueryWindow(window),
                StatusIs(absl::StatusCode::kUnauthenticated));
    EXPECT_THAT(reader.CountActive(count),
                StatusIs(absl::StatusCode::kUnauthenticated));
  }
  ClientOptions options = QuickOptions();
  options.bearer_token = kToken;
  TimelineClient reader = TimelineClient::Connect(address, options);
  ASSERT_OK_AND_ASSIGN(timeline::v1::GetSnapshotResponse answer,
                       reader.GetSnapshot(snapshot));
  EXPECT_EQ(answer.entity().name(), "entities/nmi");
  ASSERT_OK_AND_ASSIGN(timeline::v1::BatchGetSnapshotsResponse batched,
                       reader.BatchGetSnapshots(batch));
  ASSERT_EQ(batched.snapshots_size(), 1);
  EXPECT_EQ(batched.snapshots(0).entity().name(), "entities/nmi");
  EXPECT_THAT(reader.CountActive(count), IsOk());

  // Health and reflection stay open.
  auto health = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_OK(health->Check(&context, {}, &response));
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_OK(ListServicesByReflection(address, ""));

  timeline->Shutdown().IgnoreError();
  EXPECT_THAT(log_.text(), Not(HasSubstr(kToken)));
  EXPECT_THAT(log_.text(), Not(HasSubstr(kWrongToken)));
}

TEST(CallAuthorizerTest, WithoutATokenEveryCallPasses) {
  security::CallAuthorizer authorizer("", /*auth_reads=*/true);
  EXPECT_FALSE(authorizer.enabled());
  EXPECT_OK(authorizer.Check({}, security::Access::kWrite));
  EXPECT_OK(authorizer.Check({}, security::Access::kRead));
}

TEST(CallAuthorizerTest, ChecksTheBearerValue) {
  security::CallAuthorizer authorizer(kToken, /*auth_reads=*/false);
  std::multimap<grpc::string_ref, grpc::string_ref> metadata;
  EXPECT_THAT(
      authorizer.Check(metadata, security::Access::kWrite),
      StatusIs(absl::StatusCode::kUnauthenticated, kMissingTokenMessage));
  EXPECT_OK(authorizer.Check(metadata, security::Access::kRead));
  const std::string right = security::BearerValue(kToken);
  metadata.emplace("authorization", right);
  EXPECT_OK(authorizer.Check(metadata, security::Access::kWrite));
}

TEST(ConstantTimeEqualsTest, ComparesWholeStrings) {
  EXPECT_TRUE(security::ConstantTimeEquals("abc", "abc"));
  EXPECT_TRUE(security::ConstantTimeEquals("", ""));
  EXPECT_FALSE(security::ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(security::ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(security::ConstantTimeEquals("ab", "abc"));
  EXPECT_FALSE(security::ConstantTimeEquals("abcabc", "abc"));
  EXPECT_FALSE(security::ConstantTimeEquals("", "abc"));
  EXPECT_FALSE(security::ConstantTimeEquals("abc", ""));
}

TEST(ReadTokenFileTest, TrimsWhitespaceAndRefusesEmptyOrSpacedTokens) {
  testing::TempDir dir;
  testing::WriteFile(dir.Sub("token"), absl::StrCat("  ", kToken, "\n\n"));
  EXPECT_THAT(security::ReadTokenFile("--auth_token_file", dir.Sub("token")),
              ::annals::testing::IsOkAndHolds(std::string(kToken)));

  testing::WriteFile(dir.Sub("empty"), " \n\t\n");
  EXPECT_THAT(
      security::ReadTokenFile("--auth_token_file", dir.Sub("empty")),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is empty")));

  testing::WriteFile(dir.Sub("two-words"), "secret words-here\n");
  auto spaced =
      security::ReadTokenFile("--auth_token_file", dir.Sub("two-words"));
  EXPECT_THAT(spaced, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(spaced.status().message()), Not(HasSubstr("secret")));

  EXPECT_THAT(
      security::ReadTokenFile("--auth_token_file", dir.Sub("none")),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cannot read")));
}

}  // namespace
}  // namespace annals
