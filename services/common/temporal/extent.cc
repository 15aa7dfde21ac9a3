#include "services/common/temporal/extent.h"

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/temporal/day.h"
#include "services/common/temporal/edtf.h"

namespace annals::temporal {

static_assert(sizeof(Extent) <= 24, "Extent is stored per statement");

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

// What one side of an interval says. kNone is 0 so that a zero packed side
// means "no spelling".
enum class SideKind : uint32_t {
  kNone = 0,
  kDate = 1,
  kOpen = 2,
  kUnknown = 3
};

struct Side {
  SideKind kind = SideKind::kNone;
  EdtfDate date;  // Only for kDate.
};

// Packed layout, low bits first (29 bits): kind 2, year 14, month 4, day 5,
// unspecified year digits 2 (1 for 201X, 2 for 20XX), qualifier 2. The
// precision follows from the month, the day and the unspecified digits.
uint32_t PackSide(const Side& side) {
  uint32_t packed = static_cast<uint32_t>(side.kind);
  if (side.kind != SideKind::kDate) return packed;
  const EdtfDate& d = side.date;
  uint32_t unspecified = 0;
  if (d.precision == Precision::kDecade) unspecified = 1;
  if (d.precision == Precision::kCentury) unspecified = 2;
  packed |= static_cast<uint32_t>(d.year) << 2;
  packed |= static_cast<uint32_t>(d.month) << 16;
  packed |= static_cast<uint32_t>(d.day) << 20;
  packed |= unspecified << 25;
  packed |= static_cast<uint32_t>(d.qualifier) << 27;
  return packed;
}

Side UnpackSide(uint32_t packed) {
  Side side;
  side.kind = static_cast<SideKind>(packed & 0x3);
  if (side.kind != SideKind::kDate) return side;
  EdtfDate& d = side.date;
  d.year = static_cast<int>((packed >> 2) & 0x3fff);
  d.month = static_cast<int>((packed >> 16) & 0xf);
  d.day = static_cast<int>((packed >> 20) & 0x1f);
  const uint32_t unspecified = (packed >> 25) & 0x3;
  d.qualifier = static_cast<Qualifier>((packed >> 27) & 0x3);
  if (d.day != 0) {
    d.precision = Precision::kDay;
  } else if (d.month != 0) {
    d.precision = Precision::kMonth;
  } else if (unspecified == 1) {
    d.precision = Precision::kDecade;
  } else if (unspecified == 2) {
    d.precision = Precision::kCentury;
  } else {
    d.precision = Precision::kYear;
  }
  return side;
}

std::string FormatSide(const Side& side) {
  switch (side.kind) {
    case SideKind::kDate:
      return FormatEdtfDate(side.date);
    case SideKind::kOpen:
      return "..";
    case SideKind::kUnknown:
    case SideKind::kNone:
      break;
  }
  return "";
}

absl::Status Invalid(std::string_view text, std::string_view reason) {
  return absl::InvalidArgumentError(
      absl::StrFormat("\"%s\": %s", Escape(text), reason));
}

bool IsStartBound(Day day) {
  return day == kMinusInfinity || (day >= kMinDay && day <= kMaxDay);
}

bool IsEndBound(Day day) {
  return day == kPlusInfinity || (day >= kMinDay + 1 && day <= kMaxDay + 1);
}

}  // namespace

std::string_view CertaintyName(Certainty certainty) {
  switch (certainty) {
    case Certainty::kNo:
      return "no";
    case Certainty::kPossible:
      return "possible";
    case Certainty::kDefinite:
      return "definite";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, Certainty certainty) {
  return os << CertaintyName(certainty);
}

std::ostream& operator<<(std::ostream& os, const DurationRange& duration) {
  auto days = [](int32_t n) {
    return n == kUnboundedDays ? std::string("unbounded") : absl::StrCat(n);
  };
  return os << "[" << days(duration.min_days) << ", " << days(duration.max_days)
            << "]";
}

absl::StatusOr<Extent> Extent::Parse(std::string_view edtf) {
  if (edtf.empty()) {
    return Invalid(edtf,
                   "empty; give a date such as 2018-11-26 or an interval such "
                   "as 2018-11/2019-11");
  }
  const size_t slash = edtf.find('/');
  if (slash == std::string_view::npos) {
    if (edtf == "..") {
      return Invalid(edtf,
                     "\"..\" is an open side of an interval, such as "
                     "2024-05-24/.., not a date");
    }
    absl::StatusOr<EdtfDate> date = ParseEdtfDate(edtf, edtf);
    if (!date.ok()) return date.status();
    const DaySpan span = SpanOf(*date, date->approximate());
    Extent extent(span.first, span.last, span.first + 1, span.last + 1,
                  /*instant=*/true, date->uncertain());
    extent.start_side_ = PackSide(Side{SideKind::kDate, *date});
    return extent;
  }
  if (edtf.find('/', slash + 1) != std::string_view::npos) {
    return Invalid(edtf, "more than one \"/\"; an interval is START/END");
  }

  Side sides[2];
  const std::string_view texts[2] = {edtf.substr(0, slash),
                                     edtf.substr(slash + 1)};
  for (int i = 0; i < 2; ++i) {
    if (texts[i].empty()) {
      sides[i].kind = SideKind::kUnknown;
    } else if (texts[i] == "..") {
      sides[i].kind = SideKind::kOpen;
    } else {
      absl::StatusOr<EdtfDate> date = ParseEdtfDate(texts[i], edtf);
      if (!date.ok()) return date.status();
      sides[i] = Side{SideKind::kDate, *date};
    }
  }
  const Side& start = sides[0];
  const Side& end = sides[1];
  if (start.kind != SideKind::kDate && end.kind != SideKind::kDate) {
    return Invalid(edtf,
                   "an interval needs at least one date, such as 2018/ or "
                   "../2011");
  }

  // Open sides by default. An unknown side starts unbounded on both sides
  // (kPlusInfinity latest start, kMinusInfinity earliest end) and is
  // tightened by s < e below.
  Day earliest_start = kMinusInfinity;
  Day latest_start = kMinusInfinity;
  Day earliest_end = kPlusInfinity;
  Day latest_end = kPlusInfinity;
  if (start.kind == SideKind::kDate) {
    const DaySpan span = SpanOf(start.date, start.date.approximate());
    earliest_start = span.first;
    latest_start = span.last;
  } else if (start.kind == SideKind::kUnknown) {
    latest_start = kPlusInfinity;  // Until tightened by the end.
  }
  if (end.kind == SideKind::kDate) {
    const DaySpan span = SpanOf(end.date, end.date.approximate());
    earliest_end = span.first;
    latest_end = span.last;
    // The qualifiers only widen; a literally reversed or empty interval is a
    // mistake even when the widened spans would overlap.
    const Day literal_last_end = SpanOf(end.date, /*widen=*/false).last;
    if (start.kind == SideKind::kDate) {
      const Day literal_first_start = SpanOf(start.date, false).first;
      if (literal_first_start > literal_last_end) {
        return Invalid(edtf, "the interval ends before it starts (reversed)");
      }
      if (literal_first_start == literal_last_end) {
        return Invalid(edtf,
                       "the interval ends on the day it starts, so it holds "
                       "on no day (A/B excludes B); write the single date for "
                       "a one-day event");
      }
    } else if (literal_last_end <= kMinDay) {
      return Invalid(edtf,
                     "the interval ends on 0001-01-01, so it holds on no day "
                     "of the calendar");
    }
  } else if (end.kind == SideKind::kUnknown) {
    earliest_end = kMinusInfinity;  // Until tightened by the start.
  }
  if (IsFinite(latest_end)) {
    latest_start = std::min(latest_start, latest_end - 1);
  }
  if (IsFinite(earliest_start)) {
    earliest_end = std::max(earliest_end, earliest_start + 1);
  }
  // A reading holds on at least one calendar day, so it ends no sooner than
  // 0001-01-02 even when the end's span starts on 0001-01-01 ("../0001").
  if (earliest_end != kMinusInfinity) {
    earliest_end = std::max(earliest_end, kMinDay + 1);
  }

  const bool uncertain =
      (start.kind == SideKind::kDate && start.date.uncertain()) ||
      (end.kind == SideKind::kDate && end.date.uncertain());
  Extent extent(earliest_start, latest_start, earliest_end, latest_end,
                /*instant=*/false, uncertain);
  extent.start_side_ = PackSide(start);
  extent.end_side_ = PackSide(end);
  return extent;
}

absl::StatusOr<Extent> Extent::FromBounds(Day earliest_start, Day latest_start,
                                          Day earliest_end, Day latest_end,
                                          ExtentFlags flags) {
  auto fail = [&](std::string_view reason) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "bounds [%s..%s, %s..%s): %s", FormatDay(earliest_start),
        FormatDay(latest_start), FormatDay(earliest_end), FormatDay(latest_end),
        reason));
  };
  if (!IsStartBound(earliest_start) || !IsStartBound(latest_start)) {
    return fail("a start must be -infinity or a day in 0001-01-01..9999-12-31");
  }
  if (!IsEndBound(earliest_end) || !IsEndBound(latest_end)) {
    return fail("an end must be +infinity or a day in 0001-01-02..10000-01-01");
  }
  if (earliest_start > latest_start) {
    return fail("earliest start is after latest start");
  }
  if (earliest_end > latest_end) {
    return fail("earliest end is after latest end");
  }
  if (earliest_start >= latest_end) {
    return fail("no reading starts before it ends");
  }
  if (flags.instant) {
    if (!IsFinite(earliest_start) || !IsFinite(latest_end) ||
        earliest_end != earliest_start + 1 || latest_end != latest_start + 1) {
      return fail("an instant's ends must be its starts plus one day");
    }
  }
  if (IsFinite(latest_end)) {
    latest_start = std::min(latest_start, latest_end - 1);
  }
  if (IsFinite(earliest_start)) {
    earliest_end = std::max(earliest_end, earliest_start + 1);
  }
  return Extent(earliest_start, latest_start, earliest_end, latest_end,
                flags.instant, flags.uncertain);
}

std::string Extent::ToEdtf() const {
  const Side start = UnpackSide(static_cast<uint32_t>(start_side_));
  const Side end = UnpackSide(static_cast<uint32_t>(end_side_));
  if (start.kind == SideKind::kNone) return "";
  if (end.kind == SideKind::kNone) return FormatSide(start);
  return absl::StrCat(FormatSide(start), "/", FormatSide(end));
}

std::string Extent::DebugString() const {
  return absl::StrCat(
      "[", FormatDay(earliest_start_), "..", FormatDay(latest_start_), ", ",
      FormatDay(earliest_end_), "..", FormatDay(latest_end_), ")",
      instant_ ? " instant" : "", uncertain_ ? " uncertain" : "");
}

Certainty Extent::HoldsOn(Day day) const {
  if (day < earliest_start_ || day >= latest_end_) return Certainty::kNo;
  if (day >= latest_start_ && day < earliest_end_) {
    return Cap(Certainty::kDefinite);
  }
  return Certainty::kPossible;
}

Certainty Extent::Overlaps(Day from, Day to) const {
  if (from >= to) return Certainty::kNo;
  // The widest reading (earliest_start, latest_end) is admissible.
  if (earliest_start_ >= to || latest_end_ <= from) return Certainty::kNo;
  // Every reading starts by latest_start and ends no sooner than
  // earliest_end.
  if (latest_start_ < to && earliest_end_ > from) {
    return Cap(Certainty::kDefinite);
  }
  return Certainty::kPossible;
}

Certainty Extent::HoldsThroughout(Day from, Day to) const {
  if (from >= to) return Certainty::kNo;
  bool possible;
  if (instant_) {
    // A reading (s, s + 1) covers [from, to) iff to - 1 <= s <= from.
    const int64_t lowest = std::max<int64_t>(earliest_start_, int64_t{to} - 1);
    const int64_t highest = std::min<int64_t>(latest_start_, from);
    possible = lowest <= highest;
  } else {
    // The widest reading. An unknown side is finite, so only an open side
    // reaches an unbounded side of the window.
    const bool start_ok =
        open_start() || (IsFinite(from) && earliest_start_ <= from);
    const bool end_ok = open_end() || (IsFinite(to) && latest_end_ >= to);
    possible = start_ok && end_ok;
  }
  if (!possible) return Certainty::kNo;
  if (latest_start_ <= from && earliest_end_ >= to) {
    return Cap(Certainty::kDefinite);
  }
  return Certainty::kPossible;
}

DurationRange Extent::Duration() const {
  if (instant_) return DurationRange{1, 1};
  DurationRange duration;
  if (!IsFinite(earliest_start_) || !IsFinite(latest_end_)) {
    duration.max_days = kUnboundedDays;
  } else {
    duration.max_days = latest_end_ - earliest_start_;
  }
  if (!IsFinite(latest_start_) || !IsFinite(earliest_end_)) {
    duration.min_days = kUnboundedDays;
  } else {
    duration.min_days = std::max(earliest_end_ - latest_start_, 1);
  }
  return duration;
}

std::ostream& operator<<(std::ostream& os, const Extent& extent) {
  if (extent.has_edtf()) os << extent.ToEdtf() << " ";
  return os << extent.DebugString();
}

}  // namespace annals::temporal
