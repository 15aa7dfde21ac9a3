// ChangeFollower driven by an in-memory change source: catch-up, resuming
// without loss or duplication, and refusing to mix catalog histories.
#include "services/timeline/change_follower.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/timeline/fake_change_source.h"

namespace annals::timeline {
namespace {

using ::annals::testing::FakeChangeSource;
using ::annals::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Generous: only reached if the code under test is broken.
absl::Time Deadline() { return absl::Now() + absl::Seconds(30); }

catalog::v1::Change EntityChange(const std::string& id) {
  catalog::v1::Change change;
  change.set_type(catalog::v1::CHANGE_TYPE_CREATED);
  change.mutable_commit_time()->set_seconds(1700000000);
  catalog::v1::Entity* entity = change.mutable_entity();
  entity->set_name("entities/" + id);
  entity->set_kind("mission");
  entity->set_label(id);
  return change;
}

catalog::v1::Change StatementChange(const std::string& id,
                                    const std::string& edtf) {
  catalog::v1::Change change;
  change.set_type(catalog::v1::CHANGE_TYPE_CREATED);
  change.mutable_commit_time()->set_seconds(1700000000);
  catalog::v1::Statement* statement = change.mutable_statement();
  statement->set_name("statements/" + id);
  statement->set_subject("entities/nmi");
  statement->set_predicate("commander");
  statement->mutable_object()->set_text(id);
  statement->mutable_valid_time()->set_edtf(edtf);
  return change;
}

class ChangeFollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_.Append(EntityChange("nmi"));
    for (int i = 0; i < 9; ++i) AppendStatement();
  }

  void AppendStatement() {
    source_.Append(StatementChange(absl::StrCat("s", statements_), "2020/.."));
    ++statements_;
  }

  void StartFollower(absl::Duration initial_backoff = absl::Milliseconds(1),
                     absl::Duration max_backoff = absl::Milliseconds(20)) {
    ChangeFollowerOptions options;
    options.initial_backoff = initial_backoff;
    options.max_backoff = max_backoff;
    options.log = [this](absl::string_view line) {
      absl::MutexLock lock(&mu_);
      log_.emplace_back(line);
    };
    options.on_serving = [this](bool serving) {
      absl::MutexLock lock(&mu_);
      serving_.push_back(serving);
    };
    follower_ = std::make_unique<ChangeFollower>(&source_, &state_, options);
    follower_->Start();
  }

  // Statements the state holds about nmi, each once.
  int HistoryLength() {
    v1::ListHistoryRequest request;
    request.set_entity("nmi");
    request.set_page_size(1000);
    auto history = state_.ListHistory(request);
    EXPECT_OK(history);
    return history.ok() ? history->entries_size() : -1;
  }

  std::vector<bool> serving() {
    absl::MutexLock lock(&mu_);
    return serving_;
  }

  void AwaitStopped() {
    absl::MutexLock lock(&mu_);
    auto stopped = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !serving_.empty() && !serving_.back();
    };
    mu_.AwaitWithDeadline(absl::Condition(&stopped), Deadline());
  }

  FakeChangeSource source_;
  TimelineState state_;
  int statements_ = 0;
  absl::Mutex mu_;
  std::vector<std::string> log_ ABSL_GUARDED_BY(mu_);
  std::vector<bool> serving_ ABSL_GUARDED_BY(mu_);
  // Declared last: stopped before the members it uses go away.
  std::unique_ptr<ChangeFollower> follower_;
};

TEST_F(ChangeFollowerTest, CatchesUpWithTheHeadAndReportsServingOnce) {
  StartFollower();
  ASSERT_TRUE(follower_->AwaitCaughtUp(Deadline()));
  EXPECT_GE(state_.applied_sequence(), 10);
  EXPECT_EQ(HistoryLength(), 9);
  EXPECT_THAT(serving(), ElementsAre(true));
  EXPECT_EQ(follower_->status().catalog_id, "catalog-a");
}

TEST_F(ChangeFollowerTest, IsNotCaughtUpUntilTheFirstHeadIsApplied) {
  source_.Hold(true);  // streams stop after their first message
  StartFollower();
  const absl::Time deadline = Deadline();
  while (!follower_->status().connected && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  ASSERT_TRUE(follower_->status().connected);
  EXPECT_FALSE(follower_->status().caught_up);
  EXPECT_FALSE(follower_->AwaitCaughtUp(absl::Now()));
  EXPECT_EQ(state_.applied_sequence(), 0);
  EXPECT_THAT(serving(), ::testing::IsEmpty());
  source_.Hold(false);
  ASSERT_TRUE(follower_->AwaitCaughtUp(Deadline()));
  EXPECT_THAT(serving(), ElementsAre(true));
}

TEST_F(ChangeFollowerTest, ResumesAfterItsLastSequenceWithoutDuplicates) {
  StartFollower();
  ASSERT_TRUE(follower_->AwaitCaughtUp(Deadline()));
  // The catalog restarts and resends from the beginning; the follower must
  // skip what it has.
  source_.ResendFrom(3);
  source_.EndStreams();
  for (int i = 0; i < 5; ++i) AppendStatement();
  ASSERT_OK(state_.AwaitSequence(15, Deadline()));
  EXPECT_EQ(HistoryLength(), 14);
  const std::vector<int64_t> calls = source_.watch_calls();
  ASSERT_GE(calls.size(), 2u);
  EXPECT_EQ(calls[0], 0);
  // Resumed from the last applied change (10), which the catalog must
  // still have, so after 9.
  EXPECT_EQ(calls[1], 9);
  EXPECT_GE(follower_->status().connections, 2);
  EXPECT_THAT(serving(), ElementsAre(true));  // stayed serving throughout
}

TEST_F(ChangeFollowerTest, KeepsAnsweringWhileTheCatalogIsAway) {
  StartFollower();
  ASSERT_TRUE(follower_->AwaitCaughtUp(Deadline()));
  source_.EndStreams();
  EXPECT_EQ(HistoryLength(), 9);
  EXPECT_EQ(state_.applied_sequence(), 10);
}

TEST_F(ChangeFollowerTest, RecreatedCatalogStopsFollowingAndNotServing) {
  StartFollower();
  ASSERT_TRUE(follower_->AwaitCaughtUp(Deadline()));
  source_.Recreate("catalog-b");
  source_.Append(EntityChange("other"));
  AwaitStopped();
  EXPECT_THAT(serving(), ElementsAre(true, false));
  const FollowerStatus status = follower_->status();
  EXPECT_TRUE(status.stopped);
  EXPECT_THAT(status.stopped_reason, HasSubstr("catalog-b"));
  EXPECT_THAT(status.stopped_reason, HasSubstr("catalog-a"));
  EXPECT_EQ(state_.applied_sequence(), 10);  // nothing of catalog-b applied
  v1::ListHistoryRequest request;
  request.set_entity("nmi");
  EXPECT_THAT(
      state_.ListHistory(request),
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("catalog_id")));
  absl::MutexLock lock(&mu_);
  EXPECT_THAT(log_, ::testing::Contains(HasSubstr("NOT SERVING")));
}

TEST_F(ChangeFollowerTest, CatalogWithAShorterHistoryStopsFollowing) {
  StartFollower();
  ASSERT_TRUE(follower_->AwaitCaughtUp(Deadline()));
  source_.Truncate(4);
  AwaitStopped();
  EXPECT_THAT(follower_->status().stopped_reason,
              HasSubstr("head_sequence is 4"));
  EXPECT_EQ(state_.applied_sequence(), 10);
}

// Waits until the source has seen `count` Watch calls; returns the gaps
// between consecutive calls.
std::vector<absl::Duration> GapsAfterWatches(const FakeChangeSource& source,
                                             size_t count) {
  const absl::Time deadline = Deadline();
  while (source.watch_times().size() < count && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  const std::vector<absl::Time> times = source.watch_times();
  std::vector<absl::Duration> gaps;
  for (size_t i = 1; i < times.size() && i < count; ++i) {
    gaps.push_back(times[i] - times[i - 1]);
  }
  return gaps;
}

TEST_F(ChangeFollowerTest, FailingAfterTheHeadIsRetriedWithGrowingDelays) {
  // Every stream announces the head, then fails: no change is ever applied.
  source_.FailAfterFirst(absl::DataLossError("corrupt change at sequence 1"));
  const absl::Duration initial = absl::Milliseconds(20);
  const absl::Duration cap = absl::Milliseconds(160);
  StartFollower(initial, cap);
  // Waits of 20, 40, 80, 160, 160, 160 ms (each +-20%).
  const std::vector<absl::Duration> gaps = GapsAfterWatches(source_, 7);
  ASSERT_EQ(gaps.size(), 6u);
  EXPECT_EQ(state_.applied_sequence(), 0);
  EXPECT_FALSE(follower_->status().caught_up);
  for (size_t i = 0; i < gaps.size(); ++i) {
    const absl::Duration expected = std::min(initial * (1 << i), cap);
    EXPECT_GE(gaps[i], expected * 0.8) << "wait " << i;
    // Above only by scheduling delays on a busy machine.
    EXPECT_LE(gaps[i], expected * 1.2 + absl::Milliseconds(500))
        << "wait " << i;
  }
  {
    absl::MutexLock lock(&mu_);
    int failures = 0;
    for (const std::string& line : log_) {
      if (absl::StrContains(line, "DATA_LOSS")) ++failures;
    }
    EXPECT_EQ(failures, 1) << "the same failure is logged once per series";
  }
  // Once the feed works again, the follower catches up.
  source_.FailAfterFirst(absl::OkStatus());
  ASSERT_TRUE(follower_->AwaitCaughtUp(Deadline()));
  EXPECT_EQ(HistoryLength(), 9);
}

TEST_F(ChangeFollowerTest, AStreamThatAppliedChangesResetsTheBackoff) {
  const absl::Duration initial = absl::Milliseconds(20);
  StartFollower(initial, absl::Seconds(5));
  ASSERT_TRUE(follower_->AwaitCaughtUp(Deadline()));
  // Failures without progress: the waits grow to 20, 40, 80 ms...
  source_.FailAfterFirst(absl::DataLossError("corrupt"));
  source_.EndStreams();
  GapsAfterWatches(source_, 5);
  // ...then a stream that applies a change and ends: the next wait is the
  // initial one again.
  source_.FailAfterFirst(absl::OkStatus());
  AppendStatement();
  const absl::Time deadline = Deadline();
  while (state_.applied_sequence() < 11 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  ASSERT_EQ(state_.applied_sequence(), 11);
  // Without the reset the next wait would be 640 ms (+-20%).
  const size_t before = source_.watch_times().size();
  const absl::Time ended = absl::Now();
  source_.EndStreams();
  GapsAfterWatches(source_, before + 1);
  ASSERT_GT(source_.watch_times().size(), before);
  EXPECT_LT(source_.watch_times()[before] - ended, absl::Milliseconds(400))
      << "the backoff was not reset by a stream that applied a change";
}

TEST_F(ChangeFollowerTest, StopEndsABlockedStream) {
  StartFollower();
  ASSERT_TRUE(follower_->AwaitCaughtUp(Deadline()));
  follower_->Stop();  // the stream is blocked waiting for changes
  follower_->Stop();  // idempotent
  EXPECT_FALSE(follower_->status().connected);
}

}  // namespace
}  // namespace annals::timeline
