// RocksDB implementation of Storage: one column family per Space, every
// Write() a single WriteBatch with a synced write-ahead log.
//
// This file and its .cc are the only RocksDB-specific code in Annals.
#ifndef ANNALS_SERVICES_CATALOG_STORAGE_ROCKSDB_STORAGE_H_
#define ANNALS_SERVICES_CATALOG_STORAGE_ROCKSDB_STORAGE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/catalog/storage/storage.h"

namespace annals::catalog {

struct RocksDbOptions {
  // Sync the WAL before acknowledging a write. Turning this off loses the
  // last writes on a machine crash (not on a process crash).
  // Default: true.
  bool sync_writes = true;
  // Shared block cache size. Default: 64 MiB.
  size_t block_cache_bytes = 64 << 20;
};

// Opens (creating if needed) the database in `path`. Fails with
// UNAVAILABLE if another process holds it, DATA_LOSS if it is corrupt.
absl::StatusOr<std::unique_ptr<Storage>> OpenRocksDbStorage(
    const std::string& path, const RocksDbOptions& options = {});

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_STORAGE_ROCKSDB_STORAGE_H_
