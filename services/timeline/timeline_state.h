// TimelineState: the timeline's in-memory model of the catalog, built from
// its change feed, and the temporal queries of TimelineService over it.
//
// Model. Every entity and statement keeps all its revisions, each stamped
// with its record time (the commit time of the change) and sequence. What a
// revision puts on the time line (an entity's lifespan, a statement's valid
// time, with the facets the indexes need: predicate or kind, subject,
// object) is an *extent record* with a record-time interval
// [recorded, retired): it is created when a resource becomes visible with an
// extent, and retired when a later revision changes the extent or a facet,
// retracts the statement, or deletes the entity. A revision that changes
// only other fields (label, sources, qualifiers) keeps the record. A query
// "known at" T sees the records with recorded <= T < retired and, for each,
// the last revision recorded at or before T; a query without `known_at` sees
// the current records.
//
// Indexes. Records are indexed in IntervalIndex instances, one per predicate
// for statements and one per entity kind for lifespans; queries over every
// predicate or kind visit each index. Each entity also lists the records in
// which it is the subject or the object, for per-entity questions. Records
// are never dropped (record-time queries need them); current queries skip
// retired index entries without reading the records.
//
// Memory. Only the indexes, the entity ids and the interned names are held
// in memory. The revisions, the records and the per-entity lists live in a
// TimelineStore (stored_state.h has the layout), read back through its
// block cache: a lookup reads its entity's records and the statements it
// returns, a window reads the records of its page. With a folder
// (TimelineState::Open) the store outlives the process, and a restart
// reloads the indexes from it instead of replaying the whole feed.
//
// Certainty comes from the temporal library (Extent::HoldsOn, Overlaps,
// Duration, Relate, FindGaps), except in CountActive, which counts with
// IndexedExtent's closed forms of Overlaps (checked against the library by
// the tests) so that it never reads the records on its fast path.
//
// Thread safety: all methods are safe to call concurrently. Apply() takes an
// exclusive lock; queries share a reader lock, so they see the state after a
// whole batch of changes and report its sequence.
//
//   TimelineState state;
//   ASSERT_OK(state.Apply(changes));
//   absl::StatusOr<v1::GetSnapshotResponse> snapshot =
//       state.GetSnapshot(request);
#ifndef ANNALS_SERVICES_TIMELINE_TIMELINE_STATE_H_
#define ANNALS_SERVICES_TIMELINE_TIMELINE_STATE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "annals/catalog/v1/catalog_service.pb.h"
#include "annals/timeline/v1/timeline_service.pb.h"
#include "services/common/temporal/day.h"
#include "services/common/temporal/extent.h"
#include "services/timeline/interval_index.h"
#include "services/timeline/stored_state.h"
#include "services/timeline/timeline_store.h"

namespace annals::timeline {

// UNAVAILABLE: `min_sequence` has not been applied yet (the timeline is at
// `applied`). The message says both and how to proceed.
absl::Status SequenceNotAppliedError(int64_t min_sequence, int64_t applied);

// Sizes of the state, for benchmarks and monitoring.
struct TimelineMemory {
  // Extent records ever indexed (current and retired).
  size_t indexed_extents = 0;
  // Bytes of the interval indexes and the per-entity record lists: what
  // finds extents.
  size_t index_bytes = 0;
  // Bytes of the entities' ids and current lifespans, and the id maps.
  size_t entity_bytes = 0;
  // Bytes the store holds in memory (block cache in use, memtables); the
  // records and revisions themselves are in the store.
  size_t store_bytes = 0;
};

// What TimelineState::Open found in its folder.
struct StoreLoad {
  // The folder held state of this format, now loaded.
  bool loaded = false;
  // Why the folder was cleared instead (another format, or discarded after
  // the catalog's history changed); empty if it was not.
  std::string cleared_reason;
  int64_t sequence = 0;
  size_t records = 0;
  // The indexes came from the file SaveIndexes wrote (a clean shutdown),
  // not from the records.
  bool from_saved_indexes = false;
  absl::Duration took;
};

// Limits on what one query may ask for; exceeding one is INVALID_ARGUMENT
// naming the field and the limit.
struct TimelineLimits {
  // Largest page_size of ListHistory and QueryWindow. Default: 1000.
  int max_page_size = 1000;
  // Longest [from, to) window of QueryWindow, FindGaps and CountActive, in
  // days; with a limit, both ends are required. 0: no limit. Default: 0.
  int max_window_days = 0;
  // Largest response GetSnapshot, BatchGetSnapshots, ListHistory and
  // QueryWindow build, in bytes (the sum of the ByteSizeLong of what they
  // add). A snapshot or batch that would exceed it fails with
  // RESOURCE_EXHAUSTED naming the limit (and the lookup) before the rest is
  // built; a ListHistory or QueryWindow page ends early with a
  // next_page_token, or fails like a snapshot if its first item alone is
  // too large. Default: 4,000,000, below gRPC clients' default 4 MiB
  // receive limit. 0: no limit.
  int64_t max_response_bytes = 4000000;
};

class TimelineState {
 public:
  // A state whose store is in memory: it starts empty.
  TimelineState() : TimelineState(TimelineLimits()) {}
  explicit TimelineState(TimelineLimits limits);
  // A state kept in `store_options.path` (or in memory if empty), loaded
  // from what the folder holds. A folder of another format, or one marked
  // discarded (see SetStopped), is cleared: the state starts empty.
  // FAILED_PRECONDITION when the folder cannot be opened.
  static absl::StatusOr<std::unique_ptr<TimelineState>> Open(
      TimelineLimits limits, const TimelineStoreOptions& store_options);
  ~TimelineState();
  TimelineState(const TimelineState&) = delete;
  TimelineState& operator=(const TimelineState&) = delete;

  // Applies consecutive changes from the feed. Changes at or below
  // applied_sequence() are skipped (a resumed feed may repeat them); a
  // change that would leave a gap fails with FAILED_PRECONDITION and
  // nothing from it on is applied. Changes before it stay applied.
  absl::Status Apply(absl::Span<const catalog::v1::Change> changes);
  absl::Status Apply(
      const google::protobuf::RepeatedPtrField<catalog::v1::Change>& changes);

  // The last applied catalog sequence (0 before any).
  int64_t applied_sequence() const;

  // Waits until applied_sequence() >= sequence. OK when reached; UNAVAILABLE
  // (SequenceNotAppliedError) when `deadline` passes first, or at once if the
  // state has stopped (SetStopped).
  absl::Status AwaitSequence(int64_t sequence, absl::Time deadline) const;

  // Records the catalog's identity; it keys page tokens, so tokens stay
  // valid across timeline restarts on the same catalog.
  void SetCatalogId(absl::string_view catalog_id);
  // The catalog id recorded (loaded from the folder after a restart).
  std::string catalog_id() const;
  // The change at applied_sequence(), as applied; none before any.
  std::optional<catalog::v1::Change> last_applied_change() const;
  // What Open found in the folder.
  const StoreLoad& store_load() const { return store_load_; }

  // Saves what only memory holds (the indexes, entity ids and names) into
  // the folder, tagged with the applied sequence, so that the next Open
  // reads it back in one go instead of rebuilding the indexes from every
  // record. Call once no more changes will be applied (at shutdown); a
  // state that applies more, or a restart after a crash, makes the next
  // Open rebuild from the records. No effect in memory.
  absl::Status SaveIndexes() const;
  bool persistent() const { return store_->persistent(); }

  // Marks the state as no longer following the catalog (its history changed
  // underneath): from now on every query fails with UNAVAILABLE carrying
  // `reason`. Permanent. A folder is marked discarded, so that the next
  // Open clears it and the timeline rebuilds from the catalog.
  void SetStopped(absl::string_view reason);
  // Empty while following.
  std::string stopped_reason() const;

  // Catch-up. A new state answers no query until it has caught up with its
  // catalog once: until then every query fails with UNAVAILABLE, saying so
  // and how far the state has got (an empty or half-built state would
  // otherwise answer NOT_FOUND, or empty lists, that look definite). The
  // state is caught up once applied_sequence() reaches the head given to
  // SetCatchUpTarget, or after MarkCaughtUp(); it then stays caught up for
  // good (a later outage does not close it again: answers carry the
  // sequence they reflect). The one exception is Relate between two
  // literal EDTF extents, which reads nothing from the catalog and always
  // answers.
  //
  // Names the catalog (its address) in the not-caught-up message.
  void SetCatalogAddress(absl::string_view address);
  // The catalog's head as its change feed announced it: caught up once
  // applied_sequence() >= head (at once if it already is). No effect once
  // caught up.
  void SetCatchUpTarget(int64_t head);
  // Caught up now, whatever was applied: for states built without a
  // catalog (tests, benchmarks).
  void MarkCaughtUp();
  bool caught_up() const;

  // The queries of annals.timeline.v1.TimelineService; see
  // timeline_service.proto for their contracts. They do not wait: a
  // `min_sequence` above applied_sequence() fails with UNAVAILABLE (callers
  // that should wait use AwaitSequence first).
  absl::StatusOr<v1::GetSnapshotResponse> GetSnapshot(
      const v1::GetSnapshotRequest& request) const;
  absl::StatusOr<v1::BatchGetSnapshotsResponse> BatchGetSnapshots(
      const v1::BatchGetSnapshotsRequest& request) const;
  absl::StatusOr<v1::ListHistoryResponse> ListHistory(
      const v1::ListHistoryRequest& request) const;
  absl::StatusOr<v1::QueryWindowResponse> QueryWindow(
      const v1::QueryWindowRequest& request) const;
  absl::StatusOr<v1::RelateResponse> Relate(
      const v1::RelateRequest& request) const;
  absl::StatusOr<v1::FindGapsResponse> FindGaps(
      const v1::FindGapsRequest& request) const;
  absl::StatusOr<v1::CountActiveResponse> CountActive(
      const v1::CountActiveRequest& request) const;

  // Merges every index's delta buffer and releases spare capacity (e.g.
  // after the initial catch-up).
  void CompactIndexes();

  TimelineMemory Memory() const;

 private:
  // Record times are nanoseconds since the Unix epoch. kForever is "not
  // retired"; kNow, just below it, is the record time of a query without
  // known_at, so that one visibility test serves both kinds of query.
  using RecordTime = stored::RecordTime;
  static constexpr RecordTime kForever = stored::kForever;
  static constexpr RecordTime kNow = INT64_MAX - 1;
  static constexpr uint32_t kNone = stored::kNone;

  using Revision = stored::Revision;
  using ExtentRecord = stored::Record;

  // What stays in memory of an entity; the rest is stored::EntityValue.
  struct EntityItem {
    std::string id;
    // The record time of its first revision (kForever: none yet, only
    // named by statements): it exists at T iff first_recorded <= T.
    RecordTime first_recorded = kForever;
  };

  // What QueryWindow and CountActive select (see ItemType in the proto).
  struct ItemFilter {
    bool lifespans = true;
    bool events = true;
    bool statements = true;
    // kNone: any. A name the state has never seen matches nothing.
    uint32_t kind = kNone;
    bool kind_unknown = false;
    uint32_t predicate = kNone;
    bool predicate_unknown = false;
    uint32_t entity = kNone;
  };

  // The snapshot `request` asks for. `*used` is the size of the response
  // built so far (see TimelineLimits::max_response_bytes) and grows by the
  // snapshot's size; once it exceeds the budget the snapshot fails with
  // RESOURCE_EXHAUSTED (ResponseTooLargeError) before the rest is built.
  absl::StatusOr<v1::GetSnapshotResponse> SnapshotLocked(
      const v1::GetSnapshotRequest& request, int64_t* used) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Adds `bytes` (an embedded message of that size) to `*used`; true while
  // the total is within limits_.max_response_bytes.
  bool Spend(size_t bytes, int64_t* used) const;
  // The interpretation of a request's known_at and min_sequence. Fails
  // with UNAVAILABLE when the state has stopped, or (for a query that
  // `reads_catalog`) when it has not caught up yet.
  absl::StatusOr<RecordTime> ReadPoint(bool has_known_at,
                                       const google::protobuf::Timestamp& at,
                                       int64_t min_sequence,
                                       bool reads_catalog = true) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  absl::Status NotCaughtUpError() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void MarkCaughtUpLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<uint32_t> FindEntity(absl::string_view field,
                                      absl::string_view name,
                                      RecordTime at) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  absl::StatusOr<ItemFilter> MakeFilter(v1::ItemType item_type,
                                        absl::string_view kind,
                                        absl::string_view predicate,
                                        absl::string_view entity,
                                        RecordTime at) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Calls fn(record_id, const ExtentRecord&) for each record visible at `at`
  // that passes `filter` and possibly overlaps [from, to).
  template <typename Fn>
  void ForEachItem(const ItemFilter& filter, temporal::Day from,
                   temporal::Day to, RecordTime at, Fn&& fn) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  bool PassesFilter(const ItemFilter& filter, const ExtentRecord& record,
                    RecordTime at) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Calls fn(record_id, const ExtentRecord&) for each record ever made
  // about `entity` (subject or object; a self-reference once).
  template <typename Fn>
  void ForEachRecordAbout(uint32_t entity, Fn&& fn) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // The same for one role: 'l' lifespans, 's' subject, 'o' object.
  template <typename Fn>
  void ForEachRecordOf(uint32_t entity, char role, Fn&& fn) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  explicit TimelineState(TimelineLimits limits,
                         std::unique_ptr<TimelineStore> store);
  // Loads the folder's state (see Open).
  absl::Status Load();
  // The file SaveIndexes writes.
  std::string IndexesPath() const;
  // Loads the file SaveIndexes wrote, if it matches the folder; false
  // (nothing loaded) otherwise.
  bool LoadSavedIndexes() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Rebuilds the in-memory part from the folder's records.
  void LoadFromRecords() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Reads from the store; an entry it lacks reads as empty (it cannot lack
  // one the indexes name unless the folder was damaged).
  ExtentRecord ReadRecord(uint32_t id) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  stored::EntityValue ReadEntity(uint32_t entity) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  bool ReadStatement(absl::string_view id, stored::StatementValue* value) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  catalog::v1::Statement StatementAt(const ExtentRecord& record,
                                     RecordTime at) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  catalog::v1::Entity EntityAt(uint32_t entity, RecordTime at) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // "statements/{id}" or "entities/{id}" of a record's resource (the id
  // refers into `record` or the entity table).
  std::string ResourceName(const ExtentRecord& record) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  const std::string& ResourceId(const ExtentRecord& record) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  bool IsEventKind(uint32_t kind) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  std::string PageSecret() const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  template <typename Changes>
  absl::Status ApplyAll(const Changes& changes) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status ApplyOne(const catalog::v1::Change& change)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ApplyEntity(const catalog::v1::Change& change, RecordTime recorded)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ApplyStatement(const catalog::v1::Change& change, RecordTime recorded)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint32_t InternEntity(absl::string_view id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint32_t InternPredicate(absl::string_view name)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint32_t InternKind(absl::string_view name)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The pending version of an entity (its writes not yet committed).
  stored::EntityValue& PendingEntity(uint32_t entity)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint32_t AddRecord(const ExtentRecord& record)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RetireRecord(uint32_t id, ExtentRecord record, RecordTime at)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes the pending entities and the meta keys, and commits; on failure
  // the state stops (its memory is ahead of its folder).
  absl::Status CommitLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  IntervalIndex& IndexOf(const ExtentRecord& record)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const TimelineLimits limits_{};
  mutable absl::Mutex mu_;
  int64_t applied_ ABSL_GUARDED_BY(mu_) = 0;
  RecordTime last_recorded_ ABSL_GUARDED_BY(mu_) = INT64_MIN;
  std::string catalog_id_ ABSL_GUARDED_BY(mu_);
  std::string stopped_reason_ ABSL_GUARDED_BY(mu_);
  std::string catalog_address_ ABSL_GUARDED_BY(mu_);
  // The head to reach for the first catch-up; -1 while unknown.
  int64_t catch_up_target_ ABSL_GUARDED_BY(mu_) = -1;
  bool caught_up_ ABSL_GUARDED_BY(mu_) = false;

  std::unique_ptr<TimelineStore> store_;
  StoreLoad store_load_;
  std::optional<catalog::v1::Change> last_change_ ABSL_GUARDED_BY(mu_);
  // Set when the folder is created or cleared: a saved index file names it,
  // so that it is never loaded into another history of the folder.
  std::string generation_ ABSL_GUARDED_BY(mu_);

  // Entity numbers by id: a set of numbers hashed and compared by the id in
  // entities_, so that each id is held once (a map from id strings took
  // about 80 bytes per entity).
  struct EntityIdHash {
    using is_transparent = void;
    const std::vector<EntityItem>* entities;
    size_t operator()(absl::string_view id) const {
      return absl::Hash<absl::string_view>()(id);
    }
    size_t operator()(uint32_t entity) const {
      return (*this)(absl::string_view((*entities)[entity].id));
    }
  };
  struct EntityIdEq {
    using is_transparent = void;
    const std::vector<EntityItem>* entities;
    absl::string_view Id(uint32_t entity) const {
      return (*entities)[entity].id;
    }
    absl::string_view Id(absl::string_view id) const { return id; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return Id(a) == Id(b);
    }
  };

  std::vector<EntityItem> entities_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<uint32_t, EntityIdHash, EntityIdEq> entity_ids_
      ABSL_GUARDED_BY(mu_){0, EntityIdHash{&entities_}, EntityIdEq{&entities_}};
  // Entities changed by the Apply in progress, written at its commit.
  absl::flat_hash_map<uint32_t, stored::EntityValue> pending_entities_
      ABSL_GUARDED_BY(mu_);
  uint32_t record_count_ ABSL_GUARDED_BY(mu_) = 0;

  // Predicates and kinds, interned; each has its own index.
  absl::flat_hash_map<std::string, uint32_t> predicate_ids_
      ABSL_GUARDED_BY(mu_);
  std::vector<std::string> predicate_names_ ABSL_GUARDED_BY(mu_);
  std::vector<IntervalIndex> statement_indexes_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, uint32_t> kind_ids_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> kind_names_ ABSL_GUARDED_BY(mu_);
  std::vector<IntervalIndex> lifespan_indexes_ ABSL_GUARDED_BY(mu_);
};

}  // namespace annals::timeline

#endif  // ANNALS_SERVICES_TIMELINE_TIMELINE_STATE_H_
