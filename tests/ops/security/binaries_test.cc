// The real annals-catalog and annals-timeline binaries: configuration from
// flags and ANNALS_* variables, exit status 2 on bad values, --help, and a
// catalog and timeline running with mutual TLS, tokens and JSON debug logs.
#include <sys/wait.h>

#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "clients/cli/cli.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ops/security/security_testing.h"
#include "tests/testing/subprocess.h"

namespace annals {
namespace {

using ::annals::testing::Subprocess;
using ::annals::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kToken[] = "bin-token-7e21c0ffee";

// Runs `binary` with `args` and the environment `variables` added (and
// every other ANNALS_* variable removed), with stderr merged into stdout.
std::vector<std::string> Command(const std::string& binary,
                                 const std::vector<std::string>& args,
                                 const std::vector<std::string>& variables) {
  std::vector<std::string> argv = {"/bin/sh", "-c",
                                   "for v in $(env | sed -n "
                                   "'s/^\\(ANNALS_[A-Z_]*\\)=.*/\\1/p'); do "
                                   "unset $v; done; exec env \"$@\" 2>&1",
                                   "sh"};
  argv.insert(argv.end(), variables.begin(), variables.end());
  argv.push_back(binary);
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

struct Outcome {
  // The exit status, or -1 if the process started serving instead of
  // exiting (it is then killed).
  int exit_status = -1;
  std::vector<std::string> lines;
};

// Runs the command to its end, collecting its output. A process that starts
// serving is a failure of the configuration check, not a hang.
Outcome RunToExit(const std::vector<std::string>& argv) {
  Subprocess process(argv);
  Outcome outcome;
  while (std::optional<std::string> line = process.WaitForLine("(.*)")) {
    if (absl::StrContains(*line, "listening on")) {
      process.Kill(SIGKILL);
      outcome.lines.push_back(*line);
      return outcome;
    }
    outcome.lines.push_back(*line);
  }
  int status = process.Wait();
  outcome.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

// Reads the rest of a stopped process's output.
std::vector<std::string> RemainingLines(Subprocess& process) {
  std::vector<std::string> lines;
  while (std::optional<std::string> line = process.WaitForLine("(.*)")) {
    lines.push_back(*line);
  }
  return lines;
}

class BinariesTest : public ::testing::Test {
 protected:
  // Flags that keep a test process off the default ports and folders.
  std::vector<std::string> Quiet() const {
    return {"--listen=127.0.0.1:0", "--data_dir=" + dir_.Sub("data"),
            "--metrics_listen=off"};
  }

  TempDir dir_;
};

TEST_F(BinariesTest, HelpListsEveryFlagWithItsVariableAndDefault) {
  struct Binary {
    std::string path;
    std::vector<std::string> required;
  };
  const Binary binaries[] = {
      {ANNALS_CATALOG_BINARY,
       {"listen", "data_dir", "tls_cert", "tls_key", "tls_client_ca",
        "auth_token_file", "auth_reads", "max_message_bytes", "max_page_size",
        "max_response_bytes", "max_streams", "max_streams_per_peer",
        "reserved_streams", "log_format", "log_level", "shutdown_grace",
        "accept_data_loss", "verify_checksums_at_start"}},
      {ANNALS_TIMELINE_BINARY,
       {"listen", "catalog", "catalog_tls_ca", "catalog_tls_cert",
        "catalog_tls_key", "catalog_token_file", "tls_cert", "tls_key",
        "tls_client_ca", "auth_token_file", "auth_reads", "max_message_bytes",
        "max_page_size", "max_response_bytes", "max_window_days", "log_format",
        "log_level"}},
  };
  for (const Binary& binary : binaries) {
    Outcome help = RunToExit(Command(binary.path, {"--help"}, {}));
    EXPECT_EQ(help.exit_status, 0) << binary.path;
    std::vector<std::string> listed;
    for (const std::string& line : help.lines) {
      // "  --name  (env ANNALS_NAME; default: ...)"
      if (!absl::StartsWith(line, "  --")) continue;
      std::vector<std::string> parts = absl::StrSplit(line.substr(4), "  ");
      ASSERT_GE(parts.size(), 2u) << line;
      const std::string& name = parts[0];
      listed.push_back(name);
      EXPECT_THAT(parts[1], StartsWith(absl::StrCat("(env ANNALS_",
                                                    absl::AsciiStrToUpper(name),
                                                    "; default: ")))
          << line;
    }
    for (const std::string& name : binary.required) {
      EXPECT_THAT(listed, ::testing::Contains(name)) << binary.path;
    }
  }
}

TEST_F(BinariesTest, EnvironmentVariablesConfigureTheCatalog) {
  Subprocess catalog(Command(
      ANNALS_CATALOG_BINARY, {},
      {"ANNALS_LISTEN=127.0.0.1:0", "ANNALS_DATA_DIR=" + dir_.Sub("from-env"),
       "ANNALS_METRICS_LISTEN=off", "ANNALS_LOG_FORMAT=json"}));
  std::optional<std::string> line =
      catalog.WaitForLine(R"((annals-catalog listening on .*))");
  ASSERT_TRUE(line.has_value());
  EXPECT_THAT(*line, HasSubstr("listening on 127.0.0.1:0 (port "));
  EXPECT_THAT(*line, HasSubstr("data in " + dir_.Sub("from-env")));
  catalog.Kill(SIGTERM);
  std::vector<std::string> rest = RemainingLines(catalog);
  ASSERT_FALSE(rest.empty());
  for (const std::string& log : rest) {
    if (absl::StrContains(log, "shutting down") &&
        !absl::StartsWith(log, "{")) {
      continue;  // the stdout line, not a log event
    }
    EXPECT_THAT(log, StartsWith("{\"time\":")) << "not JSON: " << log;
  }
}

TEST_F(BinariesTest, AFlagBeatsItsEnvironmentVariable) {
  Subprocess catalog(Command(
      ANNALS_CATALOG_BINARY,
      {"--data_dir=" + dir_.Sub("from-flag"), "--listen=127.0.0.1:0"},
      {"ANNALS_LISTEN=127.0.0.1:1", "ANNALS_DATA_DIR=" + dir_.Sub("from-env"),
       "ANNALS_METRICS_LISTEN=off"}));
  std::optional<std::string> line =
      catalog.WaitForLine(R"((annals-catalog listening on .*))");
  ASSERT_TRUE(line.has_value());
  EXPECT_THAT(*line, HasSubstr("listening on 127.0.0.1:0 "));
  EXPECT_THAT(*line, HasSubstr("data in " + dir_.Sub("from-flag")));
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("from-env")));
  EXPECT_EQ(catalog.Kill(SIGTERM), 0);
}

TEST_F(BinariesTest, BadValuesExitWithStatusTwoAndOneLine) {
  testing::WriteFile(dir_.Sub("empty-token"), " \n");
  testing::WriteFile(dir_.Sub("not-pem"), "hello\n");
  struct Case {
    std::string binary;
    std::vector<std::string> args;
    std::vector<std::string> variables;
    std::string mentions;
  };
  const std::string catalog = ANNALS_CATALOG_BINARY;
  const std::string timeline = ANNALS_TIMELINE_BINARY;
  const Case cases[] = {
      {catalog, {"--max_page_size=0"}, {}, "--max_page_size"},
      {catalog, {"--max_page_size=many"}, {}, "max_page_size"},
      {catalog, {"--max_response_bytes=1000"}, {}, "--max_response_bytes"},
      {catalog, {}, {"ANNALS_MAX_PAGE_SIZE=many"}, "ANNALS_MAX_PAGE_SIZE"},
      {catalog, {"--max_message_bytes=10"}, {}, "--max_message_bytes"},
      {catalog, {"--max_streams=-1"}, {}, "--max_streams"},
      {catalog, {"--max_streams_per_peer=-1"}, {}, "--max_streams_per_peer"},
      {catalog, {"--log_format=xml"}, {}, "--log_format"},
      {catalog, {}, {"ANNALS_LOG_LEVEL=loud"}, "--log_level"},
      {catalog, {"--listen=nohost"}, {}, "--listen"},
      {catalog, {"--no_such_flag=1"}, {}, "--no_such_flag"},
      {catalog, {"--tls_cert=" + dir_.Sub("not-pem")}, {}, "--tls_key"},
      {catalog,
       {"--tls_cert=" + dir_.Sub("not-pem"), "--tls_key=" + dir_.Sub("x")},
       {},
       "--tls_cert"},
      {catalog,
       {"--tls_client_ca=" + dir_.Sub("not-pem")},
       {},
       "--tls_client_ca"},
      {catalog, {"--auth_reads"}, {}, "--auth_token_file"},
      {catalog,
       {"--auth_token_file=" + dir_.Sub("empty-token")},
       {},
       "--auth_token_file"},
      {timeline, {"--max_window_days=-5"}, {}, "--max_window_days"},
      {timeline, {"--catalog_tls_cert=" + dir_.Sub("x")}, {}, "--catalog_tls"},
      {timeline,
       {"--catalog_token_file=" + dir_.Sub("missing")},
       {},
       "--catalog_token_file"},
      {timeline, {"--max_wait=0s"}, {}, "--max_wait"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = Quiet();
    if (c.binary == timeline) {
      args.erase(args.begin() + 1);  // no --data_dir
      args.push_back("--catalog=127.0.0.1:1");
    }
    args.insert(args.end(), c.args.begin(), c.args.end());
    Outcome outcome = RunToExit(Command(c.binary, args, c.variables));
    const std::string what = absl::StrCat(absl::StrJoin(c.variables, " "), " ",
                                          absl::StrJoin(c.args, " "), " -> ",
                                          absl::StrJoin(outcome.lines, "\n"));
    EXPECT_EQ(outcome.exit_status, 2) << what;
    ASSERT_EQ(outcome.lines.size(), 1u) << what;
    EXPECT_THAT(outcome.lines[0],
                StartsWith(c.binary == catalog ? "annals-catalog: "
                                               : "annals-timeline: "));
    EXPECT_THAT(outcome.lines[0], HasSubstr(c.mentions)) << what;
  }
}

// Runs `annals` in process; returns its exit status and output.
int Annals(const std::vector<std::string>& argv, std::string* out = nullptr) {
  std::ostringstream out_stream, err_stream;
  int status = cli::Run(argv, out_stream, err_stream, {});
  if (out != nullptr) *out = out_stream.str() + err_stream.str();
  return status;
}

TEST_F(BinariesTest, CatalogAndTimelineRunWithMutualTlsTokensAndJsonLogs) {
  testing::TestPki pki;
  ASSERT_TRUE(pki.ok());
  testing::WriteFile(dir_.Sub("token"), absl::StrCat(kToken, "\n"));
  testing::WriteFile(dir_.Sub("wrong-token"), "wrong-token-value-31337\n");

  Subprocess catalog(
      Command(ANNALS_CATALOG_BINARY,
              {"--listen=127.0.0.1:0", "--data_dir=" + dir_.Sub("data"),
               "--metrics_listen=off", "--tls_cert=" + pki.Path("server.pem"),
               "--tls_key=" + pki.Path("server.key"),
               "--tls_client_ca=" + pki.Path("ca.pem"),
               "--auth_token_file=" + dir_.Sub("token"), "--auth_reads",
               "--log_format=json", "--log_level=debug"},
              {}));
  std::optional<std::string> catalog_port =
      catalog.WaitForLine(R"(annals-catalog listening on \S+ \(port (\d+)\))");
  ASSERT_TRUE(catalog_port.has_value());
  const std::string catalog_address = "127.0.0.1:" + *catalog_port;

  Subprocess timeline(
      Command(ANNALS_TIMELINE_BINARY,
              {"--listen=127.0.0.1:0", "--catalog=" + catalog_address,
               "--metrics_listen=off", "--catalog_tls_ca=" + pki.Path("ca.pem"),
               "--catalog_tls_cert=" + pki.Path("client.pem"),
               "--catalog_tls_key=" + pki.Path("client.key"),
               "--catalog_token_file=" + dir_.Sub("token"),
               "--tls_cert=" + pki.Path("server.pem"),
               "--tls_key=" + pki.Path("server.key"),
               "--auth_token_file=" + dir_.Sub("token"), "--auth_reads",
               "--log_format=json", "--log_level=debug"},
              {}));
  std::optional<std::string> timeline_port = timeline.WaitForLine(
      R"(annals-timeline listening on \S+ \(port (\d+)\))");
  ASSERT_TRUE(timeline_port.has_value());
  const std::vector<std::string> connect = {
      "--catalog=" + catalog_address,
      "--timeline=127.0.0.1:" + *timeline_port,
      "--tls_ca=" + pki.Path("ca.pem"),
      "--tls_cert=" + pki.Path("client.pem"),
      "--tls_key=" + pki.Path("client.key"),
      "--token_file=" + dir_.Sub("token")};
  auto with = [&](std::vector<std::string> command) {
    std::vector<std::string> argv = connect;
    argv.insert(argv.end(), command.begin(), command.end());
    return argv;
  };

  std::string output;
  ASSERT_EQ(Annals(with({"health"}), &output), 0) << output;
  ASSERT_EQ(
      Annals(with({"create", "entity", "nmi", "--kind=mission",
                   "--label=NATO Mission Iraq", "--lifespan=2018-10-01/.."}),
             &output),
      0)
      << output;
  // The timeline serves once it has caught up with the catalog over mutual
  // TLS with the token.
  int health = 1;
  for (absl::Time deadline = absl::Now() + absl::Seconds(30);
       health != 0 && absl::Now() < deadline;
       absl::SleepFor(absl::Milliseconds(50))) {
    health = Annals(with({"health", "timeline"}), &output);
  }
  ASSERT_EQ(health, 0) << output;
  ASSERT_EQ(
      Annals(with({"--min-sequence=1", "snapshot", "nmi", "--at=2020-01-01"}),
             &output),
      0)
      << output;
  EXPECT_THAT(output, HasSubstr("NATO Mission Iraq"));

  // A wrong token is refused by both.
  std::vector<std::string> wrong = with({"get", "nmi"});
  wrong[5] = "--token_file=" + dir_.Sub("wrong-token");
  EXPECT_EQ(Annals(wrong, &output), 1);
  EXPECT_THAT(output, HasSubstr("UNAUTHENTICATED"));
  wrong.back() = "nmi";
  wrong[wrong.size() - 2] = "history";
  EXPECT_EQ(Annals(wrong, &output), 1);
  EXPECT_THAT(output, HasSubstr("UNAUTHENTICATED"));

  // A plaintext client fails the handshake; gRPC's own report of it is a
  // JSON line in the catalog's log too.
  EXPECT_EQ(Annals({"--catalog=" + catalog_address, "--timeout=2", "health"},
                   &output),
            1);

  EXPECT_EQ(timeline.Kill(SIGTERM), 0);
  EXPECT_EQ(catalog.Kill(SIGTERM), 0);
  const std::vector<std::string> catalog_log = RemainingLines(catalog);
  const std::vector<std::string> timeline_log = RemainingLines(timeline);
  const std::string all = absl::StrCat(absl::StrJoin(catalog_log, "\n"), "\n",
                                       absl::StrJoin(timeline_log, "\n"));
  // Each call was logged as a JSON line with its method and code...
  EXPECT_THAT(all, HasSubstr("\"msg\":\"rpc\",\"method\":\"/annals.catalog.v1."
                             "CatalogService/CreateEntity\",\"code\":\"OK\""));
  EXPECT_THAT(all, HasSubstr("\"method\":\"/annals.timeline.v1."
                             "TimelineService/GetSnapshot\",\"code\":\"OK\""));
  EXPECT_THAT(all, HasSubstr("\"code\":\"UNAUTHENTICATED\""));
  EXPECT_THAT(all, HasSubstr("\"msg\":\"grpc: Handshake failed"));
  for (const std::string& line : catalog_log) {
    if (absl::StrContains(line, "shutting down") && line[0] != '{') continue;
    EXPECT_THAT(line, StartsWith("{\"time\":")) << line;
  }
  // ...and no secret is in any of it: neither token, nor the key's contents.
  EXPECT_THAT(all, Not(HasSubstr(kToken)));
  EXPECT_THAT(all, Not(HasSubstr("wrong-token-value-31337")));
  for (absl::string_view key_line :
       absl::StrSplit(pki.Pem("server.key"), '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(key_line, "-----")) continue;
    EXPECT_THAT(all, Not(HasSubstr(key_line)));
  }
}

}  // namespace
}  // namespace annals
