#include "services/common/process/memory_return.h"

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace annals {
namespace {

// Polls `returner` until it has trimmed `count` times or 10 s pass.
bool AwaitTrims(const MemoryReturner& returner, int64_t count) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (returner.trims() < count && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  return returner.trims() >= count;
}

TEST(MemoryReturnerTest, TrimsOnlyAfterALargeAnswer) {
  MemoryReturner returner(absl::Milliseconds(10));
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(returner.trims(), 0);
  returner.NoteLargeAnswer();
  EXPECT_TRUE(AwaitTrims(returner, 1));
  returner.NoteLargeAnswer();
  EXPECT_TRUE(AwaitTrims(returner, 2));
}

TEST(MemoryReturnerTest, OneTrimServesAnswersNotedWithinTheDelay) {
  MemoryReturner returner(absl::Milliseconds(300));
  for (int i = 0; i < 100; ++i) returner.NoteLargeAnswer();
  EXPECT_TRUE(AwaitTrims(returner, 1));
  absl::SleepFor(absl::Milliseconds(400));
  EXPECT_EQ(returner.trims(), 1);
}

TEST(MemoryReturnerTest, StopsPromptlyWhileWaiting) {
  const absl::Time start = absl::Now();
  {
    MemoryReturner returner(absl::Hours(1));
    returner.NoteLargeAnswer();
  }
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

}  // namespace
}  // namespace annals
