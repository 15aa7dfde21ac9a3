#include "services/catalog/storage/rocksdb_backup.h"

#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/options.h"
#include "rocksdb/utilities/backup_engine.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"
#include "services/catalog/storage/rocksdb_internal.h"
#include "services/catalog/storage/rocksdb_open_checks.h"

namespace annals::catalog {
namespace {

namespace fs = std::filesystem;

// Where a backup's consistent copy is made: inside the data folder, so that
// its table files are hard links (no copy, whatever the catalog's size).
// RocksDB ignores a folder it did not make; a copy left by a crash is
// removed by the next backup.
constexpr char kStagingFolder[] = "backup-staging";

// RocksDB's info log, discarded: a read-only open must not create or rotate
// a LOG file in the folder it reads.
class DiscardingLogger final : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*ap*/) override {}
};

// A database opened by this file (a backup's copy, a read-only data folder,
// a backup opened in place), as Storage. Writes are refused.
//
// Thread safety: Get and Scan are safe concurrently; Close is not safe
// concurrently with them.
class OpenedRocksDb final : public Storage {
 public:
  OpenedRocksDb(std::unique_ptr<rocksdb::DB> db,
                std::vector<rocksdb::ColumnFamilyHandle*> handles,
                std::shared_ptr<rocksdb::Env> env = nullptr,
                std::unique_ptr<rocksdb::BackupEngineReadOnly> engine = nullptr)
      : engine_(std::move(engine)),
        env_(std::move(env)),
        db_(std::move(db)),
        handles_(std::move(handles)) {}
  ~OpenedRocksDb() override { Close().IgnoreError(); }

  absl::StatusOr<std::optional<std::string>> Get(
      Space space, absl::string_view key) const override {
    if (db_ == nullptr) return absl::UnavailableError("storage is closed");
    return RocksDbGet(*db_, handles_[static_cast<int>(space)], key);
  }

  absl::Status Scan(Space space, absl::string_view start,
                    absl::string_view limit,
                    const ScanVisitor& visit) const override {
    if (db_ == nullptr) return absl::UnavailableError("storage is closed");
    return RocksDbScan(*db_, handles_[static_cast<int>(space)], start, limit,
                       visit);
  }

  absl::Status Write(const WriteSet& /*writes*/) override {
    return absl::FailedPreconditionError("this storage is opened read-only");
  }

  absl::Status Close() override {
    if (db_ == nullptr) return absl::OkStatus();
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    handles_.clear();
    absl::Status closed = FromRocksDb(db_->Close(), "close");
    db_.reset();
    return closed;
  }

  rocksdb::DB& db() { return *db_; }

 private:
  // Declared first, destroyed last: the database reads through them.
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine_;
  std::shared_ptr<rocksdb::Env> env_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

std::vector<rocksdb::ColumnFamilyDescriptor> Descriptors(
    const rocksdb::ColumnFamilyOptions& options) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : CatalogColumnFamilyNames()) {
    descriptors.emplace_back(name, options);
  }
  return descriptors;
}

// Opens `path` (read-write, or read-only without changing anything) with
// the catalog's column families.
absl::StatusOr<std::unique_ptr<OpenedRocksDb>> OpenDb(
    const std::string& path, bool read_only, rocksdb::DBOptions options,
    std::shared_ptr<rocksdb::Env> env = nullptr,
    std::unique_ptr<rocksdb::BackupEngineReadOnly> engine = nullptr) {
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.disable_auto_compactions = true;
  if (env != nullptr) options.env = env.get();
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      read_only ? rocksdb::DB::OpenForReadOnly(
                      options, path, Descriptors(cf_options), &handles, &raw)
                : rocksdb::DB::Open(options, path, Descriptors(cf_options),
                                    &handles, &raw);
  if (!s.ok()) return FromRocksDb(s, absl::StrCat("open ", path));
  return std::make_unique<OpenedRocksDb>(std::unique_ptr<rocksdb::DB>(raw),
                                         std::move(handles), std::move(env),
                                         std::move(engine));
}

StorageBackup FromBackupInfo(const rocksdb::BackupInfo& info) {
  StorageBackup backup;
  backup.backup_id = info.backup_id;
  backup.create_time_unix = info.timestamp;
  backup.size_bytes = static_cast<int64_t>(info.size);
  backup.file_count = info.number_files;
  backup.metadata = info.app_metadata;
  return backup;
}

// The entries of `path`, up to a few, for messages; empty if none or if it
// cannot be listed.
std::vector<std::string> SomeEntries(const std::string& path) {
  std::vector<std::string> names;
  std::error_code error;
  for (fs::directory_iterator it(path, error), end; !error && it != end;
       it.increment(error)) {
    names.push_back(it->path().filename().string());
    if (names.size() == 3) break;
  }
  return names;
}

// Checks that `directory` can hold backups: created if missing, writable,
// empty or already a backup directory, and not inside the data folder.
absl::Status PrepareBackupDirectory(const std::string& directory,
                                    const std::string& data_dir) {
  std::error_code error;
  const fs::path canonical = fs::weakly_canonical(directory, error);
  const fs::path data = fs::weakly_canonical(data_dir, error);
  auto [data_end, unused] = std::mismatch(data.begin(), data.end(),
                                          canonical.begin(), canonical.end());
  if (!error && data_end == data.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the backup directory ", directory,
                     " is inside the catalog's data folder ", data_dir,
                     "; back up to another folder, ideally another disk"));
  }
  fs::create_directories(directory, error);
  if (error || !fs::is_directory(directory)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot create the backup directory ", directory, " on the server: ",
        error ? error.message() : "it exists and is not a directory"));
  }
  if (access(directory.c_str(), W_OK | X_OK) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("the backup directory ", directory,
                     " is not writable by the catalog server"));
  }
  if (!IsRocksDbBackupDirectory(directory) && !SomeEntries(directory).empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the backup directory ", directory,
                     " holds files but no backups (it has ",
                     absl::StrJoin(SomeEntries(directory), ", "),
                     "); give an empty folder or one holding earlier backups"));
  }
  return absl::OkStatus();
}

// Opens the backups of `backup_dir` read-only and lists them in *infos,
// oldest first. FAILED_PRECONDITION if it is not a backup directory or holds
// no complete backup; DATA_LOSS if a backup's description is damaged.
absl::StatusOr<std::unique_ptr<rocksdb::BackupEngineReadOnly>> OpenBackups(
    const std::string& backup_dir, std::vector<rocksdb::BackupInfo>* infos) {
  if (!IsRocksDbBackupDirectory(backup_dir)) {
    return absl::FailedPreconditionError(absl::StrCat(
        backup_dir, " is not a backup directory (it has no meta folder)"));
  }
  rocksdb::BackupEngineOptions engine_options(backup_dir);
  rocksdb::BackupEngineReadOnly* raw_engine = nullptr;
  if (absl::Status s =
          FromRocksDb(rocksdb::BackupEngineReadOnly::Open(
                          engine_options, rocksdb::Env::Default(), &raw_engine),
                      absl::StrCat("open backup directory ", backup_dir));
      !s.ok()) {
    return s;
  }
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw_engine);
  std::vector<rocksdb::BackupID> corrupt;
  engine->GetCorruptedBackups(&corrupt);
  if (!corrupt.empty()) {
    return absl::DataLossError(absl::StrCat(
        "backup directory ", backup_dir, ": the description of ", "backup(s) ",
        absl::StrJoin(corrupt, ", "), " is damaged"));
  }
  engine->GetBackupInfo(infos);
  if (infos->empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(backup_dir, " holds no complete backup"));
  }
  std::sort(infos->begin(), infos->end(),
            [](const rocksdb::BackupInfo& a, const rocksdb::BackupInfo& b) {
              return a.backup_id < b.backup_id;
            });
  return engine;
}

}  // namespace

void RemoveBackupStaging(const std::string& data_dir) {
  std::error_code ignored;
  fs::remove_all(fs::path(data_dir) / kStagingFolder, ignored);
}

bool IsRocksDbBackupDirectory(const std::string& path) {
  std::error_code error;
  return fs::is_directory(fs::path(path) / "meta", error);
}

absl::StatusOr<StorageBackup> CreateRocksDbBackup(
    rocksdb::DB& db, const std::string& data_dir, const BackupOptions& options,
    const BackupDescriber& describe) {
  if (absl::Status s = PrepareBackupDirectory(options.directory, data_dir);
      !s.ok()) {
    return s;
  }
  // 1. A consistent copy of the live database, made without holding up
  // writes: its memtables are flushed (so that the table files, which
  // later backups share, hold nearly everything), then the copy gets hard
  // links to its table files and a copy of the write-ahead log still needed,
  // up to the last complete write.
  const std::string staging = (fs::path(data_dir) / kStagingFolder).string();
  std::error_code error;
  fs::remove_all(staging, error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("cannot remove an earlier backup's copy ", staging, ": ",
                     error.message()));
  }
  rocksdb::Checkpoint* raw_checkpoint = nullptr;
  if (absl::Status s = FromRocksDb(
          rocksdb::Checkpoint::Create(&db, &raw_checkpoint), "checkpoint");
      !s.ok()) {
    return s;
  }
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw_checkpoint);
  if (absl::Status s = FromRocksDb(
          checkpoint->CreateCheckpoint(staging, /*log_size_for_flush=*/0),
          absl::StrCat("checkpoint into ", staging));
      !s.ok()) {
    fs::remove_all(staging, error);
    return s;
  }
  auto remove_staging = [&staging] {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
  };

  // 2. The copy opened on its own: its log replayed up to the last whole
  // write (a write being appended when the copy was made was not yet
  // acknowledged), and described.
  rocksdb::DBOptions copy_options;
  copy_options.wal_recovery_mode =
      rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  copy_options.info_log = std::make_shared<DiscardingLogger>();
  absl::StatusOr<std::unique_ptr<OpenedRocksDb>> copy =
      OpenDb(staging, /*read_only=*/false, copy_options);
  if (!copy.ok()) {
    remove_staging();
    return copy.status();
  }
  absl::StatusOr<std::string> metadata = describe(**copy);
  if (!metadata.ok()) {
    remove_staging();
    return metadata.status();
  }

  // 3. The copy backed up, incrementally: files the directory already holds
  // (same name, size and checksum) are not copied again.
  rocksdb::BackupEngineOptions engine_options(options.directory);
  engine_options.sync = true;
  rocksdb::BackupEngine* raw_engine = nullptr;
  absl::Status status =
      FromRocksDb(rocksdb::BackupEngine::Open(
                      engine_options, rocksdb::Env::Default(), &raw_engine),
                  absl::StrCat("open backup directory ", options.directory));
  std::unique_ptr<rocksdb::BackupEngine> engine(raw_engine);
  rocksdb::BackupID id = 0;
  if (status.ok()) {
    rocksdb::CreateBackupOptions create;
    create.flush_before_backup = true;
    status = FromRocksDb(engine->CreateNewBackupWithMetadata(
                             create, &(*copy)->db(), *metadata, &id),
                         absl::StrCat("back up into ", options.directory));
  }
  absl::Status closed = (*copy)->Close();
  remove_staging();
  if (!status.ok()) return status;
  if (!closed.ok()) return closed;

  // 4. Retention, once the new backup is complete.
  if (options.keep > 0) {
    if (absl::Status s = FromRocksDb(
            engine->PurgeOldBackups(static_cast<uint32_t>(options.keep)),
            absl::StrCat("delete old backups in ", options.directory));
        !s.ok()) {
      return s;
    }
  }
  rocksdb::BackupInfo info;
  if (absl::Status s =
          FromRocksDb(engine->GetBackupInfo(id, &info), "read backup info");
      !s.ok()) {
    return s;
  }
  StorageBackup backup = FromBackupInfo(info);
  std::vector<rocksdb::BackupInfo> all;
  engine->GetBackupInfo(&all);
  for (const rocksdb::BackupInfo& kept : all) {
    backup.retained_ids.push_back(kept.backup_id);
  }
  std::sort(backup.retained_ids.begin(), backup.retained_ids.end());
  return backup;
}

absl::StatusOr<StorageBackup> RestoreRocksDbBackup(
    const std::string& backup_dir, const std::string& data_dir) {
  std::error_code error;
  if (fs::exists(data_dir, error)) {
    if (!fs::is_directory(data_dir, error)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot restore into ", data_dir, ": it is not a folder"));
    }
    std::vector<std::string> entries = SomeEntries(data_dir);
    if (!entries.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "refusing to restore into ", data_dir, ": the folder is not empty (",
          absl::StrJoin(entries, ", "),
          "...); a restore never overwrites data. Restore into a new or "
          "empty folder and point --data_dir at it"));
    }
  }
  std::vector<rocksdb::BackupInfo> infos;
  absl::StatusOr<std::unique_ptr<rocksdb::BackupEngineReadOnly>> engine =
      OpenBackups(backup_dir, &infos);
  if (!engine.ok()) return engine.status();
  const rocksdb::BackupInfo& latest = infos.back();
  auto logger = std::make_shared<DiscardingLogger>();
  fs::create_directories(data_dir, error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("cannot create ", data_dir, ": ", error.message()));
  }
  // Every file's checksum is checked as it is copied.
  if (absl::Status s = FromRocksDb(
          (*engine)->RestoreDBFromBackup(latest.backup_id, data_dir, data_dir),
          absl::StrCat("restore backup ", latest.backup_id, " of ",
                       backup_dir));
      !s.ok()) {
    return s;
  }
  // A catalog's data folder always has a write-ahead log (a missing one
  // means lost writes, ADR 8), and a backup taken after a flush has none:
  // open the restored database once and log a synced, keyless record.
  rocksdb::DBOptions options;
  options.info_log = logger;
  absl::StatusOr<std::unique_ptr<OpenedRocksDb>> restored =
      OpenDb(data_dir, /*read_only=*/false, options);
  if (!restored.ok()) return restored.status();
  rocksdb::WriteBatch marker;
  rocksdb::WriteOptions sync;
  sync.sync = true;
  absl::Status marked = FromRocksDb(
      marker.PutLogData(absl::StrCat("annals: restored backup ",
                                     latest.backup_id, " of ", backup_dir)),
      "restore marker");
  if (marked.ok()) {
    marked = FromRocksDb((*restored)->db().Write(sync, &marker),
                         "write the restore marker");
  }
  absl::Status closed = (*restored)->Close();
  if (!marked.ok()) return marked;
  if (!closed.ok()) return closed;
  return FromBackupInfo(latest);
}

absl::StatusOr<std::unique_ptr<Storage>> OpenRocksDbStorageReadOnly(
    const std::string& path, bool verify_checksums) {
  if (!DatabaseExists(path)) {
    return absl::NotFoundError(
        absl::StrCat("no database in ", path, " (no CURRENT file)"));
  }
  if (absl::Status s = CheckColumnFamilies(path, CatalogColumnFamilyNames());
      !s.ok()) {
    return s;
  }
  rocksdb::DBOptions options;
  options.paranoid_checks = true;
  options.wal_recovery_mode =
      rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  options.info_log = std::make_shared<DiscardingLogger>();
  absl::StatusOr<std::unique_ptr<OpenedRocksDb>> db =
      OpenDb(path, /*read_only=*/true, options);
  if (!db.ok()) return db.status();
  if (verify_checksums) {
    rocksdb::Status verified = (*db)->db().VerifyChecksum();
    if (!verified.ok()) {
      return FromRocksDb(verified,
                         absl::StrCat("table file checksums in ", path));
    }
  }
  return std::unique_ptr<Storage>(*std::move(db));
}

absl::StatusOr<std::unique_ptr<Storage>> OpenLatestRocksDbBackupReadOnly(
    const std::string& backup_dir, std::vector<StorageBackup>* backups) {
  backups->clear();
  std::vector<rocksdb::BackupInfo> infos;
  absl::StatusOr<std::unique_ptr<rocksdb::BackupEngineReadOnly>> engine =
      OpenBackups(backup_dir, &infos);
  if (!engine.ok()) return engine.status();
  auto logger = std::make_shared<DiscardingLogger>();
  for (const rocksdb::BackupInfo& info : infos) {
    rocksdb::IOStatus verified =
        (*engine)->VerifyBackup(info.backup_id, /*verify_with_checksum=*/true);
    if (!verified.ok()) {
      absl::Status s =
          FromRocksDb(verified, absl::StrCat("backup ", info.backup_id, " in ",
                                             backup_dir, " fails its check"));
      return absl::DataLossError(s.message());
    }
    backups->push_back(FromBackupInfo(info));
  }
  rocksdb::BackupInfo latest;
  if (absl::Status s =
          FromRocksDb((*engine)->GetBackupInfo(infos.back().backup_id, &latest,
                                               /*include_file_details=*/true),
                      "read backup info");
      !s.ok()) {
    return s;
  }
  rocksdb::DBOptions options;
  options.paranoid_checks = true;
  options.info_log = logger;
  absl::StatusOr<std::unique_ptr<OpenedRocksDb>> db =
      OpenDb(latest.name_for_open, /*read_only=*/true, options,
             latest.env_for_open, *std::move(engine));
  if (!db.ok()) return db.status();
  return std::unique_ptr<Storage>(*std::move(db));
}

}  // namespace annals::catalog
