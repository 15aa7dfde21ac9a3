#include "services/timeline/timeline_store.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/slice.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

namespace annals::timeline {
namespace {

rocksdb::Slice ToSlice(absl::string_view text) {
  return rocksdb::Slice(text.data(), text.size());
}

absl::string_view ToView(const rocksdb::Slice& slice) {
  return absl::string_view(slice.data(), slice.size());
}

absl::Status StoreError(absl::string_view what, absl::string_view path,
                        const rocksdb::Status& status) {
  return absl::InternalError(absl::StrCat(
      "the timeline's local store ", path.empty() ? "(in memory)" : path,
      " could not ", what, ": ", status.ToString()));
}

}  // namespace

TimelineStore::TimelineStore(TimelineStoreOptions options)
    : options_(std::move(options)) {}

TimelineStore::~TimelineStore() {
  if (db_ != nullptr) db_->Close().PermitUncheckedError();
}

absl::StatusOr<std::unique_ptr<TimelineStore>> TimelineStore::Open(
    const TimelineStoreOptions& options) {
  std::unique_ptr<TimelineStore> store(new TimelineStore(options));
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.write_buffer_size = static_cast<size_t>(
      std::max<int64_t>(options.write_buffer_bytes, 1 << 20));
  db_options.max_write_buffer_number = 2;
  db_options.compression = rocksdb::kLZ4Compression;
  // Derived state needs no LOG history; keep one small file.
  db_options.keep_log_file_num = 1;
  db_options.max_log_file_size = 1 << 20;
  // Half the cache is kept for index and filter blocks, so that data
  // blocks never push out what finds them.
  store->cache_ = rocksdb::NewLRUCache(static_cast<size_t>(std::max<int64_t>(
                                           options.block_cache_bytes, 1 << 20)),
                                       /*num_shard_bits=*/-1,
                                       /*strict_capacity_limit=*/false,
                                       /*high_pri_pool_ratio=*/0.5);
  rocksdb::BlockBasedTableOptions table_options;
  table_options.block_cache = store->cache_;
  table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Index and filter blocks are charged to the cache, so that its size
  // bounds the memory reads use, whatever the amount of data.
  table_options.cache_index_and_filter_blocks = true;
  table_options.pin_l0_filter_and_index_blocks_in_cache = true;
  table_options.cache_index_and_filter_blocks_with_high_priority = true;
  db_options.table_factory.reset(
      rocksdb::NewBlockBasedTableFactory(table_options));
  std::string path = options.path;
  if (path.empty()) {
    store->mem_env_.reset(rocksdb::NewMemEnv(rocksdb::Env::Default()));
    db_options.env = store->mem_env_.get();
    path = "/timeline-store";
  }
  rocksdb::DB* db = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(db_options, path, &db);
  if (!status.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot open the timeline's local store (--data_dir) ", options.path,
        ": ", status.ToString(),
        "; is another timeline using it? Any empty folder of its own will "
        "do: the timeline rebuilds it from the catalog"));
  }
  store->db_.reset(db);
  return store;
}

bool TimelineStore::Get(absl::string_view key, std::string* value) const {
  return db_->Get(rocksdb::ReadOptions(), ToSlice(key), value).ok();
}

void TimelineStore::Scan(
    absl::string_view prefix,
    absl::FunctionRef<bool(absl::string_view, absl::string_view)> fn) const {
  rocksdb::ReadOptions read_options;
  const std::string upper = [&] {
    // The first key after every key with this prefix.
    std::string bound(prefix);
    while (!bound.empty() && static_cast<unsigned char>(bound.back()) == 0xff) {
      bound.pop_back();
    }
    if (!bound.empty()) bound.back() = static_cast<char>(bound.back() + 1);
    return bound;
  }();
  rocksdb::Slice upper_slice(upper);
  if (!upper.empty()) read_options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));
  for (it->Seek(ToSlice(prefix)); it->Valid(); it->Next()) {
    if (!fn(ToView(it->key()), ToView(it->value()))) break;
  }
}

bool TimelineStore::GetForWrite(absl::string_view key, std::string* value) {
  auto it = pending_.find(key);
  if (it != pending_.end()) {
    *value = it->second;
    return true;
  }
  return Get(key, value);
}

void TimelineStore::Put(absl::string_view key, absl::string_view value) {
  pending_.insert_or_assign(key, std::string(value));
}

absl::Status TimelineStore::Commit() {
  if (pending_.empty()) return absl::OkStatus();
  // In key order: the memtable's skip list inserts a run of ascending keys
  // from where the previous one went, instead of searching from the top.
  std::vector<const std::pair<const std::string, std::string>*> entries;
  entries.reserve(pending_.size());
  for (const auto& entry : pending_) entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  rocksdb::WriteBatch batch;
  for (const auto* entry : entries) {
    batch.Put(ToSlice(entry->first), ToSlice(entry->second))
        .PermitUncheckedError();
  }
  pending_.clear();
  rocksdb::WriteOptions write_options;
  write_options.sync = false;
  rocksdb::Status status = db_->Write(write_options, &batch);
  if (!status.ok()) return StoreError("write", options_.path, status);
  return absl::OkStatus();
}

void TimelineStore::DiscardPending() { pending_.clear(); }

absl::Status TimelineStore::Clear() {
  pending_.clear();
  // Every key the timeline writes starts with an ASCII letter.
  rocksdb::Status status = db_->DeleteRange(
      rocksdb::WriteOptions(), db_->DefaultColumnFamily(), "", "\x7f");
  if (status.ok()) {
    status =
        db_->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr);
  }
  if (!status.ok()) return StoreError("be cleared", options_.path, status);
  return absl::OkStatus();
}

int64_t TimelineStore::MemoryBytes() const {
  uint64_t memtables = 0;
  db_->GetIntProperty(rocksdb::DB::Properties::kSizeAllMemTables, &memtables);
  return static_cast<int64_t>(cache_->GetUsage() + memtables);
}

}  // namespace annals::timeline
