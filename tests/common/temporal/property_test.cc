// Property tests: thousands of random extents over a few days, every answer
// compared with a brute-force oracle that enumerates the admissible readings.
//
// The oracle works on day offsets from kBase. Finite bounds lie in [0, 9].
// An infinite bound becomes the horizon: an open start is exactly -h and an
// open end exactly +h (shared by every extent, as in the library), while an
// unknown side ranges over the finite offsets strictly inside (-h, h). With
// h = 13 there is room for two distinct unknown starts below every finite
// bound and two distinct unknown ends above, which is all any Allen
// configuration of two extents needs. HoldsOn, Overlaps and gaps probe days
// in [-3, 11], strictly inside the range unknown sides reach, and unbounded
// windows map to exactly ±h, which only an open side reaches. Durations are
// computed at two horizons: a bound that moves with the horizon is
// unbounded.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/temporal/allen.h"
#include "services/common/temporal/day.h"
#include "services/common/temporal/extent.h"
#include "services/common/temporal/gaps.h"

namespace annals::temporal {
namespace {

constexpr int kHorizon = 13;
const Day kBase = DayFromCivil(2000, 1, 1);

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

std::vector<Reading> Readings(const Raw& r, int h) {
  int s_lo, s_hi, e_lo, e_hi;
  if (r.latest_start == kMinusInfinity) {
    s_lo = s_hi = -h;
  } else {
    s_lo = r.earliest_start == kMinusInfinity ? -h + 1 : r.earliest_start;
    s_hi = r.latest_start == kPlusInfinity ? h - 1 : r.latest_start;
  }
  if (r.earliest_end == kPlusInfinity) {
    e_lo = e_hi = h;
  } else {
    e_lo = r.earliest_end == kMinusInfinity ? -h + 1 : r.earliest_end;
    e_hi = r.latest_end == kPlusInfinity ? h - 1 : r.latest_end;
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

DurationRange OracleDuration(const Raw& raw) {
  auto range = [&](int h) {
    int lo = INT32_MAX, hi = INT32_MIN;
    for (const Reading& r : Readings(raw, h)) {
      lo = std::min(lo, r.e - r.s);
      hi = std::max(hi, r.e - r.s);
    }
    return std::pair(lo, hi);
  };
  const auto [lo1, hi1] = range(kHorizon);
  const auto [lo2, hi2] = range(kHorizon + 7);
  return DurationRange{lo1 == lo2 ? lo1 : kUnboundedDays,
                       hi1 == hi2 ? hi1 : kUnboundedDays};
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

// A random extent in the library and its raw bounds.
struct Sample {
  Raw raw;
  Extent extent;
  std::vector<Reading> readings;
};

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  int Uniform(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_);
  }
  bool Chance(int percent) { return Uniform(1, 100) <= percent; }

  // Random raw bounds in [0, 9], mixing exact, imprecise, open, unknown,
  // instant and uncertain extents; some admit no reading.
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
  auto offset = [](Day day) -> int {
    if (day == kMinusInfinity) return -kHorizon;
    if (day == kPlusInfinity) return kHorizon;
    return day - kBase;
  };
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
  const bool uncertain = sample.raw.uncertain;
  SCOPED_TRACE(extent.DebugString());
  ExpectBoundsAreTight(sample);
  EXPECT_EQ(extent.instant(), sample.raw.instant);
  EXPECT_EQ(extent.uncertain(), uncertain);
  for (int d = kFirstProbe; d <= kLastProbe; ++d) {
    EXPECT_EQ(extent.HoldsOn(kBase + d),
              OracleHoldsOn(sample.readings, uncertain, d))
        << "day " << d;
  }
  for (int i = 0; i < 30; ++i) {
    int from = gen.Uniform(kFirstProbe, kLastProbe);
    int to = gen.Uniform(from - 1, kLastProbe + 1);
    Day from_day = kBase + from;
    Day to_day = kBase + to;
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

// Random EDTF texts over 2000-01-02..2000-01-08, parsed by the library and
// compared with the oracle built from the text's own meaning.
TEST(PropertyTest, ParsedExtentsMatchTheOracle) {
  Generator gen(2018);
  constexpr std::string_view kQualifiers[] = {"", "?", "~", "%"};
  int parsed = 0;
  for (int i = 0; i < 4000; ++i) {
    struct SideSpec {
      int kind;  // 0 date, 1 open "..", 2 unknown "".
      int day;   // Offset of the date.
      int qualifier;
    };
    auto random_side = [&] {
      const int k = gen.Uniform(0, 99);
      return SideSpec{k < 70 ? 0 : (k < 85 ? 1 : 2), gen.Uniform(1, 7),
                      gen.Uniform(0, 3)};
    };
    auto text_of = [&](const SideSpec& s) -> std::string {
      if (s.kind == 1) return "..";
      if (s.kind == 2) return "";
      return absl::StrFormat("2000-01-%02d%s", s.day + 1,
                             kQualifiers[s.qualifier]);
    };
    const bool single = gen.Chance(25);
    const SideSpec start = random_side();
    const SideSpec end = random_side();
    std::string text;
    Raw raw;
    bool valid = true;
    auto widen = [](const SideSpec& s) { return s.qualifier >= 2 ? 1 : 0; };
    auto uncertain = [](const SideSpec& s) {
      return s.kind == 0 && (s.qualifier == 1 || s.qualifier == 3);
    };
    if (single) {
      SideSpec date = start;
      date.kind = 0;
      text = text_of(date);
      raw = Raw{date.day - widen(date),     date.day + widen(date),
                date.day - widen(date) + 1, date.day + widen(date) + 1,
                /*instant=*/true,           uncertain(date)};
    } else {
      text = text_of(start) + "/" + text_of(end);
      raw.uncertain = uncertain(start) || uncertain(end);
      if (start.kind == 0) {
        raw.earliest_start = start.day - widen(start);
        raw.latest_start = start.day + widen(start);
      } else if (start.kind == 1) {
        raw.earliest_start = raw.latest_start = kMinusInfinity;
      } else {
        raw.earliest_start = kMinusInfinity;
        raw.latest_start = kPlusInfinity;
      }
      if (end.kind == 0) {
        raw.earliest_end = end.day - widen(end);
        raw.latest_end = end.day + widen(end);
      } else if (end.kind == 1) {
        raw.earliest_end = raw.latest_end = kPlusInfinity;
      } else {
        raw.earliest_end = kMinusInfinity;
        raw.latest_end = kPlusInfinity;
      }
      valid = (start.kind == 0 || end.kind == 0) &&
              !(start.kind == 0 && end.kind == 0 && start.day >= end.day);
    }
    SCOPED_TRACE(text);
    absl::StatusOr<Extent> extent = Extent::Parse(text);
    ASSERT_EQ(extent.ok(), valid) << extent.status();
    if (!valid) {
      EXPECT_EQ(extent.status().code(), absl::StatusCode::kInvalidArgument);
      continue;
    }
    ++parsed;
    EXPECT_EQ(extent->ToEdtf(), text);
    Sample sample{raw, *extent, Readings(raw, kHorizon)};
    ASSERT_FALSE(sample.readings.empty());
    ExpectSingleExtentAnswersMatch(sample, gen);
    if (HasFailure()) return;
  }
  EXPECT_GT(parsed, 2000);
}

// Random texts of every form over the whole calendar round-trip through
// Parse and ToEdtf; the only rejections are of empty or reversed intervals.
TEST(PropertyTest, CanonicalTextRoundTrips) {
  Generator gen(9999);
  constexpr std::string_view kQualifiers[] = {"", "?", "~", "%"};
  auto random_date = [&]() -> std::string {
    const int year = gen.Uniform(1, 9999);
    const int month = gen.Uniform(1, 12);
    const int day = gen.Uniform(1, DaysInMonth(year, month));
    const std::string_view q = kQualifiers[gen.Uniform(0, 3)];
    switch (gen.Uniform(0, 4)) {
      case 0:
        return absl::StrFormat("%02dXX", year / 100);
      case 1:
        return absl::StrFormat("%03dX", year / 10);
      case 2:
        return absl::StrFormat("%04d%s", year, q);
      case 3:
        return absl::StrFormat("%04d-%02d%s", year, month, q);
      default:
        return absl::StrFormat("%04d-%02d-%02d%s", year, month, day, q);
    }
  };
  auto random_side = [&]() -> std::string {
    const int k = gen.Uniform(0, 9);
    if (k == 0) return "..";
    if (k == 1) return "";
    return random_date();
  };
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string text =
        gen.Chance(30) ? random_date() : random_side() + "/" + random_side();
    SCOPED_TRACE(text);
    absl::StatusOr<Extent> extent = Extent::Parse(text);
    if (!extent.ok()) {
      EXPECT_THAT(std::string(extent.status().message()),
                  ::testing::AnyOf(::testing::HasSubstr("reversed"),
                                   ::testing::HasSubstr("on the day it starts"),
                                   ::testing::HasSubstr("at least one date"),
                                   ::testing::HasSubstr("holds on no day")));
      continue;
    }
    ++parsed;
    EXPECT_EQ(extent->ToEdtf(), text);
    absl::StatusOr<Extent> again = Extent::Parse(extent->ToEdtf());
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(*again, *extent);
    EXPECT_LE(extent->earliest_start(), extent->latest_start());
    EXPECT_LE(extent->earliest_end(), extent->latest_end());
    EXPECT_LT(extent->earliest_start(), extent->latest_end());
    if (HasFailure()) return;
  }
  EXPECT_GT(parsed, 12000);
}

}  // namespace
}  // namespace annals::temporal
