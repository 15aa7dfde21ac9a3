#include "services/timeline/timeline_service.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <utility>

#include "services/common/process/memory_return.h"
#include "services/common/status/grpc_status.h"

namespace annals::timeline {
namespace {

// A call waiting for its min_sequence. Finish() is called exactly once, by
// whichever comes first: the gate's callback (reached, timed out, shut
// down) or the client's cancellation. The loser touches only this shared
// object, never the reactor, which gRPC deletes after Finish.
struct PendingCall {
  grpc::ServerUnaryReactor* reactor;
  SequenceGate* gate;
  int64_t min_sequence;
  std::function<grpc::Status()> answer;
  std::atomic<bool> finished{false};
  std::atomic<uint64_t> handle{0};

  void Complete(SequenceGate::Outcome /*outcome*/) {
    if (finished.exchange(true)) return;
    // Timed out: the query itself says why (min_sequence not applied, or
    // the timeline not caught up yet), or answers if it just got there.
    reactor->Finish(answer());
  }

  void Cancel() {
    if (finished.exchange(true)) return;
    if (uint64_t h = handle.load(); h != 0) gate->Cancel(h);
    reactor->Finish(
        grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client"));
  }
};

class WaitingReactor final : public grpc::ServerUnaryReactor {
 public:
  explicit WaitingReactor(std::shared_ptr<PendingCall> call)
      : call_(std::move(call)) {
    call_->reactor = this;
  }

  // Registers with the gate; the call may finish (and this reactor be
  // deleted) before Start returns, so Start only uses locals afterwards.
  void Start(absl::Time deadline) {
    std::shared_ptr<PendingCall> call = call_;
    std::optional<uint64_t> handle = call->gate->Wait(
        call->min_sequence, deadline,
        [call](SequenceGate::Outcome outcome) { call->Complete(outcome); });
    if (!handle.has_value()) {
      call->Complete(SequenceGate::Outcome::kReached);
      return;
    }
    call->handle.store(*handle);
  }

  void OnCancel() override { call_->Cancel(); }
  void OnDone() override { delete this; }

 private:
  std::shared_ptr<PendingCall> call_;
};

}  // namespace

template <typename Request, typename Response>
grpc::ServerUnaryReactor* TimelineService::Answer(
    grpc::CallbackServerContext* context, const Request* request,
    Response* response,
    absl::StatusOr<Response> (TimelineState::*query)(const Request&) const) {
  const TimelineState* state = state_;
  MemoryReturner* returner = memory_returner_;
  auto answer = [state, request, response, query, returner]() {
    absl::StatusOr<Response> result = (state->*query)(*request);
    if (!result.ok()) {
      // Refused for its size after building up to the budget.
      if (returner != nullptr && absl::IsResourceExhausted(result.status())) {
        returner->NoteLargeAnswer();
      }
      return ToGrpcStatus(result.status());
    }
    *response = *std::move(result);
    if (returner != nullptr &&
        response->ByteSizeLong() >= MemoryReturner::kLargeAnswerBytes) {
      returner->NoteLargeAnswer();
    }
    return grpc::Status::OK;
  };
  // No wait needed, or no point in waiting (the state has stopped, and the
  // query says so).
  if (request->min_sequence() <= gate_->applied() ||
      !state_->stopped_reason().empty()) {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(answer());
    return reactor;
  }
  const absl::Time now = absl::Now();
  absl::Time deadline = now + max_wait_;
  if (context->deadline() != std::chrono::system_clock::time_point::max()) {
    // Give up a little before the client does, so that it learns why.
    const absl::Time client = absl::FromChrono(context->deadline());
    const absl::Duration margin =
        std::min((client - now) / 5, absl::Milliseconds(500));
    deadline = std::min(deadline, client - margin);
  }
  auto call = std::make_shared<PendingCall>();
  call->gate = gate_;
  call->min_sequence = request->min_sequence();
  call->answer = std::move(answer);
  auto* reactor = new WaitingReactor(call);
  reactor->Start(deadline);
  return reactor;
}

grpc::ServerUnaryReactor* TimelineService::GetSnapshot(
    grpc::CallbackServerContext* context, const v1::GetSnapshotRequest* request,
    v1::GetSnapshotResponse* response) {
  return Answer(context, request, response, &TimelineState::GetSnapshot);
}

grpc::ServerUnaryReactor* TimelineService::BatchGetSnapshots(
    grpc::CallbackServerContext* context,
    const v1::BatchGetSnapshotsRequest* request,
    v1::BatchGetSnapshotsResponse* response) {
  return Answer(context, request, response, &TimelineState::BatchGetSnapshots);
}

grpc::ServerUnaryReactor* TimelineService::ListHistory(
    grpc::CallbackServerContext* context, const v1::ListHistoryRequest* request,
    v1::ListHistoryResponse* response) {
  return Answer(context, request, response, &TimelineState::ListHistory);
}

grpc::ServerUnaryReactor* TimelineService::QueryWindow(
    grpc::CallbackServerContext* context, const v1::QueryWindowRequest* request,
    v1::QueryWindowResponse* response) {
  return Answer(context, request, response, &TimelineState::QueryWindow);
}

grpc::ServerUnaryReactor* TimelineService::Relate(
    grpc::CallbackServerContext* context, const v1::RelateRequest* request,
    v1::RelateResponse* response) {
  return Answer(context, request, response, &TimelineState::Relate);
}

grpc::ServerUnaryReactor* TimelineService::FindGaps(
    grpc::CallbackServerContext* context, const v1::FindGapsRequest* request,
    v1::FindGapsResponse* response) {
  return Answer(context, request, response, &TimelineState::FindGaps);
}

grpc::ServerUnaryReactor* TimelineService::CountActive(
    grpc::CallbackServerContext* context, const v1::CountActiveRequest* request,
    v1::CountActiveResponse* response) {
  return Answer(context, request, response, &TimelineState::CountActive);
}

}  // namespace annals::timeline
