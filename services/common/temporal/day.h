// The chronon of Annals: one day of the proleptic Gregorian calendar.
//
// A Day counts days since 1970-01-01 (negative before it), so it converts to
// and from absl::CivilDay by plain arithmetic. Calendar days run from
// 0001-01-01 (kMinDay) to 9999-12-31 (kMaxDay). The exclusive end of an
// extent may be kMaxDay + 1. kMinusInfinity and kPlusInfinity are sentinels
// far outside that range for "unbounded" and "open" bounds; never do
// arithmetic on them.
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

// 0001-01-01 and 9999-12-31.
inline constexpr Day kMinDay = -719162;
inline constexpr Day kMaxDay = 2932896;

// True for every day that is not one of the two sentinels.
constexpr bool IsFinite(Day day) {
  return day != kMinusInfinity && day != kPlusInfinity;
}

// The Day of a calendar date. Requires a valid date (see IsValidCivilDate);
// out-of-range fields are normalised as absl::CivilDay does.
Day DayFromCivil(int year, int month, int day);
Day DayFromCivil(absl::CivilDay civil);

// The calendar date of a finite day.
absl::CivilDay CivilFromDay(Day day);

// True if year-month-day names a day between 0001-01-01 and 9999-12-31.
bool IsValidCivilDate(int year, int month, int day);

// The number of days in `month` (1-12) of `year`.
int DaysInMonth(int year, int month);

// Parses exactly "YYYY-MM-DD" with a year in 0001-9999. Anything else is an
// InvalidArgumentError naming the text and the reason; date-times
// ("2021-06-01T12:00") are rejected as not supported yet.
absl::StatusOr<Day> ParseDay(std::string_view text);

// "YYYY-MM-DD" for finite days; "-infinity" and "+infinity" for the
// sentinels.
std::string FormatDay(Day day);

}  // namespace annals::temporal

#endif  // ANNALS_SERVICES_COMMON_TEMPORAL_DAY_H_
