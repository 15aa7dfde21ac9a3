// A running catalog: storage, Catalog, and the gRPC server in front of it,
// with health checking and reflection. main() and the tests both use it.
#ifndef ANNALS_SERVICES_CATALOG_SERVER_H_
#define ANNALS_SERVICES_CATALOG_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/catalog/catalog.h"
#include "services/common/logging/logger.h"
#include "services/common/security/bearer_token.h"
#include "services/common/security/server_security.h"

namespace grpc {
class Server;
}

namespace annals::metrics {
class GrpcServerMetrics;
class MetricsEndpoint;
class Registry;
}  // namespace annals::metrics

namespace annals::catalog {

class AuthorizedCatalogService;
class CatalogAdminService;
class CatalogService;

struct CatalogServerOptions {
  // host:port to listen on; port 0 picks a free port (see port()).
  // Default: 127.0.0.1:7401.
  std::string listen = "127.0.0.1:7401";
  // Folder of the RocksDB database; created if missing. Required.
  std::string data_dir;
  // Largest request accepted, in bytes; larger ones fail with
  // RESOURCE_EXHAUSTED. Default: 16 MiB.
  int max_receive_message_bytes = 16 << 20;
  // A connection with no call in flight for this long is closed (GOAWAY),
  // which frees its file descriptor; zero or less: never. Default: 5 min.
  absl::Duration max_connection_idle = absl::Minutes(5);
  // Acknowledge writes only after the WAL is synced. Default: true.
  bool sync_writes = true;
  // Start even though the write-ahead log cannot be replayed in full,
  // dropping what follows the damage (logged as an error); without it such
  // a data folder fails Start() with DATA_LOSS. See RocksDbOptions and ADR 8.
  // Default: false.
  bool accept_data_loss = false;
  // Verify the checksums of every table file before serving (about a
  // second per 400 MB of table files in the page cache; ADR 8).
  // Default: true.
  bool verify_checksums_at_start = true;
  // host:port of the Prometheus endpoint (GET /metrics, docs/metrics.md);
  // port 0 picks a free port (see metrics_port()). Empty: no endpoint and
  // no per-call recording. Default: empty.
  std::string metrics_listen;
  // TLS and bearer tokens (see authorized_service.h). Default: plaintext,
  // no token.
  security::ServerSecurity security;
  // Largest page_size of ListEntities and ListStatements. Default: 1000.
  int max_page_size = 1000;
  // Largest ListEntities or ListStatements response in bytes; pages end
  // early (see CatalogOptions). 0: no limit. Default: 4,000,000.
  int64_t max_response_bytes = 4000000;
  // Most WatchChanges streams open at once; 0: no limit. Default: 100.
  int max_streams = 100;
  // Most WatchChanges streams open at once from one client address by
  // callers without the bearer token (every caller when there is no token);
  // 0: no limit. Default: 16.
  int max_streams_per_peer = 16;
  // Of max_streams, the streams only callers presenting the bearer token
  // may open, so that anonymous readers cannot lock the timelines out. Only
  // with a token (security.auth_token). Default: 10.
  int reserved_streams = 10;
  // Receives start-up events, refused calls, and (at debug level) one event
  // per call. Null: no logging. Default: null.
  std::shared_ptr<const logging::Logger> logger;
};

class CatalogServer {
 public:
  // Opens the data folder and starts serving. Fails with UNAVAILABLE if the
  // folder is locked by another process or the address cannot be bound,
  // FAILED_PRECONDITION if it holds a database that is not a catalog's, and
  // DATA_LOSS, saying what was found, if the database is damaged (a
  // write-ahead log that cannot be replayed in full, a table file whose
  // checksums fail, a broken invariant of the stored catalog).
  static absl::StatusOr<std::unique_ptr<CatalogServer>> Start(
      const CatalogServerOptions& options);

  ~CatalogServer();

  // The port actually bound.
  int port() const { return port_; }
  // The metrics endpoint's port, or 0 without one.
  int metrics_port() const;
  // "http://HOST:PORT/metrics", or empty without an endpoint.
  std::string metrics_url() const;
  Catalog& catalog() { return *catalog_; }
  // Empty, or, when options.accept_data_loss let a damaged data folder
  // open, what was found and where the catalog restarted.
  const std::string& data_loss_accepted() const { return data_loss_accepted_; }

  // Stops accepting calls, gives calls in flight until `grace` to finish
  // (then cancels them), and closes the database. Safe to call twice.
  absl::Status Shutdown(absl::Duration grace = absl::Seconds(5));

 private:
  CatalogServer() = default;

  // Declared before server_, which uses them, so that they outlive it.
  std::unique_ptr<metrics::Registry> metrics_;
  std::unique_ptr<metrics::GrpcServerMetrics> grpc_metrics_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<CatalogService> service_;
  std::unique_ptr<security::CallAuthorizer> authorizer_;
  std::unique_ptr<AuthorizedCatalogService> authorized_service_;
  std::unique_ptr<CatalogAdminService> admin_service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<metrics::MetricsEndpoint> metrics_endpoint_;
  int port_ = 0;
  bool stopped_ = false;
  std::string data_loss_accepted_;
};

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_SERVER_H_
