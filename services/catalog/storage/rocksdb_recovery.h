// Who recovers RocksDB from a failed write: the storage, not RocksDB.
//
// After a write or flush fails on the disk, RocksDB stops writes (its
// "background error") and, for ENOSPC, starts its own recovery through the
// SstFileManager, which waits until 64 MiB (write_buffer_size) are free and
// meanwhile refuses DB::Resume() with "Resource busy". On a small volume
// that is never, so writes never resumed. RocksDbStorage retries Resume()
// itself every second instead (a failed attempt leaves RocksDB stopped, to
// be tried again), so this listener turns RocksDB's automatic recovery off.
#ifndef ANNALS_SERVICES_CATALOG_STORAGE_ROCKSDB_RECOVERY_H_
#define ANNALS_SERVICES_CATALOG_STORAGE_ROCKSDB_RECOVERY_H_

#include <memory>

#include "rocksdb/listener.h"

namespace annals::catalog {

// For rocksdb::DBOptions::listeners: declines every automatic recovery.
std::shared_ptr<rocksdb::EventListener> NewManualRecoveryListener();

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_STORAGE_ROCKSDB_RECOVERY_H_
