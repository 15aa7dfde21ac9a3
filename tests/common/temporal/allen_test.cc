#include "services/common/temporal/allen.h"

#include <set>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/temporal/day.h"
#include "services/common/temporal/extent.h"
#include "tests/testing/status_matchers.h"

namespace annals::temporal {
namespace {

using R = AllenRelation;

Extent E(std::string_view edtf) {
  absl::StatusOr<Extent> extent = Extent::Parse(edtf);
  EXPECT_TRUE(extent.ok()) << edtf << ": " << extent.status();
  return *extent;
}

// The exact interval from day `first` through day `last`, in days since some
// origin (FromBounds takes the exclusive end, the day after the last day).
Extent Exact(Day first, Day last) {
  return *Extent::FromBounds(first, first, last + 1, last + 1);
}

TEST(AllenRelationTest, NamesAreDistinctAndParseBack) {
  std::set<std::string_view> names;
  for (int i = 0; i < kAllenRelationCount; ++i) {
    const auto r = static_cast<R>(i);
    names.insert(AllenRelationName(r));
    EXPECT_EQ(AllenRelationFromName(AllenRelationName(r)), r);
  }
  EXPECT_EQ(names.size(), 13u);
  EXPECT_EQ(AllenRelationName(R::kMetBy), "met_by");
  EXPECT_EQ(AllenRelationName(R::kFinishedBy), "finished_by");
  EXPECT_EQ(AllenRelationFromName("overlapped_by"), R::kOverlappedBy);
  EXPECT_EQ(AllenRelationFromName("Before"), std::nullopt);
  EXPECT_EQ(AllenRelationFromName(""), std::nullopt);
}

TEST(AllenRelationTest, InversesPairUp) {
  EXPECT_EQ(Inverse(R::kBefore), R::kAfter);
  EXPECT_EQ(Inverse(R::kMeets), R::kMetBy);
  EXPECT_EQ(Inverse(R::kOverlaps), R::kOverlappedBy);
  EXPECT_EQ(Inverse(R::kStarts), R::kStartedBy);
  EXPECT_EQ(Inverse(R::kDuring), R::kContains);
  EXPECT_EQ(Inverse(R::kFinishes), R::kFinishedBy);
  EXPECT_EQ(Inverse(R::kEquals), R::kEquals);
  for (int i = 0; i < kAllenRelationCount; ++i) {
    EXPECT_EQ(Inverse(Inverse(static_cast<R>(i))), static_cast<R>(i));
  }
}

TEST(AllenSetTest, IsASetOfRelations) {
  AllenSet set{R::kMetBy, R::kBefore};
  EXPECT_EQ(set.size(), 2);
  EXPECT_TRUE(set.Contains(R::kBefore));
  EXPECT_FALSE(set.Contains(R::kAfter));
  EXPECT_EQ(set.ToString(), "{before, met_by}");
  EXPECT_EQ(set.single(), std::nullopt);
  EXPECT_EQ(AllenSet{R::kDuring}.single(), R::kDuring);
  EXPECT_EQ(set.Inverse(), (AllenSet{R::kAfter, R::kMeets}));
  EXPECT_EQ(AllenSet().ToString(), "{}");
  EXPECT_TRUE(AllenSet().empty());
  EXPECT_EQ(AllenSet::All().size(), 13);
  EXPECT_EQ(set | AllenSet{R::kEquals},
            (AllenSet{R::kBefore, R::kEquals, R::kMetBy}));
  EXPECT_EQ(set & (AllenSet{R::kBefore, R::kAfter}), AllenSet{R::kBefore});
  std::ostringstream os;
  os << set << " " << R::kOverlappedBy;
  EXPECT_EQ(os.str(), "{before, met_by} overlapped_by");
}

// First and last days of a and of b.
struct ExactCase {
  Day first1, last1, first2, last2;
  AllenRelation relation;
};

class RelateExactTest : public ::testing::TestWithParam<ExactCase> {};

TEST_P(RelateExactTest, ExactIntervalsHaveExactlyOneRelation) {
  const ExactCase& c = GetParam();
  const AllenSet forward =
      Relate(Exact(c.first1, c.last1), Exact(c.first2, c.last2));
  EXPECT_EQ(forward, AllenSet{c.relation}) << forward;
  EXPECT_EQ(Relate(Exact(c.first2, c.last2), Exact(c.first1, c.last1)),
            AllenSet{Inverse(c.relation)});
}

INSTANTIATE_TEST_SUITE_P(
    AllThirteen, RelateExactTest,
    // Day 20 free between a and b: before; b from the day after a's last
    // day: meets; b from a's last day: overlaps.
    ::testing::Values(ExactCase{10, 19, 21, 30, R::kBefore},
                      ExactCase{10, 19, 20, 30, R::kMeets},
                      ExactCase{10, 20, 20, 30, R::kOverlaps},
                      ExactCase{10, 20, 10, 30, R::kStarts},
                      ExactCase{12, 18, 10, 20, R::kDuring},
                      ExactCase{15, 20, 10, 20, R::kFinishes},
                      ExactCase{10, 20, 10, 20, R::kEquals},
                      ExactCase{10, 20, 15, 20, R::kFinishedBy},
                      ExactCase{10, 20, 12, 18, R::kContains},
                      ExactCase{10, 30, 10, 20, R::kStartedBy},
                      ExactCase{20, 30, 10, 20, R::kOverlappedBy},
                      ExactCase{21, 30, 10, 20, R::kMetBy},
                      ExactCase{22, 30, 10, 20, R::kAfter}),
    [](const ::testing::TestParamInfo<ExactCase>& info) {
      return std::string(AllenRelationName(info.param.relation));
    });

TEST(RelateTest, NtmIIsBeforeNmi) {
  const Extent ntm_i = E("2004/2011-12-31");
  EXPECT_EQ(Relate(ntm_i, E("2018-10/..")), AllenSet{R::kBefore});
  EXPECT_EQ(Relate(ntm_i, E("2018-07")), AllenSet{R::kBefore});
  EXPECT_EQ(Relate(E("2018-10/.."), ntm_i), AllenSet{R::kAfter});
}

TEST(RelateTest, SuccessiveCommandersOverlapOnTheHandoverDay) {
  // Both tenures include 2021-05-06: they share one day.
  const Extent olsen = E("2020-11-24/2021-05-06");
  const Extent lollesgaard = E("2021-05-06/2022-05");
  EXPECT_EQ(Relate(olsen, lollesgaard), AllenSet{R::kOverlaps});
  EXPECT_EQ(Relate(lollesgaard, olsen), AllenSet{R::kOverlappedBy});
  EXPECT_EQ(Relate(olsen, E("2021-05-06/2022-05-10")), AllenSet{R::kOverlaps});
}

TEST(RelateTest, MeetsWhenTheSuccessorStartsTheDayAfterTheLastDay) {
  EXPECT_EQ(Relate(E("2020-11-24/2021-05-05"), E("2021-05-06/2022-05")),
            AllenSet{R::kMeets});
  EXPECT_EQ(Relate(E("2020-11-24/2021-05-04"), E("2021-05-06/2022-05")),
            AllenSet{R::kBefore});
  // Years: 2004/2011 meets 2012/2020, whatever days they began and ended.
  EXPECT_EQ(Relate(E("2004/2011"), E("2012/2020")),
            (AllenSet{R::kBefore, R::kMeets}));
  EXPECT_EQ(Relate(E("2004/2011-12-31"), E("2012-01-01/2020")),
            AllenSet{R::kMeets});
}

TEST(RelateTest, ImpreciseHandoverAdmitsSeveralRelations) {
  // Fortin's last day is some day of November 2019; Carignan began on the
  // 26th: before if Fortin left by the 24th, meets if on the 25th, overlaps
  // from the 26th.
  EXPECT_EQ(Relate(E("2018-11/2019-11"), E("2019-11-26/2020-11-24")),
            (AllenSet{R::kBefore, R::kMeets, R::kOverlaps}));
  // Lollesgaard ended and Iannucci began on unknown days of May 2022.
  EXPECT_EQ(Relate(E("2021-05-06/2022-05"), E("2022-05/2023-05")),
            (AllenSet{R::kBefore, R::kMeets, R::kOverlaps}));
}

TEST(RelateTest, TwoOngoingExtentsEndTogether) {
  const Extent nmi_ii = E("2021/..");
  const Extent schreurs = E("2024-05-24/..");
  EXPECT_EQ(Relate(nmi_ii, schreurs), AllenSet{R::kFinishedBy});
  EXPECT_EQ(Relate(schreurs, nmi_ii), AllenSet{R::kFinishes});
  EXPECT_EQ(Relate(schreurs, schreurs), AllenSet{R::kEquals});
  EXPECT_EQ(Relate(E("2021/.."), E("2021/..")),
            (AllenSet{R::kFinishes, R::kFinishedBy, R::kEquals}));
}

TEST(RelateTest, TwoOpenStartsBeginTogether) {
  EXPECT_EQ(Relate(E("../2011"), E("../2015")), AllenSet{R::kStarts});
  EXPECT_EQ(Relate(E("../2011"), E("../2011-06")),
            (AllenSet{R::kStarts, R::kEquals, R::kStartedBy}));
}

TEST(RelateTest, AnOpenStartPrecedesEveryUnknownStart) {
  EXPECT_EQ(Relate(E("../2011"), E("/2011")),
            (AllenSet{R::kBefore, R::kMeets, R::kOverlaps, R::kFinishedBy,
                      R::kContains}));
}

TEST(RelateTest, AnOpenEndFollowsEveryUnknownEnd) {
  EXPECT_EQ(
      Relate(E("2018/"), E("2018/..")),
      (AllenSet{R::kBefore, R::kMeets, R::kOverlaps, R::kStarts, R::kDuring}));
}

TEST(RelateTest, InstantsNeverOverlapPartially) {
  // Two one-day events in the same month: e == s + 1 rules out overlaps,
  // starts, during, finishes and their inverses.
  EXPECT_EQ(
      Relate(E("2018-11"), E("2018-11")),
      (AllenSet{R::kBefore, R::kMeets, R::kEquals, R::kMetBy, R::kAfter}));
  EXPECT_EQ(Relate(E("2018-11-26"), E("2018-11-26")), AllenSet{R::kEquals});
}

TEST(RelateTest, InstantInsideAnInterval) {
  const Extent olsen = E("2020-11-24/2021-05-06");
  EXPECT_EQ(Relate(E("2021-01"), olsen), AllenSet{R::kDuring});
  EXPECT_EQ(Relate(E("2020-11"), olsen),
            (AllenSet{R::kBefore, R::kMeets, R::kStarts, R::kDuring}));
  // Finishes on Olsen's last day, 2021-05-06; met_by on the 7th.
  EXPECT_EQ(Relate(E("2021-05"), olsen),
            (AllenSet{R::kDuring, R::kFinishes, R::kMetBy, R::kAfter}));
  EXPECT_EQ(Relate(E("2021-05-06"), olsen), AllenSet{R::kFinishes});
  EXPECT_EQ(Relate(E("2021-05-07"), olsen), AllenSet{R::kMetBy});
}

TEST(RelateTest, YearsBeforeChristAreOrderedThroughYearZero) {
  // -0001 is 2 BC and 0001 AD 1: year 0000 (1 BC) lies between them.
  EXPECT_EQ(Relate(E("-0001"), E("0001")), AllenSet{R::kBefore});
  EXPECT_EQ(Relate(E("-0001"), E("0000")), (AllenSet{R::kBefore, R::kMeets}));
  EXPECT_EQ(Relate(E("-0001-12-31"), E("0000-01-01")), AllenSet{R::kMeets});
  EXPECT_EQ(Relate(E("-0100/-0044-03-15"), E("-0044-03-16/0014")),
            AllenSet{R::kMeets});
  EXPECT_EQ(Relate(E("-0044-03-15"), E("-0100/0014")), AllenSet{R::kDuring});
  EXPECT_EQ(Relate(E("Y-12345"), E("-0044")), AllenSet{R::kBefore});
  EXPECT_EQ(
      Relate(E("-201X"), E("-2015")),
      (AllenSet{R::kBefore, R::kMeets, R::kEquals, R::kMetBy, R::kAfter}));
}

TEST(RelateTest, SeasonsFollowEachOther) {
  // Spring ends on March 31 at the latest, summer begins on April 1.
  EXPECT_EQ(Relate(E("2001-21"), E("2001-22")),
            (AllenSet{R::kBefore, R::kMeets}));
  EXPECT_EQ(Relate(E("2001-21"), E("2001-23")), AllenSet{R::kBefore});
  EXPECT_EQ(
      Relate(E("2001-24"), E("2001")),
      (AllenSet{R::kBefore, R::kMeets, R::kEquals, R::kMetBy, R::kAfter}));
  EXPECT_EQ(Relate(E("2001-21/2001-22"), E("2001-22/2001-24")),
            (AllenSet{R::kBefore, R::kMeets, R::kOverlaps}));
}

TEST(RelateTest, DateTimesAreTheirDays) {
  EXPECT_EQ(Relate(E("1985-04-12T23:20:30-04"), E("1985-04-12T00:00:00Z")),
            AllenSet{R::kEquals});
  EXPECT_EQ(Relate(E("1985-04-12T23:20:30+04:30"), E("1985-04-13")),
            AllenSet{R::kMeets});
}

TEST(RelateTest, UnknownStartStillOngoing) {
  // "/.." starts on some finite day and never ends.
  const Extent runway = E("/..");
  EXPECT_EQ(Relate(runway, E("2024-05-24/..")),
            (AllenSet{R::kFinishes, R::kEquals, R::kFinishedBy}));
  EXPECT_EQ(Relate(runway, E("../..")), AllenSet{R::kFinishes});
  EXPECT_EQ(Relate(runway, E("2018-07")),
            (AllenSet{R::kMetBy, R::kAfter, R::kContains, R::kStartedBy}));
}

TEST(RelateTest, OpenOnBothSidesContainsEveryBoundedExtent) {
  const Extent always = E("../..");
  EXPECT_EQ(Relate(always, E("2018-11/2019-11")), AllenSet{R::kContains});
  EXPECT_EQ(Relate(always, E("2021/..")), AllenSet{R::kFinishedBy});
  EXPECT_EQ(Relate(always, E("../2011")), AllenSet{R::kStartedBy});
  EXPECT_EQ(Relate(always, always), AllenSet{R::kEquals});
  EXPECT_EQ(Relate(always, E("/")), AllenSet{R::kContains});
}

TEST(RelateTest, BoundDatesExtents) {
  // Starts between 1100 and 1200, ends between 1450 and 1500.
  ASSERT_OK_AND_ASSIGN(
      Extent period, Extent::FromBoundDates({"1100", "1200", "1450", "1500"}));
  EXPECT_EQ(Relate(period, E("1300/1400")), AllenSet{R::kContains});
  EXPECT_EQ(Relate(period, E("1500-06/1600")),
            (AllenSet{R::kBefore, R::kMeets, R::kOverlaps}));
  EXPECT_EQ(Relate(period, E("1501/1600")), (AllenSet{R::kBefore, R::kMeets}));
}

TEST(RelationCertaintyTest, SingleRelationIsDefiniteUnlessUncertain) {
  const Extent olsen = E("2020-11-24/2021-05-06");
  const Extent lollesgaard = E("2021-05-06/2022-05");
  EXPECT_EQ(RelationCertainty(olsen, R::kOverlaps, lollesgaard),
            Certainty::kDefinite);
  EXPECT_EQ(RelationCertainty(olsen, R::kMeets, lollesgaard), Certainty::kNo);
  EXPECT_EQ(RelationCertainty(olsen, R::kBefore, lollesgaard), Certainty::kNo);
  EXPECT_EQ(
      RelationCertainty(E("2020-11-24/2021-05-06?"), R::kOverlaps, lollesgaard),
      Certainty::kPossible);
  EXPECT_EQ(RelationCertainty(E("2018-11/2019-11"), R::kMeets,
                              E("2019-11-26/2020-11-24")),
            Certainty::kPossible);
}

}  // namespace
}  // namespace annals::temporal
