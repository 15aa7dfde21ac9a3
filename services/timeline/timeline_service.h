// annals.timeline.v1.TimelineService over gRPC's callback API: a thin layer
// that waits for `min_sequence` without holding a thread (SequenceGate),
// calls TimelineState, and translates statuses.
#ifndef ANNALS_SERVICES_TIMELINE_TIMELINE_SERVICE_H_
#define ANNALS_SERVICES_TIMELINE_TIMELINE_SERVICE_H_

#include <cstdint>

#include "absl/time/time.h"
#include "annals/timeline/v1/timeline_service.grpc.pb.h"
#include "services/timeline/sequence_gate.h"
#include "services/timeline/timeline_state.h"

namespace annals {
class MemoryReturner;
}  // namespace annals

namespace annals::timeline {

class SnapshotStreamReactor;

// Thread safety: safe for concurrent calls. `state` and `gate` must outlive
// the service and every call in flight; `gate` must be published the
// state's applied sequence.
class TimelineService final : public v1::TimelineService::CallbackService {
 public:
  // StreamSnapshots: lookups per request message, as BatchGetSnapshots.
  static constexpr int kMaxStreamLookups = 1000;
  // StreamSnapshots: answers waiting to be sent before reading pauses.
  static constexpr int kMaxQueuedAnswers = 8;

  // A call with `min_sequence` above the sequence published to `gate` waits
  // until it is published, until shortly before the call's deadline, or for
  // at most `max_wait` (calls without a deadline), and then fails with
  // UNAVAILABLE. (TimelineServer publishes nothing before the first
  // catch-up, so such calls also wait for it; calls without min_sequence
  // fail at once until then, see TimelineState.)
  //
  // Answers of at least MemoryReturner::kLargeAnswerBytes, and answers
  // refused for exceeding the response budget (built in part), are noted
  // to `memory_returner` (null: none; else it must outlive the service and
  // every call in flight), so that their memory goes back to the system.
  //
  // StreamSnapshots holds each answer message to `max_response_bytes`
  // (TimelineLimits::max_response_bytes, which TimelineState applies to
  // BatchGetSnapshots; 0: no limit).
  TimelineService(
      const TimelineState* state, SequenceGate* gate, absl::Duration max_wait,
      MemoryReturner* memory_returner = nullptr,
      int64_t max_response_bytes = TimelineLimits().max_response_bytes)
      : state_(state),
        gate_(gate),
        max_wait_(max_wait),
        memory_returner_(memory_returner),
        max_response_bytes_(max_response_bytes) {}

  grpc::ServerUnaryReactor* GetSnapshot(
      grpc::CallbackServerContext* context,
      const v1::GetSnapshotRequest* request,
      v1::GetSnapshotResponse* response) override;
  grpc::ServerUnaryReactor* BatchGetSnapshots(
      grpc::CallbackServerContext* context,
      const v1::BatchGetSnapshotsRequest* request,
      v1::BatchGetSnapshotsResponse* response) override;
  // Answers each request message from TimelineState::BatchGetSnapshots, or
  // lookup by lookup (GetSnapshot) when one of them fails, so that each
  // failure is that lookup's result; see timeline_service.proto. Request
  // messages are read and answered one at a time, in order; reading pauses
  // while kMaxQueuedAnswers answers wait to be sent.
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
  grpc::ServerUnaryReactor* Answer(
      grpc::CallbackServerContext* context, const Request* request,
      Response* response,
      absl::StatusOr<Response> (TimelineState::*query)(const Request&) const);

  // The latest time to wait for a sequence, for a call with `context`'s
  // deadline: max_wait_ from now, and a little before the client gives up.
  absl::Time WaitDeadline(const grpc::CallbackServerContext& context) const;

  // Answers one StreamSnapshots message (its lookups are moved out).
  // Errors are the stream's: INVALID_ARGUMENT for a malformed message,
  // RESOURCE_EXHAUSTED, UNAVAILABLE.
  absl::StatusOr<v1::StreamSnapshotsResponse> AnswerLookups(
      v1::StreamSnapshotsRequest& request) const;

  friend class SnapshotStreamReactor;

  const TimelineState* const state_;
  SequenceGate* const gate_;
  const absl::Duration max_wait_;
  MemoryReturner* const memory_returner_;
  const int64_t max_response_bytes_;
};

}  // namespace annals::timeline

#endif  // ANNALS_SERVICES_TIMELINE_TIMELINE_SERVICE_H_
