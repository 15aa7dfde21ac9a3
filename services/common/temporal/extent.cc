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

// Four bounds and the spelling of both sides. The timeline keeps one per
// statement revision; docs/benchmarks.md has what that costs.
static_assert(sizeof(Extent) <= 32, "Extent is stored per statement");

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

// Packed layout, low bits first (44 bits): kind 2, qualifier 2, precision 2,
// unspecified year digits 3, month 5, day 5, year 25 (offset by 2^24).
constexpr int64_t kYearOffset = int64_t{1} << 24;
static_assert(kMaxYear < kYearOffset && -kMinYear < kYearOffset);

uint64_t PackSide(const Side& side) {
  uint64_t packed = static_cast<uint64_t>(side.kind);
  if (side.kind != SideKind::kDate) return packed;
  const EdtfDate& d = side.date;
  packed |= static_cast<uint64_t>(d.qualifier) << 2;
  packed |= static_cast<uint64_t>(d.precision) << 4;
  packed |= static_cast<uint64_t>(d.unspecified_digits) << 6;
  packed |= static_cast<uint64_t>(d.month) << 9;
  packed |= static_cast<uint64_t>(d.day) << 14;
  packed |= static_cast<uint64_t>(d.year + kYearOffset) << 19;
  return packed;
}

Side UnpackSide(uint64_t packed) {
  Side side;
  side.kind = static_cast<SideKind>(packed & 0x3);
  if (side.kind != SideKind::kDate) return side;
  EdtfDate& d = side.date;
  d.qualifier = static_cast<Qualifier>((packed >> 2) & 0x3);
  d.precision = static_cast<Precision>((packed >> 4) & 0x3);
  d.unspecified_digits = static_cast<int>((packed >> 6) & 0x7);
  d.month = static_cast<int>((packed >> 9) & 0x1f);
  d.day = static_cast<int>((packed >> 14) & 0x1f);
  d.year = static_cast<int>(
      static_cast<int64_t>((packed >> 19) & ((uint64_t{1} << 25) - 1)) -
      kYearOffset);
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
      if (date->has_time) {
        return Invalid(
            edtf,
            absl::StrFormat("an EDTF interval joins dates, not date-times; "
                            "give the date %s",
                            FormatEdtfDate(*date)));
      }
      sides[i] = Side{SideKind::kDate, *date};
    }
  }
  const Side& start = sides[0];
  const Side& end = sides[1];
  // The start's span, then the last day's span; open sides are infinite and
  // unknown sides unbounded until tightened below.
  Day earliest_start = kMinusInfinity;
  Day latest_start = kMinusInfinity;
  Day earliest_end = kPlusInfinity;
  Day latest_end = kPlusInfinity;
  if (start.kind == SideKind::kDate) {
    const DaySpan span = SpanOf(start.date, start.date.approximate());
    earliest_start = span.first;
    latest_start = span.last;
  } else if (start.kind == SideKind::kUnknown) {
    latest_start = kMaxDay;  // Until tightened by the end.
  }
  if (end.kind == SideKind::kDate) {
    const DaySpan span = SpanOf(end.date, end.date.approximate());
    earliest_end = span.first + 1;
    latest_end = span.last + 1;
    // The qualifiers only widen; a literally reversed interval is a mistake
    // even when the widened spans would overlap.
    if (start.kind == SideKind::kDate &&
        SpanOf(start.date, false).first > SpanOf(end.date, false).last) {
      return Invalid(edtf, "the interval ends before it starts (reversed)");
    }
  } else if (end.kind == SideKind::kUnknown) {
    earliest_end = kMinDay + 1;  // Until tightened by the start.
  }
  if (IsFinite(latest_end)) {
    latest_start = std::min(latest_start, latest_end - 1);
  }
  if (IsFinite(earliest_start)) {
    earliest_end = std::max(earliest_end, earliest_start + 1);
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

absl::StatusOr<Extent> Extent::FromBoundDates(const BoundDates& bounds) {
  struct Field {
    std::string_view name;
    std::string_view text;
  };
  const Field fields[4] = {{"earliest_start", bounds.earliest_start},
                           {"latest_start", bounds.latest_start},
                           {"earliest_end", bounds.earliest_end},
                           {"latest_end", bounds.latest_end}};
  auto fail = [](std::string_view field, std::string_view reason) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: %s", field, reason));
  };
  // Each field's span, when present (neither empty nor "..").
  DaySpan spans[4];
  bool present[4] = {};
  bool open[4] = {};
  bool uncertain = false;
  for (int i = 0; i < 4; ++i) {
    const Field& field = fields[i];
    if (field.text.empty()) continue;
    if (field.text == "..") {
      open[i] = true;
      continue;
    }
    if (field.text.find('/') != std::string_view::npos) {
      return fail(field.name,
                  absl::StrFormat("\"%s\" is an interval; a bound is one "
                                  "date, \"..\" (open) or empty (unknown)",
                                  Escape(field.text)));
    }
    absl::StatusOr<EdtfDate> date = ParseEdtfDate(field.text);
    if (!date.ok()) {
      const absl::string_view reason = date.status().message();
      return fail(field.name, std::string_view(reason.data(), reason.size()));
    }
    spans[i] = SpanOf(*date, date->approximate());
    present[i] = true;
    uncertain = uncertain || date->uncertain();
  }
  for (int side = 0; side < 4; side += 2) {
    if (open[side] != open[side + 1]) {
      const int lone = open[side] ? side : side + 1;
      return fail(fields[lone].name,
                  absl::StrFormat("\"..\" makes the %s open, so %s must be "
                                  "\"..\" too",
                                  side == 0 ? "start" : "end",
                                  fields[lone == side ? side + 1 : side].name));
    }
  }
  // As in EDTF, where "/.." and "../.." say something but "" does not: all
  // four empty is no valid time at all.
  if (!present[0] && !present[1] && !present[2] && !present[3] && !open[0] &&
      !open[2]) {
    return absl::InvalidArgumentError(
        "give at least one date or open side among earliest_start, "
        "latest_start, "
        "earliest_end and latest_end");
  }
  Day earliest_start = kMinusInfinity;
  Day latest_start = open[0] ? kMinusInfinity : kMaxDay;
  Day earliest_end = open[2] ? kPlusInfinity : kMinDay + 1;
  Day latest_end = kPlusInfinity;
  if (present[0]) earliest_start = spans[0].first;
  if (present[1]) latest_start = spans[1].last;
  if (present[2]) earliest_end = spans[2].first + 1;
  if (present[3]) latest_end = spans[3].last + 1;
  if (present[0] && present[1] && earliest_start > latest_start) {
    return fail("latest_start", "before earliest_start");
  }
  if (present[2] && present[3] && earliest_end > latest_end) {
    return fail("latest_end", "before earliest_end");
  }
  if (earliest_start >= latest_end) {
    return fail(present[3] ? "latest_end" : "earliest_end",
                "before every possible start, so the extent holds on no day");
  }
  if (IsFinite(latest_end)) {
    latest_start = std::min(latest_start, latest_end - 1);
  }
  if (IsFinite(earliest_start)) {
    earliest_end = std::max(earliest_end, earliest_start + 1);
  }
  return Extent(earliest_start, latest_start, earliest_end, latest_end,
                /*instant=*/false, uncertain);
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
    return fail(absl::StrFormat("a start must be -infinity or a day in %s..%s",
                                FormatDay(kMinDay), FormatDay(kMaxDay)));
  }
  if (!IsEndBound(earliest_end) || !IsEndBound(latest_end)) {
    return fail(absl::StrFormat("an end must be +infinity or a day in %s..%s",
                                FormatDay(kMinDay + 1),
                                FormatDay(kMaxDay + 1)));
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
  const Side start = UnpackSide(start_side_);
  const Side end = UnpackSide(end_side_);
  if (start.kind == SideKind::kNone) return "";
  if (end.kind == SideKind::kNone) return FormatSide(start);
  return absl::StrCat(FormatSide(start), "/", FormatSide(end));
}

std::string Extent::DebugString() const {
  return absl::StrCat(
      "[", FormatDay(earliest_start_), "..", FormatDay(latest_start_), ", ",
      FormatDay(earliest_last_day()), "..", FormatDay(latest_last_day()), "]",
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
