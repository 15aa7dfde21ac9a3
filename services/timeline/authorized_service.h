// AuthorizedTimelineService: TimelineService behind a bearer-token check.
//
// Every method of the timeline is a read: with a token and auth_reads
// (security::CallAuthorizer), a call without the right token ends with
// UNAUTHENTICATED before the wrapped service sees it. Health checking and
// reflection are separate services and never checked.
#ifndef ANNALS_SERVICES_TIMELINE_AUTHORIZED_SERVICE_H_
#define ANNALS_SERVICES_TIMELINE_AUTHORIZED_SERVICE_H_

#include "annals/timeline/v1/timeline_service.grpc.pb.h"
#include "services/common/security/bearer_token.h"
#include "services/timeline/timeline_service.h"

namespace annals::timeline {

// Thread safety: safe for concurrent calls. `service` and `authorizer` must
// outlive this service and every call in flight.
class AuthorizedTimelineService final
    : public v1::TimelineService::CallbackService {
 public:
  AuthorizedTimelineService(TimelineService* service,
                            const security::CallAuthorizer* authorizer)
      : service_(service), authorizer_(authorizer) {}

  grpc::ServerUnaryReactor* GetSnapshot(
      grpc::CallbackServerContext* context,
      const v1::GetSnapshotRequest* request,
      v1::GetSnapshotResponse* response) override;
  grpc::ServerUnaryReactor* BatchGetSnapshots(
      grpc::CallbackServerContext* context,
      const v1::BatchGetSnapshotsRequest* request,
      v1::BatchGetSnapshotsResponse* response) override;
  grpc::ServerBidiReactor<v1::StreamSnapshotsRequest,
                          v1::StreamSnapshotsResponse>*
  StreamSnapshots(grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* ListHistory(
      grpc::CallbackServerContext* context,
      const v1::ListHistoryRequest* request,
      v1::ListHistoryResponse* response) override;
  grpc::ServerUnaryReactor* QueryWindow(
      grpc::CallbackServerContext* context,
      const v1::QueryWindowRequest* request,
      v1::QueryWindowResponse* response) override;
  grpc::ServerUnaryReactor* Relate(grpc::CallbackServerContext* context,
                                   const v1::RelateRequest* request,
                                   v1::RelateResponse* response) override;
  grpc::ServerUnaryReactor* FindGaps(grpc::CallbackServerContext* context,
                                     const v1::FindGapsRequest* request,
                                     v1::FindGapsResponse* response) override;
  grpc::ServerUnaryReactor* CountActive(
      grpc::CallbackServerContext* context,
      const v1::CountActiveRequest* request,
      v1::CountActiveResponse* response) override;

 private:
  template <typename Request, typename Response>
  grpc::ServerUnaryReactor* Read(
      grpc::CallbackServerContext* context, const Request* request,
      Response* response, absl::string_view method,
      grpc::ServerUnaryReactor* (TimelineService::*handler)(
          grpc::CallbackServerContext*, const Request*, Response*));

  TimelineService* const service_;
  const security::CallAuthorizer* const authorizer_;
};

}  // namespace annals::timeline

#endif  // ANNALS_SERVICES_TIMELINE_AUTHORIZED_SERVICE_H_
