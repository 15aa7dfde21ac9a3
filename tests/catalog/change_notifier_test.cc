// ChangeNotifier: callbacks run on the notifier's own thread, after the head
// they wait for is published, and Close() runs what is left.
#include "services/catalog/change_notifier.h"

#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace annals::catalog {
namespace {

TEST(ChangeNotifierTest, PublishReturnsBeforeASlowCallbackEnds) {
  ChangeNotifier notifier(0);
  absl::Notification release;
  absl::Notification ran;
  std::thread::id ran_on;
  ASSERT_TRUE(notifier.NotifyAfter(0, [&] {
    ran_on = std::this_thread::get_id();
    release.WaitForNotification();
    ran.Notify();
  }));
  // The callback blocks until released: Publish returning at all shows that
  // it did not run the callback itself.
  notifier.Publish(1);
  EXPECT_EQ(notifier.head(), 1);
  release.Notify();
  ASSERT_TRUE(ran.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_NE(ran_on, std::this_thread::get_id());
}

TEST(ChangeNotifierTest, CallbacksRunInOrderOnlyOnceTheirHeadIsPublished) {
  ChangeNotifier notifier(0);
  absl::Mutex mu;
  std::vector<int> order;
  for (int after : {0, 2, 1}) {
    ASSERT_TRUE(notifier.NotifyAfter(after, [&, after] {
      absl::MutexLock lock(&mu);
      order.push_back(after);
    }));
  }
  EXPECT_FALSE(notifier.NotifyAfter(-1, [] {}).has_value());
  notifier.Publish(2);
  {
    absl::MutexLock lock(&mu);
    auto two_ran = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
      return order.size() == 2;
    };
    ASSERT_TRUE(
        mu.AwaitWithTimeout(absl::Condition(&two_ran), absl::Seconds(10)));
    EXPECT_EQ(order, (std::vector<int>{0, 1}));
  }
  // Close runs the one still waiting before it returns.
  notifier.Close();
  absl::MutexLock lock(&mu);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  EXPECT_TRUE(notifier.closed());
  EXPECT_FALSE(notifier.NotifyAfter(5, [] {}).has_value());
}

TEST(ChangeNotifierTest, CloseWaitsForCallbacksAlreadyHandedOver) {
  ChangeNotifier notifier(0);
  bool finished = false;
  ASSERT_TRUE(notifier.NotifyAfter(0, [&] {
    absl::SleepFor(absl::Milliseconds(50));
    finished = true;
  }));
  notifier.Publish(1);
  notifier.Close();
  EXPECT_TRUE(finished);
}

TEST(ChangeNotifierTest, CancelledCallbackNeverRuns) {
  ChangeNotifier notifier(0);
  bool ran = false;
  std::optional<uint64_t> handle = notifier.NotifyAfter(0, [&] { ran = true; });
  ASSERT_TRUE(handle.has_value());
  EXPECT_TRUE(notifier.Cancel(*handle));
  EXPECT_FALSE(notifier.Cancel(*handle));
  notifier.Publish(1);
  notifier.Close();
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace annals::catalog
