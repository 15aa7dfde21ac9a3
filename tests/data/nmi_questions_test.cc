// Thirty-odd questions about NATO's missions in Iraq, answered by a real
// catalog and timeline loaded with data/nmi. The expected answers were read
// off the seed documents by hand, not computed by the code under test, with
// EDTF's reading of an interval A/B: from a day of A through a day of B, both
// included (docs/temporal-semantics.md). Query windows include both ends too.
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "annals/catalog_client.h"
#include "annals/timeline_client.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "tests/testing/annals_world.h"
#include "tests/testing/status_matchers.h"

namespace annals {
namespace {

namespace cv1 = ::annals::catalog::v1;
namespace tv1 = ::annals::timeline::v1;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

constexpr char kFactSheet2021[] = "entities/nato-nmi-factsheet-2021";

std::string Id(const std::string& name) {
  return name.substr(name.find('/') + 1);
}

std::string CertaintyName(annals::type::v1::Certainty certainty) {
  return certainty == annals::type::v1::CERTAINTY_DEFINITE ? "definite"
                                                           : "possible";
}

class NmiQuestionsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    world_ = new testing::AnnalsWorld();
    ASSERT_TRUE(world_->ok());
    session_ = std::make_shared<Session>();
    catalog_ = new CatalogClient(
        CatalogClient::Connect(world_->catalog_address(), {}, session_));
    timeline_ = new TimelineClient(
        TimelineClient::Connect(world_->timeline_address(), {}, session_));

    // Load in two stages to ask what the catalog knew in between: first
    // every entity and every statement the 2021 fact sheet makes, then the
    // rest (the later sources).
    std::vector<cv1::ImportRecordsRequest> files =
        testing::LoadNmiData(ANNALS_DATA_DIR);
    std::vector<cv1::ImportRecordsRequest> early, late;
    for (const cv1::ImportRecordsRequest& file : files) {
      cv1::ImportRecordsRequest first, second;
      for (const cv1::ImportRecord& record : file.records()) {
        bool cites_2021 = false;
        for (const auto& source : record.statement().sources()) {
          cites_2021 |= source.source() == kFactSheet2021;
        }
        bool early_record = record.has_entity() || cites_2021;
        *(early_record ? first : second).add_records() = record;
      }
      if (first.records_size() > 0) early.push_back(first);
      if (second.records_size() > 0) late.push_back(second);
    }
    ASSERT_OK(catalog_->ImportRecords(early));
    absl::SleepFor(absl::Milliseconds(5));
    // (TimeUtil::GetCurrentTime() has whole seconds only on this platform.)
    *before_later_sources_ =
        google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
            absl::ToUnixNanos(absl::Now()));
    absl::SleepFor(absl::Milliseconds(5));
    ASSERT_OK(catalog_->ImportRecords(late));
  }

  static void TearDownTestSuite() {
    delete timeline_;
    delete catalog_;
    delete world_;
  }

  // Who commanded NMI on `day`: commander id -> certainty.
  static std::map<std::string, std::string> Commanders(
      const std::string& day,
      const google::protobuf::Timestamp* known_at = nullptr) {
    tv1::GetSnapshotRequest request;
    request.set_entity("nmi");
    request.set_at(day);
    request.set_predicate("commander");
    if (known_at != nullptr) *request.mutable_known_at() = *known_at;
    absl::StatusOr<tv1::GetSnapshotResponse> snapshot =
        timeline_->GetSnapshot(request);
    EXPECT_OK(snapshot);
    std::map<std::string, std::string> result;
    if (!snapshot.ok()) return result;
    for (const auto& item : snapshot->statements()) {
      result[Id(item.statement().object().entity())] =
          CertaintyName(item.certainty());
    }
    return result;
  }

  // Which missions existed on `day` (a window of that one day, which
  // includes both of its ends): mission id -> certainty.
  static std::map<std::string, std::string> Missions(const std::string& day) {
    tv1::QueryWindowRequest request;
    request.set_from(day);
    request.set_to(day);
    request.set_item_type(tv1::ITEM_TYPE_LIFESPAN);
    request.set_kind("mission");
    absl::StatusOr<tv1::QueryWindowResponse> window =
        timeline_->QueryWindow(request);
    EXPECT_OK(window);
    std::map<std::string, std::string> result;
    if (!window.ok()) return result;
    for (const auto& item : window->items()) {
      result[Id(item.entity().name())] = CertaintyName(item.certainty());
    }
    return result;
  }

  static std::vector<std::string> Relations(tv1::ExtentReference a,
                                            tv1::ExtentReference b) {
    tv1::RelateRequest request;
    *request.mutable_a() = std::move(a);
    *request.mutable_b() = std::move(b);
    absl::StatusOr<tv1::RelateResponse> result = timeline_->Relate(request);
    EXPECT_OK(result);
    return result.ok() ? std::vector<std::string>(result->relations().begin(),
                                                  result->relations().end())
                       : std::vector<std::string>{};
  }

  static tv1::ExtentReference Lifespan(const std::string& id) {
    tv1::ExtentReference reference;
    reference.set_lifespan(id);
    return reference;
  }
  static tv1::ExtentReference Tenure(const std::string& commander) {
    tv1::ExtentReference reference;
    reference.set_statement("statements/nmi-commander-" + commander);
    return reference;
  }

  static tv1::HistoryEntry TenureOf(const std::string& commander) {
    tv1::ListHistoryRequest request;
    request.set_entity("nmi");
    request.set_predicate("commander");
    absl::StatusOr<tv1::ListHistoryResponse> history =
        timeline_->ListHistory(request);
    EXPECT_OK(history);
    if (history.ok()) {
      for (const auto& entry : history->entries()) {
        if (Id(entry.statement().object().entity()) == commander) return entry;
      }
    }
    ADD_FAILURE() << "no tenure for " << commander;
    return {};
  }

  static testing::AnnalsWorld* world_;
  static std::shared_ptr<Session> session_;
  static CatalogClient* catalog_;
  static TimelineClient* timeline_;
  static google::protobuf::Timestamp* before_later_sources_;
};

testing::AnnalsWorld* NmiQuestionsTest::world_ = nullptr;
std::shared_ptr<Session> NmiQuestionsTest::session_;
CatalogClient* NmiQuestionsTest::catalog_ = nullptr;
TimelineClient* NmiQuestionsTest::timeline_ = nullptr;
google::protobuf::Timestamp* NmiQuestionsTest::before_later_sources_ =
    new google::protobuf::Timestamp();

// --- Who commanded NMI on a given day -------------------------------------

TEST_F(NmiQuestionsTest, Q01_OnFirstJune2021LollesgaardCommanded) {
  EXPECT_THAT(Commanders("2021-06-01"),
              ElementsAre(Pair("michael-lollesgaard", "definite")));
}

TEST_F(NmiQuestionsTest, Q02_OnTheHandoverDayOlsenAndLollesgaardBothCommanded) {
  // Olsen's tenure is written 2020-11-24/2021-05-06, Lollesgaard's
  // 2021-05-06/2022-05-10: the handover day is Olsen's last and Lollesgaard's
  // first, so both hold on it. The next day Lollesgaard commands alone.
  EXPECT_THAT(Commanders("2021-05-06"),
              ElementsAre(Pair("michael-lollesgaard", "definite"),
                          Pair("per-olsen", "definite")));
  EXPECT_THAT(Commanders("2021-05-07"),
              ElementsAre(Pair("michael-lollesgaard", "definite")));
}

TEST_F(NmiQuestionsTest, Q03_TheDayBeforeTheHandoverOlsenCommanded) {
  EXPECT_THAT(Commanders("2021-05-05"),
              ElementsAre(Pair("per-olsen", "definite")));
}

TEST_F(NmiQuestionsTest, Q04_InsideNovember2018FortinOnlyPossiblyCommanded) {
  EXPECT_THAT(Commanders("2018-11-15"),
              ElementsAre(Pair("dany-fortin", "possible")));
}

TEST_F(NmiQuestionsTest, Q05_InJanuary2019FortinDefinitelyCommanded) {
  EXPECT_THAT(Commanders("2019-01-15"),
              ElementsAre(Pair("dany-fortin", "definite")));
}

TEST_F(NmiQuestionsTest, Q06_OnCarignansFirstDayFortinStillCommanded) {
  // Fortin's tenure ends on 26 November 2019 (2018-11/2019-11-26), the day
  // Carignan's begins (2019-11-26/2020-11-24): his last day, her first.
  EXPECT_THAT(Commanders("2019-11-26"),
              ElementsAre(Pair("dany-fortin", "definite"),
                          Pair("jennie-carignan", "definite")));
  EXPECT_THAT(Commanders("2019-11-27"),
              ElementsAre(Pair("jennie-carignan", "definite")));
}

TEST_F(NmiQuestionsTest, Q07_In2020CarignanCommanded) {
  EXPECT_THAT(Commanders("2020-06-30"),
              ElementsAre(Pair("jennie-carignan", "definite")));
}

TEST_F(NmiQuestionsTest, Q08_InDecember2022IannucciCommanded) {
  EXPECT_THAT(Commanders("2022-12-01"),
              ElementsAre(Pair("giovanni-maria-iannucci", "definite")));
}

TEST_F(NmiQuestionsTest, Q09_InDecember2023AgueroMartinezCommanded) {
  EXPECT_THAT(Commanders("2023-12-01"),
              ElementsAre(Pair("jose-antonio-aguero-martinez", "definite")));
}

TEST_F(NmiQuestionsTest, Q10_SchreursCommandsOpenEndedFromMay2024) {
  // 24 May 2024 is Aguero Martinez's last day (2023-05-24/2024-05-24) and
  // Schreurs' first (2024-05-24/..).
  EXPECT_THAT(Commanders("2024-05-24"),
              ElementsAre(Pair("jose-antonio-aguero-martinez", "definite"),
                          Pair("lucas-schreurs", "definite")));
  EXPECT_THAT(Commanders("2024-05-25"),
              ElementsAre(Pair("lucas-schreurs", "definite")));
  EXPECT_THAT(Commanders("2026-01-01"),
              ElementsAre(Pair("lucas-schreurs", "definite")));
}

TEST_F(NmiQuestionsTest, Q11_BeforeNovember2018NoCommanderIsOnRecord) {
  EXPECT_THAT(Commanders("2018-10-15"), IsEmpty());
}

// --- The commanders in order, and tenure lengths ---------------------------

TEST_F(NmiQuestionsTest, Q12_TheSevenCommandersInOrder) {
  tv1::ListHistoryRequest request;
  request.set_entity("nmi");
  request.set_predicate("commander");
  ASSERT_OK_AND_ASSIGN(tv1::ListHistoryResponse history,
                       timeline_->ListHistory(request));
  std::vector<std::string> order;
  for (const auto& entry : history.entries()) {
    order.push_back(Id(entry.statement().object().entity()));
  }
  EXPECT_THAT(order,
              ElementsAre("dany-fortin", "jennie-carignan", "per-olsen",
                          "michael-lollesgaard", "giovanni-maria-iannucci",
                          "jose-antonio-aguero-martinez", "lucas-schreurs"));
}

TEST_F(NmiQuestionsTest, Q13_OlsensTenureWas164Days) {
  // 24 November 2020 through 6 May 2021, both included: 7 days of November,
  // 31 + 31 + 28 + 31 + 30 from December to April, and 6 of May.
  tv1::HistoryEntry olsen = TenureOf("per-olsen");
  EXPECT_EQ(olsen.duration().min_days(), 164);
  EXPECT_EQ(olsen.duration().max_days(), 164);
}

TEST_F(NmiQuestionsTest, Q14_FortinsTenureWasBetween362And391Days) {
  // From some day of November 2018 through 26 November 2019: at least
  // 30 Nov 2018 through 26 Nov 2019 (362 days), at most from 1 Nov (391).
  tv1::HistoryEntry fortin = TenureOf("dany-fortin");
  EXPECT_EQ(fortin.duration().min_days(), 362);
  EXPECT_EQ(fortin.duration().max_days(), 391);
}

TEST_F(NmiQuestionsTest, Q15_CarignansTenureWas365DaysADayShortOfAYear) {
  // 26 Nov 2019 through 24 Nov 2020, both included, crosses 29 Feb 2020:
  // 365 days, one short of the 366 through 25 Nov 2020.
  tv1::HistoryEntry carignan = TenureOf("jennie-carignan");
  EXPECT_EQ(carignan.duration().min_days(), 365);
  EXPECT_EQ(carignan.duration().max_days(), 365);
}

TEST_F(NmiQuestionsTest, Q16_SchreursTenureHasNoUpperBound) {
  tv1::HistoryEntry schreurs = TenureOf("lucas-schreurs");
  EXPECT_FALSE(schreurs.duration().has_max_days());
}

// --- Which missions were active -------------------------------------------

TEST_F(NmiQuestionsTest, Q17_In2010OnlyNtmIWasActive) {
  EXPECT_THAT(Missions("2010-06-01"), ElementsAre(Pair("ntm-i", "definite")));
}

TEST_F(NmiQuestionsTest, Q18_NtmIEndedOnThirtyFirstDecember2011) {
  // NTM-I is 2004/2011-12-31, "discontinued 31 December 2011": it held on
  // that day, its last, and not on the next.
  EXPECT_THAT(Missions("2011-12-31"), ElementsAre(Pair("ntm-i", "definite")));
  EXPECT_THAT(Missions("2012-01-01"), IsEmpty());
}

TEST_F(NmiQuestionsTest, Q19_In2013NoMissionWasActive) {
  EXPECT_THAT(Missions("2013-06-01"), IsEmpty());
}

TEST_F(NmiQuestionsTest, Q20_InJuly2016TheJordanTrainingWasActive) {
  EXPECT_THAT(Missions("2016-07-01"),
              ElementsAre(Pair("nato-iraq-training-jordan", "definite")));
}

TEST_F(NmiQuestionsTest, Q21_In2020NmiAndItsFirstPhaseWereActive) {
  std::map<std::string, std::string> missions = Missions("2020-01-01");
  EXPECT_EQ(missions["nmi"], "definite");
  EXPECT_EQ(missions["nmi-i"], "definite");
  EXPECT_FALSE(missions.contains("nmi-ii"));
  EXPECT_FALSE(missions.contains("ntm-i"));
}

TEST_F(NmiQuestionsTest, Q22_InMid2021EitherPhaseOfNmiMayHaveBeenActive) {
  std::map<std::string, std::string> missions = Missions("2021-06-01");
  EXPECT_EQ(missions["nmi"], "definite");
  EXPECT_EQ(missions["nmi-i"], "possible");
  EXPECT_EQ(missions["nmi-ii"], "possible");
}

// --- The gap between NTM-I and NMI, and commander gaps ---------------------

TEST_F(NmiQuestionsTest, Q23_NtmIEndedBeforeNmiBegan) {
  tv1::RelateRequest request;
  *request.mutable_a() = Lifespan("ntm-i");
  *request.mutable_b() = Lifespan("nmi");
  ASSERT_OK_AND_ASSIGN(tv1::RelateResponse relation,
                       timeline_->Relate(request));
  EXPECT_THAT(relation.relations(), ElementsAre("before"));
  EXPECT_TRUE(relation.definite());
  // The gap: NTM-I's last day was 31 Dec 2011; NMI began in October 2018.
  EXPECT_EQ(relation.a_extent().bounds().earliest_last_day(), "2011-12-31");
  EXPECT_EQ(relation.a_extent().bounds().latest_last_day(), "2011-12-31");
  // The deprecated exclusive end is the day after the last day.
  EXPECT_EQ(relation.a_extent().bounds().latest_end(), "2012-01-01");
  EXPECT_EQ(relation.b_extent().bounds().earliest_start(), "2018-10-01");
}

TEST_F(NmiQuestionsTest,
       Q24_NmiHadNoCommanderInOctober2018AndMaybeNotInNovember) {
  tv1::FindGapsRequest request;
  request.set_subject("nmi");
  request.set_predicate("commander");
  // October through December 2018, both months included.
  request.set_from("2018-10");
  request.set_to("2018-12");
  ASSERT_OK_AND_ASSIGN(tv1::FindGapsResponse gaps,
                       timeline_->FindGaps(request));
  // Gaps give their first and last day.
  ASSERT_EQ(gaps.definite_gaps_size(), 1);
  EXPECT_EQ(gaps.definite_gaps(0).from(), "2018-10-01");
  EXPECT_EQ(gaps.definite_gaps(0).to(), "2018-10-31");
  ASSERT_EQ(gaps.possible_gaps_size(), 1);
  // Fortin took over on some day of November 2018: by the 30th he had,
  // whichever day it was, so the 29th is the last day he may not have.
  EXPECT_EQ(gaps.possible_gaps(0).from(), "2018-11-01");
  EXPECT_EQ(gaps.possible_gaps(0).to(), "2018-11-29");
}

TEST_F(NmiQuestionsTest, Q25_FromDecember2018OnNmiAlwaysHadACommander) {
  tv1::FindGapsRequest request;
  request.set_subject("nmi");
  request.set_predicate("commander");
  // Every handover is on a day both commanders' tenures include.
  request.set_from("2018-12-01");
  request.set_to("2025-12-31");
  ASSERT_OK_AND_ASSIGN(tv1::FindGapsResponse gaps,
                       timeline_->FindGaps(request));
  EXPECT_THAT(gaps.definite_gaps(), IsEmpty());
  EXPECT_THAT(gaps.possible_gaps(), IsEmpty());
}

// --- Events of a year, in order --------------------------------------------

TEST_F(NmiQuestionsTest, Q26_TheEventsOf2017InOrder) {
  tv1::QueryWindowRequest request;
  // All of 2017, and no day of 2018 (the request of 2018, a date of year
  // precision, may have been made on 1 January 2018).
  request.set_from("2017");
  request.set_to("2017");
  request.set_item_type(tv1::ITEM_TYPE_EVENT);
  ASSERT_OK_AND_ASSIGN(tv1::QueryWindowResponse window,
                       timeline_->QueryWindow(request));
  std::vector<std::string> events;
  for (const auto& item : window.items())
    events.push_back(Id(item.entity().name()));
  EXPECT_THAT(events, ElementsAre("core-team-deployment-2017",
                                  "training-transfer-to-iraq-2017",
                                  "nato-joins-global-coalition-2017",
                                  "isis-victory-declaration-2017"));
}

TEST_F(NmiQuestionsTest, Q27_TheEventsOf2018InOrder) {
  tv1::QueryWindowRequest request;
  // All of 2018, and not the course of 2019 (some day of 2019).
  request.set_from("2018");
  request.set_to("2018");
  request.set_item_type(tv1::ITEM_TYPE_EVENT);
  ASSERT_OK_AND_ASSIGN(tv1::QueryWindowResponse window,
                       timeline_->QueryWindow(request));
  std::vector<std::string> events;
  for (const auto& item : window.items())
    events.push_back(Id(item.entity().name()));
  // The request of 2018 has only a year: it sorts by its earliest day.
  EXPECT_THAT(events, ElementsAre("iraqi-request-for-nato-assistance-2018",
                                  "stoltenberg-visit-camp-besmaya-2018",
                                  "nato-summit-2018-brussels",
                                  "nmi-establishment-2018"));
}

// --- Allen relations between missions and tenures ---------------------------

TEST_F(NmiQuestionsTest, Q28_OlsensTenureOverlapsLollesgaardsOnTheHandoverDay) {
  // They share one day, 6 May 2021: Olsen starts first and Lollesgaard ends
  // last, so the tenures overlap (meets would leave no day in common).
  EXPECT_THAT(Relations(Tenure("per-olsen"), Tenure("michael-lollesgaard")),
              ElementsAre("overlaps"));
  EXPECT_THAT(Relations(Tenure("jennie-carignan"), Tenure("per-olsen")),
              ElementsAre("overlaps"));
}

TEST_F(NmiQuestionsTest, Q29_FortinsTenureFallsDuringNmi) {
  // NMI began in October 2018, Fortin's tenure in November: always during.
  EXPECT_THAT(Relations(Tenure("dany-fortin"), Lifespan("nmi")),
              ElementsAre("during"));
}

TEST_F(NmiQuestionsTest, Q30_NmiPhaseOneEndsBeforeMeetsOrOverlapsPhaseTwo) {
  // Both change over at an unknown day of 2021.
  EXPECT_THAT(Relations(Lifespan("nmi-i"), Lifespan("nmi-ii")),
              UnorderedElementsAre("before", "meets", "overlaps"));
}

TEST_F(NmiQuestionsTest, Q31_SchreursAndNmiBothRunOnAndEndTogether) {
  EXPECT_THAT(Relations(Tenure("lucas-schreurs"), Lifespan("nmi")),
              ElementsAre("finishes"));
}

// --- What the catalog said before the later sources ------------------------

TEST_F(NmiQuestionsTest,
       Q32_BeforeTheLaterSourcesNoCommanderAfterOlsenWasKnown) {
  EXPECT_THAT(Commanders("2021-03-01", before_later_sources_),
              ElementsAre(Pair("per-olsen", "definite")));
  EXPECT_THAT(Commanders("2025-01-01", before_later_sources_), IsEmpty());
  EXPECT_THAT(Commanders("2025-01-01"),
              ElementsAre(Pair("lucas-schreurs", "definite")));
}

TEST_F(NmiQuestionsTest,
       Q33_ThePersonnelFiguresOfBothSourcesAreKeptSideBySide) {
  cv1::ListStatementsRequest request;
  request.set_subject("nmi");
  request.set_predicate("personnel");
  ASSERT_OK_AND_ASSIGN(cv1::ListStatementsResponse statements,
                       catalog_->ListStatements(request));
  std::set<std::string> sources;
  for (const auto& statement : statements.statements()) {
    for (const auto& source : statement.sources())
      sources.insert(Id(source.source()));
  }
  EXPECT_GE(statements.statements_size(), 2);
  EXPECT_TRUE(sources.contains("nato-nmi-factsheet-2021"));
  EXPECT_TRUE(sources.contains("nato-nmi-topic-page-2024"));
}

TEST_F(NmiQuestionsTest, Q34_NmiAdvisedTheInteriorMinistryOnlyFromAugust2023) {
  auto advised = [](const std::string& day) {
    tv1::GetSnapshotRequest request;
    request.set_entity("nmi");
    request.set_at(day);
    request.set_predicate("advises");
    absl::StatusOr<tv1::GetSnapshotResponse> snapshot =
        timeline_->GetSnapshot(request);
    EXPECT_OK(snapshot);
    std::map<std::string, std::string> result;
    if (!snapshot.ok()) return result;
    for (const auto& item : snapshot->statements()) {
      if (item.statement().subject() != "entities/nmi") continue;
      std::string id = Id(item.statement().object().entity());
      // Keep the surest answer when several sources say it.
      std::string certainty = CertaintyName(item.certainty());
      if (result[id] != "definite") result[id] = certainty;
    }
    return result;
  };
  std::map<std::string, std::string> in_2022 = advised("2022-06-01");
  EXPECT_FALSE(in_2022.contains("iraqi-ministry-of-interior"));
  EXPECT_FALSE(in_2022.contains("iraqi-federal-police-command"));
  std::map<std::string, std::string> in_2024 = advised("2024-01-01");
  EXPECT_EQ(in_2024["iraqi-ministry-of-interior"], "definite");
  EXPECT_EQ(in_2024["iraqi-federal-police-command"], "definite");
}

TEST_F(NmiQuestionsTest, Q35_Before2024OnlyTheFactSheetsHeadcountWasKnown) {
  tv1::QueryWindowRequest request;
  request.set_from("2021");
  request.set_to("2024");
  request.set_entity("nmi");
  request.set_predicate("personnel");
  *request.mutable_known_at() = *before_later_sources_;
  ASSERT_OK_AND_ASSIGN(tv1::QueryWindowResponse then,
                       timeline_->QueryWindow(request));
  std::vector<std::string> amounts;
  for (const auto& item : then.items()) {
    amounts.push_back(item.statement().object().quantity().amount());
  }
  EXPECT_THAT(amounts, ElementsAre("500"));
  request.clear_known_at();
  ASSERT_OK_AND_ASSIGN(tv1::QueryWindowResponse now,
                       timeline_->QueryWindow(request));
  amounts.clear();
  for (const auto& item : now.items()) {
    amounts.push_back(item.statement().object().quantity().amount());
  }
  EXPECT_THAT(amounts, ElementsAre("500", "200"));
}

}  // namespace
}  // namespace annals
