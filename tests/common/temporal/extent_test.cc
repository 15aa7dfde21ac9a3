// Extent answers: HoldsOn, Overlaps, HoldsThroughout, Duration, FromBounds.
#include "services/common/temporal/extent.h"

#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/temporal/day.h"
#include "tests/testing/status_matchers.h"

namespace annals::temporal {
namespace {

using ::annals::testing::StatusIs;
using ::testing::HasSubstr;

constexpr Certainty kNo = Certainty::kNo;
constexpr Certainty kPossible = Certainty::kPossible;
constexpr Certainty kDefinite = Certainty::kDefinite;

Day D(int y, int m, int d) { return DayFromCivil(y, m, d); }

Extent E(std::string_view edtf) {
  absl::StatusOr<Extent> extent = Extent::Parse(edtf);
  EXPECT_TRUE(extent.ok()) << edtf << ": " << extent.status();
  return *extent;
}

TEST(CertaintyTest, IsOrderedNoPossibleDefinite) {
  EXPECT_LT(kNo, kPossible);
  EXPECT_LT(kPossible, kDefinite);
  EXPECT_EQ(CertaintyName(kNo), "no");
  EXPECT_EQ(CertaintyName(kPossible), "possible");
  EXPECT_EQ(CertaintyName(kDefinite), "definite");
}

TEST(ExtentTest, IsAtMostTwentyFourBytes) { EXPECT_LE(sizeof(Extent), 24u); }

TEST(HoldsOnTest, IntervalHoldsFromItsStartUpToButNotIncludingItsEnd) {
  const Extent olsen = E("2020-11-24/2021-05-06");
  EXPECT_EQ(olsen.HoldsOn(D(2020, 11, 23)), kNo);
  EXPECT_EQ(olsen.HoldsOn(D(2020, 11, 24)), kDefinite);
  EXPECT_EQ(olsen.HoldsOn(D(2021, 5, 5)), kDefinite);
  EXPECT_EQ(olsen.HoldsOn(D(2021, 5, 6)), kNo);
}

TEST(HoldsOnTest, MonthPrecisionSidesArePossibleWithinTheirMonths) {
  const Extent fortin = E("2018-11/2019-11");
  EXPECT_EQ(fortin.HoldsOn(D(2018, 10, 31)), kNo);
  EXPECT_EQ(fortin.HoldsOn(D(2018, 11, 1)), kPossible);
  EXPECT_EQ(fortin.HoldsOn(D(2018, 11, 15)), kPossible);
  EXPECT_EQ(fortin.HoldsOn(D(2018, 11, 29)), kPossible);
  EXPECT_EQ(fortin.HoldsOn(D(2018, 11, 30)), kDefinite);
  EXPECT_EQ(fortin.HoldsOn(D(2019, 10, 31)), kDefinite);
  EXPECT_EQ(fortin.HoldsOn(D(2019, 11, 1)), kPossible);
  EXPECT_EQ(fortin.HoldsOn(D(2019, 11, 29)), kPossible);
  EXPECT_EQ(fortin.HoldsOn(D(2019, 11, 30)), kNo);
}

TEST(HoldsOnTest, DayInstantHoldsOnExactlyThatDay) {
  const Extent day = E("2018-11-26");
  EXPECT_EQ(day.HoldsOn(D(2018, 11, 25)), kNo);
  EXPECT_EQ(day.HoldsOn(D(2018, 11, 26)), kDefinite);
  EXPECT_EQ(day.HoldsOn(D(2018, 11, 27)), kNo);
}

TEST(HoldsOnTest, MonthInstantIsPossibleOnEveryDayOfItsMonthOnly) {
  const Extent month = E("2018-07");
  EXPECT_EQ(month.HoldsOn(D(2018, 6, 30)), kNo);
  for (int d = 1; d <= 31; ++d) {
    EXPECT_EQ(month.HoldsOn(D(2018, 7, d)), kPossible) << d;
  }
  EXPECT_EQ(month.HoldsOn(D(2018, 8, 1)), kNo);
}

TEST(HoldsOnTest, UncertainDowngradesDefiniteToPossibleButKeepsNo) {
  const Extent day = E("2018-11-26?");
  EXPECT_EQ(day.HoldsOn(D(2018, 11, 26)), kPossible);
  EXPECT_EQ(day.HoldsOn(D(2018, 11, 27)), kNo);
  const Extent olsen = E("2020-11-24/2021-05-06?");
  EXPECT_EQ(olsen.HoldsOn(D(2021, 1, 1)), kPossible);
  EXPECT_EQ(olsen.HoldsOn(D(2021, 5, 6)), kNo);
}

TEST(HoldsOnTest, ApproximateWidensByOneUnitEachSide) {
  const Extent day = E("2018-11-26~");
  EXPECT_EQ(day.HoldsOn(D(2018, 11, 24)), kNo);
  EXPECT_EQ(day.HoldsOn(D(2018, 11, 25)), kPossible);
  EXPECT_EQ(day.HoldsOn(D(2018, 11, 26)), kPossible);
  EXPECT_EQ(day.HoldsOn(D(2018, 11, 27)), kPossible);
  EXPECT_EQ(day.HoldsOn(D(2018, 11, 28)), kNo);
}

TEST(HoldsOnTest, OpenEndHoldsUntilTheLastDay) {
  const Extent schreurs = E("2024-05-24/..");
  EXPECT_EQ(schreurs.HoldsOn(D(2024, 5, 23)), kNo);
  EXPECT_EQ(schreurs.HoldsOn(D(2024, 5, 24)), kDefinite);
  EXPECT_EQ(schreurs.HoldsOn(kMaxDay), kDefinite);
}

TEST(HoldsOnTest, OpenStartHoldsFromTheFirstDay) {
  const Extent since_forever = E("../2011");
  EXPECT_EQ(since_forever.HoldsOn(kMinDay), kDefinite);
  EXPECT_EQ(since_forever.HoldsOn(D(2010, 12, 31)), kDefinite);
  EXPECT_EQ(since_forever.HoldsOn(D(2011, 6, 1)), kPossible);
  EXPECT_EQ(since_forever.HoldsOn(D(2012, 1, 1)), kNo);
}

TEST(HoldsOnTest, UnknownEndIsDefiniteOnlyWhereEveryStartHasHappened) {
  const Extent exact_start = E("2018-11-26/");
  EXPECT_EQ(exact_start.HoldsOn(D(2018, 11, 25)), kNo);
  EXPECT_EQ(exact_start.HoldsOn(D(2018, 11, 26)), kDefinite);
  EXPECT_EQ(exact_start.HoldsOn(D(2018, 11, 27)), kPossible);
  EXPECT_EQ(exact_start.HoldsOn(kMaxDay), kPossible);
  const Extent year_start = E("2018/");
  EXPECT_EQ(year_start.HoldsOn(D(2017, 12, 31)), kNo);
  EXPECT_EQ(year_start.HoldsOn(D(2018, 1, 1)), kPossible);
  EXPECT_EQ(year_start.HoldsOn(D(2018, 12, 31)), kPossible);
  EXPECT_EQ(year_start.HoldsOn(D(2030, 1, 1)), kPossible);
}

TEST(HoldsOnTest, UnknownStartIsDefiniteOnlyWhereEveryEndIsStillAhead) {
  const Extent year_end = E("/2011");
  EXPECT_EQ(year_end.HoldsOn(kMinDay), kPossible);
  EXPECT_EQ(year_end.HoldsOn(D(2010, 12, 31)), kPossible);
  EXPECT_EQ(year_end.HoldsOn(D(2011, 12, 30)), kPossible);
  EXPECT_EQ(year_end.HoldsOn(D(2011, 12, 31)), kNo);
  // With an exact end the day before it is held in every reading.
  const Extent exact_end = E("/2011-06-01");
  EXPECT_EQ(exact_end.HoldsOn(D(2011, 5, 30)), kPossible);
  EXPECT_EQ(exact_end.HoldsOn(D(2011, 5, 31)), kDefinite);
  EXPECT_EQ(exact_end.HoldsOn(D(2011, 6, 1)), kNo);
}

TEST(OverlapsTest, WhatHappenedIn2017) {
  const Day from = D(2017, 1, 1);
  const Day to = D(2018, 1, 1);
  EXPECT_EQ(E("2017-01/").Overlaps(from, to), kDefinite);
  EXPECT_EQ(E("2004/2011-12-31").Overlaps(from, to), kNo);
  EXPECT_EQ(E("2018-10/..").Overlaps(from, to), kNo);
  EXPECT_EQ(E("2016/2018").Overlaps(from, to), kDefinite);
  EXPECT_EQ(E("2017-12~").Overlaps(from, to), kPossible);
  EXPECT_EQ(E("2017-06-01?").Overlaps(from, to), kPossible);
  EXPECT_EQ(E("2017-06-01").Overlaps(from, to), kDefinite);
  EXPECT_EQ(E("/2018").Overlaps(from, to), kPossible);
  EXPECT_EQ(E("../2018").Overlaps(from, to), kDefinite);
}

TEST(OverlapsTest, EndingOnTheFirstDayOfTheWindowIsOnlyPossible) {
  // 2016/2017 may have ended on 2017-01-01, its transition day, and then
  // held on no day of 2017.
  EXPECT_EQ(E("2016/2017").Overlaps(D(2017, 1, 1), D(2018, 1, 1)), kPossible);
  EXPECT_EQ(E("2016/2017-01-01").Overlaps(D(2017, 1, 1), D(2018, 1, 1)), kNo);
  EXPECT_EQ(E("2016/2017-01-02").Overlaps(D(2017, 1, 1), D(2018, 1, 1)),
            kDefinite);
}

TEST(OverlapsTest, EmptyWindowOverlapsNothing) {
  const Extent always = E("../2011");
  EXPECT_EQ(always.Overlaps(D(2000, 1, 1), D(2000, 1, 1)), kNo);
  EXPECT_EQ(always.Overlaps(D(2000, 1, 2), D(2000, 1, 1)), kNo);
  EXPECT_EQ(always.Overlaps(D(2000, 1, 1), D(2000, 1, 2)), kDefinite);
}

TEST(OverlapsTest, WindowsMayBeUnbounded) {
  const Extent olsen = E("2020-11-24/2021-05-06");
  EXPECT_EQ(olsen.Overlaps(kMinusInfinity, kPlusInfinity), kDefinite);
  EXPECT_EQ(olsen.Overlaps(D(2021, 5, 6), kPlusInfinity), kNo);
  EXPECT_EQ(olsen.Overlaps(kMinusInfinity, D(2020, 11, 24)), kNo);
  EXPECT_EQ(olsen.Overlaps(kMinusInfinity, D(2020, 11, 25)), kDefinite);
  EXPECT_EQ(E("2024-05-24/..").Overlaps(D(9999, 1, 1), kPlusInfinity),
            kDefinite);
}

TEST(HoldsThroughoutTest, NeedsEveryDayOfTheWindow) {
  const Extent fortin = E("2018-11/2019-11");
  EXPECT_EQ(fortin.HoldsThroughout(D(2018, 11, 30), D(2019, 11, 1)), kDefinite);
  EXPECT_EQ(fortin.HoldsThroughout(D(2018, 11, 15), D(2019, 11, 1)), kPossible);
  EXPECT_EQ(fortin.HoldsThroughout(D(2018, 11, 1), D(2019, 11, 30)), kPossible);
  EXPECT_EQ(fortin.HoldsThroughout(D(2018, 10, 31), D(2019, 1, 1)), kNo);
  EXPECT_EQ(fortin.HoldsThroughout(D(2019, 1, 1), D(2019, 12, 1)), kNo);
  EXPECT_EQ(fortin.HoldsThroughout(D(2019, 1, 1), D(2019, 1, 1)), kNo);
}

TEST(HoldsThroughoutTest, InstantCoversAtMostOneDay) {
  const Extent month = E("2018-07");
  EXPECT_EQ(month.HoldsThroughout(D(2018, 7, 10), D(2018, 7, 11)), kPossible);
  EXPECT_EQ(month.HoldsThroughout(D(2018, 7, 10), D(2018, 7, 12)), kNo);
  const Extent day = E("2018-07-10");
  EXPECT_EQ(day.HoldsThroughout(D(2018, 7, 10), D(2018, 7, 11)), kDefinite);
  EXPECT_EQ(day.HoldsThroughout(D(2018, 7, 10), D(2018, 7, 12)), kNo);
}

TEST(HoldsThroughoutTest, OnlyAnOpenEndCoversAnUnboundedWindow) {
  EXPECT_EQ(E("2021/..").HoldsThroughout(D(2022, 1, 1), kPlusInfinity),
            kDefinite);
  EXPECT_EQ(E("2021/").HoldsThroughout(D(2022, 1, 1), kPlusInfinity), kNo);
  EXPECT_EQ(E("../2011").HoldsThroughout(kMinusInfinity, D(2011, 1, 1)),
            kDefinite);
  EXPECT_EQ(E("/2011").HoldsThroughout(kMinusInfinity, D(2011, 1, 1)), kNo);
}

TEST(DurationTest, ExactIntervalHasOneDuration) {
  EXPECT_EQ(E("2020-11-24/2021-05-06").Duration(), (DurationRange{163, 163}));
}

TEST(DurationTest, InstantLastsOneDay) {
  EXPECT_EQ(E("2018-11-26").Duration(), (DurationRange{1, 1}));
  EXPECT_EQ(E("2018").Duration(), (DurationRange{1, 1}));
  EXPECT_EQ(E("2018-11~").Duration(), (DurationRange{1, 1}));
}

TEST(DurationTest, ImpreciseSidesGiveARange) {
  EXPECT_EQ(E("2018-11/2019-11").Duration(), (DurationRange{336, 394}));
  EXPECT_EQ(E("2021-05-06/2022-05").Duration(), (DurationRange{360, 390}));
  EXPECT_EQ(E("2018-11/2018-11").Duration(), (DurationRange{1, 29}));
}

TEST(DurationTest, UnknownSidesHaveNoUpperBound) {
  EXPECT_EQ(E("2018/").Duration(), (DurationRange{1, kUnboundedDays}));
  EXPECT_EQ(E("/2011").Duration(), (DurationRange{1, kUnboundedDays}));
  EXPECT_EQ(E("2018-11-26/").Duration(), (DurationRange{1, kUnboundedDays}));
}

TEST(DurationTest, OpenSidesAreInfinitelyLong) {
  EXPECT_EQ(E("2024-05-24/..").Duration(),
            (DurationRange{kUnboundedDays, kUnboundedDays}));
  EXPECT_EQ(E("../2011").Duration(),
            (DurationRange{kUnboundedDays, kUnboundedDays}));
}

TEST(DurationTest, PrintsUnboundedByName) {
  std::ostringstream os;
  os << DurationRange{1, kUnboundedDays};
  EXPECT_EQ(os.str(), "[1, unbounded]");
}

TEST(FromBoundsTest, EqualsTheParsedExtentWithTheSameBoundsAndFlags) {
  const Extent fortin = E("2018-11/2019-11");
  ASSERT_OK_AND_ASSIGN(Extent built,
                       Extent::FromBounds(D(2018, 11, 1), D(2018, 11, 30),
                                          D(2019, 11, 1), D(2019, 11, 30)));
  EXPECT_EQ(built, fortin);
  EXPECT_FALSE(built.has_edtf());
  EXPECT_EQ(built.ToEdtf(), "");
  ASSERT_OK_AND_ASSIGN(
      Extent instant,
      Extent::FromBounds(D(2018, 11, 1), D(2018, 11, 30), D(2018, 11, 2),
                         D(2018, 12, 1), {.instant = true, .uncertain = true}));
  EXPECT_EQ(instant, E("2018-11?"));
  EXPECT_NE(instant, E("2018-11"));
}

TEST(FromBoundsTest, TightensBoundsToTheAdmissibleReadings) {
  ASSERT_OK_AND_ASSIGN(Extent extent, Extent::FromBounds(10, 30, 5, 20));
  EXPECT_EQ(extent.earliest_start(), 10);
  EXPECT_EQ(extent.latest_start(), 19);
  EXPECT_EQ(extent.earliest_end(), 11);
  EXPECT_EQ(extent.latest_end(), 20);
  ASSERT_OK_AND_ASSIGN(Extent unknown,
                       Extent::FromBounds(kMinusInfinity, 50, 10, 20));
  EXPECT_EQ(unknown.latest_start(), 19);
  EXPECT_EQ(unknown.earliest_end(), 10);
}

TEST(FromBoundsTest, AcceptsInfiniteSidesAndReportsThemOpen) {
  ASSERT_OK_AND_ASSIGN(Extent always,
                       Extent::FromBounds(kMinusInfinity, kMinusInfinity,
                                          kPlusInfinity, kPlusInfinity));
  EXPECT_TRUE(always.open_start());
  EXPECT_TRUE(always.open_end());
  EXPECT_EQ(always.HoldsOn(kMinDay), kDefinite);
  ASSERT_OK_AND_ASSIGN(Extent unknown_both,
                       Extent::FromBounds(kMinusInfinity, 5, 6, kPlusInfinity));
  EXPECT_FALSE(unknown_both.open_start());
  EXPECT_FALSE(unknown_both.open_end());
  EXPECT_EQ(unknown_both.HoldsOn(5), kDefinite);
  EXPECT_EQ(unknown_both.HoldsOn(4), kPossible);
}

struct BadBounds {
  Day earliest_start;
  Day latest_start;
  Day earliest_end;
  Day latest_end;
  ExtentFlags flags;
  std::string reason;
};

class FromBoundsRejectTest : public ::testing::TestWithParam<BadBounds> {};

TEST_P(FromBoundsRejectTest, RejectsInconsistentBounds) {
  const BadBounds& b = GetParam();
  EXPECT_THAT(
      Extent::FromBounds(b.earliest_start, b.latest_start, b.earliest_end,
                         b.latest_end, b.flags),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(b.reason)));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, FromBoundsRejectTest,
    ::testing::Values(
        BadBounds{5, 4, 10, 10, {}, "earliest start is after latest start"},
        BadBounds{1, 4, 11, 10, {}, "earliest end is after latest end"},
        BadBounds{10, 12, 5, 10, {}, "no reading starts before it ends"},
        BadBounds{kPlusInfinity,
                  kPlusInfinity,
                  kPlusInfinity,
                  kPlusInfinity,
                  {},
                  "a start must be"},
        BadBounds{1, 2, kMinusInfinity, 10, {}, "an end must be"},
        BadBounds{kMinDay - 1, 2, 5, 10, {}, "a start must be"},
        BadBounds{1, 2, 5, kMaxDay + 2, {}, "an end must be"},
        BadBounds{1, 3, 2, 5, {.instant = true}, "an instant's ends"},
        BadBounds{
            kMinusInfinity, 3, 2, 4, {.instant = true}, "an instant's ends"}));

TEST(ExtentTest, DebugStringShowsBoundsAndFlags) {
  EXPECT_EQ(E("2018-11?").DebugString(),
            "[2018-11-01..2018-11-30, 2018-11-02..2018-12-01) instant "
            "uncertain");
  EXPECT_EQ(E("../2011").DebugString(),
            "[-infinity..-infinity, 2011-01-01..2011-12-31)");
}

}  // namespace
}  // namespace annals::temporal
