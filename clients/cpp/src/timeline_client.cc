#include "annals/timeline_client.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <algorithm>
#include <utility>

#include "annals/channel.h"
#include "clients/cpp/src/call.h"

namespace annals {

namespace v1 = ::annals::timeline::v1;

TimelineClient::TimelineClient(
    std::shared_ptr<v1::TimelineService::StubInterface> stub,
    ClientOptions options, std::shared_ptr<Session> session)
    : stub_(std::move(stub)),
      options_(std::move(options)),
      session_(session != nullptr ? std::move(session)
                                  : std::make_shared<Session>()) {}

TimelineClient TimelineClient::Connect(const std::string& address,
                                       ClientOptions options,
                                       std::shared_ptr<Session> session) {
  std::shared_ptr<grpc::Channel> channel = CreateChannel(address, options);
  return Connect(std::move(channel), std::move(options), std::move(session));
}

TimelineClient TimelineClient::Connect(
    std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options,
    std::shared_ptr<Session> session) {
  return TimelineClient(v1::TimelineService::NewStub(channel),
                        std::move(options), std::move(session));
}

template <typename Request, typename Response>
absl::StatusOr<Response> TimelineClient::Query(
    Request request, grpc::Status (v1::TimelineService::StubInterface::*method)(
                         grpc::ClientContext*, const Request&, Response*)) {
  request.set_min_sequence(
      std::max(request.min_sequence(), session_->last_write_sequence()));
  return internal::CallWithRetry<Response>(
      options_, [&](grpc::ClientContext* context, Response* response) {
        return (stub_.get()->*method)(context, request, response);
      });
}

absl::StatusOr<v1::GetSnapshotResponse> TimelineClient::GetSnapshot(
    v1::GetSnapshotRequest request) {
  return Query(std::move(request),
               &v1::TimelineService::StubInterface::GetSnapshot);
}

absl::StatusOr<v1::BatchGetSnapshotsResponse> TimelineClient::BatchGetSnapshots(
    v1::BatchGetSnapshotsRequest request) {
  return Query(std::move(request),
               &v1::TimelineService::StubInterface::BatchGetSnapshots);
}

SnapshotStream::SnapshotStream(v1::TimelineService::StubInterface* stub,
                               std::shared_ptr<Session> session)
    : session_(std::move(session)), stream_(stub->StreamSnapshots(&context_)) {}

SnapshotStream::~SnapshotStream() {
  if (!finished_) {
    context_.TryCancel();
    Finish().IgnoreError();
  }
}

bool SnapshotStream::Send(v1::StreamSnapshotsRequest request) {
  if (send_closed_) return false;
  request.set_min_sequence(
      std::max(request.min_sequence(), session_->last_write_sequence()));
  return stream_->Write(request);
}

void SnapshotStream::CloseSend() {
  if (send_closed_) return;
  send_closed_ = true;
  stream_->WritesDone();
}

bool SnapshotStream::Receive(v1::StreamSnapshotsResponse* response) {
  return stream_->Read(response);
}

absl::Status SnapshotStream::Finish() {
  if (finished_) {
    return absl::FailedPreconditionError("the stream was already finished");
  }
  CloseSend();
  v1::StreamSnapshotsResponse rest;
  while (stream_->Read(&rest)) {
  }
  finished_ = true;
  return FromGrpcStatus(stream_->Finish());
}

std::unique_ptr<SnapshotStream> TimelineClient::StreamSnapshots() {
  return std::unique_ptr<SnapshotStream>(
      new SnapshotStream(stub_.get(), session_));
}

absl::StatusOr<v1::ListHistoryResponse> TimelineClient::ListHistory(
    v1::ListHistoryRequest request) {
  return Query(std::move(request),
               &v1::TimelineService::StubInterface::ListHistory);
}

absl::StatusOr<v1::QueryWindowResponse> TimelineClient::QueryWindow(
    v1::QueryWindowRequest request) {
  return Query(std::move(request),
               &v1::TimelineService::StubInterface::QueryWindow);
}

absl::StatusOr<v1::RelateResponse> TimelineClient::Relate(
    v1::RelateRequest request) {
  return Query(std::move(request), &v1::TimelineService::StubInterface::Relate);
}

absl::StatusOr<v1::FindGapsResponse> TimelineClient::FindGaps(
    v1::FindGapsRequest request) {
  return Query(std::move(request),
               &v1::TimelineService::StubInterface::FindGaps);
}

absl::StatusOr<v1::CountActiveResponse> TimelineClient::CountActive(
    v1::CountActiveRequest request) {
  return Query(std::move(request),
               &v1::TimelineService::StubInterface::CountActive);
}

}  // namespace annals
