#include "services/catalog/storage/rocksdb_storage.h"

#include <filesystem>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/catalog/storage/write_failure.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace annals::catalog {
namespace {

using ::annals::testing::StatusIs;
using ::annals::testing::TempDir;
using ::testing::HasSubstr;

std::vector<std::string> Keys(const Storage& storage, Space space,
                              absl::string_view start = "",
                              absl::string_view limit = "") {
  std::vector<std::string> keys;
  EXPECT_OK(storage.Scan(space, start, limit,
                         [&keys](absl::string_view key, absl::string_view) {
                           keys.emplace_back(key);
                           return true;
                         }));
  return keys;
}

TEST(RocksDbStorageTest, GetMissingKeyReturnsNullopt) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto storage, OpenRocksDbStorage(dir.path()));
  ASSERT_OK_AND_ASSIGN(auto value, storage->Get(Space::kEntities, "nmi"));
  EXPECT_FALSE(value.has_value());
}

TEST(RocksDbStorageTest, SpacesAreSeparate) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto storage, OpenRocksDbStorage(dir.path()));
  WriteSet writes;
  writes.Put(Space::kEntities, "nmi", "entity");
  writes.Put(Space::kStatements, "nmi", "statement");
  ASSERT_OK(storage->Write(writes));
  ASSERT_OK_AND_ASSIGN(auto entity, storage->Get(Space::kEntities, "nmi"));
  ASSERT_OK_AND_ASSIGN(auto statement, storage->Get(Space::kStatements, "nmi"));
  ASSERT_OK_AND_ASSIGN(auto index, storage->Get(Space::kIndex, "nmi"));
  EXPECT_EQ(entity, "entity");
  EXPECT_EQ(statement, "statement");
  EXPECT_FALSE(index.has_value());
}

TEST(RocksDbStorageTest, ScanVisitsHalfOpenRangeInOrderAndStopsEarly) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto storage, OpenRocksDbStorage(dir.path()));
  WriteSet writes;
  for (std::string key : {"d", "a", "c", "b", "e"}) {
    writes.Put(Space::kIndex, key, "");
  }
  ASSERT_OK(storage->Write(writes));
  EXPECT_THAT(Keys(*storage, Space::kIndex, "b", "e"),
              ::testing::ElementsAre("b", "c", "d"));
  EXPECT_THAT(Keys(*storage, Space::kIndex),
              ::testing::ElementsAre("a", "b", "c", "d", "e"));
  int visited = 0;
  ASSERT_OK(storage->Scan(Space::kIndex, "", "",
                          [&visited](absl::string_view, absl::string_view) {
                            return ++visited < 2;
                          }));
  EXPECT_EQ(visited, 2);
}

TEST(RocksDbStorageTest, DeleteInBatchRemovesKey) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto storage, OpenRocksDbStorage(dir.path()));
  WriteSet first;
  first.Put(Space::kIndex, "k", "v");
  ASSERT_OK(storage->Write(first));
  WriteSet second;
  second.Delete(Space::kIndex, "k");
  second.Put(Space::kIndex, "k2", "v2");
  ASSERT_OK(storage->Write(second));
  EXPECT_THAT(Keys(*storage, Space::kIndex), ::testing::ElementsAre("k2"));
}

// The storage reorders a batch by key for the memtable; of two writes of
// one key in a batch, the later must still win.
TEST(RocksDbStorageTest, LaterWriteOfAKeyInABatchWins) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto storage, OpenRocksDbStorage(dir.path()));
  WriteSet writes;
  writes.Put(Space::kStatements, "z", "first");
  writes.Put(Space::kStatements, "a", "kept");
  writes.Put(Space::kEntities, "z", "other space");
  writes.Put(Space::kStatements, "z", "second");
  writes.Put(Space::kStatements, "gone", "put");
  writes.Delete(Space::kStatements, "gone");
  writes.Delete(Space::kStatements, "back");
  writes.Put(Space::kStatements, "back", "put after delete");
  writes.Put(Space::kStatements, "z", "third");
  ASSERT_OK(storage->Write(writes));
  ASSERT_OK_AND_ASSIGN(auto z, storage->Get(Space::kStatements, "z"));
  EXPECT_EQ(z, "third");
  ASSERT_OK_AND_ASSIGN(auto gone, storage->Get(Space::kStatements, "gone"));
  EXPECT_EQ(gone, std::nullopt);
  ASSERT_OK_AND_ASSIGN(auto back, storage->Get(Space::kStatements, "back"));
  EXPECT_EQ(back, "put after delete");
  ASSERT_OK_AND_ASSIGN(auto other, storage->Get(Space::kEntities, "z"));
  EXPECT_EQ(other, "other space");
  EXPECT_THAT(Keys(*storage, Space::kStatements),
              ::testing::ElementsAre("a", "back", "z"));
}

TEST(RocksDbStorageTest, WritesSurviveCloseAndReopen) {
  TempDir dir;
  {
    ASSERT_OK_AND_ASSIGN(auto storage, OpenRocksDbStorage(dir.path()));
    WriteSet writes;
    writes.Put(Space::kChanges, "0001", "first");
    writes.Put(Space::kMeta, "last_sequence", "1");
    ASSERT_OK(storage->Write(writes));
    ASSERT_OK(storage->Close());
  }
  ASSERT_OK_AND_ASSIGN(auto storage, OpenRocksDbStorage(dir.path()));
  ASSERT_OK_AND_ASSIGN(auto value, storage->Get(Space::kChanges, "0001"));
  EXPECT_EQ(value, "first");
}

TEST(RocksDbStorageTest, SecondOpenOfSameFolderIsUnavailable) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto storage, OpenRocksDbStorage(dir.path()));
  EXPECT_THAT(
      OpenRocksDbStorage(dir.path()),
      StatusIs(absl::StatusCode::kUnavailable, ::testing::HasSubstr("in use")));
}

TEST(RocksDbStorageTest, CallsAfterCloseFailWithUnavailable) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto storage, OpenRocksDbStorage(dir.path()));
  ASSERT_OK(storage->Close());
  ASSERT_OK(storage->Close());  // twice is fine
  EXPECT_THAT(storage->Get(Space::kMeta, "x"),
              StatusIs(absl::StatusCode::kUnavailable));
  WriteSet writes;
  writes.Put(Space::kMeta, "x", "y");
  EXPECT_THAT(storage->Write(writes), StatusIs(absl::StatusCode::kUnavailable));
}

// Write health (issue 12). A full disk and a read-only file system need a
// mount; tests/fault/disk_test.cc covers them with the real binary.

TEST(RocksDbStorageTest, WriteIntoADeletedFolderFailsAndIsReportedOnce) {
  TempDir dir;
  const std::string folder = dir.Sub("catalog");
  ASSERT_OK_AND_ASSIGN(auto storage, OpenRocksDbStorage(folder));
  absl::Mutex mu;
  std::vector<absl::Status> heard;
  storage->SetWriteHealthObserver([&](const absl::Status& health) {
    absl::MutexLock lock(&mu);
    heard.push_back(health);
  });
  WriteSet writes;
  writes.Put(Space::kEntities, "nmi", "entity");
  ASSERT_OK(storage->Write(writes));

  std::filesystem::remove_all(folder);
  EXPECT_THAT(storage->Write(writes),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr(folder)));
  EXPECT_THAT(storage->Write(writes),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("deleted")));
  EXPECT_THAT(storage->WriteHealth(), StatusIs(absl::StatusCode::kUnavailable));
  // Reads are still served from the files RocksDB holds open.
  ASSERT_OK_AND_ASSIGN(auto value, storage->Get(Space::kEntities, "nmi"));
  EXPECT_EQ(value, "entity");
  absl::MutexLock lock(&mu);
  ASSERT_EQ(heard.size(), 2u);  // OK when set, then the failure, once
  EXPECT_OK(heard[0]);
  EXPECT_THAT(heard[1], StatusIs(absl::StatusCode::kUnavailable));
}

TEST(RocksDbStorageTest, FolderMovedBackWritesAgain) {
  TempDir dir;
  const std::string folder = dir.Sub("catalog");
  ASSERT_OK_AND_ASSIGN(auto storage, OpenRocksDbStorage(folder));
  WriteSet writes;
  writes.Put(Space::kEntities, "nmi", "entity");
  std::filesystem::rename(folder, dir.Sub("elsewhere"));
  EXPECT_THAT(storage->Write(writes), StatusIs(absl::StatusCode::kUnavailable));
  std::filesystem::rename(dir.Sub("elsewhere"), folder);
  // The watcher retries every second.
  absl::Status health = storage->WriteHealth();
  for (int i = 0; i < 50 && !health.ok(); ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    health = storage->WriteHealth();
  }
  EXPECT_OK(health);
  EXPECT_OK(storage->Write(writes));
}

TEST(WriteFailureTest, CauseComesFromTheErrorText) {
  EXPECT_EQ(ClassifyWriteError("IO error: No space left on device: While "
                               "appending to file: 000004.log",
                               false),
            WriteFailureCause::kNoSpace);
  EXPECT_EQ(ClassifyWriteError("IO error: whatever", /*no_space=*/true),
            WriteFailureCause::kNoSpace);
  EXPECT_EQ(ClassifyWriteError("IO error: While appending to file: "
                               "000004.log: Read-only file system",
                               false),
            WriteFailureCause::kReadOnly);
  EXPECT_EQ(ClassifyWriteError("IO error: While fsync: a.log: Input/output "
                               "error",
                               false),
            WriteFailureCause::kIoError);
}

TEST(WriteFailureTest, StatusNamesCauseFolderTimeAndWhatToDo) {
  WriteFailure failure{WriteFailureCause::kNoSpace, "IO error: ENOSPC",
                       absl::FromUnixSeconds(1764763384)};
  absl::Status status = WriteFailureStatus(failure, "/data/catalog");
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("the catalog cannot write: no space left on "
                                 "device in /data/catalog (since "
                                 "2025-12-03T12:03:04Z); reads are still "
                                 "served; retry once space is freed")));
}

}  // namespace
}  // namespace annals::catalog
