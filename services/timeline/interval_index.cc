#include "services/timeline/interval_index.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <tuple>
#include <type_traits>

namespace annals::timeline {
namespace {

using temporal::Certainty;
using temporal::Day;

// The delta buffer is merged once it holds more than
// max(kMinDelta, sorted size / kDeltaDivisor) entries.
constexpr size_t kMinDelta = 512;
constexpr size_t kDeltaDivisor = 16;
// AIList's parameters: coverage threshold and the number of components.
constexpr size_t kMinCoverage = 20;
constexpr size_t kMaxComponents = 8;

// The order of the components: chronological (the four bounds, the
// earliest start first), then by id.
bool ByBoundsThenId(const IndexedExtent& a, const IndexedExtent& b) {
  return std::make_tuple(a.earliest_start, a.latest_start, a.earliest_end,
                         a.latest_end, a.id()) <
         std::make_tuple(b.earliest_start, b.latest_start, b.earliest_end,
                         b.latest_end, b.id());
}

}  // namespace

IndexedExtent IndexedExtent::Of(const temporal::Extent& extent, uint32_t id) {
  if (id > kMaxId) {
    std::fprintf(stderr, "IndexedExtent: id %u exceeds the maximum %u\n", id,
                 kMaxId);
    std::abort();
  }
  IndexedExtent entry;
  entry.earliest_start = extent.earliest_start();
  entry.latest_start = extent.latest_start();
  entry.earliest_end = extent.earliest_end();
  entry.latest_end = extent.latest_end();
  entry.id_and_flags = (id << 2) | (extent.uncertain() ? 1u : 0u);
  entry.max_end = entry.latest_end;
  return entry;
}

// A reading (s, e) holds on `day` iff s <= day < e. Some reading does iff
// earliest_start <= day < latest_end; every reading does iff
// latest_start <= day < earliest_end (tight bounds; an instant's bounds
// satisfy earliest_end == earliest_start + 1 and latest_end ==
// latest_start + 1, for which the same formulas hold).
Certainty IndexedExtent::HoldsOn(Day day) const {
  if (day < earliest_start || day >= latest_end) return Certainty::kNo;
  if (!uncertain() && latest_start <= day && day < earliest_end) {
    return Certainty::kDefinite;
  }
  return Certainty::kPossible;
}

// A reading overlaps [from, to) iff s < to and e > from. Some reading does
// iff earliest_start < to and latest_end > from; every reading does iff
// latest_start < to and earliest_end > from.
Certainty IndexedExtent::Overlaps(Day from, Day to) const {
  if (from >= to || earliest_start >= to || latest_end <= from) {
    return Certainty::kNo;
  }
  if (!uncertain() && latest_start < to && earliest_end > from) {
    return Certainty::kDefinite;
  }
  return Certainty::kPossible;
}

void IntervalIndex::Insert(const temporal::Extent& extent, uint32_t id) {
  delta_.push_back(IndexedExtent::Of(extent, id));
  MaybeCompact();
}

void IntervalIndex::MaybeCompact() {
  if (delta_.size() + retired_since_build_.size() >
      std::max(kMinDelta, sorted_size_ / kDeltaDivisor)) {
    Compact();
  }
}

bool IntervalIndex::Retire(const temporal::Extent& extent, uint32_t id) {
  const IndexedExtent key = IndexedExtent::Of(extent, id);
  auto same = [&key](const IndexedExtent& e) {
    return e.id() == key.id() && e.earliest_start == key.earliest_start &&
           e.latest_start == key.latest_start &&
           e.earliest_end == key.earliest_end && e.latest_end == key.latest_end;
  };
  for (auto it = delta_.rbegin(); it != delta_.rend(); ++it) {
    if (same(*it)) {
      it->id_and_flags |= 2u;
      return true;
    }
  }
  for (std::vector<IndexedExtent>& component : components_) {
    auto it = std::lower_bound(component.begin(), component.end(), key,
                               ByBoundsThenId);
    if (it != component.end() && same(*it)) {
      if (!it->retired()) {
        it->id_and_flags |= 2u;
        retired_since_build_.push_back(*it);
        MaybeCompact();
      }
      return true;
    }
  }
  return false;
}

namespace {

// Entries of the sorted array `days` that are <= day, and >= day.
int64_t AtOrBelow(const std::vector<Day>& days, Day day) {
  return std::upper_bound(days.begin(), days.end(), day) - days.begin();
}
int64_t AtOrAbove(const std::vector<Day>& days, Day day) {
  return days.end() - std::lower_bound(days.begin(), days.end(), day);
}

void Tally(const IndexedExtent& e, Day from, Day to, int64_t sign,
           OverlapCount& count) {
  switch (e.Overlaps(from, to)) {
    case Certainty::kDefinite:
      count.definite += sign;
      break;
    case Certainty::kPossible:
      count.possible += sign;
      break;
    case Certainty::kNo:
      break;
  }
}

}  // namespace

// Some reading overlaps [from, to) iff earliest_start < to and latest_end >
// from. Since earliest_start < latest_end, no entry fails both tests (that
// would need latest_end <= from < to <= earliest_start), so the entries
// failing either are counted apart and subtracted. Every reading overlaps
// iff the entry is certain, latest_start < to and earliest_end > from; the
// same argument holds for the entries with latest_start < earliest_end.
// The others (coreless_) can only when from < earliest_end <= latest_start
// < to, that is when the window has at least latest_start - earliest_end +
// 2 days.
OverlapCount IntervalIndex::CountOverlapping(Day from, Day to) const {
  OverlapCount count;
  if (from >= to) return count;
  const int64_t any = static_cast<int64_t>(live_starts_.size()) -
                      AtOrAbove(live_starts_, to) - AtOrBelow(live_ends_, from);
  int64_t definite = static_cast<int64_t>(core_starts_.size()) -
                     AtOrAbove(core_starts_, to) - AtOrBelow(core_ends_, from);
  if (!coreless_.empty() && int64_t{to} - from >= min_coreless_gap_ + 2) {
    for (const IndexedExtent& e : coreless_) {
      if (e.latest_start < to && e.earliest_end > from) ++definite;
    }
  }
  count.definite = definite;
  count.possible = any - definite;
  for (const IndexedExtent& e : retired_since_build_) {
    Tally(e, from, to, -1, count);
  }
  for (const IndexedExtent& e : delta_) {
    if (!e.retired()) Tally(e, from, to, +1, count);
  }
  return count;
}

size_t IntervalIndex::CountScanSize(int64_t days) const {
  size_t scanned = delta_.size() + retired_since_build_.size();
  if (!coreless_.empty() && days >= min_coreless_gap_ + 2) {
    scanned += coreless_.size();
  }
  return scanned;
}

void IntervalIndex::Load(std::vector<IndexedExtent> entries) {
  std::sort(entries.begin(), entries.end(), ByBoundsThenId);
  delta_ = {};
  retired_since_build_ = {};
  components_ = {};
  Build(std::move(entries));
}

void IntervalIndex::Compact() {
  if (delta_.empty() && retired_since_build_.empty()) return;
  std::sort(delta_.begin(), delta_.end(), ByBoundsThenId);
  std::vector<IndexedExtent> sorted = std::move(delta_);
  delta_ = {};
  // Merge the components (each sorted) into the sorted delta, one by one.
  for (std::vector<IndexedExtent>& component : components_) {
    std::vector<IndexedExtent> merged;
    merged.reserve(sorted.size() + component.size());
    std::merge(sorted.begin(), sorted.end(), component.begin(), component.end(),
               std::back_inserter(merged), ByBoundsThenId);
    sorted = std::move(merged);
    component = {};
  }
  Build(std::move(sorted));
}

// AIList's decomposition: an entry that contains (ends no later than its
// own end) at least kMinCoverage of the kMinCoverage * 2 entries after it
// would keep the running maximum high over them, so it moves on to the next
// component. The last entry of a list is always kept, so every pass keeps
// at least one entry and the loop ends.
void IntervalIndex::Build(std::vector<IndexedExtent> sorted) {
  live_starts_.clear();
  live_ends_.clear();
  core_starts_.clear();
  core_ends_.clear();
  coreless_.clear();
  min_coreless_gap_ = 0;
  for (const IndexedExtent& e : sorted) {
    if (e.retired()) continue;
    live_starts_.push_back(e.earliest_start);  // already in order
    live_ends_.push_back(e.latest_end);
    if (e.uncertain()) continue;
    if (e.latest_start < e.earliest_end) {
      core_starts_.push_back(e.latest_start);
      core_ends_.push_back(e.earliest_end);
    } else {
      const int64_t gap = int64_t{e.latest_start} - e.earliest_end;
      if (coreless_.empty() || gap < min_coreless_gap_) min_coreless_gap_ = gap;
      coreless_.push_back(e);
    }
  }
  std::sort(live_ends_.begin(), live_ends_.end());
  std::sort(core_starts_.begin(), core_starts_.end());
  std::sort(core_ends_.begin(), core_ends_.end());
  for (std::vector<Day>* days :
       {&live_starts_, &live_ends_, &core_starts_, &core_ends_}) {
    days->shrink_to_fit();
  }
  coreless_.shrink_to_fit();
  retired_since_build_ = {};

  components_.clear();
  block_max_end_.clear();
  super_max_end_.clear();
  sorted_size_ = sorted.size();
  std::vector<IndexedExtent> rest = std::move(sorted);
  while (!rest.empty()) {
    std::vector<IndexedExtent> keep;
    std::vector<IndexedExtent> moved;
    if (components_.size() + 1 == kMaxComponents ||
        rest.size() <= 2 * kMinCoverage) {
      keep = std::move(rest);
      rest = {};
    } else {
      const size_t n = rest.size();
      for (size_t i = 0; i < n; ++i) {
        const size_t last = std::min(n, i + 1 + 2 * kMinCoverage);
        size_t covered = 0;
        for (size_t j = i + 1; j < last; ++j) {
          if (rest[j].latest_end <= rest[i].latest_end) ++covered;
        }
        (covered >= kMinCoverage ? moved : keep).push_back(rest[i]);
      }
      rest = std::move(moved);
    }
    keep.shrink_to_fit();
    Day max_end = temporal::kMinusInfinity;
    std::vector<Day> blocks((keep.size() + kBlock - 1) / kBlock,
                            temporal::kMinusInfinity);
    std::vector<Day> supers((keep.size() + kSuperBlock - 1) / kSuperBlock,
                            temporal::kMinusInfinity);
    for (size_t i = 0; i < keep.size(); ++i) {
      IndexedExtent& e = keep[i];
      max_end = std::max(max_end, e.latest_end);
      e.max_end = max_end;
      blocks[i / kBlock] = std::max(blocks[i / kBlock], e.latest_end);
      supers[i / kSuperBlock] = std::max(supers[i / kSuperBlock], e.latest_end);
    }
    components_.push_back(std::move(keep));
    block_max_end_.push_back(std::move(blocks));
    super_max_end_.push_back(std::move(supers));
  }
}

namespace {

template <typename T>
void SaveArray(const std::vector<T>& values, std::string* out) {
  static_assert(std::is_trivially_copyable_v<T>);
  const uint64_t size = values.size();
  out->append(reinterpret_cast<const char*>(&size), sizeof(size));
  if (values.empty()) return;  // data() may be null
  out->append(reinterpret_cast<const char*>(values.data()),
              values.size() * sizeof(T));
}

template <typename T>
bool RestoreArray(absl::string_view* in, std::vector<T>* values) {
  uint64_t size = 0;
  if (in->size() < sizeof(size)) return false;
  std::memcpy(&size, in->data(), sizeof(size));
  in->remove_prefix(sizeof(size));
  if (size > in->size() / sizeof(T)) return false;
  values->resize(size);
  if (size == 0) return true;  // data() may be null
  std::memcpy(values->data(), in->data(), size * sizeof(T));
  in->remove_prefix(size * sizeof(T));
  return true;
}

}  // namespace

void IntervalIndex::Save(std::string* out) const {
  const uint64_t header[3] = {components_.size(), sorted_size_,
                              static_cast<uint64_t>(min_coreless_gap_)};
  out->append(reinterpret_cast<const char*>(header), sizeof(header));
  for (size_t c = 0; c < components_.size(); ++c) {
    SaveArray(components_[c], out);
    SaveArray(block_max_end_[c], out);
    SaveArray(super_max_end_[c], out);
  }
  for (const std::vector<Day>* days :
       {&live_starts_, &live_ends_, &core_starts_, &core_ends_}) {
    SaveArray(*days, out);
  }
  for (const std::vector<IndexedExtent>* entries :
       {&delta_, &coreless_, &retired_since_build_}) {
    SaveArray(*entries, out);
  }
}

bool IntervalIndex::Restore(absl::string_view* in) {
  *this = IntervalIndex();
  uint64_t header[3];
  if (in->size() < sizeof(header)) return false;
  std::memcpy(header, in->data(), sizeof(header));
  in->remove_prefix(sizeof(header));
  // At most eight components (see Build); anything else is not an index.
  if (header[0] > 64) return false;
  components_.resize(header[0]);
  block_max_end_.resize(header[0]);
  super_max_end_.resize(header[0]);
  sorted_size_ = header[1];
  min_coreless_gap_ = static_cast<int64_t>(header[2]);
  bool ok = true;
  for (size_t c = 0; ok && c < components_.size(); ++c) {
    ok = RestoreArray(in, &components_[c]) &&
         RestoreArray(in, &block_max_end_[c]) &&
         RestoreArray(in, &super_max_end_[c]);
  }
  for (std::vector<Day>* days :
       {&live_starts_, &live_ends_, &core_starts_, &core_ends_}) {
    ok = ok && RestoreArray(in, days);
  }
  for (std::vector<IndexedExtent>* entries :
       {&delta_, &coreless_, &retired_since_build_}) {
    ok = ok && RestoreArray(in, entries);
  }
  if (!ok) *this = IntervalIndex();
  return ok;
}

size_t IntervalIndex::MemoryBytes() const {
  size_t bytes = sizeof(*this) + delta_.capacity() * sizeof(IndexedExtent) +
                 components_.capacity() * sizeof(std::vector<IndexedExtent>);
  for (const std::vector<IndexedExtent>& component : components_) {
    bytes += component.capacity() * sizeof(IndexedExtent);
  }
  for (size_t c = 0; c < components_.size(); ++c) {
    bytes += (block_max_end_[c].capacity() + super_max_end_[c].capacity()) *
             sizeof(Day);
  }
  bytes += (live_starts_.capacity() + live_ends_.capacity() +
            core_starts_.capacity() + core_ends_.capacity()) *
               sizeof(Day) +
           (coreless_.capacity() + retired_since_build_.capacity()) *
               sizeof(IndexedExtent);
  return bytes;
}

}  // namespace annals::timeline
