// MemoryReturner: gives the memory of large answers back to the operating
// system once they are freed.
//
// glibc keeps freed memory in its arenas for reuse and returns only what
// lies at the top of a heap: after a burst of large answers (many small
// allocations each, spread over the arenas of gRPC's threads) a service
// keeps its peak size for good. malloc_trim(0) also releases the free pages
// inside the arenas (madvise). It walks every arena under its lock, so it
// runs on a thread of its own, shortly after a large answer, at most once
// per `delay`, rather than after every call.
//
//   MemoryReturner returner;
//   ...
//   if (response.ByteSizeLong() >= MemoryReturner::kLargeAnswerBytes)
//     returner.NoteLargeAnswer();
//
// Without glibc it does nothing. Thread safety: safe for concurrent calls.
#ifndef ANNALS_SERVICES_COMMON_PROCESS_MEMORY_RETURN_H_
#define ANNALS_SERVICES_COMMON_PROCESS_MEMORY_RETURN_H_

#include <cstddef>
#include <cstdint>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace annals {

class MemoryReturner {
 public:
  // Answers at least this large are worth a trim (1 MiB).
  static constexpr size_t kLargeAnswerBytes = 1 << 20;

  // Trims `delay` after the first large answer noted since the last trim,
  // by when gRPC has usually sent and freed it. Default: 500 ms.
  explicit MemoryReturner(absl::Duration delay = absl::Milliseconds(500));
  // Stops the thread; does not trim.
  ~MemoryReturner();

  MemoryReturner(const MemoryReturner&) = delete;
  MemoryReturner& operator=(const MemoryReturner&) = delete;

  // A large answer was built (or built in part and dropped); it returns
  // at once.
  void NoteLargeAnswer();

  // Trims done so far.
  int64_t trims() const;

 private:
  void Run();

  const absl::Duration delay_;
  mutable absl::Mutex mu_;
  bool pending_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int64_t trims_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace annals

#endif  // ANNALS_SERVICES_COMMON_PROCESS_MEMORY_RETURN_H_
