// RocksDB implementation of Storage: one column family per Space, every
// Write() a single WriteBatch with a synced write-ahead log.
//
// This file, its .cc, rocksdb_recovery.{h,cc} and rocksdb_open_checks.{h,cc}
// (the checks made while opening), rocksdb_backup.{h,cc} (backups, restore,
// read-only opening) and rocksdb_internal.h are the only RocksDB-specific
// code in Annals.
#ifndef ANNALS_SERVICES_CATALOG_STORAGE_ROCKSDB_STORAGE_H_
#define ANNALS_SERVICES_CATALOG_STORAGE_ROCKSDB_STORAGE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/catalog/storage/storage.h"

namespace annals::catalog {

struct RocksDbOptions {
  // Sync the WAL before acknowledging a write. Turning this off loses the
  // last writes on a machine crash (not on a process crash).
  // Default: true.
  bool sync_writes = true;
  // Shared block cache size. Default: 64 MiB.
  size_t block_cache_bytes = 64 << 20;
  // Open even though the write-ahead log cannot be replayed in full (a
  // damaged, truncated or missing log): recover up to the first damage and
  // drop the rest, acknowledged writes included, and say so in the report.
  // Without it such a database is refused with DATA_LOSS (ADR 8).
  // Damaged table files are refused either way.
  // Default: false.
  bool accept_data_loss = false;
  // Read every table file and verify its block checksums before the store
  // is used, so that a flipped bit is found at start rather than when a
  // read reaches it. Costs about a second per 400 MB of table files in the
  // page cache, about 4.5 s per 400 MB from a cold cache (ADR 8).
  // Default: true.
  bool verify_checksums = true;
};

// What OpenRocksDbStorage() found and did, for the start-up log.
struct RocksDbOpenReport {
  // Empty, or (with accept_data_loss) what the write-ahead log lacked: the
  // DATA_LOSS message a strict open would have failed with.
  std::string data_loss_accepted;
  // Empty, or what was dropped because it looked exactly like the
  // unacknowledged write a crash cuts off: an incomplete last record at the
  // end of the newest log, which ends on a 4 KiB boundary (ADR 8).
  std::string crash_cut_tail;
  // The write-ahead log files found before recovery, e.g.
  // "000020.log (70214 bytes)".
  std::string wal_files;
  // Bytes of table files whose checksums were verified, and how long that
  // took (zero without verify_checksums).
  uint64_t verified_table_bytes = 0;
  absl::Duration verification_time;
};

// Opens (creating if needed) the database in `path`, and fills `report`
// (if not null). Fails with
//  - UNAVAILABLE if another process holds it;
//  - FAILED_PRECONDITION if it holds a RocksDB database that is not a
//    catalog's (other column families);
//  - DATA_LOSS, with what was found (which file, how many bytes, why), if
//    it is damaged: a write-ahead log that cannot be replayed in full
//    (unless options.accept_data_loss), a missing one, a table file whose
//    checksums do not match.
// An incomplete last record is dropped without failing when it is what a
// crash leaves (DescribeCrashCutTail() in rocksdb_open_checks.h); the report
// says so.
absl::StatusOr<std::unique_ptr<Storage>> OpenRocksDbStorage(
    const std::string& path, const RocksDbOptions& options = {},
    RocksDbOpenReport* report = nullptr);

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_STORAGE_ROCKSDB_STORAGE_H_
