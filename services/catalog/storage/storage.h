// The catalog's storage seam: a small ordered key-value interface with named
// key spaces and atomic, durable batches. RocksDbStorage is the production
// implementation; nothing above this interface knows about RocksDB.
//
// Thread safety: implementations are safe for concurrent use. Reads see every
// batch whose Write() returned OK.
#ifndef ANNALS_SERVICES_CATALOG_STORAGE_STORAGE_H_
#define ANNALS_SERVICES_CATALOG_STORAGE_STORAGE_H_

#include <cstdint>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace annals::catalog {

// The key spaces of the catalog. Each is ordered by unsigned byte-wise key.
enum class Space {
  kMeta,        // catalog-wide values: last sequence, catalog id
  kEntities,    // entity id -> current Entity revision
  kStatements,  // statement id -> current Statement revision
  kIndex,       // secondary index entries (keys.h), values mostly empty
  kChanges,     // big-endian sequence -> Change
  kRequests,    // request id -> RequestRecord, for idempotent retries
};
inline constexpr int kSpaceCount = 6;

// One atomic group of puts and deletes.
class WriteSet {
 public:
  struct Op {
    Space space;
    std::string key;
    std::optional<std::string> value;  // nullopt: delete
  };

  void Put(Space space, std::string key, std::string value) {
    ops_.push_back(Op{space, std::move(key), std::move(value)});
  }
  void Delete(Space space, std::string key) {
    ops_.push_back(Op{space, std::move(key), std::nullopt});
  }
  // Moves the operations of `other` to the end of this set.
  void Append(WriteSet&& other) {
    if (ops_.empty()) {
      ops_ = std::move(other.ops_);
    } else {
      ops_.insert(ops_.end(), std::make_move_iterator(other.ops_.begin()),
                  std::make_move_iterator(other.ops_.end()));
    }
    other.ops_.clear();
  }
  const std::vector<Op>& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }
  void Clear() { ops_.clear(); }

 private:
  std::vector<Op> ops_;
};

// A figure about the store, for monitoring: a key count, a size, a backlog.
struct StorageProperty {
  // lower_snake_case, e.g. "estimate_num_keys"; the set of names is fixed by
  // the implementation.
  std::string name;
  // The key space described ("entities", "changes", ...; "meta" for
  // kMeta), or empty for a figure about the whole store.
  std::string space;
  // One line saying what it measures, with its unit.
  std::string help;
  int64_t value = 0;
};

// Called for each key in a scan, in key order. Return false to stop early.
using ScanVisitor =
    std::function<bool(absl::string_view key, absl::string_view value)>;

class Storage;

// Where and how to take a backup (Storage::Backup).
struct BackupOptions {
  // Absolute path of the backup directory; created if missing. Backups in
  // one directory share the files they have in common. Required.
  std::string directory;
  // Backups to keep in the directory after this one is complete, this one
  // included; older ones are deleted. 0 keeps all. Default: 0.
  int keep = 0;
};

// One backup in a backup directory.
struct StorageBackup {
  // Increasing from 1 within a directory.
  int64_t backup_id = 0;
  // Seconds since the Unix epoch when it was taken.
  int64_t create_time_unix = 0;
  // Bytes and number of its files (shared with other backups or not).
  int64_t size_bytes = 0;
  int64_t file_count = 0;
  // What the BackupDescriber returned when it was taken.
  std::string metadata;
  // After a Backup() call: the ids the directory holds, oldest first.
  std::vector<int64_t> retained_ids;
};

// Reads the consistent copy about to be backed up (a Storage of its own,
// which is read-only for the caller) and returns the metadata to store with
// the backup; an error abandons the backup.
using BackupDescriber =
    std::function<absl::StatusOr<std::string>(const Storage& copy)>;

class Storage {
 public:
  virtual ~Storage() = default;

  // Returns the value of `key`, std::nullopt if it is absent, or an error
  // (UNAVAILABLE / DATA_LOSS / INTERNAL) if the store cannot be read.
  virtual absl::StatusOr<std::optional<std::string>> Get(
      Space space, absl::string_view key) const = 0;

  // Visits keys in [start, limit) in order; an empty `limit` means no upper
  // bound. Returns the first read error, or OK.
  virtual absl::Status Scan(Space space, absl::string_view start,
                            absl::string_view limit,
                            const ScanVisitor& visit) const = 0;

  // Applies every operation of `writes` atomically. Returns OK only once the
  // batch is durable (it survives a process crash and, with a synced WAL, a
  // machine crash). On error nothing of the batch is visible.
  virtual absl::Status Write(const WriteSet& writes) = 0;

  // Makes sure everything acknowledged is on stable storage and releases
  // resources. Further calls fail. Safe to call twice.
  virtual absl::Status Close() = 0;

  // Figures for monitoring, specific to the implementation (RocksDbStorage:
  // estimated keys, live SST bytes, memtable bytes and pending compaction
  // bytes per key space; block cache usage and capacity). Cheap enough for
  // every metrics scrape. Empty once closed. Default: none.
  virtual std::vector<StorageProperty> Properties() const { return {}; }

  // OK while writes can succeed; otherwise the UNAVAILABLE status Write()
  // fails with, naming the cause (a full disk, a read-only file system, an
  // I/O error, a deleted data folder). Reads are unaffected. Default: OK.
  virtual absl::Status WriteHealth() const { return absl::OkStatus(); }

  // Called with WriteHealth() when writes start failing and when they work
  // again: once per change, never once per call.
  using WriteHealthObserver = std::function<void(const absl::Status& health)>;

  // Calls `observer` at once with WriteHealth(), then at each change, from
  // whichever thread noticed it (a writer, or the storage's own thread that
  // watches for recovery); calls are serialized and in order. Replaces any
  // earlier observer; Close() drops it. Default: only the first call.
  virtual void SetWriteHealthObserver(WriteHealthObserver observer) {
    observer(WriteHealth());
  }

  // Takes a consistent backup of what is committed, without holding up
  // writes: everything whose Write() returned before the call is in it, and
  // each batch is in it entirely or not at all. `describe` reads the copy
  // being backed up and returns the metadata kept with it. One backup at a
  // time: a second call waits for the first. Fails with FAILED_PRECONDITION
  // if the directory cannot be created or written or holds something other
  // than backups, UNAVAILABLE on an I/O error, or describe's error.
  // Default: UNIMPLEMENTED.
  virtual absl::StatusOr<StorageBackup> Backup(
      const BackupOptions& options, const BackupDescriber& describe) const {
    return absl::UnimplementedError("this storage cannot take backups");
  }
};

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_STORAGE_STORAGE_H_
