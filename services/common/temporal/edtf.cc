#include "services/common/temporal/edtf.h"

#include <algorithm>
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

constexpr std::string_view kDateTimeReason =
    "date-times are not supported yet; give a date such as 2021-06-01";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsQualifier(char c) { return c == '?' || c == '~' || c == '%'; }

bool IsWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
}

int DigitsValue(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

// A time of day follows a date after "T" ("2021-06-01T10:00") or has ":".
bool LooksLikeDateTime(std::string_view text) {
  if (text.find(':') != std::string_view::npos) return true;
  for (size_t i = 1; i < text.size(); ++i) {
    if (text[i] == 'T' && (IsDigit(text[i - 1]) || text[i - 1] == 'X')) {
      return true;
    }
  }
  return false;
}

// Removes and returns the longest prefix of `rest` made of digits and X.
std::string_view TakeField(std::string_view& rest) {
  size_t n = 0;
  while (n < rest.size() && (IsDigit(rest[n]) || rest[n] == 'X')) ++n;
  std::string_view field = rest.substr(0, n);
  rest.remove_prefix(n);
  return field;
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

Day Clamp(Day day) { return std::clamp(day, kMinDay, kMaxDay); }

}  // namespace

absl::StatusOr<EdtfDate> ParseEdtfDate(std::string_view text,
                                       std::string_view context) {
  auto fail = [&](std::string_view reason) {
    return Invalid(text, context, reason);
  };
  if (text.empty()) {
    return fail("empty; give a date such as 2018, 2018-11 or 2018-11-26");
  }
  if (LooksLikeDateTime(text)) return fail(kDateTimeReason);
  if (std::any_of(text.begin(), text.end(), IsWhitespace)) {
    return fail("contains whitespace");
  }
  if (text.find('x') != std::string_view::npos) {
    return fail("unspecified digits must be an uppercase X");
  }
  switch (text.front()) {
    case 'Y':
      return fail(
          "years must be 0001-9999; long years (Y...) are not supported");
    case '-':
      return fail("years must be 0001-9999; negative years are not supported");
    case '+':
      return fail("years must be 0001-9999; signed years are not supported");
    default:
      break;
  }
  if (IsQualifier(text.front())) {
    return fail("a qualifier (?, ~ or %) may only follow a whole date");
  }

  EdtfDate date;
  std::string_view rest = text;
  bool has_unspecified = false;

  const std::string_view year = TakeField(rest);
  if (year.empty()) {
    return fail("expected a date such as 2018, 2018-11 or 2018-11-26");
  }
  if (AllDigits(year)) {
    if (year.size() > 4) return fail("years must be 0001-9999");
    if (year.size() < 4) return fail("a year must have four digits");
    date.year = DigitsValue(year);
    if (date.year == 0) return fail("years must be 0001-9999");
    date.precision = Precision::kYear;
  } else {
    if (year.size() != 4) return fail("a year must have four digits");
    if (AllDigits(year.substr(0, 3)) && year[3] == 'X') {
      date.year = DigitsValue(year.substr(0, 3)) * 10;
      date.precision = Precision::kDecade;
    } else if (AllDigits(year.substr(0, 2)) && year.substr(2) == "XX") {
      date.year = DigitsValue(year.substr(0, 2)) * 100;
      date.precision = Precision::kCentury;
    } else {
      return fail(
          "only the last one or two digits of a year may be unspecified (X)");
    }
    has_unspecified = true;
  }

  if (!rest.empty() && rest.front() == '-') {
    rest.remove_prefix(1);
    if (has_unspecified) {
      return fail("a year with unspecified digits (X) cannot have a month");
    }
    const std::string_view month = TakeField(rest);
    bool month_unspecified = false;
    if (month == "XX") {
      month_unspecified = true;
      has_unspecified = true;
    } else if (month.size() != 2 || !AllDigits(month)) {
      if (month.find('X') != std::string_view::npos) {
        return fail("a month is two digits (01-12) or XX, never partly X");
      }
      return fail("a month must have two digits (01-12)");
    } else {
      const int m = DigitsValue(month);
      if (m >= 21 && m <= 41) {
        return fail(absl::StrFormat(
            "\"%s\" is a season; seasons are not supported, give a month "
            "01-12",
            month));
      }
      if (m < 1 || m > 12) {
        return fail(absl::StrFormat("month %s does not exist; months are 01-12",
                                    month));
      }
      date.month = m;
      date.precision = Precision::kMonth;
    }

    if (!rest.empty() && rest.front() == '-') {
      rest.remove_prefix(1);
      const std::string_view day = TakeField(rest);
      if (day == "XX") {
        has_unspecified = true;
      } else if (month_unspecified) {
        return fail("a day cannot follow an unspecified month (XX)");
      } else if (day.size() != 2 || !AllDigits(day)) {
        if (day.find('X') != std::string_view::npos) {
          return fail("a day is two digits or XX, never partly X");
        }
        return fail("a day must have two digits");
      } else {
        const int d = DigitsValue(day);
        if (d < 1 || d > DaysInMonth(date.year, date.month)) {
          return fail(absl::StrFormat("day %s does not exist in %s %04d", day,
                                      kMonthNames[date.month - 1], date.year));
        }
        date.day = d;
        date.precision = Precision::kDay;
      }
    }
  }

  if (!rest.empty() && IsQualifier(rest.front())) {
    if (has_unspecified) {
      return fail(
          "a qualifier (?, ~ or %) cannot be combined with unspecified digits "
          "(X)");
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
      return fail("a qualifier (?, ~ or %) may only follow a whole date");
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
  switch (date.precision) {
    case Precision::kCentury:
      text = absl::StrFormat("%02dXX", date.year / 100);
      break;
    case Precision::kDecade:
      text = absl::StrFormat("%03dX", date.year / 10);
      break;
    case Precision::kYear:
      text = absl::StrFormat("%04d", date.year);
      break;
    case Precision::kMonth:
      text = absl::StrFormat("%04d-%02d", date.year, date.month);
      break;
    case Precision::kDay:
      text = absl::StrFormat("%04d-%02d-%02d", date.year, date.month, date.day);
      break;
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
  Day first = 0;
  Day last = 0;
  switch (date.precision) {
    case Precision::kCentury:
    case Precision::kDecade: {
      const int years = date.precision == Precision::kCentury ? 100 : 10;
      first = DayFromCivil(date.year, 1, 1);
      last = DayFromCivil(date.year + years, 1, 1) - 1;
      break;
    }
    case Precision::kYear:
      first = DayFromCivil(date.year - pad, 1, 1);
      last = DayFromCivil(date.year + pad + 1, 1, 1) - 1;
      break;
    case Precision::kMonth: {
      const absl::CivilMonth month(date.year, date.month);
      first = DayFromCivil(absl::CivilDay(month - pad));
      last = DayFromCivil(absl::CivilDay(month + pad + 1)) - 1;
      break;
    }
    case Precision::kDay:
      first = DayFromCivil(date.year, date.month, date.day) - pad;
      last = first + 2 * pad;
      break;
  }
  return DaySpan{Clamp(first), Clamp(last)};
}

}  // namespace annals::temporal
