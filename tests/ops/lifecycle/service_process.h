// Real annals-catalog and annals-timeline processes for the lifecycle tests.
//
// Each service is started on 127.0.0.1, on port 0 or on a given port (to
// restart a service where its clients expect it), with its metrics endpoint
// off; its port is read from its "listening on ... (port N)" line. Stubs and
// small polling helpers reach it over gRPC.
//
//   ServiceProcess catalog = StartCatalog(dir.Sub("catalog"));
//   ASSERT_TRUE(catalog.ok());
//   auto stub = CatalogStub(catalog.address());
//   ...
//   EXPECT_TRUE(ExitedZero(catalog.process->Kill(SIGTERM)));
#ifndef ANNALS_TESTS_OPS_LIFECYCLE_SERVICE_PROCESS_H_
#define ANNALS_TESTS_OPS_LIFECYCLE_SERVICE_PROCESS_H_

#include <grpcpp/grpcpp.h>
#include <sys/wait.h>

#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "annals/catalog/v1/catalog_service.grpc.pb.h"
#include "annals/timeline/v1/timeline_service.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/testing/subprocess.h"

namespace annals::testing {

using ServingStatus = ::grpc::health::v1::HealthCheckResponse::ServingStatus;

inline constexpr char kCatalogService[] = "annals.catalog.v1.CatalogService";
inline constexpr char kTimelineService[] = "annals.timeline.v1.TimelineService";

struct ServiceProcess {
  std::unique_ptr<Subprocess> process;
  // The port bound; 0 if the service did not start.
  int port = 0;
  // What the catalog reported as its head sequence when it started (-1 for
  // the timeline).
  int64_t start_sequence = -1;

  bool ok() const { return process != nullptr && port != 0; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port); }
};

// Starts annals-catalog on `data_dir`. `listen` is "127.0.0.1:0" or a port
// to reuse; `grace` is its --shutdown_grace; `flags` are added to the
// command line. Check ok().
inline ServiceProcess StartCatalog(const std::string& data_dir,
                                   const std::string& listen = "127.0.0.1:0",
                                   absl::Duration grace = absl::Seconds(10),
                                   const std::vector<std::string>& flags = {}) {
  ServiceProcess service;
  std::vector<std::string> command = {
      ANNALS_CATALOG_BINARY, "--listen=" + listen, "--data_dir=" + data_dir,
      "--metrics_listen=off",
      "--shutdown_grace=" + absl::FormatDuration(grace)};
  command.insert(command.end(), flags.begin(), flags.end());
  service.process = std::make_unique<Subprocess>(std::move(command));
  std::optional<std::string> line =
      service.process->WaitForLine(R"(annals-catalog listening on (.*))");
  if (!line.has_value()) return service;
  std::smatch match;
  if (std::regex_search(*line, match,
                        std::regex(R"(\(port (\d+)\).*sequence (\d+))"))) {
    service.port = std::stoi(match[1].str());
    service.start_sequence = std::stoll(match[2].str());
  }
  return service;
}

// Starts annals-timeline following the catalog at `catalog_address`, which
// need not be up, with `flags` added to its command line. Check ok().
inline ServiceProcess StartTimeline(
    const std::string& catalog_address,
    const std::vector<std::string>& flags = {}) {
  ServiceProcess service;
  std::vector<std::string> command = {
      ANNALS_TIMELINE_BINARY, "--listen=127.0.0.1:0",
      "--catalog=" + catalog_address, "--metrics_listen=off"};
  command.insert(command.end(), flags.begin(), flags.end());
  service.process = std::make_unique<Subprocess>(std::move(command));
  std::optional<std::string> port = service.process->WaitForLine(
      R"(annals-timeline listening on \S+ \(port (\d+)\))");
  if (port.has_value()) service.port = std::stoi(*port);
  return service;
}

// Whether a raw wait status says the process exited with status 0.
inline bool ExitedZero(int wait_status) {
  return WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0;
}

inline std::shared_ptr<grpc::Channel> Channel(const std::string& address) {
  return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
}

inline std::unique_ptr<catalog::v1::CatalogService::Stub> CatalogStub(
    const std::string& address) {
  return catalog::v1::CatalogService::NewStub(Channel(address));
}

inline std::unique_ptr<timeline::v1::TimelineService::Stub> TimelineStub(
    const std::string& address) {
  return timeline::v1::TimelineService::NewStub(Channel(address));
}

inline void SetDeadline(grpc::ClientContext& context, absl::Duration timeout) {
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
}

// The health `service` reports at `address` ("" for the server as a
// whole); UNKNOWN if the call fails.
inline ServingStatus CheckHealth(const std::string& address,
                                 const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(Channel(address));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  grpc::ClientContext context;
  SetDeadline(context, absl::Seconds(5));
  if (!stub->Check(&context, request, &response).ok()) {
    return grpc::health::v1::HealthCheckResponse::UNKNOWN;
  }
  return response.status();
}

// Polls until `service` at `address` reports `wanted`, or `timeout`.
// Returns whether it did.
inline bool AwaitHealth(const std::string& address, const std::string& service,
                        ServingStatus wanted, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (CheckHealth(address, service) == wanted) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

// Creates an entity of kind "event" with id `id`; returns the call's status
// and fills *created.
inline grpc::Status CreateEvent(catalog::v1::CatalogService::Stub& stub,
                                const std::string& id,
                                catalog::v1::Entity* created,
                                absl::Duration timeout = absl::Seconds(5)) {
  catalog::v1::CreateEntityRequest request;
  request.set_entity_id(id);
  request.mutable_entity()->set_kind("event");
  request.mutable_entity()->set_label("Event " + id);
  request.mutable_entity()->mutable_lifespan()->set_edtf("2025-03-12");
  grpc::ClientContext context;
  SetDeadline(context, timeout);
  return stub.CreateEntity(&context, request, created);
}

// The timeline's snapshot of entity `id` on 2025-03-12, once it has applied
// `min_sequence`.
inline grpc::Status Snapshot(timeline::v1::TimelineService::Stub& stub,
                             const std::string& id, int64_t min_sequence,
                             timeline::v1::GetSnapshotResponse* response,
                             absl::Duration timeout = absl::Seconds(10)) {
  timeline::v1::GetSnapshotRequest request;
  request.set_entity(id);
  request.set_at("2025-03-12");
  request.set_min_sequence(min_sequence);
  grpc::ClientContext context;
  SetDeadline(context, timeout);
  return stub.GetSnapshot(&context, request, response);
}

}  // namespace annals::testing

#endif  // ANNALS_TESTS_OPS_LIFECYCLE_SERVICE_PROCESS_H_
