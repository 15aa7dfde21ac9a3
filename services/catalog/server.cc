#include "services/catalog/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "services/catalog/catalog_service.h"
#include "services/catalog/storage/rocksdb_storage.h"

namespace annals::catalog {

absl::StatusOr<std::unique_ptr<CatalogServer>> CatalogServer::Start(
    const CatalogServerOptions& options) {
  if (options.data_dir.empty()) {
    return absl::InvalidArgumentError("data_dir: is required");
  }
  std::error_code error;
  std::filesystem::create_directories(options.data_dir, error);
  if (error) {
    return absl::UnavailableError(absl::StrCat("cannot create data directory ",
                                               options.data_dir, ": ",
                                               error.message()));
  }
  RocksDbOptions storage_options;
  storage_options.sync_writes = options.sync_writes;
  absl::StatusOr<std::unique_ptr<Storage>> storage =
      OpenRocksDbStorage(options.data_dir, storage_options);
  if (!storage.ok()) return storage.status();

  std::unique_ptr<CatalogServer> server(new CatalogServer());
  absl::StatusOr<std::unique_ptr<Catalog>> catalog =
      Catalog::Open(*std::move(storage));
  if (!catalog.ok()) return catalog.status();
  server->catalog_ = *std::move(catalog);
  server->service_ = std::make_unique<CatalogService>(server->catalog_.get());

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(),
                           &server->port_);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  builder.RegisterService(server->service_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen,
                     " (address in use, or not a valid host:port)"));
  }
  server->server_->GetHealthCheckService()->SetServingStatus(
      std::string(v1::CatalogService::service_full_name()), true);
  return server;
}

CatalogServer::~CatalogServer() {
  Shutdown(absl::ZeroDuration()).IgnoreError();
}

absl::Status CatalogServer::Shutdown(absl::Duration grace) {
  if (stopped_) return absl::OkStatus();
  stopped_ = true;
  if (server_ != nullptr) {
    server_->GetHealthCheckService()->Shutdown();
    server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    server_->Wait();
  }
  return catalog_ != nullptr ? catalog_->Close() : absl::OkStatus();
}

}  // namespace annals::catalog
