// Wakes change-feed readers when the catalog commits.
//
// Thread safety: all methods are safe to call concurrently. Callbacks run on
// the thread that calls Publish(), outside any lock of this class.
#ifndef ANNALS_SERVICES_CATALOG_CHANGE_NOTIFIER_H_
#define ANNALS_SERVICES_CATALOG_CHANGE_NOTIFIER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace annals::catalog {

class ChangeNotifier {
 public:
  using Callback = std::function<void()>;

  explicit ChangeNotifier(int64_t head) : head_(head) {}

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

  // Records a new head and runs every callback waiting for it.
  void Publish(int64_t head);

  // Runs every pending callback now and refuses new ones (NotifyAfter then
  // returns std::nullopt): readers see closed() and end their streams. For
  // shutdown, so that followers' open streams do not hold it up.
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
};

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_CHANGE_NOTIFIER_H_
