#include "services/common/process/descriptors.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace annals {
namespace {

// The guard's state. `installed` is read on every failed accept4(); the
// rest only when descriptors run out.
std::atomic<bool> installed{false};
// A connection accepted on a descriptor at or above this is shed, so that
// the process keeps descriptors for its own files. Set by
// InstallAcceptGuard().
std::atomic<int> shed_from_fd{std::numeric_limits<int>::max()};
std::atomic<int64_t> shed_total{0};
std::mutex guard_mu;
int spare_fd = -1;  // guarded by guard_mu
std::function<void(int64_t)>* on_shed_callback = nullptr;  // guarded

int RawAccept4(int fd, sockaddr* address, socklen_t* length, int flags) {
  return static_cast<int>(syscall(SYS_accept4, fd, address, length, flags));
}

int OpenSpare() { return open("/dev/null", O_RDONLY | O_CLOEXEC); }

bool IsNonBlocking(int fd) {
  const int flags = fcntl(fd, F_GETFL);
  return flags >= 0 && (flags & O_NONBLOCK) != 0;
}

// Called when accept4() on `fd` failed with EMFILE or ENFILE. Returns -1
// with errno set to what the caller should see.
int ShedWaitingConnections(int fd, int error, int64_t already_shed = 0) {
  if (!installed.load(std::memory_order_acquire)) {
    errno = error;
    return -1;
  }
  if (!IsNonBlocking(fd)) {
    errno = error;  // a blocking accept could wait forever: leave it alone
    return -1;
  }
  int64_t shed = already_shed;
  std::function<void(int64_t)> callback;
  {
    std::lock_guard<std::mutex> lock(guard_mu);
    if (spare_fd >= 0) {
      close(spare_fd);
      spare_fd = -1;
    }
    // Until the queue is empty (EAGAIN) or another thread took the freed
    // descriptor first (EMFILE again); bounded so that one call cannot
    // spin for long.
    for (int i = 0; i < 1024; ++i) {
      const int connection = RawAccept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (connection < 0) break;
      close(connection);
      ++shed;
    }
    spare_fd = OpenSpare();  // -1 if still out: retried on the next failure
    if (on_shed_callback != nullptr) callback = *on_shed_callback;
  }
  if (shed > 0) {
    shed_total.fetch_add(shed, std::memory_order_relaxed);
    if (callback) callback(shed);
  }
  errno = EAGAIN;
  return -1;
}

uint64_t NrOpen() {
  std::ifstream file("/proc/sys/fs/nr_open");
  uint64_t value = 0;
  if (file >> value) return value;
  return 1 << 20;
}

}  // namespace

int ReservedDescriptors(int soft_limit) {
  return std::clamp(soft_limit / 8, 8, 64);
}

absl::StatusOr<OpenFileLimit> RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return absl::InternalError(
        absl::StrCat("getrlimit(RLIMIT_NOFILE): ", std::strerror(errno)));
  }
  OpenFileLimit result;
  result.before = limit.rlim_cur;
  result.hard = limit.rlim_max;
  const rlim_t target =
      limit.rlim_max == RLIM_INFINITY ? NrOpen() : limit.rlim_max;
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= target) {
    result.after = result.before;
    return result;
  }
  limit.rlim_cur = target;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return absl::InternalError(absl::StrCat("setrlimit(RLIMIT_NOFILE, ", target,
                                            "): ", std::strerror(errno)));
  }
  result.after = target;
  return result;
}

void InstallAcceptGuard(std::function<void(int64_t shed)> on_shed) {
  std::lock_guard<std::mutex> lock(guard_mu);
  delete on_shed_callback;
  on_shed_callback =
      on_shed ? new std::function<void(int64_t)>(std::move(on_shed)) : nullptr;
  if (spare_fd < 0) spare_fd = OpenSpare();
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 &&
      limit.rlim_cur != RLIM_INFINITY &&
      limit.rlim_cur < static_cast<rlim_t>(std::numeric_limits<int>::max())) {
    const int soft = static_cast<int>(limit.rlim_cur);
    shed_from_fd.store(soft - ReservedDescriptors(soft));
  }
  installed.store(true, std::memory_order_release);
}

int64_t ConnectionsShed() { return shed_total.load(std::memory_order_relaxed); }

void ApplyDescriptorPolicy(
    const std::shared_ptr<const logging::Logger>& logger) {
  absl::StatusOr<OpenFileLimit> limit = RaiseOpenFileLimit();
  if (logger != nullptr) {
    if (limit.ok()) {
      logger->Info("open files",
                   {{"soft_limit_before", static_cast<int64_t>(limit->before)},
                    {"soft_limit", static_cast<int64_t>(limit->after)},
                    {"hard_limit", static_cast<int64_t>(limit->hard)}});
    } else {
      logger->Warn("cannot raise the open-files limit",
                   {{"error", limit.status().ToString()}});
    }
  }
  auto last_warning = std::make_shared<std::atomic<int64_t>>(0);
  InstallAcceptGuard([logger, last_warning](int64_t shed) {
    if (logger == nullptr) return;
    const int64_t now = absl::ToUnixSeconds(absl::Now());
    int64_t last = last_warning->load();
    if (last != 0 && now - last < 60) return;
    if (!last_warning->compare_exchange_strong(last, now)) return;
    logger->Warn("out of file descriptors: closed new connections at once",
                 {{"shed", shed}, {"shed_total", ConnectionsShed()}});
  });
}

}  // namespace annals

// Defined here so that the dynamic linker binds libgrpc's accept4() calls to
// it rather than to libc's (the executable's definitions come first). It
// behaves as libc's except when descriptors run out (see
// InstallAcceptGuard()).
extern "C" int accept4(int fd, sockaddr* address, socklen_t* length,
                       int flags) {
  const int result = annals::RawAccept4(fd, address, length, flags);
  if (result >= 0) {
    if (result < annals::shed_from_fd.load(std::memory_order_relaxed) ||
        !annals::IsNonBlocking(fd)) {
      return result;
    }
    // Too few descriptors would be left for the process's own files: shed
    // this connection and those waiting, as if descriptors had run out.
    close(result);
    return annals::ShedWaitingConnections(fd, EMFILE, /*already_shed=*/1);
  }
  const int error = errno;
  if (error != EMFILE && error != ENFILE) return result;
  return annals::ShedWaitingConnections(fd, error);
}
