// Why the catalog's storage cannot write, and how writes say so.
//
// A full disk, a file system turned read-only, an I/O error or a data
// folder deleted under the running process all stop writes but not reads.
// The storage keeps one WriteFailure while it lasts; every write fails with
// WriteFailureStatus() (UNAVAILABLE, retryable) until the storage recovers.
#ifndef ANNALS_SERVICES_CATALOG_STORAGE_WRITE_FAILURE_H_
#define ANNALS_SERVICES_CATALOG_STORAGE_WRITE_FAILURE_H_

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace annals::catalog {

enum class WriteFailureCause {
  kNoSpace,         // ENOSPC (or a quota)
  kReadOnly,        // EROFS: the file system turned read-only
  kIoError,         // EIO and other errors of the device
  kFolderReplaced,  // the data folder was deleted, moved or replaced
};

struct WriteFailure {
  WriteFailureCause cause = WriteFailureCause::kIoError;
  // The error as the file system or RocksDB reported it.
  std::string detail;
  // When the first write failed.
  absl::Time since;
};

// The cause of a failed write, from the error's text: RocksDB reports
// errno as strerror() text inside its IOError ("No space left on device",
// "Read-only file system"). `no_space` is RocksDB's own NoSpace flag.
WriteFailureCause ClassifyWriteError(absl::string_view error_text,
                                     bool no_space);

// The status writes fail with while `failure` lasts: UNAVAILABLE, naming the
// cause, the folder, the time it began, that reads are still served, and
// what to do; for example
//   the catalog cannot write: no space left on device in /data/catalog
//   (since 2026-12-03T12:03:04Z); reads are still served; retry once space
//   is freed
absl::Status WriteFailureStatus(const WriteFailure& failure,
                                absl::string_view folder);

// What identifies a folder while it exists: its device and inode. A folder
// deleted and created again under the same name has another identity.
struct FolderIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  friend bool operator==(const FolderIdentity& a, const FolderIdentity& b) {
    return a.device == b.device && a.inode == b.inode;
  }
};

// The identity of the folder at `path` now; NOT_FOUND if there is none.
absl::StatusOr<FolderIdentity> IdentifyFolder(const std::string& path);

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_STORAGE_WRITE_FAILURE_H_
