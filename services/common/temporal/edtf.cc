#include "services/common/temporal/edtf.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "services/common/temporal/day.h"

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

constexpr std::string_view kMonthNames[] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

constexpr std::string_view kLevel2 =
    "EDTF level 2, which Annals does not support";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsQualifier(char c) { return c == '?' || c == '~' || c == '%'; }

bool IsWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
}

// The value of at most 18 digits.
int64_t DigitsValue(std::string_view digits) {
  int64_t value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

// Removes and returns the longest prefix of `rest` made of digits and X.
std::string_view TakeField(std::string_view& rest) {
  size_t n = 0;
  while (n < rest.size() && (IsDigit(rest[n]) || rest[n] == 'X')) ++n;
  std::string_view field = rest.substr(0, n);
  rest.remove_prefix(n);
  return field;
}

// Removes exactly two digits from the front of `rest` into `value`.
bool TakeTwoDigits(std::string_view& rest, int& value) {
  if (rest.size() < 2 || !IsDigit(rest[0]) || !IsDigit(rest[1])) return false;
  value = (rest[0] - '0') * 10 + (rest[1] - '0');
  rest.remove_prefix(2);
  return true;
}

absl::Status Invalid(std::string_view text, std::string_view context,
                     std::string_view reason) {
  if (context.empty() || context == text) {
    return absl::InvalidArgumentError(
        absl::StrFormat("\"%s\": %s", Escape(text), reason));
  }
  return absl::InvalidArgumentError(absl::StrFormat(
      "\"%s\": %s (in \"%s\")", Escape(text), reason, Escape(context)));
}

std::string YearRangeReason(std::string_view year) {
  return absl::StrFormat(
      "year %s is outside the years Annals represents (%d to %d)", year,
      kMinYear, kMaxYear);
}

int64_t PowerOfTen(int exponent) {
  int64_t value = 1;
  for (int i = 0; i < exponent; ++i) value *= 10;
  return value;
}

// The time after "T" in a date-time: hh:mm:ss, then nothing, "Z", or an
// offset ±hh or ±hh:mm. Returns the reason it is malformed, or "".
std::string_view CheckTime(std::string_view& rest) {
  int hour = 0, minute = 0, second = 0;
  if (!TakeTwoDigits(rest, hour) || rest.empty() || rest.front() != ':' ||
      (rest.remove_prefix(1), !TakeTwoDigits(rest, minute)) || rest.empty() ||
      rest.front() != ':' ||
      (rest.remove_prefix(1), !TakeTwoDigits(rest, second))) {
    return "a time is written hh:mm:ss after T (1985-04-12T23:20:30)";
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return "no such time of day; hours are 00-23, minutes and seconds 00-59";
  }
  if (rest.empty()) return "";
  if (rest.front() == 'Z') {
    rest.remove_prefix(1);
    return "";
  }
  if (rest.front() != '+' && rest.front() != '-') {
    if (rest.front() == '.' || rest.front() == ',') {
      return "fractions of a second are not part of EDTF";
    }
    return "";
  }
  rest.remove_prefix(1);
  int offset_hours = 0, offset_minutes = 0;
  if (!TakeTwoDigits(rest, offset_hours)) {
    return "a time zone is Z, +hh or +hh:mm (1985-04-12T23:20:30+04:30)";
  }
  if (!rest.empty() && rest.front() == ':') {
    rest.remove_prefix(1);
    if (!TakeTwoDigits(rest, offset_minutes)) {
      return "a time zone is Z, +hh or +hh:mm (1985-04-12T23:20:30+04:30)";
    }
  }
  if (offset_hours > 23 || offset_minutes > 59) {
    return "no such time zone offset; hours are 00-23, minutes 00-59";
  }
  return "";
}

Day Clamp(int64_t day) {
  return static_cast<Day>(std::clamp<int64_t>(day, kMinDay, kMaxDay));
}

int64_t DayOf(int64_t year, int month, int day) {
  return absl::CivilDay(year, month, day) - absl::CivilDay(1970, 1, 1);
}

int64_t FirstDayOfMonth(absl::CivilMonth month) {
  return absl::CivilDay(month) - absl::CivilDay(1970, 1, 1);
}

}  // namespace

absl::StatusOr<EdtfDate> ParseEdtfDate(std::string_view text,
                                       std::string_view context) {
  auto fail = [&](std::string_view reason) {
    return Invalid(text, context, reason);
  };
  auto level2 = [&](std::string_view what) {
    return fail(absl::StrFormat("%s is %s", what, kLevel2));
  };
  if (text.empty()) {
    return fail("empty; give a date such as 2018, 2018-11 or 2018-11-26");
  }
  if (std::any_of(text.begin(), text.end(), IsWhitespace)) {
    return fail("contains whitespace");
  }
  if (text.find_first_of("[]{},") != std::string_view::npos) {
    return level2("a set of dates ([...] or {...})");
  }
  if (text.find('^') != std::string_view::npos) {
    return level2("a qualified season (^)");
  }
  if (text.find('x') != std::string_view::npos) {
    return fail("unspecified digits must be an uppercase X");
  }
  if (IsQualifier(text.front())) {
    return level2(
        "a qualifier before a date or a part of it (qualify the whole date "
        "at its end: 2004-06-11?)");
  }

  EdtfDate date;
  std::string_view rest = text;

  if (rest.front() == 'Y') {
    rest.remove_prefix(1);
    const bool negative = !rest.empty() && rest.front() == '-';
    if (negative) rest.remove_prefix(1);
    size_t n = 0;
    while (n < rest.size() && IsDigit(rest[n])) ++n;
    const std::string_view digits = rest.substr(0, n);
    rest.remove_prefix(n);
    if (!rest.empty() && (rest.front() == 'E' || rest.front() == 'S')) {
      return level2("a year with an exponent (E) or significant digits (S)");
    }
    if (digits.empty()) return fail("expected the digits of a year after Y");
    if (digits.size() <= 4) {
      return fail(
          "a year after Y has more than four digits; write years of four "
          "digits without Y (2018, -0044)");
    }
    if (digits.front() == '0') {
      return fail("a year after Y does not start with 0");
    }
    if (!rest.empty()) {
      return fail(
          absl::StrFormat("unexpected \"%s\" after the year; a year written "
                          "with Y takes no month, day or qualifier",
                          Escape(rest)));
    }
    const std::string signed_digits =
        absl::StrFormat("%s%s", negative ? "-" : "", digits);
    if (digits.size() > 7) return fail(YearRangeReason(signed_digits));
    const int64_t value = DigitsValue(digits) * (negative ? -1 : 1);
    if (value < kMinYear || value > kMaxYear) {
      return fail(YearRangeReason(signed_digits));
    }
    date.year = static_cast<int>(value);
    return date;
  }

  const bool negative = rest.front() == '-';
  if (negative) rest.remove_prefix(1);
  if (!rest.empty() && IsQualifier(rest.front())) {
    return level2("a qualifier before a date or a part of it");
  }
  const std::string_view year = TakeField(rest);
  if (year.empty()) {
    return fail("expected a date such as 2018, 2018-11 or 2018-11-26");
  }
  if (year.size() != 4) {
    if (AllDigits(year) && year.size() > 4) {
      return fail(
          "a year of more than four digits is written with Y (Y12345, "
          "Y-12345)");
    }
    return fail("a year must have four digits");
  }
  if (!rest.empty() && rest.front() == 'S') {
    return level2("a year with significant digits (S)");
  }
  // Unspecified digits: from the right only at level 1.
  const size_t first_x = year.find('X');
  const int unspecified =
      first_x == std::string_view::npos ? 0 : static_cast<int>(4 - first_x);
  if (unspecified > 0 &&
      year.find_first_not_of('X', first_x) != std::string_view::npos) {
    return level2(
        "an unspecified digit (X) followed by a known one in a year (level 1 "
        "allows X only from the right: 201X, 20XX, XXXX)");
  }
  const int64_t known =
      DigitsValue(year.substr(0, 4 - unspecified)) * PowerOfTen(unspecified);
  if (negative) {
    if (unspecified == 0 && known == 0) {
      return fail("year 0000 has no sign (0000 is 1 BC, -0001 is 2 BC)");
    }
    date.year = static_cast<int>(-(known + PowerOfTen(unspecified) - 1));
  } else {
    date.year = static_cast<int>(known);
  }
  date.unspecified_digits = unspecified;
  date.precision = Precision::kYear;

  if (!rest.empty() && rest.front() == '-') {
    rest.remove_prefix(1);
    if (!rest.empty() && IsQualifier(rest.front())) {
      return level2("a qualifier before a month or a day");
    }
    const std::string_view month = TakeField(rest);
    bool month_unspecified = false;
    if (month == "XX") {
      if (unspecified > 0 && unspecified < 4) {
        return level2(
            "an unspecified month after a partly unspecified year (1XXX-XX)");
      }
      month_unspecified = true;
    } else if (month.size() != 2) {
      return fail("a month must have two digits (01-12)");
    } else if (!AllDigits(month)) {
      return level2("a month with one unspecified digit (1984-1X)");
    } else if (unspecified > 0) {
      return level2(
          "a month after a year with unspecified digits (156X-12, 1XXX-12)");
    } else {
      const int m = static_cast<int>(DigitsValue(month));
      if (m >= kFirstSeason && m <= kLastSeason) {
        date.month = m;
        date.precision = Precision::kSeason;
      } else if (m >= 25 && m <= 41) {
        return level2(absl::StrFormat(
            "season %s (level 1 has 21-24: spring, summer, autumn, winter)",
            month));
      } else if (m < 1 || m > 12) {
        return fail(absl::StrFormat(
            "month %s does not exist; months are 01-12 (seasons 21-24)",
            month));
      } else {
        date.month = m;
        date.precision = Precision::kMonth;
      }
    }

    if (!rest.empty() && rest.front() == '-') {
      rest.remove_prefix(1);
      if (!rest.empty() && IsQualifier(rest.front())) {
        return level2("a qualifier before a day");
      }
      const std::string_view day = TakeField(rest);
      if (date.precision == Precision::kSeason) {
        return fail("a season has no day");
      }
      if (day == "XX") {
        // Folded into the month (or the year, after XX).
      } else if (day.size() != 2) {
        return fail("a day must have two digits");
      } else if (!AllDigits(day)) {
        return level2("a day with one unspecified digit (2004-06-1X)");
      } else if (month_unspecified || unspecified > 0) {
        return level2("a known day after an unspecified month (2004-XX-11)");
      } else {
        const int d = static_cast<int>(DigitsValue(day));
        if (d < 1 || d > DaysInMonth(date.year, date.month)) {
          return fail(absl::StrFormat("day %s does not exist in %s %s%s", day,
                                      kMonthNames[date.month - 1],
                                      negative ? "-" : "", year));
        }
        date.day = d;
        date.precision = Precision::kDay;
      }
    }
  }

  if (!rest.empty() && rest.front() == 'T') {
    rest.remove_prefix(1);
    if (date.precision != Precision::kDay) {
      return fail(
          "a time follows a whole date (1985-04-12T23:20:30), not a year, "
          "season or month, nor unspecified digits");
    }
    const std::string_view reason = CheckTime(rest);
    if (!reason.empty()) return fail(reason);
    date.has_time = true;
  }

  if (!rest.empty() && IsQualifier(rest.front())) {
    if (date.has_time) {
      return fail("a date-time cannot be qualified (?, ~ or %)");
    }
    switch (rest.front()) {
      case '?':
        date.qualifier = Qualifier::kUncertain;
        break;
      case '~':
        date.qualifier = Qualifier::kApproximate;
        break;
      default:
        date.qualifier = Qualifier::kBoth;
        break;
    }
    rest.remove_prefix(1);
    if (!rest.empty() && IsQualifier(rest.front())) {
      return fail(
          "only one qualifier is allowed; % means uncertain and approximate");
    }
    if (!rest.empty() && rest.front() == '-') {
      return level2(
          "a qualifier on a part of a date (qualify the whole date at its "
          "end: 2004-06-11?)");
    }
  }
  if (!rest.empty()) {
    return fail(
        absl::StrFormat("unexpected \"%s\" after the date", Escape(rest)));
  }
  return date;
}

std::string FormatEdtfDate(const EdtfDate& date) {
  std::string text;
  const int year = date.year;
  if (date.precision == Precision::kYear && date.unspecified_digits == 0 &&
      (year > 9999 || year < -9999)) {
    text = absl::StrCat("Y", year);
  } else {
    // The four digits of the year (for unspecified digits, those of its
    // known part: -201X is stored as -2019).
    std::string digits = absl::StrFormat("%04d", year < 0 ? -year : year);
    if (date.unspecified_digits > 0) {
      if (year < 0) {
        digits = absl::StrFormat(
            "%04d", -(year + PowerOfTen(date.unspecified_digits) - 1));
      }
      for (int i = 0; i < date.unspecified_digits; ++i) digits[3 - i] = 'X';
    }
    text = absl::StrCat(year < 0 ? "-" : "", digits);
    if (date.precision != Precision::kYear) {
      absl::StrAppendFormat(&text, "-%02d", date.month);
    }
    if (date.precision == Precision::kDay) {
      absl::StrAppendFormat(&text, "-%02d", date.day);
    }
  }
  switch (date.qualifier) {
    case Qualifier::kNone:
      break;
    case Qualifier::kUncertain:
      text.push_back('?');
      break;
    case Qualifier::kApproximate:
      text.push_back('~');
      break;
    case Qualifier::kBoth:
      text.push_back('%');
      break;
  }
  return text;
}

DaySpan SpanOf(const EdtfDate& date, bool widen) {
  const int pad = widen ? 1 : 0;
  int64_t first = 0;
  int64_t last = 0;
  switch (date.precision) {
    case Precision::kYear: {
      const int64_t years = PowerOfTen(date.unspecified_digits);
      first = DayOf(date.year - pad * years, 1, 1);
      last = DayOf(date.year + years + pad * years, 1, 1) - 1;
      break;
    }
    case Precision::kSeason: {
      // Each season is a quarter of the year; spring (21) is the first.
      const absl::CivilMonth start(date.year,
                                   1 + 3 * (date.month - kFirstSeason));
      first = FirstDayOfMonth(start - 3 * pad);
      last = FirstDayOfMonth(start + 3 + 3 * pad) - 1;
      break;
    }
    case Precision::kMonth: {
      const absl::CivilMonth month(date.year, date.month);
      first = FirstDayOfMonth(month - pad);
      last = FirstDayOfMonth(month + pad + 1) - 1;
      break;
    }
    case Precision::kDay:
      first = DayOf(date.year, date.month, date.day) - pad;
      last = first + 2 * pad;
      break;
  }
  return DaySpan{Clamp(first), Clamp(last)};
}

absl::StatusOr<DaySpan> ParseDaySpan(std::string_view text) {
  if (text.find('/') != std::string_view::npos) {
    return Invalid(text, {},
                   "an interval is not one date; give a date such as "
                   "2021-06-01, 2021-06 or 2021");
  }
  absl::StatusOr<EdtfDate> date = ParseEdtfDate(text);
  if (!date.ok()) return date.status();
  if (date->qualifier != Qualifier::kNone) {
    return Invalid(text, {},
                   "a window's side is an exact date, without ?, ~ or %");
  }
  return SpanOf(*date, /*widen=*/false);
}

}  // namespace annals::temporal
