// Allen's interval relations between indeterminate extents.
//
// Relate(a, b) is the set of the 13 relations that some admissible pair of
// readings (one of a, one of b) satisfies. A single relation means it is
// certain (unless an extent is uncertain, see RelationCertainty); an empty
// set never happens, since every extent has a reading.
//
// Relations are between sets of days. On readings [s1, e1) and [s2, e2) of
// days (e exclusive: the day after the last day), so that "meets" means the
// second starts on the day after the first's last day, and two tenures that
// share a handover day overlap on it:
//   before    e1 < s2               after         e2 < s1
//   meets     e1 = s2               met_by        e2 = s1
//   overlaps  s1 < s2 < e1 < e2     overlapped_by s2 < s1 < e2 < e1
//   starts    s1 = s2, e1 < e2      started_by    s1 = s2, e2 < e1
//   during    s2 < s1, e1 < e2      contains      s1 < s2, e2 < e1
//   finishes  s2 < s1, e1 = e2      finished_by   s1 < s2, e1 = e2
//   equals    s1 = s2, e1 = e2
//
// Open sides are exact infinities shared by every extent: two open starts
// are equal, as are two open ends ("2021/.." finished_by "2024-05-24/..").
// An unknown side is some finite day without a bound, so an open start is
// before every unknown start and an open end after every unknown end.
#ifndef ANNALS_SERVICES_COMMON_TEMPORAL_ALLEN_H_
#define ANNALS_SERVICES_COMMON_TEMPORAL_ALLEN_H_

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "services/common/temporal/extent.h"

namespace annals::temporal {

enum class AllenRelation : uint8_t {
  kBefore,
  kMeets,
  kOverlaps,
  kStarts,
  kDuring,
  kFinishes,
  kEquals,
  kFinishedBy,
  kContains,
  kStartedBy,
  kOverlappedBy,
  kMetBy,
  kAfter,
};

inline constexpr int kAllenRelationCount = 13;

// "before", "meets", "overlaps", "starts", "during", "finishes", "equals",
// "finished_by", "contains", "started_by", "overlapped_by", "met_by", "after".
std::string_view AllenRelationName(AllenRelation relation);

// The relation named `name` (as AllenRelationName spells it), if any.
std::optional<AllenRelation> AllenRelationFromName(std::string_view name);

// The relation of b to a when `relation` is that of a to b.
AllenRelation Inverse(AllenRelation relation);

// A set of Allen relations.
class AllenSet {
 public:
  constexpr AllenSet() = default;
  constexpr AllenSet(std::initializer_list<AllenRelation> relations) {
    for (AllenRelation r : relations) Insert(r);
  }

  // All 13 relations.
  static constexpr AllenSet All() {
    AllenSet set;
    set.bits_ = (1u << kAllenRelationCount) - 1;
    return set;
  }

  constexpr void Insert(AllenRelation relation) { bits_ |= Bit(relation); }
  constexpr bool Contains(AllenRelation relation) const {
    return (bits_ & Bit(relation)) != 0;
  }
  constexpr bool empty() const { return bits_ == 0; }
  int size() const;
  // The relation when the set has exactly one.
  std::optional<AllenRelation> single() const;

  // {Inverse(r) : r in *this}: Relate(b, a) == Relate(a, b).Inverse().
  AllenSet Inverse() const;

  // Bit i is AllenRelation i.
  constexpr uint16_t bits() const { return bits_; }

  // "{before, meets}"; "{}" when empty.
  std::string ToString() const;

  friend constexpr bool operator==(AllenSet a, AllenSet b) {
    return a.bits_ == b.bits_;
  }
  friend constexpr AllenSet operator|(AllenSet a, AllenSet b) {
    a.bits_ |= b.bits_;
    return a;
  }
  friend constexpr AllenSet operator&(AllenSet a, AllenSet b) {
    a.bits_ &= b.bits_;
    return a;
  }

 private:
  static constexpr uint16_t Bit(AllenRelation relation) {
    return static_cast<uint16_t>(1u << static_cast<int>(relation));
  }

  uint16_t bits_ = 0;
};

std::ostream& operator<<(std::ostream& os, AllenRelation relation);
std::ostream& operator<<(std::ostream& os, AllenSet set);

// The relations of a to b that some pair of admissible readings satisfies.
// Exact: each relation is decided as a system of difference constraints.
AllenSet Relate(const Extent& a, const Extent& b);

// How sure it is that `a relation b`: kNo when no pair of readings satisfies
// it, kDefinite when every pair does and neither extent is uncertain, else
// kPossible.
Certainty RelationCertainty(const Extent& a, AllenRelation relation,
                            const Extent& b);

}  // namespace annals::temporal

#endif  // ANNALS_SERVICES_COMMON_TEMPORAL_ALLEN_H_
