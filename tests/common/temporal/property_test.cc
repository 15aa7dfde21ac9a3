// Property tests: thousands of random extents over a few days, every answer
// compared with a brute-force oracle that enumerates the admissible readings.
//
// A reading is a first day s and a last day l, held on s..l; the oracle keeps
// it as (s, e) with e = l + 1, as the library does. It works on day offsets
// from a base day. Finite bounds lie in [0, 9]. An infinite bound becomes
// the horizon: an open start is exactly -h and an open end exactly +h
// (shared by every extent, as in the library), while an unknown side ranges
// over finite offsets strictly inside (-h, h): the calendar's first day is
// -h + 1 and its last day h - 2, so an unknown start reaches -h + 1 .. h - 2
// and an unknown end (the day after a last day) -h + 2 .. h - 1, as the
// library bounds an unknown side by kMinDay and kMaxDay. With h = 15 there is
// room for two distinct unknown starts below every finite bound and above,
// and two distinct unknown ends above, which is all any Allen configuration
// of two extents needs. HoldsOn, Overlaps and gaps probe days in [-3, 11],
// strictly inside the range unknown sides reach, and unbounded windows map to
// exactly ±h, which only an open side reaches. Durations are computed at two
// horizons: a bound that moves with the horizon is unbounded.
//
// Texts are checked two ways: day-precision EDTF and bound dates near
// several base days (before Christ, across year 0000, after), written with
// absl's calendar and read by the oracle from the text's own meaning; and
// dates of every precision over the whole calendar (negative and long
// years, seasons, unspecified digits, qualifiers), whose bounds are computed
// from the calendar independently of the library and compared exactly.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/temporal/allen.h"
#include "services/common/temporal/day.h"
#include "services/common/temporal/extent.h"
#include "services/common/temporal/gaps.h"
#include "tests/testing/status_matchers.h"

namespace annals::temporal {
namespace {

constexpr int kHorizon = 15;
const Day kBase = DayFromCivil(2000, 1, 1);

// Base days for texts: the oracle's offset 0. Chosen so that the few days
// after each cross a month, a year or year 0000 (1 BC).
const absl::CivilDay kTextBases[] = {
    absl::CivilDay(2000, 1, 1),  absl::CivilDay(1999, 12, 27),
    absl::CivilDay(-1, 12, 27),  absl::CivilDay(0, 12, 26),
    absl::CivilDay(-44, 3, 10),  absl::CivilDay(0, 2, 25),
    absl::CivilDay(-9999, 1, 1), absl::CivilDay(9999, 12, 21),
};

// Bounds as generated, before the library tightens them; offsets from kBase
// or the sentinels. A kPlusInfinity latest start or kMinusInfinity earliest
// end means "unknown, bounded only by the other side".
struct Raw {
  Day earliest_start;
  Day latest_start;
  Day earliest_end;
  Day latest_end;
  bool instant = false;
  bool uncertain = false;
};

struct Reading {
  int s;
  int e;
};

// The readings with open sides at -h and h and the calendar's edges (which
// bound unknown sides) at -c + 1 and c - 2 (c <= h; by default c = h).
std::vector<Reading> Readings(const Raw& r, int h, int c = 0) {
  if (c == 0) c = h;
  int s_lo, s_hi, e_lo, e_hi;
  if (r.latest_start == kMinusInfinity) {
    s_lo = s_hi = -h;
  } else {
    s_lo = r.earliest_start == kMinusInfinity ? -c + 1 : r.earliest_start;
    s_hi = r.latest_start == kPlusInfinity ? c - 2 : r.latest_start;
  }
  if (r.earliest_end == kPlusInfinity) {
    e_lo = e_hi = h;
  } else {
    e_lo = r.earliest_end == kMinusInfinity ? -c + 2 : r.earliest_end;
    e_hi = r.latest_end == kPlusInfinity ? c - 1 : r.latest_end;
  }
  std::vector<Reading> readings;
  for (int s = s_lo; s <= s_hi; ++s) {
    for (int e = e_lo; e <= e_hi; ++e) {
      if (s < e && (!r.instant || e == s + 1)) readings.push_back({s, e});
    }
  }
  return readings;
}

Certainty Answer(int satisfied, int total, bool uncertain) {
  if (satisfied == 0) return Certainty::kNo;
  if (satisfied == total && !uncertain) return Certainty::kDefinite;
  return Certainty::kPossible;
}

// Window [from, to) in offsets, already clamped to the horizon.
Certainty OracleOverlaps(const std::vector<Reading>& readings, bool uncertain,
                         int from, int to) {
  if (from >= to) return Certainty::kNo;
  int n = 0;
  for (const Reading& r : readings) n += (r.s < to && from < r.e) ? 1 : 0;
  return Answer(n, static_cast<int>(readings.size()), uncertain);
}

Certainty OracleThroughout(const std::vector<Reading>& readings, bool uncertain,
                           int from, int to) {
  if (from >= to) return Certainty::kNo;
  int n = 0;
  for (const Reading& r : readings) n += (r.s <= from && to <= r.e) ? 1 : 0;
  return Answer(n, static_cast<int>(readings.size()), uncertain);
}

Certainty OracleHoldsOn(const std::vector<Reading>& readings, bool uncertain,
                        int day) {
  return OracleOverlaps(readings, uncertain, day, day + 1);
}

// A duration that moves when the infinities move, or when the calendar's
// edges move, is unbounded.
DurationRange OracleDuration(const Raw& raw) {
  auto range = [&](int h, int c) {
    int lo = INT32_MAX, hi = INT32_MIN;
    for (const Reading& r : Readings(raw, h, c)) {
      lo = std::min(lo, r.e - r.s);
      hi = std::max(hi, r.e - r.s);
    }
    return std::pair(lo, hi);
  };
  const auto [lo1, hi1] = range(kHorizon, kHorizon);
  const auto [lo2, hi2] = range(kHorizon + 7, kHorizon);
  const auto [lo3, hi3] = range(kHorizon + 14, kHorizon + 7);
  return DurationRange{lo1 == lo2 && lo1 == lo3 ? lo1 : kUnboundedDays,
                       hi1 == hi2 && hi1 == hi3 ? hi1 : kUnboundedDays};
}

AllenRelation RelationOf(const Reading& a, const Reading& b) {
  using R = AllenRelation;
  if (a.e < b.s) return R::kBefore;
  if (a.e == b.s) return R::kMeets;
  if (b.e < a.s) return R::kAfter;
  if (b.e == a.s) return R::kMetBy;
  if (a.s == b.s) {
    if (a.e == b.e) return R::kEquals;
    return a.e < b.e ? R::kStarts : R::kStartedBy;
  }
  if (a.e == b.e) return a.s > b.s ? R::kFinishes : R::kFinishedBy;
  if (a.s < b.s) return a.e < b.e ? R::kOverlaps : R::kContains;
  return a.e < b.e ? R::kDuring : R::kOverlappedBy;
}

AllenSet OracleRelate(const std::vector<Reading>& a,
                      const std::vector<Reading>& b) {
  AllenSet set;
  for (const Reading& x : a) {
    for (const Reading& y : b) {
      set.Insert(RelationOf(x, y));
      if (set == AllenSet::All()) return set;
    }
  }
  return set;
}

Day ToDay(Day offset) { return IsFinite(offset) ? kBase + offset : offset; }

// The oracle's offset of a library bound: the infinities are the horizon and
// the calendar's edges (an unknown side's only bound) just inside it.
int OffsetOf(Day day, Day base) {
  if (day == kMinusInfinity) return -kHorizon;
  if (day == kPlusInfinity) return kHorizon;
  if (day == kMinDay) return -kHorizon + 1;
  if (day == kMinDay + 1) return -kHorizon + 2;
  if (day == kMaxDay) return kHorizon - 2;
  if (day == kMaxDay + 1) return kHorizon - 1;
  return day - base;
}

// A random extent in the library and its raw bounds, as offsets from base.
struct Sample {
  Raw raw;
  Extent extent;
  std::vector<Reading> readings;
  Day base = kBase;
};

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  int Uniform(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_);
  }
  bool Chance(int percent) { return Uniform(1, 100) <= percent; }

  // Random raw bounds in [0, 9] (ends exclusive), mixing exact, imprecise,
  // open, unknown, instant and uncertain extents; some admit no reading.
  Raw RandomRaw() {
    Raw r;
    r.uncertain = Chance(20);
    if (Chance(25)) {
      r.instant = true;
      r.earliest_start = Uniform(0, 8);
      r.latest_start = Uniform(r.earliest_start,
                               std::min(8, r.earliest_start + Uniform(0, 4)));
      r.earliest_end = r.earliest_start + 1;
      r.latest_end = r.latest_start + 1;
      return r;
    }
    const int start_kind = Uniform(0, 99);
    if (start_kind < 70) {
      r.earliest_start = Uniform(0, 8);
      r.latest_start = Uniform(r.earliest_start, 8);
    } else if (start_kind < 85) {
      r.earliest_start = r.latest_start = kMinusInfinity;
    } else {
      r.earliest_start = kMinusInfinity;
      r.latest_start = Uniform(0, 8);
    }
    const int end_kind = Uniform(0, 99);
    if (end_kind < 70) {
      r.earliest_end = Uniform(1, 9);
      r.latest_end = Uniform(r.earliest_end, 9);
    } else if (end_kind < 85) {
      r.earliest_end = r.latest_end = kPlusInfinity;
    } else {
      r.earliest_end = Uniform(1, 9);
      r.latest_end = kPlusInfinity;
    }
    return r;
  }

  // A valid sample built with FromBounds.
  Sample RandomSample() {
    for (;;) {
      Raw raw = RandomRaw();
      std::vector<Reading> readings = Readings(raw, kHorizon);
      absl::StatusOr<Extent> extent = Extent::FromBounds(
          ToDay(raw.earliest_start), ToDay(raw.latest_start),
          ToDay(raw.earliest_end), ToDay(raw.latest_end),
          {.instant = raw.instant, .uncertain = raw.uncertain});
      EXPECT_EQ(extent.ok(), !readings.empty())
          << raw.earliest_start << " " << raw.latest_start << " "
          << raw.earliest_end << " " << raw.latest_end << " "
          << extent.status();
      if (extent.ok() && !readings.empty()) {
        return Sample{raw, *extent, std::move(readings)};
      }
    }
  }

 private:
  std::mt19937 rng_;
};

// Offsets to test days on, reaching past every finite bound.
constexpr int kFirstProbe = -3;
constexpr int kLastProbe = 11;

void ExpectBoundsAreTight(const Sample& sample) {
  // Each bound is attained by a reading (clamped readings at ±h stand for
  // the infinities; unknown sides reach -h + 1 or h - 1).
  int min_s = INT32_MAX, max_s = INT32_MIN, min_e = INT32_MAX,
      max_e = INT32_MIN;
  for (const Reading& r : sample.readings) {
    min_s = std::min(min_s, r.s);
    max_s = std::max(max_s, r.s);
    min_e = std::min(min_e, r.e);
    max_e = std::max(max_e, r.e);
  }
  auto offset = [&](Day day) { return OffsetOf(day, sample.base); };
  const Extent& e = sample.extent;
  EXPECT_EQ(std::max(offset(e.earliest_start()), -kHorizon + 1),
            std::max(min_s, -kHorizon + 1));
  EXPECT_EQ(offset(e.latest_start()), max_s);
  EXPECT_EQ(offset(e.earliest_end()), min_e);
  EXPECT_EQ(std::min(offset(e.latest_end()), kHorizon - 1),
            std::min(max_e, kHorizon - 1));
}

void ExpectSingleExtentAnswersMatch(const Sample& sample, Generator& gen) {
  const Extent& extent = sample.extent;
  const Day base = sample.base;
  const bool uncertain = sample.raw.uncertain;
  SCOPED_TRACE(extent.DebugString());
  ExpectBoundsAreTight(sample);
  EXPECT_EQ(extent.instant(), sample.raw.instant);
  EXPECT_EQ(extent.uncertain(), uncertain);
  for (int d = kFirstProbe; d <= kLastProbe; ++d) {
    EXPECT_EQ(extent.HoldsOn(base + d),
              OracleHoldsOn(sample.readings, uncertain, d))
        << "day " << d;
  }
  for (int i = 0; i < 30; ++i) {
    int from = gen.Uniform(kFirstProbe, kLastProbe);
    int to = gen.Uniform(from - 1, kLastProbe + 1);
    Day from_day = base + from;
    Day to_day = base + to;
    if (gen.Chance(10)) {
      from = -kHorizon;
      from_day = kMinusInfinity;
    }
    if (gen.Chance(10)) {
      to = kHorizon;
      to_day = kPlusInfinity;
    }
    EXPECT_EQ(extent.Overlaps(from_day, to_day),
              OracleOverlaps(sample.readings, uncertain, from, to))
        << "window " << from << " " << to;
    EXPECT_EQ(extent.HoldsThroughout(from_day, to_day),
              OracleThroughout(sample.readings, uncertain, from, to))
        << "window " << from << " " << to;
  }
  EXPECT_EQ(extent.Duration(), OracleDuration(sample.raw));
}

TEST(PropertyTest, FromBoundsAnswersMatchTheOracle) {
  Generator gen(20240524);
  for (int i = 0; i < 4000; ++i) {
    const Sample sample = gen.RandomSample();
    ExpectSingleExtentAnswersMatch(sample, gen);
    if (HasFailure()) return;
  }
}

TEST(PropertyTest, RelateMatchesTheOracleAndIsConverse) {
  Generator gen(1185);
  for (int i = 0; i < 4000; ++i) {
    const Sample a = gen.RandomSample();
    const Sample b = gen.RandomSample();
    const AllenSet set = Relate(a.extent, b.extent);
    EXPECT_EQ(set, OracleRelate(a.readings, b.readings))
        << a.extent.DebugString() << " vs " << b.extent.DebugString();
    EXPECT_EQ(Relate(b.extent, a.extent), set.Inverse());
    EXPECT_FALSE(set.empty());
    if (HasFailure()) return;
  }
}

TEST(PropertyTest, RelateOfAnExtentWithItselfAdmitsEquals) {
  Generator gen(77);
  for (int i = 0; i < 1000; ++i) {
    const Sample a = gen.RandomSample();
    EXPECT_TRUE(Relate(a.extent, a.extent).Contains(AllenRelation::kEquals))
        << a.extent.DebugString();
  }
}

TEST(PropertyTest, GapsMatchTheOracle) {
  Generator gen(31337);
  for (int i = 0; i < 2000; ++i) {
    const int n = gen.Uniform(0, 5);
    std::vector<Sample> samples;
    std::vector<Extent> extents;
    for (int k = 0; k < n; ++k) {
      samples.push_back(gen.RandomSample());
      extents.push_back(samples.back().extent);
    }
    const int from = gen.Uniform(kFirstProbe, kLastProbe);
    const int to = gen.Uniform(from - 1, kLastProbe + 1);
    // Oracle: classify each day, then cut runs.
    Gaps expected;
    for (int d = from; d < to; ++d) {
      Certainty best = Certainty::kNo;
      for (const Sample& s : samples) {
        best = std::max(best, OracleHoldsOn(s.readings, s.raw.uncertain, d));
      }
      std::vector<DayRange>* list = nullptr;
      if (best == Certainty::kNo) list = &expected.definite;
      if (best == Certainty::kPossible) list = &expected.possible;
      if (list == nullptr) continue;
      if (!list->empty() && list->back().to == kBase + d) {
        ++list->back().to;
      } else {
        list->push_back(DayRange{kBase + d, kBase + d + 1});
      }
    }
    const Gaps gaps = FindGaps(extents, kBase + from, kBase + to);
    EXPECT_EQ(gaps.definite, expected.definite)
        << "window " << from << " " << to;
    EXPECT_EQ(gaps.possible, expected.possible)
        << "window " << from << " " << to;
    if (HasFailure()) return;
  }
}

// The EDTF spelling of a day of a four-digit year, from absl's calendar.
std::string DayText(absl::CivilDay day) {
  const int64_t year = day.year();
  return absl::StrFormat("%s%04d-%02d-%02d", year < 0 ? "-" : "",
                         year < 0 ? -year : year, day.month(), day.day());
}

// A time of day with a random zone (none, Z, ±hh, ±hh:mm).
std::string RandomTime(Generator& gen) {
  std::string time = absl::StrFormat("T%02d:%02d:%02d", gen.Uniform(0, 23),
                                     gen.Uniform(0, 59), gen.Uniform(0, 59));
  switch (gen.Uniform(0, 3)) {
    case 0:
      return time;
    case 1:
      return time + "Z";
    case 2:
      return absl::StrFormat("%s%s%02d", time, gen.Chance(50) ? "+" : "-",
                             gen.Uniform(0, 14));
    default:
      return absl::StrFormat("%s%s%02d:%02d", time, gen.Chance(50) ? "+" : "-",
                             gen.Uniform(0, 14), gen.Uniform(0, 59));
  }
}

constexpr std::string_view kQualifiers[] = {"", "?", "~", "%"};

// One side near a base day: a date (offset 1-7, maybe qualified, maybe a
// date-time), ".." or "".
struct NearSide {
  enum Kind { kDate, kOpen, kUnknown } kind = kDate;
  int day = 0;
  int qualifier = 0;  // Index into kQualifiers.
  bool time = false;

  int widen() const { return qualifier >= 2 ? 1 : 0; }
  bool uncertain() const {
    return kind == kDate && (qualifier == 1 || qualifier == 3);
  }
  // The text, and the canonical text (without the time).
  std::string Text(absl::CivilDay base, const std::string& time) const {
    if (kind == kOpen) return "..";
    if (kind == kUnknown) return "";
    return DayText(base + day) + (this->time ? time : "") +
           std::string(kQualifiers[qualifier]);
  }
};

NearSide RandomNearSide(Generator& gen, int date_percent, int time_percent) {
  NearSide side;
  const int k = gen.Uniform(0, 99);
  const int rest = (100 - date_percent) / 2;
  side.kind = k < date_percent ? NearSide::kDate
                               : (k < date_percent + rest ? NearSide::kOpen
                                                          : NearSide::kUnknown);
  side.day = gen.Uniform(1, 7);
  side.time = gen.Chance(time_percent);
  side.qualifier = side.time ? 0 : gen.Uniform(0, 3);
  return side;
}

Day DaysFromEpoch(absl::CivilDay day) {
  return static_cast<Day>(day - absl::CivilDay(1970, 1, 1));
}

// Random EDTF texts of day precision a few days after a base day (before
// Christ, across year 0000, after), parsed by the library and compared with
// the oracle built from the text's own meaning: a date d~ is a day of
// d-1..d+1; in A/B the start is a day of A and the last day a day of B, so
// e = last + 1; a single date is one day.
TEST(PropertyTest, ParsedExtentsMatchTheOracle) {
  Generator gen(2018);
  int parsed = 0;
  std::optional<Sample> previous;
  for (int i = 0; i < 6000; ++i) {
    const absl::CivilDay base =
        kTextBases[gen.Uniform(0, static_cast<int>(std::size(kTextBases)) - 1)];
    const std::string time = RandomTime(gen);
    const bool single = gen.Chance(25);
    NearSide start = RandomNearSide(gen, 70, single ? 30 : 3);
    const NearSide end = RandomNearSide(gen, 70, 3);
    std::string text;
    std::string canonical;
    Raw raw;
    bool valid = true;
    std::string reason;
    if (single) {
      start.kind = NearSide::kDate;
      text = start.Text(base, time);
      canonical = start.Text(base, "");
      const int d = start.day;
      const int w = start.widen();
      raw = Raw{d - w,
                d + w,
                d - w + 1,
                d + w + 1,
                /*instant=*/true,
                start.uncertain()};
    } else {
      text = start.Text(base, time) + "/" + end.Text(base, time);
      canonical = start.Text(base, "") + "/" + end.Text(base, "");
      raw.uncertain = start.uncertain() || end.uncertain();
      switch (start.kind) {
        case NearSide::kDate:
          raw.earliest_start = start.day - start.widen();
          raw.latest_start = start.day + start.widen();
          break;
        case NearSide::kOpen:
          raw.earliest_start = raw.latest_start = kMinusInfinity;
          break;
        case NearSide::kUnknown:
          raw.earliest_start = kMinusInfinity;
          raw.latest_start = kPlusInfinity;
          break;
      }
      switch (end.kind) {
        case NearSide::kDate:
          // The last day is d - w .. d + w; e is the day after it.
          raw.earliest_end = end.day - end.widen() + 1;
          raw.latest_end = end.day + end.widen() + 1;
          break;
        case NearSide::kOpen:
          raw.earliest_end = raw.latest_end = kPlusInfinity;
          break;
        case NearSide::kUnknown:
          raw.earliest_end = kMinusInfinity;
          raw.latest_end = kPlusInfinity;
          break;
      }
      const bool has_time = (start.kind == NearSide::kDate && start.time) ||
                            (end.kind == NearSide::kDate && end.time);
      if (has_time) {
        valid = false;
        reason = "not date-times";
      } else if (start.kind == NearSide::kDate && end.kind == NearSide::kDate &&
                 start.day > end.day) {
        valid = false;
        reason = "reversed";
      }
    }
    SCOPED_TRACE(text);
    absl::StatusOr<Extent> extent = Extent::Parse(text);
    ASSERT_EQ(extent.ok(), valid) << extent.status();
    if (!valid) {
      EXPECT_EQ(extent.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(std::string(extent.status().message()),
                  ::testing::HasSubstr(reason));
      continue;
    }
    ++parsed;
    EXPECT_EQ(extent->ToEdtf(), canonical);
    Sample sample{raw, *extent, Readings(raw, kHorizon), DaysFromEpoch(base)};
    ASSERT_FALSE(sample.readings.empty());
    ExpectSingleExtentAnswersMatch(sample, gen);
    if (previous.has_value() && previous->base == sample.base) {
      EXPECT_EQ(Relate(previous->extent, sample.extent),
                OracleRelate(previous->readings, sample.readings))
          << previous->extent << " vs " << sample.extent;
    }
    previous = sample;
    if (HasFailure()) return;
  }
  EXPECT_GT(parsed, 4000);
}

// Random bound dates a few days after a base day, built with
// FromBoundDates and compared with the oracle: the start is a day from the
// first day of earliest_start to the last day of latest_start, the last day
// from the first day of earliest_end to the last day of latest_end; an
// empty field leaves that bound to the other side, ".." twice makes a side
// open. Valid exactly when some reading exists, some field is a date and
// each ".." has its partner.
TEST(PropertyTest, BoundDatesMatchTheOracle) {
  Generator gen(1100);
  int built = 0;
  constexpr std::string_view kFields[] = {"earliest_start", "latest_start",
                                          "earliest_end", "latest_end"};
  for (int i = 0; i < 6000; ++i) {
    const absl::CivilDay base =
        kTextBases[gen.Uniform(0, static_cast<int>(std::size(kTextBases)) - 1)];
    NearSide fields[4];
    std::string texts[4];
    for (int f = 0; f < 4; ++f) {
      fields[f] = RandomNearSide(gen, 70, 10);
      texts[f] = fields[f].Text(base, RandomTime(gen));
    }
    // Mostly pair ".." up, so that open sides are common.
    for (int side = 0; side < 4; side += 2) {
      if ((fields[side].kind == NearSide::kOpen ||
           fields[side + 1].kind == NearSide::kOpen) &&
          gen.Chance(80)) {
        fields[side].kind = fields[side + 1].kind = NearSide::kOpen;
        texts[side] = texts[side + 1] = "..";
      }
    }
    auto is = [&](int f, NearSide::Kind kind) {
      return fields[f].kind == kind;
    };
    Raw raw;
    bool any_date = false;
    for (int f = 0; f < 4; ++f) {
      any_date = any_date || is(f, NearSide::kDate);
      raw.uncertain = raw.uncertain || fields[f].uncertain();
    }
    const bool open_start = is(0, NearSide::kOpen) && is(1, NearSide::kOpen);
    const bool open_end = is(2, NearSide::kOpen) && is(3, NearSide::kOpen);
    raw.earliest_start = is(0, NearSide::kDate)
                             ? fields[0].day - fields[0].widen()
                             : kMinusInfinity;
    raw.latest_start = is(1, NearSide::kDate)
                           ? fields[1].day + fields[1].widen()
                           : (open_start ? kMinusInfinity : kPlusInfinity);
    raw.earliest_end = is(2, NearSide::kDate)
                           ? fields[2].day - fields[2].widen() + 1
                           : (open_end ? kPlusInfinity : kMinusInfinity);
    raw.latest_end = is(3, NearSide::kDate)
                         ? fields[3].day + fields[3].widen() + 1
                         : kPlusInfinity;
    const bool paired = is(0, NearSide::kOpen) == is(1, NearSide::kOpen) &&
                        is(2, NearSide::kOpen) == is(3, NearSide::kOpen);
    std::vector<Reading> readings = Readings(raw, kHorizon);
    // An open side says something on its own ("/..", "../.."); four empty
    // fields say nothing.
    const bool valid =
        (any_date || open_start || open_end) && paired && !readings.empty();
    SCOPED_TRACE(absl::StrCat("{\"", texts[0], "\", \"", texts[1], "\", \"",
                              texts[2], "\", \"", texts[3], "\"}"));
    absl::StatusOr<Extent> extent =
        Extent::FromBoundDates({texts[0], texts[1], texts[2], texts[3]});
    ASSERT_EQ(extent.ok(), valid) << extent.status();
    if (!valid) {
      EXPECT_EQ(extent.status().code(), absl::StatusCode::kInvalidArgument);
      const std::string message(extent.status().message());
      bool names_a_field = absl::StartsWith(message, "give at least one date");
      for (std::string_view field : kFields) {
        names_a_field = names_a_field ||
                        absl::StartsWith(message, std::string(field) + ": ");
      }
      EXPECT_TRUE(names_a_field) << message;
      continue;
    }
    ++built;
    EXPECT_FALSE(extent->has_edtf());
    EXPECT_FALSE(extent->instant());
    Sample sample{raw, *extent, std::move(readings), DaysFromEpoch(base)};
    ExpectSingleExtentAnswersMatch(sample, gen);
    if (HasFailure()) return;
  }
  EXPECT_GT(built, 2000);
}

// One EDTF date of any level-1 form over the whole calendar, with the days
// it denotes computed from absl's calendar, not from the library.
struct CoarseDate {
  std::string text;
  std::string canonical;
  Day first;  // The first and last day of the date as written.
  Day last;
  Day widened_first;  // After ~: one unit of its precision each side.
  Day widened_last;
  bool uncertain = false;
  bool approximate = false;
  bool time = false;
};

Day ClampedDay(absl::CivilDay day) {
  const int64_t days = day - absl::CivilDay(1970, 1, 1);
  return static_cast<Day>(std::clamp<int64_t>(days, kMinDay, kMaxDay));
}

int64_t RandomYear(Generator& gen) {
  switch (gen.Uniform(0, 5)) {
    case 0:
      return gen.Uniform(-3, 3);
    case 1:
      return gen.Uniform(-9999, 9999);
    case 2: {
      const int64_t magnitude = gen.Uniform(10000, kMaxYear);
      return gen.Chance(50) ? -magnitude : magnitude;
    }
    case 3:
      return gen.Chance(50) ? kMinYear + gen.Uniform(0, 1)
                            : kMaxYear - gen.Uniform(0, 1);
    case 4:
      return gen.Chance(50) ? gen.Uniform(-10001, -9998)
                            : gen.Uniform(9998, 10001);
    default:
      return gen.Uniform(1900, 2100);
  }
}

CoarseDate RandomCoarseDate(Generator& gen, bool allow_time) {
  CoarseDate date;
  const int64_t year = RandomYear(gen);
  const std::string sign = year < 0 ? "-" : "";
  const int64_t magnitude = year < 0 ? -year : year;
  const int qualifier = gen.Uniform(0, 3);
  date.uncertain = qualifier == 1 || qualifier == 3;
  date.approximate = qualifier >= 2;
  if (magnitude > 9999) {
    // A long year: whole years only, without a qualifier.
    date.text = date.canonical = absl::StrCat("Y", year);
    date.uncertain = date.approximate = false;
    date.first = date.widened_first = ClampedDay(absl::CivilDay(year, 1, 1));
    date.last = date.widened_last =
        ClampedDay(absl::CivilDay(year + 1, 1, 1) - 1);
    return date;
  }
  absl::CivilDay first, last, widened_first, widened_last;
  std::string text;
  switch (gen.Uniform(0, 3)) {
    case 0: {  // A year, maybe with unspecified digits from the right.
      const int x = gen.Chance(50) ? 0 : gen.Uniform(1, 4);
      int64_t unit = 1;
      for (int k = 0; k < x; ++k) unit *= 10;
      const int64_t known = magnitude / unit * unit;
      std::string digits = absl::StrFormat("%04d", known);
      for (int k = 0; k < x; ++k) digits[3 - k] = 'X';
      const bool negative = year < 0 && !(x == 0 && known == 0);
      text = absl::StrCat(negative ? "-" : "", digits);
      // -201X is -2019..-2010; 201X is 2010..2019.
      const int64_t lo = negative ? -(known + unit - 1) : known;
      const int64_t hi = negative ? -known : known + unit - 1;
      first = absl::CivilDay(lo, 1, 1);
      last = absl::CivilDay(hi + 1, 1, 1) - 1;
      widened_first = absl::CivilDay(lo - unit, 1, 1);
      widened_last = absl::CivilDay(hi + unit + 1, 1, 1) - 1;
      break;
    }
    case 1: {  // A season: a quarter of the year, 21 spring = January-March.
      const int season = gen.Uniform(21, 24);
      text = absl::StrFormat("%s%04d-%02d", sign, magnitude, season);
      const absl::CivilMonth month(year, 1 + 3 * (season - 21));
      first = absl::CivilDay(month);
      last = absl::CivilDay(month + 3) - 1;
      widened_first = absl::CivilDay(month - 3);
      widened_last = absl::CivilDay(month + 6) - 1;
      break;
    }
    case 2: {
      const absl::CivilMonth month(year, gen.Uniform(1, 12));
      text = absl::StrFormat("%s%04d-%02d", sign, magnitude, month.month());
      first = absl::CivilDay(month);
      last = absl::CivilDay(month + 1) - 1;
      widened_first = absl::CivilDay(month - 1);
      widened_last = absl::CivilDay(month + 2) - 1;
      break;
    }
    default: {
      const absl::CivilMonth month(year, gen.Uniform(1, 12));
      const int days =
          static_cast<int>(absl::CivilDay(month + 1) - absl::CivilDay(month));
      const absl::CivilDay day(year, month.month(), gen.Uniform(1, days));
      text = absl::StrFormat("%s%04d-%02d-%02d", sign, magnitude, day.month(),
                             day.day());
      first = last = day;
      widened_first = day - 1;
      widened_last = day + 1;
      if (allow_time && gen.Chance(30)) {
        date.time = true;
        date.uncertain = date.approximate = false;
        date.canonical = text;
        date.text = text + RandomTime(gen);
        date.first = date.widened_first = ClampedDay(day);
        date.last = date.widened_last = ClampedDay(day);
        return date;
      }
      break;
    }
  }
  date.text = date.canonical = text + std::string(kQualifiers[qualifier]);
  date.first = ClampedDay(first);
  date.last = ClampedDay(last);
  date.widened_first = ClampedDay(date.approximate ? widened_first : first);
  date.widened_last = ClampedDay(date.approximate ? widened_last : last);
  return date;
}

// Every form over the whole calendar: single dates, intervals and bound
// dates equal FromBounds of the bounds computed from the calendar, and the
// canonical text round-trips.
TEST(PropertyTest, EveryFormMatchesTheCalendar) {
  Generator gen(9999);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    const int form = gen.Uniform(0, 2);
    if (form == 0) {
      const CoarseDate date = RandomCoarseDate(gen, /*allow_time=*/true);
      SCOPED_TRACE(date.text);
      ASSERT_OK_AND_ASSIGN(Extent extent, Extent::Parse(date.text));
      ASSERT_OK_AND_ASSIGN(
          Extent expected,
          Extent::FromBounds(date.widened_first, date.widened_last,
                             date.widened_first + 1, date.widened_last + 1,
                             {.instant = true, .uncertain = date.uncertain}));
      EXPECT_EQ(extent, expected);
      EXPECT_EQ(extent.ToEdtf(), date.canonical);
      ASSERT_OK_AND_ASSIGN(Extent again, Extent::Parse(extent.ToEdtf()));
      EXPECT_EQ(again, extent);
      ++parsed;
    } else if (form == 1) {
      // An interval: each side a date, ".." or "".
      auto side = [&](CoarseDate& date) -> int {
        const int k = gen.Uniform(0, 9);
        if (k == 0) return 1;  // Open.
        if (k == 1) return 2;  // Unknown.
        date = RandomCoarseDate(gen, /*allow_time=*/false);
        return 0;
      };
      CoarseDate a, b;
      const int start = side(a);
      const int end = side(b);
      const std::string start_text = start == 0   ? a.text
                                     : start == 1 ? ".."
                                                  : "";
      const std::string end_text = end == 0 ? b.text : end == 1 ? ".." : "";
      const std::string text = start_text + "/" + end_text;
      SCOPED_TRACE(text);
      absl::StatusOr<Extent> extent = Extent::Parse(text);
      const bool reversed = start == 0 && end == 0 && a.first > b.last;
      if (reversed) {
        EXPECT_THAT(extent, ::annals::testing::StatusIs(
                                absl::StatusCode::kInvalidArgument,
                                ::testing::HasSubstr("reversed")));
        continue;
      }
      ASSERT_TRUE(extent.ok()) << extent.status();
      const Day es = start == 0 ? a.widened_first : kMinusInfinity;
      const Day ls =
          start == 0 ? a.widened_last : (start == 1 ? kMinusInfinity : kMaxDay);
      const Day ee = end == 0 ? b.widened_first + 1
                              : (end == 1 ? kPlusInfinity : kMinDay + 1);
      const Day le = end == 0 ? b.widened_last + 1 : kPlusInfinity;
      const bool uncertain =
          (start == 0 && a.uncertain) || (end == 0 && b.uncertain);
      ASSERT_OK_AND_ASSIGN(
          Extent expected,
          Extent::FromBounds(es, ls, ee, le, {.uncertain = uncertain}));
      EXPECT_EQ(*extent, expected);
      const std::string canonical = (start == 0 ? a.canonical : start_text) +
                                    "/" + (end == 0 ? b.canonical : end_text);
      EXPECT_EQ(extent->ToEdtf(), canonical);
      ASSERT_OK_AND_ASSIGN(Extent again, Extent::Parse(extent->ToEdtf()));
      EXPECT_EQ(again, *extent);
      ++parsed;
    } else {
      // Bound dates: each field a date (times allowed), ".." or "".
      CoarseDate dates[4];
      std::string texts[4];
      bool present[4] = {}, open[4] = {};
      for (int f = 0; f < 4; ++f) {
        const int k = gen.Uniform(0, 9);
        if (k < 2) {
          open[f] = true;
          texts[f] = "..";
        } else if (k < 4) {
          texts[f] = "";
        } else {
          dates[f] = RandomCoarseDate(gen, /*allow_time=*/true);
          texts[f] = dates[f].text;
          present[f] = true;
        }
      }
      SCOPED_TRACE(absl::StrCat("{\"", texts[0], "\", \"", texts[1], "\", \"",
                                texts[2], "\", \"", texts[3], "\"}"));
      absl::StatusOr<Extent> extent =
          Extent::FromBoundDates({texts[0], texts[1], texts[2], texts[3]});
      const Day es = present[0] ? dates[0].widened_first : kMinusInfinity;
      const Day ls = present[1] ? dates[1].widened_last
                                : (open[1] ? kMinusInfinity : kMaxDay);
      const Day ee = present[2] ? dates[2].widened_first + 1
                                : (open[2] ? kPlusInfinity : kMinDay + 1);
      const Day le = present[3] ? dates[3].widened_last + 1 : kPlusInfinity;
      // The first error, in the order the fields are checked.
      std::string error;
      if (open[0] != open[1]) {
        error = open[0] ? "earliest_start: " : "latest_start: ";
      } else if (open[2] != open[3]) {
        error = open[2] ? "earliest_end: " : "latest_end: ";
      } else if (!present[0] && !present[1] && !present[2] && !present[3] &&
                 !open[0] && !open[2]) {
        error = "give at least one date";
      } else if (present[0] && present[1] && es > ls) {
        error = "latest_start: ";
      } else if (present[2] && present[3] && ee > le) {
        error = "latest_end: ";
      } else if (es >= le) {
        error = "latest_end: ";
      }
      if (!error.empty()) {
        ASSERT_FALSE(extent.ok());
        EXPECT_EQ(extent.status().code(), absl::StatusCode::kInvalidArgument);
        EXPECT_TRUE(absl::StartsWith(extent.status().message(), error))
            << extent.status() << " expected " << error;
        continue;
      }
      ASSERT_TRUE(extent.ok()) << extent.status();
      bool uncertain = false;
      for (int f = 0; f < 4; ++f) {
        uncertain = uncertain || (present[f] && dates[f].uncertain);
      }
      ASSERT_OK_AND_ASSIGN(
          Extent expected,
          Extent::FromBounds(es, ls, ee, le, {.uncertain = uncertain}));
      EXPECT_EQ(*extent, expected);
      EXPECT_FALSE(extent->has_edtf());
      ++parsed;
    }
    if (HasFailure()) return;
  }
  EXPECT_GT(parsed, 10000);
}

}  // namespace
}  // namespace annals::temporal
