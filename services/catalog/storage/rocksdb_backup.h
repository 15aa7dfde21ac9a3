// Backup directories of the RocksDB storage, offline: restoring the latest
// backup into a new data folder, and opening a data folder or a backup
// read-only for verification. Backups are taken online by
// Storage::Backup() (RocksDbStorage: a checkpoint of the live database,
// then RocksDB's BackupEngine; docs/adr/0012-backup-and-restore.md).
//
// A backup directory holds RocksDB BackupEngine files ("meta/", "shared/",
// "shared_checksum/", "private/"); it is not a data folder and cannot be
// served as one.
#ifndef ANNALS_SERVICES_CATALOG_STORAGE_ROCKSDB_BACKUP_H_
#define ANNALS_SERVICES_CATALOG_STORAGE_ROCKSDB_BACKUP_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/catalog/storage/storage.h"

namespace annals::catalog {

// Whether `path` looks like a backup directory (it has a "meta" folder).
bool IsRocksDbBackupDirectory(const std::string& path);

// Restores the latest backup of `backup_dir` into `data_dir`, which must be
// missing or empty, so that OpenRocksDbStorage() opens it (with a
// write-ahead log, as a cleanly stopped catalog has). Returns the backup
// restored. Fails with FAILED_PRECONDITION if `data_dir` holds anything
// (nothing is written then) or `backup_dir` holds no backup, DATA_LOSS if a
// backup file fails its checksum, UNAVAILABLE on I/O errors; a failed
// restore may leave files in `data_dir`.
absl::StatusOr<StorageBackup> RestoreRocksDbBackup(
    const std::string& backup_dir, const std::string& data_dir);

// Opens the database in `path` read-only: nothing in the folder is changed
// (the write-ahead log is replayed in memory). With `verify_checksums`
// every table file's checksums are verified first (DATA_LOSS if one
// fails). Write() fails with FAILED_PRECONDITION. Opening a folder a
// running catalog writes to gives a view that may end in a partial write;
// verify a stopped catalog or a backup.
absl::StatusOr<std::unique_ptr<Storage>> OpenRocksDbStorageReadOnly(
    const std::string& path, bool verify_checksums);

// Checks every backup of `backup_dir` against the checksums recorded when it
// was taken, then opens the latest read-only, in place. Returns its
// storage and, in *backups, every backup found, oldest first (the latest is
// the last). DATA_LOSS names the backup and file that fail; a directory
// with no backup is FAILED_PRECONDITION.
absl::StatusOr<std::unique_ptr<Storage>> OpenLatestRocksDbBackupReadOnly(
    const std::string& backup_dir, std::vector<StorageBackup>* backups);

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_STORAGE_ROCKSDB_BACKUP_H_
