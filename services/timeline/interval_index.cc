#include "services/timeline/interval_index.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <tuple>

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

bool ByStartThenId(const IndexedExtent& a, const IndexedExtent& b) {
  return std::make_tuple(a.earliest_start, a.id()) <
         std::make_tuple(b.earliest_start, b.id());
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
  if (delta_.size() > std::max(kMinDelta, sorted_size_ / kDeltaDivisor)) {
    Compact();
  }
}

bool IntervalIndex::Retire(Day earliest_start, uint32_t id) {
  for (auto it = delta_.rbegin(); it != delta_.rend(); ++it) {
    if (it->id() == id && it->earliest_start == earliest_start) {
      it->id_and_flags |= 2u;
      return true;
    }
  }
  IndexedExtent key;
  key.earliest_start = earliest_start;
  key.id_and_flags = id << 2;
  for (std::vector<IndexedExtent>& component : components_) {
    auto it = std::lower_bound(component.begin(), component.end(), key,
                               ByStartThenId);
    if (it != component.end() && it->earliest_start == earliest_start &&
        it->id() == id) {
      it->id_and_flags |= 2u;
      return true;
    }
  }
  return false;
}

void IntervalIndex::Compact() {
  if (delta_.empty()) return;
  std::sort(delta_.begin(), delta_.end(), ByStartThenId);
  std::vector<IndexedExtent> sorted = std::move(delta_);
  delta_ = {};
  // Merge the components (each sorted) into the sorted delta, one by one.
  for (std::vector<IndexedExtent>& component : components_) {
    std::vector<IndexedExtent> merged;
    merged.reserve(sorted.size() + component.size());
    std::merge(sorted.begin(), sorted.end(), component.begin(), component.end(),
               std::back_inserter(merged), ByStartThenId);
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
  components_.clear();
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
    for (IndexedExtent& e : keep) {
      max_end = std::max(max_end, e.latest_end);
      e.max_end = max_end;
    }
    components_.push_back(std::move(keep));
  }
}

size_t IntervalIndex::MemoryBytes() const {
  size_t bytes = sizeof(*this) + delta_.capacity() * sizeof(IndexedExtent) +
                 components_.capacity() * sizeof(std::vector<IndexedExtent>);
  for (const std::vector<IndexedExtent>& component : components_) {
    bytes += component.capacity() * sizeof(IndexedExtent);
  }
  return bytes;
}

}  // namespace annals::timeline
