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
#include <grpcpp/client_context.h>
#include <grpcpp/support/sync_stream.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "annals/options.h"
#include "annals/session.h"
#include "annals/timeline/v1/timeline_service.grpc.pb.h"

namespace annals {

// One StreamSnapshots call (timeline_service.proto): many lookups in
// flight on one stream. Send() request messages without waiting for their
// answers; Receive() returns the answers in the order the messages were
// sent, each carrying its message's tag and one result (a snapshot or that
// lookup's error) per lookup.
//
//   std::unique_ptr<annals::SnapshotStream> stream =
//   timeline.StreamSnapshots(); for (int tag = 0; tag < 4; ++tag)
//   stream->Send(NextMessage(tag));
//   annals::timeline::v1::StreamSnapshotsResponse answer;
//   while (stream->Receive(&answer)) { ...; stream->Send(NextMessage(...)); }
//   absl::Status status = stream->Finish();
//
// The stream has no deadline and is never retried. Thread safety: one
// thread may Send while another Receives; Finish and Cancel after both
// have stopped.
class SnapshotStream {
 public:
  SnapshotStream(const SnapshotStream&) = delete;
  SnapshotStream& operator=(const SnapshotStream&) = delete;
  // Cancels the call if Finish() was not called.
  ~SnapshotStream();

  // Sends a message, its min_sequence raised to the session's last write.
  // False when the stream has ended (Finish() says why). May block while
  // the server holds too many unanswered messages.
  bool Send(timeline::v1::StreamSnapshotsRequest request);
  // Tells the server that no more messages follow; it answers the ones
  // sent and ends the stream.
  void CloseSend();
  // The next answer; false once the stream has ended.
  bool Receive(timeline::v1::StreamSnapshotsResponse* response);
  // Closes the sending side if still open, discards answers not received,
  // and returns how the stream ended: OK, or the error that ended it
  // (INVALID_ARGUMENT naming the field, UNAVAILABLE, CANCELLED, ...).
  absl::Status Finish();
  // Ends the stream from the client side (Finish() then says CANCELLED).
  void Cancel() { context_.TryCancel(); }

 private:
  friend class TimelineClient;
  SnapshotStream(timeline::v1::TimelineService::StubInterface* stub,
                 std::shared_ptr<Session> session);

  grpc::ClientContext context_;
  std::shared_ptr<Session> session_;
  std::unique_ptr<
      grpc::ClientReaderWriterInterface<timeline::v1::StreamSnapshotsRequest,
                                        timeline::v1::StreamSnapshotsResponse>>
      stream_;
  bool send_closed_ = false;
  bool finished_ = false;
};

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
  // Opens a StreamSnapshots call; errors arrive through the stream.
  std::unique_ptr<SnapshotStream> StreamSnapshots();
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
