// Extent answers: HoldsOn, Overlaps, HoldsThroughout, Duration, FromBounds,
// FromBoundDates. An interval A/B holds from a day of A through a day of B.
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

TEST(ExtentTest, IsAtMostThirtyTwoBytes) { EXPECT_LE(sizeof(Extent), 32u); }

TEST(ExtentTest, LastDaysAreTheDaysBeforeTheExclusiveEnds) {
  const Extent fortin = E("2018-11/2019-11");
  EXPECT_EQ(fortin.earliest_last_day(), D(2019, 11, 1));
  EXPECT_EQ(fortin.latest_last_day(), D(2019, 11, 30));
  EXPECT_EQ(fortin.earliest_end(), D(2019, 11, 2));
  EXPECT_EQ(fortin.latest_end(), D(2019, 12, 1));
  const Extent one_day = E("2004-02-01/2004-02-01");
  EXPECT_EQ(one_day.earliest_last_day(), D(2004, 2, 1));
  EXPECT_EQ(one_day.latest_last_day(), D(2004, 2, 1));
  const Extent core_team = E("2017-01/");
  EXPECT_EQ(core_team.earliest_last_day(), D(2017, 1, 1));
  EXPECT_EQ(core_team.latest_last_day(), kPlusInfinity);
  const Extent schreurs = E("2024-05-24/..");
  EXPECT_EQ(schreurs.earliest_last_day(), kPlusInfinity);
  EXPECT_EQ(schreurs.latest_last_day(), kPlusInfinity);
  // The last day of the calendar: the exclusive end is the day after it.
  const Extent last = E("Y2500000");
  EXPECT_EQ(last.latest_last_day(), kMaxDay);
  EXPECT_EQ(last.latest_end(), kMaxDay + 1);
}

TEST(HoldsOnTest, IntervalHoldsFromItsStartThroughItsLastDay) {
  const Extent olsen = E("2020-11-24/2021-05-06");
  EXPECT_EQ(olsen.HoldsOn(D(2020, 11, 23)), kNo);
  EXPECT_EQ(olsen.HoldsOn(D(2020, 11, 24)), kDefinite);
  EXPECT_EQ(olsen.HoldsOn(D(2021, 5, 5)), kDefinite);
  EXPECT_EQ(olsen.HoldsOn(D(2021, 5, 6)), kDefinite);
  EXPECT_EQ(olsen.HoldsOn(D(2021, 5, 7)), kNo);
}

TEST(HoldsOnTest, IntervalOfOneDayHoldsOnThatDay) {
  const Extent day = E("2004-02-01/2004-02-01");
  EXPECT_EQ(day.HoldsOn(D(2004, 1, 31)), kNo);
  EXPECT_EQ(day.HoldsOn(D(2004, 2, 1)), kDefinite);
  EXPECT_EQ(day.HoldsOn(D(2004, 2, 2)), kNo);
}

TEST(HoldsOnTest, YearEndHoldsPossiblyThroughTheLastDayOfThatYear) {
  // 1100/1200 ends on some day of 1200: possibly on 1200-12-31, and
  // certainly not over before 1200 begins.
  const Extent period = E("1100/1200");
  EXPECT_EQ(period.HoldsOn(D(1099, 12, 31)), kNo);
  EXPECT_EQ(period.HoldsOn(D(1100, 1, 1)), kPossible);
  EXPECT_EQ(period.HoldsOn(D(1100, 12, 31)), kDefinite);
  EXPECT_EQ(period.HoldsOn(D(1199, 12, 31)), kDefinite);
  EXPECT_EQ(period.HoldsOn(D(1200, 1, 1)), kDefinite);
  EXPECT_EQ(period.HoldsOn(D(1200, 1, 2)), kPossible);
  EXPECT_EQ(period.HoldsOn(D(1200, 12, 31)), kPossible);
  EXPECT_EQ(period.HoldsOn(D(1201, 1, 1)), kNo);
}

TEST(HoldsOnTest, MonthPrecisionSidesArePossibleWithinTheirMonths) {
  const Extent fortin = E("2018-11/2019-11");
  EXPECT_EQ(fortin.HoldsOn(D(2018, 10, 31)), kNo);
  EXPECT_EQ(fortin.HoldsOn(D(2018, 11, 1)), kPossible);
  EXPECT_EQ(fortin.HoldsOn(D(2018, 11, 15)), kPossible);
  EXPECT_EQ(fortin.HoldsOn(D(2018, 11, 29)), kPossible);
  EXPECT_EQ(fortin.HoldsOn(D(2018, 11, 30)), kDefinite);
  EXPECT_EQ(fortin.HoldsOn(D(2019, 10, 31)), kDefinite);
  // His last day is some day of November 2019, so he held on its first.
  EXPECT_EQ(fortin.HoldsOn(D(2019, 11, 1)), kDefinite);
  EXPECT_EQ(fortin.HoldsOn(D(2019, 11, 2)), kPossible);
  EXPECT_EQ(fortin.HoldsOn(D(2019, 11, 30)), kPossible);
  EXPECT_EQ(fortin.HoldsOn(D(2019, 12, 1)), kNo);
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
  EXPECT_EQ(olsen.HoldsOn(D(2021, 5, 6)), kPossible);
  EXPECT_EQ(olsen.HoldsOn(D(2021, 5, 7)), kNo);
}

TEST(HoldsOnTest, ApproximateWidensByOneUnitEachSide) {
  const Extent day = E("2018-11-26~");
  EXPECT_EQ(day.HoldsOn(D(2018, 11, 24)), kNo);
  EXPECT_EQ(day.HoldsOn(D(2018, 11, 25)), kPossible);
  EXPECT_EQ(day.HoldsOn(D(2018, 11, 26)), kPossible);
  EXPECT_EQ(day.HoldsOn(D(2018, 11, 27)), kPossible);
  EXPECT_EQ(day.HoldsOn(D(2018, 11, 28)), kNo);
  // A season by a season: autumn 2001~ is some day of summer to winter.
  const Extent autumn = E("2001-23~");
  EXPECT_EQ(autumn.HoldsOn(D(2001, 3, 31)), kNo);
  EXPECT_EQ(autumn.HoldsOn(D(2001, 4, 1)), kPossible);
  EXPECT_EQ(autumn.HoldsOn(D(2001, 12, 31)), kPossible);
  EXPECT_EQ(autumn.HoldsOn(D(2002, 1, 1)), kNo);
  // A decade by a decade.
  const Extent decade = E("201X~");
  EXPECT_EQ(decade.HoldsOn(D(1999, 12, 31)), kNo);
  EXPECT_EQ(decade.HoldsOn(D(2000, 1, 1)), kPossible);
  EXPECT_EQ(decade.HoldsOn(D(2029, 12, 31)), kPossible);
  EXPECT_EQ(decade.HoldsOn(D(2030, 1, 1)), kNo);
}

TEST(HoldsOnTest, ApproximateLastDayWidensTheEnd) {
  // ../2011-12-31~ ends on 2011-12-30, 31 or 2012-01-01.
  const Extent end = E("../2011-12-31~");
  EXPECT_EQ(end.HoldsOn(D(2011, 12, 30)), kDefinite);
  EXPECT_EQ(end.HoldsOn(D(2011, 12, 31)), kPossible);
  EXPECT_EQ(end.HoldsOn(D(2012, 1, 1)), kPossible);
  EXPECT_EQ(end.HoldsOn(D(2012, 1, 2)), kNo);
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
  // Its last day is some day of 2011, so it held on 2011-01-01.
  EXPECT_EQ(since_forever.HoldsOn(D(2011, 1, 1)), kDefinite);
  EXPECT_EQ(since_forever.HoldsOn(D(2011, 6, 1)), kPossible);
  EXPECT_EQ(since_forever.HoldsOn(D(2011, 12, 31)), kPossible);
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

TEST(HoldsOnTest, UnknownStartIsDefiniteOnlyOnAnExactLastDay) {
  // /2011 may have started and ended on any one day of 2011.
  const Extent year_end = E("/2011");
  EXPECT_EQ(year_end.HoldsOn(kMinDay), kPossible);
  EXPECT_EQ(year_end.HoldsOn(D(2010, 12, 31)), kPossible);
  EXPECT_EQ(year_end.HoldsOn(D(2011, 12, 31)), kPossible);
  EXPECT_EQ(year_end.HoldsOn(D(2012, 1, 1)), kNo);
  // With an exact end, the last day is held in every reading.
  const Extent exact_end = E("/2011-06-01");
  EXPECT_EQ(exact_end.HoldsOn(D(2011, 5, 31)), kPossible);
  EXPECT_EQ(exact_end.HoldsOn(D(2011, 6, 1)), kDefinite);
  EXPECT_EQ(exact_end.HoldsOn(D(2011, 6, 2)), kNo);
}

TEST(HoldsOnTest, UnknownStartStillOngoingIsPossibleOnEveryDay) {
  // "/..": in service since some unknown day, still in service.
  const Extent runway = E("/..");
  EXPECT_EQ(runway.HoldsOn(kMinDay), kPossible);
  EXPECT_EQ(runway.HoldsOn(D(2024, 1, 1)), kPossible);
  // Every start is a calendar day, so on the calendar's last day every
  // reading has begun.
  EXPECT_EQ(runway.HoldsOn(kMaxDay - 1), kPossible);
  EXPECT_EQ(runway.HoldsOn(kMaxDay), kDefinite);
  EXPECT_FALSE(runway.open_start());
  EXPECT_TRUE(runway.open_end());
  // Every reading overlaps the whole line, but no finite window for sure.
  EXPECT_EQ(runway.Overlaps(kMinusInfinity, kPlusInfinity), kDefinite);
  EXPECT_EQ(runway.Overlaps(D(2024, 1, 1), D(2025, 1, 1)), kPossible);
  EXPECT_EQ(runway.HoldsThroughout(D(2024, 1, 1), kPlusInfinity), kPossible);
  EXPECT_EQ(runway.HoldsThroughout(kMinusInfinity, D(2024, 1, 1)), kNo);
}

TEST(HoldsOnTest, OpenOnBothSidesAlwaysHolds) {
  const Extent always = E("../..");
  EXPECT_EQ(always.HoldsOn(kMinDay), kDefinite);
  EXPECT_EQ(always.HoldsOn(kMaxDay), kDefinite);
  EXPECT_EQ(always.HoldsThroughout(kMinusInfinity, kPlusInfinity), kDefinite);
}

TEST(HoldsOnTest, UnknownOnBothSidesIsPossibleEverywhere) {
  const Extent unknown = E("/");
  EXPECT_EQ(unknown.HoldsOn(kMinDay), kPossible);
  EXPECT_EQ(unknown.HoldsOn(D(2000, 1, 1)), kPossible);
  EXPECT_EQ(unknown.HoldsOn(kMaxDay), kPossible);
  EXPECT_EQ(unknown.HoldsThroughout(D(2000, 1, 1), D(2001, 1, 1)), kPossible);
  EXPECT_EQ(unknown.HoldsThroughout(kMinusInfinity, D(2001, 1, 1)), kNo);
  const Extent open_then_unknown = E("../");
  EXPECT_EQ(open_then_unknown.HoldsOn(kMinDay), kDefinite);
  EXPECT_EQ(open_then_unknown.HoldsOn(kMinDay + 1), kPossible);
}

TEST(HoldsOnTest, YearsBeforeChristAreOrderedThroughYearZero) {
  // -0001 is 2 BC, 0000 is 1 BC: -0001/0001 holds through all of 1 BC.
  const Extent across = E("-0001/0001");
  EXPECT_EQ(across.HoldsOn(D(-2, 12, 31)), kNo);
  EXPECT_EQ(across.HoldsOn(D(-1, 1, 1)), kPossible);
  EXPECT_EQ(across.HoldsOn(D(-1, 12, 31)), kDefinite);
  EXPECT_EQ(across.HoldsOn(D(0, 2, 29)), kDefinite);
  EXPECT_EQ(across.HoldsOn(D(1, 1, 1)), kDefinite);
  EXPECT_EQ(across.HoldsOn(D(1, 12, 31)), kPossible);
  EXPECT_EQ(across.HoldsOn(D(2, 1, 1)), kNo);
  const Extent ides = E("-0044-03-15");
  EXPECT_EQ(ides.HoldsOn(D(-44, 3, 14)), kNo);
  EXPECT_EQ(ides.HoldsOn(D(-44, 3, 15)), kDefinite);
  EXPECT_EQ(ides.HoldsOn(D(-44, 3, 16)), kNo);
  // -201X is some year from -2019 to -2010.
  const Extent decade = E("-201X");
  EXPECT_EQ(decade.HoldsOn(D(-2020, 12, 31)), kNo);
  EXPECT_EQ(decade.HoldsOn(D(-2019, 1, 1)), kPossible);
  EXPECT_EQ(decade.HoldsOn(D(-2010, 12, 31)), kPossible);
  EXPECT_EQ(decade.HoldsOn(D(-2009, 1, 1)), kNo);
  EXPECT_THAT(
      Extent::Parse("0001/-0001"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reversed")));
}

TEST(HoldsOnTest, SeasonsAreQuartersOfTheirYear) {
  const Extent winter = E("2001-24");
  EXPECT_EQ(winter.HoldsOn(D(2001, 9, 30)), kNo);
  EXPECT_EQ(winter.HoldsOn(D(2001, 10, 1)), kPossible);
  EXPECT_EQ(winter.HoldsOn(D(2001, 12, 31)), kPossible);
  EXPECT_EQ(winter.HoldsOn(D(2002, 1, 1)), kNo);
  // Spring to autumn: began in January-March, ended in July-September.
  const Extent seasons = E("2001-21/2001-23");
  EXPECT_EQ(seasons.HoldsOn(D(2000, 12, 31)), kNo);
  EXPECT_EQ(seasons.HoldsOn(D(2001, 1, 1)), kPossible);
  EXPECT_EQ(seasons.HoldsOn(D(2001, 3, 30)), kPossible);
  EXPECT_EQ(seasons.HoldsOn(D(2001, 3, 31)), kDefinite);
  EXPECT_EQ(seasons.HoldsOn(D(2001, 7, 1)), kDefinite);
  EXPECT_EQ(seasons.HoldsOn(D(2001, 7, 2)), kPossible);
  EXPECT_EQ(seasons.HoldsOn(D(2001, 9, 30)), kPossible);
  EXPECT_EQ(seasons.HoldsOn(D(2001, 10, 1)), kNo);
}

TEST(HoldsOnTest, DateTimeHoldsOnTheDayWrittenWhateverTheZone) {
  // 23:20:30 at -04:00 is 03:20:30 UTC on the 13th; Annals keeps the 12th.
  for (std::string_view text :
       {"1985-04-12T23:20:30", "1985-04-12T23:20:30Z", "1985-04-12T23:20:30-04",
        "1985-04-12T23:20:30+04:30"}) {
    const Extent at = E(text);
    EXPECT_EQ(at.HoldsOn(D(1985, 4, 11)), kNo) << text;
    EXPECT_EQ(at.HoldsOn(D(1985, 4, 12)), kDefinite) << text;
    EXPECT_EQ(at.HoldsOn(D(1985, 4, 13)), kNo) << text;
    EXPECT_EQ(at, E("1985-04-12")) << text;
  }
}

TEST(HoldsOnTest, LongYearsAreWholeYears) {
  const Extent year = E("Y12345");
  EXPECT_EQ(year.HoldsOn(D(12344, 12, 31)), kNo);
  EXPECT_EQ(year.HoldsOn(D(12345, 1, 1)), kPossible);
  EXPECT_EQ(year.HoldsOn(D(12345, 12, 31)), kPossible);
  EXPECT_EQ(year.HoldsOn(D(12346, 1, 1)), kNo);
  const Extent deep = E("Y-12345/-0044");
  EXPECT_EQ(deep.HoldsOn(D(-12346, 12, 31)), kNo);
  EXPECT_EQ(deep.HoldsOn(D(-12345, 12, 31)), kDefinite);
  EXPECT_EQ(deep.HoldsOn(D(-44, 1, 1)), kDefinite);
  EXPECT_EQ(deep.HoldsOn(D(-44, 12, 31)), kPossible);
  EXPECT_EQ(deep.HoldsOn(D(-43, 1, 1)), kNo);
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
  EXPECT_EQ(E("2017-21").Overlaps(from, to), kDefinite);
  EXPECT_EQ(E("2017-24~").Overlaps(from, to), kPossible);
}

TEST(OverlapsTest, EndingInTheWindowOverlapsIt) {
  // 2016/2017 ends on some day of 2017, so it holds at least on 2017-01-01.
  EXPECT_EQ(E("2016/2017").Overlaps(D(2017, 1, 1), D(2018, 1, 1)), kDefinite);
  EXPECT_EQ(E("2016/2017-01-01").Overlaps(D(2017, 1, 1), D(2018, 1, 1)),
            kDefinite);
  EXPECT_EQ(E("2016/2016-12-31").Overlaps(D(2017, 1, 1), D(2018, 1, 1)), kNo);
  EXPECT_EQ(E("2016/2017~").Overlaps(D(2017, 1, 1), D(2018, 1, 1)), kPossible);
}

TEST(OverlapsTest, WindowsBeforeChrist) {
  // The Roman Republic's last century, as a window [-0099, -0027).
  const Day from = D(-99, 1, 1);
  const Day to = D(-27, 1, 1);
  EXPECT_EQ(E("-0044-03-15").Overlaps(from, to), kDefinite);
  EXPECT_EQ(E("-0027/0014").Overlaps(from, to), kNo);
  EXPECT_EQ(E("-0028/0014").Overlaps(from, to), kDefinite);
  EXPECT_EQ(E("../-0100").Overlaps(from, to), kNo);
  EXPECT_EQ(E("-010X").Overlaps(from, to), kNo);  // -0109 to -0100.
  EXPECT_EQ(E("-009X").Overlaps(from, to), kDefinite);
  EXPECT_EQ(E("-010X~").Overlaps(from, to), kPossible);
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
  EXPECT_EQ(olsen.Overlaps(D(2021, 5, 6), kPlusInfinity), kDefinite);
  EXPECT_EQ(olsen.Overlaps(D(2021, 5, 7), kPlusInfinity), kNo);
  EXPECT_EQ(olsen.Overlaps(kMinusInfinity, D(2020, 11, 24)), kNo);
  EXPECT_EQ(olsen.Overlaps(kMinusInfinity, D(2020, 11, 25)), kDefinite);
  EXPECT_EQ(E("2024-05-24/..").Overlaps(D(9999, 1, 1), kPlusInfinity),
            kDefinite);
  EXPECT_EQ(E("2024-05-24/..").Overlaps(kMaxDay, kPlusInfinity), kDefinite);
}

TEST(HoldsThroughoutTest, NeedsEveryDayOfTheWindow) {
  // Windows are [from, to). Fortin definitely held from 2018-11-30 through
  // 2019-11-01, and possibly from 2018-11-01 through 2019-11-30.
  const Extent fortin = E("2018-11/2019-11");
  EXPECT_EQ(fortin.HoldsThroughout(D(2018, 11, 30), D(2019, 11, 2)), kDefinite);
  EXPECT_EQ(fortin.HoldsThroughout(D(2018, 11, 30), D(2019, 11, 3)), kPossible);
  EXPECT_EQ(fortin.HoldsThroughout(D(2018, 11, 15), D(2019, 11, 1)), kPossible);
  EXPECT_EQ(fortin.HoldsThroughout(D(2018, 11, 1), D(2019, 12, 1)), kPossible);
  EXPECT_EQ(fortin.HoldsThroughout(D(2018, 10, 31), D(2019, 1, 1)), kNo);
  EXPECT_EQ(fortin.HoldsThroughout(D(2019, 1, 1), D(2019, 12, 1)), kPossible);
  EXPECT_EQ(fortin.HoldsThroughout(D(2019, 1, 1), D(2019, 12, 2)), kNo);
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
  // 2020-11-24 through 2021-05-06, both included.
  EXPECT_EQ(E("2020-11-24/2021-05-06").Duration(), (DurationRange{164, 164}));
  EXPECT_EQ(E("2004-02-01/2004-02-01").Duration(), (DurationRange{1, 1}));
  EXPECT_EQ(E("2004-02-01/2005-02-08").Duration(), (DurationRange{374, 374}));
  // 0000 (1 BC) is a leap year: -0001-12-31 through 0001-01-01.
  EXPECT_EQ(E("-0001-12-31/0001-01-01").Duration(), (DurationRange{368, 368}));
}

TEST(DurationTest, InstantLastsOneDay) {
  EXPECT_EQ(E("2018-11-26").Duration(), (DurationRange{1, 1}));
  EXPECT_EQ(E("2018").Duration(), (DurationRange{1, 1}));
  EXPECT_EQ(E("2018-11~").Duration(), (DurationRange{1, 1}));
}

TEST(DurationTest, ImpreciseSidesGiveARange) {
  // Fortin: 2018-11-30 through 2019-11-01 at least, 2018-11-01 through
  // 2019-11-30 at most.
  EXPECT_EQ(E("2018-11/2019-11").Duration(), (DurationRange{337, 395}));
  EXPECT_EQ(E("2021-05-06/2022-05").Duration(), (DurationRange{361, 391}));
  EXPECT_EQ(E("2018-11/2018-11").Duration(), (DurationRange{1, 30}));
  EXPECT_EQ(E("1100/1200").Duration(),
            (DurationRange{D(1200, 1, 1) - D(1100, 12, 31) + 1,
                           D(1200, 12, 31) - D(1100, 1, 1) + 1}));
  EXPECT_EQ(E("2001-21/2001-23").Duration(), (DurationRange{93, 273}));
}

TEST(DurationTest, UnknownSidesHaveNoUpperBound) {
  EXPECT_EQ(E("2018/").Duration(), (DurationRange{1, kUnboundedDays}));
  EXPECT_EQ(E("/2011").Duration(), (DurationRange{1, kUnboundedDays}));
  EXPECT_EQ(E("2018-11-26/").Duration(), (DurationRange{1, kUnboundedDays}));
  EXPECT_EQ(E("/").Duration(), (DurationRange{1, kUnboundedDays}));
}

TEST(DurationTest, OpenSidesAreInfinitelyLong) {
  EXPECT_EQ(E("2024-05-24/..").Duration(),
            (DurationRange{kUnboundedDays, kUnboundedDays}));
  EXPECT_EQ(E("../2011").Duration(),
            (DurationRange{kUnboundedDays, kUnboundedDays}));
  EXPECT_EQ(E("/..").Duration(),
            (DurationRange{kUnboundedDays, kUnboundedDays}));
  EXPECT_EQ(E("../..").Duration(),
            (DurationRange{kUnboundedDays, kUnboundedDays}));
}

TEST(DurationTest, LongestReadingSpansTheWholeCalendar) {
  // kMaxDay + 1 - kMinDay still fits in the 32-bit duration.
  EXPECT_EQ(E("Y-2500000/Y2500000").Duration().max_days,
            int64_t{kMaxDay} + 1 - kMinDay);
}

TEST(DurationTest, PrintsUnboundedByName) {
  std::ostringstream os;
  os << DurationRange{1, kUnboundedDays};
  EXPECT_EQ(os.str(), "[1, unbounded]");
}

TEST(FromBoundsTest, EqualsTheParsedExtentWithTheSameBoundsAndFlags) {
  const Extent fortin = E("2018-11/2019-11");
  // Ends are exclusive: the day after the last day.
  ASSERT_OK_AND_ASSIGN(Extent built,
                       Extent::FromBounds(D(2018, 11, 1), D(2018, 11, 30),
                                          D(2019, 11, 2), D(2019, 12, 1)));
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
  // Starts, then last days.
  EXPECT_EQ(E("2018-11?").DebugString(),
            "[2018-11-01..2018-11-30, 2018-11-01..2018-11-30] instant "
            "uncertain");
  EXPECT_EQ(E("../2011").DebugString(),
            "[-infinity..-infinity, 2011-01-01..2011-12-31]");
  EXPECT_EQ(E("-0044/..").DebugString(),
            "[-0044-01-01..-0044-12-31, +infinity..+infinity]");
}

Extent B(std::string_view earliest_start, std::string_view latest_start,
         std::string_view earliest_end, std::string_view latest_end) {
  absl::StatusOr<Extent> extent = Extent::FromBoundDates(
      {earliest_start, latest_start, earliest_end, latest_end});
  EXPECT_TRUE(extent.ok()) << extent.status();
  return *extent;
}

TEST(FromBoundDatesTest, StartsBetweenAndEndsBetween) {
  // "Starts between 1100 and 1200, ends between 1450 and 1500."
  const Extent period = B("1100", "1200", "1450", "1500");
  EXPECT_EQ(period.earliest_start(), D(1100, 1, 1));
  EXPECT_EQ(period.latest_start(), D(1200, 12, 31));
  EXPECT_EQ(period.earliest_last_day(), D(1450, 1, 1));
  EXPECT_EQ(period.latest_last_day(), D(1500, 12, 31));
  EXPECT_FALSE(period.has_edtf());
  EXPECT_EQ(period.ToEdtf(), "");
  EXPECT_FALSE(period.instant());
  EXPECT_FALSE(period.uncertain());
  EXPECT_EQ(period.HoldsOn(D(1099, 12, 31)), kNo);
  EXPECT_EQ(period.HoldsOn(D(1150, 1, 1)), kPossible);
  EXPECT_EQ(period.HoldsOn(D(1201, 1, 1)), kDefinite);
  EXPECT_EQ(period.HoldsOn(D(1450, 1, 1)), kDefinite);
  EXPECT_EQ(period.HoldsOn(D(1450, 1, 2)), kPossible);
  EXPECT_EQ(period.HoldsOn(D(1500, 12, 31)), kPossible);
  EXPECT_EQ(period.HoldsOn(D(1501, 1, 1)), kNo);
}

TEST(FromBoundDatesTest, EqualsTheIntervalWithTheSameSides) {
  EXPECT_EQ(B("2018-11", "2018-11", "2019-11", "2019-11"),
            E("2018-11/2019-11"));
  EXPECT_EQ(B("2020-11-24", "2020-11-24", "2021-05-06", "2021-05-06"),
            E("2020-11-24/2021-05-06"));
  EXPECT_EQ(B("..", "..", "2011", "2011"), E("../2011"));
  EXPECT_EQ(B("2024-05-24", "2024-05-24", "..", ".."), E("2024-05-24/.."));
  EXPECT_EQ(B("2017-01", "2017-01", "", ""), E("2017-01/"));
  EXPECT_EQ(B("", "", "2011", "2011"), E("/2011"));
  EXPECT_EQ(B("-0044-03-15", "-0044-03-15", "0014", "0014"),
            E("-0044-03-15/0014"));
  EXPECT_EQ(B("2001-21~", "2001-21~", "2001-23", "2001-23"),
            E("2001-21~/2001-23"));
}

TEST(FromBoundDatesTest, OneBoundAlone) {
  // Started no earlier than 1100, nothing else known.
  const Extent after = B("1100", "", "", "");
  EXPECT_EQ(after.earliest_start(), D(1100, 1, 1));
  EXPECT_EQ(after.earliest_last_day(), D(1100, 1, 1));
  EXPECT_EQ(after.latest_last_day(), kPlusInfinity);
  EXPECT_FALSE(after.open_end());
  EXPECT_EQ(after.HoldsOn(D(1099, 12, 31)), kNo);
  EXPECT_EQ(after.HoldsOn(D(1100, 1, 1)), kPossible);
  // Ended by 1500 at the latest.
  const Extent by = B("", "", "", "1500");
  EXPECT_EQ(by.earliest_start(), kMinusInfinity);
  EXPECT_FALSE(by.open_start());
  EXPECT_EQ(by.latest_start(), D(1500, 12, 31));
  EXPECT_EQ(by.HoldsOn(D(1500, 12, 31)), kPossible);
  EXPECT_EQ(by.HoldsOn(D(1501, 1, 1)), kNo);
}

TEST(FromBoundDatesTest, QualifiersWidenAndMarkUncertain) {
  const Extent approximate = B("1100~", "1200", "1450", "1500~");
  EXPECT_EQ(approximate.earliest_start(), D(1099, 1, 1));
  EXPECT_EQ(approximate.latest_last_day(), D(1501, 12, 31));
  EXPECT_FALSE(approximate.uncertain());
  const Extent uncertain = B("1100", "1200?", "1450", "1500");
  EXPECT_TRUE(uncertain.uncertain());
  EXPECT_EQ(uncertain.HoldsOn(D(1300, 1, 1)), kPossible);
  EXPECT_TRUE(B("1100", "1200", "1450%", "1500").uncertain());
}

TEST(FromBoundDatesTest, DateTimesNameTheirDay) {
  const Extent extent =
      B("2021-06-01T23:00:00-05", "2021-06-01", "2021-06-30T00:00:00Z", "");
  EXPECT_EQ(extent.earliest_start(), D(2021, 6, 1));
  EXPECT_EQ(extent.latest_start(), D(2021, 6, 1));
  EXPECT_EQ(extent.earliest_last_day(), D(2021, 6, 30));
}

TEST(FromBoundDatesTest, LooseBoundsAreTightened) {
  // A latest start after the latest last day cannot be attained.
  const Extent extent = B("2000", "2020", "", "2010");
  EXPECT_EQ(extent.latest_start(), D(2010, 12, 31));
  EXPECT_EQ(extent.earliest_last_day(), D(2000, 1, 1));
  EXPECT_EQ(extent.latest_last_day(), D(2010, 12, 31));
}

struct BadBoundDates {
  std::string name;
  BoundDates bounds;
  std::string message;  // The whole message, starting with the field.
};

class FromBoundDatesRejectTest
    : public ::testing::TestWithParam<BadBoundDates> {};

TEST_P(FromBoundDatesRejectTest, NamesTheFieldAndTheReason) {
  const BadBoundDates& c = GetParam();
  EXPECT_THAT(Extent::FromBoundDates(c.bounds),
              StatusIs(absl::StatusCode::kInvalidArgument, c.message));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, FromBoundDatesRejectTest,
    ::testing::Values(
        BadBoundDates{"MalformedDate",
                      {"2018-02-30", "", "", ""},
                      "earliest_start: \"2018-02-30\": day 30 does not exist "
                      "in February 2018"},
        BadBoundDates{"LevelTwoDate",
                      {"", "2004-?06-11", "", ""},
                      "latest_start: \"2004-?06-11\": a qualifier before a "
                      "month or a day is EDTF level 2, which Annals does not "
                      "support"},
        BadBoundDates{"YearOutOfRange",
                      {"", "", "Y170000002", ""},
                      "earliest_end: \"Y170000002\": year 170000002 is "
                      "outside the years Annals represents (-2500000 to "
                      "2500000)"},
        BadBoundDates{"Interval",
                      {"", "", "", "2019/2020"},
                      "latest_end: \"2019/2020\" is an interval; a bound is "
                      "one date, \"..\" (open) or empty (unknown)"},
        BadBoundDates{"OpenBesideADate",
                      {"..", "2018", "", ""},
                      "earliest_start: \"..\" makes the start open, so "
                      "latest_start must be \"..\" too"},
        BadBoundDates{"DateBesideOpen",
                      {"2018", "..", "", ""},
                      "latest_start: \"..\" makes the start open, so "
                      "earliest_start must be \"..\" too"},
        BadBoundDates{"OpenEndBesideUnknown",
                      {"2018", "", "..", ""},
                      "earliest_end: \"..\" makes the end open, so "
                      "latest_end must be \"..\" too"},
        BadBoundDates{"StartBoundsReversed",
                      {"2020", "2019", "", ""},
                      "latest_start: before earliest_start"},
        BadBoundDates{"EndBoundsReversed",
                      {"", "", "2020-06", "2020-05"},
                      "latest_end: before earliest_end"},
        BadBoundDates{"EndBeforeEveryStart",
                      {"2020", "", "", "2019-12-31"},
                      "latest_end: before every possible start, so the "
                      "extent holds on no day"},
        BadBoundDates{"NoDate",
                      {"", "", "", ""},
                      "give at least one date or open side among "
                      "earliest_start, latest_start, earliest_end and "
                      "latest_end"}),
    [](const ::testing::TestParamInfo<BadBoundDates>& info) {
      return info.param.name;
    });

TEST(FromBoundDatesTest, OpenSidesAloneReadAsInEdtf) {
  EXPECT_EQ(B("", "", "..", ".."), E("/.."));
  EXPECT_EQ(B("..", "..", "", ""), E("../"));
  EXPECT_EQ(B("..", "..", "..", ".."), E("../.."));
}

TEST(FromBoundDatesTest, EndOnTheFirstPossibleStartDayIsOneDay) {
  const Extent one_day = B("2020", "", "", "2020-01-01");
  EXPECT_EQ(one_day.Duration(), (DurationRange{1, 1}));
  EXPECT_EQ(one_day.HoldsOn(D(2020, 1, 1)), kDefinite);
}

}  // namespace
}  // namespace annals::temporal
