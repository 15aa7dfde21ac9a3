#include "services/catalog/change_notifier.h"

#include <utility>
#include <vector>

namespace annals::catalog {

ChangeNotifier::ChangeNotifier(int64_t head) : head_(head) {
  thread_ = std::thread([this] { Deliver(); });
}

ChangeNotifier::~ChangeNotifier() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void ChangeNotifier::Deliver() {
  while (true) {
    std::deque<Callback> batch;
    {
      absl::MutexLock lock(&mu_);
      auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return !ready_.empty() || stopping_;
      };
      mu_.Await(absl::Condition(&woken));
      // What was handed over before the stop still runs.
      if (ready_.empty()) return;
      batch.swap(ready_);
      running_ = static_cast<int>(batch.size());
    }
    for (Callback& callback : batch) {
      callback();
      absl::MutexLock lock(&mu_);
      --running_;
    }
  }
}

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
  absl::MutexLock lock(&mu_);
  if (head > head_) head_ = head;
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    if (head_ > it->second.first) {
      ready_.push_back(std::move(it->second.second));
      it = waiters_.erase(it);
    } else {
      ++it;
    }
  }
}

void ChangeNotifier::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  for (auto& [handle, waiter] : waiters_) {
    ready_.push_back(std::move(waiter.second));
  }
  waiters_.clear();
  auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return ready_.empty() && running_ == 0;
  };
  mu_.Await(absl::Condition(&idle));
}

bool ChangeNotifier::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

}  // namespace annals::catalog
