// The checks OpenRocksDbStorage() makes before and while RocksDB recovers a
// data folder, for what RocksDB alone would let pass (ADR 8):
//
//  - a database that is not the catalog's (its column families differ) is
//    refused rather than adopted;
//  - an existing database without any write-ahead log is refused: RocksDB
//    always keeps the live WAL, so none means it was deleted, and with it
//    every write not yet flushed to a table file;
//  - what RocksDB's recovery dropped, which it reports only to its LOG, is
//    captured so that the refusal can name the file, the bytes and the
//    reason.
//
// RocksDB-specific, like rocksdb_storage.cc, its only user.
#ifndef ANNALS_SERVICES_CATALOG_STORAGE_ROCKSDB_OPEN_CHECKS_H_
#define ANNALS_SERVICES_CATALOG_STORAGE_ROCKSDB_OPEN_CHECKS_H_

#include <cstdarg>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/env.h"

namespace annals::catalog {

// A write-ahead log file of a database folder.
struct WalFile {
  uint64_t number = 0;
  std::string name;  // "000020.log"
  uint64_t bytes = 0;
};

// Whether `path` holds a RocksDB database (it has a CURRENT file).
bool DatabaseExists(const std::string& path);

// The write-ahead logs in `path`, oldest first; empty if the folder does not
// exist. UNAVAILABLE if it cannot be listed.
absl::StatusOr<std::vector<WalFile>> ListWalFiles(const std::string& path);

// "000020.log (70214 bytes), 000026.log (0 bytes)", or "none".
std::string DescribeWalFiles(const std::vector<WalFile>& wal_files);

// OK when the database in `path` has exactly the column families
// `expected` (in any order). FAILED_PRECONDITION, saying that the folder
// holds some other program's database and naming the column families
// found, otherwise; DATA_LOSS if they cannot be read (a damaged MANIFEST).
// Call only when DatabaseExists(path).
absl::Status CheckColumnFamilies(const std::string& path,
                                 const std::vector<std::string>& expected);

// DATA_LOSS when the existing database in `path` has no write-ahead log
// (`wal_files` empty), explaining what that means; OK otherwise.
absl::Status CheckWalPresent(const std::string& path,
                             const std::vector<WalFile>& wal_files);

// Where a crash can cut the last write of a log: Linux copies a write()
// into the page cache page by page and stops between pages for a fatal
// signal, and updates the file size as each page is copied, so a SIGKILL or
// a power loss during the write of a record leaves the file ending on a
// page boundary. A truncation at a random offset almost never does.
inline constexpr uint64_t kCrashCutAlignment = 4096;

// Whether what RocksDB dropped (`dropped`, RecoveryLogCapture lines) is
// only an incomplete last record of the newest of `wal_files`, and that
// file ends on a kCrashCutAlignment boundary: what a crash during a write
// leaves. That write was never acknowledged (writes are synced before they
// are), so dropping it loses nothing. Returns a description for the log, or
// an empty string when the damage is anything else.
std::string DescribeCrashCutTail(const std::vector<std::string>& dropped,
                                 const std::vector<WalFile>& wal_files);

// Forwards everything to another logger (RocksDB's own LOG file) and keeps
// the lines in which RocksDB's WAL recovery reports dropping bytes
// ("/data/000020.log: dropping 40214 bytes; Corruption: checksum
// mismatch"), which it reports nowhere else.
//
// Thread safety: safe for concurrent use, as RocksDB requires.
class RecoveryLogCapture final : public rocksdb::Logger {
 public:
  // `base` must not be null.
  explicit RecoveryLogCapture(std::shared_ptr<rocksdb::Logger> base);

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override;
  void Logv(const rocksdb::InfoLogLevel level, const char* format,
            va_list ap) override;
  void LogHeader(const char* format, va_list ap) override;
  size_t GetLogFileSize() const override;
  void Flush() override;
  void SetInfoLogLevel(const rocksdb::InfoLogLevel level) override;

  // The drop reports since construction or the last Clear(), without
  // RocksDB's "[file:line] " prefix.
  std::vector<std::string> dropped() const;
  void Clear();

 protected:
  rocksdb::Status CloseImpl() override;

 private:
  std::shared_ptr<rocksdb::Logger> base_;
  mutable absl::Mutex mu_;
  std::vector<std::string> dropped_ ABSL_GUARDED_BY(mu_);
};

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_STORAGE_ROCKSDB_OPEN_CHECKS_H_
