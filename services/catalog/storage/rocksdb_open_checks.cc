#include "services/catalog/storage/rocksdb_open_checks.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"

namespace annals::catalog {

bool DatabaseExists(const std::string& path) {
  std::error_code error;
  return std::filesystem::exists(std::filesystem::path(path) / "CURRENT",
                                 error);
}

absl::StatusOr<std::vector<WalFile>> ListWalFiles(const std::string& path) {
  std::vector<WalFile> files;
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return files;
  std::filesystem::directory_iterator it(path, error);
  for (; !error && it != std::filesystem::directory_iterator();
       it.increment(error)) {
    const std::string name = it->path().filename().string();
    absl::string_view stem = name;
    uint64_t number = 0;
    // RocksDB names WALs "<number>.log"; its info log is "LOG".
    if (!absl::ConsumeSuffix(&stem, ".log") ||
        !absl::SimpleAtoi(stem, &number)) {
      continue;
    }
    std::error_code size_error;
    const uintmax_t bytes = it->file_size(size_error);
    files.push_back({number, name, size_error ? 0 : bytes});
  }
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("cannot list ", path, ": ", error.message()));
  }
  std::sort(files.begin(), files.end(), [](const WalFile& a, const WalFile& b) {
    return a.number < b.number;
  });
  return files;
}

std::string DescribeWalFiles(const std::vector<WalFile>& wal_files) {
  if (wal_files.empty()) return "none";
  return absl::StrJoin(wal_files, ", ", [](std::string* out, const WalFile& f) {
    absl::StrAppend(out, f.name, " (", f.bytes, " bytes)");
  });
}

std::string DescribeCrashCutTail(const std::vector<std::string>& dropped,
                                 const std::vector<WalFile>& wal_files) {
  if (dropped.empty() || wal_files.empty()) return "";
  const WalFile& newest = wal_files.back();
  if (newest.bytes == 0 || newest.bytes % kCrashCutAlignment != 0) return "";
  // What RocksDB's log reader reports for a record cut short by the end of
  // the file, in kAbsoluteConsistency mode.
  constexpr absl::string_view kTailReasons[] = {"truncated record body",
                                                "error reading trailing data",
                                                "truncated header"};
  const std::string in_newest = absl::StrCat(newest.name, ": dropping ");
  for (const std::string& line : dropped) {
    if (!absl::StrContains(line, in_newest)) return "";
    bool tail = false;
    for (absl::string_view reason : kTailReasons) {
      tail = tail || absl::StrContains(line, reason);
    }
    if (!tail) return "";
  }
  return absl::StrCat(
      "the last record of ", newest.name, " (", newest.bytes,
      " bytes) is incomplete (", absl::StrJoin(dropped, "; "),
      ") and the file ends on a ", kCrashCutAlignment,
      "-byte boundary, as a crash during a write leaves it; that write was "
      "never acknowledged, and it is dropped");
}

absl::Status CheckColumnFamilies(const std::string& path,
                                 const std::vector<std::string>& expected) {
  std::vector<std::string> found;
  rocksdb::Status s =
      rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &found);
  if (!s.ok()) {
    std::string message =
        absl::StrCat("cannot read the column families of the database in ",
                     path, " (its MANIFEST): ", s.ToString());
    if (s.IsIOError()) return absl::UnavailableError(message);
    return absl::DataLossError(message);
  }
  std::vector<std::string> sorted_found = found;
  std::vector<std::string> sorted_expected = expected;
  std::sort(sorted_found.begin(), sorted_found.end());
  std::sort(sorted_expected.begin(), sorted_expected.end());
  if (sorted_found == sorted_expected) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      path,
      " holds a RocksDB database that is not an Annals catalog: its column "
      "families are [",
      absl::StrJoin(found, ", "), "], a catalog's are [",
      absl::StrJoin(expected, ", "),
      "]. Refusing to adopt it; point --data_dir at the catalog's folder or "
      "at a new one"));
}

absl::Status CheckWalPresent(const std::string& path,
                             const std::vector<WalFile>& wal_files) {
  if (!wal_files.empty()) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat(
      "the write-ahead log of the database in ", path,
      " is missing (no *.log file): RocksDB always keeps its live log, so it "
      "was deleted, and every acknowledged write not yet flushed to a table "
      "file is lost. Restore the folder from a backup, or start once with "
      "--accept_data_loss to open what the table files hold"));
}

RecoveryLogCapture::RecoveryLogCapture(std::shared_ptr<rocksdb::Logger> base)
    : rocksdb::Logger(base->GetInfoLogLevel()), base_(std::move(base)) {}

void RecoveryLogCapture::Logv(const char* format, va_list ap) {
  Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
}

void RecoveryLogCapture::Logv(const rocksdb::InfoLogLevel level,
                              const char* format, va_list ap) {
  // Only warnings can be drop reports; format those once more for
  // ourselves (a va_list is consumed by its first use).
  if (level >= rocksdb::InfoLogLevel::WARN_LEVEL) {
    va_list copy;
    va_copy(copy, ap);
    char buffer[1024];
    const int n = std::vsnprintf(buffer, sizeof(buffer), format, copy);
    va_end(copy);
    if (n > 0) {
      absl::string_view line(buffer, std::min<size_t>(n, sizeof(buffer) - 1));
      if (absl::StrContains(line, ": dropping ")) {
        // "[db/db_impl/db_impl_open.cc:1017] /data/000020.log: dropping ..."
        if (absl::StartsWith(line, "[")) {
          const size_t end = line.find("] ");
          if (end != absl::string_view::npos) line.remove_prefix(end + 2);
        }
        absl::MutexLock lock(&mu_);
        dropped_.emplace_back(absl::StripAsciiWhitespace(line));
      }
    }
  }
  base_->Logv(level, format, ap);
}

void RecoveryLogCapture::LogHeader(const char* format, va_list ap) {
  base_->LogHeader(format, ap);
}

size_t RecoveryLogCapture::GetLogFileSize() const {
  return base_->GetLogFileSize();
}

void RecoveryLogCapture::Flush() { base_->Flush(); }

void RecoveryLogCapture::SetInfoLogLevel(const rocksdb::InfoLogLevel level) {
  rocksdb::Logger::SetInfoLogLevel(level);
  base_->SetInfoLogLevel(level);
}

std::vector<std::string> RecoveryLogCapture::dropped() const {
  absl::MutexLock lock(&mu_);
  return dropped_;
}

void RecoveryLogCapture::Clear() {
  absl::MutexLock lock(&mu_);
  dropped_.clear();
}

rocksdb::Status RecoveryLogCapture::CloseImpl() { return base_->Close(); }

}  // namespace annals::catalog
