// annals::TimelineClient: a typed client of annals.timeline.v1.TimelineService.
//
//   auto session = std::make_shared<annals::Session>();
//   auto catalog = annals::CatalogClient::Connect("127.0.0.1:7401", {},
//   session); auto timeline = annals::TimelineClient::Connect("127.0.0.1:7402",
//   {}, session); catalog.CreateStatement(...);              // recorded in the
//   session annals::timeline::v1::GetSnapshotRequest request;
//   request.set_entity("nmi");
//   request.set_at("2021-06-01");
//   auto snapshot = timeline.GetSnapshot(request);  // sees the write above
//
// Every query carries min_sequence = max(the request's, the session's last
// write), so a client always reads its own writes: the timeline waits (within
// the deadline) until it has applied them. Queries are retried with backoff
// on UNAVAILABLE. Thread safety: safe for concurrent use.
#ifndef ANNALS_CLIENTS_CPP_INCLUDE_ANNALS_TIMELINE_CLIENT_H_
#define ANNALS_CLIENTS_CPP_INCLUDE_ANNALS_TIMELINE_CLIENT_H_

#include <grpcpp/channel.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "annals/options.h"
#include "annals/session.h"
#include "annals/timeline/v1/timeline_service.grpc.pb.h"

namespace annals {

class TimelineClient {
 public:
  // A client over `stub`. A null `session` gets a session of its own.
  TimelineClient(
      std::shared_ptr<timeline::v1::TimelineService::StubInterface> stub,
      ClientOptions options = {}, std::shared_ptr<Session> session = nullptr);

  // A client of the timeline at `address` ("host:port") over
  // CreateChannel(address, options) (channel.h): TLS when options.tls is
  // set, and options.bearer_token on every call.
  static TimelineClient Connect(const std::string& address,
                                ClientOptions options = {},
                                std::shared_ptr<Session> session = nullptr);
  static TimelineClient Connect(std::shared_ptr<grpc::ChannelInterface> channel,
                                ClientOptions options = {},
                                std::shared_ptr<Session> session = nullptr);

  const std::shared_ptr<Session>& session() const { return session_; }

  absl::StatusOr<timeline::v1::GetSnapshotResponse> GetSnapshot(
      timeline::v1::GetSnapshotRequest request);
  // Up to 1000 GetSnapshot lookups in one round trip, all answered from the
  // same catalog sequence. The session's sequence applies to the batch.
  absl::StatusOr<timeline::v1::BatchGetSnapshotsResponse> BatchGetSnapshots(
      timeline::v1::BatchGetSnapshotsRequest request);
  absl::StatusOr<timeline::v1::ListHistoryResponse> ListHistory(
      timeline::v1::ListHistoryRequest request);
  absl::StatusOr<timeline::v1::QueryWindowResponse> QueryWindow(
      timeline::v1::QueryWindowRequest request);
  absl::StatusOr<timeline::v1::RelateResponse> Relate(
      timeline::v1::RelateRequest request);
  absl::StatusOr<timeline::v1::FindGapsResponse> FindGaps(
      timeline::v1::FindGapsRequest request);
  absl::StatusOr<timeline::v1::CountActiveResponse> CountActive(
      timeline::v1::CountActiveRequest request);

 private:
  template <typename Request, typename Response>
  absl::StatusOr<Response> Query(
      Request request,
      grpc::Status (timeline::v1::TimelineService::StubInterface::*method)(
          grpc::ClientContext*, const Request&, Response*));

  std::shared_ptr<timeline::v1::TimelineService::StubInterface> stub_;
  ClientOptions options_;
  std::shared_ptr<Session> session_;
};

}  // namespace annals

#endif  // ANNALS_CLIENTS_CPP_INCLUDE_ANNALS_TIMELINE_CLIENT_H_
