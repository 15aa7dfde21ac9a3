// Wakes change-feed readers when the catalog commits.
//
// Thread safety: all methods are safe to call concurrently. Callbacks run on
// the notifier's own thread, one at a time and in the order they became
// ready, outside any lock of this class: Publish() only hands them over, so
// that a committing writer (an import batch) does not also read and send
// the feed before it answers.
#ifndef ANNALS_SERVICES_CATALOG_CHANGE_NOTIFIER_H_
#define ANNALS_SERVICES_CATALOG_CHANGE_NOTIFIER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace annals::catalog {

class ChangeNotifier {
 public:
  using Callback = std::function<void()>;

  // Starts the thread that runs callbacks.
  explicit ChangeNotifier(int64_t head);
  // Runs the callbacks already handed over, then stops the thread.
  ~ChangeNotifier();

  ChangeNotifier(const ChangeNotifier&) = delete;
  ChangeNotifier& operator=(const ChangeNotifier&) = delete;

  // The last published sequence.
  int64_t head() const;

  // Arranges for `callback` to run once, as soon as head() > after. Returns
  // a handle for Cancel(), or std::nullopt, without calling `callback`, when
  // head() > after already (the caller should read the new changes itself)
  // or the notifier is closed.
  std::optional<uint64_t> NotifyAfter(int64_t after, Callback callback);

  // Removes a pending callback. Returns true if it was removed before it
  // ran; false if it has run, is running, or never existed.
  bool Cancel(uint64_t handle);

  // Blocks until head() >= sequence or `deadline` passes. Returns whether the
  // sequence was reached.
  bool WaitFor(int64_t sequence, absl::Time deadline) const;

  // Records a new head and has every callback waiting for it run soon, on
  // the notifier's thread. head() is the new head when it returns.
  void Publish(int64_t head);

  // Runs every pending callback now and refuses new ones (NotifyAfter then
  // returns std::nullopt): readers see closed() and end their streams. For
  // shutdown, so that followers' open streams do not hold it up. Returns
  // once every callback handed over so far has run.
  void Close();
  bool closed() const;

 private:
  mutable absl::Mutex mu_;
  int64_t head_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t next_handle_ ABSL_GUARDED_BY(mu_) = 1;
  // handle -> (after, callback)
  std::map<uint64_t, std::pair<int64_t, Callback>> waiters_
      ABSL_GUARDED_BY(mu_);

  // Runs what is ready until stopping_.
  void Deliver();
  // Callbacks handed over to the thread, in order; and how many it has
  // taken and not finished.
  std::deque<Callback> ready_ ABSL_GUARDED_BY(mu_);
  int running_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_CHANGE_NOTIFIER_H_
