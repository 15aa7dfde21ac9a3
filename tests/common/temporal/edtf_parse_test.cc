// Extent::Parse and ToEdtf: the accepted EDTF forms with their bounds and
// canonical text, and every rejection with its reason.
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/temporal/day.h"
#include "services/common/temporal/edtf.h"
#include "services/common/temporal/extent.h"
#include "tests/testing/status_matchers.h"

namespace annals::temporal {
namespace {

using ::annals::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr Day kMinus = kMinusInfinity;
constexpr Day kPlus = kPlusInfinity;

Day D(int y, int m, int d) { return DayFromCivil(y, m, d); }

struct ParseCase {
  std::string name;  // What the case proves.
  std::string text;
  Day earliest_start;
  Day latest_start;
  // Last days (inclusive), as users read them; kPlus when unbounded.
  Day earliest_last;
  Day latest_last;
  bool instant;
  bool uncertain;
  std::string canonical = "";  // Empty: the text itself.
};

class ExtentParseTableTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ExtentParseTableTest, ParsesToTheseBoundsAndCanonicalText) {
  const ParseCase& c = GetParam();
  ASSERT_OK_AND_ASSIGN(Extent extent, Extent::Parse(c.text));
  EXPECT_EQ(FormatDay(extent.earliest_start()), FormatDay(c.earliest_start));
  EXPECT_EQ(FormatDay(extent.latest_start()), FormatDay(c.latest_start));
  EXPECT_EQ(FormatDay(extent.earliest_last_day()), FormatDay(c.earliest_last));
  EXPECT_EQ(FormatDay(extent.latest_last_day()), FormatDay(c.latest_last));
  EXPECT_EQ(extent.instant(), c.instant);
  EXPECT_EQ(extent.uncertain(), c.uncertain);
  EXPECT_TRUE(extent.has_edtf());
  const std::string canonical = c.canonical.empty() ? c.text : c.canonical;
  EXPECT_EQ(extent.ToEdtf(), canonical);
  ASSERT_OK_AND_ASSIGN(Extent reparsed, Extent::Parse(extent.ToEdtf()));
  EXPECT_EQ(reparsed, extent);
  EXPECT_EQ(reparsed.ToEdtf(), canonical);
}

INSTANTIATE_TEST_SUITE_P(
    Forms, ExtentParseTableTest,
    ::testing::Values(
        ParseCase{"DayIsAOneDayInstant", "2018-11-26", D(2018, 11, 26),
                  D(2018, 11, 26), D(2018, 11, 26), D(2018, 11, 26), true,
                  false},
        ParseCase{"MonthIsAnInstantOnSomeDayOfTheMonth", "2018-11",
                  D(2018, 11, 1), D(2018, 11, 30), D(2018, 11, 1),
                  D(2018, 11, 30), true, false},
        ParseCase{"YearIsAnInstantOnSomeDayOfTheYear", "2018", D(2018, 1, 1),
                  D(2018, 12, 31), D(2018, 1, 1), D(2018, 12, 31), true, false},
        ParseCase{"LeapDay", "2020-02-29", D(2020, 2, 29), D(2020, 2, 29),
                  D(2020, 2, 29), D(2020, 2, 29), true, false},
        ParseCase{"ExactIntervalEndsOnItsLastDay", "2020-11-24/2021-05-06",
                  D(2020, 11, 24), D(2020, 11, 24), D(2021, 5, 6),
                  D(2021, 5, 6), false, false},
        ParseCase{"LevelZeroIntervalIncludesItsEndDay", "2004-02-01/2005-02-08",
                  D(2004, 2, 1), D(2004, 2, 1), D(2005, 2, 8), D(2005, 2, 8),
                  false, false},
        ParseCase{"IntervalOfOneDay", "2004-02-01/2004-02-01", D(2004, 2, 1),
                  D(2004, 2, 1), D(2004, 2, 1), D(2004, 2, 1), false, false},
        ParseCase{"MonthPrecisionSidesSpanTheirMonths", "2018-11/2019-11",
                  D(2018, 11, 1), D(2018, 11, 30), D(2019, 11, 1),
                  D(2019, 11, 30), false, false},
        ParseCase{"YearStartDayEnd", "2004/2011-12-31", D(2004, 1, 1),
                  D(2004, 12, 31), D(2011, 12, 31), D(2011, 12, 31), false,
                  false},
        ParseCase{"YearSidesEndOnTheLastDayOfTheEndYear", "1100/1200",
                  D(1100, 1, 1), D(1100, 12, 31), D(1200, 1, 1),
                  D(1200, 12, 31), false, false},
        ParseCase{"OpenEndIsPlusInfinityInEveryReading", "2024-05-24/..",
                  D(2024, 5, 24), D(2024, 5, 24), kPlus, kPlus, false, false},
        ParseCase{"OpenEndAfterAYear", "2021/..", D(2021, 1, 1),
                  D(2021, 12, 31), kPlus, kPlus, false, false},
        ParseCase{"OpenStartIsMinusInfinityInEveryReading", "../2011", kMinus,
                  kMinus, D(2011, 1, 1), D(2011, 12, 31), false, false},
        ParseCase{"UnknownEndIsFromTheStartWithoutBound", "2018/",
                  D(2018, 1, 1), D(2018, 12, 31), D(2018, 1, 1), kPlus, false,
                  false},
        ParseCase{"UnknownEndAfterAnExactStart", "2018-11-26/", D(2018, 11, 26),
                  D(2018, 11, 26), D(2018, 11, 26), kPlus, false, false},
        ParseCase{"UnknownStartIsUpToTheLatestLastDay", "/2011", kMinus,
                  D(2011, 12, 31), D(2011, 1, 1), D(2011, 12, 31), false,
                  false},
        ParseCase{"UnknownStartBeforeAMonthEnd", "/2021-05", kMinus,
                  D(2021, 5, 31), D(2021, 5, 1), D(2021, 5, 31), false, false},
        ParseCase{"UnknownStartStillOngoing", "/..", kMinus, kMaxDay, kPlus,
                  kPlus, false, false},
        ParseCase{"OpenStartUnknownEnd", "../", kMinus, kMinus, kMinDay, kPlus,
                  false, false},
        ParseCase{"OpenOnBothSidesHoldsAlways", "../..", kMinus, kMinus, kPlus,
                  kPlus, false, false},
        ParseCase{"UnknownOnBothSidesIsSomeSpanOfDays", "/", kMinus, kMaxDay,
                  kMinDay, kPlus, false, false},
        ParseCase{"FirstCalendarDayAsAnUnknownStartsEnd", "/0001-01-01", kMinus,
                  D(1, 1, 1), D(1, 1, 1), D(1, 1, 1), false, false},
        ParseCase{"ApproximateMonthWidensByAMonthEachSide", "2018-11~",
                  D(2018, 10, 1), D(2018, 12, 31), D(2018, 10, 1),
                  D(2018, 12, 31), true, false},
        ParseCase{"ApproximateYearWidensByAYearEachSide", "2004~",
                  D(2003, 1, 1), D(2005, 12, 31), D(2003, 1, 1),
                  D(2005, 12, 31), true, false},
        ParseCase{"ApproximateDayWidensByADayEachSide", "2018-11-26~",
                  D(2018, 11, 25), D(2018, 11, 27), D(2018, 11, 25),
                  D(2018, 11, 27), true, false},
        ParseCase{"UncertainKeepsTheSpanAndSetsTheFlag", "2018-11-26?",
                  D(2018, 11, 26), D(2018, 11, 26), D(2018, 11, 26),
                  D(2018, 11, 26), true, true},
        ParseCase{"PercentIsUncertainAndApproximate", "2018-11%",
                  D(2018, 10, 1), D(2018, 12, 31), D(2018, 10, 1),
                  D(2018, 12, 31), true, true},
        ParseCase{"QualifiedIntervalSides", "2019-11~/2020-11-24?",
                  D(2019, 10, 1), D(2019, 12, 31), D(2020, 11, 24),
                  D(2020, 11, 24), false, true},
        ParseCase{"ApproximateEndWidensTheLastDay", "../2011-12-31~", kMinus,
                  kMinus, D(2011, 12, 30), D(2012, 1, 1), false, false},
        ParseCase{"UnspecifiedLastYearDigitIsADecade", "201X", D(2010, 1, 1),
                  D(2019, 12, 31), D(2010, 1, 1), D(2019, 12, 31), true, false},
        ParseCase{"UnspecifiedLastTwoYearDigitsIsACentury", "20XX",
                  D(2000, 1, 1), D(2099, 12, 31), D(2000, 1, 1),
                  D(2099, 12, 31), true, false},
        ParseCase{"UnspecifiedLastThreeYearDigitsIsAMillennium", "2XXX",
                  D(2000, 1, 1), D(2999, 12, 31), D(2000, 1, 1),
                  D(2999, 12, 31), true, false},
        ParseCase{"FullyUnspecifiedYearIsAnyFourDigitYear", "XXXX", D(0, 1, 1),
                  D(9999, 12, 31), D(0, 1, 1), D(9999, 12, 31), true, false},
        ParseCase{"FullyUnspecifiedYearAndMonthIsTheYear", "XXXX-XX",
                  D(0, 1, 1), D(9999, 12, 31), D(0, 1, 1), D(9999, 12, 31),
                  true, false, "XXXX"},
        ParseCase{"UnspecifiedDigitsOfANegativeYear", "-201X", D(-2019, 1, 1),
                  D(-2010, 12, 31), D(-2019, 1, 1), D(-2010, 12, 31), true,
                  false},
        ParseCase{"QualifiedDecadeWidensByADecade", "201X~", D(2000, 1, 1),
                  D(2029, 12, 31), D(2000, 1, 1), D(2029, 12, 31), true, false},
        ParseCase{"UnspecifiedMonthIsTheYear", "2018-XX", D(2018, 1, 1),
                  D(2018, 12, 31), D(2018, 1, 1), D(2018, 12, 31), true, false,
                  "2018"},
        ParseCase{"UnspecifiedDayIsTheMonth", "2018-11-XX", D(2018, 11, 1),
                  D(2018, 11, 30), D(2018, 11, 1), D(2018, 11, 30), true, false,
                  "2018-11"},
        ParseCase{"UnspecifiedMonthAndDayIsTheYear", "2018-XX-XX",
                  D(2018, 1, 1), D(2018, 12, 31), D(2018, 1, 1),
                  D(2018, 12, 31), true, false, "2018"},
        ParseCase{"UnspecifiedDigitsInAnIntervalSide", "201X/2015",
                  D(2010, 1, 1), D(2015, 12, 31), D(2015, 1, 1),
                  D(2015, 12, 31), false, false},
        ParseCase{"SameYearIntervalStartsNoLaterThanItEnds", "2018/2018",
                  D(2018, 1, 1), D(2018, 12, 31), D(2018, 1, 1),
                  D(2018, 12, 31), false, false},
        ParseCase{"SameMonthInterval", "2018-11/2018-11", D(2018, 11, 1),
                  D(2018, 11, 30), D(2018, 11, 1), D(2018, 11, 30), false,
                  false},
        ParseCase{"StartOnTheLastDayOfTheMonthBeforeTheEnd",
                  "2018-11-30/2018-12", D(2018, 11, 30), D(2018, 11, 30),
                  D(2018, 12, 1), D(2018, 12, 31), false, false},
        ParseCase{"NegativeYearIsAstronomical", "-0044", D(-44, 1, 1),
                  D(-44, 12, 31), D(-44, 1, 1), D(-44, 12, 31), true, false},
        ParseCase{"YearZeroIsOneBC", "0000", D(0, 1, 1), D(0, 12, 31),
                  D(0, 1, 1), D(0, 12, 31), true, false},
        ParseCase{"NegativeYearAndMonth", "-0500-08", D(-500, 8, 1),
                  D(-500, 8, 31), D(-500, 8, 1), D(-500, 8, 31), true, false},
        ParseCase{"LeapDayOfANegativeLeapYear", "-0004-02-29", D(-4, 2, 29),
                  D(-4, 2, 29), D(-4, 2, 29), D(-4, 2, 29), true, false},
        ParseCase{"IntervalAcrossYearZero", "-0044-03-15/0014-08-19",
                  D(-44, 3, 15), D(-44, 3, 15), D(14, 8, 19), D(14, 8, 19),
                  false, false},
        ParseCase{"LongYear", "Y12345", D(12345, 1, 1), D(12345, 12, 31),
                  D(12345, 1, 1), D(12345, 12, 31), true, false},
        ParseCase{"NegativeLongYear", "Y-12345", D(-12345, 1, 1),
                  D(-12345, 12, 31), D(-12345, 1, 1), D(-12345, 12, 31), true,
                  false},
        ParseCase{"EarliestRepresentableYear", "Y-2500000", kMinDay,
                  D(-2500000, 12, 31), kMinDay, D(-2500000, 12, 31), true,
                  false},
        ParseCase{"SpringIsTheFirstQuarter", "2001-21", D(2001, 1, 1),
                  D(2001, 3, 31), D(2001, 1, 1), D(2001, 3, 31), true, false},
        ParseCase{"SummerIsTheSecondQuarter", "2001-22", D(2001, 4, 1),
                  D(2001, 6, 30), D(2001, 4, 1), D(2001, 6, 30), true, false},
        ParseCase{"AutumnIsTheThirdQuarter", "2001-23", D(2001, 7, 1),
                  D(2001, 9, 30), D(2001, 7, 1), D(2001, 9, 30), true, false},
        ParseCase{"WinterIsTheLastQuarter", "2001-24", D(2001, 10, 1),
                  D(2001, 12, 31), D(2001, 10, 1), D(2001, 12, 31), true,
                  false},
        ParseCase{"ApproximateSeasonWidensByASeason", "2001-24~", D(2001, 7, 1),
                  D(2002, 3, 31), D(2001, 7, 1), D(2002, 3, 31), true, false},
        ParseCase{"DateTimeHoldsOnTheDayWritten", "1985-04-12T23:20:30Z",
                  D(1985, 4, 12), D(1985, 4, 12), D(1985, 4, 12),
                  D(1985, 4, 12), true, false, "1985-04-12"},
        ParseCase{"DateTimeWithAnOffsetKeepsTheLocalDay",
                  "1985-04-12T23:20:30-04", D(1985, 4, 12), D(1985, 4, 12),
                  D(1985, 4, 12), D(1985, 4, 12), true, false, "1985-04-12"},
        ParseCase{"DateTimeWithoutAZone", "2016-05-02T16:54:59", D(2016, 5, 2),
                  D(2016, 5, 2), D(2016, 5, 2), D(2016, 5, 2), true, false,
                  "2016-05-02"},
        ParseCase{"LastDayOngoing", "Y2500000/..", D(2500000, 1, 1), kMaxDay,
                  kPlus, kPlus, false, false}),
    [](const ::testing::TestParamInfo<ParseCase>& info) {
      return info.param.name;
    });

TEST(ExtentParseTest, MonthPrecisionStartSpansTheWholeMonth) {
  ASSERT_OK_AND_ASSIGN(Extent fortin, Extent::Parse("2018-11/2019-11"));
  EXPECT_EQ(fortin.earliest_start(), D(2018, 11, 1));
  EXPECT_EQ(fortin.latest_start(), D(2018, 11, 30));
}

TEST(ExtentParseTest, HandoverDayBelongsToBothTenures) {
  ASSERT_OK_AND_ASSIGN(Extent olsen, Extent::Parse("2020-11-24/2021-05-06"));
  ASSERT_OK_AND_ASSIGN(Extent lollesgaard,
                       Extent::Parse("2021-05-06/2022-05-10"));
  EXPECT_EQ(olsen.HoldsOn(D(2021, 5, 6)), Certainty::kDefinite);
  EXPECT_EQ(lollesgaard.HoldsOn(D(2021, 5, 6)), Certainty::kDefinite);
  EXPECT_EQ(olsen.HoldsOn(D(2021, 5, 7)), Certainty::kNo);
}

TEST(ExtentParseTest, UnspecifiedFormsEqualTheirCoarserSpelling) {
  ASSERT_OK_AND_ASSIGN(Extent a, Extent::Parse("2018-11-XX"));
  ASSERT_OK_AND_ASSIGN(Extent b, Extent::Parse("2018-11"));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.ToEdtf(), b.ToEdtf());
}

TEST(ExtentParseTest, QualifiersAreDistinguishedByEquality) {
  ASSERT_OK_AND_ASSIGN(Extent plain, Extent::Parse("2018-11"));
  ASSERT_OK_AND_ASSIGN(Extent uncertain, Extent::Parse("2018-11?"));
  ASSERT_OK_AND_ASSIGN(Extent approximate, Extent::Parse("2018-11~"));
  EXPECT_NE(plain, uncertain);
  EXPECT_NE(plain, approximate);
  EXPECT_NE(uncertain, approximate);
}

struct RejectCase {
  std::string name;
  std::string text;
  std::string offending;  // The quoted text; empty: the whole text.
  std::string reason;
};

class ExtentParseRejectTest : public ::testing::TestWithParam<RejectCase> {};

TEST_P(ExtentParseRejectTest, RejectsNamingTheTextAndTheReason) {
  const RejectCase& c = GetParam();
  const std::string offending = c.offending.empty() ? c.text : c.offending;
  EXPECT_THAT(Extent::Parse(c.text),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("\"" + offending + "\": "),
                             HasSubstr(c.reason))));
}

INSTANTIATE_TEST_SUITE_P(
    Rejections, ExtentParseRejectTest,
    ::testing::Values(
        RejectCase{"Empty", "", "", "empty"},
        RejectCase{"DayAfterTheEndOfFebruary", "2018-02-30", "",
                   "day 30 does not exist in February 2018"},
        RejectCase{"FebruaryTwentyNinthOfACommonYear", "2019-02-29", "",
                   "day 29 does not exist in February 2019"},
        RejectCase{"FebruaryTwentyNinthOfACommonNegativeYear", "-0500-02-29",
                   "", "day 29 does not exist in February -0500"},
        RejectCase{"ThirtyFirstOfNovember", "2018-11-31", "",
                   "day 31 does not exist in November 2018"},
        RejectCase{"DayZero", "2018-11-00", "",
                   "day 00 does not exist in November 2018"},
        RejectCase{"SignedYearZero", "-0000", "", "year 0000 has no sign"},
        RejectCase{"FiveDigitYearWithoutY", "10000", "",
                   "more than four digits is written with Y"},
        RejectCase{"FourDigitYearWithY", "Y2018", "",
                   "a year after Y has more than four digits"},
        RejectCase{"LongYearBeyondTheRange", "Y170000002", "",
                   "year 170000002 is outside the years Annals represents "
                   "(-2500000 to 2500000)"},
        RejectCase{"NegativeLongYearBeyondTheRange", "Y-170000002", "",
                   "outside the years Annals represents"},
        RejectCase{"LongYearWithAMonth", "Y12345-01", "",
                   "takes no month, day or qualifier"},
        // As in edtf.js and python-edtf: a Y year is not a qualified date.
        RejectCase{"QualifiedLongYear", "Y-2500000~", "",
                   "takes no month, day or qualifier"},
        RejectCase{"SignedYear", "+2018", "", "expected a date"},
        RejectCase{"ShortYear", "218", "", "four digits"},
        RejectCase{"MonthThirteen", "2018-13", "", "month 13 does not exist"},
        RejectCase{"MonthZero", "2018-00", "", "month 00 does not exist"},
        RejectCase{"LevelTwoSeason", "2018-33", "",
                   "season 33 (level 1 has 21-24"},
        RejectCase{"SeasonWithADay", "2018-21-05", "", "a season has no day"},
        RejectCase{"OneDigitMonth", "2018-1", "", "two digits"},
        RejectCase{"OneDigitDay", "2018-11-5", "", "two digits"},
        RejectCase{"LowercaseX", "201x", "", "uppercase X"},
        RejectCase{"LowercaseMonthX", "2018-xx", "", "uppercase X"},
        RejectCase{"XInTheMiddleOfAYearIsLevelTwo", "20X8", "", "level 2"},
        RejectCase{"MonthAfterUnspecifiedYearIsLevelTwo", "201X-11", "",
                   "level 2"},
        RejectCase{"UnspecifiedMonthAfterPartlyUnspecifiedYear", "1XXX-XX", "",
                   "level 2"},
        RejectCase{"PartlyUnspecifiedMonthIsLevelTwo", "1984-1X", "",
                   "level 2"},
        RejectCase{"PartlyUnspecifiedDayIsLevelTwo", "2018-11-2X", "",
                   "level 2"},
        RejectCase{"DayAfterUnspecifiedMonthIsLevelTwo", "XXXX-12-XX", "",
                   "level 2"},
        RejectCase{"KnownDayAfterUnspecifiedMonth", "2018-XX-26", "",
                   "level 2"},
        RejectCase{"TwoQualifiers", "2018?~", "", "only one qualifier"},
        RejectCase{"QualifiedComponentIsLevelTwo", "2018?-11", "",
                   "is EDTF level 2, which Annals does not support"},
        RejectCase{"QualifierBeforeAMonthIsLevelTwo", "2004-?06-11", "",
                   "level 2"},
        RejectCase{"QualifierBeforeADayIsLevelTwo", "2004-06-~11", "",
                   "level 2"},
        RejectCase{"LeadingQualifierIsLevelTwo", "?2018", "", "level 2"},
        RejectCase{"SetIsLevelTwo", "[1667,1668]", "", "level 2"},
        RejectCase{"AllOfSetIsLevelTwo", "{1667,1668}", "", "level 2"},
        RejectCase{"ExponentYearIsLevelTwo", "Y-17E7", "", "level 2"},
        RejectCase{"SignificantDigitsAreLevelTwo", "1950S2", "", "level 2"},
        RejectCase{"LeadingSpace", " 2018", "", "whitespace"},
        RejectCase{"TrailingTab", "2018\t", "2018\\t", "whitespace"},
        RejectCase{"SpaceInInterval", "2018/ 2019", " 2019", "whitespace"},
        RejectCase{"DateTimeWithoutSeconds", "2021-06-01T10:00", "",
                   "a time is written hh:mm:ss"},
        RejectCase{"HourTwentyFour", "2021-06-01T24:00:00", "",
                   "no such time of day"},
        RejectCase{"FractionOfASecond", "2021-06-01T10:00:00.5", "",
                   "fractions of a second"},
        RejectCase{"BadZone", "2021-06-01T10:00:00+5", "", "a time zone is Z"},
        RejectCase{"TimeAfterAMonth", "2021-06T10:00:00", "",
                   "a time follows a whole date"},
        RejectCase{"QualifiedDateTime", "2021-06-01T10:00:00Z?", "",
                   "a date-time cannot be qualified"},
        RejectCase{"DateTimeInInterval", "2021-06-01T10:00:00Z/2021-07", "",
                   "an EDTF interval joins dates, not date-times; give the "
                   "date 2021-06-01"},
        RejectCase{"TrailingGarbage", "2018-11-26-01", "",
                   "unexpected \"-01\" after the date"},
        RejectCase{"NotADate", "yesterday", "", "expected a date"},
        RejectCase{"ReversedInterval", "2021/2018", "", "reversed"},
        RejectCase{"ReversedByADay", "2018-12/2018-11-30", "", "reversed"},
        RejectCase{"ReversedEvenThoughSidesAreApproximate", "2018~/2017~", "",
                   "reversed"},
        RejectCase{"OpenAlone", "..", "", "not a date"},
        RejectCase{"TwoSlashes", "2018/2019/2020", "", "more than one \"/\""},
        RejectCase{"BadSideNamesTheSideAndTheInterval", "2017/2018-02-30",
                   "2018-02-30", "(in \"2017/2018-02-30\")"}),
    [](const ::testing::TestParamInfo<RejectCase>& info) {
      return info.param.name;
    });

TEST(ExtentParseTest, ErrorMessageIsTheQuotedTextAndTheReason) {
  EXPECT_THAT(Extent::Parse("2018-02-30"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "\"2018-02-30\": day 30 does not exist in February "
                       "2018"));
  EXPECT_THAT(Extent::Parse("2017/2018-02-30"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "\"2018-02-30\": day 30 does not exist in February "
                       "2018 (in \"2017/2018-02-30\")"));
  EXPECT_THAT(Extent::Parse("2004-?06-11"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "\"2004-?06-11\": a qualifier before a month or a day "
                       "is EDTF level 2, which Annals does not support"));
}

TEST(EdtfDateTest, ParsesFieldsAndPrecision) {
  ASSERT_OK_AND_ASSIGN(EdtfDate day, ParseEdtfDate("2018-11-26~"));
  EXPECT_EQ(day, (EdtfDate{.year = 2018,
                           .month = 11,
                           .day = 26,
                           .precision = Precision::kDay,
                           .qualifier = Qualifier::kApproximate}));
  ASSERT_OK_AND_ASSIGN(EdtfDate decade, ParseEdtfDate("201X"));
  EXPECT_EQ(decade, (EdtfDate{.year = 2010, .unspecified_digits = 1}));
  ASSERT_OK_AND_ASSIGN(EdtfDate century, ParseEdtfDate("19XX"));
  EXPECT_EQ(century, (EdtfDate{.year = 1900, .unspecified_digits = 2}));
  ASSERT_OK_AND_ASSIGN(EdtfDate negative_decade, ParseEdtfDate("-201X"));
  EXPECT_EQ(negative_decade,
            (EdtfDate{.year = -2019, .unspecified_digits = 1}));
  ASSERT_OK_AND_ASSIGN(EdtfDate month, ParseEdtfDate("2018-11-XX"));
  EXPECT_EQ(
      month,
      (EdtfDate{.year = 2018, .month = 11, .precision = Precision::kMonth}));
  ASSERT_OK_AND_ASSIGN(EdtfDate season, ParseEdtfDate("2001-23"));
  EXPECT_EQ(
      season,
      (EdtfDate{.year = 2001, .month = 23, .precision = Precision::kSeason}));
  ASSERT_OK_AND_ASSIGN(EdtfDate date_time,
                       ParseEdtfDate("2016-05-02T16:54:59+02:30"));
  EXPECT_EQ(date_time, (EdtfDate{.year = 2016,
                                 .month = 5,
                                 .day = 2,
                                 .precision = Precision::kDay,
                                 .has_time = true}));
  EXPECT_EQ(FormatEdtfDate(month), "2018-11");
  EXPECT_EQ(FormatEdtfDate(century), "19XX");
  EXPECT_EQ(FormatEdtfDate(negative_decade), "-201X");
  EXPECT_EQ(FormatEdtfDate(season), "2001-23");
  EXPECT_EQ(FormatEdtfDate(date_time), "2016-05-02");
  EXPECT_EQ(FormatEdtfDate(EdtfDate{.year = 7, .qualifier = Qualifier::kBoth}),
            "0007%");
  EXPECT_EQ(FormatEdtfDate(EdtfDate{.year = -44}), "-0044");
  EXPECT_EQ(FormatEdtfDate(EdtfDate{.year = 170002}), "Y170002");
  EXPECT_EQ(FormatEdtfDate(EdtfDate{.year = -10000}), "Y-10000");
  EXPECT_EQ(FormatEdtfDate(EdtfDate{.year = -9999, .unspecified_digits = 4}),
            "-XXXX");
}

TEST(EdtfDateTest, WideningStopsAtTheEndsOfTheCalendar) {
  EXPECT_EQ(SpanOf(EdtfDate{.year = kMinYear}, /*widen=*/true),
            (DaySpan{kMinDay, D(kMinYear + 1, 12, 31)}));
  EXPECT_EQ(SpanOf(EdtfDate{.year = kMaxYear}, /*widen=*/true),
            (DaySpan{D(kMaxYear - 1, 1, 1), kMaxDay}));
}

TEST(EdtfDateTest, SpanWidensOnlyWhenAsked) {
  ASSERT_OK_AND_ASSIGN(EdtfDate month, ParseEdtfDate("2018-12~"));
  EXPECT_EQ(SpanOf(month, /*widen=*/false),
            (DaySpan{D(2018, 12, 1), D(2018, 12, 31)}));
  EXPECT_EQ(SpanOf(month, /*widen=*/true),
            (DaySpan{D(2018, 11, 1), D(2019, 1, 31)}));
}

TEST(ParseDaySpanTest, AWindowSideIsEveryDayOfItsDate) {
  ASSERT_OK_AND_ASSIGN(DaySpan year, ParseDaySpan("2017"));
  EXPECT_EQ(year, (DaySpan{D(2017, 1, 1), D(2017, 12, 31)}));
  ASSERT_OK_AND_ASSIGN(DaySpan month, ParseDaySpan("-0044-03"));
  EXPECT_EQ(month, (DaySpan{D(-44, 3, 1), D(-44, 3, 31)}));
  ASSERT_OK_AND_ASSIGN(DaySpan winter, ParseDaySpan("2001-24"));
  EXPECT_EQ(winter, (DaySpan{D(2001, 10, 1), D(2001, 12, 31)}));
  ASSERT_OK_AND_ASSIGN(DaySpan decade, ParseDaySpan("201X"));
  EXPECT_EQ(decade, (DaySpan{D(2010, 1, 1), D(2019, 12, 31)}));
  ASSERT_OK_AND_ASSIGN(DaySpan long_year, ParseDaySpan("Y-12345"));
  EXPECT_EQ(long_year, (DaySpan{D(-12345, 1, 1), D(-12345, 12, 31)}));
  ASSERT_OK_AND_ASSIGN(DaySpan day, ParseDaySpan("2021-06-01T23:00:00-05"));
  EXPECT_EQ(day, (DaySpan{D(2021, 6, 1), D(2021, 6, 1)}));
}

TEST(ParseDaySpanTest, RefusesQualifiersAndIntervals) {
  EXPECT_THAT(ParseDaySpan("2017?"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "\"2017?\": a window's side is an exact date, without "
                       "?, ~ or %"));
  EXPECT_THAT(ParseDaySpan("2017/2018"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("an interval is not one date")));
  EXPECT_THAT(
      ParseDaySpan("2004-?06"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("EDTF level 2")));
}

TEST(DayTest, CalendarEdgesAreTheFirstAndLastDaysAndTheDaysBesideThem) {
  EXPECT_TRUE(IsCalendarEdge(kMinDay));
  EXPECT_TRUE(IsCalendarEdge(kMinDay + 1));
  EXPECT_TRUE(IsCalendarEdge(kMaxDay));
  EXPECT_TRUE(IsCalendarEdge(kMaxDay + 1));
  EXPECT_FALSE(IsCalendarEdge(kMinDay + 2));
  EXPECT_FALSE(IsCalendarEdge(kMaxDay - 1));
  EXPECT_FALSE(IsCalendarEdge(0));
  // The bounds that only the calendar stops: /.., ../ and /.
  ASSERT_OK_AND_ASSIGN(Extent runway, Extent::Parse("/.."));
  EXPECT_TRUE(IsCalendarEdge(runway.latest_start()));
  ASSERT_OK_AND_ASSIGN(Extent unknown, Extent::Parse("/"));
  EXPECT_TRUE(IsCalendarEdge(unknown.latest_start()));
  EXPECT_TRUE(IsCalendarEdge(unknown.earliest_last_day()));
}

}  // namespace
}  // namespace annals::temporal
