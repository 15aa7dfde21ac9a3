// Extent: when a statement holds, as an indeterminate interval of days.
//
// An extent is the set of its admissible readings. A reading is a first day
// s and a last day l (s <= l): it holds on the days s..l, both included. In
// code a reading is kept half-open, as (s, e) with e = l + 1, the day after
// the last day, because every comparison below is then a plain < or <=:
//
//   earliest_start <= s <= latest_start,
//   earliest_end   <= e <= latest_end,     (e = l + 1)
//   s < e, and e == s + 1 when the extent is an instant.
//
// A reading holds on day D iff s <= D < e. kMinusInfinity / kPlusInfinity
// bounds mean "unbounded": a start with latest_start == kMinusInfinity is
// open (every reading starts at minus infinity, EDTF "..") and one with only
// earliest_start == kMinusInfinity is unknown (some day, no lower bound, EDTF
// ""); likewise for ends. Bounds are always tight: each of the four is
// attained by some reading. What users read (the API's bounds, the CLI, the
// docs) is the last day, earliest_last_day() and latest_last_day().
//
// Answers are three-valued: DEFINITE when every reading agrees, POSSIBLE when
// some does, NO when none does. An uncertain extent (EDTF "?" or "%") never
// answers DEFINITE; such answers are downgraded to POSSIBLE.
//
// docs/temporal-semantics.md states every rule with examples.
#ifndef ANNALS_SERVICES_COMMON_TEMPORAL_EXTENT_H_
#define ANNALS_SERVICES_COMMON_TEMPORAL_EXTENT_H_

#include <cstdint>
#include <iosfwd>
#include <limits>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "services/common/temporal/day.h"

namespace annals::temporal {

// Ordered: kNo < kPossible < kDefinite.
enum class Certainty : uint8_t { kNo, kPossible, kDefinite };

// "no", "possible", "definite".
std::string_view CertaintyName(Certainty certainty);
std::ostream& operator<<(std::ostream& os, Certainty certainty);

// Durations in days, over all readings: min_days <= e - s <= max_days.
// kUnboundedDays as max_days means no upper bound; as min_days (and then also
// max_days) it means every reading is infinitely long (an open side).
inline constexpr int32_t kUnboundedDays = std::numeric_limits<int32_t>::max();
struct DurationRange {
  int32_t min_days;
  int32_t max_days;
  bool operator==(const DurationRange&) const = default;
};
std::ostream& operator<<(std::ostream& os, const DurationRange& duration);

// Options of Extent::FromBounds.
struct ExtentFlags {
  // Every reading is exactly one day: e == s + 1.
  bool instant = false;
  // Answers are at most POSSIBLE.
  bool uncertain = false;
};

// A valid time given by its bounds rather than by EDTF text: each is an EDTF
// date of any precision (edtf.h), ".." (open) or "" (unknown, no bound).
// The start falls between earliest_start's first day and latest_start's last
// day; the last day between earliest_end's first day and latest_end's last
// day. See Extent::FromBoundDates.
struct BoundDates {
  std::string_view earliest_start;
  std::string_view latest_start;
  std::string_view earliest_end;
  std::string_view latest_end;
};

class Extent {
 public:
  // Parses an EDTF valid time: a date ("2018-11-26", an instant) or an
  // interval "A/B" whose sides are dates, ".." (open) or "" (unknown). The
  // interval holds from a day of A through a day of B, both included.
  // Errors are InvalidArgumentError naming the offending text and the
  // reason.
  static absl::StatusOr<Extent> Parse(std::string_view edtf);

  // An extent from bound dates. A side whose two bounds are both ".." is
  // open; ".." beside anything else is an error. An empty bound leaves that
  // side unbounded there (an unknown start may be any day up to the latest
  // start, or up to the last day). Errors are InvalidArgumentError whose
  // message starts with the field's name ("latest_end: ..."), for a
  // malformed date or bounds with no reading (an end before every possible
  // start). Uncertain if any date carries ? or %. has_edtf() is false.
  static absl::StatusOr<Extent> FromBoundDates(const BoundDates& bounds);

  // Builds an extent from its four bounds (ends exclusive, as in the
  // accessors). Starts must be kMinusInfinity or
  // in kMinDay..kMaxDay; ends kPlusInfinity or in kMinDay+1..kMaxDay+1. Needs
  // earliest_start <= latest_start, earliest_end <= latest_end and at least
  // one reading (earliest_start < latest_end); the bounds are then tightened
  // so that each is attained (latest_start <= latest_end - 1 and
  // earliest_end >= earliest_start + 1). An instant needs finite bounds with
  // earliest_end == earliest_start + 1 and latest_end == latest_start + 1.
  // The result has no EDTF spelling (has_edtf() is false).
  static absl::StatusOr<Extent> FromBounds(Day earliest_start, Day latest_start,
                                           Day earliest_end, Day latest_end,
                                           ExtentFlags flags = {});

  Extent(const Extent&) = default;
  Extent& operator=(const Extent&) = default;

  // The canonical EDTF text: Parse(ToEdtf()) == *this, and ToEdtf() of a
  // parsed canonical text is that text. Empty when !has_edtf().
  std::string ToEdtf() const;
  // False only for extents made by FromBounds.
  bool has_edtf() const { return start_side_ != 0; }

  // Bounds and flags, start then last day, e.g.
  // "[2018-11-01..2018-11-30, 2019-11-01..2019-11-30]" followed by
  // " instant" / " uncertain" when set. For tests and logs.
  std::string DebugString() const;

  Day earliest_start() const { return earliest_start_; }
  Day latest_start() const { return latest_start_; }
  // The day after the last day: the reading's exclusive end.
  Day earliest_end() const { return earliest_end_; }
  Day latest_end() const { return latest_end_; }
  // The last day of the shortest and of the longest-lasting readings:
  // earliest_end() - 1 and latest_end() - 1, or kPlusInfinity when unbounded.
  Day earliest_last_day() const {
    return IsFinite(earliest_end_) ? earliest_end_ - 1 : kPlusInfinity;
  }
  Day latest_last_day() const {
    return IsFinite(latest_end_) ? latest_end_ - 1 : kPlusInfinity;
  }
  bool instant() const { return instant_; }
  bool uncertain() const { return uncertain_; }
  // Every reading starts at minus infinity (EDTF "../B").
  bool open_start() const { return latest_start_ == kMinusInfinity; }
  // Every reading ends at plus infinity: ongoing (EDTF "A/..").
  bool open_end() const { return earliest_end_ == kPlusInfinity; }

  // Whether the extent holds on `day` (a finite day).
  Certainty HoldsOn(Day day) const;

  // Whether the extent holds on some day of the window [from, to): the
  // reading and the window overlap. `from` may be kMinusInfinity and `to`
  // kPlusInfinity. An empty window (from >= to) gives kNo.
  Certainty Overlaps(Day from, Day to) const;

  // Whether the extent holds on every day of the window [from, to). Same
  // window rules as Overlaps; an empty window gives kNo. An unbounded side of
  // the window is covered only by an open side of the extent: an unknown end
  // is some finite day.
  Certainty HoldsThroughout(Day from, Day to) const;

  // The range of e - s over the readings; [1, 1] for an instant.
  DurationRange Duration() const;

  // Same four bounds and flags. The EDTF spelling is not compared: a parsed
  // extent equals FromBounds of its bounds and flags.
  friend bool operator==(const Extent& a, const Extent& b) {
    return a.earliest_start_ == b.earliest_start_ &&
           a.latest_start_ == b.latest_start_ &&
           a.earliest_end_ == b.earliest_end_ &&
           a.latest_end_ == b.latest_end_ && a.instant_ == b.instant_ &&
           a.uncertain_ == b.uncertain_;
  }

 private:
  Extent(Day earliest_start, Day latest_start, Day earliest_end, Day latest_end,
         bool instant, bool uncertain)
      : earliest_start_(earliest_start),
        latest_start_(latest_start),
        earliest_end_(earliest_end),
        latest_end_(latest_end),
        instant_(instant),
        uncertain_(uncertain) {}

  // Downgrades kDefinite to kPossible for uncertain extents.
  Certainty Cap(Certainty certainty) const {
    return uncertain_ && certainty == Certainty::kDefinite
               ? Certainty::kPossible
               : certainty;
  }

  Day earliest_start_;
  Day latest_start_;
  Day earliest_end_;
  Day latest_end_;
  // The EDTF spelling of each side, packed by extent.cc; 0 means none
  // (the end side of an instant, and both sides of a FromBounds extent).
  uint64_t start_side_ : 63 = 0;
  uint64_t instant_ : 1 = 0;
  uint64_t end_side_ : 63 = 0;
  uint64_t uncertain_ : 1 = 0;
};

std::ostream& operator<<(std::ostream& os, const Extent& extent);

}  // namespace annals::temporal

#endif  // ANNALS_SERVICES_COMMON_TEMPORAL_EXTENT_H_
