// Imports the NATO Mission Iraq data set (data/nmi/*.textproto, in name
// order) into a real catalog and checks the properties scripts rely on: the
// fixed ids and aliases, the seven commander tenures, and that every
// statement cites a source and every source is cited.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "annals/catalog/v1/catalog_service.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "services/catalog/catalog.h"
#include "services/catalog/storage/rocksdb_storage.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace annals::catalog {
namespace {

using ::annals::testing::TempDir;
using ::testing::UnorderedElementsAreArray;

constexpr char kDataDir[] = ANNALS_DATA_DIR;

// The ids other scripts depend on, with their kinds.
const std::map<std::string, std::string>& FixedIds() {
  static const auto* ids = new std::map<std::string, std::string>{
      {"nmi", "mission"},
      {"ntm-i", "mission"},
      {"nmi-i", "mission"},
      {"nmi-ii", "mission"},
      {"core-team", "mission"},
      {"dany-fortin", "person"},
      {"jennie-carignan", "person"},
      {"per-olsen", "person"},
      {"michael-lollesgaard", "person"},
      {"giovanni-maria-iannucci", "person"},
      {"jose-antonio-aguero-martinez", "person"},
      {"lucas-schreurs", "person"},
  };
  return *ids;
}

// One source entity per seed document.
const std::vector<std::string>& SeedSources() {
  static const auto* ids = new std::vector<std::string>{
      "nato-nmi-factsheet-2021",        "nato-nmi-topic-page-2024",
      "nmi-overview-article-2025",      "nato-iraq-operations-timeline",
      "innov8-nmi-special-report-2024",
  };
  return *ids;
}

const std::vector<std::string>& Commanders() {
  static const auto* ids = new std::vector<std::string>{
      "dany-fortin",
      "jennie-carignan",
      "per-olsen",
      "michael-lollesgaard",
      "giovanni-maria-iannucci",
      "jose-antonio-aguero-martinez",
      "lucas-schreurs",
  };
  return *ids;
}

// Reports text-format errors with the file name and position.
class ErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  explicit ErrorCollector(std::string file) : file_(std::move(file)) {}
  void AddError(int line, int column, const std::string& message) override {
    ADD_FAILURE() << file_ << ":" << line + 1 << ":" << column + 1 << ": "
                  << message;
  }
  void AddWarning(int line, int column, const std::string& message) override {
    ADD_FAILURE() << file_ << ":" << line + 1 << ":" << column + 1
                  << ": warning: " << message;
  }

 private:
  std::string file_;
};

struct Batch {
  std::string file;
  v1::ImportRecordsRequest request;
};

class NmiDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto storage = OpenRocksDbStorage(dir_.path());
    ASSERT_OK(storage);
    auto catalog = Catalog::Open(*std::move(storage));
    ASSERT_OK(catalog);
    catalog_ = *std::move(catalog);
    ASSERT_NO_FATAL_FAILURE(LoadBatches());
    ASSERT_NO_FATAL_FAILURE(ImportAll(&first_import_));
  }

  // Parses every *.textproto in the data directory, in name order.
  void LoadBatches() {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(kDataDir)) {
      if (entry.is_regular_file() && entry.path().extension() == ".textproto") {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    ASSERT_FALSE(files.empty()) << "no .textproto files in " << kDataDir;
    for (const auto& path : files) {
      std::ifstream in(path);
      ASSERT_TRUE(in) << path;
      std::stringstream text;
      text << in.rdbuf();
      Batch batch;
      batch.file = path.filename().string();
      ErrorCollector errors(batch.file);
      google::protobuf::TextFormat::Parser parser;
      parser.RecordErrorsTo(&errors);
      ASSERT_TRUE(parser.ParseFromString(text.str(), &batch.request))
          << batch.file;
      ASSERT_GT(batch.request.records_size(), 0) << batch.file;
      ASSERT_LE(batch.request.records_size(), 10000) << batch.file;
      batches_.push_back(std::move(batch));
    }
  }

  // Imports every batch in order, adding up the responses.
  void ImportAll(v1::ImportRecordsResponse* total) {
    for (const Batch& batch : batches_) {
      absl::StatusOr<v1::ImportRecordsResponse> response =
          catalog_->ImportBatch(batch.request);
      ASSERT_OK(response) << batch.file;
      total->set_entities_created(total->entities_created() +
                                  response->entities_created());
      total->set_entities_updated(total->entities_updated() +
                                  response->entities_updated());
      total->set_statements_created(total->statements_created() +
                                    response->statements_created());
      total->set_statements_updated(total->statements_updated() +
                                    response->statements_updated());
      total->set_unchanged(total->unchanged() + response->unchanged());
      total->set_batches(total->batches() + response->batches());
    }
  }

  int64_t RecordCount() const {
    int64_t count = 0;
    for (const Batch& batch : batches_) count += batch.request.records_size();
    return count;
  }

  absl::StatusOr<v1::Entity> Get(const std::string& name) const {
    v1::GetEntityRequest request;
    request.set_name(name);
    return catalog_->GetEntity(request);
  }

  // Every statement matching `filter`, across pages.
  std::vector<v1::Statement> Statements(
      v1::ListStatementsRequest filter) const {
    std::vector<v1::Statement> all;
    filter.set_page_size(1000);
    do {
      absl::StatusOr<v1::ListStatementsResponse> page =
          catalog_->ListStatements(filter);
      EXPECT_OK(page);
      if (!page.ok()) break;
      for (const auto& s : page->statements()) all.push_back(s);
      filter.set_page_token(page->next_page_token());
    } while (!filter.page_token().empty());
    return all;
  }

  std::vector<v1::Entity> Entities(const std::string& kind) const {
    std::vector<v1::Entity> all;
    v1::ListEntitiesRequest request;
    request.set_kind(kind);
    request.set_page_size(1000);
    do {
      absl::StatusOr<v1::ListEntitiesResponse> page =
          catalog_->ListEntities(request);
      EXPECT_OK(page);
      if (!page.ok()) break;
      for (const auto& e : page->entities()) all.push_back(e);
      request.set_page_token(page->next_page_token());
    } while (!request.page_token().empty());
    return all;
  }

  TempDir dir_;
  std::unique_ptr<Catalog> catalog_;
  std::vector<Batch> batches_;
  v1::ImportRecordsResponse first_import_;
};

TEST_F(NmiDataTest, FirstImportCreatesEveryRecord) {
  EXPECT_EQ(
      first_import_.entities_created() + first_import_.statements_created(),
      RecordCount())
      << "a record was repeated or updated within the data set: "
      << first_import_.DebugString();
  EXPECT_EQ(first_import_.batches(), static_cast<int64_t>(batches_.size()));
  EXPECT_EQ(catalog_->head_sequence(), RecordCount());
}

TEST_F(NmiDataTest, ReimportChangesNothing) {
  const int64_t head = catalog_->head_sequence();
  v1::ImportRecordsResponse second;
  ASSERT_NO_FATAL_FAILURE(ImportAll(&second));
  EXPECT_EQ(second.unchanged(), RecordCount());
  EXPECT_EQ(second.entities_created(), 0);
  EXPECT_EQ(second.entities_updated(), 0);
  EXPECT_EQ(second.statements_created(), 0);
  EXPECT_EQ(second.statements_updated(), 0);
  EXPECT_EQ(catalog_->head_sequence(), head);
}

TEST_F(NmiDataTest, FixedIdsExistWithTheirKinds) {
  for (const auto& [id, kind] : FixedIds()) {
    ASSERT_OK_AND_ASSIGN(v1::Entity entity, Get(absl::StrCat("entities/", id)));
    EXPECT_EQ(entity.kind(), kind) << id;
  }
  for (const std::string& id : SeedSources()) {
    ASSERT_OK_AND_ASSIGN(v1::Entity entity, Get(absl::StrCat("entities/", id)));
    EXPECT_EQ(entity.kind(), "source") << id;
  }
}

TEST_F(NmiDataTest, CommonNamesResolve) {
  const std::vector<std::pair<std::string, std::string>> names = {
      {"NMI", "nmi"},
      {"NATO Mission Iraq", "nmi"},
      {"NATO Mission in Iraq", "nmi"},
      {"nato mission iraq", "nmi"},
      {"NTM-I", "ntm-i"},
      {"NATO Training Mission-Iraq", "ntm-i"},
      {"Dany Fortin", "dany-fortin"},
      {"Jennie Carignan", "jennie-carignan"},
      {"Per Olsen", "per-olsen"},
      {"Lieutenant General Per Olsen", "per-olsen"},
      {"Michael Lollesgaard", "michael-lollesgaard"},
      {"Giovanni Maria Iannucci", "giovanni-maria-iannucci"},
      {"José Antonio Agüero Martinez", "jose-antonio-aguero-martinez"},
      {"Jose Antonio Aguero Martinez", "jose-antonio-aguero-martinez"},
      {"Lucas Schreurs", "lucas-schreurs"},
  };
  for (const auto& [name, id] : names) {
    ASSERT_OK_AND_ASSIGN(v1::Entity entity, Get(name));
    EXPECT_EQ(entity.name(), absl::StrCat("entities/", id)) << name;
  }
}

TEST_F(NmiDataTest, EveryLabelAndAliasNamesOneEntity) {
  std::map<std::string, std::string> owner;  // lowercased name -> entity
  for (const Batch& batch : batches_) {
    for (const v1::ImportRecord& record : batch.request.records()) {
      if (!record.has_entity()) continue;
      const v1::Entity& entity = record.entity();
      std::vector<std::string> names = {entity.label()};
      names.insert(names.end(), entity.aliases().begin(),
                   entity.aliases().end());
      for (const std::string& name : names) {
        auto [it, added] =
            owner.emplace(absl::AsciiStrToLower(name), entity.name());
        EXPECT_TRUE(added || it->second == entity.name())
            << "\"" << name << "\" names both " << it->second << " and "
            << entity.name();
        ASSERT_OK_AND_ASSIGN(v1::Entity found, Get(name));
        EXPECT_EQ(found.name(), entity.name()) << name;
      }
    }
  }
}

TEST_F(NmiDataTest, NmiHasExactlyTheSevenCommanderTenures) {
  v1::ListStatementsRequest filter;
  filter.set_subject("entities/nmi");
  filter.set_predicate("commander");
  std::vector<v1::Statement> statements = Statements(filter);
  std::vector<std::string> objects;
  for (const v1::Statement& s : statements) {
    EXPECT_TRUE(s.object().has_entity()) << s.DebugString();
    objects.push_back(s.object().entity());
    EXPECT_FALSE(s.valid_time().edtf().empty()) << s.DebugString();
  }
  std::vector<std::string> expected;
  for (const std::string& id : Commanders()) {
    expected.push_back(absl::StrCat("entities/", id));
  }
  EXPECT_THAT(objects, UnorderedElementsAreArray(expected));
}

TEST_F(NmiDataTest, TenuresFollowTheCommandersList) {
  const std::map<std::string, std::string> tenures = {
      {"entities/dany-fortin", "2018-11/2019-11-26"},
      {"entities/jennie-carignan", "2019-11-26/2020-11-24"},
      {"entities/per-olsen", "2020-11-24/2021-05-06"},
      {"entities/michael-lollesgaard", "2021-05-06/2022-05-10"},
      {"entities/giovanni-maria-iannucci", "2022-05-10/2023-05-24"},
      {"entities/jose-antonio-aguero-martinez", "2023-05-24/2024-05-24"},
      {"entities/lucas-schreurs", "2024-05-24/.."},
  };
  v1::ListStatementsRequest filter;
  filter.set_subject("entities/nmi");
  filter.set_predicate("commander");
  for (const v1::Statement& s : Statements(filter)) {
    auto it = tenures.find(s.object().entity());
    ASSERT_NE(it, tenures.end()) << s.DebugString();
    EXPECT_EQ(s.valid_time().edtf(), it->second) << s.object().entity();
  }
}

TEST_F(NmiDataTest, EveryStatementCitesASourceAndEverySeedIsCited) {
  std::set<std::string> sources;
  for (const v1::Entity& e : Entities("source")) sources.insert(e.name());
  std::set<std::string> expected;
  for (const std::string& id : SeedSources()) {
    expected.insert(absl::StrCat("entities/", id));
  }
  EXPECT_EQ(sources, expected);

  std::set<std::string> cited;
  std::vector<v1::Statement> statements = Statements({});
  EXPECT_FALSE(statements.empty());
  for (const v1::Statement& s : statements) {
    EXPECT_GE(s.sources_size(), 1) << s.DebugString();
    for (const v1::SourceCitation& c : s.sources()) cited.insert(c.source());
  }
  for (const std::string& source : expected) {
    EXPECT_TRUE(cited.count(source)) << source << " is never cited";
  }
}

// A lifespan is a claim like a statement's valid time: it cites the seeds
// that date it, at locators the statements of the data set also use (the
// README's list).
TEST_F(NmiDataTest, EveryLifespanCitesASeedAtAKnownLocator) {
  std::set<std::pair<std::string, std::string>> locators;
  for (const v1::Statement& s : Statements({})) {
    for (const v1::SourceCitation& c : s.sources()) {
      locators.emplace(c.source(), c.locator());
    }
  }
  int lifespans = 0;
  for (const v1::Entity& e : Entities("")) {
    if (!e.has_lifespan()) {
      EXPECT_EQ(e.lifespan_sources_size(), 0) << e.name();
      continue;
    }
    ++lifespans;
    EXPECT_GE(e.lifespan_sources_size(), 1)
        << e.name() << " " << e.lifespan().edtf() << " cites no source";
    for (const v1::SourceCitation& c : e.lifespan_sources()) {
      EXPECT_FALSE(c.locator().empty()) << e.name() << " cites " << c.source();
      EXPECT_TRUE(locators.contains({c.source(), c.locator()}))
          << e.name() << " cites " << c.source() << " at \"" << c.locator()
          << "\", a locator no statement uses";
    }
  }
  // The six missions of the README, five other missions and programmes, and
  // the 26 events.
  EXPECT_EQ(lifespans, 37);
}

TEST_F(NmiDataTest, SourcesCarryPublisherAndDateButNoLifespan) {
  for (const v1::Entity& e : Entities("source")) {
    EXPECT_TRUE(e.attributes().contains("publisher")) << e.name();
    EXPECT_TRUE(e.attributes().contains("date")) << e.name();
    EXPECT_FALSE(e.has_lifespan()) << e.name();
  }
}

TEST_F(NmiDataTest, ReferencesPointBackwardsInFileOrder) {
  // Import order is file order; a reference to a later file would fail the
  // import, but this names the record when it happens.
  std::set<std::string> defined;
  for (const Batch& batch : batches_) {
    for (const v1::ImportRecord& record : batch.request.records()) {
      if (record.has_entity()) defined.insert(record.entity().name());
    }
    for (const v1::ImportRecord& record : batch.request.records()) {
      if (!record.has_entity()) continue;
      for (const v1::SourceCitation& c : record.entity().lifespan_sources()) {
        EXPECT_TRUE(defined.count(c.source()))
            << batch.file << ": " << c.source();
      }
    }
    for (const v1::ImportRecord& record : batch.request.records()) {
      if (!record.has_statement()) continue;
      const v1::Statement& s = record.statement();
      EXPECT_TRUE(defined.count(s.subject()))
          << batch.file << ": " << s.subject();
      if (s.object().has_entity()) {
        EXPECT_TRUE(defined.count(s.object().entity()))
            << batch.file << ": " << s.object().entity();
      }
      for (const v1::SourceCitation& c : s.sources()) {
        EXPECT_TRUE(defined.count(c.source()))
            << batch.file << ": " << c.source();
      }
    }
  }
}

}  // namespace
}  // namespace annals::catalog
