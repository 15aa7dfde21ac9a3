// TimelineState::Open on a folder: what a restart reloads, and the folders
// it must not resume from (another format, a history it stopped following)
// or must not touch at all (a RocksDB database that is not a timeline's).
// The answers a reloaded state gives are checked against an oracle by
// timeline_state_property_test (ReopenedFromItsFolder).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "services/timeline/stored_state.h"
#include "services/timeline/timeline_state.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace annals::timeline {
namespace {

namespace cv1 = ::annals::catalog::v1;
using ::annals::testing::StatusIs;
using ::testing::HasSubstr;

// Entity e{n} with a lifespan, at sequence n.
cv1::Change EntityChange(int n) {
  cv1::Change change;
  change.set_sequence(n);
  change.set_type(cv1::CHANGE_TYPE_CREATED);
  change.mutable_commit_time()->set_seconds(1700000000 + n);
  cv1::Entity* entity = change.mutable_entity();
  entity->set_name(absl::StrCat("entities/e", n));
  entity->set_kind("person");
  entity->mutable_lifespan()->set_edtf("2001/2010");
  return change;
}

std::unique_ptr<TimelineState> OpenOrDie(const std::string& path) {
  absl::StatusOr<std::unique_ptr<TimelineState>> state =
      TimelineState::Open(TimelineLimits(), {.path = path});
  EXPECT_OK(state.status());
  return state.ok() ? *std::move(state) : nullptr;
}

absl::StatusOr<v1::GetSnapshotResponse> Snapshot(const TimelineState& state,
                                                 const std::string& entity) {
  v1::GetSnapshotRequest request;
  request.set_entity(entity);
  request.set_at("2005-01-01");
  return state.GetSnapshot(request);
}

TEST(TimelineFolderTest, ReopenedStateKeepsItsSequenceCatalogAndLastChange) {
  testing::TempDir dir;
  {
    std::unique_ptr<TimelineState> state = OpenOrDie(dir.Sub("t"));
    ASSERT_NE(state, nullptr);
    EXPECT_FALSE(state->store_load().loaded);  // a new folder
    state->SetCatalogId("catalog-a");
    state->SetCatchUpTarget(2);
    ASSERT_OK(state->Apply(
        std::vector<cv1::Change>{EntityChange(1), EntityChange(2)}));
    ASSERT_TRUE(state->caught_up());
  }
  std::unique_ptr<TimelineState> state = OpenOrDie(dir.Sub("t"));
  ASSERT_NE(state, nullptr);
  EXPECT_TRUE(state->store_load().loaded);
  EXPECT_EQ(state->store_load().records, 2u);
  EXPECT_EQ(state->applied_sequence(), 2);
  EXPECT_EQ(state->catalog_id(), "catalog-a");
  ASSERT_TRUE(state->last_applied_change().has_value());
  EXPECT_EQ(state->last_applied_change()->SerializeAsString(),
            EntityChange(2).SerializeAsString());
  // Caught up before, so it answers at once, and resumes after sequence 2.
  EXPECT_TRUE(state->caught_up());
  ASSERT_OK(Snapshot(*state, "e2").status());
  ASSERT_OK(state->Apply(std::vector<cv1::Change>{EntityChange(3)}));
  EXPECT_EQ(state->applied_sequence(), 3);
  EXPECT_THAT(state->Apply(std::vector<cv1::Change>{EntityChange(5)}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("expected sequence 4")));
}

TEST(TimelineFolderTest, SavedIndexesAreLoadedOnlyAtTheSequenceTheyWereSaved) {
  testing::TempDir dir;
  {
    std::unique_ptr<TimelineState> state = OpenOrDie(dir.Sub("t"));
    ASSERT_NE(state, nullptr);
    ASSERT_OK(state->Apply(std::vector<cv1::Change>{EntityChange(1)}));
    ASSERT_OK(state->SaveIndexes());
  }
  {
    std::unique_ptr<TimelineState> state = OpenOrDie(dir.Sub("t"));
    ASSERT_NE(state, nullptr);
    EXPECT_TRUE(state->store_load().from_saved_indexes);
    state->MarkCaughtUp();
    ASSERT_OK(Snapshot(*state, "e1").status());
    // Applied past the saved file, then "crashed" (no save).
    ASSERT_OK(state->Apply(std::vector<cv1::Change>{EntityChange(2)}));
  }
  std::unique_ptr<TimelineState> state = OpenOrDie(dir.Sub("t"));
  ASSERT_NE(state, nullptr);
  EXPECT_FALSE(state->store_load().from_saved_indexes);
  EXPECT_EQ(state->store_load().records, 2u);
  ASSERT_OK(Snapshot(*state, "e2").status());
  ASSERT_OK(Snapshot(*state, "e1").status());
}

TEST(TimelineFolderTest, StateThatStoppedIsClearedAtTheNextOpen) {
  testing::TempDir dir;
  {
    std::unique_ptr<TimelineState> state = OpenOrDie(dir.Sub("t"));
    ASSERT_NE(state, nullptr);
    ASSERT_OK(state->Apply(std::vector<cv1::Change>{EntityChange(1)}));
    state->SetStopped("the catalog's history changed");
  }
  std::unique_ptr<TimelineState> state = OpenOrDie(dir.Sub("t"));
  ASSERT_NE(state, nullptr);
  EXPECT_FALSE(state->store_load().loaded);
  EXPECT_THAT(state->store_load().cleared_reason,
              HasSubstr("the catalog's history changed"));
  EXPECT_EQ(state->applied_sequence(), 0);
  EXPECT_EQ(state->stopped_reason(), "");
  state->MarkCaughtUp();
  EXPECT_THAT(Snapshot(*state, "e1"), StatusIs(absl::StatusCode::kNotFound));
  // It starts again from sequence 1, and that lasts across a reopen.
  ASSERT_OK(state->Apply(std::vector<cv1::Change>{EntityChange(1)}));
  state.reset();
  state = OpenOrDie(dir.Sub("t"));
  ASSERT_NE(state, nullptr);
  EXPECT_TRUE(state->store_load().loaded);
  EXPECT_EQ(state->applied_sequence(), 1);
}

TEST(TimelineFolderTest, FolderOfAnotherFormatIsClearedAndRebuilt) {
  testing::TempDir dir;
  {
    std::unique_ptr<TimelineState> state = OpenOrDie(dir.Sub("t"));
    ASSERT_NE(state, nullptr);
    ASSERT_OK(state->Apply(std::vector<cv1::Change>{EntityChange(1)}));
  }
  {
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir.Sub("t"), &db).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), stored::MetaKey("format"),
                        "annals-timeline-store 0")
                    .ok());
    delete db;
  }
  std::unique_ptr<TimelineState> state = OpenOrDie(dir.Sub("t"));
  ASSERT_NE(state, nullptr);
  EXPECT_THAT(state->store_load().cleared_reason,
              HasSubstr("annals-timeline-store 0"));
  EXPECT_EQ(state->applied_sequence(), 0);
}

TEST(TimelineFolderTest, DatabaseThatIsNotATimelinesIsRefusedAndLeftAlone) {
  testing::TempDir dir;
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir.Sub("other"), &db).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "precious", "data").ok());
    delete db;
  }
  absl::StatusOr<std::unique_ptr<TimelineState>> state =
      TimelineState::Open(TimelineLimits(), {.path = dir.Sub("other")});
  EXPECT_THAT(state.status(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                       HasSubstr("not a timeline's")));
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(
      rocksdb::DB::Open(rocksdb::Options(), dir.Sub("other"), &db).ok());
  std::string value;
  EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), "precious", &value).ok());
  EXPECT_EQ(value, "data");
  delete db;
}

TEST(TimelineFolderTest, SecondStateOnTheSameFolderIsRefused) {
  testing::TempDir dir;
  std::unique_ptr<TimelineState> first = OpenOrDie(dir.Sub("t"));
  ASSERT_NE(first, nullptr);
  absl::StatusOr<std::unique_ptr<TimelineState>> second =
      TimelineState::Open(TimelineLimits(), {.path = dir.Sub("t")});
  EXPECT_THAT(second.status(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                        HasSubstr("another timeline")));
}

}  // namespace
}  // namespace annals::timeline
