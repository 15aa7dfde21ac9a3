#include "services/timeline/authorized_service.h"

#include "services/common/security/reject.h"

namespace annals::timeline {

template <typename Request, typename Response>
grpc::ServerUnaryReactor* AuthorizedTimelineService::Read(
    grpc::CallbackServerContext* context, const Request* request,
    Response* response, absl::string_view method,
    grpc::ServerUnaryReactor* (TimelineService::*handler)(
        grpc::CallbackServerContext*, const Request*, Response*)) {
  absl::Status allowed =
      authorizer_->Authorize(*context, security::Access::kRead, method);
  if (!allowed.ok()) return security::RejectUnary(context, allowed);
  return (service_->*handler)(context, request, response);
}

grpc::ServerUnaryReactor* AuthorizedTimelineService::GetSnapshot(
    grpc::CallbackServerContext* context, const v1::GetSnapshotRequest* request,
    v1::GetSnapshotResponse* response) {
  return Read(context, request, response, "GetSnapshot",
              &TimelineService::GetSnapshot);
}

grpc::ServerUnaryReactor* AuthorizedTimelineService::BatchGetSnapshots(
    grpc::CallbackServerContext* context,
    const v1::BatchGetSnapshotsRequest* request,
    v1::BatchGetSnapshotsResponse* response) {
  return Read(context, request, response, "BatchGetSnapshots",
              &TimelineService::BatchGetSnapshots);
}

grpc::ServerBidiReactor<v1::StreamSnapshotsRequest,
                        v1::StreamSnapshotsResponse>*
AuthorizedTimelineService::StreamSnapshots(
    grpc::CallbackServerContext* context) {
  absl::Status allowed = authorizer_->Authorize(
      *context, security::Access::kRead, "StreamSnapshots");
  if (!allowed.ok()) {
    return security::RejectBidi<v1::StreamSnapshotsRequest,
                                v1::StreamSnapshotsResponse>(allowed);
  }
  return service_->StreamSnapshots(context);
}

grpc::ServerUnaryReactor* AuthorizedTimelineService::ListHistory(
    grpc::CallbackServerContext* context, const v1::ListHistoryRequest* request,
    v1::ListHistoryResponse* response) {
  return Read(context, request, response, "ListHistory",
              &TimelineService::ListHistory);
}

grpc::ServerUnaryReactor* AuthorizedTimelineService::QueryWindow(
    grpc::CallbackServerContext* context, const v1::QueryWindowRequest* request,
    v1::QueryWindowResponse* response) {
  return Read(context, request, response, "QueryWindow",
              &TimelineService::QueryWindow);
}

grpc::ServerUnaryReactor* AuthorizedTimelineService::Relate(
    grpc::CallbackServerContext* context, const v1::RelateRequest* request,
    v1::RelateResponse* response) {
  return Read(context, request, response, "Relate", &TimelineService::Relate);
}

grpc::ServerUnaryReactor* AuthorizedTimelineService::FindGaps(
    grpc::CallbackServerContext* context, const v1::FindGapsRequest* request,
    v1::FindGapsResponse* response) {
  return Read(context, request, response, "FindGaps",
              &TimelineService::FindGaps);
}

grpc::ServerUnaryReactor* AuthorizedTimelineService::CountActive(
    grpc::CallbackServerContext* context, const v1::CountActiveRequest* request,
    v1::CountActiveResponse* response) {
  return Read(context, request, response, "CountActive",
              &TimelineService::CountActive);
}

}  // namespace annals::timeline
