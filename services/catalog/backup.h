// Online backups of a catalog and their restore (docs/adr/0012).
//
// A backup is taken while the catalog serves and writes go on
// (Storage::Backup: a consistent copy, then an incremental BackupEngine
// backup). It records the catalog_id and the last sequence it holds, read
// from the copy itself, so they are exactly what the backup contains.
//
//   absl::StatusOr<CatalogBackup> backup =
//       BackupCatalog(catalog, "/var/backups/annals", /*keep_backups=*/7);
//   ...
//   RestoreCatalog("/var/backups/annals", "/var/lib/annals-restored");
#ifndef ANNALS_SERVICES_CATALOG_BACKUP_H_
#define ANNALS_SERVICES_CATALOG_BACKUP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "annals/catalog/v1/admin_service.pb.h"
#include "services/catalog/catalog.h"

namespace annals::catalog {

struct CatalogBackup {
  // The backup directory, as given.
  std::string directory;
  int64_t backup_id = 0;
  std::string catalog_id;
  // Every change up to it is in the backup, none after.
  int64_t last_sequence = 0;
  absl::Time create_time;
  int64_t size_bytes = 0;
  int64_t file_count = 0;
  // The backups the directory holds (after retention), oldest first.
  std::vector<int64_t> retained_backup_ids;
};

// Backs up `catalog` into `directory` on this machine's file system (for a
// server, the server's), keeping the newest `keep_backups` (0: all).
// Writes go on meanwhile; the backup holds every write acknowledged before
// the call. Fails with INVALID_ARGUMENT naming "directory" (empty or not
// absolute) or "keep_backups" (negative), and otherwise as
// Storage::Backup. Thread-safe; backups run one at a time.
absl::StatusOr<CatalogBackup> BackupCatalog(const Catalog& catalog,
                                            const std::string& directory,
                                            int keep_backups);

// The metadata kept with each backup, and its reading. Decode fails with
// DATA_LOSS if `metadata` is not what Encode writes.
std::string EncodeBackupMetadata(absl::string_view catalog_id,
                                 int64_t last_sequence);
absl::Status DecodeBackupMetadata(absl::string_view metadata,
                                  std::string* catalog_id,
                                  int64_t* last_sequence);

// Restores the latest backup in `backup_dir` into `data_dir` (which must be
// missing or empty), then opens it as a catalog, with every start-up check
// (table checksums included), to make sure it holds the catalog_id and
// last sequence the backup recorded, and closes it. Returns the backup
// restored. Fails with FAILED_PRECONDITION if `data_dir` is not empty
// (nothing is written) or `backup_dir` holds no backup, DATA_LOSS if the
// backup is damaged or does not hold what it recorded.
absl::StatusOr<CatalogBackup> RestoreCatalog(const std::string& backup_dir,
                                             const std::string& data_dir);

// The API form of a backup.
v1::Backup ToProto(const CatalogBackup& backup);

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_BACKUP_H_
