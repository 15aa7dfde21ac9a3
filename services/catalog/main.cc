// annals-catalog: parses flags, starts CatalogServer, stops on SIGTERM/SIGINT.
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "services/catalog/server.h"
#include "services/common/process/flags.h"
#include "services/common/process/signals.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:7401",
          "host:port to serve gRPC on. Use 0.0.0.0:PORT only to serve other "
          "machines.");
ABSL_FLAG(std::string, data_dir, "annals-data/catalog",
          "Folder of the catalog's RocksDB database; created if missing.");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "On SIGTERM or SIGINT, how long calls in flight may take to finish.");
ABSL_FLAG(int, max_message_bytes, 16 << 20,
          "Largest request accepted, in bytes.");

int main(int argc, char** argv) {
  annals::ParseServiceFlags(
      argc, argv,
      "The Annals catalog: entities and time-qualified statements over gRPC.\n"
      "Usage: annals-catalog [--listen=127.0.0.1:7401] "
      "[--data_dir=annals-data/catalog]");
  // Before any thread starts, so that only WaitForTerminationSignal() sees
  // the signals.
  annals::BlockTerminationSignals();

  annals::catalog::CatalogServerOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.max_receive_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  auto server = annals::catalog::CatalogServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "annals-catalog: %s\n",
                 server.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "annals-catalog listening on %s (port %d), data in %s, "
      "sequence %lld\n",
      options.listen.c_str(), (*server)->port(), options.data_dir.c_str(),
      static_cast<long long>((*server)->catalog().head_sequence()));
  std::fflush(stdout);

  int signal = annals::WaitForTerminationSignal();
  std::printf("annals-catalog: signal %d, shutting down\n", signal);
  std::fflush(stdout);
  absl::Status status =
      (*server)->Shutdown(absl::GetFlag(FLAGS_shutdown_grace));
  if (!status.ok()) {
    std::fprintf(stderr, "annals-catalog: shutdown: %s\n",
                 status.ToString().c_str());
    return 1;
  }
  return 0;
}
