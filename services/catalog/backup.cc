#include "services/catalog/backup.h"

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/catalog/revisions.h"
#include "services/catalog/storage/keys.h"
#include "services/catalog/storage/rocksdb_backup.h"
#include "services/catalog/storage/rocksdb_storage.h"
#include "services/common/status/errors.h"

namespace annals::catalog {
namespace {

constexpr absl::string_view kMetadataHeader = "annals-catalog-backup 1";

// The catalog_id and last sequence of a stored catalog.
absl::Status ReadMeta(const Storage& storage, std::string* catalog_id,
                      int64_t* last_sequence) {
  absl::StatusOr<std::optional<std::string>> id =
      storage.Get(Space::kMeta, std::string(keys::kCatalogId));
  if (!id.ok()) return id.status();
  absl::StatusOr<std::optional<std::string>> last =
      storage.Get(Space::kMeta, std::string(keys::kLastSequence));
  if (!last.ok()) return last.status();
  if (!id->has_value()) {
    return absl::DataLossError("the copy holds no catalog_id");
  }
  *catalog_id = **id;
  *last_sequence = 0;
  if (last->has_value() && !absl::SimpleAtoi(**last, last_sequence)) {
    return absl::DataLossError("the copy's last sequence is corrupt");
  }
  return absl::OkStatus();
}

CatalogBackup FromStorageBackup(const StorageBackup& stored,
                                std::string directory) {
  CatalogBackup backup;
  backup.directory = std::move(directory);
  backup.backup_id = stored.backup_id;
  backup.create_time = absl::FromUnixSeconds(stored.create_time_unix);
  backup.size_bytes = stored.size_bytes;
  backup.file_count = stored.file_count;
  backup.retained_backup_ids = stored.retained_ids;
  return backup;
}

}  // namespace

std::string EncodeBackupMetadata(absl::string_view catalog_id,
                                 int64_t last_sequence) {
  return absl::StrCat(kMetadataHeader, "\ncatalog_id ", catalog_id,
                      "\nlast_sequence ", last_sequence, "\n");
}

absl::Status DecodeBackupMetadata(absl::string_view metadata,
                                  std::string* catalog_id,
                                  int64_t* last_sequence) {
  std::vector<absl::string_view> lines =
      absl::StrSplit(metadata, '\n', absl::SkipEmpty());
  bool has_id = false;
  bool has_sequence = false;
  if (lines.empty() || lines[0] != kMetadataHeader) {
    return absl::DataLossError(
        "the backup's metadata is not an Annals catalog's");
  }
  for (absl::string_view line : lines) {
    std::pair<absl::string_view, absl::string_view> field =
        absl::StrSplit(line, absl::MaxSplits(' ', 1));
    if (field.first == "catalog_id") {
      *catalog_id = std::string(field.second);
      has_id = !catalog_id->empty();
    } else if (field.first == "last_sequence") {
      has_sequence = absl::SimpleAtoi(field.second, last_sequence);
    }
  }
  if (!has_id || !has_sequence) {
    return absl::DataLossError(absl::StrCat(
        "the backup's metadata lacks its catalog_id or last_sequence: \"",
        metadata, "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<CatalogBackup> BackupCatalog(const Catalog& catalog,
                                            const std::string& directory,
                                            int keep_backups) {
  if (directory.empty()) {
    return InvalidArgumentError(
        "directory", "is required: an absolute path on the catalog server");
  }
  if (directory[0] != '/') {
    return InvalidArgumentError(
        "directory",
        absl::StrCat("must be an absolute path on the catalog server, not \"",
                     directory, "\""));
  }
  if (keep_backups < 0) {
    return InvalidArgumentError("keep_backups",
                                "must be 0 (keep every backup) or more");
  }
  std::string catalog_id;
  int64_t last_sequence = 0;
  BackupOptions options;
  options.directory = directory;
  options.keep = keep_backups;
  absl::StatusOr<StorageBackup> stored = catalog.storage().Backup(
      options, [&](const Storage& copy) -> absl::StatusOr<std::string> {
        if (absl::Status s = ReadMeta(copy, &catalog_id, &last_sequence);
            !s.ok()) {
          return s;
        }
        return EncodeBackupMetadata(catalog_id, last_sequence);
      });
  if (!stored.ok()) return stored.status();
  CatalogBackup backup = FromStorageBackup(*stored, directory);
  backup.catalog_id = std::move(catalog_id);
  backup.last_sequence = last_sequence;
  return backup;
}

absl::StatusOr<CatalogBackup> RestoreCatalog(const std::string& backup_dir,
                                             const std::string& data_dir) {
  absl::StatusOr<StorageBackup> stored =
      RestoreRocksDbBackup(backup_dir, data_dir);
  if (!stored.ok()) return stored.status();
  CatalogBackup backup = FromStorageBackup(*stored, backup_dir);
  if (absl::Status s = DecodeBackupMetadata(
          stored->metadata, &backup.catalog_id, &backup.last_sequence);
      !s.ok()) {
    return s;
  }
  // What a start on the folder would check, and what the backup recorded.
  absl::StatusOr<std::unique_ptr<Storage>> storage =
      OpenRocksDbStorage(data_dir);
  if (!storage.ok()) return storage.status();
  absl::StatusOr<std::unique_ptr<Catalog>> catalog =
      Catalog::Open(*std::move(storage));
  if (!catalog.ok()) return catalog.status();
  const std::string found_id = (*catalog)->catalog_id();
  const int64_t found_head = (*catalog)->head_sequence();
  if (absl::Status s = (*catalog)->Close(); !s.ok()) return s;
  if (found_id != backup.catalog_id || found_head != backup.last_sequence) {
    return absl::DataLossError(absl::StrCat(
        "backup ", backup.backup_id, " of ", backup_dir,
        " recorded catalog_id ", backup.catalog_id, " at sequence ",
        backup.last_sequence, " but holds catalog_id ", found_id,
        " at sequence ", found_head));
  }
  return backup;
}

v1::Backup ToProto(const CatalogBackup& backup) {
  v1::Backup proto;
  proto.set_directory(backup.directory);
  proto.set_backup_id(backup.backup_id);
  proto.set_catalog_id(backup.catalog_id);
  proto.set_last_sequence(backup.last_sequence);
  *proto.mutable_create_time() = catalog::ToProto(backup.create_time);
  proto.set_size_bytes(backup.size_bytes);
  proto.set_file_count(backup.file_count);
  for (int64_t id : backup.retained_backup_ids) {
    proto.add_retained_backup_ids(id);
  }
  return proto;
}

}  // namespace annals::catalog
