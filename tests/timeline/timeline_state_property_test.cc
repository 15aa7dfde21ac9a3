// TimelineState against a brute-force oracle on a seeded random history:
// entities and statements created, corrected (valid time, predicate,
// object), retracted, re-kinded and deleted over record time. Every query
// type is asked now and "known at" random record times, and must give the
// oracle's answer, which scans every revision of every resource and asks the
// temporal library directly.
//
// Each test runs twice: on a state in memory, and on a state kept in a
// folder that is closed and reopened three times while the history is
// applied (the last time after all of it), so that the answers also prove
// what a restart reloads: the indexes (from the file a clean shutdown
// saves, or rebuilt from the records), the records and every revision.
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/temporal/day.h"
#include "services/common/temporal/extent.h"
#include "services/common/temporal/gaps.h"
#include "services/timeline/timeline_state.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/timeline/random_extents.h"

namespace annals::timeline {
namespace {

using ::annals::testing::RandomExtents;
using ::annals::testing::StatusIs;
using temporal::Certainty;
using temporal::Day;
using temporal::Extent;
namespace cv1 = ::annals::catalog::v1;

constexpr int64_t kNow = INT64_MAX;  // oracle: no known_at
const std::vector<std::string> kKinds = {"mission", "person", "event",
                                         "organization"};
const std::vector<std::string> kPredicates = {"commander", "member_of",
                                              "located_in", "partner_of"};
constexpr int kKindCount = 4;
constexpr int kPredicateCount = 4;

Extent Parse(const std::string& edtf) { return *Extent::Parse(edtf); }

type::v1::Certainty ToProto(Certainty certainty) {
  switch (certainty) {
    case Certainty::kDefinite:
      return type::v1::CERTAINTY_DEFINITE;
    case Certainty::kPossible:
      return type::v1::CERTAINTY_POSSIBLE;
    default:
      return type::v1::CERTAINTY_UNSPECIFIED;
  }
}

// Chronological order, as the proto defines it.
using ChronoKey = std::tuple<Day, Day, Day, Day, bool, std::string>;
ChronoKey KeyOf(const Extent& e, bool statement, const std::string& id) {
  return {e.earliest_start(), e.latest_start(), e.earliest_end(),
          e.latest_end(),     statement,        id};
}

class World {
 public:
  explicit World(uint32_t seed) : random_(seed) {}

  void Generate(int entities, int statements, int mutations) {
    for (int i = 0; i < entities; ++i) {
      cv1::Entity entity;
      entity.set_name(absl::StrCat("entities/e", i));
      entity.set_kind(kKinds[random_.Pick(kKindCount)]);
      entity.set_label(absl::StrCat("E", i));
      if (random_.Pick(10) < 7) {
        entity.mutable_lifespan()->set_edtf(random_.NextEdtf());
      }
      Emit(entity, cv1::CHANGE_TYPE_CREATED);
    }
    for (int i = 0; i < statements; ++i) {
      cv1::Statement statement;
      statement.set_name(absl::StrCat("statements/s", i));
      statement.set_subject(RandomEntity());
      statement.set_predicate(kPredicates[random_.Pick(kPredicateCount)]);
      if (random_.Pick(5) == 0) {
        statement.mutable_object()->set_text("literal");
      } else {
        statement.mutable_object()->set_entity(RandomEntity());
      }
      statement.mutable_valid_time()->set_edtf(random_.NextEdtf());
      Emit(statement, cv1::CHANGE_TYPE_CREATED);
    }
    for (int i = 0; i < mutations; ++i) {
      const int what = random_.Pick(300);
      if (what < 210) {  // correct a statement
        cv1::Statement statement = Current<cv1::Statement>(
            absl::StrCat("statements/s", random_.Pick(statements)));
        switch (random_.Pick(4)) {
          case 0:
            statement.set_predicate(kPredicates[random_.Pick(kPredicateCount)]);
            break;
          case 1:
            statement.mutable_object()->set_entity(RandomEntity());
            break;
          case 2:
            // A content-only change: the extent record stays.
            (*statement.mutable_qualifiers())["note"] =
                absl::StrCat(random_.Pick(1000));
            break;
          default:
            statement.mutable_valid_time()->set_edtf(random_.NextEdtf());
        }
        Emit(statement, cv1::CHANGE_TYPE_UPDATED);
      } else if (what < 255) {  // retract
        cv1::Statement statement = Current<cv1::Statement>(
            absl::StrCat("statements/s", random_.Pick(statements)));
        if (statement.has_retract_time()) continue;
        statement.mutable_retract_time()->set_seconds(time_ / 1000000000);
        Emit(statement, cv1::CHANGE_TYPE_RETRACTED);
      } else if (what < 297) {  // update an entity
        cv1::Entity entity = Current<cv1::Entity>(
            absl::StrCat("entities/e", random_.Pick(entities)));
        if (entity.has_delete_time()) continue;
        if (random_.Pick(2) == 0) {
          entity.set_kind(kKinds[random_.Pick(kKindCount)]);
        } else if (random_.Pick(4) == 0) {
          entity.clear_lifespan();
        } else {
          entity.mutable_lifespan()->set_edtf(random_.NextEdtf());
        }
        Emit(entity, cv1::CHANGE_TYPE_UPDATED);
      } else {  // delete an entity
        cv1::Entity entity = Current<cv1::Entity>(
            absl::StrCat("entities/e", random_.Pick(entities)));
        if (entity.has_delete_time()) continue;
        entity.mutable_delete_time()->set_seconds(time_ / 1000000000);
        Emit(entity, cv1::CHANGE_TYPE_DELETED);
      }
    }
  }

  const std::vector<cv1::Change>& changes() const { return changes_; }
  RandomExtents& random() { return random_; }
  int64_t first_time() const {
    return changes_.front().commit_time().seconds();
  }
  int64_t last_time() const { return changes_.back().commit_time().seconds(); }

  // The revision of `name` recorded at or before `at` (seconds; kNow for the
  // latest), if any.
  template <typename Resource>
  std::optional<Resource> At(const std::string& name, int64_t at) const {
    auto it = revisions_.find(name);
    if (it == revisions_.end()) return std::nullopt;
    std::optional<Resource> found;
    for (const auto& [recorded, change] : it->second) {
      if (recorded > at) break;
      if constexpr (std::is_same_v<Resource, cv1::Entity>) {
        found = change.entity();
      } else {
        found = change.statement();
      }
    }
    return found;
  }

  std::vector<std::string> Names(const std::string& prefix) const {
    std::vector<std::string> names;
    for (const auto& [name, revisions] : revisions_) {
      if (name.rfind(prefix, 0) == 0) names.push_back(name);
    }
    return names;
  }

 private:
  std::string RandomEntity() {
    // Deleted entities are not referred to by new revisions, as in the
    // catalog.
    while (true) {
      std::string name =
          absl::StrCat("entities/e", random_.Pick(entity_count_));
      auto entity = At<cv1::Entity>(name, kNow);
      if (entity.has_value() && !entity->has_delete_time()) return name;
    }
  }

  template <typename Resource>
  Resource Current(const std::string& name) const {
    return *At<Resource>(name, kNow);
  }

  template <typename Resource>
  void Emit(const Resource& resource, cv1::ChangeType type) {
    // Several changes share a commit time now and then, as in a batch.
    if (random_.Pick(3) != 0) time_ += 1000000000;
    cv1::Change change;
    change.set_sequence(static_cast<int64_t>(changes_.size()) + 1);
    change.set_type(type);
    change.mutable_commit_time()->set_seconds(time_ / 1000000000);
    if constexpr (std::is_same_v<Resource, cv1::Entity>) {
      *change.mutable_entity() = resource;
      entity_count_ = std::max(entity_count_, NumberOf(resource.name()) + 1);
    } else {
      *change.mutable_statement() = resource;
    }
    revisions_[resource.name()].emplace_back(time_ / 1000000000, change);
    changes_.push_back(change);
  }

  static int NumberOf(const std::string& name) {
    return std::stoi(name.substr(name.find('/') + 2));
  }

  RandomExtents random_;
  int64_t time_ = int64_t{1700000000} * 1000000000;
  int entity_count_ = 0;
  std::vector<cv1::Change> changes_;
  std::map<std::string, std::vector<std::pair<int64_t, cv1::Change>>>
      revisions_;
};

// The parameter: whether the state lives in a folder reopened along the way.
class TimelineStatePropertyTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    const bool reopened = GetParam();
    ASSERT_NO_FATAL_FAILURE(Open());
    world_.Generate(/*entities=*/40, /*statements=*/1200, /*mutations=*/1500);
    // Apply in uneven batches, as the feed delivers them.
    const auto& changes = world_.changes();
    size_t i = 0;
    size_t next_reopen = changes.size() / 3;
    while (i < changes.size()) {
      const size_t n = std::min(changes.size() - i,
                                static_cast<size_t>(1 + random().Pick(300)));
      ASSERT_OK(state_->Apply(absl::MakeConstSpan(changes).subspan(i, n)));
      i += n;
      if (reopened && i >= next_reopen) {
        ASSERT_NO_FATAL_FAILURE(Open());
        ASSERT_EQ(state_->applied_sequence(), static_cast<int64_t>(i));
        next_reopen += changes.size() / 3;
      }
    }
    if (reopened) ASSERT_NO_FATAL_FAILURE(Open());
    ASSERT_EQ(state_->applied_sequence(), static_cast<int64_t>(changes.size()));
  }

  // (Re)opens the state: on the folder when GetParam(), else in memory.
  // Every other reopen follows a clean shutdown (SaveIndexes), so that
  // both ways of loading the indexes are checked: from the saved file, and
  // rebuilt from the records as after a crash.
  void Open() {
    if (state_ != nullptr && GetParam() && ++reopens_ % 2 == 1) {
      ASSERT_OK(state_->SaveIndexes());
      saved_at_ = state_->applied_sequence();
    }
    const int64_t applied = state_ != nullptr ? state_->applied_sequence() : 0;
    state_.reset();
    absl::StatusOr<std::unique_ptr<TimelineState>> state = TimelineState::Open(
        TimelineLimits(),
        {.path = GetParam() ? folder_.Sub("timeline") : std::string()});
    ASSERT_OK(state.status());
    state_ = *std::move(state);
    // The saved file is loaded exactly when nothing was applied after it.
    ASSERT_EQ(state_->store_load().from_saved_indexes, saved_at_ == applied);
    state_->MarkCaughtUp();  // no catalog to catch up with: queries answer
  }

  RandomExtents& random() { return world_.random(); }

  // A record time to ask at: now (kNow) half the time, else a commit time
  // of the history or one second off it.
  int64_t RandomTime() {
    if (random().Pick(2) == 0) return kNow;
    return world_.first_time() - 1 +
           random().Pick(
               static_cast<int>(world_.last_time() - world_.first_time() + 3));
  }

  template <typename Request>
  static void SetKnownAt(Request& request, int64_t at) {
    if (at != kNow) request.mutable_known_at()->set_seconds(at);
  }

  std::string RandomEntityName() {
    return absl::StrCat(random().Pick(2) == 0 ? "" : "entities/", "e",
                        random().Pick(40));
  }

  // Visible, not retracted statement revisions at `at`.
  std::vector<cv1::Statement> StatementsAt(int64_t at) const {
    std::vector<cv1::Statement> out;
    for (const std::string& name : world_.Names("statements/")) {
      auto statement = world_.At<cv1::Statement>(name, at);
      if (statement.has_value() && !statement->has_retract_time()) {
        out.push_back(*statement);
      }
    }
    return out;
  }

  bool EntityExists(const std::string& name, int64_t at) const {
    return world_.At<cv1::Entity>(name, at).has_value();
  }

  std::string KindAt(const std::string& name, int64_t at) const {
    auto entity = world_.At<cv1::Entity>(name, at);
    return entity.has_value() ? entity->kind() : "";
  }

  struct Filter {
    v1::ItemType type = v1::ITEM_TYPE_UNSPECIFIED;
    std::string kind;
    std::string predicate;
    std::string entity;  // full name
  };

  Filter RandomFilter() {
    Filter filter;
    filter.type = static_cast<v1::ItemType>(random().Pick(4));
    if (random().Pick(3) == 0) filter.kind = kKinds[random().Pick(kKindCount)];
    if (random().Pick(3) == 0)
      filter.predicate = kPredicates[random().Pick(kPredicateCount)];
    if (random().Pick(4) == 0) {
      filter.entity = absl::StrCat("entities/e", random().Pick(40));
    }
    return filter;
  }

  struct OracleItem {
    ChronoKey key;
    std::string name;
    v1::ItemType type;
    Extent extent;
  };

  // Items (lifespans, events, statements) visible at `at` passing `filter`.
  std::vector<OracleItem> ItemsAt(const Filter& filter, int64_t at) const {
    std::vector<OracleItem> items;
    const bool want_lifespans = filter.type == v1::ITEM_TYPE_UNSPECIFIED ||
                                filter.type == v1::ITEM_TYPE_LIFESPAN;
    const bool want_events = filter.type == v1::ITEM_TYPE_UNSPECIFIED ||
                             filter.type == v1::ITEM_TYPE_EVENT;
    const bool want_statements = filter.type == v1::ITEM_TYPE_UNSPECIFIED ||
                                 filter.type == v1::ITEM_TYPE_STATEMENT;
    if (filter.predicate.empty()) {
      for (const std::string& name : world_.Names("entities/")) {
        auto entity = world_.At<cv1::Entity>(name, at);
        if (!entity.has_value() || entity->has_delete_time() ||
            !entity->has_lifespan()) {
          continue;
        }
        const bool event = entity->kind() == "event";
        if (event ? !want_events : !want_lifespans) continue;
        if (!filter.kind.empty() && entity->kind() != filter.kind) continue;
        if (!filter.entity.empty() && name != filter.entity) continue;
        const Extent extent = Parse(entity->lifespan().edtf());
        items.push_back(OracleItem{
            KeyOf(extent, false, name.substr(9)), name,
            event ? v1::ITEM_TYPE_EVENT : v1::ITEM_TYPE_LIFESPAN, extent});
      }
    }
    if (want_statements) {
      for (const cv1::Statement& statement : StatementsAt(at)) {
        if (!filter.predicate.empty() &&
            statement.predicate() != filter.predicate) {
          continue;
        }
        if (!filter.kind.empty() &&
            KindAt(statement.subject(), at) != filter.kind) {
          continue;
        }
        if (!filter.entity.empty() && statement.subject() != filter.entity &&
            statement.object().entity() != filter.entity) {
          continue;
        }
        const Extent extent = Parse(statement.valid_time().edtf());
        items.push_back(
            OracleItem{KeyOf(extent, true, statement.name().substr(11)),
                       statement.name(), v1::ITEM_TYPE_STATEMENT, extent});
      }
    }
    std::sort(
        items.begin(), items.end(),
        [](const OracleItem& a, const OracleItem& b) { return a.key < b.key; });
    return items;
  }

  World world_{20181026};
  testing::TempDir folder_;
  int reopens_ = 0;
  int64_t saved_at_ = -1;  // the sequence of the last SaveIndexes
  std::unique_ptr<TimelineState> state_;
};

INSTANTIATE_TEST_SUITE_P(InMemoryAndReopened, TimelineStatePropertyTest,
                         ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "ReopenedFromItsFolder"
                                             : "InMemory";
                         });

TEST_P(TimelineStatePropertyTest, SnapshotsMatchTheOracle) {
  for (int q = 0; q < 300; ++q) {
    const int64_t at = RandomTime();
    const std::string entity = RandomEntityName();
    const std::string full = entity.rfind("entities/", 0) == 0
                                 ? entity
                                 : absl::StrCat("entities/", entity);
    const Day day = random().RandomDay();
    v1::GetSnapshotRequest request;
    request.set_entity(entity);
    request.set_at(temporal::FormatDay(day));
    SetKnownAt(request, at);
    auto snapshot = state_->GetSnapshot(request);
    if (!EntityExists(full, at)) {
      EXPECT_THAT(snapshot, StatusIs(absl::StatusCode::kNotFound));
      continue;
    }
    ASSERT_OK(snapshot);
    std::vector<
        std::tuple<std::string, ChronoKey, std::string, type::v1::Certainty>>
        expected;
    for (const cv1::Statement& statement : StatementsAt(at)) {
      if (statement.subject() != full && statement.object().entity() != full) {
        continue;
      }
      const Extent extent = Parse(statement.valid_time().edtf());
      const Certainty certainty = extent.HoldsOn(day);
      if (certainty == Certainty::kNo) continue;
      expected.emplace_back(statement.predicate(),
                            KeyOf(extent, true, statement.name().substr(11)),
                            statement.name(), ToProto(certainty));
    }
    std::sort(expected.begin(), expected.end());
    std::vector<std::pair<std::string, type::v1::Certainty>> want, got;
    for (const auto& e : expected) {
      want.emplace_back(std::get<2>(e), std::get<3>(e));
    }
    for (const auto& item : snapshot->statements()) {
      got.emplace_back(item.statement().name(), item.certainty());
    }
    ASSERT_EQ(got, want) << entity << " on " << temporal::FormatDay(day)
                         << " known at " << at;
    // The revision shown is the one recorded by `at`.
    for (const auto& item : snapshot->statements()) {
      auto revision = world_.At<cv1::Statement>(item.statement().name(), at);
      ASSERT_TRUE(revision.has_value());
      EXPECT_EQ(item.statement().valid_time().edtf(),
                revision->valid_time().edtf());
      EXPECT_EQ(item.statement().qualifiers().size(),
                revision->qualifiers().size());
    }
    EXPECT_EQ(snapshot->entity().kind(), KindAt(full, at));
  }
}

TEST_P(TimelineStatePropertyTest, HistoriesMatchTheOracleInOrderAcrossPages) {
  for (int q = 0; q < 200; ++q) {
    const int64_t at = RandomTime();
    const std::string full = absl::StrCat("entities/e", random().Pick(40));
    if (!EntityExists(full, at)) continue;
    const std::string predicate =
        random().Pick(2) == 0 ? ""
                              : kPredicates[random().Pick(kPredicateCount)];
    std::vector<std::pair<ChronoKey, std::string>> expected;
    for (const cv1::Statement& statement : StatementsAt(at)) {
      if (statement.subject() != full && statement.object().entity() != full) {
        continue;
      }
      if (!predicate.empty() && statement.predicate() != predicate) continue;
      expected.emplace_back(KeyOf(Parse(statement.valid_time().edtf()), true,
                                  statement.name().substr(11)),
                            statement.name());
    }
    std::sort(expected.begin(), expected.end());
    std::vector<std::string> want;
    for (const auto& e : expected) want.push_back(e.second);

    v1::ListHistoryRequest request;
    request.set_entity(full);
    request.set_predicate(predicate);
    request.set_page_size(1 + random().Pick(20));
    SetKnownAt(request, at);
    std::vector<std::string> got;
    for (int page = 0; page < 1000; ++page) {
      auto response = state_->ListHistory(request);
      ASSERT_OK(response);
      for (const auto& entry : response->entries()) {
        got.push_back(entry.statement().name());
        const auto duration =
            Parse(entry.statement().valid_time().edtf()).Duration();
        EXPECT_EQ(entry.duration().has_min_days(),
                  duration.min_days != temporal::kUnboundedDays);
        if (entry.duration().has_max_days()) {
          EXPECT_EQ(entry.duration().max_days(), duration.max_days);
        }
      }
      if (response->next_page_token().empty()) break;
      request.set_page_token(response->next_page_token());
    }
    ASSERT_EQ(got, want) << full << " " << predicate << " known at " << at;
  }
}

TEST_P(TimelineStatePropertyTest, WindowsMatchTheOracleAcrossPages) {
  // As the feed left the indexes (delta buffers), then merged, where
  // current pages come from walks in start order that stop early.
  for (int q = 0; q < 300; ++q) {
    if (q == 150) state_->CompactIndexes();
    const int64_t at = RandomTime();
    Filter filter = RandomFilter();
    if (!filter.entity.empty() && !EntityExists(filter.entity, at)) continue;
    const Day from = random().Pick(10) == 0 ? temporal::kMinusInfinity
                                            : random().RandomDay();
    const Day to = random().Pick(10) == 0
                       ? temporal::kPlusInfinity
                       : (from == temporal::kMinusInfinity
                              ? random().RandomDay()
                              : from + 1 + random().Pick(3 * 365));
    std::vector<std::tuple<std::string, v1::ItemType, type::v1::Certainty>>
        want;
    for (const OracleItem& item : ItemsAt(filter, at)) {
      const Certainty certainty = item.extent.Overlaps(from, to);
      if (certainty != Certainty::kNo) {
        want.emplace_back(item.name, item.type, ToProto(certainty));
      }
    }

    v1::QueryWindowRequest request;
    if (temporal::IsFinite(from)) request.set_from(temporal::FormatDay(from));
    // The oracle's windows are half-open [from, to); the API names the last
    // day.
    if (temporal::IsFinite(to)) request.set_to(temporal::FormatDay(to - 1));
    request.set_item_type(filter.type);
    request.set_kind(filter.kind);
    request.set_predicate(filter.predicate);
    request.set_entity(filter.entity);
    request.set_page_size(1 + random().Pick(400));
    SetKnownAt(request, at);
    std::vector<std::tuple<std::string, v1::ItemType, type::v1::Certainty>> got;
    for (int page = 0; page < 10000; ++page) {
      auto response = state_->QueryWindow(request);
      ASSERT_OK(response);
      for (const auto& item : response->items()) {
        got.emplace_back(
            item.has_entity() ? item.entity().name() : item.statement().name(),
            item.item_type(), item.certainty());
      }
      if (response->next_page_token().empty()) break;
      request.set_page_token(response->next_page_token());
    }
    ASSERT_EQ(got, want) << "query " << q << " known at " << at;
  }
}

TEST_P(TimelineStatePropertyTest, CountsMatchTheOracleBucketByBucket) {
  // First with every index entry in the delta buffers, as the feed left
  // them; then merged, so that the unfiltered current counts come from the
  // sorted counting arrays.
  for (int q = 0; q < 240; ++q) {
    if (q == 120) state_->CompactIndexes();
    const int64_t at = RandomTime();
    Filter filter = RandomFilter();
    if (random().Pick(3) == 0) filter = Filter{};  // the unfiltered fast path
    if (!filter.entity.empty() && !EntityExists(filter.entity, at)) continue;
    const bool monthly = random().Pick(2) == 0;
    const Day from = random().RandomDay();
    // A quarter are one-day windows: stabbing counts.
    const Day to = random().Pick(4) == 0
                       ? from + 1
                       : from + 1 + random().Pick(monthly ? 2 * 365 : 12 * 365);

    v1::CountActiveRequest request;
    request.set_bucket(monthly ? v1::BUCKET_MONTH : v1::BUCKET_YEAR);
    request.set_from(temporal::FormatDay(from));
    request.set_to(temporal::FormatDay(to - 1));  // the last day
    request.set_item_type(filter.type);
    request.set_kind(filter.kind);
    request.set_predicate(filter.predicate);
    request.set_entity(filter.entity);
    SetKnownAt(request, at);
    auto response = state_->CountActive(request);
    ASSERT_OK(response);

    const std::vector<OracleItem> items = ItemsAt(filter, at);
    Day bucket_from = from;
    for (const auto& bucket : response->buckets()) {
      // Buckets tile the window along calendar boundaries.
      ASSERT_EQ(bucket.range().from(), temporal::FormatDay(bucket_from));
      const absl::CivilDay civil = temporal::CivilFromDay(bucket_from);
      const Day boundary =
          monthly ? temporal::DayFromCivil(
                        absl::CivilDay(absl::CivilMonth(civil) + 1))
                  : temporal::DayFromCivil(
                        absl::CivilDay(absl::CivilYear(civil) + 1));
      const Day bucket_to = std::min(boundary, to);
      ASSERT_EQ(bucket.range().to(), temporal::FormatDay(bucket_to - 1));
      int64_t definite = 0;
      int64_t possible = 0;
      for (const OracleItem& item : items) {
        switch (item.extent.Overlaps(bucket_from, bucket_to)) {
          case Certainty::kDefinite:
            ++definite;
            break;
          case Certainty::kPossible:
            ++possible;
            break;
          case Certainty::kNo:
            break;
        }
      }
      ASSERT_EQ(bucket.definite(), definite)
          << "query " << q << " bucket " << bucket.range().from();
      ASSERT_EQ(bucket.possible(), possible)
          << "query " << q << " bucket " << bucket.range().from();
      bucket_from = bucket_to;
    }
    EXPECT_EQ(bucket_from, to);
  }
}

TEST_P(TimelineStatePropertyTest, GapsMatchTheOracle) {
  for (int q = 0; q < 200; ++q) {
    const int64_t at = RandomTime();
    const std::string subject = absl::StrCat("entities/e", random().Pick(40));
    if (!EntityExists(subject, at)) continue;
    const std::string predicate =
        random().Pick(3) == 0 ? ""
                              : kPredicates[random().Pick(kPredicateCount)];
    const Day from = random().RandomDay();
    const Day to = from + 1 + random().Pick(5 * 365);
    std::vector<Extent> extents;
    for (const cv1::Statement& statement : StatementsAt(at)) {
      if (statement.subject() != subject) continue;
      if (!predicate.empty() && statement.predicate() != predicate) continue;
      extents.push_back(Parse(statement.valid_time().edtf()));
    }
    const temporal::Gaps gaps = temporal::FindGaps(extents, from, to);

    v1::FindGapsRequest request;
    request.set_subject(subject);
    request.set_predicate(predicate);
    request.set_from(temporal::FormatDay(from));
    request.set_to(temporal::FormatDay(to - 1));  // the last day
    SetKnownAt(request, at);
    auto response = state_->FindGaps(request);
    ASSERT_OK(response);
    auto text = [](const std::vector<temporal::DayRange>& ranges) {
      std::vector<std::pair<std::string, std::string>> out;
      for (const auto& r : ranges) {
        // Ranges are half-open; the API names their last day.
        out.emplace_back(temporal::FormatDay(r.from),
                         temporal::FormatDay(r.to - 1));
      }
      return out;
    };
    auto got = [](const auto& ranges) {
      std::vector<std::pair<std::string, std::string>> out;
      for (const auto& r : ranges) out.emplace_back(r.from(), r.to());
      return out;
    };
    ASSERT_EQ(got(response->definite_gaps()), text(gaps.definite));
    ASSERT_EQ(got(response->possible_gaps()), text(gaps.possible));
    ASSERT_EQ(response->statement_count(), static_cast<int>(extents.size()));
  }
}

}  // namespace
}  // namespace annals::timeline
