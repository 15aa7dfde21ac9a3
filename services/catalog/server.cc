#include "services/catalog/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <filesystem>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "proto/reflection.h"
#include "services/catalog/admin_service.h"
#include "services/catalog/authorized_service.h"
#include "services/catalog/catalog_service.h"
#include "services/catalog/storage/rocksdb_storage.h"
#include "services/common/logging/rpc_log.h"
#include "services/common/metrics/grpc_server_metrics.h"
#include "services/common/metrics/http_endpoint.h"
#include "services/common/metrics/registry.h"
#include "services/common/process/listener.h"
#include "services/common/security/tls.h"

namespace annals::catalog {
namespace {

// The catalog's own metrics (docs/metrics.md), read at scrape time.
// `catalog` and `storage` (owned by the catalog) must outlive the
// registry's rendering.
void AddCatalogMetrics(metrics::Registry& registry, const Catalog* catalog,
                       const Storage* storage) {
  registry.AddGaugeCallback(
      "annals_catalog_head_sequence",
      "The catalog's last committed sequence (0 when empty).",
      [catalog] { return static_cast<double>(catalog->head_sequence()); });
  const int64_t start_head = catalog->head_sequence();
  registry.AddCounterCallback(
      "annals_catalog_changes_committed_total",
      "Changes committed since this process started; rate() of it is the "
      "write rate in changes per second.",
      [catalog, start_head] {
        return static_cast<double>(catalog->head_sequence() - start_head);
      });
  registry.AddGaugeCallback(
      "annals_catalog_writable",
      "1 while the storage accepts writes; 0 while they fail (a full disk, "
      "a read-only file system, a deleted data folder) and only reads are "
      "served.",
      [storage] { return storage->WriteHealth().ok() ? 1.0 : 0.0; });
  registry.AddCollector([storage](std::vector<metrics::CollectedSample>& out) {
    for (const StorageProperty& property : storage->Properties()) {
      metrics::CollectedSample sample;
      sample.name = absl::StrCat("annals_catalog_storage_", property.name);
      sample.help = property.help;
      sample.type = metrics::MetricType::kGauge;
      if (!property.space.empty()) sample.labels = {{"space", property.space}};
      sample.value = static_cast<double>(property.value);
      out.push_back(std::move(sample));
    }
  });
}

}  // namespace

absl::StatusOr<std::unique_ptr<CatalogServer>> CatalogServer::Start(
    const CatalogServerOptions& options) {
  if (options.data_dir.empty()) {
    return absl::InvalidArgumentError("data_dir: is required");
  }
  if (options.max_page_size < 1 || options.max_streams < 0 ||
      options.max_streams_per_peer < 0 || options.reserved_streams < 0) {
    return absl::InvalidArgumentError(
        "max_page_size must be at least 1, and max_streams, "
        "max_streams_per_peer and reserved_streams at least 0");
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
  storage_options.accept_data_loss = options.accept_data_loss;
  storage_options.verify_checksums = options.verify_checksums_at_start;
  RocksDbOpenReport report;
  absl::StatusOr<std::unique_ptr<Storage>> storage =
      OpenRocksDbStorage(options.data_dir, storage_options, &report);
  if (!storage.ok()) return storage.status();
  if (options.logger != nullptr) {
    options.logger->Info("storage opened",
                         {{"data_dir", options.data_dir},
                          {"wal_files", report.wal_files},
                          {"verified_table_bytes",
                           static_cast<int64_t>(report.verified_table_bytes)},
                          {"verification_seconds",
                           absl::ToDoubleSeconds(report.verification_time)}});
  }
  Storage* storage_view = storage->get();  // owned by the catalog

  std::unique_ptr<CatalogServer> server(new CatalogServer());
  CatalogOptions catalog_options;
  catalog_options.max_page_size = options.max_page_size;
  catalog_options.max_response_bytes = options.max_response_bytes;
  absl::StatusOr<std::unique_ptr<Catalog>> catalog =
      Catalog::Open(*std::move(storage), std::move(catalog_options));
  if (!catalog.ok()) return catalog.status();
  if (!report.crash_cut_tail.empty() && options.logger != nullptr) {
    options.logger->Warn("write-ahead log ended in a write cut off by a crash",
                         {{"dropped", report.crash_cut_tail}});
  }
  if (!report.data_loss_accepted.empty()) {
    // Loud on purpose: acknowledged writes may be gone, and the operator
    // asked for it with --accept_data_loss.
    server->data_loss_accepted_ = absl::StrCat(
        report.data_loss_accepted, " The catalog starts at sequence ",
        (*catalog)->head_sequence(),
        "; writes after the damage, acknowledged or not, are gone.");
    if (options.logger != nullptr) {
      options.logger->Error("data loss accepted (--accept_data_loss)",
                            {{"found", report.data_loss_accepted},
                             {"sequence", (*catalog)->head_sequence()}});
    }
  } else if (options.accept_data_loss && options.logger != nullptr) {
    options.logger->Warn(
        "--accept_data_loss given, but the data folder was intact", {});
  }
  server->catalog_ = *std::move(catalog);
  FeedSlotLimits feed_limits;
  feed_limits.max_streams = options.max_streams;
  feed_limits.max_streams_per_peer = options.max_streams_per_peer;
  feed_limits.reserved_streams = options.reserved_streams;
  server->service_ = std::make_unique<CatalogService>(
      server->catalog_.get(), feed_limits,
      /*tokens=*/!options.security.auth_token.empty());
  server->authorizer_ = std::make_unique<security::CallAuthorizer>(
      options.security.auth_token, options.security.auth_reads, options.logger);
  server->authorized_service_ = std::make_unique<AuthorizedCatalogService>(
      server->service_.get(), server->authorizer_.get());
  server->admin_service_ = std::make_unique<CatalogAdminService>(
      server->catalog_.get(), server->authorizer_.get());
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      security::MakeServerCredentials(options.security.tls);
  if (!credentials.ok()) return credentials.status();

  grpc::EnableDefaultHealthCheckService(true);
  LinkReflectedDescriptors();  // health and error details, for reflection
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, *credentials, &server->port_);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  // Timelines send HTTP/2 keepalive pings on their change-feed connections
  // to notice a catalog that stops answering (--feed_stall_timeout, down to
  // a ping a second). Accept them, with or without a call open, instead of
  // gRPC's default of one ping per 5 minutes, beyond which the connection
  // is closed with "too_many_pings".
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 500);
  // No port sharing; idle connections closed (docs/reliability.md).
  ApplyListenerPolicy(builder, options.max_connection_idle);
  builder.RegisterService(server->authorized_service_.get());
  builder.RegisterService(server->admin_service_.get());
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  if (!options.metrics_listen.empty()) {
    server->metrics_ = std::make_unique<metrics::Registry>();
    server->grpc_metrics_ =
        std::make_unique<metrics::GrpcServerMetrics>(server->metrics_.get());
    interceptors.push_back(server->grpc_metrics_->NewInterceptorFactory());
  }
  if (options.logger != nullptr) {
    interceptors.push_back(
        logging::NewRpcLogInterceptorFactory(options.logger));
  }
  if (!interceptors.empty()) {
    builder.experimental().SetInterceptorCreators(std::move(interceptors));
  }
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen,
                     " (address in use, or not a valid host:port)"));
  }
  if (server->metrics_ != nullptr) {
    AddCatalogMetrics(*server->metrics_, server->catalog_.get(), storage_view);
    absl::StatusOr<std::unique_ptr<metrics::MetricsEndpoint>> endpoint =
        metrics::MetricsEndpoint::Start(options.metrics_listen,
                                        server->metrics_.get());
    if (!endpoint.ok()) return endpoint.status();
    server->metrics_endpoint_ = *std::move(endpoint);
  }
  // Health: "" (liveness) stays SERVING while the process answers, reads
  // included; the service's name (readiness for writes) is NOT_SERVING
  // while the storage cannot write (a full disk, a read-only file system,
  // a deleted data folder). The change is logged once each way.
  grpc::HealthCheckServiceInterface* health =
      server->server_->GetHealthCheckService();
  const std::string service_name(v1::CatalogService::service_full_name());
  health->SetServingStatus(service_name, true);
  health->SetServingStatus(
      std::string(v1::CatalogAdminService::service_full_name()), true);
  std::shared_ptr<const logging::Logger> logger = options.logger;
  auto failing_since = std::make_shared<std::optional<absl::Time>>();
  storage_view->SetWriteHealthObserver(
      [health, service_name, logger,
       failing_since](const absl::Status& write_health) {
        health->SetServingStatus(service_name, write_health.ok());
        if (!write_health.ok()) {
          *failing_since = absl::Now();
          if (logger != nullptr) {
            logger->Error("storage cannot write; reads still served",
                          {{"error", std::string(write_health.message())}});
          }
        } else if (failing_since->has_value()) {
          const absl::Duration failed_for = absl::Now() - **failing_since;
          failing_since->reset();
          if (logger != nullptr) {
            logger->Info("storage writes resumed",
                         {{"failed_for", absl::FormatDuration(failed_for)}});
          }
        }
      });
  return server;
}

int CatalogServer::metrics_port() const {
  return metrics_endpoint_ != nullptr ? metrics_endpoint_->port() : 0;
}

std::string CatalogServer::metrics_url() const {
  return metrics_endpoint_ != nullptr ? metrics_endpoint_->url() : "";
}

CatalogServer::~CatalogServer() {
  Shutdown(absl::ZeroDuration()).IgnoreError();
}

absl::Status CatalogServer::Shutdown(absl::Duration grace) {
  if (stopped_) return absl::OkStatus();
  stopped_ = true;
  if (metrics_endpoint_ != nullptr) metrics_endpoint_->Stop();
  if (server_ != nullptr) {
    server_->GetHealthCheckService()->Shutdown();
    // Change-feed streams never end by themselves: end them now (after what
    // is committed has been sent) rather than at the end of the grace period.
    if (catalog_ != nullptr) catalog_->notifier().Close();
    server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    server_->Wait();
  }
  return catalog_ != nullptr ? catalog_->Close() : absl::OkStatus();
}

}  // namespace annals::catalog
