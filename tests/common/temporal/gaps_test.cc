#include "services/common/temporal/gaps.h"

#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/temporal/day.h"
#include "services/common/temporal/extent.h"

namespace annals::temporal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Day D(int y, int m, int d) { return DayFromCivil(y, m, d); }

Extent E(std::string_view edtf) {
  absl::StatusOr<Extent> extent = Extent::Parse(edtf);
  EXPECT_TRUE(extent.ok()) << edtf << ": " << extent.status();
  return *extent;
}

TEST(GapsTest, NoExtentsLeaveTheWholeWindowADefiniteGap) {
  const Gaps gaps = FindGaps({}, D(2020, 1, 1), D(2021, 1, 1));
  EXPECT_THAT(gaps.definite,
              ElementsAre(DayRange{D(2020, 1, 1), D(2021, 1, 1)}));
  EXPECT_THAT(gaps.possible, IsEmpty());
}

TEST(GapsTest, EmptyWindowHasNoGaps) {
  const Gaps gaps = FindGaps({}, D(2020, 1, 1), D(2020, 1, 1));
  EXPECT_THAT(gaps.definite, IsEmpty());
  EXPECT_THAT(gaps.possible, IsEmpty());
}

// Windows and gap ranges are half-open here, [from, to): the API turns them
// into first and last days.

TEST(GapsTest, HandoverDayLeavesNoGap) {
  // Carignan's last day is Olsen's first.
  const std::vector<Extent> extents = {E("2019-11-26/2020-11-24"),
                                       E("2020-11-24/2021-05-06")};
  const Gaps gaps = FindGaps(extents, D(2019, 11, 26), D(2021, 5, 7));
  EXPECT_THAT(gaps.definite, IsEmpty());
  EXPECT_THAT(gaps.possible, IsEmpty());
}

TEST(GapsTest, StartingTheDayAfterTheLastDayLeavesNoGap) {
  const std::vector<Extent> extents = {E("2020-01-01/2020-01-10"),
                                       E("2020-01-11/2020-01-20")};
  const Gaps gaps = FindGaps(extents, D(2020, 1, 1), D(2020, 1, 21));
  EXPECT_THAT(gaps.definite, IsEmpty());
  EXPECT_THAT(gaps.possible, IsEmpty());
}

TEST(GapsTest, ADayBetweenIntervalsIsADefiniteGap) {
  // Nobody on 2020-01-10.
  const std::vector<Extent> extents = {E("2020-01-01/2020-01-09"),
                                       E("2020-01-11/2020-01-20")};
  const Gaps gaps = FindGaps(extents, D(2020, 1, 1), D(2020, 1, 21));
  EXPECT_THAT(gaps.definite,
              ElementsAre(DayRange{D(2020, 1, 10), D(2020, 1, 11)}));
  EXPECT_THAT(gaps.possible, IsEmpty());
}

TEST(GapsTest, UncertainExtentsOnlyCloseGapsPossibly) {
  // Possibly held from 2018-11-26 through 2018-12-01.
  const std::vector<Extent> extents = {E("2018-11-26/2018-12-01?")};
  const Gaps gaps = FindGaps(extents, D(2018, 11, 20), D(2018, 12, 5));
  EXPECT_THAT(gaps.definite,
              ElementsAre(DayRange{D(2018, 11, 20), D(2018, 11, 26)},
                          DayRange{D(2018, 12, 2), D(2018, 12, 5)}));
  EXPECT_THAT(gaps.possible,
              ElementsAre(DayRange{D(2018, 11, 26), D(2018, 12, 2)}));
}

TEST(GapsTest, GapsBeforeChrist) {
  const std::vector<Extent> extents = {E("-0100/-0050"), E("-0040/0010")};
  const Gaps gaps = FindGaps(extents, D(-100, 1, 1), D(11, 1, 1));
  // Nobody from -0049 through -0041.
  EXPECT_THAT(gaps.definite, ElementsAre(DayRange{D(-49, 1, 1), D(-40, 1, 1)}));
  // Each start is some day of its year, each last day some day of its
  // year, and each is definite on the first day of its last year.
  EXPECT_THAT(gaps.possible,
              ElementsAre(DayRange{D(-100, 1, 1), D(-100, 12, 31)},
                          DayRange{D(-50, 1, 2), D(-49, 1, 1)},
                          DayRange{D(-40, 1, 1), D(-40, 12, 31)},
                          DayRange{D(10, 1, 2), D(11, 1, 1)}));
}

TEST(GapsTest, SeasonsLeaveGapsOnlyWhereTheyMayEnd) {
  const std::vector<Extent> extents = {E("2001-21/2001-22"),
                                       E("2001-23/2001-24")};
  const Gaps gaps = FindGaps(extents, D(2001, 1, 1), D(2002, 1, 1));
  EXPECT_THAT(gaps.definite, IsEmpty());
  EXPECT_THAT(gaps.possible,
              ElementsAre(DayRange{D(2001, 1, 1), D(2001, 3, 31)},
                          DayRange{D(2001, 4, 2), D(2001, 9, 30)},
                          DayRange{D(2001, 10, 2), D(2002, 1, 1)}));
}

TEST(GapsTest, OverlappingExtentsMergeAndGapsAreClippedToTheWindow) {
  const std::vector<Extent> extents = {
      E("2020-01-05/2020-01-20"), E("2020-01-01/2020-01-10"),
      E("2020-01-25/2020-02"),  // Ends on some day of February.
  };
  const Gaps gaps = FindGaps(extents, D(2020, 1, 3), D(2020, 2, 10));
  // Nobody from the 21st through the 24th of January; the third extent
  // certainly holds on February 1.
  EXPECT_THAT(gaps.definite,
              ElementsAre(DayRange{D(2020, 1, 21), D(2020, 1, 25)}));
  EXPECT_THAT(gaps.possible,
              ElementsAre(DayRange{D(2020, 2, 2), D(2020, 2, 10)}));
}

TEST(GapsTest, UnboundedWindowYieldsUnboundedGaps) {
  const std::vector<Extent> extents = {E("2018/")};
  const Gaps gaps = FindGaps(extents, kMinusInfinity, kPlusInfinity);
  EXPECT_THAT(gaps.definite,
              ElementsAre(DayRange{kMinusInfinity, D(2018, 1, 1)}));
  EXPECT_THAT(gaps.possible,
              ElementsAre(DayRange{D(2018, 1, 1), kPlusInfinity}));
}

TEST(GapsTest, ScalesWithExtentsNotWithTheWindow) {
  // 20000 one-day instants on even days over the whole calendar. A per-day
  // loop would make 3.6 million x 20000 checks; the sweep is instant.
  std::vector<Extent> extents;
  for (Day day = kMinDay; extents.size() < 20000; day += 2) {
    extents.push_back(
        *Extent::FromBounds(day, day, day + 1, day + 1, {.instant = true}));
  }
  const Gaps gaps = FindGaps(extents, kMinDay, kMaxDay + 1);
  EXPECT_THAT(gaps.possible, IsEmpty());
  ASSERT_EQ(gaps.definite.size(), 20000u);
  EXPECT_EQ(gaps.definite.front(), (DayRange{kMinDay + 1, kMinDay + 2}));
  EXPECT_EQ(gaps.definite.back(),
            (DayRange{kMinDay + 2 * 19999 + 1, kMaxDay + 1}));
}

TEST(GapsTest, PrintsRangesAsHalfOpenDates) {
  std::ostringstream os;
  os << DayRange{D(2019, 11, 1), D(2019, 11, 26)};
  EXPECT_EQ(os.str(), "[2019-11-01, 2019-11-26)");
}

}  // namespace
}  // namespace annals::temporal
