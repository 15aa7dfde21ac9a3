#include "services/common/temporal/gaps.h"

#include <algorithm>
#include <ostream>
#include <utility>
#include <vector>

#include "absl/types/span.h"
#include "services/common/temporal/day.h"
#include "services/common/temporal/extent.h"

namespace annals::temporal {
namespace {

// Sorts `ranges` and merges overlapping or adjacent ones.
std::vector<DayRange> Union(std::vector<DayRange> ranges) {
  std::sort(
      ranges.begin(), ranges.end(),
      [](const DayRange& a, const DayRange& b) { return a.from < b.from; });
  std::vector<DayRange> merged;
  for (const DayRange& range : ranges) {
    if (!merged.empty() && range.from <= merged.back().to) {
      merged.back().to = std::max(merged.back().to, range.to);
    } else {
      merged.push_back(range);
    }
  }
  return merged;
}

// `minuend` minus `subtrahend`; both sorted, disjoint and non-adjacent.
std::vector<DayRange> Subtract(const std::vector<DayRange>& minuend,
                               const std::vector<DayRange>& subtrahend) {
  std::vector<DayRange> difference;
  size_t j = 0;
  for (const DayRange& range : minuend) {
    Day cursor = range.from;
    while (j < subtrahend.size() && subtrahend[j].to <= cursor) ++j;
    for (size_t k = j; k < subtrahend.size() && subtrahend[k].from < range.to;
         ++k) {
      if (subtrahend[k].from > cursor) {
        difference.push_back(DayRange{cursor, subtrahend[k].from});
      }
      cursor = std::max(cursor, subtrahend[k].to);
    }
    if (cursor < range.to) difference.push_back(DayRange{cursor, range.to});
  }
  return difference;
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const DayRange& range) {
  return os << "[" << FormatDay(range.from) << ", " << FormatDay(range.to)
            << ")";
}

Gaps FindGaps(absl::Span<const Extent> extents, Day from, Day to) {
  Gaps gaps;
  if (from >= to) return gaps;
  std::vector<DayRange> possibly_held;
  std::vector<DayRange> definitely_held;
  possibly_held.reserve(extents.size());
  for (const Extent& extent : extents) {
    // HoldsOn is at least kPossible on [earliest_start, latest_end) and
    // kDefinite on [latest_start, earliest_end) unless uncertain.
    const Day p_from = std::max(extent.earliest_start(), from);
    const Day p_to = std::min(extent.latest_end(), to);
    if (p_from < p_to) possibly_held.push_back(DayRange{p_from, p_to});
    if (extent.uncertain()) continue;
    const Day d_from = std::max(extent.latest_start(), from);
    const Day d_to = std::min(extent.earliest_end(), to);
    if (d_from < d_to) definitely_held.push_back(DayRange{d_from, d_to});
  }
  const std::vector<DayRange> possible = Union(std::move(possibly_held));
  const std::vector<DayRange> definite = Union(std::move(definitely_held));
  gaps.definite = Subtract({DayRange{from, to}}, possible);
  gaps.possible = Subtract(possible, definite);
  return gaps;
}

}  // namespace annals::temporal
