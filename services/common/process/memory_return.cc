#include "services/common/process/memory_return.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace annals {

MemoryReturner::MemoryReturner(absl::Duration delay)
    : delay_(delay), thread_([this] { Run(); }) {}

MemoryReturner::~MemoryReturner() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void MemoryReturner::NoteLargeAnswer() {
  absl::MutexLock lock(&mu_);
  pending_ = true;
}

int64_t MemoryReturner::trims() const {
  absl::MutexLock lock(&mu_);
  return trims_;
}

void MemoryReturner::Run() {
  absl::MutexLock lock(&mu_);
  while (true) {
    mu_.Await(absl::Condition(
        +[](MemoryReturner* self) ABSL_NO_THREAD_SAFETY_ANALYSIS {
          return self->pending_ || self->stopping_;
        },
        this));
    if (stopping_) return;
    // Let the answer be sent and freed (and more large answers come: one
    // trim serves them all).
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), delay_)) return;
    pending_ = false;
    mu_.Unlock();
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
    mu_.Lock();
    ++trims_;
  }
}

}  // namespace annals
