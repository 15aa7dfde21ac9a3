// TimelineStore: the timeline's own RocksDB folder of derived state, where
// TimelineState keeps what it does not need in memory (every revision of
// every resource, the extent records, each entity's list of records) so
// that its resident memory is the interval indexes and little else.
//
// The folder is a cache of the catalog's change feed: it can be deleted at
// any time and the timeline rebuilds it. It is written without fsync (a
// crash loses at most the last writes, and each write is atomic, so the
// folder always holds the state after some whole batch of changes, with
// that batch's sequence). Without a path the store lives in memory (a
// RocksDB MemEnv): the timeline then rebuilds from the feed at every start,
// as it did before it had a folder.
//
// Writes go to a pending batch, read back by GetForWrite, and reach the
// database atomically with Commit; Get and Scan read only what is
// committed.
//
// Thread safety: Get and Scan may run concurrently with each other; Put,
// GetForWrite, Commit, DiscardPending and Clear need exclusive access (the
// caller's lock).
#ifndef ANNALS_SERVICES_TIMELINE_TIMELINE_STORE_H_
#define ANNALS_SERVICES_TIMELINE_TIMELINE_STORE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace rocksdb {
class Cache;
class DB;
class Env;
}  // namespace rocksdb

namespace annals::timeline {

struct TimelineStoreOptions {
  // The folder; created if missing. Empty: in memory.
  std::string path;
  // RocksDB's block cache, which also holds the index and filter blocks,
  // so that it bounds what reads keep in memory. Default: 64 MiB.
  int64_t block_cache_bytes = int64_t{64} << 20;
  // Each memtable (at most two). Default: 16 MiB.
  int64_t write_buffer_bytes = int64_t{16} << 20;
};

class TimelineStore {
 public:
  // Opens (creating) the store. FAILED_PRECONDITION naming the folder when
  // it cannot be opened (another timeline holds it, or it is not a
  // timeline's folder).
  static absl::StatusOr<std::unique_ptr<TimelineStore>> Open(
      const TimelineStoreOptions& options);
  ~TimelineStore();
  TimelineStore(const TimelineStore&) = delete;
  TimelineStore& operator=(const TimelineStore&) = delete;

  // Whether the store outlives the process (it has a folder).
  bool persistent() const { return !options_.path.empty(); }
  const std::string& path() const { return options_.path; }

  // The committed value of `key`; false if absent.
  bool Get(absl::string_view key, std::string* value) const;
  // Calls fn(key, value) for each committed key starting with `prefix`, in
  // key order, until fn returns false.
  void Scan(
      absl::string_view prefix,
      absl::FunctionRef<bool(absl::string_view, absl::string_view)> fn) const;

  // The value of `key` with the pending batch applied; false if absent.
  bool GetForWrite(absl::string_view key, std::string* value);
  void Put(absl::string_view key, absl::string_view value);
  // Writes the pending batch atomically (not synced) and empties it.
  absl::Status Commit();
  void DiscardPending();
  // Deletes every key (pending ones too).
  absl::Status Clear();

  // Bytes RocksDB holds in memory: the block cache in use and the
  // memtables.
  int64_t MemoryBytes() const;

 private:
  explicit TimelineStore(TimelineStoreOptions options);

  const TimelineStoreOptions options_;
  std::unique_ptr<rocksdb::Env> mem_env_;  // in-memory stores only
  std::shared_ptr<rocksdb::Cache> cache_;
  std::unique_ptr<rocksdb::DB> db_;
  // The pending batch, by key (the last Put wins): a hash map reads back
  // faster than RocksDB's indexed batch, and order within one atomic write
  // does not matter.
  absl::flat_hash_map<std::string, std::string> pending_;
};

}  // namespace annals::timeline

#endif  // ANNALS_SERVICES_TIMELINE_TIMELINE_STORE_H_
