#include "services/catalog/change_notifier.h"

#include <utility>
#include <vector>

namespace annals::catalog {

int64_t ChangeNotifier::head() const {
  absl::MutexLock lock(&mu_);
  return head_;
}

std::optional<uint64_t> ChangeNotifier::NotifyAfter(int64_t after,
                                                    Callback callback) {
  absl::MutexLock lock(&mu_);
  if (head_ > after || closed_) return std::nullopt;
  uint64_t handle = next_handle_++;
  waiters_.emplace(handle, std::make_pair(after, std::move(callback)));
  return handle;
}

bool ChangeNotifier::Cancel(uint64_t handle) {
  absl::MutexLock lock(&mu_);
  return waiters_.erase(handle) > 0;
}

bool ChangeNotifier::WaitFor(int64_t sequence, absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  auto reached = [this, sequence]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return head_ >= sequence;
  };
  mu_.AwaitWithDeadline(absl::Condition(&reached), deadline);
  return head_ >= sequence;
}

void ChangeNotifier::Publish(int64_t head) {
  std::vector<Callback> ready;
  {
    absl::MutexLock lock(&mu_);
    if (head > head_) head_ = head;
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (head_ > it->second.first) {
        ready.push_back(std::move(it->second.second));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (Callback& callback : ready) callback();
}

void ChangeNotifier::Close() {
  std::vector<Callback> pending;
  {
    absl::MutexLock lock(&mu_);
    closed_ = true;
    for (auto& [handle, waiter] : waiters_) {
      pending.push_back(std::move(waiter.second));
    }
    waiters_.clear();
  }
  for (Callback& callback : pending) callback();
}

bool ChangeNotifier::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

}  // namespace annals::catalog
