#include "services/timeline/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "proto/reflection.h"
#include "services/common/logging/rpc_log.h"
#include "services/common/metrics/grpc_server_metrics.h"
#include "services/common/metrics/http_endpoint.h"
#include "services/common/metrics/registry.h"
#include "services/common/process/listener.h"
#include "services/common/process/memory_return.h"
#include "services/common/security/tls.h"
#include "services/timeline/authorized_service.h"
#include "services/timeline/grpc_change_source.h"
#include "services/timeline/timeline_service.h"

namespace annals::timeline {
namespace {

// The timeline's own metrics (docs/metrics.md), read at scrape time.
// `state` and `follower` must outlive the registry's rendering.
void AddTimelineMetrics(metrics::Registry& registry, const TimelineState* state,
                        const ChangeFollower* follower) {
  registry.AddCollector([state,
                         follower](std::vector<metrics::CollectedSample>& out) {
    const int64_t applied = state->applied_sequence();
    const FollowerStatus status = follower->status();
    auto gauge = [&out](const char* name, const char* help, double value) {
      out.push_back({name, help, metrics::MetricType::kGauge, {}, value});
    };
    gauge("annals_timeline_applied_sequence",
          "The last catalog sequence applied to the timeline.",
          static_cast<double>(applied));
    gauge("annals_timeline_catalog_head_sequence",
          "The catalog's head sequence as last reported by its change feed.",
          static_cast<double>(status.catalog_head));
    gauge("annals_timeline_lag_changes",
          "Changes the catalog reported that the timeline has not applied "
          "yet (catalog head minus applied sequence, at least 0).",
          static_cast<double>(
              std::max<int64_t>(0, status.catalog_head - applied)));
    gauge("annals_timeline_feed_connected",
          "1 while a change-feed stream from the catalog is open.",
          status.connected ? 1 : 0);
    gauge("annals_timeline_caught_up",
          "1 once the initial catch-up with the catalog is done.",
          status.caught_up ? 1 : 0);
    const TimelineMemory memory = state->Memory();
    gauge("annals_timeline_index_bytes",
          "Bytes of the interval indexes held in memory.",
          static_cast<double>(memory.index_bytes));
    gauge("annals_timeline_entity_bytes",
          "Bytes of the entity ids and id map held in memory.",
          static_cast<double>(memory.entity_bytes));
    gauge("annals_timeline_store_memory_bytes",
          "Bytes the local store holds in memory: its block cache in use "
          "(bounded by --block_cache_mb) and its memtables.",
          static_cast<double>(memory.store_bytes));
    gauge("annals_timeline_extent_records",
          "Extent records ever indexed (current and retired).",
          static_cast<double>(memory.indexed_extents));
    gauge("annals_timeline_stopped",
          "1 if the timeline stopped following because the catalog's "
          "history diverged (see its log).",
          status.stopped ? 1 : 0);
    out.push_back({"annals_timeline_feed_connections_total",
                   "Change-feed streams opened successfully.",
                   metrics::MetricType::kCounter,
                   {},
                   static_cast<double>(status.connections)});
  });
}

}  // namespace

absl::StatusOr<std::unique_ptr<TimelineServer>> TimelineServer::Start(
    const TimelineServerOptions& options) {
  if (options.limits.max_page_size < 1 || options.limits.max_window_days < 0) {
    return absl::InvalidArgumentError(
        "limits: max_page_size must be at least 1 and max_window_days at "
        "least 0");
  }
  std::unique_ptr<TimelineServer> server(new TimelineServer());
  absl::StatusOr<std::unique_ptr<TimelineState>> opened = TimelineState::Open(
      options.limits, {.path = options.data_dir,
                       .block_cache_bytes = options.block_cache_bytes});
  if (!opened.ok()) return opened.status();
  server->state_ = *std::move(opened);
  if (options.change_source == nullptr) {
    server->state_->SetCatalogAddress(options.catalog);
  }
  server->gate_ = std::make_unique<SequenceGate>();
  if (options.change_source != nullptr) {
    server->source_ = options.change_source;
  } else {
    auto source = std::make_shared<GrpcChangeSource>(
        options.catalog, options.catalog_connection);
    server->grpc_source_ = source.get();
    server->source_ = std::move(source);
  }
  // Large answers leave no lasting growth (docs/reliability.md).
  server->memory_returner_ = std::make_unique<MemoryReturner>();
  server->service_ = std::make_unique<TimelineService>(
      server->state_.get(), server->gate_.get(), options.max_wait,
      server->memory_returner_.get(), options.limits.max_response_bytes);
  server->authorizer_ = std::make_unique<security::CallAuthorizer>(
      options.security.auth_token, options.security.auth_reads, options.logger);
  server->authorized_service_ = std::make_unique<AuthorizedTimelineService>(
      server->service_.get(), server->authorizer_.get());
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      security::MakeServerCredentials(options.security.tls);
  if (!credentials.ok()) return credentials.status();

  grpc::EnableDefaultHealthCheckService(true);
  LinkReflectedDescriptors();  // health and error details, for reflection
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, *credentials, &server->port_);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  // No port sharing; idle connections closed (docs/reliability.md).
  ApplyListenerPolicy(builder, options.max_connection_idle);
  builder.RegisterService(server->authorized_service_.get());
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
  grpc::HealthCheckServiceInterface* health =
      server->server_->GetHealthCheckService();
  const std::string service_name(v1::TimelineService::service_full_name());
  health->SetServingStatus("", false);
  health->SetServingStatus(service_name, false);

  ChangeFollowerOptions follower_options;
  follower_options.initial_backoff = options.initial_backoff;
  follower_options.max_backoff = options.max_backoff;
  follower_options.log = options.log;
  if (!follower_options.log && options.logger != nullptr) {
    follower_options.log = [logger = options.logger](absl::string_view line) {
      logger->Log(absl::StartsWith(line, "NOT SERVING") ? logging::Level::kError
                                                        : logging::Level::kInfo,
                  line);
    };
  }
  if (!options.data_dir.empty() && follower_options.log) {
    const StoreLoad& load = server->state_->store_load();
    if (!load.cleared_reason.empty()) {
      follower_options.log(absl::StrCat(
          "cleared the local state in ", options.data_dir, " (",
          load.cleared_reason, "); rebuilding it from the catalog"));
    } else if (load.loaded) {
      follower_options.log(absl::StrCat(
          "loaded the local state in ", options.data_dir, ": sequence ",
          load.sequence, ", ", load.records, " extent records, in ",
          absl::FormatDuration(absl::Trunc(load.took, absl::Milliseconds(1)))));
    }
  }
  server->log_ = follower_options.log;
  SequenceGate* gate = server->gate_.get();
  // Calls waiting for min_sequence also wait for the first catch-up: the
  // gate learns nothing before it.
  TimelineState* state = server->state_.get();
  follower_options.on_applied = [gate, state](int64_t applied) {
    if (state->caught_up()) gate->Publish(applied);
  };
  MemoryReturner* returner = server->memory_returner_.get();
  follower_options.on_serving = [health, service_name, gate,
                                 returner](bool serving) {
    // The catch-up's index rebuilds leave freed heap behind: give it back.
    if (serving) returner->NoteLargeAnswer();
    health->SetServingStatus("", serving);
    health->SetServingStatus(service_name, serving);
    // Stopped for good: calls waiting for a sequence get the reason now.
    if (!serving) gate->Shutdown();
  };
  // A catalog outage after the initial catch-up: the service is NOT_SERVING
  // (not ready) until a new stream has caught up again, while queries keep
  // answering from what was applied. The overall status ("") stays SERVING:
  // the process is alive and a restart would only lose what it holds.
  follower_options.on_sync = [health, service_name](bool in_sync) {
    health->SetServingStatus(service_name, in_sync);
  };
  server->follower_ = std::make_unique<ChangeFollower>(
      server->source_.get(), server->state_.get(), std::move(follower_options));
  server->follower_->Start();
  if (server->metrics_ != nullptr) {
    AddTimelineMetrics(*server->metrics_, server->state_.get(),
                       server->follower_.get());
    absl::StatusOr<std::unique_ptr<metrics::MetricsEndpoint>> endpoint =
        metrics::MetricsEndpoint::Start(options.metrics_listen,
                                        server->metrics_.get());
    if (!endpoint.ok()) return endpoint.status();
    server->metrics_endpoint_ = *std::move(endpoint);
  }
  return server;
}

int TimelineServer::metrics_port() const {
  return metrics_endpoint_ != nullptr ? metrics_endpoint_->port() : 0;
}

std::string TimelineServer::metrics_url() const {
  return metrics_endpoint_ != nullptr ? metrics_endpoint_->url() : "";
}

TimelineServer::~TimelineServer() {
  Shutdown(absl::ZeroDuration()).IgnoreError();
}

void TimelineServer::SetCatalogTarget(absl::string_view target) {
  if (grpc_source_ == nullptr) return;
  grpc_source_->SetTarget(target);
  state_->SetCatalogAddress(target);
}

absl::Status TimelineServer::Shutdown(absl::Duration grace) {
  if (stopped_) return absl::OkStatus();
  stopped_ = true;
  if (metrics_endpoint_ != nullptr) metrics_endpoint_->Stop();
  if (follower_ != nullptr) follower_->Stop();
  if (state_ != nullptr && state_->persistent()) {
    // Nothing is applied any more: the next start loads this instead of
    // rebuilding the indexes from every record.
    const absl::Time start = absl::Now();
    absl::Status saved = state_->SaveIndexes();
    if (log_) {
      log_(saved.ok()
               ? absl::StrCat("saved the indexes at sequence ",
                              state_->applied_sequence(), " in ",
                              absl::FormatDuration(absl::Trunc(
                                  absl::Now() - start, absl::Milliseconds(1))))
               : absl::StrCat("could not save the indexes (the next start "
                              "rebuilds them from the folder): ",
                              saved.message()));
    }
  }
  if (gate_ != nullptr) gate_->Shutdown();
  if (server_ != nullptr) {
    server_->GetHealthCheckService()->Shutdown();
    server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    server_->Wait();
  }
  return absl::OkStatus();
}

}  // namespace annals::timeline
