// The layout rules of timeline pictures: sub-rows, labels and ticks.
#include "clients/cli/timeline_layout.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/temporal/day.h"

namespace annals::cli {
namespace {

using temporal::DayFromCivil;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(StackInSubRowsTest, OverlappingItemsGoToSeparateSubRows) {
  EXPECT_THAT(StackInSubRows({{0, 50}, {40, 90}, {60, 80}}, 2),
              ElementsAre(0, 1, 0));
}

TEST(StackInSubRowsTest, ItemsCloserThanTheGapDoNotShareASubRow) {
  EXPECT_THAT(StackInSubRows({{0, 10}, {11, 20}, {23, 30}}, 3),
              ElementsAre(0, 1, 0));
}

TEST(StackInSubRowsTest, InputOrderDoesNotMatterOnlyStarts) {
  EXPECT_THAT(StackInSubRows({{60, 80}, {0, 50}, {40, 90}}, 2),
              ElementsAre(0, 0, 1));
}

// Against a brute-force oracle: no two intervals of a sub-row come closer
// than the gap, and the sub-rows are as few as the most intervals (widened
// by the gap) over one point.
TEST(StackInSubRowsTest, SubRowsNeverOverlapAndAreAsFewAsPossible) {
  std::mt19937 random(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<Interval> spans;
    const int n = std::uniform_int_distribution<int>(1, 40)(random);
    for (int i = 0; i < n; ++i) {
      double start = std::uniform_int_distribution<int>(0, 300)(random);
      double length = std::uniform_int_distribution<int>(0, 60)(random);
      spans.push_back({start, start + length});
    }
    const double gap = 3;
    std::vector<int> rows = StackInSubRows(spans, gap);
    int most_over_one_point = 0;
    for (const Interval& at : spans) {
      int over = 0;
      for (const Interval& other : spans) {
        if (other.start <= at.start && at.start < other.end + gap) ++over;
      }
      most_over_one_point = std::max(most_over_one_point, over);
    }
    for (int i = 0; i < n; ++i) {
      for (int j = i + 1; j < n; ++j) {
        if (rows[i] != rows[j]) continue;
        EXPECT_TRUE(spans[i].end + gap <= spans[j].start ||
                    spans[j].end + gap <= spans[i].start)
            << "round " << round << ": " << i << " and " << j;
      }
    }
    EXPECT_EQ(*std::max_element(rows.begin(), rows.end()) + 1,
              most_over_one_point)
        << "round " << round;
  }
}

TEST(YearLabelTest, YearsBeforeChristAreLabelledAsSuch) {
  EXPECT_EQ(YearLabel(1950), "1950");
  EXPECT_EQ(YearLabel(1), "1");
  EXPECT_EQ(YearLabel(1, /*era=*/true), "AD 1");
  EXPECT_EQ(YearLabel(0), "1 BC");
  EXPECT_EQ(YearLabel(-43), "44 BC");
  EXPECT_EQ(YearLabel(-11999), "12,000 BC");
  EXPECT_EQ(YearLabel(-299999), "300,000 BC");
  EXPECT_EQ(YearLabel(12345), "12,345");
}

std::vector<std::string> Labels(const AxisTicks& ticks) {
  std::vector<std::string> labels;
  for (const Tick& tick : ticks.ticks) labels.push_back(tick.label);
  return labels;
}

// Estimated label boxes, as ChooseTicks lays them out, keep their distance.
void ExpectLegible(const AxisTicks& axis, temporal::Day first,
                   temporal::Day last, double width) {
  double previous_end = -1e300;
  for (const Tick& tick : axis.ticks) {
    if (tick.label.empty()) continue;
    double x = width * (tick.day - first) / static_cast<double>(last - first);
    EXPECT_GE(x + 2, previous_end + 12) << tick.label;
    previous_end = x + 2 + TextWidth(tick.label, 10);
    EXPECT_LE(previous_end, width) << tick.label;
  }
}

struct TickCase {
  const char* name;
  int first_year, first_month, first_day;
  int last_year, last_month, last_day;  // exclusive
  TickUnit unit;
};

TEST(ChooseTicksTest, TicksAdaptFromAWeekToTenThousandYears) {
  const TickCase cases[] = {
      {"a week", 2021, 3, 1, 2021, 3, 8, TickUnit::kDay},
      {"two months", 2021, 3, 1, 2021, 5, 1, TickUnit::kDay},
      {"a year", 2021, 1, 1, 2022, 1, 1, TickUnit::kMonth},
      {"seven years", 2018, 1, 1, 2025, 1, 1, TickUnit::kMonth},
      {"forty years", 1954, 1, 1, 1994, 1, 1, TickUnit::kYear},
      {"1900 years", 50, 1, 1, 1951, 1, 1, TickUnit::kYear},
      {"10,000 years", -7999, 1, 1, 2001, 1, 1, TickUnit::kYear},
  };
  for (const TickCase& c : cases) {
    SCOPED_TRACE(c.name);
    const temporal::Day first =
        DayFromCivil(c.first_year, c.first_month, c.first_day);
    const temporal::Day last =
        DayFromCivil(c.last_year, c.last_month, c.last_day);
    AxisTicks axis = ChooseTicks(first, last, 0, 1150, 10, 12);
    EXPECT_EQ(axis.unit, c.unit);
    EXPECT_GE(axis.ticks.size(), 4u);
    EXPECT_LE(axis.ticks.size(), 40u);
    ExpectLegible(axis, first, last, 1150);
  }
}

TEST(ChooseTicksTest, AWeekGetsEveryDayWithTheYearOnTheFirst) {
  AxisTicks axis = ChooseTicks(DayFromCivil(2021, 3, 1),
                               DayFromCivil(2021, 3, 8), 0, 1150, 10, 12);
  EXPECT_EQ(axis.step, 1);
  EXPECT_THAT(Labels(axis), ElementsAre("1 Mar 2021", "2 Mar", "3 Mar", "4 Mar",
                                        "5 Mar", "6 Mar", "7 Mar"));
}

TEST(ChooseTicksTest, NineteenCenturiesGetCenturiesNotEveryTenYears) {
  // The "196 year labels about 5 px apart" for years 50 to 1950.
  AxisTicks axis = ChooseTicks(DayFromCivil(50, 1, 1), DayFromCivil(1951, 1, 1),
                               0, 1150, 10, 12);
  EXPECT_EQ(axis.unit, TickUnit::kYear);
  EXPECT_GE(axis.step, 50);
  EXPECT_LE(axis.ticks.size(), 40u);
}

TEST(ChooseTicksTest, TicksBeforeChristFallOnRoundYearsBeforeChrist) {
  AxisTicks axis = ChooseTicks(DayFromCivil(-520, 1, 1),
                               DayFromCivil(481, 1, 1), 0, 700, 10, 12);
  EXPECT_EQ(axis.step, 100);
  EXPECT_THAT(Labels(axis),
              ElementsAre("500 BC", "400 BC", "300 BC", "200 BC", "100 BC",
                          "AD 1", "100", "200", "300", "400"));
  // 100 BC is astronomical year -99.
  EXPECT_EQ(axis.ticks[4].day, DayFromCivil(-99, 1, 1));
}

TEST(ChooseTicksTest, SingleYearsAroundYearZeroAreLabelledBeforeChrist) {
  AxisTicks axis = ChooseTicks(DayFromCivil(-2, 1, 1), DayFromCivil(3, 1, 1), 0,
                               300, 10, 12);
  EXPECT_EQ(axis.unit, TickUnit::kYear);
  EXPECT_THAT(Labels(axis), ::testing::Contains("1 BC"));
  EXPECT_THAT(Labels(axis), ::testing::Contains("3 BC"));
  EXPECT_THAT(Labels(axis), ::testing::Contains("1"));
}

TEST(ChooseTicksTest, HundredsOfMillenniaStayFew) {
  AxisTicks axis = ChooseTicks(DayFromCivil(-300000, 1, 1),
                               DayFromCivil(-10000, 1, 1), 0, 1150, 10, 12);
  EXPECT_EQ(axis.unit, TickUnit::kYear);
  EXPECT_LE(axis.ticks.size(), 20u);
  EXPECT_THAT(Labels(axis), ::testing::Contains("100,000 BC"));
}

TEST(ChooseTicksTest, ALabelThatWouldRunPastTheEndIsDropped) {
  AxisTicks axis = ChooseTicks(DayFromCivil(2000, 1, 1),
                               DayFromCivil(2010, 12, 1), 0, 400, 10, 12);
  ASSERT_FALSE(axis.ticks.empty());
  ExpectLegible(axis, DayFromCivil(2000, 1, 1), DayFromCivil(2010, 12, 1), 400);
}

TEST(ElideToWidthTest, TextThatFitsIsKeptElseCutWithAnEllipsis) {
  EXPECT_EQ(ElideToWidth("Per Olsen", 10, 200), "Per Olsen");
  const std::string cut = ElideToWidth("Michael Lollesgaard", 10, 60);
  EXPECT_EQ(cut.substr(cut.size() - 3), "…");
  EXPECT_LE(TextWidth(cut, 10), 60);
  EXPECT_EQ(ElideToWidth("Michael Lollesgaard", 10, 12), "");
  // Never inside a UTF-8 character.
  EXPECT_EQ(ElideToWidth("José Antonio Agüero Martínez", 10, 75),
            "José Antoni…");
}

LabelRequest Bar(double start, double end, std::string text) {
  return {{start, end}, {start, end}, std::move(text)};
}

TEST(PlaceLabelsTest, ALabelGoesInsideItsBarWhenItFits) {
  std::vector<LabelSlot> slots =
      PlaceLabels({Bar(100, 300, "Per Olsen")}, 0, 1000, 10, 3);
  EXPECT_EQ(slots[0].placement, LabelPlacement::kInside);
  EXPECT_EQ(slots[0].x, 103);
  EXPECT_FALSE(slots[0].elided);
}

TEST(PlaceLabelsTest, ALabelTooLongForItsBarGoesBesideIt) {
  std::vector<LabelSlot> slots = PlaceLabels(
      {Bar(100, 110, "Per Olsen"), Bar(400, 410, "Jennie Carignan")}, 0, 1000,
      10, 3);
  EXPECT_EQ(slots[0].placement, LabelPlacement::kRight);
  EXPECT_EQ(slots[0].x, 113);
  EXPECT_EQ(slots[1].placement, LabelPlacement::kRight);
}

TEST(PlaceLabelsTest, ALabelWithNoRoomRightGoesLeft) {
  // The bar is all fade: no room inside.
  std::vector<LabelSlot> slots =
      PlaceLabels({{{900, 995}, {990, 995}, "Lucas Schreurs"}}, 0, 1000, 10, 3);
  EXPECT_EQ(slots[0].placement, LabelPlacement::kLeft);
  EXPECT_LE(slots[0].x + slots[0].width, 897);
}

TEST(PlaceLabelsTest, ALabelWithNoRoomWholeIsElidedThenLeftToHover) {
  // Bars packed so closely that no label fits whole anywhere.
  std::vector<LabelSlot> slots = PlaceLabels(
      {Bar(0, 40, "Michael Lollesgaard"), Bar(44, 84, "Giovanni Iannucci"),
       Bar(88, 92, "Lucas Schreurs"), Bar(96, 100, "X")},
      0, 100, 10, 3);
  EXPECT_EQ(slots[0].placement, LabelPlacement::kInside);
  EXPECT_TRUE(slots[0].elided);
  EXPECT_EQ(slots[1].placement, LabelPlacement::kInside);
  EXPECT_TRUE(slots[1].elided);
  EXPECT_EQ(slots[2].placement, LabelPlacement::kNone);
  EXPECT_THAT(slots[2].text, IsEmpty());
}

// Random rows: placed labels never overlap each other or another item's bar
// and stay within the row.
TEST(PlaceLabelsTest, LabelsNeverOverlapOrLeaveTheRow) {
  std::mt19937 random(11);
  const char* names[] = {"A",
                         "Dany Fortin",
                         "Jennie Carignan",
                         "Per Olsen",
                         "José Antonio Agüero Martínez",
                         "Iron Age II"};
  for (int round = 0; round < 300; ++round) {
    std::vector<Interval> spans;
    for (int i = 0; i < 30; ++i) {
      double start = std::uniform_real_distribution<double>(0, 1000)(random);
      spans.push_back({start, start + std::uniform_real_distribution<double>(
                                          2, 120)(random)});
    }
    std::vector<int> rows = StackInSubRows(spans, 3);
    std::vector<LabelRequest> row;
    for (size_t i = 0; i < spans.size(); ++i) {
      if (rows[i] == 0) {
        row.push_back(Bar(spans[i].start, spans[i].end, names[random() % 6]));
      }
    }
    std::sort(row.begin(), row.end(),
              [](const LabelRequest& a, const LabelRequest& b) {
                return a.bar.start < b.bar.start;
              });
    const double row_end = 1000;
    std::vector<LabelSlot> slots = PlaceLabels(row, 0, row_end, 10, 3);
    for (size_t i = 0; i < slots.size(); ++i) {
      if (slots[i].placement == LabelPlacement::kNone) continue;
      const double from = slots[i].x, to = slots[i].x + slots[i].width;
      EXPECT_GE(from, 0);
      EXPECT_LE(to, row_end);
      EXPECT_NEAR(slots[i].width, TextWidth(slots[i].text, 10), 1e-9);
      for (size_t j = 0; j < slots.size(); ++j) {
        if (j != i && slots[j].placement != LabelPlacement::kNone) {
          EXPECT_TRUE(to <= slots[j].x || slots[j].x + slots[j].width <= from)
              << "round " << round << ": labels " << i << ", " << j;
        }
        if (j != i) {
          EXPECT_TRUE(to <= row[j].bar.start || row[j].bar.end <= from)
              << "round " << round << ": label " << i << " on bar " << j;
        }
      }
    }
  }
}

}  // namespace
}  // namespace annals::cli
