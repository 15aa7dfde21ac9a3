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
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
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
  // Bytes of the extent records (bounds, record times, facets).
  size_t record_bytes = 0;
  // Bytes of the revisions (serialized resources) and id maps.
  size_t revision_bytes = 0;
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
  TimelineState() = default;
  explicit TimelineState(TimelineLimits limits) : limits_(limits) {}
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

  // Marks the state as no longer following the catalog (its history changed
  // underneath): from now on every query fails with UNAVAILABLE carrying
  // `reason`. Permanent.
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
  using RecordTime = int64_t;
  static constexpr RecordTime kForever = INT64_MAX;
  static constexpr RecordTime kNow = INT64_MAX - 1;
  static constexpr uint32_t kNone = UINT32_MAX;

  struct Revision {
    RecordTime recorded;
    int64_t sequence;
    // Predicate id (statements) or kind id (entities).
    uint32_t facet;
    // Retracted statement or deleted entity.
    bool hidden;
    // The serialized catalog::v1::Statement or catalog::v1::Entity.
    std::string resource;
  };

  struct EntityItem {
    std::string id;
    std::vector<Revision> revisions;   // in record order
    uint32_t lifespan_record = kNone;  // current, if any
    // Every record ever made of this entity's lifespan, and of statements
    // with it as subject or object.
    std::vector<uint32_t> lifespan_records;
    std::vector<uint32_t> subject_records;
    std::vector<uint32_t> object_records;
  };

  struct StatementItem {
    std::string id;
    std::vector<Revision> revisions;
    uint32_t record = kNone;  // current, if any
  };

  struct ExtentRecord {
    temporal::Extent extent;
    RecordTime recorded;
    RecordTime retired;
    // StatementItem (for statements) or EntityItem (for lifespans) index.
    uint32_t item;
    // Predicate id (statements) or kind id (lifespans).
    uint32_t facet;
    // Statements: subject and object entity (kNone for a literal object).
    // Lifespans: the entity itself, and kNone.
    uint32_t subject;
    uint32_t object;
    bool is_statement;

    bool VisibleAt(RecordTime at) const {
      return recorded <= at && at < retired;
    }
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
  // Records about `entity` (subject or object; a self-reference once).
  template <typename Fn>
  void ForEachRecordAbout(uint32_t entity, Fn&& fn) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  static const Revision* RevisionAt(const std::vector<Revision>& revisions,
                                    RecordTime at);
  catalog::v1::Statement StatementAt(const ExtentRecord& record,
                                     RecordTime at) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  catalog::v1::Entity EntityAt(uint32_t entity, RecordTime at) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // "statements/{id}" or "entities/{id}" of a record's resource.
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
  uint32_t InternStatement(absl::string_view id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static uint32_t Intern(absl::string_view name,
                         absl::flat_hash_map<std::string, uint32_t>& ids,
                         std::vector<std::string>& names,
                         std::vector<IntervalIndex>& indexes);
  uint32_t AddRecord(const ExtentRecord& record)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RetireRecord(uint32_t record, RecordTime at)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
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

  std::vector<EntityItem> entities_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, uint32_t> entity_ids_ ABSL_GUARDED_BY(mu_);
  std::vector<StatementItem> statements_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, uint32_t> statement_ids_
      ABSL_GUARDED_BY(mu_);
  std::vector<ExtentRecord> records_ ABSL_GUARDED_BY(mu_);

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
