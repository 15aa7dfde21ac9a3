// TimelineState fed with the change feed of a real Catalog (RocksDB in a
// temporary folder, an injected clock), on the NATO-in-Iraq data.
#include "services/timeline/timeline_state.h"

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "services/catalog/catalog.h"
#include "services/catalog/storage/rocksdb_storage.h"
#include "services/common/status/errors.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/timeline/nato_world.h"

namespace annals::timeline {
namespace {

using ::annals::testing::NatoEntity;
using ::annals::testing::NatoImport;
using ::annals::testing::NatoStatement;
using ::annals::testing::StatusIs;
using ::annals::testing::TempDir;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr auto kDefinite = type::v1::CERTAINTY_DEFINITE;
constexpr auto kPossible = type::v1::CERTAINTY_POSSIBLE;

google::protobuf::Timestamp ToProto(absl::Time time) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(time));
}

class TimelineStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state_.MarkCaughtUp();  // no catalog to catch up with: queries answer
    catalog::RocksDbOptions storage_options;
    storage_options.sync_writes = false;
    auto storage = catalog::OpenRocksDbStorage(dir_.path(), storage_options);
    ASSERT_OK(storage);
    catalog::CatalogOptions options;
    options.clock = [this] { return now_; };
    auto opened = catalog::Catalog::Open(*std::move(storage), options);
    ASSERT_OK(opened);
    catalog_ = *std::move(opened);
  }

  // Applies every change the catalog has and the state has not.
  void Sync() {
    auto changes =
        catalog_->ReadChanges(state_.applied_sequence(), 1 << 20, 1 << 30);
    ASSERT_OK(changes);
    ASSERT_OK(state_.Apply(*changes));
  }

  void ImportNato() {
    ASSERT_OK(catalog_->ImportBatch(NatoImport()));
    Sync();
  }

  // Re-imports one statement with changed content: a correction.
  void Reimport(const catalog::v1::ImportRecord& record) {
    catalog::v1::ImportRecordsRequest request;
    *request.add_records() = record;
    auto result = catalog_->ImportBatch(request);
    ASSERT_OK(result);
    ASSERT_EQ(result->statements_updated(), 1);
    Sync();
  }

  void Retract(const std::string& name) {
    catalog::v1::RetractStatementRequest request;
    request.set_name(name);
    request.set_reason("wrong source");
    ASSERT_OK(catalog_->RetractStatement(request));
    Sync();
  }

  absl::StatusOr<v1::GetSnapshotResponse> Snapshot(
      const std::string& entity, const std::string& at,
      std::optional<absl::Time> known_at = std::nullopt) {
    v1::GetSnapshotRequest request;
    request.set_entity(entity);
    request.set_at(at);
    if (known_at.has_value()) *request.mutable_known_at() = ToProto(*known_at);
    return state_.GetSnapshot(request);
  }

  // (statement name, certainty) of a snapshot.
  static std::vector<std::pair<std::string, type::v1::Certainty>> Held(
      const v1::GetSnapshotResponse& snapshot) {
    std::vector<std::pair<std::string, type::v1::Certainty>> held;
    for (const auto& item : snapshot.statements()) {
      held.emplace_back(item.statement().name(), item.certainty());
    }
    return held;
  }

  std::vector<std::string> History(
      const std::string& entity, const std::string& predicate,
      std::optional<absl::Time> known_at = std::nullopt) {
    v1::ListHistoryRequest request;
    request.set_entity(entity);
    request.set_predicate(predicate);
    if (known_at.has_value()) *request.mutable_known_at() = ToProto(*known_at);
    auto history = state_.ListHistory(request);
    EXPECT_OK(history);
    std::vector<std::string> names;
    if (!history.ok()) return names;
    for (const auto& entry : history->entries()) {
      names.push_back(entry.statement().name());
    }
    return names;
  }

  absl::StatusOr<v1::FindGapsResponse> Gaps(const std::string& from,
                                            const std::string& to) {
    v1::FindGapsRequest request;
    request.set_subject("nmi");
    request.set_predicate("commander");
    request.set_from(from);
    request.set_to(to);
    return state_.FindGaps(request);
  }

  static std::vector<std::pair<std::string, std::string>> Ranges(
      const google::protobuf::RepeatedPtrField<v1::DayRange>& ranges) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& range : ranges) out.emplace_back(range.from(), range.to());
    return out;
  }

  TempDir dir_;
  absl::Time now_ = absl::FromUnixSeconds(1700000000);
  std::unique_ptr<catalog::Catalog> catalog_;
  TimelineState state_;
};

TEST_F(TimelineStateTest,
       SnapshotInJune2021HasLollesgaardDefinitelyWithSources) {
  ImportNato();
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot("entities/nmi", "2021-06-01"));
  EXPECT_THAT(
      Held(snapshot),
      ElementsAre(Pair("statements/nmi-commander-lollesgaard", kDefinite)));
  EXPECT_EQ(snapshot.entity().label(), "NATO Mission Iraq");
  EXPECT_EQ(snapshot.lifespan_certainty(), kDefinite);
  ASSERT_EQ(snapshot.statements(0).statement().sources_size(), 1);
  EXPECT_EQ(snapshot.statements(0).statement().sources(0).source(),
            "entities/nato-fact-sheet");
  EXPECT_EQ(snapshot.sequence(), catalog_->head_sequence());
}

TEST_F(TimelineStateTest, OnTheHandoverDayBothCommandersHold) {
  ImportNato();
  // Olsen 2020-11-24/2021-05-06 ends on the day Lollesgaard
  // 2021-05-06/2022-05 starts: A/B includes B.
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot("nmi", "2021-05-06"));
  EXPECT_THAT(
      Held(snapshot),
      ElementsAre(Pair("statements/nmi-commander-olsen", kDefinite),
                  Pair("statements/nmi-commander-lollesgaard", kDefinite)));
  ASSERT_OK_AND_ASSIGN(auto day_before, Snapshot("nmi", "2021-05-05"));
  EXPECT_THAT(Held(day_before),
              ElementsAre(Pair("statements/nmi-commander-olsen", kDefinite)));
  ASSERT_OK_AND_ASSIGN(auto day_after, Snapshot("nmi", "2021-05-07"));
  EXPECT_THAT(
      Held(day_after),
      ElementsAre(Pair("statements/nmi-commander-lollesgaard", kDefinite)));
}

TEST_F(TimelineStateTest, FortinPossiblyCommandsInMidNovember2018) {
  ImportNato();
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot("nmi", "2018-11-15"));
  EXPECT_THAT(Held(snapshot),
              ElementsAre(Pair("statements/nmi-commander-fortin", kPossible)));
  ASSERT_OK_AND_ASSIGN(auto before, Snapshot("nmi", "2018-10-15"));
  EXPECT_THAT(Held(before), IsEmpty());
  EXPECT_EQ(before.lifespan_certainty(), kPossible);  // NMI from "2018-10"
}

TEST_F(TimelineStateTest, SnapshotOfAPersonFindsStatementsWhereItIsTheObject) {
  ImportNato();
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot("olsen", "2021-01-01"));
  EXPECT_THAT(Held(snapshot),
              ElementsAre(Pair("statements/nmi-commander-olsen", kDefinite)));
  EXPECT_EQ(snapshot.lifespan_certainty(), type::v1::CERTAINTY_UNSPECIFIED);
}

TEST_F(TimelineStateTest, HistoryListsTheCommandersInOrderWithDurations) {
  ImportNato();
  v1::ListHistoryRequest request;
  request.set_entity("nmi");
  request.set_predicate("commander");
  ASSERT_OK_AND_ASSIGN(auto history, state_.ListHistory(request));
  std::vector<std::string> names;
  for (const auto& entry : history.entries()) {
    names.push_back(entry.statement().name());
  }
  EXPECT_THAT(names, ElementsAre("statements/nmi-commander-fortin",
                                 "statements/nmi-commander-carignan",
                                 "statements/nmi-commander-olsen",
                                 "statements/nmi-commander-lollesgaard",
                                 "statements/nmi-commander-iannucci",
                                 "statements/nmi-commander-aguero",
                                 "statements/nmi-commander-schreurs"));
  const auto& fortin = history.entries(0).duration();
  // 2018-11/2019-11: from 2018-11-30 through 2019-11-01 at the shortest,
  // from 2018-11-01 through 2019-11-30 at the longest, both days counted.
  EXPECT_EQ(fortin.min_days(), 337);
  EXPECT_EQ(fortin.max_days(), 395);
  const auto& olsen = history.entries(2).duration();
  EXPECT_EQ(olsen.min_days(), 164);
  EXPECT_EQ(olsen.max_days(), 164);
  const auto& schreurs = history.entries(6).duration();  // ongoing
  EXPECT_FALSE(schreurs.has_min_days());
  EXPECT_FALSE(schreurs.has_max_days());
  EXPECT_TRUE(history.next_page_token().empty());
}

TEST_F(TimelineStateTest, HistoryPagesJoinUpAndTokensAreChecked) {
  ImportNato();
  v1::ListHistoryRequest request;
  request.set_entity("nmi");
  request.set_page_size(3);
  std::vector<std::string> names;
  std::string first_token;
  for (int page = 0; page < 10; ++page) {
    ASSERT_OK_AND_ASSIGN(auto response, state_.ListHistory(request));
    EXPECT_LE(response.entries_size(), 3);
    for (const auto& entry : response.entries()) {
      names.push_back(entry.statement().name());
    }
    if (page == 0) first_token = response.next_page_token();
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(names, History("nmi", ""));
  EXPECT_EQ(names.size(), 7u);

  // Edited by hand, or used with another filter: rejected.
  request.set_page_token(first_token + "x");
  EXPECT_THAT(
      state_.ListHistory(request),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  request.set_page_token(first_token);
  request.set_predicate("commander");
  EXPECT_THAT(
      state_.ListHistory(request),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
}

TEST_F(TimelineStateTest, CommandGapsInAutumn2018AreDefiniteThenPossible) {
  ImportNato();
  ASSERT_OK_AND_ASSIGN(auto gaps, Gaps("2018-10-01", "2018-11-30"));
  // Ranges name their first and last days. Fortin took over on some day
  // of November 2018: for certain from the 30th.
  EXPECT_THAT(Ranges(gaps.definite_gaps()),
              ElementsAre(Pair("2018-10-01", "2018-10-31")));
  EXPECT_THAT(Ranges(gaps.possible_gaps()),
              ElementsAre(Pair("2018-11-01", "2018-11-29")));
  EXPECT_EQ(gaps.statement_count(), 7);
}

TEST_F(TimelineStateTest, CommandGapsOverTheWholeMissionMatchTheDocument) {
  ImportNato();
  ASSERT_OK_AND_ASSIGN(auto gaps, Gaps("2018-10-01", "2024-05-31"));
  EXPECT_THAT(Ranges(gaps.definite_gaps()),
              ElementsAre(Pair("2018-10-01", "2018-10-31")));
  // Fortin (2018-11/2019-11) held at least on 2019-11-01 and Carignan from
  // 2019-11-26; Lollesgaard (../2022-05) at least on 2022-05-01 and
  // Iannucci (2022-05/2023-05) for certain from 2022-05-31, who again held
  // at least on 2023-05-01 while Aguero came on some day of May 2023.
  EXPECT_THAT(Ranges(gaps.possible_gaps()),
              ElementsAre(Pair("2018-11-01", "2018-11-29"),
                          Pair("2019-11-02", "2019-11-25"),
                          Pair("2022-05-02", "2022-05-30"),
                          Pair("2023-05-02", "2023-05-30")));
}

TEST_F(TimelineStateTest, GapsWithAnUnboundedWindowReportUnboundedSides) {
  ImportNato();
  ASSERT_OK_AND_ASSIGN(auto gaps, Gaps("", "2018-12-31"));
  EXPECT_THAT(Ranges(gaps.definite_gaps()),
              ElementsAre(Pair("", "2018-10-31")));
}

TEST_F(TimelineStateTest,
       RelateFindsAllenRelationsBetweenLifespansAndStatements) {
  ImportNato();
  v1::RelateRequest request;
  request.mutable_a()->set_lifespan("ntm-i");
  request.mutable_b()->set_lifespan("entities/nmi");
  ASSERT_OK_AND_ASSIGN(auto missions, state_.Relate(request));
  EXPECT_THAT(missions.relations(), ElementsAre("before"));
  EXPECT_TRUE(missions.definite());
  EXPECT_EQ(missions.a_extent().edtf(), "2004/2011-12-31");

  request.mutable_a()->set_statement("nmi-commander-olsen");
  request.mutable_b()->set_statement("statements/nmi-commander-lollesgaard");
  ASSERT_OK_AND_ASSIGN(auto handover, state_.Relate(request));
  // Both command on the handover day: one day of overlap.
  EXPECT_THAT(handover.relations(), ElementsAre("overlaps"));
  EXPECT_TRUE(handover.definite());

  request.mutable_a()->set_statement("nmi-commander-fortin");
  request.mutable_b()->set_statement("nmi-commander-carignan");
  ASSERT_OK_AND_ASSIGN(auto fuzzy, state_.Relate(request));
  EXPECT_THAT(fuzzy.relations(), ElementsAre("before", "meets", "overlaps"));
  EXPECT_FALSE(fuzzy.definite());

  // A single relation with an uncertain extent is not definite.
  request.mutable_a()->set_edtf("2000?");
  request.mutable_b()->set_lifespan("nmi");
  ASSERT_OK_AND_ASSIGN(auto uncertain, state_.Relate(request));
  EXPECT_THAT(uncertain.relations(), ElementsAre("before"));
  EXPECT_FALSE(uncertain.definite());
}

TEST_F(TimelineStateTest, WindowListsLifespansAndStatementsChronologically) {
  ImportNato();
  v1::QueryWindowRequest request;
  request.set_from("2019");
  request.set_to("2019");
  ASSERT_OK_AND_ASSIGN(auto window, state_.QueryWindow(request));
  std::vector<std::pair<std::string, type::v1::Certainty>> items;
  for (const auto& item : window.items()) {
    items.emplace_back(
        item.has_entity() ? item.entity().name() : item.statement().name(),
        item.certainty());
  }
  EXPECT_THAT(
      items, ElementsAre(Pair("entities/nmi", kDefinite),
                         Pair("statements/nmi-commander-fortin", kDefinite),
                         Pair("statements/nmi-commander-carignan", kDefinite)));
  EXPECT_EQ(window.items(0).item_type(), v1::ITEM_TYPE_LIFESPAN);
  EXPECT_EQ(window.items(1).item_type(), v1::ITEM_TYPE_STATEMENT);
}

// An event's lifespan is shown with its sources, as a statement's valid time
// is; known_at shows the sources the lifespan had then.
TEST_F(TimelineStateTest, EventInAWindowCarriesItsLifespanSourcesAsKnownThen) {
  ImportNato();
  const absl::Time unsourced = now_;
  auto cite = [this](const std::string& locator) {
    catalog::v1::ImportRecordsRequest request;
    *request.add_records() =
        NatoEntity("nmi-launch", "event", "NMI launched", "2018-07");
    catalog::v1::SourceCitation* source =
        request.mutable_records(0)->mutable_entity()->add_lifespan_sources();
    source->set_source("entities/nato-fact-sheet");
    source->set_locator(locator);
    auto result = catalog_->ImportBatch(request);
    ASSERT_OK(result);
    ASSERT_EQ(result->entities_updated(), 1);
    Sync();
  };
  now_ += absl::Hours(1);
  cite("para 1");
  const absl::Time first_citation = now_;
  now_ += absl::Hours(1);
  cite("para 2");

  // The locators of the event's lifespan, in a window and in a snapshot.
  auto window_locators = [this](std::optional<absl::Time> known_at) {
    v1::QueryWindowRequest request;
    request.set_from("2018-01-01");
    request.set_to("2018-12-31");
    request.set_item_type(v1::ITEM_TYPE_EVENT);
    if (known_at.has_value()) *request.mutable_known_at() = ToProto(*known_at);
    std::vector<std::string> locators;
    auto window = state_.QueryWindow(request);
    EXPECT_OK(window);
    if (!window.ok()) return locators;
    EXPECT_EQ(window->items_size(), 1);
    for (const auto& item : window->items()) {
      EXPECT_EQ(item.entity().name(), "entities/nmi-launch");
      for (const auto& source : item.entity().lifespan_sources()) {
        EXPECT_EQ(source.source(), "entities/nato-fact-sheet");
        locators.push_back(source.locator());
      }
    }
    return locators;
  };
  auto snapshot_locators = [this](std::optional<absl::Time> known_at) {
    std::vector<std::string> locators;
    auto snapshot = Snapshot("nmi-launch", "2018-07-15", known_at);
    EXPECT_OK(snapshot);
    if (!snapshot.ok()) return locators;
    EXPECT_EQ(snapshot->lifespan_certainty(), kPossible);
    for (const auto& source : snapshot->entity().lifespan_sources()) {
      locators.push_back(source.locator());
    }
    return locators;
  };
  EXPECT_THAT(window_locators(std::nullopt), ElementsAre("para 2"));
  EXPECT_THAT(snapshot_locators(std::nullopt), ElementsAre("para 2"));
  EXPECT_THAT(window_locators(first_citation), ElementsAre("para 1"));
  EXPECT_THAT(snapshot_locators(first_citation), ElementsAre("para 1"));
  EXPECT_THAT(window_locators(unsourced), IsEmpty());
  EXPECT_THAT(snapshot_locators(unsourced), IsEmpty());
}

TEST_F(TimelineStateTest, WindowFiltersByTypeKindPredicateAndEntity) {
  ImportNato();
  auto names = [&](v1::QueryWindowRequest request) {
    request.set_from("2018");
    request.set_to("2018");
    std::vector<std::string> out;
    auto window = state_.QueryWindow(request);
    EXPECT_OK(window);
    if (!window.ok()) return out;
    for (const auto& item : window->items()) {
      out.push_back(item.has_entity() ? item.entity().name()
                                      : item.statement().name());
    }
    return out;
  };
  v1::QueryWindowRequest events;
  events.set_item_type(v1::ITEM_TYPE_EVENT);
  EXPECT_THAT(names(events), ElementsAre("entities/nmi-launch"));
  v1::QueryWindowRequest lifespans;
  lifespans.set_item_type(v1::ITEM_TYPE_LIFESPAN);
  EXPECT_THAT(names(lifespans), ElementsAre("entities/nmi"));
  v1::QueryWindowRequest missions;
  missions.set_kind("mission");  // NMI, and statements about missions
  EXPECT_THAT(names(missions),
              ElementsAre("entities/nmi", "statements/nmi-commander-fortin"));
  v1::QueryWindowRequest people;
  people.set_kind("person");
  EXPECT_THAT(names(people), IsEmpty());
  v1::QueryWindowRequest commanders;
  commanders.set_predicate("commander");
  EXPECT_THAT(names(commanders),
              ElementsAre("statements/nmi-commander-fortin"));
  v1::QueryWindowRequest fortin;
  fortin.set_entity("fortin");
  EXPECT_THAT(names(fortin), ElementsAre("statements/nmi-commander-fortin"));
  v1::QueryWindowRequest unknown_predicate;
  unknown_predicate.set_predicate("never_used");
  EXPECT_THAT(names(unknown_predicate), IsEmpty());
}

TEST_F(TimelineStateTest, CountActiveByYearCountsCommandersDefinitely) {
  ImportNato();
  v1::CountActiveRequest request;
  request.set_bucket(v1::BUCKET_YEAR);
  request.set_from("2018");
  request.set_to("2024");
  request.set_predicate("commander");
  ASSERT_OK_AND_ASSIGN(auto counts, state_.CountActive(request));
  std::vector<std::tuple<std::string, int64_t, int64_t>> rows;
  for (const auto& bucket : counts.buckets()) {
    rows.emplace_back(bucket.range().from(), bucket.definite(),
                      bucket.possible());
  }
  EXPECT_THAT(rows, ElementsAre(std::make_tuple("2018-01-01", 1, 0),
                                std::make_tuple("2019-01-01", 2, 0),
                                std::make_tuple("2020-01-01", 2, 0),
                                std::make_tuple("2021-01-01", 2, 0),
                                std::make_tuple("2022-01-01", 2, 0),
                                std::make_tuple("2023-01-01", 2, 0),
                                std::make_tuple("2024-01-01", 2, 0)));
  EXPECT_EQ(counts.buckets(6).range().to(), "2024-12-31");
}

TEST_F(TimelineStateTest, CountActiveByMonthSeparatesDefiniteFromPossible) {
  ImportNato();
  v1::CountActiveRequest request;
  request.set_bucket(v1::BUCKET_MONTH);
  request.set_from("2019-10-15");  // the first bucket is clipped
  request.set_to("2019-11");
  request.set_predicate("commander");
  ASSERT_OK_AND_ASSIGN(auto counts, state_.CountActive(request));
  ASSERT_EQ(counts.buckets_size(), 2);
  EXPECT_EQ(counts.buckets(0).range().from(), "2019-10-15");
  EXPECT_EQ(counts.buckets(0).range().to(), "2019-10-31");
  EXPECT_EQ(counts.buckets(0).definite(), 1);  // Fortin
  EXPECT_EQ(counts.buckets(0).possible(), 0);
  // November 2019: Carignan from the 26th for sure, and Fortin, whose last
  // day is some day of November, held at least on the 1st.
  EXPECT_EQ(counts.buckets(1).range().to(), "2019-11-30");
  EXPECT_EQ(counts.buckets(1).definite(), 2);
  EXPECT_EQ(counts.buckets(1).possible(), 0);
}

TEST_F(TimelineStateTest, AnEventDatedToAMonthIsDefinitelyActiveInThatMonth) {
  ImportNato();
  v1::CountActiveRequest request;
  request.set_bucket(v1::BUCKET_MONTH);
  request.set_from("2018-06");
  request.set_to("2018-08");
  request.set_item_type(v1::ITEM_TYPE_EVENT);
  ASSERT_OK_AND_ASSIGN(auto counts, state_.CountActive(request));
  ASSERT_EQ(counts.buckets_size(), 3);
  EXPECT_EQ(counts.buckets(0).definite() + counts.buckets(0).possible(), 0);
  EXPECT_EQ(counts.buckets(1).definite(), 1);  // "2018-07"
  EXPECT_EQ(counts.buckets(2).definite() + counts.buckets(2).possible(), 0);
}

TEST_F(TimelineStateTest, KnownAtHidesALaterCorrection) {
  ImportNato();
  const absl::Time before_correction = now_;
  now_ += absl::Hours(1);
  // Olsen's end moved a day earlier: same statement name, changed content.
  Reimport(NatoStatement("nmi-commander-olsen", "nmi", "commander", "olsen",
                         "2020-11-24/2021-05-05"));
  auto changes =
      catalog_->ReadChanges(catalog_->head_sequence() - 1, 10, 1 << 20);
  ASSERT_OK(changes);
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].type(), catalog::v1::CHANGE_TYPE_UPDATED);

  ASSERT_OK_AND_ASSIGN(auto now, Snapshot("nmi", "2021-05-06"));
  EXPECT_THAT(
      Held(now),
      ElementsAre(Pair("statements/nmi-commander-lollesgaard", kDefinite)));
  ASSERT_OK_AND_ASSIGN(auto then,
                       Snapshot("nmi", "2021-05-06", before_correction));
  EXPECT_THAT(
      Held(then),
      ElementsAre(Pair("statements/nmi-commander-olsen", kDefinite),
                  Pair("statements/nmi-commander-lollesgaard", kDefinite)));

  // The revision shown is the one recorded by then.
  ASSERT_OK_AND_ASSIGN(auto earlier,
                       Snapshot("nmi", "2021-01-01", before_correction));
  ASSERT_EQ(earlier.statements_size(), 1);
  EXPECT_EQ(earlier.statements(0).statement().valid_time().edtf(),
            "2020-11-24/2021-05-06");
  // A known_at equal to the correction's record time includes it.
  ASSERT_OK_AND_ASSIGN(auto at_record_time,
                       Snapshot("nmi", "2021-05-06", now_));
  EXPECT_EQ(at_record_time.statements_size(), 1);
}

TEST_F(TimelineStateTest, KnownAtHidesALaterRetraction) {
  ImportNato();
  const absl::Time before_retraction = now_;
  now_ += absl::Minutes(5);
  Retract("statements/nmi-commander-lollesgaard");

  ASSERT_OK_AND_ASSIGN(auto now, Snapshot("nmi", "2021-06-01"));
  EXPECT_THAT(Held(now), IsEmpty());
  ASSERT_OK_AND_ASSIGN(auto then,
                       Snapshot("nmi", "2021-06-01", before_retraction));
  EXPECT_THAT(
      Held(then),
      ElementsAre(Pair("statements/nmi-commander-lollesgaard", kDefinite)));
  EXPECT_EQ(History("nmi", "commander").size(), 6u);
  EXPECT_EQ(History("nmi", "commander", before_retraction).size(), 7u);

  v1::RelateRequest relate;
  relate.mutable_a()->set_statement("nmi-commander-lollesgaard");
  relate.mutable_b()->set_lifespan("nmi");
  EXPECT_THAT(
      state_.Relate(relate),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("retracted")));
  *relate.mutable_known_at() = ToProto(before_retraction);
  EXPECT_OK(state_.Relate(relate));
}

TEST_F(TimelineStateTest, KnownAtHidesLaterStatementsAndEntities) {
  const absl::Time before_anything = now_ - absl::Seconds(1);
  ImportNato();
  const absl::Time after_import = now_;
  now_ += absl::Hours(2);
  catalog::v1::ImportRecordsRequest later;
  *later.add_records() = NatoStatement(
      "nmi-deputy-olsen", "nmi", "deputy_commander", "olsen", "2019/2020");
  ASSERT_OK(catalog_->ImportBatch(later));
  Sync();

  EXPECT_THAT(Snapshot("nmi", "2019-06-01", before_anything),
              StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(auto then, Snapshot("nmi", "2019-06-01", after_import));
  EXPECT_THAT(Held(then),
              ElementsAre(Pair("statements/nmi-commander-fortin", kDefinite)));
  ASSERT_OK_AND_ASSIGN(auto now, Snapshot("nmi", "2019-06-01"));
  EXPECT_THAT(Held(now),
              ElementsAre(Pair("statements/nmi-commander-fortin", kDefinite),
                          Pair("statements/nmi-deputy-olsen", kPossible)));
}

TEST_F(TimelineStateTest, DeletedEntityLeavesWindowsButNotThePast) {
  ImportNato();
  const absl::Time before_delete = now_;
  now_ += absl::Minutes(1);
  catalog::v1::DeleteEntityRequest remove;
  remove.set_name("nmi-launch");
  ASSERT_OK(catalog_->DeleteEntity(remove));
  Sync();
  v1::QueryWindowRequest request;
  request.set_from("2018-01-01");
  request.set_to("2019-01-01");
  request.set_item_type(v1::ITEM_TYPE_EVENT);
  ASSERT_OK_AND_ASSIGN(auto now, state_.QueryWindow(request));
  EXPECT_EQ(now.items_size(), 0);
  *request.mutable_known_at() = ToProto(before_delete);
  ASSERT_OK_AND_ASSIGN(auto then, state_.QueryWindow(request));
  EXPECT_EQ(then.items_size(), 1);
  // The entity itself is still there, marked deleted.
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot("nmi-launch", "2018-07-15"));
  EXPECT_TRUE(snapshot.entity().has_delete_time());
}

TEST_F(TimelineStateTest, MinSequenceAheadOfTheStateIsUnavailableAtOnce) {
  ImportNato();
  v1::GetSnapshotRequest request;
  request.set_entity("nmi");
  request.set_at("2021-06-01");
  request.set_min_sequence(state_.applied_sequence() + 1);
  EXPECT_THAT(state_.GetSnapshot(request),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("is not applied yet")));
  request.set_min_sequence(state_.applied_sequence());
  EXPECT_OK(state_.GetSnapshot(request));
}

TEST_F(TimelineStateTest, BatchAnswersEachLookupInOrderLikeGetSnapshot) {
  ImportNato();
  v1::BatchGetSnapshotsRequest batch;
  const std::vector<std::pair<std::string, std::string>> lookups = {
      {"entities/nmi", "2021-06-01"},
      {"entities/nmi", "2018-11-15"},
      {"entities/nmi", "2019-01-01"}};
  for (const auto& [entity, at] : lookups) {
    v1::GetSnapshotRequest* lookup = batch.add_requests();
    lookup->set_entity(entity);
    lookup->set_at(at);
  }
  ASSERT_OK_AND_ASSIGN(auto answer, state_.BatchGetSnapshots(batch));
  ASSERT_EQ(answer.snapshots_size(), 3);
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(auto single,
                         Snapshot(lookups[i].first, lookups[i].second));
    EXPECT_EQ(answer.snapshots(i).SerializeAsString(),
              single.SerializeAsString())
        << "lookup " << i;
  }
  EXPECT_EQ(answer.sequence(), catalog_->head_sequence());
}

TEST_F(TimelineStateTest, BatchFailsWholeNamingTheLookupThatFailed) {
  ImportNato();
  v1::BatchGetSnapshotsRequest batch;
  batch.add_requests()->set_entity("entities/nmi");
  batch.mutable_requests(0)->set_at("2021-06-01");
  batch.add_requests()->set_entity("entities/nmi");
  batch.mutable_requests(1)->set_at("2021-02-30");
  auto answer = state_.BatchGetSnapshots(batch);
  EXPECT_THAT(answer, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ViolatedFields(answer.status()), ElementsAre("requests[1].at"));

  batch.mutable_requests(1)->set_at("2021-02-01");
  batch.mutable_requests(1)->set_entity("entities/no-such-mission");
  EXPECT_THAT(state_.BatchGetSnapshots(batch),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("requests[1]")));

  batch.mutable_requests(1)->set_entity("entities/nmi");
  batch.mutable_requests(1)->set_min_sequence(1);
  EXPECT_THAT(ViolatedFields(state_.BatchGetSnapshots(batch).status()),
              ElementsAre("requests[1].min_sequence"));

  v1::BatchGetSnapshotsRequest huge;
  for (int i = 0; i < 1001; ++i) {
    huge.add_requests()->set_entity("entities/nmi");
    huge.mutable_requests(i)->set_at("2021-06-01");
  }
  EXPECT_THAT(ViolatedFields(state_.BatchGetSnapshots(huge).status()),
              ElementsAre("requests"));
}

// A state with `max_response_bytes` as its budget, fed the whole catalog.
std::unique_ptr<TimelineState> WithBudget(catalog::Catalog& catalog,
                                          int64_t max_response_bytes) {
  TimelineLimits limits;
  limits.max_response_bytes = max_response_bytes;
  auto state = std::make_unique<TimelineState>(limits);
  state->MarkCaughtUp();
  auto changes = catalog.ReadChanges(0, 1 << 20, 1 << 30);
  EXPECT_OK(changes);
  if (changes.ok()) EXPECT_OK(state->Apply(*changes));
  return state;
}

TEST_F(TimelineStateTest, BatchStopsAtTheLookupThatCrossesTheResponseBudget) {
  ImportNato();
  ASSERT_OK_AND_ASSIGN(auto single, Snapshot("entities/nmi", "2021-06-01"));
  const int64_t one = static_cast<int64_t>(single.ByteSizeLong());
  ASSERT_GT(one, 100);
  // Room for two snapshots and a half.
  const int64_t budget = 2 * one + one / 2;
  auto state = WithBudget(*catalog_, budget);
  v1::BatchGetSnapshotsRequest batch;
  for (int i = 0; i < 1000; ++i) {
    v1::GetSnapshotRequest* lookup = batch.add_requests();
    lookup->set_entity("entities/nmi");
    lookup->set_at("2021-06-01");
  }
  EXPECT_THAT(state->BatchGetSnapshots(batch),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr(absl::StrCat(
                           "requests[2]: the response would exceed "
                           "--max_response_bytes (",
                           budget, " bytes); ask for fewer lookups"))));
  // Two fit, and answer as before.
  batch.mutable_requests()->DeleteSubrange(2, 998);
  ASSERT_OK_AND_ASSIGN(auto two, state->BatchGetSnapshots(batch));
  ASSERT_EQ(two.snapshots_size(), 2);
  EXPECT_EQ(two.snapshots(1).SerializeAsString(), single.SerializeAsString());
  EXPECT_LE(static_cast<int64_t>(two.ByteSizeLong()), budget + 16);
}

TEST_F(TimelineStateTest, SnapshotLargerThanTheResponseBudgetIsRefused) {
  ImportNato();
  ASSERT_OK_AND_ASSIGN(auto single, Snapshot("entities/nmi", "2021-06-01"));
  const int64_t budget = static_cast<int64_t>(single.ByteSizeLong()) / 2;
  auto state = WithBudget(*catalog_, budget);
  v1::GetSnapshotRequest request;
  request.set_entity("entities/nmi");
  request.set_at("2021-06-01");
  EXPECT_THAT(state->GetSnapshot(request),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr(absl::StrCat("--max_response_bytes (", budget,
                                              " bytes)"))));
}

TEST_F(TimelineStateTest, HistoryPagesEndEarlyWithinTheResponseBudget) {
  ImportNato();
  v1::ListHistoryRequest request;
  request.set_entity("nmi");
  request.set_page_size(100);
  ASSERT_OK_AND_ASSIGN(auto whole, state_.ListHistory(request));
  ASSERT_GE(whole.entries_size(), 7);
  std::vector<std::string> expected;
  size_t largest = 0;
  for (const auto& entry : whole.entries()) {
    expected.push_back(entry.statement().name());
    largest = std::max(largest, entry.ByteSizeLong());
  }
  // Room for about three entries a page.
  const int64_t budget = static_cast<int64_t>(3 * largest + largest / 2);
  auto state = WithBudget(*catalog_, budget);
  std::vector<std::string> names;
  int pages = 0;
  for (; pages < 20; ++pages) {
    ASSERT_OK_AND_ASSIGN(auto page, state->ListHistory(request));
    EXPECT_LE(static_cast<int64_t>(page.ByteSizeLong()), budget + 64);
    EXPECT_GT(page.entries_size(), 0);
    for (const auto& entry : page.entries()) {
      names.push_back(entry.statement().name());
    }
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(names, expected);
  EXPECT_GE(pages, 1);

  // An entry that alone exceeds the budget is refused, not skipped.
  request.clear_page_token();
  auto tiny = WithBudget(*catalog_, 8);
  EXPECT_THAT(tiny->ListHistory(request),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("entries[0] (statements/")));
}

TEST_F(TimelineStateTest, WindowPagesEndEarlyWithinTheResponseBudget) {
  ImportNato();
  v1::QueryWindowRequest request;
  request.set_from("2004");
  request.set_to("2022");
  request.set_page_size(1000);
  ASSERT_OK_AND_ASSIGN(auto whole, state_.QueryWindow(request));
  ASSERT_GE(whole.items_size(), 5);
  auto name_of = [](const v1::WindowItem& item) {
    return item.has_entity() ? item.entity().name() : item.statement().name();
  };
  std::vector<std::string> expected;
  size_t largest = 0;
  for (const auto& item : whole.items()) {
    expected.push_back(name_of(item));
    largest = std::max(largest, item.ByteSizeLong());
  }
  const int64_t budget = static_cast<int64_t>(3 * largest + largest / 2);
  auto state = WithBudget(*catalog_, budget);
  std::vector<std::string> names;
  int pages = 0;
  for (; pages < 100; ++pages) {
    ASSERT_OK_AND_ASSIGN(auto page, state->QueryWindow(request));
    EXPECT_LE(static_cast<int64_t>(page.ByteSizeLong()), budget + 64);
    EXPECT_GT(page.items_size(), 0);
    for (const auto& item : page.items()) names.push_back(name_of(item));
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(names, expected);
  EXPECT_GE(pages, 1);

  request.clear_page_token();
  auto tiny = WithBudget(*catalog_, 8);
  EXPECT_THAT(
      tiny->QueryWindow(request),
      StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("items[0] (")));
}

TEST_F(TimelineStateTest, BatchWithMinSequenceAheadIsUnavailable) {
  ImportNato();
  v1::BatchGetSnapshotsRequest batch;
  batch.add_requests()->set_entity("entities/nmi");
  batch.mutable_requests(0)->set_at("2021-06-01");
  batch.set_min_sequence(state_.applied_sequence() + 1);
  EXPECT_THAT(state_.BatchGetSnapshots(batch),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(TimelineStateTest, AwaitSequenceTimesOutWithUnavailable) {
  ImportNato();
  const int64_t ahead = state_.applied_sequence() + 1;
  absl::Status status =
      state_.AwaitSequence(ahead, absl::Now() + absl::Milliseconds(20));
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr(absl::StrCat("min_sequence ", ahead))));
}

TEST_F(TimelineStateTest, AwaitSequenceReturnsOnceAnotherThreadApplies) {
  ASSERT_OK(catalog_->ImportBatch(NatoImport()));
  auto changes = catalog_->ReadChanges(0, 1 << 20, 1 << 30);
  ASSERT_OK(changes);
  const int64_t last = changes->back().sequence();
  std::thread applier([&] { EXPECT_OK(state_.Apply(*changes)); });
  EXPECT_OK(state_.AwaitSequence(last, absl::InfiniteFuture()));
  applier.join();
  EXPECT_EQ(state_.applied_sequence(), last);
}

TEST_F(TimelineStateTest, RepeatedChangesAreSkippedAndGapsRejected) {
  ImportNato();
  auto changes = catalog_->ReadChanges(0, 1 << 20, 1 << 30);
  ASSERT_OK(changes);
  const int64_t head = state_.applied_sequence();
  ASSERT_OK(state_.Apply(*changes));  // all repeated
  EXPECT_EQ(state_.applied_sequence(), head);
  EXPECT_EQ(History("nmi", "commander").size(), 7u);

  catalog::v1::Change gap = changes->back();
  gap.set_sequence(head + 2);
  EXPECT_THAT(
      state_.Apply({gap}),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("gap")));
  EXPECT_EQ(state_.applied_sequence(), head);
}

TEST_F(TimelineStateTest, StoppedStateRefusesEveryQueryWithTheReason) {
  ImportNato();
  state_.SetStopped("catalog recreated");
  EXPECT_THAT(
      Snapshot("nmi", "2021-06-01"),
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("catalog recreated")));
  EXPECT_THAT(state_.AwaitSequence(1000, absl::InfiniteFuture()),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(TimelineStateTest, BadInputIsRejectedNamingTheField) {
  ImportNato();
  EXPECT_THAT(Snapshot("unknown-entity", "2021-06-01"),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("entities/unknown-entity")));
  EXPECT_THAT(ViolatedFields(Snapshot("unknown-entity", "2021-06-01").status()),
              ElementsAre("entity"));
  EXPECT_THAT(
      Snapshot("Entities/NMI", "2021-06-01"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("entity")));
  EXPECT_THAT(
      Snapshot("", "2021-06-01"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("entity")));
  for (const char* day :
       {"2021-13-01", "2021-06", "yesterday", "", "2021-06-01T10:00",
        "2021-06-01?", "Y12345", "2021/2022"}) {
    auto result = Snapshot("nmi", day);
    EXPECT_THAT(result, StatusIs(absl::StatusCode::kInvalidArgument)) << day;
    EXPECT_THAT(ViolatedFields(result.status()), ElementsAre("at")) << day;
  }

  v1::QueryWindowRequest window;
  window.set_from("2020-01-01");
  window.set_to("2019-01-01");
  EXPECT_THAT(ViolatedFields(state_.QueryWindow(window).status()),
              ElementsAre("to"));
  window.set_to("2019-12-31");  // ends the day before it starts
  EXPECT_THAT(state_.QueryWindow(window),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("ends before from (2020-01-01) starts")));
  window.set_to("2020-01-01~");  // a window is exact
  EXPECT_THAT(ViolatedFields(state_.QueryWindow(window).status()),
              ElementsAre("to"));
  window.set_to("2020-01-01");  // one day
  EXPECT_OK(state_.QueryWindow(window));
  window.set_to("2021-01-01");
  for (int size : {-1, 1001}) {
    window.set_page_size(size);
    EXPECT_THAT(ViolatedFields(state_.QueryWindow(window).status()),
                ElementsAre("page_size"));
  }
  window.set_page_size(0);
  window.set_page_token("not-a-token");
  EXPECT_THAT(ViolatedFields(state_.QueryWindow(window).status()),
              ElementsAre("page_token"));
  window.clear_page_token();
  window.set_item_type(static_cast<v1::ItemType>(42));
  EXPECT_THAT(ViolatedFields(state_.QueryWindow(window).status()),
              ElementsAre("item_type"));

  v1::CountActiveRequest count;
  count.set_from("2018-01-01");
  count.set_to("2019-01-01");
  EXPECT_THAT(ViolatedFields(state_.CountActive(count).status()),
              ElementsAre("bucket"));
  count.set_bucket(v1::BUCKET_MONTH);
  count.set_from("");
  EXPECT_THAT(ViolatedFields(state_.CountActive(count).status()),
              ElementsAre("from"));
  count.set_from("1000-01-01");
  count.set_to("2000-01-01");  // 12000 months
  EXPECT_THAT(
      state_.CountActive(count),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("buckets")));

  v1::RelateRequest relate;
  relate.mutable_b()->set_lifespan("nmi");
  EXPECT_THAT(ViolatedFields(state_.Relate(relate).status()), ElementsAre("a"));
  relate.mutable_a()->set_lifespan("olsen");  // a person without a lifespan
  EXPECT_THAT(state_.Relate(relate),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("no lifespan")));
  relate.mutable_a()->set_statement("no-such-statement");
  EXPECT_THAT(state_.Relate(relate), StatusIs(absl::StatusCode::kNotFound));
  relate.mutable_a()->set_edtf("2021/2018");
  EXPECT_THAT(ViolatedFields(state_.Relate(relate).status()),
              ElementsAre("a.edtf"));

  v1::FindGapsRequest gaps;
  gaps.set_subject("nmi");
  gaps.set_min_sequence(-1);
  EXPECT_THAT(ViolatedFields(state_.FindGaps(gaps).status()),
              ElementsAre("min_sequence"));
  gaps.set_min_sequence(0);
  gaps.mutable_known_at()->set_nanos(-5);
  EXPECT_THAT(ViolatedFields(state_.FindGaps(gaps).status()),
              ElementsAre("known_at"));
}

// Catch-up (issue 12): a state that has not caught up with its catalog
// answers nothing, rather than answer as if the catalog were empty.

catalog::v1::Change CatchUpEntityChange(int64_t sequence,
                                        const std::string& id) {
  catalog::v1::Change change;
  change.set_sequence(sequence);
  change.set_type(catalog::v1::CHANGE_TYPE_CREATED);
  change.mutable_commit_time()->set_seconds(1700000000 + sequence);
  catalog::v1::Entity* entity = change.mutable_entity();
  entity->set_name("entities/" + id);
  entity->set_kind("mission");
  entity->set_label(id);
  entity->mutable_lifespan()->set_edtf("2018/..");
  return change;
}

// Every query kind about entity "nmi"; each status.
std::vector<absl::Status> AskEveryKind(const TimelineState& state) {
  std::vector<absl::Status> statuses;
  v1::GetSnapshotRequest snapshot;
  snapshot.set_entity("nmi");
  snapshot.set_at("2021-06-01");
  statuses.push_back(state.GetSnapshot(snapshot).status());
  v1::BatchGetSnapshotsRequest batch;
  *batch.add_requests() = snapshot;
  statuses.push_back(state.BatchGetSnapshots(batch).status());
  v1::ListHistoryRequest history;
  history.set_entity("nmi");
  statuses.push_back(state.ListHistory(history).status());
  v1::QueryWindowRequest window;
  window.set_from("2018");
  window.set_to("2022");
  statuses.push_back(state.QueryWindow(window).status());
  v1::RelateRequest relate;
  relate.mutable_a()->set_lifespan("nmi");
  relate.mutable_b()->set_edtf("2020");
  statuses.push_back(state.Relate(relate).status());
  v1::FindGapsRequest gaps;
  gaps.set_subject("nmi");
  statuses.push_back(state.FindGaps(gaps).status());
  v1::CountActiveRequest count;
  count.set_bucket(v1::BUCKET_YEAR);
  count.set_from("2018");
  count.set_to("2022");
  statuses.push_back(state.CountActive(count).status());
  return statuses;
}

TEST(TimelineStateCatchUpTest, EveryQueryIsUnavailableUntilCaughtUp) {
  TimelineState state;
  state.SetCatalogAddress("127.0.0.1:7401");
  for (const absl::Status& status : AskEveryKind(state)) {
    EXPECT_THAT(
        status,
        StatusIs(absl::StatusCode::kUnavailable,
                 AllOf(HasSubstr("has not yet caught up with its catalog at "
                                 "127.0.0.1:7401"),
                       HasSubstr("applied sequence 0"),
                       HasSubstr("head is unknown"), HasSubstr("retry"))));
  }
  // The catalog announced head 2; one change applied is not enough.
  state.SetCatchUpTarget(2);
  ASSERT_OK(state.Apply({CatchUpEntityChange(1, "nmi")}));
  EXPECT_FALSE(state.caught_up());
  for (const absl::Status& status : AskEveryKind(state)) {
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable,
                                 HasSubstr("applied sequence 1 of 2")));
  }
  ASSERT_OK(state.Apply({CatchUpEntityChange(2, "ntm-i")}));
  EXPECT_TRUE(state.caught_up());
  for (const absl::Status& status : AskEveryKind(state)) EXPECT_OK(status);
}

TEST(TimelineStateCatchUpTest, StaysCaughtUpAndAnEmptyCatalogCatchesUpAtOnce) {
  TimelineState state;
  state.SetCatchUpTarget(0);  // an empty catalog
  EXPECT_TRUE(state.caught_up());
  state.SetCatchUpTarget(5);  // a later stream's head: no effect
  EXPECT_TRUE(state.caught_up());
  v1::GetSnapshotRequest snapshot;
  snapshot.set_entity("nmi");
  snapshot.set_at("2021-06-01");
  EXPECT_THAT(state.GetSnapshot(snapshot),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(TimelineStateCatchUpTest, RelatingTwoLiteralExtentsNeedsNoCatalog) {
  TimelineState state;
  v1::RelateRequest relate;
  relate.mutable_a()->set_edtf("2004/2011-12-31");
  relate.mutable_b()->set_edtf("2018-10/..");
  ASSERT_OK_AND_ASSIGN(v1::RelateResponse response, state.Relate(relate));
  EXPECT_THAT(response.relations(), ElementsAre("before"));
  EXPECT_EQ(response.sequence(), 0);
}

}  // namespace
}  // namespace annals::timeline
