#include "services/timeline/timeline_service.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "services/common/process/memory_return.h"
#include "services/common/status/errors.h"
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
  auto call = std::make_shared<PendingCall>();
  call->gate = gate_;
  call->min_sequence = request->min_sequence();
  call->answer = std::move(answer);
  auto* reactor = new WaitingReactor(call);
  reactor->Start(WaitDeadline(*context));
  return reactor;
}

absl::Time TimelineService::WaitDeadline(
    const grpc::CallbackServerContext& context) const {
  const absl::Time now = absl::Now();
  absl::Time deadline = now + max_wait_;
  if (context.deadline() != std::chrono::system_clock::time_point::max()) {
    // Give up a little before the client does, so that it learns why.
    const absl::Time client = absl::FromChrono(context.deadline());
    const absl::Duration margin =
        std::min((client - now) / 5, absl::Milliseconds(500));
    deadline = std::min(deadline, client - margin);
  }
  return deadline;
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

absl::StatusOr<v1::StreamSnapshotsResponse> TimelineService::AnswerLookups(
    v1::StreamSnapshotsRequest& request) const {
  // What would fail a whole BatchGetSnapshots is the stream's error; after
  // these checks, only a lookup of its own can fail the batch.
  if (request.requests_size() > kMaxStreamLookups) {
    return InvalidArgumentError(
        "requests",
        absl::StrCat("has ", request.requests_size(), " lookups; at most ",
                     kMaxStreamLookups, " are allowed in one message"));
  }
  if (request.min_sequence() < 0) {
    return InvalidArgumentError("min_sequence", "must not be negative");
  }
  for (int i = 0; i < request.requests_size(); ++i) {
    if (request.requests(i).min_sequence() != 0) {
      return InvalidArgumentError(
          absl::StrCat("requests[", i, "].min_sequence"),
          "must be unset in a stream; set the message's min_sequence instead");
    }
  }
  v1::StreamSnapshotsResponse response;
  response.set_tag(request.tag());
  v1::BatchGetSnapshotsRequest batch;
  batch.mutable_requests()->Swap(request.mutable_requests());
  batch.set_min_sequence(request.min_sequence());
  absl::StatusOr<v1::BatchGetSnapshotsResponse> answers =
      state_->BatchGetSnapshots(batch);
  if (answers.ok()) {
    response.mutable_results()->Reserve(answers->snapshots_size());
    for (v1::GetSnapshotResponse& snapshot : *answers->mutable_snapshots()) {
      response.add_results()->mutable_snapshot()->Swap(&snapshot);
    }
    response.set_sequence(answers->sequence());
    return response;
  }
  // The batch's own failures end the stream; a lookup's (its fields named
  // requests[i].) are that lookup's result.
  const absl::StatusCode code = answers.status().code();
  bool batch_failed = code == absl::StatusCode::kUnavailable ||
                      code == absl::StatusCode::kResourceExhausted;
  for (const std::string& field : ViolatedFields(answers.status())) {
    if (!absl::StartsWith(field, "requests[")) batch_failed = true;
  }
  if (batch_failed) return answers.status();
  // A lookup failed: answer lookup by lookup, each failure as its result.
  // The budget is the batch's: the answers' bytes together.
  int64_t used = 0;
  std::optional<int64_t> sequence;
  for (int i = 0; i < batch.requests_size(); ++i) {
    v1::SnapshotResult* result = response.add_results();
    absl::StatusOr<v1::GetSnapshotResponse> snapshot =
        state_->GetSnapshot(batch.requests(i));
    const std::string where = absl::StrCat("requests[", i, "]");
    if (snapshot.ok()) {
      used += static_cast<int64_t>(snapshot->ByteSizeLong());
      if (max_response_bytes_ > 0 && used > max_response_bytes_) {
        snapshot = absl::ResourceExhaustedError("the response is too large");
      }
    }
    if (!snapshot.ok()) {
      switch (snapshot.status().code()) {
        case absl::StatusCode::kUnavailable:
          return snapshot.status();
        case absl::StatusCode::kResourceExhausted:
          return absl::ResourceExhaustedError(absl::StrCat(
              where, ": the response would exceed --max_response_bytes (",
              max_response_bytes_, " bytes); ask for fewer lookups"));
        default:
          *result->mutable_error() = ToRpcStatus(
              PrefixFields(snapshot.status(), absl::StrCat(where, ".")));
          continue;
      }
    }
    sequence =
        std::min(sequence.value_or(snapshot->sequence()), snapshot->sequence());
    result->mutable_snapshot()->Swap(&*snapshot);
  }
  response.set_sequence(sequence.value_or(state_->applied_sequence()));
  return response;
}

// One StreamSnapshots call. Request messages are read one at a time into
// request_ and answered in order; answers queue for writing, one write in
// flight at a time. The call ends after the client's last message has been
// answered and every answer written, at the first error (after the answers
// before it), or when cancelled.
//
// Thread safety: gRPC may run OnReadDone, OnWriteDone and OnCancel
// concurrently, and the gate runs OnSequence on its thread; mu_ guards the
// shared state. The reactor deletes itself when gRPC is done with it (OnDone)
// and no gate callback is pending (refs_).
class SnapshotStreamReactor final
    : public grpc::ServerBidiReactor<v1::StreamSnapshotsRequest,
                                     v1::StreamSnapshotsResponse> {
 public:
  SnapshotStreamReactor(const TimelineService* service,
                        const grpc::CallbackServerContext* context)
      : service_(service), context_(context) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // The client closed its side (or the call ended).
      absl::MutexLock lock(&mu_);
      reading_done_ = true;
      MaybeFinishLocked();
      return;
    }
    const int64_t wanted = request_.min_sequence();
    if (wanted > service_->gate_->applied() &&
        service_->state_->stopped_reason().empty()) {
      refs_.fetch_add(1);
      {
        // Held across Wait: the callback (on the gate's thread) takes mu_,
        // so it sees the handle set.
        absl::MutexLock lock(&mu_);
        std::optional<uint64_t> handle = service_->gate_->Wait(
            wanted, service_->WaitDeadline(*context_),
            [this](SequenceGate::Outcome /*outcome*/) { OnSequence(); });
        if (handle.has_value()) {
          wait_handle_ = *handle;
          return;
        }
      }
      Unref();  // Reached meanwhile: the callback will never run.
    }
    AnswerAndReadOn();
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    queue_.pop_front();
    if (!ok) {  // The stream is broken (cancelled, client gone).
      FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED,
                                "the answer could not be sent"));
      return;
    }
    if (!queue_.empty()) {
      writing_ = true;
      StartWrite(&queue_.front());
    }
    if (read_paused_ && queue_.size() < TimelineService::kMaxQueuedAnswers) {
      read_paused_ = false;
      StartRead(&request_);
    }
    MaybeFinishLocked();
  }

  void OnCancel() override {
    bool release = false;
    {
      absl::MutexLock lock(&mu_);
      if (wait_handle_ != 0 && service_->gate_->Cancel(wait_handle_)) {
        release = true;  // The gate will not call back.
        wait_handle_ = 0;
      }
      FinishLocked(
          grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client"));
    }
    if (release) Unref();
  }

  void OnDone() override { Unref(); }

 private:
  // The gate reached the message's min_sequence, timed out or shut down;
  // the answer says which (BatchGetSnapshots checks min_sequence).
  void OnSequence() {
    bool finished = false;
    {
      absl::MutexLock lock(&mu_);
      wait_handle_ = 0;
      finished = finished_;
    }
    if (!finished) AnswerAndReadOn();
    Unref();
  }

  // Answers request_ (no read is in flight), queues the answer, and reads
  // the next message unless too many answers wait.
  void AnswerAndReadOn() {
    absl::StatusOr<v1::StreamSnapshotsResponse> answer =
        service_->AnswerLookups(request_);
    if (service_->memory_returner_ != nullptr &&
        (answer.ok()
             ? answer->ByteSizeLong() >= MemoryReturner::kLargeAnswerBytes
             : absl::IsResourceExhausted(answer.status()))) {
      service_->memory_returner_->NoteLargeAnswer();
    }
    absl::MutexLock lock(&mu_);
    if (finished_) return;
    if (!answer.ok()) {
      // The answers before it go out first.
      reading_done_ = true;
      final_status_ = ToGrpcStatus(answer.status());
      MaybeFinishLocked();
      return;
    }
    queue_.push_back(*std::move(answer));
    if (!writing_) {
      writing_ = true;
      StartWrite(&queue_.front());
    }
    if (queue_.size() < TimelineService::kMaxQueuedAnswers) {
      StartRead(&request_);
    } else {
      read_paused_ = true;
    }
  }

  // Ends the call once nothing more will be read and everything is written.
  void MaybeFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (reading_done_ && queue_.empty() && !writing_) {
      FinishLocked(final_status_);
    }
  }

  void FinishLocked(const grpc::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  void Unref() {
    if (refs_.fetch_sub(1) == 1) delete this;
  }

  const TimelineService* const service_;
  const grpc::CallbackServerContext* const context_;
  // gRPC's reference (dropped by OnDone) and one per pending gate wait.
  std::atomic<int> refs_{1};
  // The message being answered; written by reads, one at a time.
  v1::StreamSnapshotsRequest request_;
  absl::Mutex mu_;
  // Answers not yet written; the front one is being written if writing_.
  std::deque<v1::StreamSnapshotsResponse> queue_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool read_paused_ ABSL_GUARDED_BY(mu_) = false;
  bool reading_done_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status final_status_ ABSL_GUARDED_BY(mu_);
  uint64_t wait_handle_ ABSL_GUARDED_BY(mu_) = 0;
};

grpc::ServerBidiReactor<v1::StreamSnapshotsRequest,
                        v1::StreamSnapshotsResponse>*
TimelineService::StreamSnapshots(grpc::CallbackServerContext* context) {
  return new SnapshotStreamReactor(this, context);
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
