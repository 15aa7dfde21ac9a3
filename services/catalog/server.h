// A running catalog: storage, Catalog, and the gRPC server in front of it,
// with health checking and reflection. main() and the tests both use it.
#ifndef ANNALS_SERVICES_CATALOG_SERVER_H_
#define ANNALS_SERVICES_CATALOG_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/catalog/catalog.h"

namespace grpc {
class Server;
}

namespace annals::catalog {

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
  // Acknowledge writes only after the WAL is synced. Default: true.
  bool sync_writes = true;
};

class CatalogServer {
 public:
  // Opens the data folder and starts serving. Fails with UNAVAILABLE if the
  // folder is locked by another process or the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<CatalogServer>> Start(
      const CatalogServerOptions& options);

  ~CatalogServer();

  // The port actually bound.
  int port() const { return port_; }
  Catalog& catalog() { return *catalog_; }

  // Stops accepting calls, gives calls in flight until `grace` to finish
  // (then cancels them), and closes the database. Safe to call twice.
  absl::Status Shutdown(absl::Duration grace = absl::Seconds(5));

 private:
  CatalogServer() = default;

  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<CatalogService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool stopped_ = false;
};

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_SERVER_H_
