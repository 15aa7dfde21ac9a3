#include "services/catalog/storage/rocksdb_storage.h"

#include <algorithm>
#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "services/catalog/storage/rocksdb_info_log.h"
#include "services/catalog/storage/rocksdb_internal.h"
#include "services/catalog/storage/rocksdb_open_checks.h"
#include "services/catalog/storage/rocksdb_recovery.h"
#include "services/catalog/storage/write_failure.h"

namespace annals::catalog {

// The single translation from rocksdb::Status to absl::Status.
absl::Status FromRocksDb(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(what, ": ", s.ToString());
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain() || s.IsIOError()) {
    return absl::UnavailableError(message);
  }
  if (s.IsShutdownInProgress()) return absl::UnavailableError(message);
  if (s.IsNotSupported()) return absl::UnimplementedError(message);
  if (s.IsInvalidArgument()) return absl::FailedPreconditionError(message);
  return absl::InternalError(message);
}

absl::StatusOr<std::optional<std::string>> RocksDbGet(
    rocksdb::DB& db, rocksdb::ColumnFamilyHandle* handle,
    absl::string_view key) {
  std::string value;
  rocksdb::Status s = db.Get(rocksdb::ReadOptions(), handle,
                             rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocksDb(s, "read");
  return value;
}

absl::Status RocksDbScan(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* handle,
                         absl::string_view start, absl::string_view limit,
                         const ScanVisitor& visit) {
  rocksdb::ReadOptions read_options;
  rocksdb::Slice upper(limit.data(), limit.size());
  if (!limit.empty()) read_options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read_options, handle));
  for (it->Seek(rocksdb::Slice(start.data(), start.size())); it->Valid();
       it->Next()) {
    if (!visit(absl::string_view(it->key().data(), it->key().size()),
               absl::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  return FromRocksDb(it->status(), "scan");
}

namespace {

constexpr std::array<const char*, kSpaceCount> kColumnFamilyNames = {
    "default",  // kMeta (RocksDB's default column family)
    "entities", "statements", "index", "changes", "requests"};

// Whether a key space is read by key (Get), by Space; the others are only
// scanned.
constexpr std::array<bool, kSpaceCount> kPointRead = {true,  true,  true,
                                                      false, false, true};

// Space names for StorageProperty::space, by Space.
constexpr std::array<const char*, kSpaceCount> kSpaceNames = {
    "meta", "entities", "statements", "index", "changes", "requests"};

// The RocksDB integer properties reported by Properties().
struct PropertySpec {
  const char* rocksdb_name;
  const char* name;
  const char* help;
};
constexpr std::array<PropertySpec, 4> kPerSpaceProperties = {{
    {"rocksdb.estimate-num-keys", "estimate_num_keys",
     "Estimated number of keys (RocksDB rocksdb.estimate-num-keys)."},
    {"rocksdb.live-sst-files-size", "live_sst_bytes",
     "Bytes of the SST files of the current version "
     "(rocksdb.live-sst-files-size)."},
    {"rocksdb.cur-size-all-mem-tables", "memtable_bytes",
     "Bytes of the active and unflushed memtables "
     "(rocksdb.cur-size-all-mem-tables)."},
    {"rocksdb.estimate-pending-compaction-bytes", "pending_compaction_bytes",
     "Estimated bytes compaction must rewrite to settle "
     "(rocksdb.estimate-pending-compaction-bytes)."},
}};
// Properties of the whole database, read through the default column family
// (the block cache is shared by every column family).
constexpr std::array<PropertySpec, 4> kStoreProperties = {{
    {"rocksdb.block-cache-usage", "block_cache_usage_bytes",
     "Bytes held in the block cache (rocksdb.block-cache-usage)."},
    {"rocksdb.block-cache-capacity", "block_cache_capacity_bytes",
     "Capacity of the block cache in bytes (rocksdb.block-cache-capacity)."},
    {"rocksdb.num-running-compactions", "running_compactions",
     "Compactions running now (rocksdb.num-running-compactions)."},
    {"rocksdb.background-errors", "background_errors",
     "Background errors since the database was opened "
     "(rocksdb.background-errors)."},
}};

// How often a storage that cannot write tries to recover, and how often a
// healthy one checks that its data folder is still the one it opened.
constexpr absl::Duration kWatchInterval = absl::Seconds(1);

// Writes that fail on the disk (ENOSPC, EROFS, EIO) or into a data folder
// that is no longer there put the storage in a failed state: every later
// write fails at once with the same UNAVAILABLE status, without reaching
// RocksDB, until a watcher thread has brought RocksDB back (DB::Resume(),
// then a synced probe record in the WAL). Writing on after a failure would
// not help: RocksDB stops writes after a failed WAL write anyway (its
// "background error"), and only Resume() clears that.
class RocksDbStorage final : public Storage {
 public:
  RocksDbStorage(std::unique_ptr<rocksdb::DB> db,
                 std::vector<rocksdb::ColumnFamilyHandle*> handles,
                 const RocksDbOptions& options)
      : db_(std::move(db)),
        handles_(std::move(handles)),
        folder_(db_->GetName()) {
    write_options_.sync = options.sync_writes;
    absl::StatusOr<FolderIdentity> identity = IdentifyFolder(folder_);
    if (identity.ok()) folder_identity_ = *identity;
    watcher_ = std::thread([this] { Watch(); });
  }

  ~RocksDbStorage() override { Close().IgnoreError(); }

  absl::StatusOr<std::optional<std::string>> Get(
      Space space, absl::string_view key) const override {
    CallGuard guard(this);
    if (!guard.ok()) return absl::UnavailableError("storage is closed");
    return RocksDbGet(*db_, Handle(space), key);
  }

  absl::Status Scan(Space space, absl::string_view start,
                    absl::string_view limit,
                    const ScanVisitor& visit) const override {
    CallGuard guard(this);
    if (!guard.ok()) return absl::UnavailableError("storage is closed");
    return RocksDbScan(*db_, Handle(space), start, limit, visit);
  }

  absl::Status Write(const WriteSet& writes) override {
    CallGuard guard(this);
    if (!guard.ok()) return absl::UnavailableError("storage is closed");
    if (absl::Status health = WriteHealth(); !health.ok()) return health;
    // Checked before each commit (a stat(), next to an fsync): a write
    // acknowledged into a deleted folder would be lost at the next restart.
    if (std::optional<std::string> moved = FolderChanged()) {
      return Fail(WriteFailureCause::kFolderReplaced, *moved);
    }
    // In key order within each key space: each memtable insert then starts
    // from where the one before it ended (RocksDB keeps that position, its
    // "splice"), instead of from the top of the skip list. The sort is
    // stable, so of two writes of one key the later still wins.
    std::vector<const WriteSet::Op*> ordered;
    ordered.reserve(writes.ops().size());
    for (const WriteSet::Op& op : writes.ops()) ordered.push_back(&op);
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const WriteSet::Op* a, const WriteSet::Op* b) {
                       if (a->space != b->space) return a->space < b->space;
                       return a->key < b->key;
                     });
    rocksdb::WriteBatch batch;
    for (const WriteSet::Op* op : ordered) {
      rocksdb::Status s =
          op->value.has_value()
              ? batch.Put(Handle(op->space), op->key, *op->value)
              : batch.Delete(Handle(op->space), op->key);
      if (!s.ok()) return FromRocksDb(s, "build write batch");
    }
    rocksdb::Status s = db_->Write(write_options_, &batch);
    if (s.IsIOError()) {
      return Fail(ClassifyWriteError(s.ToString(), s.IsNoSpace()),
                  s.ToString());
    }
    return FromRocksDb(s, "write");
  }

  absl::Status WriteHealth() const override {
    absl::MutexLock lock(&health_mu_);
    return failure_.has_value() ? WriteFailureStatus(*failure_, folder_)
                                : absl::OkStatus();
  }

  void SetWriteHealthObserver(WriteHealthObserver observer) override {
    absl::MutexLock lock(&observer_mu_);
    observer_ = std::move(observer);
    observer_(WriteHealth());
  }

  absl::StatusOr<StorageBackup> Backup(
      const BackupOptions& options,
      const BackupDescriber& describe) const override {
    absl::MutexLock one_at_a_time(&backup_mu_);
    CallGuard guard(this);
    if (!guard.ok()) return absl::UnavailableError("storage is closed");
    return CreateRocksDbBackup(*db_, folder_, options, describe);
  }

  std::vector<StorageProperty> Properties() const override {
    std::vector<StorageProperty> properties;
    CallGuard guard(this);
    if (!guard.ok()) return properties;
    for (int space = 0; space < kSpaceCount; ++space) {
      for (const PropertySpec& spec : kPerSpaceProperties) {
        uint64_t value = 0;
        if (db_->GetIntProperty(handles_[space], spec.rocksdb_name, &value)) {
          properties.push_back({spec.name, kSpaceNames[space], spec.help,
                                static_cast<int64_t>(value)});
        }
      }
    }
    for (const PropertySpec& spec : kStoreProperties) {
      uint64_t value = 0;
      if (db_->GetIntProperty(Handle(Space::kMeta), spec.rocksdb_name,
                              &value)) {
        properties.push_back(
            {spec.name, "", spec.help, static_cast<int64_t>(value)});
      }
    }
    return properties;
  }

  absl::Status Close() override {
    {
      absl::MutexLock lock(&health_mu_);
      stopping_ = true;
    }
    if (watcher_.joinable()) watcher_.join();
    {
      absl::MutexLock lock(&observer_mu_);
      observer_ = nullptr;
    }
    absl::MutexLock lock(&mu_);
    if (closed_) return absl::OkStatus();
    closed_ = true;
    auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return calls_in_flight_ == 0;
    };
    mu_.Await(absl::Condition(&idle));
    // After a failed write the WAL's writer holds an error, and RocksDB
    // aborts on any further use of it: nothing is synced then. With synced
    // writes nothing is lost, since each was synced before it was
    // acknowledged; the failure itself was reported when it began.
    absl::Status status;
    if (WriteHealth().ok()) {
      status = FromRocksDb(db_->FlushWAL(/*sync=*/true), "sync WAL");
    } else if (!write_options_.sync) {
      status = absl::DataLossError(
          absl::StrCat("writes acknowledged since the last sync may be lost: ",
                       WriteHealth().message()));
    }
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    handles_.clear();
    absl::Status close = FromRocksDb(db_->Close(), "close");
    db_.reset();
    return status.ok() ? close : status;
  }

 private:
  // Enters the failed state (if not in it already), tells the observer, and
  // returns the status writes fail with.
  absl::Status Fail(WriteFailureCause cause, const std::string& detail)
      ABSL_LOCKS_EXCLUDED(observer_mu_, health_mu_) {
    absl::MutexLock observer_lock(&observer_mu_);
    absl::Status health;
    {
      absl::MutexLock lock(&health_mu_);
      if (failure_.has_value()) return WriteFailureStatus(*failure_, folder_);
      failure_ = WriteFailure{cause, detail, absl::Now()};
      health = WriteFailureStatus(*failure_, folder_);
    }
    if (observer_) observer_(health);
    return health;
  }

  // Leaves the failed state and tells the observer.
  void Recovered() ABSL_LOCKS_EXCLUDED(observer_mu_, health_mu_) {
    absl::MutexLock observer_lock(&observer_mu_);
    {
      absl::MutexLock lock(&health_mu_);
      failure_.reset();
    }
    if (observer_) observer_(absl::OkStatus());
  }

  // Why the data folder is no longer the one opened, or nullopt if it is.
  std::optional<std::string> FolderChanged() const {
    if (!folder_identity_.has_value()) return std::nullopt;
    absl::StatusOr<FolderIdentity> now = IdentifyFolder(folder_);
    if (!now.ok()) return std::string(now.status().message());
    if (!(*now == *folder_identity_)) {
      return absl::StrCat(folder_, " is another folder than the one opened");
    }
    return std::nullopt;
  }

  // The watcher thread: checks the data folder while writes work, and tries
  // to recover while they fail, every kWatchInterval until Close().
  void Watch() {
    while (true) {
      {
        absl::MutexLock lock(&health_mu_);
        auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(health_mu_) {
          return stopping_;
        };
        if (health_mu_.AwaitWithTimeout(absl::Condition(&stopping),
                                        kWatchInterval)) {
          return;
        }
      }
      std::optional<std::string> moved = FolderChanged();
      if (WriteHealth().ok()) {
        if (moved.has_value()) {
          // Writes fail with it from now on; the observer hears of it.
          Fail(WriteFailureCause::kFolderReplaced, *moved).IgnoreError();
        }
        continue;
      }
      // A replaced folder is not repaired by retrying; one moved back is.
      if (!moved.has_value() && TryToResume()) Recovered();
    }
  }

  // Whether RocksDB writes again: Resume() clears its background error (it
  // flushes the memtables to new files and starts a new WAL, which needs
  // space), and a synced WAL-only record (no key) shows that a write gets
  // through. Either failing leaves RocksDB stopped, to be tried again.
  //
  // Relies on paranoid_checks (set by OpenRocksDbStorage): with it, a failed
  // WAL write always stops RocksDB, so Resume() starts a new WAL before the
  // probe. Without it, Resume() would have nothing to do and the probe would
  // reuse the failed WAL writer, on which RocksDB aborts.
  bool TryToResume() {
    rocksdb::Status resumed = db_->Resume();
    if (!resumed.ok()) return false;
    rocksdb::WriteBatch probe;
    if (!probe.PutLogData("annals: write probe").ok()) return false;
    rocksdb::WriteOptions options;
    options.sync = true;
    return db_->Write(options, &probe).ok();
  }

  // Counts a call in flight so that Close() waits for it. Calls may nest (a
  // Scan visitor may Get), which a reader lock would not allow.
  class CallGuard {
   public:
    explicit CallGuard(const RocksDbStorage* storage) : storage_(storage) {
      absl::MutexLock lock(&storage_->mu_);
      ok_ = !storage_->closed_;
      if (ok_) ++storage_->calls_in_flight_;
    }
    ~CallGuard() {
      if (!ok_) return;
      absl::MutexLock lock(&storage_->mu_);
      --storage_->calls_in_flight_;
    }
    bool ok() const { return ok_; }

   private:
    const RocksDbStorage* storage_;
    bool ok_;
  };

  // Valid while a CallGuard is held: Close() waits for every call to end
  // before it destroys them.
  rocksdb::ColumnFamilyHandle* Handle(Space space) const {
    return handles_[static_cast<int>(space)];
  }

  // Held for the whole of a backup, so that backups run one at a time.
  mutable absl::Mutex backup_mu_;
  mutable absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  mutable int calls_in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::WriteOptions write_options_;
  const std::string folder_;
  // The data folder as opened; nullopt if it could not be identified.
  std::optional<FolderIdentity> folder_identity_;

  // Held while the write health changes and the observer hears of it, so
  // that the observer hears of changes in the order they happened.
  absl::Mutex observer_mu_ ABSL_ACQUIRED_BEFORE(health_mu_);
  WriteHealthObserver observer_ ABSL_GUARDED_BY(observer_mu_);
  mutable absl::Mutex health_mu_;
  std::optional<WriteFailure> failure_ ABSL_GUARDED_BY(health_mu_);
  bool stopping_ ABSL_GUARDED_BY(health_mu_) = false;
  std::thread watcher_;
};

}  // namespace

std::vector<std::string> CatalogColumnFamilyNames() {
  return std::vector<std::string>(kColumnFamilyNames.begin(),
                                  kColumnFamilyNames.end());
}

absl::StatusOr<std::unique_ptr<Storage>> OpenRocksDbStorage(
    const std::string& path, const RocksDbOptions& options,
    RocksDbOpenReport* report) {
  RocksDbOpenReport ignored;
  if (report == nullptr) report = &ignored;
  *report = RocksDbOpenReport();

  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.IncreaseParallelism(2);
  db_options.paranoid_checks = true;
  db_options.keep_log_file_num = 4;
  // A write-ahead log that cannot be replayed in full fails the open rather
  // than being cut short at the damage (RocksDB's default, point-in-time
  // recovery, drops acknowledged writes silently). Closed logs are also
  // tracked in the MANIFEST, so that a missing or shortened one is noticed
  // (ADR 8).
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kAbsoluteConsistency;
  db_options.track_and_verify_wals_in_manifest = true;

  // A database some other program made is refused, not given the catalog's
  // column families; a new folder gets them.
  const bool exists = DatabaseExists(path);
  std::vector<std::string> names(kColumnFamilyNames.begin(),
                                 kColumnFamilyNames.end());
  if (exists) {
    if (absl::Status s = CheckColumnFamilies(path, names); !s.ok()) return s;
  }
  db_options.create_missing_column_families = !exists;

  absl::StatusOr<std::vector<WalFile>> wal_files = ListWalFiles(path);
  if (!wal_files.ok()) return wal_files.status();
  report->wal_files = DescribeWalFiles(*wal_files);
  if (exists) {
    // Checked before RocksDB opens the folder, which makes a new log: after
    // that, a deleted one could no longer be told apart from a clean stop.
    absl::Status wal = CheckWalPresent(path, *wal_files);
    if (!wal.ok()) {
      if (!options.accept_data_loss) return wal;
      report->data_loss_accepted = absl::StrCat(
          "The write-ahead log was missing (no *.log file in ", path,
          "): writes not yet flushed to table files are lost.");
    }
  }

  // RocksDB's own LOG writer aborts the process on a full disk, so the LOG
  // is ours (rocksdb_info_log.h); and RocksDB tells what its recovery
  // dropped only in that file, so those lines are kept for the error.
  auto capture = std::make_shared<RecoveryLogCapture>(NewRocksDbInfoLog(path));
  db_options.info_log = capture;
  // RocksDbStorage resumes after a failed write (see rocksdb_recovery.h).
  db_options.listeners.push_back(NewManualRecoveryListener());

  rocksdb::BlockBasedTableOptions table_options;
  table_options.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table_options.cache_index_and_filter_blocks = true;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const char* name : kColumnFamilyNames) {
    rocksdb::ColumnFamilyOptions cf_options(db_options);
    cf_options.table_factory.reset(
        rocksdb::NewBlockBasedTableFactory(table_options));
    cf_options.compression = rocksdb::kLZ4Compression;
    if (kPointRead[descriptors.size()]) {
      // A Bloom filter over the memtable's whole keys, as the table files
      // have: most point reads of a write are for keys that do not exist
      // (the statement an import creates), and without it each walks the
      // memtable's skip list to learn so. 2% of the write buffer (1.3 MB).
      cf_options.memtable_prefix_bloom_size_ratio = 0.02;
      cf_options.memtable_whole_key_filtering = true;
    }
    descriptors.emplace_back(name, cf_options);
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(rocksdb::DBOptions(db_options), path,
                                        descriptors, &handles, &raw);
  if (!s.ok() && s.IsCorruption() && capture != nullptr) {
    // A crash while a write was being appended leaves its record
    // incomplete; that write was not acknowledged. Let RocksDB drop such a
    // tail (it still refuses damage before the end), but nothing else.
    std::string cut = DescribeCrashCutTail(capture->dropped(), *wal_files);
    if (!cut.empty()) {
      capture->Clear();
      db_options.wal_recovery_mode =
          rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
      handles.clear();
      s = rocksdb::DB::Open(rocksdb::DBOptions(db_options), path, descriptors,
                            &handles, &raw);
      if (s.ok()) report->crash_cut_tail = std::move(cut);
    }
  }
  if (!s.ok() && s.IsCorruption()) {
    std::vector<std::string> dropped;
    if (capture != nullptr) dropped = capture->dropped();
    const std::string found = absl::StrCat(
        s.ToString(),
        dropped.empty() ? ""
                        : absl::StrCat(" (", absl::StrJoin(dropped, "; "), ")"),
        "; write-ahead logs: ", report->wal_files, ".");
    // RocksDB names the log in what it reports about one ("WAL", "x.log").
    const bool in_wal = !dropped.empty() ||
                        absl::StrContains(s.ToString(), "WAL") ||
                        absl::StrContains(s.ToString(), ".log");
    if (!in_wal) {
      return absl::DataLossError(
          absl::StrCat("the database in ", path, " is damaged: ", found,
                       " Restore the folder from a backup"));
    }
    if (!options.accept_data_loss) {
      return absl::DataLossError(absl::StrCat(
          "the write-ahead log of the database in ", path,
          " cannot be replayed in full: ", found,
          " Acknowledged writes after the damage would be lost. Restore the "
          "folder from a backup, or start once with --accept_data_loss to "
          "recover up to the damage and drop the rest"));
    }
    report->data_loss_accepted = absl::StrCat(
        report->data_loss_accepted,
        report->data_loss_accepted.empty() ? "" : " ",
        "The write-ahead log could not be replayed in full: ", found);
    // Point-in-time recovery: replay each log up to its first damage and
    // stop there. The damaged logs are not tracked any more.
    db_options.wal_recovery_mode =
        rocksdb::WALRecoveryMode::kPointInTimeRecovery;
    db_options.track_and_verify_wals_in_manifest = false;
    handles.clear();
    s = rocksdb::DB::Open(rocksdb::DBOptions(db_options), path, descriptors,
                          &handles, &raw);
  }
  if (!s.ok()) {
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
      return absl::UnavailableError(
          absl::StrCat("data directory ", path,
                       " is in use by another process: ", s.ToString()));
    }
    return FromRocksDb(s, absl::StrCat("open ", path));
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  // Hard links of a backup cut short by a crash would keep table files
  // alive on disk.
  RemoveBackupStaging(path);

  if (options.verify_checksums) {
    // A flipped bit in a table file would otherwise be found only when a
    // read reaches its block: by a client, or by the change feed.
    std::vector<rocksdb::LiveFileMetaData> tables;
    db->GetLiveFilesMetaData(&tables);
    for (const rocksdb::LiveFileMetaData& table : tables) {
      report->verified_table_bytes += table.size;
    }
    const absl::Time start = absl::Now();
    rocksdb::Status verified = db->VerifyChecksum();
    report->verification_time = absl::Now() - start;
    if (!verified.ok()) {
      for (rocksdb::ColumnFamilyHandle* handle : handles) {
        db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
      }
      db->Close().PermitUncheckedError();
      if (!verified.IsCorruption()) {
        return FromRocksDb(verified, "table file check at start");
      }
      return absl::DataLossError(absl::StrCat(
          "table file check at start failed in ", path, ": ",
          verified.ToString(),
          ". The data in that file cannot be trusted; restore the folder "
          "from a backup (--accept_data_loss does not apply to table "
          "files)"));
    }
  }
  return std::make_unique<RocksDbStorage>(std::move(db), std::move(handles),
                                          options);
}

}  // namespace annals::catalog
