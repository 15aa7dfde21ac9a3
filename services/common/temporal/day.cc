#include "services/common/temporal/day.h"

#include <algorithm>
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

static_assert(absl::CivilDay(1, 1, 1) - kEpoch == kMinDay);
static_assert(absl::CivilDay(9999, 12, 31) - kEpoch == kMaxDay);

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
  return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
         day <= DaysInMonth(year, month);
}

absl::StatusOr<Day> ParseDay(std::string_view text) {
  if (text.find('/') != std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "\"%s\": an interval is not a day; give a date such as 2021-06-01",
        Escape(text)));
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
  return absl::StrFormat("%04d-%02d-%02d", civil.year(), civil.month(),
                         civil.day());
}

}  // namespace annals::temporal
