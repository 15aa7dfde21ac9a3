// TLS and mutual TLS on the catalog and the timeline, with certificates made
// by openssl at test time, through the C++ client.
#include "services/common/security/tls.h"

#include <memory>
#include <string>

#include "annals/catalog_client.h"
#include "annals/channel.h"
#include "annals/timeline_client.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/ops/security/security_testing.h"
#include "tests/testing/status_matchers.h"

namespace annals {
namespace {

using ::annals::testing::IsOk;
using ::annals::testing::LocalAddress;
using ::annals::testing::QuickOptions;
using ::annals::testing::StatusIs;
using ::annals::testing::TestPki;

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(pki_.ok()) << "openssl failed"; }

  // A catalog serving TLS (and requiring client certificates if `mutual`).
  void StartTlsCatalog(bool mutual) {
    catalog::CatalogServerOptions options;
    options.security.tls = pki_.ServerTls(mutual);
    catalog_ = testing::StartCatalog(dir_, options);
    ASSERT_NE(catalog_, nullptr);
  }

  // GetEntity on a missing entity: NOT_FOUND means the call got through
  // the handshake to the service.
  absl::Status Probe(const ClientOptions& options) {
    CatalogClient client =
        CatalogClient::Connect(LocalAddress(catalog_->port()), options);
    return client.GetEntity("nobody").status();
  }

  ClientOptions WithTls(TlsOptions tls) {
    ClientOptions options = QuickOptions();
    options.tls = std::move(tls);
    return options;
  }

  TestPki pki_;
  testing::TempDir dir_;
  std::unique_ptr<catalog::CatalogServer> catalog_;
};

TEST_F(TlsTest, PlaintextClientAgainstTlsServerFails) {
  StartTlsCatalog(/*mutual=*/false);
  EXPECT_THAT(Probe(QuickOptions()), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(TlsTest, TlsClientTrustingTheServersCaWorks) {
  StartTlsCatalog(/*mutual=*/false);
  EXPECT_THAT(Probe(WithTls(pki_.ClientTls("ca"))),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(TlsTest, TlsClientTrustingAnotherCaFails) {
  StartTlsCatalog(/*mutual=*/false);
  EXPECT_THAT(Probe(WithTls(pki_.ClientTls("other-ca"))),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(TlsTest, TlsClientCanNameTheServerByItsCertificateName) {
  StartTlsCatalog(/*mutual=*/false);
  TlsOptions tls = pki_.ClientTls("ca");
  tls.server_name = "localhost";
  EXPECT_THAT(Probe(WithTls(tls)), StatusIs(absl::StatusCode::kNotFound));
  tls.server_name = "elsewhere.example";
  EXPECT_THAT(Probe(WithTls(tls)), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(TlsTest, MutualTlsRefusesAClientWithoutCertificate) {
  StartTlsCatalog(/*mutual=*/true);
  EXPECT_THAT(Probe(WithTls(pki_.ClientTls("ca", ""))),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(TlsTest, MutualTlsRefusesAClientCertificateFromAnotherCa) {
  StartTlsCatalog(/*mutual=*/true);
  EXPECT_THAT(Probe(WithTls(pki_.ClientTls("ca", "other-client"))),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(TlsTest, MutualTlsAcceptsAClientCertificateFromItsCa) {
  StartTlsCatalog(/*mutual=*/true);
  EXPECT_THAT(Probe(WithTls(pki_.ClientTls("ca", "client"))),
              StatusIs(absl::StatusCode::kNotFound));
  // And writes go through too.
  CatalogClient client = CatalogClient::Connect(
      LocalAddress(catalog_->port()), WithTls(pki_.ClientTls("ca", "client")));
  catalog::v1::CreateEntityRequest request;
  request.set_entity_id("nmi");
  request.mutable_entity()->set_kind("mission");
  request.mutable_entity()->set_label("NATO Mission Iraq");
  EXPECT_THAT(client.CreateEntity(request), IsOk());
}

TEST_F(TlsTest, HealthIsServedOverTlsToo) {
  StartTlsCatalog(/*mutual=*/true);
  auto stub = grpc::health::v1::Health::NewStub(CreateChannel(
      LocalAddress(catalog_->port()), WithTls(pki_.ClientTls("ca", "client"))));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_OK(stub->Check(&context, request, &response));
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(TlsTest, TimelineServesTlsAndFollowsATlsCatalog) {
  StartTlsCatalog(/*mutual=*/true);
  CatalogClient writer = CatalogClient::Connect(
      LocalAddress(catalog_->port()), WithTls(pki_.ClientTls("ca", "client")));
  catalog::v1::CreateEntityRequest request;
  request.set_entity_id("nmi");
  request.mutable_entity()->set_kind("mission");
  request.mutable_entity()->set_label("NATO Mission Iraq");
  request.mutable_entity()->mutable_lifespan()->set_edtf("2018-10-01/..");
  ASSERT_THAT(writer.CreateEntity(request), IsOk());

  timeline::TimelineServerOptions options;
  options.catalog = LocalAddress(catalog_->port());
  security::ClientTls catalog_tls{.ca_pem = pki_.Pem("ca.pem"),
                                  .cert_pem = pki_.Pem("client.pem"),
                                  .key_pem = pki_.Pem("client.key")};
  ASSERT_OK_AND_ASSIGN(options.catalog_connection.credentials,
                       security::MakeChannelCredentials(catalog_tls));
  options.security.tls = pki_.ServerTls(/*mutual=*/false);
  auto timeline = testing::StartTimeline(options);
  ASSERT_NE(timeline, nullptr);
  ASSERT_TRUE(timeline->AwaitCaughtUp(absl::Now() + absl::Seconds(20)));

  // A plaintext reader is refused; a TLS reader sees the entity.
  timeline::v1::GetSnapshotRequest snapshot;
  snapshot.set_entity("nmi");
  snapshot.set_at("2020-01-01");
  EXPECT_THAT(
      TimelineClient::Connect(LocalAddress(timeline->port()), QuickOptions())
          .GetSnapshot(snapshot),
      StatusIs(absl::StatusCode::kUnavailable));
  TimelineClient reader =
      TimelineClient::Connect(LocalAddress(timeline->port()),
                              WithTls(pki_.ClientTls("ca")), writer.session());
  ASSERT_OK_AND_ASSIGN(timeline::v1::GetSnapshotResponse answer,
                       reader.GetSnapshot(snapshot));
  EXPECT_EQ(answer.entity().name(), "entities/nmi");
}

TEST(ServerTlsConfigTest, InconsistentSettingsAreRefusedAtStart) {
  testing::TempDir dir;
  catalog::CatalogServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir.Sub("catalog");
  options.security.tls.key_pem = "-----BEGIN PRIVATE KEY-----";
  EXPECT_THAT(catalog::CatalogServer::Start(options),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ReadPemFileTest, NamesTheSourceWhenTheFileHoldsNoPem) {
  testing::TempDir dir;
  testing::WriteFile(dir.Sub("cert.pem"), "not a certificate\n");
  EXPECT_THAT(security::ReadPemFile("--tls_cert", dir.Sub("cert.pem"),
                                    security::PemKind::kCertificate),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::AllOf(::testing::HasSubstr("--tls_cert"),
                                        ::testing::HasSubstr("no PEM"))));
  EXPECT_THAT(security::ReadPemFile("--tls_key", dir.Sub("missing.key"),
                                    security::PemKind::kPrivateKey),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("cannot read")));
}

}  // namespace
}  // namespace annals
