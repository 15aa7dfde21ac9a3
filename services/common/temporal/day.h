// The chronon of Annals: one day of the proleptic Gregorian calendar.
//
// A Day counts days since 1970-01-01 (negative before it), so it converts to
// and from absl::CivilDay by plain arithmetic. Years are astronomical, as in
// ISO 8601 and EDTF: 0000 is 1 BC, -0001 is 2 BC. Calendar days run from the
// first day of year -2500000 (kMinDay) to the last day of year 2500000
// (kMaxDay), so the difference of any two calendar days, and the length of
// any reading, fits in 32 bits. The day after an extent's last day may be
// kMaxDay + 1. kMinusInfinity and kPlusInfinity are sentinels far outside that
// range for "unbounded" and "open" bounds; never do arithmetic on them.
//
//   ASSIGN_OR_RETURN(Day at, ParseDay("2021-06-01"));
//   FormatDay(at + 1) == "2021-06-02"
#ifndef ANNALS_SERVICES_COMMON_TEMPORAL_DAY_H_
#define ANNALS_SERVICES_COMMON_TEMPORAL_DAY_H_

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace annals::temporal {

using Day = int32_t;

// Sentinels for unbounded bounds. Only starts are ever kMinusInfinity and
// only ends are ever kPlusInfinity.
inline constexpr Day kMinusInfinity = std::numeric_limits<Day>::min();
inline constexpr Day kPlusInfinity = std::numeric_limits<Day>::max();

// The years a Day can name: -2500000 to 2500000.
inline constexpr int kMinYear = -2500000;
inline constexpr int kMaxYear = 2500000;

// -2500000-01-01 and 2500000-12-31 (proleptic Gregorian).
inline constexpr Day kMinDay = -913825778;
inline constexpr Day kMaxDay = 912387087;

// True for every day that is not one of the two sentinels.
constexpr bool IsFinite(Day day) {
  return day != kMinusInfinity && day != kPlusInfinity;
}

// True for the first and last day of the calendar and the days just inside
// and after them (kMinDay, kMinDay + 1, kMaxDay, kMaxDay + 1). An unknown
// side with nothing else to stop it is bounded by the calendar's ends: the
// latest start of "/.." is kMaxDay. Output shows such bounds as unbounded.
constexpr bool IsCalendarEdge(Day day) {
  return day == kMinDay || day == kMinDay + 1 || day == kMaxDay ||
         day == kMaxDay + 1;
}

// The Day of a calendar date. Requires a valid date (see IsValidCivilDate);
// out-of-range fields are normalised as absl::CivilDay does.
Day DayFromCivil(int year, int month, int day);
Day DayFromCivil(absl::CivilDay civil);

// The calendar date of a finite day.
absl::CivilDay CivilFromDay(Day day);

// True if year-month-day names a day of the calendar (kMinYear..kMaxYear).
bool IsValidCivilDate(int year, int month, int day);

// The number of days in `month` (1-12) of `year`.
int DaysInMonth(int year, int month);

// Parses one exact day: an EDTF date of day precision ("2021-06-01",
// "-0044-03-15"), an EDTF date-time, which names the calendar day it is
// written on ("2021-06-01T10:00:00Z" is 2021-06-01, whatever the zone), or a
// day as FormatDay writes it for years beyond four digits ("12345-01-01",
// "-12345-01-01"). Anything else is an InvalidArgumentError naming the text
// and the reason.
absl::StatusOr<Day> ParseDay(std::string_view text);

// The ISO 8601 date of a finite day: "2021-06-01", "-0044-03-15" (45 BC),
// "12345-01-01"; "-infinity" and "+infinity" for the sentinels. ParseDay
// reads back the result for every day of the calendar (kMinDay..kMaxDay).
std::string FormatDay(Day day);

}  // namespace annals::temporal

#endif  // ANNALS_SERVICES_COMMON_TEMPORAL_DAY_H_
