// The service binaries' --metrics_listen flag and ANNALS_METRICS_LISTEN:
// they announce the endpoint, serve it, and can turn it off.
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "tests/ops/metrics/scrape.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace annals {
namespace {

using ::annals::testing::Exposition;
using ::annals::testing::Scrape;
using ::annals::testing::Subprocess;
using ::annals::testing::TempDir;

constexpr char kMetricsLine[] =
    R"(metrics on http://127\.0\.0\.1:(\d+)/metrics)";

void ExpectCleanExit(Subprocess& process) {
  const int status = process.Kill(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(MetricsBinaryTest, CatalogAnnouncesAndServesItsEndpoint) {
  TempDir dir;
  Subprocess catalog({ANNALS_CATALOG_BINARY, "--listen=127.0.0.1:0",
                      "--data_dir=" + dir.Sub("catalog"),
                      "--metrics_listen=127.0.0.1:0"});
  std::optional<std::string> port = catalog.WaitForLine(kMetricsLine);
  ASSERT_TRUE(port.has_value());
  ASSERT_OK_AND_ASSIGN(Exposition scraped, Scrape(std::stoi(*port)));
  EXPECT_EQ(scraped.Value("annals_catalog_head_sequence"), 0);
  EXPECT_EQ(scraped.types["grpc_server_handled_total"], "counter");
  ExpectCleanExit(catalog);
}

TEST(MetricsBinaryTest, TimelineAnnouncesAndServesItsEndpoint) {
  // Port 1 on loopback refuses connections: the catalog is unreachable.
  Subprocess timeline({ANNALS_TIMELINE_BINARY, "--listen=127.0.0.1:0",
                       "--catalog=127.0.0.1:1",
                       "--metrics_listen=127.0.0.1:0"});
  std::optional<std::string> port = timeline.WaitForLine(kMetricsLine);
  ASSERT_TRUE(port.has_value());
  ASSERT_OK_AND_ASSIGN(Exposition scraped, Scrape(std::stoi(*port)));
  EXPECT_EQ(scraped.Value("annals_timeline_applied_sequence"), 0);
  EXPECT_EQ(scraped.Value("annals_timeline_feed_connected"), 0);
  EXPECT_EQ(scraped.Value("annals_timeline_caught_up"), 0);
  ExpectCleanExit(timeline);
}

TEST(MetricsBinaryTest, OffDisablesTheEndpoint) {
  TempDir dir;
  Subprocess catalog({ANNALS_CATALOG_BINARY, "--listen=127.0.0.1:0",
                      "--data_dir=" + dir.Sub("catalog"),
                      "--metrics_listen=off"});
  ASSERT_TRUE(catalog.WaitForLine("listening on").has_value());
  catalog.Kill(SIGTERM);
  // Everything it printed, up to its exit, lacks the metrics line.
  EXPECT_FALSE(catalog.WaitForLine("metrics on").has_value());
}

TEST(MetricsBinaryTest, EnvironmentSetsTheDefaultAndTheFlagWins) {
  TempDir dir;
  ASSERT_EQ(setenv("ANNALS_METRICS_LISTEN", "127.0.0.1:0", 1), 0);
  Subprocess from_env({ANNALS_CATALOG_BINARY, "--listen=127.0.0.1:0",
                       "--data_dir=" + dir.Sub("env")});
  Subprocess flag_wins({ANNALS_CATALOG_BINARY, "--listen=127.0.0.1:0",
                        "--data_dir=" + dir.Sub("flag"),
                        "--metrics_listen=off"});
  unsetenv("ANNALS_METRICS_LISTEN");

  std::optional<std::string> port = from_env.WaitForLine(kMetricsLine);
  ASSERT_TRUE(port.has_value());
  EXPECT_OK(Scrape(std::stoi(*port)));
  ExpectCleanExit(from_env);

  ASSERT_TRUE(flag_wins.WaitForLine("listening on").has_value());
  flag_wins.Kill(SIGTERM);
  EXPECT_FALSE(flag_wins.WaitForLine("metrics on").has_value());
}

}  // namespace
}  // namespace annals
