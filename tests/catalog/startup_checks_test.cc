#include "services/catalog/startup_checks.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/catalog/catalog.h"
#include "services/catalog/storage/keys.h"
#include "services/catalog/storage/rocksdb_storage.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace annals::catalog {
namespace {

using ::annals::testing::StatusIs;
using ::annals::testing::TempDir;
using ::testing::HasSubstr;

constexpr int kEntities = 20;

// A catalog of kEntities entities (sequences 1..20) in a temporary folder,
// whose stored spaces a test then damages directly.
class CatalogStartupChecksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(auto storage, OpenRocksDbStorage(dir_.path()));
    ASSERT_OK_AND_ASSIGN(auto catalog, Catalog::Open(std::move(storage)));
    for (int i = 0; i < kEntities; ++i) {
      v1::CreateEntityRequest request;
      request.set_entity_id(absl::StrCat("e-", i));
      request.mutable_entity()->set_kind("event");
      request.mutable_entity()->set_label(absl::StrCat("Event ", i));
      ASSERT_OK(catalog->CreateEntity(request));
    }
    ASSERT_EQ(catalog->head_sequence(), kEntities);
    ASSERT_OK(catalog->Close());
  }

  // Applies `damage` to the stored spaces.
  void Damage(const WriteSet& damage) {
    ASSERT_OK_AND_ASSIGN(auto storage, OpenRocksDbStorage(dir_.path()));
    ASSERT_OK(storage->Write(damage));
    ASSERT_OK(storage->Close());
  }

  absl::Status Reopen() {
    absl::StatusOr<std::unique_ptr<Storage>> storage =
        OpenRocksDbStorage(dir_.path());
    if (!storage.ok()) return storage.status();
    return Catalog::Open(*std::move(storage)).status();
  }

  TempDir dir_;
};

TEST_F(CatalogStartupChecksTest, IntactCatalogOpens) { EXPECT_OK(Reopen()); }

TEST_F(CatalogStartupChecksTest, GapInTheChangeLogTailIsDataLoss) {
  WriteSet damage;
  damage.Delete(Space::kChanges, keys::EncodeSequence(kEntities - 3));
  Damage(damage);
  EXPECT_THAT(Reopen(), StatusIs(absl::StatusCode::kDataLoss,
                                 HasSubstr("sequences 17 to 17 are missing")));
}

TEST_F(CatalogStartupChecksTest, ChangeLogPastTheRecordedHeadIsDataLoss) {
  WriteSet damage;
  damage.Put(Space::kChanges, keys::EncodeSequence(kEntities + 5), "x");
  Damage(damage);
  EXPECT_THAT(Reopen(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("continues past the last sequence recorded "
                                 "in the meta space (20): it holds sequence "
                                 "25")));
}

TEST_F(CatalogStartupChecksTest, ChangeLogShortOfTheRecordedHeadIsDataLoss) {
  WriteSet damage;
  damage.Put(Space::kMeta, std::string(keys::kLastSequence),
             absl::StrCat(kEntities + 2));
  Damage(damage);
  EXPECT_THAT(Reopen(), StatusIs(absl::StatusCode::kDataLoss,
                                 HasSubstr("ends at sequence 20 but the meta "
                                           "space records 22")));
}

TEST_F(CatalogStartupChecksTest, UnparsableLastChangeIsDataLoss) {
  WriteSet damage;
  damage.Put(Space::kChanges, keys::EncodeSequence(kEntities),
             std::string("\xff\xff\xff", 3));
  Damage(damage);
  EXPECT_THAT(Reopen(), StatusIs(absl::StatusCode::kDataLoss,
                                 HasSubstr("the change at sequence 20")));
}

TEST_F(CatalogStartupChecksTest, MissingCatalogIdWithDataIsDataLoss) {
  WriteSet damage;
  damage.Delete(Space::kMeta, std::string(keys::kCatalogId));
  Damage(damage);
  EXPECT_THAT(Reopen(), StatusIs(absl::StatusCode::kDataLoss,
                                 HasSubstr("no catalog_id")));
}

TEST_F(CatalogStartupChecksTest, BadRecordedHeadIsDataLoss) {
  WriteSet damage;
  damage.Put(Space::kMeta, std::string(keys::kLastSequence), "-4");
  Damage(damage);
  EXPECT_THAT(Reopen(), StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace annals::catalog
