#include "services/catalog/storage/rocksdb_storage.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace annals::catalog {
namespace {

using ::annals::testing::StatusIs;
using ::annals::testing::TempDir;

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

}  // namespace
}  // namespace annals::catalog
