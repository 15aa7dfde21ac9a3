#include "services/catalog/storage/rocksdb_storage.h"

#include <array>
#include <memory>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "services/catalog/storage/rocksdb_recovery.h"

namespace annals::catalog {
namespace {

constexpr std::array<const char*, kSpaceCount> kColumnFamilyNames = {
    "default",  // kMeta (RocksDB's default column family)
    "entities", "statements", "index", "changes", "requests"};

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

class RocksDbStorage final : public Storage {
 public:
  RocksDbStorage(std::unique_ptr<rocksdb::DB> db,
                 std::vector<rocksdb::ColumnFamilyHandle*> handles,
                 const RocksDbOptions& options)
      : db_(std::move(db)), handles_(std::move(handles)) {
    write_options_.sync = options.sync_writes;
  }

  ~RocksDbStorage() override { Close().IgnoreError(); }

  absl::StatusOr<std::optional<std::string>> Get(
      Space space, absl::string_view key) const override {
    CallGuard guard(this);
    if (!guard.ok()) return absl::UnavailableError("storage is closed");
    std::string value;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), Handle(space),
                 rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::nullopt;
    if (!s.ok()) return FromRocksDb(s, "read");
    return value;
  }

  absl::Status Scan(Space space, absl::string_view start,
                    absl::string_view limit,
                    const ScanVisitor& visit) const override {
    CallGuard guard(this);
    if (!guard.ok()) return absl::UnavailableError("storage is closed");
    rocksdb::ReadOptions read_options;
    rocksdb::Slice upper(limit.data(), limit.size());
    if (!limit.empty()) read_options.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(read_options, Handle(space)));
    for (it->Seek(rocksdb::Slice(start.data(), start.size())); it->Valid();
         it->Next()) {
      if (!visit(absl::string_view(it->key().data(), it->key().size()),
                 absl::string_view(it->value().data(), it->value().size()))) {
        break;
      }
    }
    return FromRocksDb(it->status(), "scan");
  }

  absl::Status Write(const WriteSet& writes) override {
    CallGuard guard(this);
    if (!guard.ok()) return absl::UnavailableError("storage is closed");
    rocksdb::WriteBatch batch;
    for (const WriteSet::Op& op : writes.ops()) {
      rocksdb::Status s = op.value.has_value()
                              ? batch.Put(Handle(op.space), op.key, *op.value)
                              : batch.Delete(Handle(op.space), op.key);
      if (!s.ok()) return FromRocksDb(s, "build write batch");
    }
    return FromRocksDb(db_->Write(write_options_, &batch), "write");
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
    absl::MutexLock lock(&mu_);
    if (closed_) return absl::OkStatus();
    closed_ = true;
    auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return calls_in_flight_ == 0;
    };
    mu_.Await(absl::Condition(&idle));
    absl::Status status = FromRocksDb(db_->FlushWAL(/*sync=*/true), "sync WAL");
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    handles_.clear();
    absl::Status close = FromRocksDb(db_->Close(), "close");
    db_.reset();
    return status.ok() ? close : status;
  }

 private:
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

  mutable absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  mutable int calls_in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::WriteOptions write_options_;
};

}  // namespace

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

  // RocksDB tells what its recovery dropped only in its LOG file; keep
  // those lines for the error.
  std::shared_ptr<RecoveryLogCapture> capture;
  {
    std::shared_ptr<rocksdb::Logger> base;
    if (rocksdb::CreateLoggerFromOptions(path, rocksdb::DBOptions(db_options),
                                         &base)
            .ok()) {
      capture = std::make_shared<RecoveryLogCapture>(std::move(base));
      db_options.info_log = capture;
    }
  }

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
