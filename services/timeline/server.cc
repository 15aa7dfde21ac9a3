#include "services/timeline/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/timeline/grpc_change_source.h"
#include "services/timeline/timeline_service.h"

namespace annals::timeline {

absl::StatusOr<std::unique_ptr<TimelineServer>> TimelineServer::Start(
    const TimelineServerOptions& options) {
  std::unique_ptr<TimelineServer> server(new TimelineServer());
  server->state_ = std::make_unique<TimelineState>();
  server->gate_ = std::make_unique<SequenceGate>();
  if (options.change_source != nullptr) {
    server->source_ = options.change_source;
  } else {
    auto source = std::make_shared<GrpcChangeSource>(options.catalog);
    server->grpc_source_ = source.get();
    server->source_ = std::move(source);
  }
  server->service_ = std::make_unique<TimelineService>(
      server->state_.get(), server->gate_.get(), options.max_wait);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(),
                           &server->port_);
  builder.RegisterService(server->service_.get());
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
  SequenceGate* gate = server->gate_.get();
  follower_options.on_applied = [gate](int64_t applied) {
    gate->Publish(applied);
  };
  follower_options.on_serving = [health, service_name, gate](bool serving) {
    health->SetServingStatus("", serving);
    health->SetServingStatus(service_name, serving);
    // Stopped for good: calls waiting for a sequence get the reason now.
    if (!serving) gate->Shutdown();
  };
  server->follower_ = std::make_unique<ChangeFollower>(
      server->source_.get(), server->state_.get(), std::move(follower_options));
  server->follower_->Start();
  return server;
}

TimelineServer::~TimelineServer() {
  Shutdown(absl::ZeroDuration()).IgnoreError();
}

void TimelineServer::SetCatalogTarget(absl::string_view target) {
  if (grpc_source_ != nullptr) grpc_source_->SetTarget(target);
}

absl::Status TimelineServer::Shutdown(absl::Duration grace) {
  if (stopped_) return absl::OkStatus();
  stopped_ = true;
  if (follower_ != nullptr) follower_->Stop();
  if (gate_ != nullptr) gate_->Shutdown();
  if (server_ != nullptr) {
    server_->GetHealthCheckService()->Shutdown();
    server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    server_->Wait();
  }
  return absl::OkStatus();
}

}  // namespace annals::timeline
