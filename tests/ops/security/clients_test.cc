// The C++ client and the `annals` CLI (run in process) against a catalog
// and a timeline that require mutual TLS and a bearer token for every call,
// and `annals health`.
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "annals/catalog_client.h"
#include "annals/timeline_client.h"
#include "clients/cli/cli.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/security/tls.h"
#include "tests/ops/security/security_testing.h"
#include "tests/testing/status_matchers.h"

namespace annals {
namespace {

namespace cv1 = ::annals::catalog::v1;
using ::annals::testing::IsOk;
using ::annals::testing::LocalAddress;
using ::annals::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kToken[] = "cli-token-0c4b1d9e";

struct Result {
  int status;
  std::string out;
  std::string err;
};

// One world for the suite: a catalog requiring mutual TLS and the token for
// everything, and a timeline serving TLS (token for everything too) that
// follows it with its own client certificate and the token.
class SecureClientsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new testing::TestPki();
    ASSERT_TRUE(pki_->ok()) << "openssl failed";
    testing::WriteFile(pki_->Path("token"), absl::StrCat(kToken, "\n"));
    testing::WriteFile(pki_->Path("empty-token"), "\n");
    dir_ = new testing::TempDir();
    catalog::CatalogServerOptions catalog_options;
    catalog_options.security.tls = pki_->ServerTls(/*mutual=*/true);
    catalog_options.security.auth_token = kToken;
    catalog_options.security.auth_reads = true;
    catalog_ = testing::StartCatalog(*dir_, catalog_options).release();
    ASSERT_NE(catalog_, nullptr);

    timeline::TimelineServerOptions timeline_options;
    timeline_options.catalog = LocalAddress(catalog_->port());
    security::ClientTls catalog_tls{.ca_pem = pki_->Pem("ca.pem"),
                                    .cert_pem = pki_->Pem("client.pem"),
                                    .key_pem = pki_->Pem("client.key")};
    auto credentials = security::MakeChannelCredentials(catalog_tls);
    ASSERT_TRUE(credentials.ok());
    timeline_options.catalog_connection.credentials = *credentials;
    timeline_options.catalog_connection.token = kToken;
    timeline_options.security.tls = pki_->ServerTls(/*mutual=*/false);
    timeline_options.security.auth_token = kToken;
    timeline_options.security.auth_reads = true;
    timeline_ = testing::StartTimeline(timeline_options).release();
    ASSERT_NE(timeline_, nullptr);
  }

  static void TearDownTestSuite() {
    delete timeline_;
    delete catalog_;
    delete dir_;
    delete pki_;
  }

  static std::vector<std::string> Addresses() {
    return {"--catalog=" + LocalAddress(catalog_->port()),
            "--timeline=" + LocalAddress(timeline_->port())};
  }

  static std::vector<std::string> SecurityFlags() {
    return {"--tls_ca=" + pki_->Path("ca.pem"),
            "--tls_cert=" + pki_->Path("client.pem"),
            "--tls_key=" + pki_->Path("client.key"),
            "--token_file=" + pki_->Path("token")};
  }

  static Result RunCli(const std::vector<std::string>& argv,
                       const cli::Environment& environment = {}) {
    std::ostringstream out, err;
    int status = cli::Run(argv, out, err, environment);
    return {status, out.str(), err.str()};
  }

  // Addresses, then `flags`, then `command`.
  static Result Annals(const std::vector<std::string>& flags,
                       const std::vector<std::string>& command,
                       cli::Environment environment = {}) {
    std::vector<std::string> argv = Addresses();
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.insert(argv.end(), command.begin(), command.end());
    return RunCli(argv, environment);
  }

  static testing::TestPki* pki_;
  static testing::TempDir* dir_;
  static catalog::CatalogServer* catalog_;
  static timeline::TimelineServer* timeline_;
};

testing::TestPki* SecureClientsTest::pki_ = nullptr;
testing::TempDir* SecureClientsTest::dir_ = nullptr;
catalog::CatalogServer* SecureClientsTest::catalog_ = nullptr;
timeline::TimelineServer* SecureClientsTest::timeline_ = nullptr;

TEST_F(SecureClientsTest, CliWithTlsAndTokenFlagsWritesAndReads) {
  Result created =
      Annals(SecurityFlags(),
             {"create", "entity", "nmi", "--kind=mission",
              "--label=NATO Mission Iraq", "--lifespan=2018-10-01/.."});
  ASSERT_EQ(created.status, 0) << created.err;
  Result got = Annals(SecurityFlags(), {"get", "nmi"});
  ASSERT_EQ(got.status, 0) << got.err;
  EXPECT_THAT(got.out, HasSubstr("NATO Mission Iraq"));

  // The timeline, over TLS with the token, answers once it has the write.
  const std::string sequence =
      absl::StrCat(catalog_->catalog().head_sequence());
  std::vector<std::string> flags = SecurityFlags();
  flags.push_back("--min-sequence=" + sequence);
  Result snapshot = Annals(flags, {"snapshot", "nmi", "--at=2020-01-01"});
  ASSERT_EQ(snapshot.status, 0) << snapshot.err;
  EXPECT_THAT(snapshot.out, HasSubstr("NATO Mission Iraq"));
}

TEST_F(SecureClientsTest, CliReadsTlsAndTokenFromTheEnvironment) {
  cli::Environment environment;
  environment.variables = {{"ANNALS_TLS_CA", pki_->Path("ca.pem")},
                           {"ANNALS_TLS_CERT", pki_->Path("client.pem")},
                           {"ANNALS_TLS_KEY", pki_->Path("client.key")},
                           {"ANNALS_TOKEN_FILE", pki_->Path("token")}};
  Result listed = Annals({}, {"list", "entities"}, environment);
  EXPECT_EQ(listed.status, 0) << listed.err;

  // A flag wins over the environment.
  Result empty_token = Annals({"--token_file=" + pki_->Path("empty-token")},
                              {"list", "entities"}, environment);
  EXPECT_EQ(empty_token.status, 2);
}

TEST_F(SecureClientsTest, CliWithoutTheTokenIsUnauthenticated) {
  std::vector<std::string> flags = SecurityFlags();
  flags.pop_back();  // --token_file
  Result result = Annals(flags, {"get", "nmi"});
  EXPECT_EQ(result.status, 1);
  EXPECT_THAT(result.err, HasSubstr("UNAUTHENTICATED: missing bearer token"));
}

TEST_F(SecureClientsTest, CliWithoutTlsCannotConnect) {
  Result result = Annals({"--token_file=" + pki_->Path("token"), "--timeout=5"},
                         {"list", "entities"});
  EXPECT_EQ(result.status, 1);
  EXPECT_THAT(result.err, HasSubstr("UNAVAILABLE"));
}

TEST_F(SecureClientsTest, CliRefusesUnreadableTlsAndTokenFiles) {
  Result no_ca =
      Annals({"--tls_ca=" + pki_->Path("missing.pem")}, {"list", "entities"});
  EXPECT_EQ(no_ca.status, 2);
  EXPECT_THAT(no_ca.err, HasSubstr("--tls_ca"));
  EXPECT_THAT(no_ca.err, HasSubstr("cannot read"));

  Result lone_cert = Annals({"--tls_ca=" + pki_->Path("ca.pem"),
                             "--tls_cert=" + pki_->Path("client.pem")},
                            {"list", "entities"});
  EXPECT_EQ(lone_cert.status, 2);

  Result empty_token = Annals({"--token_file=" + pki_->Path("empty-token")},
                              {"list", "entities"});
  EXPECT_EQ(empty_token.status, 2);
  EXPECT_THAT(empty_token.err, HasSubstr("--token_file"));
  EXPECT_THAT(empty_token.err, HasSubstr("is empty"));
}

TEST_F(SecureClientsTest, HealthPrintsServingAndExitsZero) {
  Result catalog = Annals(SecurityFlags(), {"health"});
  EXPECT_EQ(catalog.status, 0) << catalog.err;
  EXPECT_EQ(catalog.out, "SERVING\n");

  Result service =
      Annals(SecurityFlags(),
             {"health", "--service=annals.catalog.v1.CatalogService"});
  EXPECT_EQ(service.status, 0) << service.err;
  EXPECT_EQ(service.out, "SERVING\n");

  ASSERT_TRUE(timeline_->AwaitCaughtUp(absl::Now() + absl::Seconds(20)));
  Result timeline = Annals(SecurityFlags(), {"health", "timeline"});
  EXPECT_EQ(timeline.status, 0) << timeline.err;
  EXPECT_EQ(timeline.out, "SERVING\n");

  // --timeline=ADDRESS after the command picks the timeline too.
  std::vector<std::string> argv = SecurityFlags();
  argv.push_back("health");
  argv.push_back("--timeline=" + LocalAddress(timeline_->port()));
  argv.push_back("--json");
  Result by_flag = RunCli(argv);
  EXPECT_EQ(by_flag.status, 0) << by_flag.err;
  EXPECT_EQ(by_flag.out, "{\"status\":\"SERVING\"}\n");
}

TEST_F(SecureClientsTest, HealthOfAnUnknownServiceFails) {
  Result result = Annals(SecurityFlags(), {"health", "--service=nope.Nope"});
  EXPECT_EQ(result.status, 1);
  EXPECT_THAT(result.err, HasSubstr("NOT_FOUND"));
  Result usage = Annals(SecurityFlags(), {"health", "sideways"});
  EXPECT_EQ(usage.status, 2);
}

TEST(CliHealthTest, ATimelineThatCannotReachItsCatalogIsNotServing) {
  timeline::TimelineServerOptions options;
  options.catalog = "127.0.0.1:1";  // nothing listens there
  auto timeline = testing::StartTimeline(options);
  ASSERT_NE(timeline, nullptr);
  std::ostringstream out, err;
  // A bare --timeline after the command: the timeline at its address.
  cli::Environment environment;
  environment.variables["ANNALS_TIMELINE"] = LocalAddress(timeline->port());
  int status = cli::Run({"health", "--timeline"}, out, err, environment);
  EXPECT_EQ(status, 1) << err.str();
  EXPECT_EQ(out.str(), "NOT_SERVING\n");
}

TEST(CliHelpTest, ListsTheSecurityFlagsAndTheirVariables) {
  std::ostringstream out, err;
  EXPECT_EQ(cli::Run({"--help"}, out, err, {}), 0);
  for (const char* text :
       {"--tls_ca", "--tls_cert", "--tls_key", "--token_file", "ANNALS_TLS_CA",
        "ANNALS_TLS_CERT", "ANNALS_TLS_KEY", "ANNALS_TOKEN_FILE", "health"}) {
    EXPECT_THAT(out.str(), HasSubstr(text));
  }
  std::ostringstream health_out;
  EXPECT_EQ(cli::Run({"health", "--help"}, health_out, err, {}), 0);
  EXPECT_THAT(health_out.str(), HasSubstr("SERVING"));
}

TEST_F(SecureClientsTest, CppClientConnectsWithTlsFilesAndToken) {
  ClientOptions options;
  options.max_attempts = 1;
  ASSERT_OK_AND_ASSIGN(
      options.tls, LoadTlsFiles(pki_->Path("ca.pem"), pki_->Path("client.pem"),
                                pki_->Path("client.key")));
  ASSERT_OK_AND_ASSIGN(options.bearer_token,
                       ReadTokenFile(pki_->Path("token")));
  EXPECT_EQ(options.bearer_token, kToken);

  CatalogClient catalog =
      CatalogClient::Connect(LocalAddress(catalog_->port()), options);
  cv1::CreateEntityRequest request;
  request.set_entity_id("ntm-i");
  request.mutable_entity()->set_kind("mission");
  request.mutable_entity()->set_label("NATO Training Mission Iraq");
  request.mutable_entity()->mutable_lifespan()->set_edtf("2004-08/2011-12");
  ASSERT_THAT(catalog.CreateEntity(request), IsOk());

  TimelineClient timeline = TimelineClient::Connect(
      LocalAddress(timeline_->port()), options, catalog.session());
  timeline::v1::GetSnapshotRequest snapshot;
  snapshot.set_entity("ntm-i");
  snapshot.set_at("2010-01-01");
  ASSERT_OK_AND_ASSIGN(timeline::v1::GetSnapshotResponse answer,
                       timeline.GetSnapshot(snapshot));
  EXPECT_EQ(answer.entity().label(), "NATO Training Mission Iraq");

  // The same client without its token is refused.
  options.bearer_token.clear();
  EXPECT_THAT(CatalogClient::Connect(LocalAddress(catalog_->port()), options)
                  .GetEntity("ntm-i"),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(LoadTlsFilesTest, RefusesACertificateWithoutItsKey) {
  testing::TestPki pki;
  ASSERT_TRUE(pki.ok());
  EXPECT_THAT(LoadTlsFiles("", pki.Path("client.pem"), ""),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(LoadTlsFiles(pki.Path("client.key"), "", ""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("no PEM certificate")));
  EXPECT_THAT(LoadTlsFiles(pki.Path("ca.pem"), "", ""), IsOk());
}

}  // namespace
}  // namespace annals
