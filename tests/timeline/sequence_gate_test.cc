// SequenceGate: callbacks run exactly once, with the right outcome.
#include "services/timeline/sequence_gate.h"

#include <atomic>
#include <optional>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace annals::timeline {
namespace {

using Outcome = SequenceGate::Outcome;

// Records the outcome of one callback.
class Result {
 public:
  SequenceGate::Callback Callback() {
    return [this](Outcome outcome) {
      calls_.fetch_add(1);
      outcome_ = outcome;
      done_.Notify();
    };
  }
  Outcome Await() {
    done_.WaitForNotification();
    return *outcome_;
  }
  int calls() const { return calls_.load(); }

 private:
  absl::Notification done_;
  std::optional<Outcome> outcome_;
  std::atomic<int> calls_{0};
};

TEST(SequenceGateTest, AReachedSequenceNeedsNoWait) {
  SequenceGate gate(7);
  Result result;
  EXPECT_FALSE(gate.Wait(7, absl::InfiniteFuture(), result.Callback()));
  EXPECT_FALSE(gate.Wait(3, absl::InfiniteFuture(), result.Callback()));
  EXPECT_EQ(result.calls(), 0);
}

TEST(SequenceGateTest, WaiterRunsWithReachedOnceItsSequenceIsPublished) {
  SequenceGate gate;
  Result early;
  auto handle = gate.Wait(5, absl::InfiniteFuture(), early.Callback());
  ASSERT_TRUE(handle.has_value());
  gate.Publish(4);
  // Still pending: it can be cancelled.
  EXPECT_TRUE(gate.Cancel(*handle));

  Result result;
  ASSERT_TRUE(gate.Wait(5, absl::InfiniteFuture(), result.Callback()));
  gate.Publish(6);
  EXPECT_EQ(result.Await(), Outcome::kReached);
  EXPECT_EQ(gate.applied(), 6);
  gate.Publish(2);  // lower values are ignored
  EXPECT_EQ(gate.applied(), 6);
}

TEST(SequenceGateTest, WaiterRunsWithTimedOutAtItsDeadline) {
  SequenceGate gate;
  Result result;
  auto handle =
      gate.Wait(5, absl::Now() + absl::Milliseconds(10), result.Callback());
  ASSERT_TRUE(handle.has_value());
  EXPECT_EQ(result.Await(), Outcome::kTimedOut);
  EXPECT_FALSE(gate.Cancel(*handle));  // already ran
  EXPECT_EQ(result.calls(), 1);
}

TEST(SequenceGateTest, ShutdownRunsPendingAndLaterWaitersWithShutdown) {
  SequenceGate gate;
  Result pending;
  ASSERT_TRUE(gate.Wait(5, absl::InfiniteFuture(), pending.Callback()));
  gate.Shutdown();
  EXPECT_EQ(pending.Await(), Outcome::kShutdown);
  Result later;
  ASSERT_TRUE(gate.Wait(5, absl::InfiniteFuture(), later.Callback()));
  EXPECT_EQ(later.Await(), Outcome::kShutdown);
}

TEST(SequenceGateTest, CancelledWaiterNeverRuns) {
  Result result;
  {
    SequenceGate gate;
    auto handle = gate.Wait(5, absl::InfiniteFuture(), result.Callback());
    ASSERT_TRUE(handle.has_value());
    EXPECT_TRUE(gate.Cancel(*handle));
    EXPECT_FALSE(gate.Cancel(*handle));
    gate.Publish(10);
  }  // the destructor has joined the gate's thread
  EXPECT_EQ(result.calls(), 0);
}

TEST(SequenceGateTest, ManyWaitersEachRunExactlyOnce) {
  SequenceGate gate;
  std::vector<Result> results(100);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(
        gate.Wait(i + 1, absl::InfiniteFuture(), results[i].Callback()));
  }
  for (int applied = 1; applied <= 100; applied += 7) gate.Publish(applied);
  gate.Publish(100);
  for (Result& result : results) EXPECT_EQ(result.Await(), Outcome::kReached);
  for (Result& result : results) EXPECT_EQ(result.calls(), 1);
}

}  // namespace
}  // namespace annals::timeline
