// The syntax of one EDTF date (ISO 8601-2 level 0 plus the level 1 features
// Annals accepts), below the level of intervals. Extent::Parse (extent.h) is
// the entry point for valid-time strings; this header is for code that needs
// a single date's fields.
//
// Accepted: YYYY, YYYY-MM, YYYY-MM-DD with a year in 0001-9999; unspecified
// digits from the right (201X, 20XX, 2018-XX, 2018-11-XX, 2018-XX-XX), and one
// qualifier suffix on a whole date without unspecified digits: ? (uncertain),
// ~ (approximate) or % (both).
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

// How much of a date is known. kCentury is 20XX, kDecade is 201X.
enum class Precision : uint8_t { kCentury, kDecade, kYear, kMonth, kDay };

// One parsed date in canonical form: unspecified months and days are folded
// into the coarser precision (2018-XX is kYear 2018, 2018-11-XX is kMonth),
// because they denote the same span.
struct EdtfDate {
  // For kCentury and kDecade the unspecified digits are zero (201X: 2010).
  int year = 0;
  // 1-12 for kMonth and kDay, else 0.
  int month = 0;
  // 1-31 for kDay, else 0.
  int day = 0;
  Precision precision = Precision::kYear;
  Qualifier qualifier = Qualifier::kNone;

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

// The canonical spelling of `date`; ParseEdtfDate(FormatEdtfDate(d)) == d.
std::string FormatEdtfDate(const EdtfDate& date);

// The first and last day the date can denote (inclusive), clamped to
// kMinDay..kMaxDay. `widen` applies the ~ rule: one unit of the date's
// precision on each side (2018-11 becomes 2018-10-01..2018-12-31). Century
// and decade precision never carry a qualifier and are not widened.
struct DaySpan {
  Day first;
  Day last;
  bool operator==(const DaySpan&) const = default;
};
DaySpan SpanOf(const EdtfDate& date, bool widen);

}  // namespace annals::temporal

#endif  // ANNALS_SERVICES_COMMON_TEMPORAL_EDTF_H_
