// ChangeFollower: keeps a TimelineState up to date with the catalog's
// change feed, on its own thread.
//
// It opens a stream after the state's applied sequence, applies every
// change, and when the stream ends (the catalog went away, restarted, or a
// network error) reconnects with exponential backoff and resumes after the
// last applied sequence: the state never misses or repeats a change, and
// keeps answering from what it has meanwhile.
//
// Health. The follower is *caught up* once it has applied the head_sequence
// reported by the first message of its first successful stream; it then
// reports serving, and stays serving through later disconnections.
//
// Restarts. A state reloaded from its folder (TimelineState::Open) that
// had caught up before serves at once and resumes the feed after its
// applied sequence, checked like a reconnect below; on divergence the
// state marks its folder discarded, so the restart rebuilds from scratch.
//
// Divergence. Each stream's first message names the catalog (catalog_id)
// and its head. If a reconnect finds another catalog_id (the catalog was
// recreated from nothing) or a head below what the state has applied (the
// catalog lost changes), the two histories must not be mixed: the follower
// stops for good, logs the reason, marks the state stopped (queries then
// fail with UNAVAILABLE) and reports not serving. Restarting the timeline
// rebuilds it from the new catalog. (Before anything was applied, a new
// catalog_id is simply adopted.) A catalog restored from an older copy and
// written to since has the same id and may have caught up with the head, so
// a reconnect asks again for the last change applied and stops the same way
// if the catalog now has another change at that sequence.
//
// Thread safety: all public methods are safe to call concurrently.
// Callbacks run on the follower's thread, outside its lock. on_serving(true)
// runs before status() reports caught_up; on_serving(false) runs after
// status() reports stopped.
#ifndef ANNALS_SERVICES_TIMELINE_CHANGE_FOLLOWER_H_
#define ANNALS_SERVICES_TIMELINE_CHANGE_FOLLOWER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/timeline/change_source.h"
#include "services/timeline/timeline_state.h"

namespace annals::timeline {

struct ChangeFollowerOptions {
  // Wait before the first reconnect; doubled (with +-20% jitter) after each
  // attempt that made no progress, up to `max_backoff`, and reset by a
  // stream that made progress: it applied at least one change, or stayed
  // open for `healthy_stream`. A stream that delivers only its first
  // message (the catalog's head) and then fails is no progress, so a
  // catalog that keeps failing that way is retried ever more slowly.
  // Default: 100 ms, 2 s and 10 s.
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(2);
  absl::Duration healthy_stream = absl::Seconds(10);
  // Where log lines go. Default: stderr, prefixed "annals-timeline: ".
  std::function<void(absl::string_view)> log;
  // Called with true once caught up, with false when the follower stops on
  // divergence. Default: nothing.
  std::function<void(bool serving)> on_serving;
  // Called with the state's applied sequence after each applied message.
  std::function<void(int64_t applied)> on_applied;
  // Called with false when the stream to the catalog ends after the initial
  // catch-up (an outage: answers still come from what was applied), and with
  // true once a new stream has caught up with the head it announced.
  // Default: nothing.
  std::function<void(bool in_sync)> on_sync;
};

struct FollowerStatus {
  // A stream is open and has delivered its first message.
  bool connected = false;
  // The initial catch-up is done.
  bool caught_up = false;
  // Stopped for good on divergence; `stopped_reason` says why.
  bool stopped = false;
  std::string stopped_reason;
  // The catalog followed and the head it last reported.
  std::string catalog_id;
  int64_t catalog_head = 0;
  // Streams opened successfully (the first message received).
  int64_t connections = 0;
};

class ChangeFollower {
 public:
  // `source` and `state` must outlive the follower.
  ChangeFollower(ChangeSource* source, TimelineState* state,
                 ChangeFollowerOptions options = {});
  // Stops (see Stop).
  ~ChangeFollower();

  ChangeFollower(const ChangeFollower&) = delete;
  ChangeFollower& operator=(const ChangeFollower&) = delete;

  // Starts the thread. Call once.
  void Start();

  // Cancels the open stream and joins the thread. Idempotent.
  void Stop();

  FollowerStatus status() const;

  // Blocks until caught up, stopped, or `deadline`. Returns whether caught
  // up (and not stopped).
  bool AwaitCaughtUp(absl::Time deadline) const;

 private:
  // Follows one stream until it ends. Returns why it ended; sets
  // *delivered when it produced at least one message.
  absl::Status Follow(ChangeStream& stream, bool* delivered);
  // Checks the first message of a stream. Returns false (after stopping)
  // on divergence.
  bool Admit(const catalog::v1::WatchChangesResponse& first);
  // Checks that `changes` hold, at verify_sequence_, the change last
  // applied (see Run). Returns false (after stopping) if they hold another.
  bool Verify(
      const google::protobuf::RepeatedPtrField<catalog::v1::Change>& changes);
  void AfterApply();
  void StopForGood(const std::string& reason);
  void Run();
  void Log(absl::string_view line) const;

  ChangeSource* const source_;
  TimelineState* const state_;
  const ChangeFollowerOptions options_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  ChangeStream* current_ ABSL_GUARDED_BY(mu_) = nullptr;
  FollowerStatus status_ ABSL_GUARDED_BY(mu_);
  // head_sequence to reach for the initial catch-up.
  int64_t catch_up_target_ ABSL_GUARDED_BY(mu_) = 0;
  // Caught up on the current stream (after the initial catch-up).
  bool in_sync_ ABSL_GUARDED_BY(mu_) = false;
  // The head announced by the current stream's first message.
  int64_t resync_target_ ABSL_GUARDED_BY(mu_) = 0;
  // Used by the follower's thread only: the last change applied (when the
  // state's applied sequence is its sequence), and the sequence at which
  // the current stream must repeat it (0: nothing to check).
  std::optional<catalog::v1::Change> last_applied_;
  int64_t verify_sequence_ = 0;
  std::thread thread_;
};

}  // namespace annals::timeline

#endif  // ANNALS_SERVICES_TIMELINE_CHANGE_FOLLOWER_H_
