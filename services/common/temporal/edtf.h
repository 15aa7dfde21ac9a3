// The syntax of one EDTF date (ISO 8601-2 levels 0 and 1), below the level
// of intervals. Extent::Parse (extent.h) is the entry point for valid-time
// strings; this header is for code that needs a single date's fields.
//
// Accepted, as the Library of Congress specification (2019) defines them:
//   level 0: 1985, 1985-04, 1985-04-12, and date-times 1985-04-12T23:20:30
//            with an optional zone (Z, +04, -04:30);
//   level 1: negative years and year 0000 (-0044, -0500-08: astronomical,
//            0000 is 1 BC), long years Y12345 and Y-12345 (more than four
//            digits), seasons 21-24 (2001-21 is spring 2001), unspecified
//            digits from the right (201X, 20XX, 2XXX, XXXX, 2004-XX,
//            1985-04-XX, 1985-XX-XX, XXXX-XX), and one qualifier on a whole
//            date: ? (uncertain), ~ (approximate) or % (both).
// Level-2 forms (qualified parts, X inside a date, seasons 25-41, exponent
// and significant-digit years, sets) are refused with a message that says
// so. Years must be in kMinYear..kMaxYear (day.h).
#ifndef ANNALS_SERVICES_COMMON_TEMPORAL_EDTF_H_
#define ANNALS_SERVICES_COMMON_TEMPORAL_EDTF_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "services/common/temporal/day.h"

namespace annals::temporal {

enum class Qualifier : uint8_t {
  kNone,
  kUncertain,    // ?
  kApproximate,  // ~
  kBoth,         // %
};

// How much of a date is written. A year may also have unspecified digits
// (EdtfDate::unspecified_digits).
enum class Precision : uint8_t { kYear, kSeason, kMonth, kDay };

// The seasons of EDTF level 1, as month codes 21-24: spring, summer, autumn,
// winter. The specification names them without months and keeps the
// hemisphere-specific seasons for level 2 (25-32), so Annals reads them as
// edtf.js, edtf-java and go-edtf do, as the quarters of the year: spring
// (21) is January to March, summer April to June, autumn July to September,
// winter October to December. A season never runs into the next year.
inline constexpr int kFirstSeason = 21;
inline constexpr int kLastSeason = 24;

// One parsed date in canonical form: unspecified months and days are folded
// into the coarser precision (2018-XX is kYear 2018, 2018-11-XX is kMonth,
// XXXX-XX is kYear with four unspecified digits), because they denote the
// same span.
struct EdtfDate {
  // The astronomical year. With unspecified digits, the first year of the
  // span: 201X is 2010, -201X is -2019, XXXX is 0, -XXXX is -9999.
  int year = 0;
  // 1-12 for kMonth and kDay, 21-24 for kSeason, else 0.
  int month = 0;
  // 1-31 for kDay, else 0.
  int day = 0;
  Precision precision = Precision::kYear;
  // kYear only: how many of the year's rightmost four digits are X (0-4).
  int unspecified_digits = 0;
  Qualifier qualifier = Qualifier::kNone;
  // kDay only: written as a date-time. The date is the calendar day written,
  // whatever the time and zone; FormatEdtfDate drops the time.
  bool has_time = false;

  bool operator==(const EdtfDate&) const = default;

  bool uncertain() const {
    return qualifier == Qualifier::kUncertain || qualifier == Qualifier::kBoth;
  }
  bool approximate() const {
    return qualifier == Qualifier::kApproximate ||
           qualifier == Qualifier::kBoth;
  }
};

// Parses one date (no "/"). On failure returns InvalidArgumentError
// "\"<text>\": <reason>", followed by " (in \"<context>\")" when `context`, the
// whole input the date came from, is different from `text`.
absl::StatusOr<EdtfDate> ParseEdtfDate(std::string_view text,
                                       std::string_view context = {});

// The canonical spelling of `date` (without a time):
// ParseEdtfDate(FormatEdtfDate(d)) == d for every d without has_time.
std::string FormatEdtfDate(const EdtfDate& date);

// The first and last day the date can denote (inclusive), clamped to
// kMinDay..kMaxDay. `widen` applies the ~ rule: one unit of the date's
// precision on each side (2018-11 becomes 2018-10-01..2018-12-31, a season
// widens by a season, 201X by ten years).
struct DaySpan {
  Day first;
  Day last;
  bool operator==(const DaySpan&) const = default;
};
DaySpan SpanOf(const EdtfDate& date, bool widen);

// The days of one unqualified EDTF date of any precision, for the sides of a
// query window: "2017" is 2017-01-01..2017-12-31, "2021-06-01T10:00:00Z" is
// 2021-06-01. A qualifier (?, ~, %) is refused: a window is exact.
// InvalidArgumentError as ParseEdtfDate's otherwise.
absl::StatusOr<DaySpan> ParseDaySpan(std::string_view text);

}  // namespace annals::temporal

#endif  // ANNALS_SERVICES_COMMON_TEMPORAL_EDTF_H_
