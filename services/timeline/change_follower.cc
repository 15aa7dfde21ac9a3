#include "services/timeline/change_follower.h"

#include <cstdio>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"

namespace annals::timeline {

ChangeFollower::ChangeFollower(ChangeSource* source, TimelineState* state,
                               ChangeFollowerOptions options)
    : source_(source), state_(state), options_(std::move(options)) {
  // A state reloaded from its folder resumes after what it holds, checked
  // against the catalog as after a reconnect (Admit, Verify).
  if (state_->applied_sequence() > 0) {
    status_.catalog_id = state_->catalog_id();
    last_applied_ = state_->last_applied_change();
  }
}

ChangeFollower::~ChangeFollower() { Stop(); }

void ChangeFollower::Start() {
  thread_ = std::thread([this] { Run(); });
}

void ChangeFollower::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    if (current_ != nullptr) current_->Cancel();
  }
  if (thread_.joinable()) thread_.join();
}

FollowerStatus ChangeFollower::status() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

bool ChangeFollower::AwaitCaughtUp(absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  auto done = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return status_.caught_up || status_.stopped;
  };
  mu_.AwaitWithDeadline(absl::Condition(&done), deadline);
  return status_.caught_up && !status_.stopped;
}

void ChangeFollower::Log(absl::string_view line) const {
  if (options_.log) {
    options_.log(line);
  } else {
    std::fprintf(stderr, "annals-timeline: %.*s\n",
                 static_cast<int>(line.size()), line.data());
  }
}

void ChangeFollower::Run() {
  if (state_->caught_up()) {
    // Reloaded from its folder after an earlier catch-up: it answers from
    // what it holds at once, as during an outage (the process SERVING, the
    // service not until in sync), while it resumes the feed.
    Log(absl::StrCat("serving the local state at sequence ",
                     state_->applied_sequence(), " of catalog ",
                     state_->catalog_id(), "; resuming the change feed"));
    if (options_.on_serving) options_.on_serving(true);
    // Not in sync until a stream has caught up with the catalog's head.
    if (options_.on_sync) options_.on_sync(false);
    absl::MutexLock lock(&mu_);
    status_.caught_up = true;
  }
  absl::BitGen random;
  absl::Duration backoff = options_.initial_backoff;
  // Failures after the first of a series are not logged, unless their
  // reason changes.
  bool quiet = false;
  std::string last_logged;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_ || status_.stopped) return;
    }
    // Resume after the last applied change, or from it when it is known:
    // the catalog must still have that very change (see Verify).
    const int64_t applied = state_->applied_sequence();
    verify_sequence_ = applied > 0 && last_applied_.has_value() &&
                               last_applied_->sequence() == applied
                           ? applied
                           : 0;
    const absl::Time opened = absl::Now();
    absl::StatusOr<std::unique_ptr<ChangeStream>> stream =
        source_->Watch(verify_sequence_ > 0 ? applied - 1 : applied);
    absl::Status ended;
    bool delivered = false;
    if (stream.ok()) {
      {
        absl::MutexLock lock(&mu_);
        current_ = stream->get();
        if (stopping_) current_->Cancel();
      }
      ended = Follow(**stream, &delivered);
      bool lost_sync = false;
      {
        absl::MutexLock lock(&mu_);
        current_ = nullptr;
        status_.connected = false;
        lost_sync = in_sync_ && !stopping_ && !status_.stopped;
        in_sync_ = false;
      }
      if (lost_sync) {
        Log("out of sync with the catalog (stream ended); NOT_SERVING until "
            "resynchronised, still answering from the sequence applied");
        if (options_.on_sync) options_.on_sync(false);
      }
    } else {
      ended = stream.status();
    }
    {
      absl::MutexLock lock(&mu_);
      if (stopping_ || status_.stopped) return;
    }
    // Only a stream that made progress resets the backoff: one that applied
    // changes, or stayed open for `healthy_stream`. The first message alone
    // (the catalog's head) is not progress: a catalog that answers it and
    // then fails every time (DATA_LOSS, a change this timeline rejects)
    // must not be asked again ten times a second.
    const bool progressed =
        state_->applied_sequence() > applied ||
        (delivered && absl::Now() - opened >= options_.healthy_stream);
    if (progressed) {
      backoff = options_.initial_backoff;
      quiet = false;
    }
    const std::string reason = ended.ToString();
    if (!quiet || reason != last_logged) {
      Log(absl::StrCat(
          "catalog change feed ", delivered ? "ended" : "failed",
          " at applied sequence ", state_->applied_sequence(), ": ", reason,
          "; reconnecting in about ",
          absl::FormatDuration(absl::Trunc(backoff, absl::Milliseconds(1))),
          " (still answering from the sequence applied)"));
      quiet = !progressed;
      last_logged = reason;
    }
    const absl::Duration wait = backoff * absl::Uniform(random, 0.8, 1.2);
    backoff = std::min(backoff * 2, options_.max_backoff);
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), wait);
  }
}

absl::Status ChangeFollower::Follow(ChangeStream& stream, bool* delivered) {
  catalog::v1::WatchChangesResponse message;
  bool first = true;
  while (stream.Read(&message)) {
    *delivered = true;
    if (first) {
      first = false;
      if (!Admit(message)) {
        stream.Cancel();
        while (stream.Read(&message)) {
        }
        return stream.Finish();
      }
    }
    {
      absl::MutexLock lock(&mu_);
      status_.catalog_head =
          std::max(status_.catalog_head, message.head_sequence());
    }
    if (message.changes_size() > 0 && verify_sequence_ > 0 &&
        !Verify(message.changes())) {
      stream.Cancel();
      while (stream.Read(&message)) {
      }
      return stream.Finish();
    }
    if (message.changes_size() > 0) {
      absl::Status applied = state_->Apply(message.changes());
      if (!applied.ok()) {
        Log(absl::StrCat("rejected a change-feed message: ", applied.ToString(),
                         "; reconnecting"));
        stream.Cancel();
        while (stream.Read(&message)) {
        }
        stream.Finish().IgnoreError();
        return applied;
      }
      if (message.changes().rbegin()->sequence() ==
          state_->applied_sequence()) {
        last_applied_ = *message.changes().rbegin();
      }
    }
    AfterApply();
  }
  return stream.Finish();
}

bool ChangeFollower::Admit(const catalog::v1::WatchChangesResponse& first) {
  const int64_t applied = state_->applied_sequence();
  std::string reason;
  {
    absl::MutexLock lock(&mu_);
    if (status_.catalog_id.empty() || applied == 0) {
      status_.catalog_id = first.catalog_id();
    } else if (first.catalog_id() != status_.catalog_id) {
      reason = absl::StrCat(
          "the catalog's history changed: it now has catalog_id \"",
          first.catalog_id(), "\" but this timeline holds ", applied,
          " changes of catalog_id \"", status_.catalog_id,
          "\" (was the catalog recreated from an empty folder?); stopped "
          "following it rather than mix the two histories. Restart the "
          "timeline to rebuild from the new catalog");
    }
    if (reason.empty() && first.head_sequence() < applied) {
      reason = absl::StrCat(
          "the catalog's history changed: its head_sequence is ",
          first.head_sequence(), " but this timeline has already applied ",
          applied, " changes of the same catalog_id \"", status_.catalog_id,
          "\" (was the catalog restored from an older copy?); stopped "
          "following it rather than mix the two histories. Restart the "
          "timeline to rebuild");
    }
    if (reason.empty()) {
      status_.connected = true;
      ++status_.connections;
      if (!status_.caught_up) catch_up_target_ = first.head_sequence();
      resync_target_ = first.head_sequence();
    }
  }
  if (!reason.empty()) {
    StopForGood(reason);
    return false;
  }
  state_->SetCatalogId(first.catalog_id());
  // Until the first catch-up, the state refuses queries; it opens them
  // itself once it has applied this head (no effect after).
  state_->SetCatchUpTarget(first.head_sequence());
  Log(absl::StrCat("following catalog ", first.catalog_id(), " from sequence ",
                   applied, " (catalog head ", first.head_sequence(), ")"));
  return true;
}

bool ChangeFollower::Verify(
    const google::protobuf::RepeatedPtrField<catalog::v1::Change>& changes) {
  for (const catalog::v1::Change& change : changes) {
    if (change.sequence() < verify_sequence_) continue;  // a resent older one
    const int64_t sequence = verify_sequence_;
    verify_sequence_ = 0;
    if (change.sequence() == sequence &&
        google::protobuf::util::MessageDifferencer::Equals(change,
                                                           *last_applied_)) {
      return true;
    }
    std::string catalog_id;
    {
      absl::MutexLock lock(&mu_);
      catalog_id = status_.catalog_id;
    }
    StopForGood(absl::StrCat(
        "the catalog's history changed: the change it now has at sequence ",
        sequence, " is not the one this timeline applied there (same ",
        "catalog_id \"", catalog_id,
        "\"; was the catalog restored from an older copy and written to "
        "since?); stopped following it rather than mix the two histories. "
        "Restart the timeline to rebuild"));
    return false;
  }
  return true;  // not reached yet: the next message has it
}

void ChangeFollower::AfterApply() {
  const int64_t applied = state_->applied_sequence();
  if (options_.on_applied) options_.on_applied(applied);
  bool now_caught_up = false;
  bool resynchronised = false;
  {
    absl::MutexLock lock(&mu_);
    now_caught_up = !status_.caught_up && applied >= catch_up_target_;
    if (!in_sync_ && applied >= resync_target_) {
      in_sync_ = true;
      // The first catch-up is reported through on_serving below.
      resynchronised = status_.caught_up;
    }
  }
  if (resynchronised) {
    Log(absl::StrCat("resynchronised with the catalog at sequence ", applied,
                     "; serving"));
    if (options_.on_sync) options_.on_sync(true);
  }
  if (now_caught_up) {
    state_->CompactIndexes();
    Log(absl::StrCat("caught up with the catalog at sequence ", applied,
                     "; serving"));
    if (options_.on_serving) options_.on_serving(true);
    // Only this thread sets it; set last, so that whoever sees it also
    // sees the effects of on_serving.
    absl::MutexLock lock(&mu_);
    status_.caught_up = true;
  }
}

void ChangeFollower::StopForGood(const std::string& reason) {
  Log(absl::StrCat("NOT SERVING: ", reason));
  state_->SetStopped(reason);
  {
    absl::MutexLock lock(&mu_);
    status_.stopped = true;
    status_.stopped_reason = reason;
    status_.connected = false;
  }
  if (options_.on_serving) options_.on_serving(false);
}

}  // namespace annals::timeline
