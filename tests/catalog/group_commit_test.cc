// Concurrent writers share synced batches (ADR 2) without giving up any of
// the single-writer guarantees: each request sees the ones committed before
// it in its group, a failed request leaves nothing behind, and the change log
// stays gap-free.
#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/catalog/catalog.h"
#include "services/catalog/storage/rocksdb_storage.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace annals::catalog {
namespace {

using ::annals::testing::StatusIs;
using ::annals::testing::TempDir;

// RocksDB storage whose writes take a while (so that writers queue up
// behind a commit) and can be made to fail; counts the batches it commits.
class SlowStorage final : public Storage {
 public:
  explicit SlowStorage(std::unique_ptr<Storage> base)
      : base_(std::move(base)) {}

  absl::StatusOr<std::optional<std::string>> Get(
      Space space, absl::string_view key) const override {
    return base_->Get(space, key);
  }
  absl::Status Scan(Space space, absl::string_view start,
                    absl::string_view limit,
                    const ScanVisitor& visit) const override {
    return base_->Scan(space, start, limit, visit);
  }
  absl::Status Write(const WriteSet& writes) override {
    absl::SleepFor(absl::Milliseconds(2));
    if (fail_next_.exchange(false)) {
      return absl::UnavailableError("injected write failure");
    }
    ++batches_;
    return base_->Write(writes);
  }
  absl::Status Close() override { return base_->Close(); }

  int batches() const { return batches_.load(); }
  void FailNextWrite() { fail_next_.store(true); }

 private:
  std::unique_ptr<Storage> base_;
  std::atomic<int> batches_{0};
  std::atomic<bool> fail_next_{false};
};

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RocksDbOptions options;
    options.sync_writes = false;
    auto base = OpenRocksDbStorage(dir_.path(), options);
    ASSERT_OK(base);
    auto storage = std::make_unique<SlowStorage>(*std::move(base));
    storage_ = storage.get();
    auto catalog = Catalog::Open(std::move(storage), CatalogOptions());
    ASSERT_OK(catalog);
    catalog_ = *std::move(catalog);
  }

  absl::StatusOr<v1::Entity> Create(const std::string& id,
                                    const std::string& request_id = "") {
    v1::CreateEntityRequest request;
    request.set_entity_id(id);
    request.set_request_id(request_id);
    request.mutable_entity()->set_kind("person");
    request.mutable_entity()->set_label(absl::StrCat("Person ", id));
    return catalog_->CreateEntity(request);
  }

  // The sequences of the change log, in order.
  std::vector<int64_t> LoggedSequences() {
    auto changes = catalog_->ReadChanges(0, 1 << 20, 1 << 30);
    EXPECT_OK(changes);
    std::vector<int64_t> sequences;
    if (!changes.ok()) return sequences;
    for (const auto& change : *changes) sequences.push_back(change.sequence());
    return sequences;
  }

  // Entity "source", of kind "source".
  absl::Status CreateSource() {
    v1::CreateEntityRequest source;
    source.set_entity_id("source");
    source.mutable_entity()->set_kind("source");
    source.mutable_entity()->set_label("Source");
    return catalog_->CreateEntity(source).status();
  }

  // `count` statements about entity `id`, citing "source", with integer
  // objects from `first` on.
  static v1::ImportRecordsRequest StatementsAbout(const std::string& id,
                                                  int first, int count) {
    v1::ImportRecordsRequest batch;
    for (int i = first; i < first + count; ++i) {
      v1::Statement* statement = batch.add_records()->mutable_statement();
      statement->set_subject(id);
      statement->set_predicate("rank");
      statement->mutable_object()->set_integer(i);
      statement->mutable_valid_time()->set_edtf("2020");
      statement->add_sources()->set_source("source");
    }
    return batch;
  }

  struct Race {
    absl::StatusOr<v1::ImportRecordsResponse> import =
        absl::UnknownError("not run");
    absl::StatusOr<v1::Entity> deleted = absl::UnknownError("not run");
  };
  // Deletes entity `id`, imports `batch` and creates entity `filler`, all at
  // once; the filler keeps a commit in flight so that the other two tend to
  // share a group.
  Race DeleteWhileImporting(const std::string& id,
                            const v1::ImportRecordsRequest& batch,
                            const std::string& filler) {
    Race race;
    RunConcurrently(3, [&](int t) {
      if (t == 0) {
        v1::DeleteEntityRequest remove;
        remove.set_name(absl::StrCat("entities/", id));
        race.deleted = catalog_->DeleteEntity(remove);
      } else if (t == 1) {
        race.import = catalog_->ImportBatch(batch);
      } else {
        EXPECT_OK(Create(filler));
      }
    });
    return race;
  }

  // Runs fn(thread) on `threads` threads at once.
  template <typename Fn>
  static void RunConcurrently(int threads, Fn fn) {
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) workers.emplace_back(fn, t);
    for (std::thread& worker : workers) worker.join();
  }

  TempDir dir_;
  SlowStorage* storage_ = nullptr;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(GroupCommitTest, ConcurrentWritesShareBatchesAndKeepTheLogGapFree) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  RunConcurrently(kThreads, [&](int t) {
    for (int i = 0; i < kPerThread; ++i) {
      EXPECT_OK(Create(absl::StrCat("p-", t, "-", i)));
    }
  });
  constexpr int kWrites = kThreads * kPerThread;
  // Fewer synced batches than writes: writers queued behind a commit were
  // committed together.
  EXPECT_LT(storage_->batches(), kWrites);
  std::vector<int64_t> sequences = LoggedSequences();
  ASSERT_EQ(sequences.size(), kWrites);
  for (int i = 0; i < kWrites; ++i) EXPECT_EQ(sequences[i], i + 1);
  EXPECT_EQ(catalog_->head_sequence(), kWrites);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      v1::GetEntityRequest get;
      get.set_name(absl::StrCat("entities/p-", t, "-", i));
      EXPECT_OK(catalog_->GetEntity(get));
    }
  }
}

TEST_F(GroupCommitTest, RacingCreatesOfOneIdSucceedExactlyOnce) {
  // Every round, all threads create the same ids at once; in a group the
  // later requests must see the earlier ones' uncommitted writes.
  constexpr int kThreads = 8;
  constexpr int kRounds = 20;
  std::atomic<int> created{0};
  std::atomic<int> already_exists{0};
  RunConcurrently(kThreads, [&](int) {
    for (int round = 0; round < kRounds; ++round) {
      absl::StatusOr<v1::Entity> entity = Create(absl::StrCat("same-", round));
      if (entity.ok()) {
        ++created;
      } else if (entity.status().code() == absl::StatusCode::kAlreadyExists) {
        ++already_exists;
      } else {
        ADD_FAILURE() << entity.status();
      }
    }
  });
  EXPECT_EQ(created.load(), kRounds);
  EXPECT_EQ(already_exists.load(), kRounds * (kThreads - 1));
  EXPECT_EQ(LoggedSequences().size(), kRounds);
}

TEST_F(GroupCommitTest, RacingRetriesOfOneRequestIdApplyOnce) {
  constexpr int kThreads = 8;
  std::vector<absl::StatusOr<v1::Entity>> answers(kThreads,
                                                  absl::UnknownError(""));
  RunConcurrently(kThreads, [&](int t) {
    answers[t] = Create("retried", "request-retried-1");
  });
  for (const auto& answer : answers) {
    ASSERT_OK(answer);
    EXPECT_EQ(answer->etag(), answers[0]->etag());
    EXPECT_EQ(answer->sequence(), 1);
  }
  EXPECT_EQ(LoggedSequences().size(), 1);
}

// An import checks its references against the requests committed before it
// in its group: racing a delete of the entity it cites, it either commits
// first or fails, never cites the entity after its deletion.
TEST_F(GroupCommitTest, ImportRacingADeleteOfItsSubjectNeverCitesItDeleted) {
  ASSERT_OK(CreateSource());
  constexpr int kRounds = 12;
  int imported = 0, refused = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::string id = absl::StrCat("subject-", round);
    ASSERT_OK(Create(id));
    auto [import, deleted] = DeleteWhileImporting(
        id, StatementsAbout(id, 0, 20), absl::StrCat("filler-", round));
    ASSERT_OK(deleted);
    if (import.ok()) {
      ++imported;
      EXPECT_EQ(import->statements_created(), 20);
      EXPECT_LT(import->last_sequence(), deleted->sequence());
    } else {
      ++refused;
      EXPECT_THAT(import, StatusIs(absl::StatusCode::kFailedPrecondition));
      v1::ListStatementsRequest list;
      list.set_subject(absl::StrCat("entities/", id));
      list.set_show_retracted(true);
      auto statements = catalog_->ListStatements(list);
      ASSERT_OK(statements);
      EXPECT_EQ(statements->statements_size(), 0);
    }
  }
  EXPECT_EQ(imported + refused, kRounds);
  std::vector<int64_t> logged = LoggedSequences();
  for (size_t i = 0; i < logged.size(); ++i) EXPECT_EQ(logged[i], i + 1);
}

TEST_F(GroupCommitTest, AFailedBatchFailsEveryWriterInItAndWritesNothing) {
  ASSERT_OK(Create("before"));
  storage_->FailNextWrite();
  // Whichever group meets the failure fails as a whole; the others commit.
  constexpr int kThreads = 6;
  std::vector<absl::StatusOr<v1::Entity>> answers(kThreads,
                                                  absl::UnknownError(""));
  RunConcurrently(kThreads, [&](int t) {
    answers[t] = Create(absl::StrCat("during-", t));
  });
  int failed = 0;
  std::set<int64_t> sequences;
  for (int t = 0; t < kThreads; ++t) {
    v1::GetEntityRequest get;
    get.set_name(absl::StrCat("entities/during-", t));
    if (answers[t].ok()) {
      sequences.insert(answers[t]->sequence());
      EXPECT_OK(catalog_->GetEntity(get));
    } else {
      ++failed;
      EXPECT_THAT(answers[t], StatusIs(absl::StatusCode::kUnavailable));
      EXPECT_THAT(catalog_->GetEntity(get),
                  StatusIs(absl::StatusCode::kNotFound));
    }
  }
  EXPECT_GE(failed, 1);
  // The survivors took the sequences right after "before", without a hole
  // where the failed group would have been.
  const int committed = kThreads - failed;
  EXPECT_EQ(catalog_->head_sequence(), 1 + committed);
  std::vector<int64_t> logged = LoggedSequences();
  ASSERT_EQ(logged.size(), 1 + committed);
  for (size_t i = 0; i < logged.size(); ++i) EXPECT_EQ(logged[i], i + 1);
  // And the catalog goes on.
  ASSERT_OK_AND_ASSIGN(v1::Entity after, Create("after"));
  EXPECT_EQ(after.sequence(), 2 + committed);
}

// As above, but earlier batches have cited the subject, so its facts are
// remembered from them (ADR 14): the delete must still win whichever way
// the race goes, and every later batch must see it.
TEST_F(GroupCommitTest, ImportRacingADeleteOfASubjectCitedBeforeSeesTheDelete) {
  ASSERT_OK(CreateSource());
  constexpr int kRounds = 12;
  for (int round = 0; round < kRounds; ++round) {
    const std::string id = absl::StrCat("cited-", round);
    ASSERT_OK(Create(id));
    ASSERT_OK(catalog_->ImportBatch(StatementsAbout(id, 0, 5)));
    auto [import, deleted] = DeleteWhileImporting(
        id, StatementsAbout(id, 5, 20), absl::StrCat("filler-", round));
    ASSERT_OK(deleted);
    if (import.ok()) {
      EXPECT_LT(import->last_sequence(), deleted->sequence());
    } else {
      EXPECT_THAT(import, StatusIs(absl::StatusCode::kFailedPrecondition));
    }
    EXPECT_THAT(catalog_->ImportBatch(StatementsAbout(id, 100, 1)),
                StatusIs(absl::StatusCode::kFailedPrecondition));
  }
}

// A batch that storage failed to write leaves nothing remembered: the
// entity it created is unknown to the next batch.
TEST_F(GroupCommitTest, EntityOfABatchStorageFailedToWriteStaysUnknown) {
  v1::ImportRecordsRequest batch;
  v1::Entity* entity = batch.add_records()->mutable_entity();
  entity->set_name("lost");
  entity->set_kind("person");
  entity->set_label("Lost");
  v1::Statement* statement = batch.add_records()->mutable_statement();
  statement->set_subject("lost");
  statement->set_predicate("rank");
  statement->mutable_object()->set_integer(1);
  statement->mutable_valid_time()->set_edtf("2020");
  storage_->FailNextWrite();
  EXPECT_THAT(catalog_->ImportBatch(batch),
              StatusIs(absl::StatusCode::kUnavailable));
  v1::ImportRecordsRequest next;
  *next.add_records()->mutable_statement() = *statement;
  next.mutable_records(0)->mutable_statement()->mutable_object()->set_integer(
      2);
  EXPECT_THAT(catalog_->ImportBatch(next),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace annals::catalog
