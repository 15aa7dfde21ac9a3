#include "services/catalog/storage/write_failure.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace annals::catalog {

WriteFailureCause ClassifyWriteError(absl::string_view error_text,
                                     bool no_space) {
  const std::string text = absl::AsciiStrToLower(error_text);
  if (no_space || absl::StrContains(text, "no space left") ||
      absl::StrContains(text, "quota exceeded")) {
    return WriteFailureCause::kNoSpace;
  }
  if (absl::StrContains(text, "read-only file system")) {
    return WriteFailureCause::kReadOnly;
  }
  return WriteFailureCause::kIoError;
}

absl::Status WriteFailureStatus(const WriteFailure& failure,
                                absl::string_view folder) {
  const std::string since = absl::FormatTime(
      "%Y-%m-%dT%H:%M:%SZ", failure.since, absl::UTCTimeZone());
  switch (failure.cause) {
    case WriteFailureCause::kNoSpace:
      return absl::UnavailableError(
          absl::StrCat("the catalog cannot write: no space left on device in ",
                       folder, " (since ", since,
                       "); reads are still served; retry once space is freed (",
                       failure.detail, ")"));
    case WriteFailureCause::kReadOnly:
      return absl::UnavailableError(absl::StrCat(
          "the catalog cannot write: the file system of ", folder,
          " is read-only (since ", since,
          "); reads are still served; retry once it is writable again "
          "(after a read-only remount on errors, check the file system and "
          "restart the catalog) (",
          failure.detail, ")"));
    case WriteFailureCause::kIoError:
      return absl::UnavailableError(absl::StrCat(
          "the catalog cannot write: I/O error in ", folder, " (since ", since,
          "); reads are still served; retry later, and check the disk (",
          failure.detail, ")"));
    case WriteFailureCause::kFolderReplaced:
      return absl::UnavailableError(absl::StrCat(
          "the catalog cannot write: its data folder ", folder,
          " was deleted, moved or replaced while it ran (since ", since,
          "); reads are served from the files it still has open; restart "
          "the catalog on the right folder (",
          failure.detail, ")"));
  }
  return absl::UnavailableError("the catalog cannot write");
}

absl::StatusOr<FolderIdentity> IdentifyFolder(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    const int error = errno;
    return absl::NotFoundError(absl::StrCat(path, ": ", std::strerror(error)));
  }
  if (!S_ISDIR(info.st_mode)) {
    return absl::NotFoundError(absl::StrCat(path, ": not a folder"));
  }
  return FolderIdentity{info.st_dev, info.st_ino};
}

}  // namespace annals::catalog
