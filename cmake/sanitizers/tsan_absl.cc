// Makes Debian's absl::Mutex and absl::Notification visible to
// ThreadSanitizer. Linked into every executable of the TSan build
// (cmake/Sanitizers.cmake), never into a normal build.
//
// Why: Debian's libabsl_synchronization is not built with -fsanitize=thread,
// so TSan sees neither the locking inside absl::Mutex nor the happens-before
// edges it creates, and would report every access to ABSL_GUARDED_BY data
// from two threads as a race. absl's own TSan annotations exist only when
// absl itself is built with TSan.
//
// How: the linker's --wrap (see ANNALS_TSAN_WRAPPED in Sanitizers.cmake)
// sends this project's calls of each function below to __wrap_<symbol>,
// which tells TSan what the real function (__real_<symbol>) does: lock,
// unlock, or wait (unlock, sleep, relock). The real call runs between TSan's
// pre- and post- annotations, where TSan ignores the thread's memory
// accesses; that covers the Conditions absl evaluates inside Unlock, Await
// and LockWhen (always with the mutex held, but invisibly to TSan).
//
// Limits: only calls from this project's code are seen; gRPC's use of
// absl::Mutex and its other hand-offs between threads stay invisible (see
// cmake/sanitizers/tsan.supp). The symbols are those of Debian 12's Abseil
// 20220623 (inline namespace "debian3"); another Abseil fails to link.

#include <sanitizer/tsan_interface.h>

#include "absl/time/time.h"

namespace {

// Runs `wait`, which unlocks `mu`, sleeps and returns with `mu` held again,
// as an unlock followed by a lock.
template <typename Wait>
auto AsWait(void* mu, unsigned flags, Wait wait) {
  __tsan_mutex_pre_unlock(mu, flags);
  auto result = wait();
  __tsan_mutex_post_unlock(mu, flags);
  __tsan_mutex_pre_lock(mu, flags);
  __tsan_mutex_post_lock(mu, flags, 0);
  return result;
}

// Runs `lock_when`, which returns with `mu` held, as a lock.
template <typename LockWhen>
auto AsLockWhen(void* mu, unsigned flags, LockWhen lock_when) {
  __tsan_mutex_pre_lock(mu, flags);
  auto result = lock_when();
  __tsan_mutex_post_lock(mu, flags, 0);
  return result;
}

constexpr unsigned kRead = __tsan_mutex_read_lock;

}  // namespace

// Names: _ZN4absl7debian3 is "absl::debian3::", 5Mutex "Mutex", and so on.
#define ANNALS_REAL(symbol) __real_##symbol
#define ANNALS_WRAP(symbol) __wrap_##symbol

// Declares __real_<symbol> and defines __wrap_<symbol>.
#define ANNALS_WRAPPER(ret, symbol, params) \
  ret ANNALS_REAL(symbol) params;           \
  ret ANNALS_WRAP(symbol)                   \
  params

extern "C" {

using Condition = const void*;

ANNALS_WRAPPER(void, _ZN4absl7debian35Mutex4LockEv, (void* mu)) {
  __tsan_mutex_pre_lock(mu, 0);
  ANNALS_REAL(_ZN4absl7debian35Mutex4LockEv)(mu);
  __tsan_mutex_post_lock(mu, 0, 0);
}

ANNALS_WRAPPER(void, _ZN4absl7debian35Mutex6UnlockEv, (void* mu)) {
  __tsan_mutex_pre_unlock(mu, 0);
  ANNALS_REAL(_ZN4absl7debian35Mutex6UnlockEv)(mu);
  __tsan_mutex_post_unlock(mu, 0);
}

ANNALS_WRAPPER(void, _ZN4absl7debian35Mutex10ReaderLockEv, (void* mu)) {
  __tsan_mutex_pre_lock(mu, kRead);
  ANNALS_REAL(_ZN4absl7debian35Mutex10ReaderLockEv)(mu);
  __tsan_mutex_post_lock(mu, kRead, 0);
}

ANNALS_WRAPPER(void, _ZN4absl7debian35Mutex12ReaderUnlockEv, (void* mu)) {
  __tsan_mutex_pre_unlock(mu, kRead);
  ANNALS_REAL(_ZN4absl7debian35Mutex12ReaderUnlockEv)(mu);
  __tsan_mutex_post_unlock(mu, kRead);
}

ANNALS_WRAPPER(bool, _ZN4absl7debian35Mutex7TryLockEv, (void* mu)) {
  __tsan_mutex_pre_lock(mu, __tsan_mutex_try_lock);
  bool locked = ANNALS_REAL(_ZN4absl7debian35Mutex7TryLockEv)(mu);
  __tsan_mutex_post_lock(
      mu, __tsan_mutex_try_lock | (locked ? 0 : __tsan_mutex_try_lock_failed),
      0);
  return locked;
}

ANNALS_WRAPPER(void, _ZN4absl7debian35MutexD1Ev, (void* mu)) {
  __tsan_mutex_destroy(mu, 0);
  ANNALS_REAL(_ZN4absl7debian35MutexD1Ev)(mu);
}

ANNALS_WRAPPER(void, _ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE,
               (void* mu, Condition cond)) {
  AsWait(mu, 0, [&] {
    ANNALS_REAL(_ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE)(mu, cond);
    return 0;
  });
}

ANNALS_WRAPPER(
    bool,
    _ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE,
    (void* mu, Condition cond, absl::Duration timeout)) {
  return AsWait(mu, 0, [&] {
    return ANNALS_REAL(
        _ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE)(
        mu, cond, timeout);
  });
}

ANNALS_WRAPPER(
    bool, _ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE,
    (void* mu, Condition cond, absl::Time deadline)) {
  return AsWait(mu, 0, [&] {
    return ANNALS_REAL(
        _ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE)(
        mu, cond, deadline);
  });
}

ANNALS_WRAPPER(void, _ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE,
               (void* mu, Condition cond)) {
  AsLockWhen(mu, 0, [&] {
    ANNALS_REAL(_ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE)(mu, cond);
    return 0;
  });
}

ANNALS_WRAPPER(
    bool,
    _ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE,
    (void* mu, Condition cond, absl::Duration timeout)) {
  return AsLockWhen(mu, 0, [&] {
    return ANNALS_REAL(
        _ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE)(
        mu, cond, timeout);
  });
}

ANNALS_WRAPPER(
    bool,
    _ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE,
    (void* mu, Condition cond, absl::Time deadline)) {
  return AsLockWhen(mu, 0, [&] {
    return ANNALS_REAL(
        _ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE)(
        mu, cond, deadline);
  });
}

ANNALS_WRAPPER(void, _ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE,
               (void* mu, Condition cond)) {
  AsLockWhen(mu, kRead, [&] {
    ANNALS_REAL(_ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE)
    (mu, cond);
    return 0;
  });
}

ANNALS_WRAPPER(void, _ZN4absl7debian37CondVar4WaitEPNS0_5MutexE,
               (void* cv, void* mu)) {
  AsWait(mu, 0, [&] {
    ANNALS_REAL(_ZN4absl7debian37CondVar4WaitEPNS0_5MutexE)(cv, mu);
    return 0;
  });
}

ANNALS_WRAPPER(
    bool, _ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE,
    (void* cv, void* mu, absl::Duration timeout)) {
  return AsWait(mu, 0, [&] {
    return ANNALS_REAL(
        _ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE)(
        cv, mu, timeout);
  });
}

ANNALS_WRAPPER(
    bool, _ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE,
    (void* cv, void* mu, absl::Time deadline)) {
  return AsWait(mu, 0, [&] {
    return ANNALS_REAL(
        _ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE)(
        cv, mu, deadline);
  });
}

// Notification: Notify() releases, a wait that saw the notification
// acquires.
ANNALS_WRAPPER(void, _ZN4absl7debian312Notification6NotifyEv, (void* n)) {
  __tsan_release(n);
  ANNALS_REAL(_ZN4absl7debian312Notification6NotifyEv)(n);
}

ANNALS_WRAPPER(void, _ZNK4absl7debian312Notification19WaitForNotificationEv,
               (const void* n)) {
  ANNALS_REAL(_ZNK4absl7debian312Notification19WaitForNotificationEv)(n);
  __tsan_acquire(const_cast<void*>(n));
}

ANNALS_WRAPPER(
    bool,
    _ZNK4absl7debian312Notification30WaitForNotificationWithTimeoutENS0_8DurationE,
    (const void* n, absl::Duration timeout)) {
  bool notified = ANNALS_REAL(
      _ZNK4absl7debian312Notification30WaitForNotificationWithTimeoutENS0_8DurationE)(
      n, timeout);
  if (notified) __tsan_acquire(const_cast<void*>(n));
  return notified;
}

ANNALS_WRAPPER(
    bool,
    _ZNK4absl7debian312Notification31WaitForNotificationWithDeadlineENS0_4TimeE,
    (const void* n, absl::Time deadline)) {
  bool notified = ANNALS_REAL(
      _ZNK4absl7debian312Notification31WaitForNotificationWithDeadlineENS0_4TimeE)(
      n, deadline);
  if (notified) __tsan_acquire(const_cast<void*>(n));
  return notified;
}

}  // extern "C"
