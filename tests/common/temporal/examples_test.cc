// The worked examples of docs/temporal-semantics.md (NATO's missions in
// Iraq), so that the document cannot drift from the code.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/temporal/allen.h"
#include "services/common/temporal/day.h"
#include "services/common/temporal/extent.h"
#include "services/common/temporal/gaps.h"

namespace annals::temporal {
namespace {

using ::testing::ElementsAre;

constexpr Certainty kNo = Certainty::kNo;
constexpr Certainty kPossible = Certainty::kPossible;
constexpr Certainty kDefinite = Certainty::kDefinite;

Day D(int y, int m, int d) { return DayFromCivil(y, m, d); }

Extent E(std::string_view edtf) {
  absl::StatusOr<Extent> extent = Extent::Parse(edtf);
  EXPECT_TRUE(extent.ok()) << edtf << ": " << extent.status();
  return *extent;
}

class NatoIraqTest : public ::testing::Test {
 protected:
  const Extent ntm_i_ = E("2004/2011-12-31");
  const Extent nmi_launched_ = E("2018-07");
  const Extent nmi_ = E("2018-10/..");
  const Extent nmi_ii_ = E("2021/..");
  const Extent core_team_ = E("2017-01/");
  const Extent fortin_ = E("2018-11/2019-11");
  const Extent carignan_ = E("2019-11-26/2020-11-24");
  const Extent olsen_ = E("2020-11-24/2021-05-06");
  const Extent lollesgaard_ = E("2021-05-06/2022-05");
  const Extent iannucci_ = E("2022-05/2023-05");
  const Extent aguero_ = E("2023-05/2024-05-24");
  const Extent schreurs_ = E("2024-05-24/..");
  const std::vector<Extent> commanders_ = {
      fortin_, carignan_, olsen_, lollesgaard_, iannucci_, aguero_, schreurs_};
};

TEST_F(NatoIraqTest, OnTheHandoverDayBothCommand) {
  EXPECT_EQ(olsen_.HoldsOn(D(2021, 5, 5)), kDefinite);
  EXPECT_EQ(lollesgaard_.HoldsOn(D(2021, 5, 5)), kNo);
  EXPECT_EQ(olsen_.HoldsOn(D(2021, 5, 6)), kDefinite);
  EXPECT_EQ(lollesgaard_.HoldsOn(D(2021, 5, 6)), kDefinite);
  EXPECT_EQ(olsen_.HoldsOn(D(2021, 5, 7)), kNo);
  EXPECT_EQ(lollesgaard_.HoldsOn(D(2021, 5, 7)), kDefinite);
}

TEST_F(NatoIraqTest, NtmIHoldsOnItsLastDay) {
  EXPECT_EQ(ntm_i_.HoldsOn(D(2011, 12, 31)), kDefinite);
  EXPECT_EQ(ntm_i_.HoldsOn(D(2012, 1, 1)), kNo);
}

TEST_F(NatoIraqTest, FortinPossiblyCommandsDuringNovember2018) {
  EXPECT_EQ(fortin_.HoldsOn(D(2018, 10, 31)), kNo);
  EXPECT_EQ(fortin_.HoldsOn(D(2018, 11, 15)), kPossible);
  EXPECT_EQ(fortin_.HoldsOn(D(2018, 11, 30)), kDefinite);
  EXPECT_EQ(fortin_.HoldsOn(D(2019, 6, 1)), kDefinite);
  EXPECT_EQ(fortin_.HoldsOn(D(2019, 11, 1)), kDefinite);
  EXPECT_EQ(fortin_.HoldsOn(D(2019, 11, 15)), kPossible);
  EXPECT_EQ(fortin_.HoldsOn(D(2019, 11, 30)), kPossible);
  EXPECT_EQ(fortin_.HoldsOn(D(2019, 12, 1)), kNo);
}

TEST_F(NatoIraqTest, NmiIIHoldsSince2021) {
  EXPECT_EQ(nmi_ii_.HoldsOn(D(2020, 12, 31)), kNo);
  EXPECT_EQ(nmi_ii_.HoldsOn(D(2021, 6, 1)), kPossible);
  EXPECT_EQ(nmi_ii_.HoldsOn(D(2021, 12, 31)), kDefinite);
  EXPECT_EQ(nmi_ii_.HoldsOn(kMaxDay), kDefinite);
}

TEST_F(NatoIraqTest, FortinHoldsThroughout) {
  // [from, to): 2018-11-30 through 2019-11-01.
  EXPECT_EQ(fortin_.HoldsThroughout(D(2018, 11, 30), D(2019, 11, 2)),
            kDefinite);
  EXPECT_EQ(fortin_.HoldsThroughout(D(2018, 11, 15), D(2019, 11, 2)),
            kPossible);
  EXPECT_EQ(fortin_.HoldsThroughout(D(2018, 11, 1), D(2019, 12, 1)), kPossible);
  EXPECT_EQ(fortin_.HoldsThroughout(D(2018, 11, 1), D(2019, 12, 2)), kNo);
}

TEST_F(NatoIraqTest, Durations) {
  EXPECT_EQ(olsen_.Duration(), (DurationRange{164, 164}));
  EXPECT_EQ(carignan_.Duration(), (DurationRange{365, 365}));
  EXPECT_EQ(fortin_.Duration(), (DurationRange{337, 395}));
  EXPECT_EQ(lollesgaard_.Duration(), (DurationRange{361, 391}));
  EXPECT_EQ(iannucci_.Duration(), (DurationRange{336, 396}));
  EXPECT_EQ(aguero_.Duration(), (DurationRange{360, 390}));
  EXPECT_EQ(ntm_i_.Duration(), (DurationRange{2557, 2922}));
  EXPECT_EQ(nmi_launched_.Duration(), (DurationRange{1, 1}));
  EXPECT_EQ(core_team_.Duration(), (DurationRange{1, kUnboundedDays}));
  EXPECT_EQ(schreurs_.Duration(),
            (DurationRange{kUnboundedDays, kUnboundedDays}));
}

TEST_F(NatoIraqTest, AllenRelations) {
  EXPECT_EQ(Relate(ntm_i_, nmi_), AllenSet{AllenRelation::kBefore});
  EXPECT_EQ(Relate(ntm_i_, nmi_launched_), AllenSet{AllenRelation::kBefore});
  EXPECT_EQ(Relate(olsen_, lollesgaard_), AllenSet{AllenRelation::kOverlaps});
  EXPECT_EQ(Relate(carignan_, olsen_), AllenSet{AllenRelation::kOverlaps});
  EXPECT_EQ(Relate(aguero_, schreurs_), AllenSet{AllenRelation::kOverlaps});
  EXPECT_EQ(Relate(lollesgaard_, iannucci_).ToString(),
            "{before, meets, overlaps}");
  EXPECT_EQ(Relate(iannucci_, aguero_).ToString(), "{before, meets, overlaps}");
  EXPECT_EQ(Relate(nmi_ii_, schreurs_), AllenSet{AllenRelation::kFinishedBy});
  EXPECT_EQ(Relate(nmi_launched_, nmi_), AllenSet{AllenRelation::kBefore});
  EXPECT_EQ(Relate(fortin_, carignan_).ToString(), "{before, meets, overlaps}");
  EXPECT_EQ(Relate(fortin_, nmi_).ToString(), "{during}");
  EXPECT_EQ(Relate(schreurs_, nmi_ii_), AllenSet{AllenRelation::kFinishes});
  EXPECT_EQ(Relate(schreurs_, schreurs_), AllenSet{AllenRelation::kEquals});
  EXPECT_EQ(RelationCertainty(olsen_, AllenRelation::kOverlaps, lollesgaard_),
            kDefinite);
  EXPECT_EQ(RelationCertainty(olsen_, AllenRelation::kMeets, lollesgaard_),
            kNo);
  EXPECT_EQ(RelationCertainty(fortin_, AllenRelation::kMeets, carignan_),
            kPossible);
}

TEST_F(NatoIraqTest, WhatHappenedIn2017) {
  const Day from = D(2017, 1, 1);
  const Day to = D(2018, 1, 1);
  EXPECT_EQ(core_team_.Overlaps(from, to), kDefinite);
  EXPECT_EQ(ntm_i_.Overlaps(from, to), kNo);
  EXPECT_EQ(nmi_.Overlaps(from, to), kNo);
  // Its last day is some day of 2017.
  EXPECT_EQ(E("2016/2017").Overlaps(from, to), kDefinite);
  EXPECT_EQ(E("2016/2016-12-31").Overlaps(from, to), kNo);
}

TEST_F(NatoIraqTest, GapsInCommand) {
  const Gaps gaps = FindGaps(commanders_, D(2018, 10, 1), D(2024, 6, 1));
  // Half-open ranges: the first is 2018-10-01 through 2018-10-31.
  EXPECT_THAT(gaps.definite,
              ElementsAre(DayRange{D(2018, 10, 1), D(2018, 11, 1)}));
  EXPECT_THAT(gaps.possible,
              ElementsAre(DayRange{D(2018, 11, 1), D(2018, 11, 30)},
                          DayRange{D(2019, 11, 2), D(2019, 11, 26)},
                          DayRange{D(2022, 5, 2), D(2022, 5, 31)},
                          DayRange{D(2023, 5, 2), D(2023, 5, 31)}));
}

}  // namespace
}  // namespace annals::temporal
