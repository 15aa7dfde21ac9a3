// The logger's text and JSON lines, and flag parsing with ANNALS_*
// environment fallbacks (on flags defined here, with a fake environment).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/config/flags.h"
#include "services/common/config/server_config.h"
#include "services/common/logging/logger.h"
#include "tests/testing/status_matchers.h"

ABSL_FLAG(int, test_count, 7, "How many.");
ABSL_FLAG(std::string, test_name, "plain", "What to call it.");
ABSL_FLAG(bool, test_switch, false, "Whether to.");

namespace annals {
namespace {

using ::annals::testing::IsOk;
using ::annals::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

logging::LoggerOptions Fixed(logging::Format format,
                             std::vector<std::string>* lines) {
  logging::LoggerOptions options;
  options.format = format;
  options.level = logging::Level::kInfo;
  options.service = "annals-test";
  options.clock = [] { return absl::FromUnixMillis(1700000000123); };
  options.sink = [lines](absl::string_view line) { lines->emplace_back(line); };
  return options;
}

TEST(LoggerTest, TextLinesHaveTimeLevelMessageAndFields) {
  std::vector<std::string> lines;
  logging::Logger logger(Fixed(logging::Format::kText, &lines));
  logger.Info("serving", {{"listen", "127.0.0.1:7401"},
                          {"port", 7401},
                          {"note", "two words"},
                          {"ok", true}});
  EXPECT_THAT(lines, ElementsAre("2023-11-14T22:13:20.123Z INFO serving "
                                 "listen=127.0.0.1:7401 port=7401 "
                                 "note=\"two words\" ok=true"));
}

TEST(LoggerTest, JsonLinesAreOneEscapedObjectEach) {
  std::vector<std::string> lines;
  logging::Logger logger(Fixed(logging::Format::kJson, &lines));
  logger.Warn("odd \"input\"\nsecond line",
              {{"path", "C:\\dir"}, {"latency_ms", 1.5}, {"bell", "\x07"}});
  EXPECT_THAT(lines,
              ElementsAre("{\"time\":\"2023-11-14T22:13:20.123Z\","
                          "\"level\":\"warn\",\"service\":\"annals-test\","
                          "\"msg\":\"odd \\\"input\\\"\\nsecond line\","
                          "\"path\":\"C:\\\\dir\",\"latency_ms\":1.5,"
                          "\"bell\":\"\\u0007\"}"));
}

TEST(LoggerTest, DropsEventsBelowItsLevel) {
  std::vector<std::string> lines;
  logging::Logger logger(Fixed(logging::Format::kText, &lines));
  logger.Debug("hidden");
  logger.Error("shown");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("ERROR shown"));
  EXPECT_FALSE(logger.Enabled(logging::Level::kDebug));
  EXPECT_FALSE(logging::Logger::Discard()->Enabled(logging::Level::kWarn));
}

TEST(LoggerTest, ParsesLevelsAndFormats) {
  EXPECT_THAT(logging::ParseLevel("debug"),
              ::annals::testing::IsOkAndHolds(logging::Level::kDebug));
  EXPECT_THAT(logging::ParseLevel("warn"),
              ::annals::testing::IsOkAndHolds(logging::Level::kWarn));
  EXPECT_THAT(logging::ParseLevel("loud"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(logging::ParseFormat("json"),
              ::annals::testing::IsOkAndHolds(logging::Format::kJson));
  EXPECT_THAT(
      logging::ParseFormat("xml"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("text or json")));
}

class FlagsTest : public ::testing::Test {
 protected:
  absl::StatusOr<config::ParsedFlags> Parse(std::vector<std::string> args) {
    config::FlagOptions options;
    options.usage = "test: a test program";
    options.is_program_flag = [](const absl::CommandLineFlag& flag) {
      return absl::StartsWith(flag.Name(), "test_");
    };
    options.getenv =
        [this](const std::string& name) -> std::optional<std::string> {
      auto it = environment_.find(name);
      if (it == environment_.end()) return std::nullopt;
      return it->second;
    };
    return config::ParseFlags(args, options);
  }

  absl::FlagSaver saver_;  // restores the flags after each test
  std::map<std::string, std::string> environment_;
};

TEST_F(FlagsTest, VariablesAreAnnalsAndTheFlagInUpperCase) {
  EXPECT_EQ(config::EnvironmentVariable("data_dir"), "ANNALS_DATA_DIR");
  EXPECT_EQ(config::EnvironmentVariable("listen"), "ANNALS_LISTEN");
}

TEST_F(FlagsTest, TheEnvironmentSetsAFlag) {
  environment_["ANNALS_TEST_COUNT"] = "12";
  environment_["ANNALS_TEST_SWITCH"] = "true";
  ASSERT_THAT(Parse({}), IsOk());
  EXPECT_EQ(absl::GetFlag(FLAGS_test_count), 12);
  EXPECT_TRUE(absl::GetFlag(FLAGS_test_switch));
}

TEST_F(FlagsTest, AFlagBeatsTheEnvironmentWhichBeatsTheDefault) {
  environment_["ANNALS_TEST_COUNT"] = "12";
  environment_["ANNALS_TEST_NAME"] = "from-env";
  ASSERT_THAT(Parse({"--test_count=3"}), IsOk());
  EXPECT_EQ(absl::GetFlag(FLAGS_test_count), 3);
  EXPECT_EQ(absl::GetFlag(FLAGS_test_name), "from-env");
}

TEST_F(FlagsTest, AnEmptyVariableCountsAsUnset) {
  environment_["ANNALS_TEST_COUNT"] = "";
  ASSERT_THAT(Parse({}), IsOk());
  EXPECT_EQ(absl::GetFlag(FLAGS_test_count), 7);
}

TEST_F(FlagsTest, AcceptsTheUsualSpellings) {
  ASSERT_THAT(
      Parse({"--test_name", "spaced", "-test_count=4", "--test_switch"}),
      IsOk());
  EXPECT_EQ(absl::GetFlag(FLAGS_test_name), "spaced");
  EXPECT_EQ(absl::GetFlag(FLAGS_test_count), 4);
  EXPECT_TRUE(absl::GetFlag(FLAGS_test_switch));
  ASSERT_THAT(Parse({"--notest_switch"}), IsOk());
  EXPECT_FALSE(absl::GetFlag(FLAGS_test_switch));
}

TEST_F(FlagsTest, ErrorsNameTheFlagOrVariable) {
  environment_["ANNALS_TEST_COUNT"] = "lots";
  EXPECT_THAT(Parse({}), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("ANNALS_TEST_COUNT")));
  environment_.clear();
  EXPECT_THAT(
      Parse({"--test_count=lots"}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--test_count")));
  EXPECT_THAT(Parse({"--nope"}), StatusIs(absl::StatusCode::kInvalidArgument,
                                          HasSubstr("unknown flag --nope")));
  EXPECT_THAT(Parse({"stray"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unexpected argument \"stray\"")));
  EXPECT_THAT(
      Parse({"--test_name"}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("needs a value")));
}

TEST_F(FlagsTest, HelpIsReportedAndListsVariablesAndDefaults) {
  environment_["ANNALS_TEST_COUNT"] = "lots";  // not even read
  ASSERT_OK_AND_ASSIGN(config::ParsedFlags parsed, Parse({"--help"}));
  EXPECT_TRUE(parsed.help);
  config::FlagOptions options;
  options.usage = "test: a test program";
  options.is_program_flag = [](const absl::CommandLineFlag& flag) {
    return absl::StartsWith(flag.Name(), "test_");
  };
  const std::string help = config::HelpText(options);
  EXPECT_THAT(help, HasSubstr("test: a test program"));
  EXPECT_THAT(help,
              HasSubstr("--test_count  (env ANNALS_TEST_COUNT; default: 7)\n"
                        "      How many."));
  EXPECT_THAT(help, HasSubstr("(env ANNALS_TEST_NAME; default: \"plain\")"));
  EXPECT_THAT(help, ::testing::Not(HasSubstr("--flagfile")));
}

TEST(WarnIfExposedWithoutTlsTest, WarnsOnlyBeyondLoopbackWithoutTls) {
  std::vector<std::string> lines;
  logging::Logger logger(Fixed(logging::Format::kText, &lines));
  config::ServerConfig plaintext;
  config::WarnIfExposedWithoutTls(logger, "127.0.0.1:7401", plaintext);
  config::WarnIfExposedWithoutTls(logger, "[::1]:7401", plaintext);
  EXPECT_TRUE(lines.empty());
  config::WarnIfExposedWithoutTls(logger, "0.0.0.0:7401", plaintext);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("WARN serving plaintext gRPC"));

  config::ServerConfig with_token;
  with_token.security.auth_token = "secret-value";
  config::WarnIfExposedWithoutTls(logger, "10.0.0.5:7401", with_token);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[1], HasSubstr("tokens travel in clear text"));
  EXPECT_THAT(lines[1], ::testing::Not(HasSubstr("secret-value")));

  config::ServerConfig tls;
  tls.security.tls.cert_pem = "-----BEGIN CERTIFICATE-----";
  config::WarnIfExposedWithoutTls(logger, "0.0.0.0:7401", tls);
  EXPECT_EQ(lines.size(), 2u);
}

TEST(ValidateAddressTest, AcceptsHostPortOnly) {
  for (const char* good : {"127.0.0.1:7401", "0.0.0.0:0", "localhost:80",
                           "[::1]:7401", "unix:/tmp/annals.sock"}) {
    EXPECT_THAT(config::ValidateAddress("--listen", good), IsOk()) << good;
  }
  for (const char* bad :
       {"", "7401", "host:", "host:port", "host:70000", "::1:7401", ":7401"}) {
    EXPECT_THAT(
        config::ValidateAddress("--listen", bad),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--listen")))
        << bad;
  }
}

}  // namespace
}  // namespace annals
