// annals-timeline: parses flags, starts TimelineServer, stops on SIGTERM or
// SIGINT.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
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
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "On SIGTERM or SIGINT, how long calls in flight may take to finish.");

int main(int argc, char** argv) {
  annals::ParseServiceFlags(
      argc, argv,
      "The Annals timeline: temporal queries over the catalog's change feed.\n"
      "Usage: annals-timeline [--listen=127.0.0.1:7402] "
      "[--catalog=127.0.0.1:7401]");
  // Before any thread starts, so that only WaitForTerminationSignal() sees
  // the signals.
  annals::BlockTerminationSignals();

  annals::timeline::TimelineServerOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.catalog = absl::GetFlag(FLAGS_catalog);
  options.max_wait = absl::GetFlag(FLAGS_max_wait);
  auto server = annals::timeline::TimelineServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "annals-timeline: %s\n",
                 server.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "annals-timeline listening on %s (port %d), following the catalog at "
      "%s\n",
      options.listen.c_str(), (*server)->port(), options.catalog.c_str());
  std::fflush(stdout);

  int signal = annals::WaitForTerminationSignal();
  std::printf("annals-timeline: signal %d, shutting down\n", signal);
  std::fflush(stdout);
  absl::Status status =
      (*server)->Shutdown(absl::GetFlag(FLAGS_shutdown_grace));
  if (!status.ok()) {
    std::fprintf(stderr, "annals-timeline: shutdown: %s\n",
                 status.ToString().c_str());
    return 1;
  }
  return 0;
}
