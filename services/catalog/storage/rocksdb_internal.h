// What the RocksDB-specific files of the storage layer share: the one
// translation of rocksdb::Status, the catalog's column families, and reads
// over an open database. Included by storage/*.cc only; nothing above the
// storage seam sees RocksDB.
#ifndef ANNALS_SERVICES_CATALOG_STORAGE_ROCKSDB_INTERNAL_H_
#define ANNALS_SERVICES_CATALOG_STORAGE_ROCKSDB_INTERNAL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rocksdb/db.h"
#include "services/catalog/storage/storage.h"

namespace annals::catalog {

// The single translation from rocksdb::Status to absl::Status: Corruption
// is DATA_LOSS, busy and I/O errors UNAVAILABLE, invalid arguments
// FAILED_PRECONDITION. The message is "<what>: <RocksDB's text>".
absl::Status FromRocksDb(const rocksdb::Status& s, absl::string_view what);

// The column family of each Space, in Space order ("default" is kMeta).
std::vector<std::string> CatalogColumnFamilyNames();

// Storage::Get and Storage::Scan over `db`'s column family `handle`.
absl::StatusOr<std::optional<std::string>> RocksDbGet(
    rocksdb::DB& db, rocksdb::ColumnFamilyHandle* handle,
    absl::string_view key);
absl::Status RocksDbScan(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* handle,
                         absl::string_view start, absl::string_view limit,
                         const ScanVisitor& visit);

// Removes the consistent copy an interrupted backup left in `data_dir`
// (CreateRocksDbBackup makes it there and removes it when done). Called
// when the database is opened; errors are ignored (the next backup removes
// it too).
void RemoveBackupStaging(const std::string& data_dir);

// Storage::Backup for the live database `db` whose folder is `data_dir`
// (see storage.h). Not safe to call concurrently for one database.
absl::StatusOr<StorageBackup> CreateRocksDbBackup(
    rocksdb::DB& db, const std::string& data_dir, const BackupOptions& options,
    const BackupDescriber& describe);

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_STORAGE_ROCKSDB_INTERNAL_H_
