// Gaps: the days of a window on which none of a set of extents holds.
//
//   Gaps gaps = FindGaps(commanders, from, to);
//   gaps.definite  // no commander on these days, for certain
//   gaps.possible  // maybe no commander: nobody definitely, somebody maybe
#ifndef ANNALS_SERVICES_COMMON_TEMPORAL_GAPS_H_
#define ANNALS_SERVICES_COMMON_TEMPORAL_GAPS_H_

#include <iosfwd>
#include <vector>

#include "absl/types/span.h"
#include "services/common/temporal/day.h"
#include "services/common/temporal/extent.h"

namespace annals::temporal {

// The half-open day range [from, to).
struct DayRange {
  Day from;
  Day to;
  bool operator==(const DayRange&) const = default;
};
std::ostream& operator<<(std::ostream& os, const DayRange& range);

struct Gaps {
  // Days D where HoldsOn(D) is kNo for every extent.
  std::vector<DayRange> definite;
  // Days D where no extent is kDefinite and some extent is kPossible.
  std::vector<DayRange> possible;
};

// The gaps of `extents` within the window [from, to), each list sorted,
// disjoint and made of maximal non-empty ranges clipped to the window. Every
// window day not in either list has some extent that definitely holds.
// `from` may be kMinusInfinity and `to` kPlusInfinity; an empty window
// (from >= to) has no gaps. O(n log n) in the number of extents, independent
// of the window's length.
Gaps FindGaps(absl::Span<const Extent> extents, Day from, Day to);

}  // namespace annals::temporal

#endif  // ANNALS_SERVICES_COMMON_TEMPORAL_GAPS_H_
