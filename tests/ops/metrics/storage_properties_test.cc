// Storage::Properties() of RocksDbStorage: the figures the catalog exports.
#include <map>
#include <string>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/catalog/storage/rocksdb_storage.h"
#include "services/common/metrics/registry.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace annals::catalog {
namespace {

using ::annals::testing::TempDir;

// "name" or "name/space" -> value.
std::map<std::string, int64_t> ByKey(const Storage& storage) {
  std::map<std::string, int64_t> figures;
  for (const StorageProperty& property : storage.Properties()) {
    std::string key = property.name;
    if (!property.space.empty()) key += "/" + property.space;
    EXPECT_TRUE(figures.emplace(key, property.value).second)
        << "repeated: " << key;
    EXPECT_TRUE(metrics::IsValidMetricName(property.name)) << property.name;
    EXPECT_FALSE(property.help.empty()) << property.name;
  }
  return figures;
}

TEST(StoragePropertiesTest, ReportsFiguresPerSpaceAndForTheStore) {
  TempDir dir;
  RocksDbOptions options;
  options.block_cache_bytes = 8 << 20;
  ASSERT_OK_AND_ASSIGN(auto storage, OpenRocksDbStorage(dir.path(), options));
  std::map<std::string, int64_t> figures = ByKey(*storage);
  for (const char* name : {"estimate_num_keys", "live_sst_bytes",
                           "memtable_bytes", "pending_compaction_bytes"}) {
    for (const char* space :
         {"meta", "entities", "statements", "index", "changes", "requests"}) {
      EXPECT_TRUE(figures.count(std::string(name) + "/" + space))
          << name << "/" << space;
    }
  }
  EXPECT_EQ(figures["block_cache_capacity_bytes"], 8 << 20);
  EXPECT_TRUE(figures.count("block_cache_usage_bytes"));
  EXPECT_EQ(figures["background_errors"], 0);
  EXPECT_EQ(figures["estimate_num_keys/entities"], 0);
}

TEST(StoragePropertiesTest, KeyCountsAndMemtableGrowWithWrites) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto storage, OpenRocksDbStorage(dir.path()));
  std::map<std::string, int64_t> before = ByKey(*storage);
  WriteSet writes;
  for (int i = 0; i < 10; ++i) {
    // Large enough to outgrow the memtable's first arena block.
    writes.Put(Space::kEntities, "e" + std::to_string(i),
               std::string(16 << 10, 'v'));
  }
  writes.Put(Space::kChanges, "c", "change");
  ASSERT_OK(storage->Write(writes));
  std::map<std::string, int64_t> after = ByKey(*storage);
  EXPECT_EQ(after["estimate_num_keys/entities"], 10);
  EXPECT_EQ(after["estimate_num_keys/changes"], 1);
  EXPECT_EQ(after["estimate_num_keys/statements"], 0);
  EXPECT_GT(after["memtable_bytes/entities"],
            before["memtable_bytes/entities"]);
}

TEST(StoragePropertiesTest, EmptyOnceClosed) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto storage, OpenRocksDbStorage(dir.path()));
  EXPECT_FALSE(storage->Properties().empty());
  ASSERT_OK(storage->Close());
  EXPECT_TRUE(storage->Properties().empty());
}

}  // namespace
}  // namespace annals::catalog
