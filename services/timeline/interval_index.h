// IntervalIndex: the extents of one facet (a predicate, an entity kind),
// searchable by the days they may hold on.
//
// The layout is AIList's (Feng, Ratan and Sheffield, "Augmented interval
// list", 2019), the flat-array cousin of cgranges: entries sorted by start,
// each carrying the largest end among itself and the entries before it. An
// overlap query binary-searches the last entry starting before the window
// and walks backwards while that running maximum reaches into the window.
// A plain augmented list degrades when a few long entries (ongoing tenures,
// "2024-05-24/..") keep the running maximum high, so the list is split into
// up to eight components: an entry that contains most of the 40 entries
// after it moves to the next component, where entries are as long as it is.
// A query walks each component, visiting O(log n + hits) entries in
// practice. Live inserts go to a small unsorted delta buffer that queries
// scan linearly; it is merged (and the components rebuilt, O(n)) once it
// holds more than 1/16 of the entries (at least 512), so merging costs a
// constant amount of work per insert, amortized.
//
// Counting the live entries that overlap a window (CountOverlapping, for
// stabbing counts) needs no walk: Build also keeps the bounds of the live
// entries in sorted arrays, and an entry overlaps [from, to) unless it
// starts at or after `to` or ends at or before `from`, never both (its
// bounds are ordered), so the count is the live total minus two binary
// searches. Retirements since the last Build, the delta buffer and the rare
// certain extents whose certain core is empty (see CountOverlapping) are
// scanned; they count towards the merge threshold too.
//
// Each entry stores the extent's four bounds (see temporal/extent.h), so
// HoldsOn / Overlaps answers for an entry need no other memory; entries are
// indexed on the outer bounds [earliest_start, latest_end), the days on which
// the extent possibly holds, so every extent that may answer POSSIBLE or
// DEFINITE is found. Entries are never removed: Retire() flags one that is
// no longer current (it stays visible to queries about the past), keeping
// record-time ("known at") queries answerable from the same index.
//
// Thread safety: const methods may run concurrently with each other;
// Insert, Retire and Compact need exclusive access.
//
//   IntervalIndex index;
//   index.Insert(*Extent::Parse("2020-11-24/2021-05-06"), 7);
//   index.ForEachOverlapping(day, day + 1, [&](const IndexedExtent& e) {
//     if (!e.retired() && e.HoldsOn(day) != Certainty::kNo) ...
//   });
#ifndef ANNALS_SERVICES_TIMELINE_INTERVAL_INDEX_H_
#define ANNALS_SERVICES_TIMELINE_INTERVAL_INDEX_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/common/temporal/day.h"
#include "services/common/temporal/extent.h"

namespace annals::timeline {

// One extent in an index: 24 bytes.
struct IndexedExtent {
  // Ids are below 2^30 (two bits of `id_and_flags` hold the flags).
  static constexpr uint32_t kMaxId = (uint32_t{1} << 30) - 1;

  static IndexedExtent Of(const temporal::Extent& extent, uint32_t id);

  uint32_t id() const { return id_and_flags >> 2; }
  // The extent is uncertain ("?" or "%"): never DEFINITE.
  bool uncertain() const { return (id_and_flags & 1u) != 0; }
  // Flagged by IntervalIndex::Retire: no longer current.
  bool retired() const { return (id_and_flags & 2u) != 0; }
  // For IntervalIndex::Load: an entry retired before it was saved.
  void MarkRetired() { id_and_flags |= 2u; }

  // The same answers as temporal::Extent::HoldsOn / Overlaps for the extent
  // the entry was made from (its bounds are tight, so these closed forms are
  // exact; tests/timeline/interval_index_test.cc checks them against the
  // temporal library).
  temporal::Certainty HoldsOn(temporal::Day day) const;
  temporal::Certainty Overlaps(temporal::Day from, temporal::Day to) const;

  temporal::Day earliest_start;
  temporal::Day latest_start;
  temporal::Day earliest_end;
  temporal::Day latest_end;
  uint32_t id_and_flags;
  // Maintained by IntervalIndex: the largest latest_end of this entry and
  // the entries before it in its component.
  temporal::Day max_end;
};
static_assert(sizeof(IndexedExtent) == 24);

// Live entries overlapping a window, split as IndexedExtent::Overlaps
// answers: `definite` (kDefinite) and `possible` (kPossible only).
struct OverlapCount {
  int64_t definite = 0;
  int64_t possible = 0;
};

class IntervalIndex {
 public:
  IntervalIndex() = default;
  IntervalIndex(IntervalIndex&&) = default;
  IntervalIndex& operator=(IntervalIndex&&) = default;

  // Adds `extent` under `id` (at most IndexedExtent::kMaxId; ids must be
  // unique within the index).
  void Insert(const temporal::Extent& extent, uint32_t id);

  // Flags the entry Insert(extent, id) made as retired. Returns false,
  // changing nothing, if there is no such entry. O(log n) plus the delta
  // buffer.
  bool Retire(const temporal::Extent& extent, uint32_t id);

  // Calls fn(const IndexedExtent&) for every entry, retired ones included,
  // whose outer bounds overlap the window [from, to): earliest_start < to and
  // latest_end > from. `from` may be kMinusInfinity and `to` kPlusInfinity;
  // an empty window finds nothing. The order is unspecified.
  template <typename Fn>
  void ForEachOverlapping(temporal::Day from, temporal::Day to, Fn&& fn) const;

  // Like ForEachOverlapping, restricted to entries with earliest_start >=
  // min_start, but each component is walked in chronological order (by the
  // four bounds, earliest start first) and left once take(const
  // IndexedExtent&) has returned true `enough` times (at least 1) and the
  // bounds differ from those of the last entry taken; the delta buffer is
  // scanned whole. Any entry it skips therefore has `enough` taken entries
  // with smaller bounds, so the `enough` smallest in an order led by the
  // bounds (ChronoKey's, in timeline_state.cc) are always among those
  // taken: a first page in chronological order costs O(log n) plus the
  // entries visited, not the whole overlap. A component's walk starts at
  // its first entry whose running maximum end passes `from`, and skips runs
  // of entries that all end by `from`.
  template <typename Take>
  void ForEachOverlappingByStart(temporal::Day from, temporal::Day to,
                                 temporal::Day min_start, size_t enough,
                                 Take&& take) const;

  // Counts the live (not retired) entries overlapping [from, to), by
  // certainty: the same numbers as calling Overlaps(from, to) on each live
  // entry ForEachOverlapping finds. O(log n) plus a scan of the delta
  // buffer and of the entries retired since the last merge; windows longer
  // than two days also scan the certain entries whose certain core is empty
  // (latest_start >= earliest_end, such as an event dated "2018-11"), which
  // never hold definitely on a window of one or two days.
  OverlapCount CountOverlapping(temporal::Day from, temporal::Day to) const;

  // How many entries CountOverlapping scans linearly for a window of
  // `days` days, a cost estimate for callers choosing between one count per
  // bucket and one walk over a whole range.
  size_t CountScanSize(int64_t days) const;

  // Replaces the contents with `entries` (ids unique; retired ones
  // flagged), built at once in O(n log n): a state reloaded from its
  // folder.
  void Load(std::vector<IndexedExtent> entries);

  // Appends the whole index to `out` as bytes that Restore reads back in
  // this build (raw arrays: a saved index is for the same binary's
  // restart, not a portable format).
  void Save(std::string* out) const;
  // Replaces the contents with what Save wrote at the front of `*in`, and
  // advances `*in` past it. False (the index then empty) if `*in` is too
  // short or inconsistent.
  bool Restore(absl::string_view* in);

  // Merges the delta buffer into the components now (rebuilding them) and
  // forgets the retirements since the last merge.
  void Compact();

  // Entries, retired ones included.
  size_t size() const { return sorted_size_ + delta_.size(); }
  // Bytes held by the index: the components' and the delta buffer's
  // capacity, plus the object itself.
  size_t MemoryBytes() const;

 private:
  // Rebuilds the components from `sorted`, in ByBoundsThenId order (the
  // four bounds, then the id).
  void Build(std::vector<IndexedExtent> sorted);

  // Merges once the delta buffer and the retirements since the last merge
  // hold more than max(kMinDelta, sorted_size_ / kDeltaDivisor) entries.
  void MaybeCompact();

  static bool SameBounds(const IndexedExtent& a, const IndexedExtent& b) {
    return a.earliest_start == b.earliest_start &&
           a.latest_start == b.latest_start &&
           a.earliest_end == b.earliest_end && a.latest_end == b.latest_end;
  }

  // The first entry of components_[c] at or after position i whose
  // latest_end is after `day`, or the component's size.
  size_t NextEndingAfter(size_t c, size_t i, temporal::Day day) const;

  // Each in ByBoundsThenId order, with max_end maintained.
  std::vector<std::vector<IndexedExtent>> components_;
  // Per component, the largest latest_end of each run of kBlock entries
  // and of each run of kSuperBlock entries (runs aligned to multiples), so
  // that NextEndingAfter skips runs that end too early.
  static constexpr size_t kBlock = 16;
  static constexpr size_t kSuperBlock = 256;
  std::vector<std::vector<temporal::Day>> block_max_end_;
  std::vector<std::vector<temporal::Day>> super_max_end_;
  std::vector<IndexedExtent> delta_;  // unsorted, recent inserts
  size_t sorted_size_ = 0;            // entries in components_

  // The counting arrays, as of the last Build, over the entries of
  // components_ that were live then. Sorted.
  std::vector<temporal::Day> live_starts_;  // earliest_start
  std::vector<temporal::Day> live_ends_;    // latest_end
  // Certain entries with latest_start < earliest_end: a reading holds on
  // every day of [latest_start, earliest_end).
  std::vector<temporal::Day> core_starts_;  // latest_start
  std::vector<temporal::Day> core_ends_;    // earliest_end
  // Certain entries with latest_start >= earliest_end, and the smallest
  // latest_start - earliest_end among them.
  std::vector<IndexedExtent> coreless_;
  int64_t min_coreless_gap_ = 0;
  // Entries of components_ retired since the last Build (copies).
  std::vector<IndexedExtent> retired_since_build_;
};

template <typename Fn>
void IntervalIndex::ForEachOverlapping(temporal::Day from, temporal::Day to,
                                       Fn&& fn) const {
  if (from >= to) return;
  for (const std::vector<IndexedExtent>& component : components_) {
    // Past the last entry that starts before `to`, walk back while some
    // entry at or before the cursor ends after `from`.
    size_t t = static_cast<size_t>(
        std::lower_bound(component.begin(), component.end(), to,
                         [](const IndexedExtent& e, temporal::Day day) {
                           return e.earliest_start < day;
                         }) -
        component.begin());
    while (t > 0) {
      const IndexedExtent& e = component[--t];
      if (e.max_end <= from) break;
      if (e.latest_end > from) fn(e);
    }
  }
  for (const IndexedExtent& e : delta_) {
    if (e.earliest_start < to && e.latest_end > from) fn(e);
  }
}

template <typename Take>
void IntervalIndex::ForEachOverlappingByStart(temporal::Day from,
                                              temporal::Day to,
                                              temporal::Day min_start,
                                              size_t enough,
                                              Take&& take) const {
  if (from >= to || enough == 0) return;
  for (size_t c = 0; c < components_.size(); ++c) {
    const std::vector<IndexedExtent>& component = components_[c];
    // Before the first entry whose running maximum end passes `from`,
    // nothing reaches into the window; before min_start, nothing is wanted.
    auto first = std::partition_point(
        component.begin(), component.end(),
        [from](const IndexedExtent& e) { return e.max_end <= from; });
    first = std::partition_point(first, component.end(),
                                 [min_start](const IndexedExtent& e) {
                                   return e.earliest_start < min_start;
                                 });
    size_t taken = 0;
    const IndexedExtent* last = nullptr;  // the last entry taken
    for (size_t i = NextEndingAfter(c, first - component.begin(), from);
         i < component.size() && component[i].earliest_start < to;
         i = NextEndingAfter(c, i + 1, from)) {
      const IndexedExtent& e = component[i];
      if (taken >= enough && !SameBounds(e, *last)) break;
      if (take(e)) {
        ++taken;
        last = &e;
      }
    }
  }
  for (const IndexedExtent& e : delta_) {
    if (e.earliest_start < to && e.latest_end > from &&
        e.earliest_start >= min_start) {
      take(e);
    }
  }
}

inline size_t IntervalIndex::NextEndingAfter(size_t c, size_t i,
                                             temporal::Day day) const {
  const std::vector<IndexedExtent>& component = components_[c];
  const std::vector<temporal::Day>& blocks = block_max_end_[c];
  const std::vector<temporal::Day>& supers = super_max_end_[c];
  const size_t n = component.size();
  while (i < n) {
    if (i % kSuperBlock == 0 && supers[i / kSuperBlock] <= day) {
      i += kSuperBlock;
    } else if (i % kBlock == 0 && blocks[i / kBlock] <= day) {
      i += kBlock;
    } else if (component[i].latest_end <= day) {
      ++i;
    } else {
      return i;
    }
  }
  return n;
}

}  // namespace annals::timeline

#endif  // ANNALS_SERVICES_TIMELINE_INTERVAL_INDEX_H_
