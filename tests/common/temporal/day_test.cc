#include "services/common/temporal/day.h"

#include <string>

#include "absl/status/status.h"
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
  EXPECT_EQ(DayFromCivil(1, 1, 1), kMinDay);
  EXPECT_EQ(DayFromCivil(9999, 12, 31), kMaxDay);
  EXPECT_LT(kMinusInfinity, kMinDay);
  EXPECT_GT(kPlusInfinity, kMaxDay + 1);
  EXPECT_FALSE(IsFinite(kMinusInfinity));
  EXPECT_FALSE(IsFinite(kPlusInfinity));
  EXPECT_TRUE(IsFinite(kMinDay));
  EXPECT_TRUE(IsFinite(kMaxDay + 1));
}

TEST(DayTest, CivilFromDayInvertsDayFromCivil) {
  for (Day day = kMinDay; day <= kMaxDay; day += 97) {
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
  EXPECT_FALSE(IsValidCivilDate(0, 1, 1));
  EXPECT_FALSE(IsValidCivilDate(10000, 1, 1));
  EXPECT_FALSE(IsValidCivilDate(2021, 13, 1));
  EXPECT_FALSE(IsValidCivilDate(2021, 6, 31));
}

TEST(ParseDayTest, AcceptsExactDates) {
  ASSERT_OK_AND_ASSIGN(Day day, ParseDay("2021-06-01"));
  EXPECT_EQ(day, DayFromCivil(2021, 6, 1));
  ASSERT_OK_AND_ASSIGN(Day first, ParseDay("0001-01-01"));
  EXPECT_EQ(first, kMinDay);
  ASSERT_OK_AND_ASSIGN(Day last, ParseDay("9999-12-31"));
  EXPECT_EQ(last, kMaxDay);
  ASSERT_OK_AND_ASSIGN(Day leap, ParseDay("2020-02-29"));
  EXPECT_EQ(leap, DayFromCivil(2020, 2, 29));
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
        RejectCase{"2021-06-01T10:00",
                   "date-times are not supported yet; give a date such as "
                   "2021-06-01"},
        RejectCase{"2021-06-01T10:00:00Z", "date-times are not supported"},
        RejectCase{"2021-06", "not an exact day"},
        RejectCase{"2021", "not an exact day"},
        RejectCase{"2021-06-01?", "not an exact day"},
        RejectCase{"2021-06-01~", "not an exact day"},
        RejectCase{"2021-06-XX", "not an exact day"},
        RejectCase{"2021-02-29", "day 29 does not exist in February 2021"},
        RejectCase{"0000-01-01", "years must be 0001-9999"},
        RejectCase{"21-06-01", "four digits"},
        RejectCase{"2021-6-1", "two digits"},
        RejectCase{"2021/2022", "an interval is not a day"},
        RejectCase{" 2021-06-01", "whitespace"}, RejectCase{"", "empty"}));

TEST(FormatDayTest, WritesZeroPaddedIsoDates) {
  EXPECT_EQ(FormatDay(DayFromCivil(2021, 6, 1)), "2021-06-01");
  EXPECT_EQ(FormatDay(kMinDay), "0001-01-01");
  EXPECT_EQ(FormatDay(kMaxDay), "9999-12-31");
  EXPECT_EQ(FormatDay(0), "1970-01-01");
}

TEST(FormatDayTest, WritesSentinelsAsInfinities) {
  EXPECT_EQ(FormatDay(kMinusInfinity), "-infinity");
  EXPECT_EQ(FormatDay(kPlusInfinity), "+infinity");
}

TEST(FormatDayTest, ParseDayInvertsFormatDay) {
  for (Day day = kMinDay; day <= kMaxDay; day += 1009) {
    ASSERT_OK_AND_ASSIGN(Day parsed, ParseDay(FormatDay(day)));
    EXPECT_EQ(parsed, day);
  }
}

}  // namespace
}  // namespace annals::temporal
