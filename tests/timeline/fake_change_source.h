// A ChangeSource over an in-memory change log, for driving ChangeFollower and
// TimelineServer without a catalog. Tests append changes, end open streams
// (as a catalog restart would), change the catalog id or head, and hold
// streams back.
#ifndef ANNALS_TESTS_TIMELINE_FAKE_CHANGE_SOURCE_H_
#define ANNALS_TESTS_TIMELINE_FAKE_CHANGE_SOURCE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/timeline/change_source.h"

namespace annals::testing {

class FakeChangeSource final : public timeline::ChangeSource {
 public:
  explicit FakeChangeSource(std::string catalog_id = "catalog-a")
      : catalog_id_(std::move(catalog_id)) {}

  // Appends a change with the next sequence; returns that sequence.
  int64_t Append(catalog::v1::Change change) {
    absl::MutexLock lock(&mu_);
    change.set_sequence(static_cast<int64_t>(log_.size()) + 1);
    log_.push_back(std::move(change));
    return log_.back().sequence();
  }

  // Ends every open stream with UNAVAILABLE, as a catalog shutdown does.
  void EndStreams() {
    absl::MutexLock lock(&mu_);
    ++epoch_;
  }

  // Makes later streams report another catalog: a new id and log.
  void Recreate(std::string catalog_id) {
    absl::MutexLock lock(&mu_);
    catalog_id_ = std::move(catalog_id);
    log_.clear();
    ++epoch_;
  }

  // Drops the log after `head`, keeping the id (a catalog restored from an
  // older copy).
  void Truncate(int64_t head) {
    absl::MutexLock lock(&mu_);
    log_.resize(head);
    ++epoch_;
  }

  // While held, streams deliver their first message only.
  void Hold(bool hold) {
    absl::MutexLock lock(&mu_);
    held_ = hold;
  }

  // While `status` is not OK, streams deliver their first message (the
  // head) and then end with `status`, as a catalog whose feed fails on
  // every read does. OK: normal streams again.
  void FailAfterFirst(absl::Status status) {
    absl::MutexLock lock(&mu_);
    fail_after_first_ = std::move(status);
  }

  // When each Watch call came, in order.
  std::vector<absl::Time> watch_times() const {
    absl::MutexLock lock(&mu_);
    return watch_times_;
  }

  // Every after_sequence that Watch was called with, in order.
  std::vector<int64_t> watch_calls() const {
    absl::MutexLock lock(&mu_);
    return watch_calls_;
  }

  // Resending from this sequence on every stream (0: as asked), to check
  // that the follower drops changes it already has.
  void ResendFrom(int64_t after) {
    absl::MutexLock lock(&mu_);
    resend_after_ = after;
  }

  absl::StatusOr<std::unique_ptr<timeline::ChangeStream>> Watch(
      int64_t after_sequence) override {
    absl::MutexLock lock(&mu_);
    watch_calls_.push_back(after_sequence);
    watch_times_.push_back(absl::Now());
    int64_t from = after_sequence;
    if (resend_after_ > 0) from = std::min(from, resend_after_);
    return std::unique_ptr<timeline::ChangeStream>(
        new Stream(this, from, epoch_, fail_after_first_));
  }

 private:
  class Stream final : public timeline::ChangeStream {
   public:
    Stream(FakeChangeSource* source, int64_t after, int64_t epoch,
           absl::Status fail_after_first)
        : source_(source),
          next_after_(after),
          epoch_(epoch),
          fail_after_first_(std::move(fail_after_first)) {}

    bool Read(catalog::v1::WatchChangesResponse* message) override {
      message->Clear();
      FakeChangeSource& s = *source_;
      absl::MutexLock lock(&s.mu_);
      if (!first_ && !fail_after_first_.ok()) {
        end_ = fail_after_first_;
        return false;
      }
      auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu_) {
        return cancelled_ || s.epoch_ != epoch_ || first_ ||
               (!s.held_ && static_cast<int64_t>(s.log_.size()) > next_after_);
      };
      s.mu_.Await(absl::Condition(&ready));
      if (cancelled_) {
        end_ = absl::CancelledError("cancelled");
        return false;
      }
      if (s.epoch_ != epoch_) {
        end_ = absl::UnavailableError("catalog went away");
        return false;
      }
      message->set_head_sequence(static_cast<int64_t>(s.log_.size()));
      message->set_catalog_id(s.catalog_id_);
      if (first_) {
        first_ = false;
        return true;
      }
      for (int i = 0;
           i < 3 && next_after_ < static_cast<int64_t>(s.log_.size()); ++i) {
        *message->add_changes() = s.log_[next_after_++];
      }
      return true;
    }

    void Cancel() override {
      absl::MutexLock lock(&source_->mu_);
      cancelled_ = true;
    }

    absl::Status Finish() override { return end_; }

   private:
    FakeChangeSource* const source_;
    int64_t next_after_;
    const int64_t epoch_;
    const absl::Status fail_after_first_;
    bool first_ = true;
    bool cancelled_ = false;  // guarded by source_->mu_
    absl::Status end_;
  };

  mutable absl::Mutex mu_;
  std::string catalog_id_ ABSL_GUARDED_BY(mu_);
  std::vector<catalog::v1::Change> log_ ABSL_GUARDED_BY(mu_);
  int64_t epoch_ ABSL_GUARDED_BY(mu_) = 0;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  int64_t resend_after_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<int64_t> watch_calls_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::Time> watch_times_ ABSL_GUARDED_BY(mu_);
  absl::Status fail_after_first_ ABSL_GUARDED_BY(mu_);
};

}  // namespace annals::testing

#endif  // ANNALS_TESTS_TIMELINE_FAKE_CHANGE_SOURCE_H_
