#include "services/common/temporal/day.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace annals::temporal {
namespace {

using ::annals::testing::StatusIs;
using ::testing::HasSubstr;

TEST(DayTest, DaysCountFromTheUnixEpoch) {
  EXPECT_EQ(DayFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DayFromCivil(1970, 1, 2), 1);
  EXPECT_EQ(DayFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DayFromCivil(2000, 3, 1), 11017);
}

TEST(DayTest, CalendarLimitsAreTheFirstAndLastSupportedDays) {
  EXPECT_EQ(DayFromCivil(kMinYear, 1, 1), kMinDay);
  EXPECT_EQ(DayFromCivil(kMaxYear, 12, 31), kMaxDay);
  EXPECT_EQ(kMinYear, -2500000);
  EXPECT_EQ(kMaxYear, 2500000);
  EXPECT_LT(kMinusInfinity, kMinDay);
  EXPECT_GT(kPlusInfinity, kMaxDay + 1);
  EXPECT_FALSE(IsFinite(kMinusInfinity));
  EXPECT_FALSE(IsFinite(kPlusInfinity));
  EXPECT_TRUE(IsFinite(kMinDay));
  EXPECT_TRUE(IsFinite(kMaxDay + 1));
}

TEST(DayTest, CivilFromDayInvertsDayFromCivil) {
  for (Day day = kMinDay; day <= kMaxDay; day += 9973) {
    const absl::CivilDay civil = CivilFromDay(day);
    EXPECT_EQ(DayFromCivil(static_cast<int>(civil.year()), civil.month(),
                           civil.day()),
              day);
  }
  EXPECT_EQ(CivilFromDay(DayFromCivil(2024, 2, 29)),
            absl::CivilDay(2024, 2, 29));
  EXPECT_EQ(DayFromCivil(2024, 3, 1) - DayFromCivil(2024, 2, 28), 2);
}

TEST(DayTest, LeapYearsFollowTheGregorianRule) {
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(2023, 2), 28);
  EXPECT_EQ(DaysInMonth(1900, 2), 28);
  EXPECT_EQ(DaysInMonth(2000, 2), 29);
  EXPECT_EQ(DaysInMonth(2021, 4), 30);
  EXPECT_EQ(DaysInMonth(2021, 12), 31);
  EXPECT_TRUE(IsValidCivilDate(2000, 2, 29));
  EXPECT_FALSE(IsValidCivilDate(1900, 2, 29));
  // Astronomical years: 0000 is 1 BC, a leap year, as is -0004 (5 BC).
  EXPECT_EQ(DaysInMonth(0, 2), 29);
  EXPECT_EQ(DaysInMonth(-4, 2), 29);
  EXPECT_EQ(DaysInMonth(-1, 2), 28);
  EXPECT_EQ(DaysInMonth(-100, 2), 28);
  EXPECT_EQ(DaysInMonth(-400, 2), 29);
  EXPECT_TRUE(IsValidCivilDate(0, 1, 1));
  EXPECT_TRUE(IsValidCivilDate(-44, 3, 15));
  EXPECT_TRUE(IsValidCivilDate(10000, 1, 1));
  EXPECT_TRUE(IsValidCivilDate(kMinYear, 1, 1));
  EXPECT_TRUE(IsValidCivilDate(kMaxYear, 12, 31));
  EXPECT_FALSE(IsValidCivilDate(kMinYear - 1, 12, 31));
  EXPECT_FALSE(IsValidCivilDate(kMaxYear + 1, 1, 1));
  EXPECT_FALSE(IsValidCivilDate(-1, 2, 29));
  EXPECT_FALSE(IsValidCivilDate(2021, 13, 1));
  EXPECT_FALSE(IsValidCivilDate(2021, 6, 31));
}

TEST(DayTest, DaysAreOrderedAcrossYearZero) {
  // -0001-12-31 (2 BC), 0000-01-01 (1 BC), 0000-12-31, 0001-01-01 (AD 1).
  EXPECT_EQ(DayFromCivil(0, 1, 1) - DayFromCivil(-1, 12, 31), 1);
  EXPECT_EQ(DayFromCivil(1, 1, 1) - DayFromCivil(0, 12, 31), 1);
  EXPECT_EQ(DayFromCivil(1, 1, 1) - DayFromCivil(0, 1, 1), 366);
  EXPECT_LT(DayFromCivil(-44, 3, 15), DayFromCivil(-43, 1, 1));
  EXPECT_LT(DayFromCivil(-2019, 1, 1), DayFromCivil(-2010, 12, 31));
  EXPECT_EQ(CivilFromDay(DayFromCivil(-44, 3, 15)), absl::CivilDay(-44, 3, 15));
}

TEST(ParseDayTest, AcceptsExactDates) {
  ASSERT_OK_AND_ASSIGN(Day day, ParseDay("2021-06-01"));
  EXPECT_EQ(day, DayFromCivil(2021, 6, 1));
  ASSERT_OK_AND_ASSIGN(Day ad1, ParseDay("0001-01-01"));
  EXPECT_EQ(ad1, DayFromCivil(1, 1, 1));
  ASSERT_OK_AND_ASSIGN(Day year_zero, ParseDay("0000-01-01"));
  EXPECT_EQ(year_zero, DayFromCivil(0, 1, 1));
  ASSERT_OK_AND_ASSIGN(Day ides, ParseDay("-0044-03-15"));
  EXPECT_EQ(ides, DayFromCivil(-44, 3, 15));
  ASSERT_OK_AND_ASSIGN(Day last4, ParseDay("9999-12-31"));
  EXPECT_EQ(last4, DayFromCivil(9999, 12, 31));
  ASSERT_OK_AND_ASSIGN(Day leap, ParseDay("2020-02-29"));
  EXPECT_EQ(leap, DayFromCivil(2020, 2, 29));
}

TEST(ParseDayTest, AcceptsDaysOfLongYearsAsFormatDayWritesThem) {
  ASSERT_OK_AND_ASSIGN(Day long_year, ParseDay("12345-01-01"));
  EXPECT_EQ(long_year, DayFromCivil(12345, 1, 1));
  ASSERT_OK_AND_ASSIGN(Day negative, ParseDay("-12345-06-30"));
  EXPECT_EQ(negative, DayFromCivil(-12345, 6, 30));
  ASSERT_OK_AND_ASSIGN(Day first, ParseDay("-2500000-01-01"));
  EXPECT_EQ(first, kMinDay);
  ASSERT_OK_AND_ASSIGN(Day last, ParseDay("2500000-12-31"));
  EXPECT_EQ(last, kMaxDay);
}

TEST(ParseDayTest, DateTimeIsTheCalendarDayWritten) {
  const Day day = DayFromCivil(1985, 4, 12);
  // No conversion to UTC: 23:20:30 at -04 is 03:20:30Z on the 13th, but the
  // author wrote the 12th, and the 12th it is.
  for (const char* text :
       {"1985-04-12T23:20:30", "1985-04-12T23:20:30Z", "1985-04-12T23:20:30-04",
        "1985-04-12T23:20:30+04:30", "1985-04-12T00:00:00+14"}) {
    ASSERT_OK_AND_ASSIGN(Day parsed, ParseDay(text));
    EXPECT_EQ(parsed, day) << text;
  }
  ASSERT_OK_AND_ASSIGN(Day bc, ParseDay("-0044-03-15T12:00:00Z"));
  EXPECT_EQ(bc, DayFromCivil(-44, 3, 15));
}

struct RejectCase {
  std::string text;
  std::string reason;
};

class ParseDayRejectTest : public ::testing::TestWithParam<RejectCase> {};

TEST_P(ParseDayRejectTest, RejectsWithTheTextAndTheReason) {
  const RejectCase& c = GetParam();
  EXPECT_THAT(ParseDay(c.text), StatusIs(absl::StatusCode::kInvalidArgument,
                                         AllOf(HasSubstr("\"" + c.text + "\""),
                                               HasSubstr(c.reason))));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseDayRejectTest,
    ::testing::Values(
        RejectCase{"2021-06-01T10:00", "a time is written hh:mm:ss"},
        RejectCase{"2021-06-01T10:00:00Z?", "cannot be qualified"},
        RejectCase{"2021-06", "not an exact day"},
        RejectCase{"2021", "not an exact day"},
        RejectCase{"2021-06-01?", "not an exact day"},
        RejectCase{"2021-06-01~", "not an exact day"},
        RejectCase{"2021-06-XX", "not an exact day"},
        RejectCase{"2021-02-29", "day 29 does not exist in February 2021"},
        RejectCase{"-0000-01-01", "year 0000 has no sign"},
        RejectCase{"2021-21", "not an exact day"},
        RejectCase{"Y12345", "not an exact day"},
        RejectCase{"2500001-01-01",
                   "the year is outside the years Annals represents "
                   "(-2500000 to 2500000)"},
        RejectCase{"-2500001-12-31", "outside the years Annals represents"},
        RejectCase{"12345678-01-01", "outside the years Annals represents"},
        // FormatDay writes no leading zero, and year 0000 has no sign.
        RejectCase{"-00000-01-01", "year"}, RejectCase{"00001-01-01", "year"},
        RejectCase{"2004-?06-11", "EDTF level 2"},
        RejectCase{"21-06-01", "four digits"},
        RejectCase{"2021-6-1", "two digits"},
        RejectCase{"2021/2022", "an interval is not a day"},
        RejectCase{" 2021-06-01", "whitespace"}, RejectCase{"", "empty"}));

TEST(FormatDayTest, WritesZeroPaddedIsoDates) {
  EXPECT_EQ(FormatDay(DayFromCivil(2021, 6, 1)), "2021-06-01");
  EXPECT_EQ(FormatDay(0), "1970-01-01");
  EXPECT_EQ(FormatDay(DayFromCivil(1, 1, 1)), "0001-01-01");
  EXPECT_EQ(FormatDay(DayFromCivil(0, 12, 31)), "0000-12-31");
  EXPECT_EQ(FormatDay(DayFromCivil(-44, 3, 15)), "-0044-03-15");
  EXPECT_EQ(FormatDay(DayFromCivil(12345, 1, 1)), "12345-01-01");
  EXPECT_EQ(FormatDay(kMinDay), "-2500000-01-01");
  EXPECT_EQ(FormatDay(kMaxDay), "2500000-12-31");
}

// FormatDay writes digits by hand; absl::StrFormat is the oracle.
TEST(FormatDayTest, MatchesPrintfFormattingAcrossTheCalendar) {
  auto oracle = [](Day day) {
    const absl::CivilDay civil = CivilFromDay(day);
    const int64_t year = civil.year();
    return absl::StrFormat("%s%04d-%02d-%02d", year < 0 ? "-" : "",
                           year < 0 ? -year : year, civil.month(), civil.day());
  };
  for (Day day = kMinDay; day <= kMaxDay; day += 9973) {
    ASSERT_EQ(FormatDay(day), oracle(day)) << day;
  }
  // Every day of years around the padding widths and year zero.
  for (int year : {-10000, -1000, -100, -10, -1, 0, 1, 9, 99, 999, 9999}) {
    for (Day day = DayFromCivil(year, 1, 1); day <= DayFromCivil(year, 12, 31);
         ++day) {
      ASSERT_EQ(FormatDay(day), oracle(day)) << day;
    }
  }
}

TEST(FormatDayTest, WritesSentinelsAsInfinities) {
  EXPECT_EQ(FormatDay(kMinusInfinity), "-infinity");
  EXPECT_EQ(FormatDay(kPlusInfinity), "+infinity");
}

TEST(FormatDayTest, ParseDayInvertsFormatDay) {
  for (Day day = kMinDay; day <= kMaxDay; day += 100003) {
    ASSERT_OK_AND_ASSIGN(Day parsed, ParseDay(FormatDay(day)));
    EXPECT_EQ(parsed, day);
  }
  // Every day around year 0 and the four-digit limits.
  for (Day day = DayFromCivil(-2, 1, 1); day <= DayFromCivil(2, 12, 31);
       ++day) {
    ASSERT_OK_AND_ASSIGN(Day parsed, ParseDay(FormatDay(day)));
    EXPECT_EQ(parsed, day);
  }
  for (Day day : {DayFromCivil(-9999, 1, 1), DayFromCivil(-10000, 12, 31),
                  DayFromCivil(9999, 12, 31), DayFromCivil(10000, 1, 1),
                  kMinDay, kMaxDay}) {
    ASSERT_OK_AND_ASSIGN(Day parsed, ParseDay(FormatDay(day)));
    EXPECT_EQ(parsed, day) << FormatDay(day);
  }
}

}  // namespace
}  // namespace annals::temporal
