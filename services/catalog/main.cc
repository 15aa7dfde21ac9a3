// annals-catalog: parses flags, starts CatalogServer, stops on SIGTERM/SIGINT.
// With --restore_from or --verify it restores a backup or checks a folder
// instead, and exits.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/catalog/backup.h"
#include "services/catalog/server.h"
#include "services/catalog/verify.h"
#include "services/common/config/flags.h"
#include "services/common/config/server_config.h"
#include "services/common/logging/grpc_log.h"
#include "services/common/logging/logger.h"
#include "services/common/metrics/http_endpoint.h"
#include "services/common/process/descriptors.h"
#include "services/common/process/flags.h"
#include "services/common/process/signals.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:7401",
          "host:port to serve gRPC on. Use 0.0.0.0:PORT only to serve other "
          "machines.");
ABSL_FLAG(std::string, data_dir, "annals-data/catalog",
          "Folder of the catalog's RocksDB database; created if missing.");
ABSL_FLAG(std::string, metrics_listen, "127.0.0.1:9401",
          "host:port of the Prometheus metrics endpoint (GET /metrics, "
          "docs/metrics.md); \"off\" or an empty value disables it.");
ABSL_FLAG(bool, accept_data_loss, false,
          "Start even though the write-ahead log cannot be replayed in full "
          "(damaged, truncated or deleted): recover up to the damage and "
          "drop the rest, acknowledged writes included. Without it the "
          "catalog refuses to start with DATA_LOSS. Use once, after "
          "deciding not to restore a backup; see docs/reliability.md.");
ABSL_FLAG(bool, verify_checksums_at_start, true,
          "Verify the checksums of every table file before serving, so that "
          "a damaged file stops the start with DATA_LOSS instead of failing "
          "reads later. Costs about a second per 400 MB of table files "
          "(more from a cold disk); --noverify_checksums_at_start skips it.");
ABSL_FLAG(int, max_streams, 100,
          "Most WatchChanges streams open at once; more fail with "
          "RESOURCE_EXHAUSTED. 0: no limit.");
ABSL_FLAG(int, max_streams_per_peer, 16,
          "Most WatchChanges streams open at once from one client address "
          "by callers without the bearer token (every caller when there is "
          "no --auth_token_file); more fail with RESOURCE_EXHAUSTED. 0: no "
          "limit.");
ABSL_FLAG(int, reserved_streams, 10,
          "With --auth_token_file: how many of --max_streams only callers "
          "presenting the token (the timelines) may open, so that anonymous "
          "readers cannot lock them out; as many as --max_streams or more "
          "keeps every stream for them. 0: none.");

ABSL_FLAG(std::string, restore_from, "",
          "Restore the latest backup of this backup directory (made by "
          "CreateBackup / `annals backup`) into --data_dir, which must be "
          "missing or empty, check it as a start would, print what was "
          "restored and exit (0 when restored). Start the catalog on "
          "--data_dir afterwards to serve it.");
ABSL_FLAG(std::string, verify, "",
          "Check the catalog in this folder (a data folder or a backup "
          "directory) offline, read-only: change log gap-free, index and "
          "records consistent, references resolvable, table checksums. "
          "Prints one summary line and exits 0 when clean; prints the first "
          "problems and exits 1 otherwise. Verify a stopped catalog's folder "
          "or a backup, not a folder a running catalog writes to.");

namespace {

// --restore_from: exit status 0 once restored, 1 if not.
int Restore(const std::string& backup_dir, const std::string& data_dir) {
  absl::StatusOr<annals::catalog::CatalogBackup> restored =
      annals::catalog::RestoreCatalog(backup_dir, data_dir);
  if (!restored.ok()) {
    std::fprintf(stderr, "annals-catalog: restore failed: %s\n",
                 restored.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "annals-catalog: restored backup %lld of %s into %s: catalog_id %s, "
      "last sequence %lld. Start annals-catalog --data_dir=%s to serve it.\n",
      static_cast<long long>(restored->backup_id), backup_dir.c_str(),
      data_dir.c_str(), restored->catalog_id.c_str(),
      static_cast<long long>(restored->last_sequence), data_dir.c_str());
  return 0;
}

// --verify: exit status 0 when clean, 1 otherwise.
int Verify(const std::string& path) {
  absl::StatusOr<annals::catalog::VerifyReport> report =
      annals::catalog::VerifyCatalogFolder(path, {});
  if (!report.ok()) {
    std::fprintf(stderr, "annals-catalog: verify %s: %s\n", path.c_str(),
                 report.status().ToString().c_str());
    return 1;
  }
  for (const std::string& problem : report->problems) {
    std::printf("problem: %s\n", problem.c_str());
  }
  if (report->problem_count > static_cast<int64_t>(report->problems.size())) {
    std::printf("... and %lld more problems\n",
                static_cast<long long>(report->problem_count -
                                       report->problems.size()));
  }
  std::printf("%s: %s\n", path.c_str(), report->Summary().c_str());
  return report->problem_count == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  annals::ParseServiceFlags(
      argc, argv,
      "The Annals catalog: entities and time-qualified statements over gRPC.\n"
      "Usage: annals-catalog [--listen=127.0.0.1:7401] "
      "[--data_dir=annals-data/catalog]\n"
      "       annals-catalog --restore_from=BACKUP_DIR --data_dir=NEW_DIR\n"
      "       annals-catalog --verify=DATA_OR_BACKUP_DIR");
  if (const std::string path = absl::GetFlag(FLAGS_verify); !path.empty()) {
    return Verify(path);
  }
  if (const std::string backup = absl::GetFlag(FLAGS_restore_from);
      !backup.empty()) {
    return Restore(backup, absl::GetFlag(FLAGS_data_dir));
  }
  // Before any thread starts, so that only WaitForTerminationSignal() sees
  // the signals.
  annals::BlockTerminationSignals();

  // TLS, tokens, limits and logging (services/common/config); a bad value
  // exits with status 2.
  constexpr char kProgram[] = "annals-catalog";
  absl::StatusOr<annals::config::ServerConfig> config =
      annals::config::LoadServerConfig();
  if (!config.ok()) {
    annals::config::ExitWithConfigError(kProgram, config.status());
  }
  annals::catalog::CatalogServerOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.max_streams = absl::GetFlag(FLAGS_max_streams);
  options.max_streams_per_peer = absl::GetFlag(FLAGS_max_streams_per_peer);
  options.reserved_streams = absl::GetFlag(FLAGS_reserved_streams);
  options.accept_data_loss = absl::GetFlag(FLAGS_accept_data_loss);
  options.verify_checksums_at_start =
      absl::GetFlag(FLAGS_verify_checksums_at_start);
  for (const absl::Status& check :
       {annals::config::ValidateAddress("--listen", options.listen),
        options.data_dir.empty()
            ? absl::InvalidArgumentError("--data_dir: must not be empty")
            : absl::OkStatus(),
        annals::config::ValidateRange("--max_streams", options.max_streams, 0,
                                      1000000),
        annals::config::ValidateRange("--max_streams_per_peer",
                                      options.max_streams_per_peer, 0, 1000000),
        annals::config::ValidateRange("--reserved_streams",
                                      options.reserved_streams, 0, 1000000)}) {
    if (!check.ok()) annals::config::ExitWithConfigError(kProgram, check);
  }
  options.max_receive_message_bytes = config->max_message_bytes;
  options.max_connection_idle = config->max_connection_idle;
  options.max_page_size = config->max_page_size;
  options.max_response_bytes = config->max_response_bytes;
  options.security = config->security;
  std::shared_ptr<annals::logging::Logger> logger =
      config->MakeLogger(kProgram);
  annals::logging::RouteGrpcLogs(logger);
  // Soft open-files limit raised to the hard one; the listener survives
  // running out of descriptors (docs/reliability.md).
  annals::ApplyDescriptorPolicy(logger);
  options.logger = logger;
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
  auto server = annals::catalog::CatalogServer::Start(options);
  if (!server.ok()) {
    logger->Error("cannot start", {{"error", server.status().ToString()}});
    std::fprintf(stderr, "annals-catalog: %s\n",
                 server.status().ToString().c_str());
    return 1;
  }
  if (!(*server)->data_loss_accepted().empty()) {
    std::fprintf(stderr, "annals-catalog: DATA LOSS ACCEPTED: %s\n",
                 (*server)->data_loss_accepted().c_str());
  }
  std::vector<annals::logging::Field> started = {
      {"listen", options.listen},
      {"port", (*server)->port()},
      {"data_dir", options.data_dir},
      {"sequence", (*server)->catalog().head_sequence()},
      {"max_streams", options.max_streams},
      {"max_streams_per_peer", options.max_streams_per_peer},
      {"reserved_streams", options.reserved_streams}};
  for (annals::logging::Field& field : config->Describe()) {
    started.push_back(std::move(field));
  }
  logger->Log(annals::logging::Level::kInfo, "serving", started);
  annals::config::WarnIfExposedWithoutTls(*logger, options.listen, *config);
  std::printf(
      "annals-catalog listening on %s (port %d), data in %s, "
      "sequence %lld\n",
      options.listen.c_str(), (*server)->port(), options.data_dir.c_str(),
      static_cast<long long>((*server)->catalog().head_sequence()));
  if ((*server)->metrics_port() != 0) {
    std::printf("annals-catalog metrics on %s\n",
                (*server)->metrics_url().c_str());
  }
  std::fflush(stdout);

  int signal = annals::WaitForTerminationSignal();
  std::printf("annals-catalog: signal %d, shutting down\n", signal);
  std::fflush(stdout);
  logger->Info("shutting down", {{"signal", signal}});
  absl::Status status = (*server)->Shutdown(config->shutdown_grace);
  if (!status.ok()) {
    std::fprintf(stderr, "annals-catalog: shutdown: %s\n",
                 status.ToString().c_str());
    return 1;
  }
  return 0;
}
