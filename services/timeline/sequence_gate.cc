#include "services/timeline/sequence_gate.h"

#include <utility>
#include <vector>

namespace annals::timeline {

SequenceGate::SequenceGate(int64_t applied)
    : applied_(applied), thread_([this] { Run(); }) {}

SequenceGate::~SequenceGate() {
  Shutdown();
  {
    absl::MutexLock lock(&mu_);
    stop_thread_ = true;
    ++generation_;
  }
  thread_.join();
}

std::optional<uint64_t> SequenceGate::Wait(int64_t sequence,
                                           absl::Time deadline,
                                           Callback callback) {
  absl::MutexLock lock(&mu_);
  if (sequence <= applied_) return std::nullopt;
  const uint64_t handle = next_handle_++;
  waiters_.emplace(handle, Waiter{sequence, deadline, std::move(callback)});
  ++generation_;
  return handle;
}

bool SequenceGate::Cancel(uint64_t handle) {
  absl::MutexLock lock(&mu_);
  return waiters_.erase(handle) > 0;
}

void SequenceGate::Publish(int64_t applied) {
  absl::MutexLock lock(&mu_);
  if (applied <= applied_) return;
  applied_ = applied;
  ++generation_;
}

int64_t SequenceGate::applied() const {
  absl::MutexLock lock(&mu_);
  return applied_;
}

void SequenceGate::Shutdown() {
  absl::MutexLock lock(&mu_);
  shutdown_ = true;
  ++generation_;
}

void SequenceGate::Run() {
  uint64_t seen = 0;
  while (true) {
    std::vector<std::pair<Callback, Outcome>> due;
    {
      absl::MutexLock lock(&mu_);
      if (stop_thread_ && waiters_.empty()) return;
      // Sleep until something changes or the earliest deadline passes.
      absl::Time wake = absl::InfiniteFuture();
      for (const auto& [handle, waiter] : waiters_) {
        wake = std::min(wake, waiter.deadline);
      }
      auto changed = [this, &seen]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return generation_ != seen || stop_thread_;
      };
      mu_.AwaitWithDeadline(absl::Condition(&changed), wake);
      seen = generation_;
      const absl::Time now = absl::Now();
      for (auto it = waiters_.begin(); it != waiters_.end();) {
        Waiter& waiter = it->second;
        std::optional<Outcome> outcome;
        if (waiter.sequence <= applied_) {
          outcome = Outcome::kReached;
        } else if (shutdown_) {
          outcome = Outcome::kShutdown;
        } else if (waiter.deadline <= now) {
          outcome = Outcome::kTimedOut;
        }
        if (outcome.has_value()) {
          due.emplace_back(std::move(waiter.callback), *outcome);
          it = waiters_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& [callback, outcome] : due) callback(outcome);
  }
}

}  // namespace annals::timeline
