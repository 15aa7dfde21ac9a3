// SequenceGate: runs a callback once the timeline has applied a catalog
// sequence, or once a deadline passes, without blocking the caller. It lets
// gRPC callback handlers wait for `min_sequence` without holding a thread.
//
// Every registered callback runs exactly once, on the gate's own thread,
// with the outcome: kReached, kTimedOut, or kShutdown (Shutdown() was
// called) -- unless Cancel() removes it first.
//
// Thread safety: all methods are safe to call concurrently. Callbacks run
// outside the gate's lock and may call Wait() or Cancel().
//
//   SequenceGate gate;
//   auto handle = gate.Wait(42, absl::Now() + absl::Seconds(1),
//                           [](SequenceGate::Outcome outcome) { ... });
//   gate.Publish(42);  // the callback runs with kReached
#ifndef ANNALS_SERVICES_TIMELINE_SEQUENCE_GATE_H_
#define ANNALS_SERVICES_TIMELINE_SEQUENCE_GATE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace annals::timeline {

class SequenceGate {
 public:
  enum class Outcome { kReached, kTimedOut, kShutdown };
  using Callback = std::function<void(Outcome)>;

  // `applied` is the sequence already reached.
  explicit SequenceGate(int64_t applied = 0);
  // Shuts down (see Shutdown) and joins the thread.
  ~SequenceGate();

  SequenceGate(const SequenceGate&) = delete;
  SequenceGate& operator=(const SequenceGate&) = delete;

  // Registers `callback` to run when `sequence` is reached or `deadline`
  // passes. Returns a handle for Cancel(); or std::nullopt, without ever
  // calling `callback`, when `sequence` is already reached (the caller
  // proceeds at once). After Shutdown() the callback runs with kShutdown.
  std::optional<uint64_t> Wait(int64_t sequence, absl::Time deadline,
                               Callback callback);

  // Removes a pending callback. True if it was removed before running;
  // false if it has run, is running, or never existed.
  bool Cancel(uint64_t handle);

  // Records that every sequence up to `applied` is reached (lower values
  // than the last one are ignored) and wakes the waiters it satisfies.
  void Publish(int64_t applied);

  // The last published sequence.
  int64_t applied() const;

  // Runs every pending callback with kShutdown, and every later one at once.
  // Idempotent.
  void Shutdown();

 private:
  struct Waiter {
    int64_t sequence;
    absl::Time deadline;
    Callback callback;
  };

  void Run();

  mutable absl::Mutex mu_;
  int64_t applied_ ABSL_GUARDED_BY(mu_);
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_thread_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t next_handle_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<uint64_t, Waiter> waiters_ ABSL_GUARDED_BY(mu_);
  // Bumped by every Wait, Publish and Shutdown, so the thread re-examines
  // the waiters.
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace annals::timeline

#endif  // ANNALS_SERVICES_TIMELINE_SEQUENCE_GATE_H_
