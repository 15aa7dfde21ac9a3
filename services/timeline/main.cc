// annals-timeline: parses flags, starts TimelineServer, stops on SIGTERM or
// SIGINT.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/common/config/flags.h"
#include "services/common/config/server_config.h"
#include "services/common/logging/grpc_log.h"
#include "services/common/logging/logger.h"
#include "services/common/metrics/http_endpoint.h"
#include "services/common/process/descriptors.h"
#include "services/common/process/flags.h"
#include "services/common/process/signals.h"
#include "services/timeline/server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:7402",
          "host:port to serve gRPC on. Use 0.0.0.0:PORT only to serve other "
          "machines.");
ABSL_FLAG(std::string, catalog, "127.0.0.1:7401",
          "host:port of the annals-catalog whose change feed to follow.");
ABSL_FLAG(absl::Duration, max_wait, absl::Seconds(10),
          "Longest wait for min_sequence by a call without a deadline.");
ABSL_FLAG(absl::Duration, feed_stall_timeout, absl::Seconds(20),
          "How long the catalog may leave the change feed's connection "
          "unanswered (keepalive pings) before the timeline drops it and "
          "reports NOT_SERVING (not ready) until it has resynchronised. At "
          "least 4s.");
ABSL_FLAG(std::string, catalog_tls_ca, "",
          "PEM CA certificate(s) that sign the catalog's certificate. "
          "Setting it (or --catalog_tls_cert) connects to the catalog over "
          "TLS.");
ABSL_FLAG(std::string, catalog_tls_cert, "",
          "PEM client certificate for a catalog that requires mutual TLS; "
          "needs --catalog_tls_key. Without --catalog_tls_ca the system's "
          "root CAs check the catalog.");
ABSL_FLAG(std::string, catalog_tls_key, "",
          "PEM private key of --catalog_tls_cert.");
ABSL_FLAG(std::string, catalog_token_file, "",
          "File holding the bearer token to send to a catalog that requires "
          "one for reads (its --auth_reads).");
ABSL_FLAG(int, max_window_days, 0,
          "Longest [from, to) window of QueryWindow, FindGaps and CountActive, "
          "in days; with a limit both ends are required, and longer windows "
          "fail with INVALID_ARGUMENT. 0: no limit.");
ABSL_FLAG(std::string, data_dir, "",
          "The timeline's own folder of derived state. A restart reloads it "
          "and serves at once, then resumes the catalog's feed where it "
          "stopped; a folder from another catalog or history is rebuilt. "
          "It may be deleted at any time (the timeline then rebuilds from "
          "the catalog). Empty: state in memory, rebuilt at every start.");
ABSL_FLAG(int64_t, block_cache_mb, 64,
          "Memory for reading statements and records from --data_dir, in "
          "MiB (RocksDB's block cache, index and filter blocks included). "
          "The timeline's resident memory is about its interval indexes "
          "(some 45 bytes per statement) plus this.");
ABSL_FLAG(std::string, metrics_listen, "127.0.0.1:9402",
          "host:port of the Prometheus metrics endpoint (GET /metrics, "
          "docs/metrics.md); \"off\" or an empty value disables it.");

int main(int argc, char** argv) {
  annals::ParseServiceFlags(
      argc, argv,
      "The Annals timeline: temporal queries over the catalog's change feed.\n"
      "Usage: annals-timeline [--listen=127.0.0.1:7402] "
      "[--catalog=127.0.0.1:7401]");
  // Before any thread starts, so that only WaitForTerminationSignal() sees
  // the signals.
  annals::BlockTerminationSignals();

  // TLS, tokens, limits and logging (services/common/config); a bad value
  // exits with status 2.
  constexpr char kProgram[] = "annals-timeline";
  absl::StatusOr<annals::config::ServerConfig> config =
      annals::config::LoadServerConfig();
  if (!config.ok()) {
    annals::config::ExitWithConfigError(kProgram, config.status());
  }
  annals::timeline::TimelineServerOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.catalog = absl::GetFlag(FLAGS_catalog);
  options.max_wait = absl::GetFlag(FLAGS_max_wait);
  options.limits.max_page_size = config->max_page_size;
  options.limits.max_window_days = absl::GetFlag(FLAGS_max_window_days);
  options.limits.max_response_bytes = config->max_response_bytes;
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.block_cache_bytes = absl::GetFlag(FLAGS_block_cache_mb) << 20;
  for (const absl::Status& check :
       {annals::config::ValidateAddress("--listen", options.listen),
        options.catalog.empty()
            ? absl::InvalidArgumentError("--catalog: must not be empty")
            : absl::OkStatus(),
        annals::config::ValidateRange(
            "--max_window_days", options.limits.max_window_days, 0, 3660000),
        annals::config::ValidateRange("--block_cache_mb",
                                      absl::GetFlag(FLAGS_block_cache_mb), 1,
                                      1 << 20),
        options.max_wait > absl::ZeroDuration()
            ? absl::OkStatus()
            : absl::InvalidArgumentError("--max_wait: must be positive"),
        absl::GetFlag(FLAGS_feed_stall_timeout) >= absl::Seconds(4)
            ? absl::OkStatus()
            : absl::InvalidArgumentError(
                  "--feed_stall_timeout: must be at least 4s")}) {
    if (!check.ok()) annals::config::ExitWithConfigError(kProgram, check);
  }
  absl::StatusOr<annals::config::ClientConnection> connection =
      annals::config::LoadClientConnection(
          {.flag_prefix = "--catalog_",
           .ca_file = absl::GetFlag(FLAGS_catalog_tls_ca),
           .cert_file = absl::GetFlag(FLAGS_catalog_tls_cert),
           .key_file = absl::GetFlag(FLAGS_catalog_tls_key),
           .token_file = absl::GetFlag(FLAGS_catalog_token_file)});
  if (!connection.ok()) {
    annals::config::ExitWithConfigError(kProgram, connection.status());
  }
  options.catalog_connection.credentials = connection->credentials;
  options.catalog_connection.token = connection->token;
  options.catalog_connection.stall_timeout =
      absl::GetFlag(FLAGS_feed_stall_timeout);
  options.max_receive_message_bytes = config->max_message_bytes;
  options.max_connection_idle = config->max_connection_idle;
  options.security = config->security;
  std::shared_ptr<annals::logging::Logger> logger =
      config->MakeLogger(kProgram);
  annals::logging::RouteGrpcLogs(logger);
  // Soft open-files limit raised to the hard one; the listener survives
  // running out of descriptors (docs/reliability.md).
  annals::ApplyDescriptorPolicy(logger);
  options.logger = logger;
  if (!config->security.auth_token.empty() && !config->security.auth_reads) {
    logger->Warn(
        "the timeline has only read methods: --auth_token_file takes effect "
        "with --auth_reads");
  }
  options.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  if (options.metrics_listen == "off") options.metrics_listen.clear();
  if (!options.metrics_listen.empty()) {
    absl::Status address =
        annals::metrics::ParseListenAddress(options.metrics_listen).status();
    if (!address.ok()) {
      annals::config::ExitWithConfigError(
          kProgram, absl::InvalidArgumentError(
                        absl::StrCat("--metrics_listen: ", address.message())));
    }
  }
  auto server = annals::timeline::TimelineServer::Start(options);
  if (!server.ok()) {
    logger->Error("cannot start", {{"error", server.status().ToString()}});
    std::fprintf(stderr, "annals-timeline: %s\n",
                 server.status().ToString().c_str());
    return 1;
  }
  std::vector<annals::logging::Field> started = {
      {"listen", options.listen},
      {"port", (*server)->port()},
      {"catalog", options.catalog},
      {"catalog_tls",
       options.catalog_connection.credentials != nullptr ? "on" : "off"},
      {"catalog_token_file", absl::GetFlag(FLAGS_catalog_token_file)},
      {"max_window_days", options.limits.max_window_days},
      {"data_dir", options.data_dir},
      {"block_cache_mb", absl::GetFlag(FLAGS_block_cache_mb)},
      {"feed_stall_timeout",
       absl::FormatDuration(options.catalog_connection.stall_timeout)}};
  for (annals::logging::Field& field : config->Describe()) {
    started.push_back(std::move(field));
  }
  logger->Log(annals::logging::Level::kInfo, "serving", started);
  annals::config::WarnIfExposedWithoutTls(*logger, options.listen, *config);
  std::printf(
      "annals-timeline listening on %s (port %d), following the catalog at "
      "%s\n",
      options.listen.c_str(), (*server)->port(), options.catalog.c_str());
  if ((*server)->metrics_port() != 0) {
    std::printf("annals-timeline metrics on %s\n",
                (*server)->metrics_url().c_str());
  }
  std::fflush(stdout);

  int signal = annals::WaitForTerminationSignal();
  std::printf("annals-timeline: signal %d, shutting down\n", signal);
  std::fflush(stdout);
  logger->Info("shutting down", {{"signal", signal}});
  absl::Status status = (*server)->Shutdown(config->shutdown_grace);
  if (!status.ok()) {
    std::fprintf(stderr, "annals-timeline: shutdown: %s\n",
                 status.ToString().c_str());
    return 1;
  }
  return 0;
}
