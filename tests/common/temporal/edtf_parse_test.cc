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
  Day earliest_end;
  Day latest_end;
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
  EXPECT_EQ(FormatDay(extent.earliest_end()), FormatDay(c.earliest_end));
  EXPECT_EQ(FormatDay(extent.latest_end()), FormatDay(c.latest_end));
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
                  D(2018, 11, 26), D(2018, 11, 27), D(2018, 11, 27), true,
                  false},
        ParseCase{"MonthIsAnInstantOnSomeDayOfTheMonth", "2018-11",
                  D(2018, 11, 1), D(2018, 11, 30), D(2018, 11, 2),
                  D(2018, 12, 1), true, false},
        ParseCase{"YearIsAnInstantOnSomeDayOfTheYear", "2018", D(2018, 1, 1),
                  D(2018, 12, 31), D(2018, 1, 2), D(2019, 1, 1), true, false},
        ParseCase{"LeapDay", "2020-02-29", D(2020, 2, 29), D(2020, 2, 29),
                  D(2020, 3, 1), D(2020, 3, 1), true, false},
        ParseCase{"ExactIntervalEndsOnItsTransitionDay",
                  "2020-11-24/2021-05-06", D(2020, 11, 24), D(2020, 11, 24),
                  D(2021, 5, 6), D(2021, 5, 6), false, false},
        ParseCase{"MonthPrecisionSidesSpanTheirMonths", "2018-11/2019-11",
                  D(2018, 11, 1), D(2018, 11, 30), D(2019, 11, 1),
                  D(2019, 11, 30), false, false},
        ParseCase{"YearStartDayEnd", "2004/2011-12-31", D(2004, 1, 1),
                  D(2004, 12, 31), D(2011, 12, 31), D(2011, 12, 31), false,
                  false},
        ParseCase{"OpenEndIsPlusInfinityInEveryReading", "2024-05-24/..",
                  D(2024, 5, 24), D(2024, 5, 24), kPlus, kPlus, false, false},
        ParseCase{"OpenEndAfterAYear", "2021/..", D(2021, 1, 1),
                  D(2021, 12, 31), kPlus, kPlus, false, false},
        ParseCase{"OpenStartIsMinusInfinityInEveryReading", "../2011", kMinus,
                  kMinus, D(2011, 1, 1), D(2011, 12, 31), false, false},
        ParseCase{"UnknownEndIsAfterTheEarliestStartWithoutBound", "2018/",
                  D(2018, 1, 1), D(2018, 12, 31), D(2018, 1, 2), kPlus, false,
                  false},
        ParseCase{"UnknownEndAfterAnExactStart", "2018-11-26/", D(2018, 11, 26),
                  D(2018, 11, 26), D(2018, 11, 27), kPlus, false, false},
        ParseCase{"UnknownStartIsBeforeTheLatestEndWithoutBound", "/2011",
                  kMinus, D(2011, 12, 30), D(2011, 1, 1), D(2011, 12, 31),
                  false, false},
        ParseCase{"UnknownStartBeforeAMonthEnd", "/2021-05", kMinus,
                  D(2021, 5, 30), D(2021, 5, 1), D(2021, 5, 31), false, false},
        ParseCase{"ApproximateMonthWidensByAMonthEachSide", "2018-11~",
                  D(2018, 10, 1), D(2018, 12, 31), D(2018, 10, 2),
                  D(2019, 1, 1), true, false},
        ParseCase{"ApproximateYearWidensByAYearEachSide", "2004~",
                  D(2003, 1, 1), D(2005, 12, 31), D(2003, 1, 2), D(2006, 1, 1),
                  true, false},
        ParseCase{"ApproximateDayWidensByADayEachSide", "2018-11-26~",
                  D(2018, 11, 25), D(2018, 11, 27), D(2018, 11, 26),
                  D(2018, 11, 28), true, false},
        ParseCase{"UncertainKeepsTheSpanAndSetsTheFlag", "2018-11-26?",
                  D(2018, 11, 26), D(2018, 11, 26), D(2018, 11, 27),
                  D(2018, 11, 27), true, true},
        ParseCase{"PercentIsUncertainAndApproximate", "2018-11%",
                  D(2018, 10, 1), D(2018, 12, 31), D(2018, 10, 2),
                  D(2019, 1, 1), true, true},
        ParseCase{"QualifiedIntervalSides", "2019-11~/2020-11-24?",
                  D(2019, 10, 1), D(2019, 12, 31), D(2020, 11, 24),
                  D(2020, 11, 24), false, true},
        ParseCase{"ApproximateEndWidensTheTransitionDay", "../2011-12-31~",
                  kMinus, kMinus, D(2011, 12, 30), D(2012, 1, 1), false, false},
        ParseCase{"UnspecifiedLastYearDigitIsADecade", "201X", D(2010, 1, 1),
                  D(2019, 12, 31), D(2010, 1, 2), D(2020, 1, 1), true, false},
        ParseCase{"UnspecifiedLastTwoYearDigitsIsACentury", "20XX",
                  D(2000, 1, 1), D(2099, 12, 31), D(2000, 1, 2), D(2100, 1, 1),
                  true, false},
        ParseCase{"UnspecifiedMonthIsTheYear", "2018-XX", D(2018, 1, 1),
                  D(2018, 12, 31), D(2018, 1, 2), D(2019, 1, 1), true, false,
                  "2018"},
        ParseCase{"UnspecifiedDayIsTheMonth", "2018-11-XX", D(2018, 11, 1),
                  D(2018, 11, 30), D(2018, 11, 2), D(2018, 12, 1), true, false,
                  "2018-11"},
        ParseCase{"UnspecifiedMonthAndDayIsTheYear", "2018-XX-XX",
                  D(2018, 1, 1), D(2018, 12, 31), D(2018, 1, 2), D(2019, 1, 1),
                  true, false, "2018"},
        ParseCase{"UnspecifiedDigitsInAnIntervalSide", "201X/2015",
                  D(2010, 1, 1), D(2015, 12, 30), D(2015, 1, 1),
                  D(2015, 12, 31), false, false},
        ParseCase{"SameYearIntervalNeedsStartBeforeEnd", "2018/2018",
                  D(2018, 1, 1), D(2018, 12, 30), D(2018, 1, 2),
                  D(2018, 12, 31), false, false},
        ParseCase{"SameMonthIntervalNeedsStartBeforeEnd", "2018-11/2018-11",
                  D(2018, 11, 1), D(2018, 11, 29), D(2018, 11, 2),
                  D(2018, 11, 30), false, false},
        ParseCase{"StartOnTheLastDayOfTheEndsMonthBefore", "2018-11-30/2018-12",
                  D(2018, 11, 30), D(2018, 11, 30), D(2018, 12, 1),
                  D(2018, 12, 31), false, false},
        ParseCase{"DecadeBeforeTheFirstYearIsClipped", "000X", D(1, 1, 1),
                  D(9, 12, 31), D(1, 1, 2), D(10, 1, 1), true, false},
        ParseCase{"WideningStopsAtTheFirstDay", "0001~", D(1, 1, 1),
                  D(2, 12, 31), D(1, 1, 2), D(3, 1, 1), true, false},
        ParseCase{"WideningStopsAtTheLastDay", "9999-12-31~", D(9999, 12, 30),
                  kMaxDay, D(9999, 12, 31), kMaxDay + 1, true, false},
        ParseCase{"LastDayOngoing", "9999-12-31/..", kMaxDay, kMaxDay, kPlus,
                  kPlus, false, false}),
    [](const ::testing::TestParamInfo<ParseCase>& info) {
      return info.param.name;
    });

TEST(ExtentParseTest, MonthPrecisionStartSpansTheWholeMonth) {
  ASSERT_OK_AND_ASSIGN(Extent fortin, Extent::Parse("2018-11/2019-11"));
  EXPECT_EQ(fortin.earliest_start(), D(2018, 11, 1));
  EXPECT_EQ(fortin.latest_start(), D(2018, 11, 30));
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
        RejectCase{"ThirtyFirstOfNovember", "2018-11-31", "",
                   "day 31 does not exist in November 2018"},
        RejectCase{"DayZero", "2018-11-00", "",
                   "day 00 does not exist in November 2018"},
        RejectCase{"YearZero", "0000", "", "years must be 0001-9999"},
        RejectCase{"FiveDigitYear", "10000", "", "years must be 0001-9999"},
        RejectCase{"LongYear", "Y17000", "", "years must be 0001-9999"},
        RejectCase{"NegativeYear", "-0500", "", "negative years"},
        RejectCase{"SignedYear", "+2018", "", "signed years"},
        RejectCase{"ShortYear", "218", "", "four digits"},
        RejectCase{"MonthThirteen", "2018-13", "", "month 13 does not exist"},
        RejectCase{"MonthZero", "2018-00", "", "month 00 does not exist"},
        RejectCase{"Season", "2018-21", "", "seasons are not supported"},
        RejectCase{"LevelTwoSeason", "2018-33", "",
                   "seasons are not supported"},
        RejectCase{"OneDigitMonth", "2018-1", "", "two digits"},
        RejectCase{"OneDigitDay", "2018-11-5", "", "two digits"},
        RejectCase{"LowercaseX", "201x", "", "uppercase X"},
        RejectCase{"LowercaseMonthX", "2018-xx", "", "uppercase X"},
        RejectCase{"XInTheMiddleOfAYear", "20X8", "",
                   "only the last one or two digits"},
        RejectCase{"ThreeUnspecifiedYearDigits", "2XXX", "",
                   "only the last one or two digits"},
        RejectCase{"MonthAfterUnspecifiedYear", "201X-11", "",
                   "cannot have a month"},
        RejectCase{"PartlyUnspecifiedMonth", "2018-1X", "", "never partly X"},
        RejectCase{"PartlyUnspecifiedDay", "2018-11-2X", "", "never partly X"},
        RejectCase{"DayAfterUnspecifiedMonth", "2018-XX-26", "",
                   "a day cannot follow an unspecified month"},
        RejectCase{"QualifiedUnspecifiedYear", "201X~", "",
                   "cannot be combined with unspecified digits"},
        RejectCase{"QualifiedUnspecifiedMonth", "2018-XX?", "",
                   "cannot be combined with unspecified digits"},
        RejectCase{"TwoQualifiers", "2018?~", "", "only one qualifier"},
        RejectCase{"QualifiedComponent", "2018?-11", "",
                   "may only follow a whole date"},
        RejectCase{"LeadingQualifier", "?2018", "",
                   "may only follow a whole date"},
        RejectCase{"LeadingSpace", " 2018", "", "whitespace"},
        RejectCase{"TrailingTab", "2018\t", "2018\\t", "whitespace"},
        RejectCase{"SpaceInInterval", "2018/ 2019", " 2019", "whitespace"},
        RejectCase{"DateTime", "2021-06-01T10:00:00", "",
                   "date-times are not supported yet"},
        RejectCase{"DateTimeInInterval", "2021-06-01T10:00/2021-07",
                   "2021-06-01T10:00", "date-times are not supported yet"},
        RejectCase{"TrailingGarbage", "2018-11-26-01", "",
                   "unexpected \"-01\" after the date"},
        RejectCase{"NotADate", "yesterday", "", "expected a date"},
        RejectCase{"ReversedInterval", "2021/2018", "", "reversed"},
        RejectCase{"ReversedByADay", "2018-12/2018-11-30", "", "reversed"},
        RejectCase{"IntervalEndingOnItsStartDay", "2018-11-26/2018-11-26", "",
                   "ends on the day it starts"},
        RejectCase{"EmptyEvenThoughTheEndIsApproximate",
                   "2018-11-26/2018-11-26~", "", "ends on the day it starts"},
        RejectCase{"ReversedEvenThoughSidesAreApproximate", "2018~/2017~", "",
                   "reversed"},
        RejectCase{"BothSidesOpen", "../..", "", "at least one date"},
        RejectCase{"SlashAlone", "/", "", "at least one date"},
        RejectCase{"OpenStartUnknownEnd", "../", "", "at least one date"},
        RejectCase{"UnknownStartOpenEnd", "/..", "", "at least one date"},
        RejectCase{"OpenAlone", "..", "", "not a date"},
        RejectCase{"TwoSlashes", "2018/2019/2020", "", "more than one \"/\""},
        RejectCase{"EndsBeforeTheCalendar", "/0001-01-01", "",
                   "holds on no day"},
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
  EXPECT_THAT(Extent::Parse("0000"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "\"0000\": years must be 0001-9999"));
  EXPECT_THAT(Extent::Parse("2017/2018-02-30"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "\"2018-02-30\": day 30 does not exist in February "
                       "2018 (in \"2017/2018-02-30\")"));
}

TEST(EdtfDateTest, ParsesFieldsAndPrecision) {
  ASSERT_OK_AND_ASSIGN(EdtfDate day, ParseEdtfDate("2018-11-26~"));
  EXPECT_EQ(day,
            (EdtfDate{2018, 11, 26, Precision::kDay, Qualifier::kApproximate}));
  ASSERT_OK_AND_ASSIGN(EdtfDate decade, ParseEdtfDate("201X"));
  EXPECT_EQ(decade, (EdtfDate{2010, 0, 0, Precision::kDecade}));
  ASSERT_OK_AND_ASSIGN(EdtfDate century, ParseEdtfDate("19XX"));
  EXPECT_EQ(century, (EdtfDate{1900, 0, 0, Precision::kCentury}));
  ASSERT_OK_AND_ASSIGN(EdtfDate month, ParseEdtfDate("2018-11-XX"));
  EXPECT_EQ(month, (EdtfDate{2018, 11, 0, Precision::kMonth}));
  EXPECT_EQ(FormatEdtfDate(month), "2018-11");
  EXPECT_EQ(FormatEdtfDate(century), "19XX");
  EXPECT_EQ(
      FormatEdtfDate(EdtfDate{7, 0, 0, Precision::kYear, Qualifier::kBoth}),
      "0007%");
}

TEST(EdtfDateTest, SpanWidensOnlyWhenAsked) {
  ASSERT_OK_AND_ASSIGN(EdtfDate month, ParseEdtfDate("2018-12~"));
  EXPECT_EQ(SpanOf(month, /*widen=*/false),
            (DaySpan{D(2018, 12, 1), D(2018, 12, 31)}));
  EXPECT_EQ(SpanOf(month, /*widen=*/true),
            (DaySpan{D(2018, 11, 1), D(2019, 1, 31)}));
}

}  // namespace
}  // namespace annals::temporal
