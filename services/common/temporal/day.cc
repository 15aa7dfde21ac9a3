#include "services/common/temporal/day.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "services/common/temporal/edtf.h"

namespace annals::temporal {
namespace {

// absl::string_view is not std::string_view in Debian's Abseil build.
// Quotes at most 64 bytes: error messages travel in gRPC metadata, and a
// client refuses metadata over 8 KiB (and with it the whole error).
std::string Escape(std::string_view text) {
  constexpr size_t kMaxQuoted = 64;
  std::string quoted = absl::CEscape(
      absl::string_view(text.data(), std::min(text.size(), kMaxQuoted)));
  if (text.size() > kMaxQuoted) quoted += "...";
  return quoted;
}

constexpr absl::CivilDay kEpoch(1970, 1, 1);

static_assert(absl::CivilDay(kMinYear, 1, 1) - kEpoch == kMinDay);
static_assert(absl::CivilDay(kMaxYear, 12, 31) - kEpoch == kMaxDay);
// Every reading's length (a difference of two days up to kMaxDay + 1) fits.
static_assert(int64_t{kMaxDay} + 1 - kMinDay <
              std::numeric_limits<int32_t>::max());
static_assert(kMinusInfinity < kMinDay && kPlusInfinity > kMaxDay + 1);

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// "[-]YYYYY-MM-DD" with five or more year digits and no leading zero, as
// FormatDay writes days of long years; nullopt for anything else. Sets
// `out_of_range` when the text has that shape but its year is outside
// kMinYear..kMaxYear.
std::optional<absl::CivilDay> ParseLongYearDay(std::string_view text,
                                               bool& out_of_range) {
  std::string_view rest = text;
  const bool negative = !rest.empty() && rest.front() == '-';
  if (negative) rest.remove_prefix(1);
  size_t digits = 0;
  while (digits < rest.size() && IsDigit(rest[digits])) ++digits;
  if (digits < 5 || rest.front() == '0' || rest.size() != digits + 6 ||
      rest[digits] != '-' || rest[digits + 3] != '-' ||
      !IsDigit(rest[digits + 1]) || !IsDigit(rest[digits + 2]) ||
      !IsDigit(rest[digits + 4]) || !IsDigit(rest[digits + 5])) {
    return std::nullopt;
  }
  if (digits > 7) {
    out_of_range = true;
    return std::nullopt;
  }
  int year = 0;
  for (size_t i = 0; i < digits; ++i) year = year * 10 + (rest[i] - '0');
  if (negative) year = -year;
  if (year < kMinYear || year > kMaxYear) {
    out_of_range = true;
    return std::nullopt;
  }
  const int month = (rest[digits + 1] - '0') * 10 + (rest[digits + 2] - '0');
  const int day = (rest[digits + 4] - '0') * 10 + (rest[digits + 5] - '0');
  if (!IsValidCivilDate(year, month, day)) return std::nullopt;
  return absl::CivilDay(year, month, day);
}

}  // namespace

Day DayFromCivil(int year, int month, int day) {
  return DayFromCivil(absl::CivilDay(year, month, day));
}

Day DayFromCivil(absl::CivilDay civil) {
  return static_cast<Day>(civil - kEpoch);
}

absl::CivilDay CivilFromDay(Day day) { return kEpoch + day; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  if (month == 2) {
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return leap ? 29 : 28;
  }
  return kDays[month - 1];
}

bool IsValidCivilDate(int year, int month, int day) {
  return year >= kMinYear && year <= kMaxYear && month >= 1 && month <= 12 &&
         day >= 1 && day <= DaysInMonth(year, month);
}

absl::StatusOr<Day> ParseDay(std::string_view text) {
  if (text.find('/') != std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "\"%s\": an interval is not a day; give a date such as 2021-06-01",
        Escape(text)));
  }
  bool out_of_range = false;
  if (std::optional<absl::CivilDay> long_year =
          ParseLongYearDay(text, out_of_range)) {
    return DayFromCivil(*long_year);
  }
  if (out_of_range) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "\"%s\": the year is outside the years Annals represents (%d to %d)",
        Escape(text), kMinYear, kMaxYear));
  }
  absl::StatusOr<EdtfDate> date = ParseEdtfDate(text);
  if (!date.ok()) return date.status();
  if (date->precision != Precision::kDay ||
      date->qualifier != Qualifier::kNone) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "\"%s\": not an exact day; give a date such as 2021-06-01",
        Escape(text)));
  }
  return DayFromCivil(date->year, date->month, date->day);
}

std::string FormatDay(Day day) {
  if (day == kMinusInfinity) return "-infinity";
  if (day == kPlusInfinity) return "+infinity";
  const absl::CivilDay civil = CivilFromDay(day);
  const int64_t year = civil.year();
  // "%s%04d-%02d-%02d", written by hand: every stored extent is refreshed
  // through here when it is read (the change feed, reference checks), and
  // absl::StrFormat was about 5% of the catalog's time in an import.
  uint64_t magnitude = static_cast<uint64_t>(year < 0 ? -year : year);
  char digits[20];
  int count = 0;
  do {
    digits[count++] = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude > 0);
  while (count < 4) digits[count++] = '0';
  std::string text;
  text.reserve(count + 7);
  if (year < 0) text.push_back('-');
  while (count > 0) text.push_back(digits[--count]);
  const int month = civil.month();
  const int day_of_month = civil.day();
  text.push_back('-');
  text.push_back(static_cast<char>('0' + month / 10));
  text.push_back(static_cast<char>('0' + month % 10));
  text.push_back('-');
  text.push_back(static_cast<char>('0' + day_of_month / 10));
  text.push_back(static_cast<char>('0' + day_of_month % 10));
  return text;
}

}  // namespace annals::temporal
