#include "services/catalog/catalog.h"

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "services/catalog/storage/keys.h"
#include "services/catalog/storage/rocksdb_storage.h"
#include "services/common/status/errors.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace annals::catalog {
namespace {

using ::annals::testing::StatusIs;
using ::annals::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

template <typename T>
T Parse(const std::string& text) {
  T message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message))
      << text;
  return message;
}

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    catalog_.reset();
    auto storage = OpenRocksDbStorage(dir_.path());
    ASSERT_OK(storage);
    CatalogOptions options;
    options.clock = [this] { return now_; };
    options.max_response_bytes = max_response_bytes_;
    auto catalog = Catalog::Open(*std::move(storage), options);
    ASSERT_OK(catalog);
    catalog_ = *std::move(catalog);
  }

  absl::StatusOr<v1::Entity> Create(const std::string& id,
                                    const std::string& kind,
                                    const std::string& label,
                                    std::vector<std::string> aliases = {}) {
    v1::CreateEntityRequest request;
    request.set_entity_id(id);
    request.mutable_entity()->set_kind(kind);
    request.mutable_entity()->set_label(label);
    for (auto& alias : aliases) request.mutable_entity()->add_aliases(alias);
    return catalog_->CreateEntity(request);
  }

  absl::StatusOr<v1::Entity> Get(const std::string& name) {
    v1::GetEntityRequest request;
    request.set_name(name);
    return catalog_->GetEntity(request);
  }

  // The standard little world: a source, a mission and a person.
  void CreateWorld() {
    ASSERT_OK(Create("fact-sheet-2021", "source", "NMI fact sheet (2021)"));
    ASSERT_OK(Create("nmi", "mission", "NATO Mission Iraq",
                     {"NMI", "NATO Mission in Iraq"}));
    ASSERT_OK(Create("per-olsen", "person", "Per Olsen"));
  }

  v1::CreateStatementRequest CommanderRequest(const std::string& edtf) {
    return Parse<v1::CreateStatementRequest>(
        "statement { subject: 'entities/nmi' predicate: 'commander' "
        "object { entity: 'per-olsen' } valid_time { edtf: '" +
        edtf + "' } sources { source: 'fact-sheet-2021' } }");
  }

  // Every change in the log, in order.
  std::vector<v1::Change> AllChanges() {
    auto changes = catalog_->ReadChanges(0, 1 << 20, 1 << 30);
    EXPECT_OK(changes);
    return changes.ok() ? *changes : std::vector<v1::Change>{};
  }

  TempDir dir_;
  absl::Time now_ = absl::FromUnixSeconds(1700000000);
  int64_t max_response_bytes_ = 4000000;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(CatalogTest, CreatedEntityIsReturnedWithRecordTimeEtagAndSequence) {
  ASSERT_OK_AND_ASSIGN(v1::Entity created,
                       Create("nmi", "mission", "NATO Mission Iraq"));
  EXPECT_EQ(created.name(), "entities/nmi");
  EXPECT_EQ(created.sequence(), 1);
  EXPECT_FALSE(created.etag().empty());
  EXPECT_EQ(created.create_time().seconds(), 1700000000);
  ASSERT_OK_AND_ASSIGN(v1::Entity fetched, Get("entities/nmi"));
  EXPECT_EQ(fetched.SerializeAsString(), created.SerializeAsString());
  EXPECT_EQ(catalog_->head_sequence(), 1);
}

TEST_F(CatalogTest, GetResolvesBareIdLabelAndAliasesCaseInsensitively) {
  CreateWorld();
  for (std::string name : {"nmi", "entities/nmi", "NMI", "nato mission iraq",
                           "NATO  Mission in IRAQ"}) {
    ASSERT_OK_AND_ASSIGN(v1::Entity entity, Get(name));
    EXPECT_EQ(entity.name(), "entities/nmi") << name;
  }
  ASSERT_OK_AND_ASSIGN(v1::Entity person, Get("per olsen"));
  EXPECT_EQ(person.name(), "entities/per-olsen");
}

TEST_F(CatalogTest, GetUnknownNameIsNotFound) {
  CreateWorld();
  EXPECT_THAT(Get("entities/nobody"), StatusIs(absl::StatusCode::kNotFound,
                                               HasSubstr("entities/nobody")));
  EXPECT_THAT(Get("No Such Mission"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(CatalogTest, AliasSharedByTwoEntitiesIsReportedAsAmbiguous) {
  ASSERT_OK(Create("nmi", "mission", "NATO Mission Iraq", {"the mission"}));
  ASSERT_OK(Create("ntm-i", "mission", "NATO Training Mission-Iraq",
                   {"The Mission"}));
  auto result = Get("the mission");
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("nmi, ntm-i")));
}

TEST_F(CatalogTest, DuplicateIdIsAlreadyExistsAndWritesNothing) {
  ASSERT_OK(Create("nmi", "mission", "NATO Mission Iraq"));
  EXPECT_THAT(
      Create("nmi", "person", "Someone else"),
      StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("entities/nmi")));
  EXPECT_EQ(catalog_->head_sequence(), 1);
  ASSERT_OK_AND_ASSIGN(v1::Entity entity, Get("nmi"));
  EXPECT_EQ(entity.kind(), "mission");
}

TEST_F(CatalogTest, MalformedEntityFieldsAreInvalidArgumentNamingTheField) {
  struct Case {
    std::string id, kind, label, edtf, field;
  };
  const Case cases[] = {
      {"Bad_Id", "mission", "x", "", "entity_id"},
      {"-lead", "mission", "x", "", "entity_id"},
      {std::string(64, 'a'), "mission", "x", "", "entity_id"},
      {"ok", "Mission", "x", "", "entity.kind"},
      {"ok", "", "x", "", "entity.kind"},
      {"ok", "mission", "", "", "entity.label"},
      {"ok", "mission", "bell\x07", "", "entity.label"},
      {"ok", "mission", "bad \xc3\x28 utf8", "", "entity.label"},
      {"ok", "mission", "x", "2018-02-30", "entity.lifespan.edtf"},
      {"ok", "mission", "x", "2021/2018", "entity.lifespan.edtf"},
      {"ok", "mission", "x", "2018-11-26T10:00", "entity.lifespan.edtf"},
  };
  for (const Case& c : cases) {
    v1::CreateEntityRequest request;
    request.set_entity_id(c.id);
    request.mutable_entity()->set_kind(c.kind);
    request.mutable_entity()->set_label(c.label);
    if (!c.edtf.empty())
      request.mutable_entity()->mutable_lifespan()->set_edtf(c.edtf);
    absl::StatusOr<v1::Entity> result = catalog_->CreateEntity(request);
    EXPECT_THAT(result, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr(c.field)))
        << c.field;
    EXPECT_THAT(ViolatedFields(result.status()), ElementsAre(c.field));
  }
  EXPECT_EQ(catalog_->head_sequence(), 0);
  EXPECT_TRUE(AllChanges().empty());
}

TEST_F(CatalogTest, LifespanIsStoredInCanonicalEdtfWithBounds) {
  v1::CreateEntityRequest request = Parse<v1::CreateEntityRequest>(
      "entity_id: 'ntm-i' entity { kind: 'mission' label: 'NTM-I' "
      "lifespan { edtf: '2004/2011-12-31' } }");
  ASSERT_OK_AND_ASSIGN(v1::Entity entity, catalog_->CreateEntity(request));
  EXPECT_EQ(entity.lifespan().edtf(), "2004/2011-12-31");
  EXPECT_EQ(entity.lifespan().bounds().earliest_start(), "2004-01-01");
  EXPECT_EQ(entity.lifespan().bounds().latest_start(), "2004-12-31");
  // "Discontinued 31 December 2011": the last day, included.
  EXPECT_EQ(entity.lifespan().bounds().earliest_last_day(), "2011-12-31");
  EXPECT_EQ(entity.lifespan().bounds().latest_last_day(), "2011-12-31");
  // The day after, for clients written before the last days.
  EXPECT_EQ(entity.lifespan().bounds().earliest_end(), "2012-01-01");
}

// What the previous version wrote: the transition-day reading of A/B, in
// bounds without last days. Rewrites the stored entity and its change.
void StoreOldReadingBounds(const std::string& path, const std::string& id) {
  auto storage = OpenRocksDbStorage(path);
  ASSERT_OK(storage);
  auto bytes = (*storage)->Get(Space::kEntities, id);
  ASSERT_OK(bytes);
  ASSERT_TRUE(bytes->has_value());
  v1::Entity entity;
  ASSERT_TRUE(entity.ParseFromString(**bytes));
  type::v1::ExtentBounds* bounds = entity.mutable_lifespan()->mutable_bounds();
  bounds->Clear();
  bounds->set_earliest_start("2004-01-01");
  bounds->set_latest_start("2004-12-31");
  bounds->set_earliest_end("2011-12-31");  // then: the first day it no
  bounds->set_latest_end("2011-12-31");    // longer held
  v1::Change change;
  change.set_sequence(entity.sequence());
  change.set_type(v1::CHANGE_TYPE_CREATED);
  *change.mutable_entity() = entity;
  WriteSet writes;
  writes.Put(Space::kEntities, id, entity.SerializeAsString());
  writes.Put(Space::kChanges, keys::EncodeSequence(entity.sequence()),
             change.SerializeAsString());
  ASSERT_OK((*storage)->Write(writes));
  ASSERT_OK((*storage)->Close());
}

TEST_F(CatalogTest, ACatalogWrittenUnderTheOldReadingAnswersWithTheNewOne) {
  v1::CreateEntityRequest request = Parse<v1::CreateEntityRequest>(
      "entity_id: 'ntm-i' entity { kind: 'mission' label: 'NTM-I' "
      "lifespan { edtf: '2004/2011-12-31' } }");
  ASSERT_OK(catalog_->CreateEntity(request));
  catalog_.reset();
  StoreOldReadingBounds(dir_.path(), "ntm-i");
  Reopen();

  ASSERT_OK_AND_ASSIGN(v1::Entity entity, Get("ntm-i"));
  EXPECT_EQ(entity.lifespan().edtf(), "2004/2011-12-31");
  EXPECT_EQ(entity.lifespan().bounds().latest_last_day(), "2011-12-31");
  EXPECT_EQ(entity.lifespan().bounds().earliest_end(), "2012-01-01");
  // The change feed, which a rebuilding timeline reads, too.
  ASSERT_OK_AND_ASSIGN(std::vector<v1::Change> changes,
                       catalog_->ReadChanges(0, 10, 1 << 20));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].entity().lifespan().bounds().latest_last_day(),
            "2011-12-31");
  // Re-importing the same data changes nothing: the fresh bounds equal
  // those of the import.
  v1::ImportRecordsRequest import;
  *import.add_records()->mutable_entity() = request.entity();
  import.mutable_records(0)->mutable_entity()->set_name("entities/ntm-i");
  ASSERT_OK_AND_ASSIGN(v1::ImportRecordsResponse imported,
                       catalog_->ImportBatch(import));
  EXPECT_EQ(imported.unchanged(), 1);
  EXPECT_EQ(catalog_->head_sequence(), 1);
}

TEST_F(CatalogTest, LifespanSourcesAreStoredInFullFormAndInTheChangeFeed) {
  CreateWorld();
  v1::CreateEntityRequest request = Parse<v1::CreateEntityRequest>(
      "entity_id: 'ntm-i' entity { kind: 'mission' label: 'NTM-I' "
      "lifespan { edtf: '2004/2011-12-31' } "
      "lifespan_sources { source: 'fact-sheet-2021' locator: 'para 2' } "
      "lifespan_sources { source: 'entities/fact-sheet-2021' "
      "locator: 'para 2' } "
      "lifespan_sources { source: 'fact-sheet-2021' locator: 'para 3' } }");
  ASSERT_OK_AND_ASSIGN(v1::Entity created, catalog_->CreateEntity(request));
  ASSERT_EQ(created.lifespan_sources_size(), 2);
  EXPECT_EQ(created.lifespan_sources(0).source(), "entities/fact-sheet-2021");
  EXPECT_EQ(created.lifespan_sources(0).locator(), "para 2");
  EXPECT_EQ(created.lifespan_sources(1).locator(), "para 3");
  ASSERT_OK_AND_ASSIGN(v1::Entity fetched, Get("ntm-i"));
  EXPECT_EQ(fetched.SerializeAsString(), created.SerializeAsString());
  std::vector<v1::Change> changes = AllChanges();
  ASSERT_FALSE(changes.empty());
  EXPECT_EQ(changes.back().entity().SerializeAsString(),
            created.SerializeAsString());
}

TEST_F(CatalogTest, BadLifespanSourceIsRefusedNamingTheFieldAndWritesNothing) {
  CreateWorld();
  const int64_t head = catalog_->head_sequence();
  struct Case {
    std::string sources;
    absl::StatusCode code;
    std::string field;
  };
  const Case cases[] = {
      {"lifespan_sources { source: 'missing-doc' }",
       absl::StatusCode::kNotFound, "entity.lifespan_sources[0].source"},
      {"lifespan_sources { source: 'fact-sheet-2021' } "
       "lifespan_sources { source: 'per-olsen' }",
       absl::StatusCode::kFailedPrecondition,
       "entity.lifespan_sources[1].source"},
      {"lifespan_sources { source: 'Not An Id' }",
       absl::StatusCode::kInvalidArgument, "entity.lifespan_sources[0].source"},
      {"lifespan_sources { source: 'fact-sheet-2021' locator: 'p\x07' }",
       absl::StatusCode::kInvalidArgument,
       "entity.lifespan_sources[0].locator"},
  };
  for (const Case& c : cases) {
    for (bool validate_only : {true, false}) {
      v1::CreateEntityRequest request = Parse<v1::CreateEntityRequest>(
          "entity_id: 'ntm-i' entity { kind: 'mission' label: 'NTM-I' "
          "lifespan { edtf: '2004/2011-12-31' } " +
          c.sources + " }");
      request.set_validate_only(validate_only);
      EXPECT_THAT(catalog_->CreateEntity(request),
                  StatusIs(c.code, HasSubstr(c.field)))
          << c.field;
    }
  }
  // Sources of a lifespan the entity does not have.
  absl::StatusOr<v1::Entity> orphan =
      catalog_->CreateEntity(Parse<v1::CreateEntityRequest>(
          "entity_id: 'ntm-i' entity { kind: 'mission' label: 'NTM-I' "
          "lifespan_sources { source: 'fact-sheet-2021' } }"));
  EXPECT_THAT(orphan, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("entity.lifespan_sources")));
  EXPECT_THAT(ViolatedFields(orphan.status()),
              ElementsAre("entity.lifespan_sources"));
  EXPECT_EQ(catalog_->head_sequence(), head);
  EXPECT_THAT(Get("ntm-i"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(CatalogTest, UpdateSetsLifespanSourcesAndClearingTheLifespanDropsThem) {
  CreateWorld();
  v1::UpdateEntityRequest update = Parse<v1::UpdateEntityRequest>(
      "entity { name: 'nmi' lifespan { edtf: '2018-10/..' } "
      "lifespan_sources { source: 'fact-sheet-2021' locator: 'para 1' } }");
  ASSERT_OK_AND_ASSIGN(v1::Entity updated, catalog_->UpdateEntity(update));
  ASSERT_EQ(updated.lifespan_sources_size(), 1);
  EXPECT_EQ(updated.lifespan_sources(0).locator(), "para 1");

  // A source that is not of kind "source" is refused; nothing is written.
  const int64_t head = catalog_->head_sequence();
  v1::UpdateEntityRequest wrong = Parse<v1::UpdateEntityRequest>(
      "entity { name: 'nmi' lifespan_sources { source: 'per-olsen' } } "
      "update_mask { paths: 'lifespan_sources' }");
  EXPECT_THAT(catalog_->UpdateEntity(wrong),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("entity.lifespan_sources[0].source")));
  EXPECT_EQ(catalog_->head_sequence(), head);

  v1::UpdateEntityRequest clear = Parse<v1::UpdateEntityRequest>(
      "entity { name: 'nmi' } update_mask { paths: 'lifespan' }");
  ASSERT_OK_AND_ASSIGN(v1::Entity cleared, catalog_->UpdateEntity(clear));
  EXPECT_FALSE(cleared.has_lifespan());
  EXPECT_EQ(cleared.lifespan_sources_size(), 0);
}

TEST_F(CatalogTest, ImportSeesAChangedLifespanSourceAsAnUpdate) {
  // The lifespan cites a source that a later record of the batch creates.
  v1::ImportRecordsRequest batch = Parse<v1::ImportRecordsRequest>(R"pb(
    records {
      entity {
        name: "ntm-i"
        kind: "mission"
        label: "NTM-I"
        lifespan { edtf: "2004/2011-12-31" }
        lifespan_sources { source: "timeline" locator: "NTM-I" }
      }
    }
    records { entity { name: "timeline" kind: "source" label: "Timeline" } }
    records { entity { name: "per-olsen" kind: "person" label: "Per Olsen" } }
  )pb");
  ASSERT_OK_AND_ASSIGN(auto created, catalog_->ImportBatch(batch));
  EXPECT_EQ(created.entities_created(), 3);
  ASSERT_OK_AND_ASSIGN(auto again, catalog_->ImportBatch(batch));
  EXPECT_EQ(again.unchanged(), 3);

  batch.mutable_records(0)
      ->mutable_entity()
      ->mutable_lifespan_sources(0)
      ->set_locator("Heading");
  ASSERT_OK_AND_ASSIGN(auto changed, catalog_->ImportBatch(batch));
  EXPECT_EQ(changed.entities_updated(), 1);
  EXPECT_EQ(changed.unchanged(), 2);
  ASSERT_OK_AND_ASSIGN(v1::Entity ntm_i, Get("ntm-i"));
  EXPECT_EQ(ntm_i.lifespan_sources(0).locator(), "Heading");
  EXPECT_EQ(ntm_i.etag(), absl::StrCat(catalog_->head_sequence()));

  // A lifespan citing a person: the batch is refused, naming the record.
  const int64_t head = catalog_->head_sequence();
  batch.mutable_records(0)
      ->mutable_entity()
      ->mutable_lifespan_sources(0)
      ->set_source("per-olsen");
  EXPECT_THAT(
      catalog_->ImportBatch(batch),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("records[0].entity.lifespan_sources[0].source")));
  EXPECT_EQ(catalog_->head_sequence(), head);
}

TEST_F(CatalogTest, ListEntitiesFiltersByKindAndIdPrefixAndPages) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_OK(Create("person-" + std::to_string(i), "person", "P"));
  }
  ASSERT_OK(Create("person-mission", "mission", "M"));
  v1::ListEntitiesRequest request;
  request.set_kind("person");
  request.set_page_size(3);
  std::vector<std::string> names;
  int pages = 0;
  do {
    ASSERT_OK_AND_ASSIGN(v1::ListEntitiesResponse page,
                         catalog_->ListEntities(request));
    ++pages;
    for (const auto& e : page.entities()) names.push_back(e.name());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(names.size(), 7u);
  EXPECT_EQ(names.front(), "entities/person-0");
  EXPECT_EQ(names.back(), "entities/person-6");

  v1::ListEntitiesRequest by_prefix;
  by_prefix.set_id_prefix("person-m");
  ASSERT_OK_AND_ASSIGN(v1::ListEntitiesResponse page,
                       catalog_->ListEntities(by_prefix));
  ASSERT_EQ(page.entities_size(), 1);
  EXPECT_EQ(page.entities(0).name(), "entities/person-mission");
  EXPECT_TRUE(page.next_page_token().empty());
}

TEST_F(CatalogTest, TamperedOrForeignPageTokenIsInvalidArgument) {
  for (int i = 0; i < 3; ++i)
    ASSERT_OK(Create("e" + std::to_string(i), "event", "E"));
  v1::ListEntitiesRequest request;
  request.set_page_size(1);
  ASSERT_OK_AND_ASSIGN(auto page, catalog_->ListEntities(request));
  ASSERT_FALSE(page.next_page_token().empty());

  v1::ListEntitiesRequest tampered = request;
  std::string token = page.next_page_token();
  token[token.size() / 2] = token[token.size() / 2] == 'A' ? 'B' : 'A';
  tampered.set_page_token(token);
  EXPECT_THAT(
      catalog_->ListEntities(tampered),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));

  v1::ListEntitiesRequest other_filter = request;
  other_filter.set_kind("event");
  other_filter.set_page_token(page.next_page_token());
  EXPECT_THAT(
      catalog_->ListEntities(other_filter),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));

  v1::ListEntitiesRequest garbage = request;
  garbage.set_page_token("!!not base64!!");
  EXPECT_THAT(catalog_->ListEntities(garbage),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(CatalogTest, PageSizeOutOfRangeIsInvalidArgument) {
  for (int size : {-1, 1001, 1 << 30}) {
    v1::ListEntitiesRequest request;
    request.set_page_size(size);
    EXPECT_THAT(
        catalog_->ListEntities(request),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_size")));
    v1::ListStatementsRequest statements;
    statements.set_page_size(size);
    EXPECT_THAT(
        catalog_->ListStatements(statements),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_size")));
  }
}

TEST_F(CatalogTest, UpdateWithStaleEtagIsAbortedAndChangesNothing) {
  ASSERT_OK_AND_ASSIGN(v1::Entity created, Create("nmi", "mission", "NMI"));
  v1::UpdateEntityRequest update;
  *update.mutable_entity() = created;
  update.mutable_entity()->set_description("first");
  update.mutable_update_mask()->add_paths("description");
  ASSERT_OK_AND_ASSIGN(v1::Entity updated, catalog_->UpdateEntity(update));
  EXPECT_EQ(updated.description(), "first");
  EXPECT_NE(updated.etag(), created.etag());
  EXPECT_EQ(updated.create_time().seconds(), created.create_time().seconds());

  // A second writer still holding the first etag loses.
  update.mutable_entity()->set_description("second");
  EXPECT_THAT(catalog_->UpdateEntity(update),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("etag")));
  ASSERT_OK_AND_ASSIGN(v1::Entity now, Get("nmi"));
  EXPECT_EQ(now.description(), "first");
  EXPECT_EQ(catalog_->head_sequence(), 2);
}

TEST_F(CatalogTest, UpdateMaskTouchesOnlyNamedFields) {
  ASSERT_OK(Create("nmi", "mission", "NMI", {"NATO Mission Iraq"}));
  v1::UpdateEntityRequest update = Parse<v1::UpdateEntityRequest>(
      "entity { name: 'entities/nmi' label: 'ignored' description: 'advisory' "
      "} "
      "update_mask { paths: 'description' }");
  ASSERT_OK_AND_ASSIGN(v1::Entity updated, catalog_->UpdateEntity(update));
  EXPECT_EQ(updated.label(), "NMI");
  EXPECT_EQ(updated.description(), "advisory");
  EXPECT_THAT(updated.aliases(), ElementsAre("NATO Mission Iraq"));

  update.mutable_update_mask()->set_paths(0, "sequence");
  EXPECT_THAT(
      catalog_->UpdateEntity(update),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("update_mask")));
}

TEST_F(CatalogTest, UpdatingAliasesMovesTheAliasIndex) {
  ASSERT_OK(Create("nmi", "mission", "NMI", {"old name"}));
  v1::UpdateEntityRequest update = Parse<v1::UpdateEntityRequest>(
      "entity { name: 'nmi' aliases: 'new name' } update_mask { paths: "
      "'aliases' }");
  ASSERT_OK(catalog_->UpdateEntity(update));
  EXPECT_THAT(Get("old name"), StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(v1::Entity entity, Get("New Name"));
  EXPECT_EQ(entity.name(), "entities/nmi");
}

TEST_F(CatalogTest, UpdateThatChangesNothingWritesNothing) {
  ASSERT_OK_AND_ASSIGN(v1::Entity created, Create("nmi", "mission", "NMI"));
  v1::UpdateEntityRequest update;
  update.mutable_entity()->set_name("entities/nmi");
  update.mutable_entity()->set_label("NMI");
  ASSERT_OK_AND_ASSIGN(v1::Entity same, catalog_->UpdateEntity(update));
  EXPECT_EQ(same.etag(), created.etag());
  EXPECT_EQ(catalog_->head_sequence(), 1);
}

TEST_F(CatalogTest, DeleteLeavesATombstoneThatHistoryKeeps) {
  CreateWorld();
  v1::DeleteEntityRequest request;
  request.set_name("entities/per-olsen");
  ASSERT_OK_AND_ASSIGN(v1::Entity deleted, catalog_->DeleteEntity(request));
  EXPECT_TRUE(deleted.has_delete_time());
  ASSERT_OK_AND_ASSIGN(v1::Entity fetched, Get("per-olsen"));
  EXPECT_TRUE(fetched.has_delete_time());

  v1::ListEntitiesRequest list;
  list.set_kind("person");
  ASSERT_OK_AND_ASSIGN(auto page, catalog_->ListEntities(list));
  EXPECT_EQ(page.entities_size(), 0);
  list.set_show_deleted(true);
  ASSERT_OK_AND_ASSIGN(page, catalog_->ListEntities(list));
  EXPECT_EQ(page.entities_size(), 1);

  std::vector<v1::Change> changes = AllChanges();
  EXPECT_EQ(changes.back().type(), v1::CHANGE_TYPE_DELETED);
  EXPECT_EQ(changes.back().entity().name(), "entities/per-olsen");

  // The id stays taken, and new statements may not refer to it.
  EXPECT_THAT(Create("per-olsen", "person", "Per Olsen"),
              StatusIs(absl::StatusCode::kAlreadyExists));
  int64_t head = catalog_->head_sequence();
  EXPECT_THAT(
      catalog_->CreateStatement(CommanderRequest("2020-11-24/2021-05-06")),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("deleted")));
  EXPECT_EQ(catalog_->head_sequence(), head);
}

TEST_F(CatalogTest, StatementIsStoredNormalizedAndListedBySubjectAndObject) {
  CreateWorld();
  ASSERT_OK_AND_ASSIGN(
      v1::Statement statement,
      catalog_->CreateStatement(CommanderRequest("2020-11-24/2021-05-06")));
  EXPECT_EQ(statement.subject(), "entities/nmi");
  EXPECT_EQ(statement.object().entity(), "entities/per-olsen");
  EXPECT_EQ(statement.sources(0).source(), "entities/fact-sheet-2021");
  EXPECT_EQ(statement.valid_time().bounds().earliest_last_day(), "2021-05-06");
  EXPECT_EQ(statement.valid_time().bounds().earliest_end(), "2021-05-07");

  v1::ListStatementsRequest by_subject;
  by_subject.set_subject("nmi");
  by_subject.set_predicate("commander");
  ASSERT_OK_AND_ASSIGN(auto page, catalog_->ListStatements(by_subject));
  ASSERT_EQ(page.statements_size(), 1);
  EXPECT_EQ(page.statements(0).name(), statement.name());

  v1::ListStatementsRequest by_object;
  by_object.set_object("entities/per-olsen");
  ASSERT_OK_AND_ASSIGN(page, catalog_->ListStatements(by_object));
  ASSERT_EQ(page.statements_size(), 1);

  v1::ListStatementsRequest other_predicate;
  other_predicate.set_subject("nmi");
  other_predicate.set_predicate("partner");
  ASSERT_OK_AND_ASSIGN(page, catalog_->ListStatements(other_predicate));
  EXPECT_EQ(page.statements_size(), 0);
}

TEST_F(CatalogTest, StatementWithUnknownReferenceIsNotFoundAndWritesNothing) {
  CreateWorld();
  int64_t head = catalog_->head_sequence();
  struct Case {
    std::string text, field;
  };
  const Case cases[] = {
      {"subject: 'nobody' predicate: 'commander' object { text: 'x' } "
       "valid_time { edtf: '2020' }",
       "statement.subject"},
      {"subject: 'nmi' predicate: 'commander' object { entity: 'nobody' } "
       "valid_time { edtf: '2020' }",
       "statement.object.entity"},
      {"subject: 'nmi' predicate: 'commander' object { text: 'x' } "
       "valid_time { edtf: '2020' } sources { source: 'missing-doc' }",
       "statement.sources[0].source"},
  };
  for (const Case& c : cases) {
    v1::CreateStatementRequest request;
    request.mutable_statement()->CopyFrom(Parse<v1::Statement>(c.text));
    absl::StatusOr<v1::Statement> result = catalog_->CreateStatement(request);
    EXPECT_THAT(result,
                StatusIs(absl::StatusCode::kNotFound, HasSubstr(c.field)));
    EXPECT_THAT(ViolatedFields(result.status()), ElementsAre(c.field));
  }
  EXPECT_EQ(catalog_->head_sequence(), head);
}

TEST_F(CatalogTest, CitingANonSourceEntityIsFailedPrecondition) {
  CreateWorld();
  v1::CreateStatementRequest request = CommanderRequest("2021");
  request.mutable_statement()->mutable_sources(0)->set_source("per-olsen");
  EXPECT_THAT(
      catalog_->CreateStatement(request),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("source")));
}

TEST_F(CatalogTest, MalformedStatementFieldsAreInvalidArgument) {
  CreateWorld();
  struct Case {
    std::string text, field;
  };
  const Case cases[] = {
      {"subject: 'nmi' predicate: 'Commander' object { text: 'x' } valid_time "
       "{ edtf: '2020' }",
       "statement.predicate"},
      {"subject: 'nmi' predicate: 'commander' valid_time { edtf: '2020' }",
       "statement.object"},
      {"subject: 'nmi' predicate: 'commander' object { text: 'x' }",
       "statement.valid_time"},
      {"subject: 'nmi' predicate: 'commander' object { text: 'x' } valid_time "
       "{ edtf: '-0000' }",
       "statement.valid_time.edtf"},
      {"subject: 'nmi' predicate: 'commander' object { text: 'x' } valid_time "
       "{ edtf: 'Y170000002' }",
       "statement.valid_time.edtf"},
      {"subject: 'nmi' predicate: 'commander' object { text: 'x' } valid_time "
       "{ bound_dates { earliest_start: '1500' latest_end: '1450' } }",
       "statement.valid_time.bound_dates.latest_end"},
      {"subject: 'nmi' predicate: 'commander' object { text: 'x' } valid_time "
       "{ edtf: '10000' }",
       "statement.valid_time.edtf"},
      {"subject: 'nmi' predicate: 'personnel' object { decimal: '1e5' } "
       "valid_time { edtf: '2020' }",
       "statement.object.decimal"},
      {"subject: 'nmi' predicate: 'personnel' object { quantity { amount: "
       "'500' } } valid_time { edtf: '2020' }",
       "statement.object.quantity.unit"},
      {"subject: 'entities/' predicate: 'commander' object { text: 'x' } "
       "valid_time { edtf: '2020' }",
       "statement.subject"},
      {"subject: 'nmi' predicate: 'commander' object { text: 'x' } valid_time "
       "{ edtf: '2020' } "
       "qualifiers { key: 'Bad Key' value: 'v' }",
       "statement.qualifiers"},
  };
  for (const Case& c : cases) {
    v1::CreateStatementRequest request;
    request.mutable_statement()->CopyFrom(Parse<v1::Statement>(c.text));
    EXPECT_THAT(
        catalog_->CreateStatement(request),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.field)))
        << c.text;
  }
  EXPECT_EQ(catalog_->head_sequence(), 3);
}

TEST_F(CatalogTest, RetractedStatementStaysReadableAndLeavesDefaultListing) {
  CreateWorld();
  ASSERT_OK_AND_ASSIGN(v1::Statement statement,
                       catalog_->CreateStatement(CommanderRequest("2021")));
  v1::RetractStatementRequest retract;
  retract.set_name(statement.name());
  retract.set_reason("wrong year");
  ASSERT_OK_AND_ASSIGN(v1::Statement retracted,
                       catalog_->RetractStatement(retract));
  EXPECT_TRUE(retracted.has_retract_time());

  v1::GetStatementRequest get;
  get.set_name(statement.name());
  ASSERT_OK_AND_ASSIGN(v1::Statement fetched, catalog_->GetStatement(get));
  EXPECT_EQ(fetched.retract_reason(), "wrong year");

  v1::ListStatementsRequest list;
  list.set_subject("nmi");
  ASSERT_OK_AND_ASSIGN(auto page, catalog_->ListStatements(list));
  EXPECT_EQ(page.statements_size(), 0);
  list.set_show_retracted(true);
  ASSERT_OK_AND_ASSIGN(page, catalog_->ListStatements(list));
  EXPECT_EQ(page.statements_size(), 1);

  EXPECT_THAT(catalog_->RetractStatement(retract),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(CatalogTest, RetriedRequestIdIsAppliedOnceAndReusedIdIsRejected) {
  CreateWorld();
  v1::CreateStatementRequest request = CommanderRequest("2021");
  request.set_request_id("req-1");
  ASSERT_OK_AND_ASSIGN(v1::Statement first, catalog_->CreateStatement(request));
  int64_t head = catalog_->head_sequence();
  ASSERT_OK_AND_ASSIGN(v1::Statement retry, catalog_->CreateStatement(request));
  EXPECT_EQ(retry.name(), first.name());
  EXPECT_EQ(retry.sequence(), first.sequence());
  EXPECT_EQ(catalog_->head_sequence(), head);

  v1::CreateStatementRequest different = CommanderRequest("2022");
  different.set_request_id("req-1");
  auto result = catalog_->CreateStatement(different);
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("request_id")));
  EXPECT_EQ(ErrorReason(result.status()), "REQUEST_ID_REUSED");
  EXPECT_EQ(catalog_->head_sequence(), head);
}

TEST_F(CatalogTest, ImportCreatesReferencesWithinTheBatchInAnyOrder) {
  v1::ImportRecordsRequest batch = Parse<v1::ImportRecordsRequest>(R"pb(
    records {
      statement {
        subject: "nmi"
        predicate: "commander"
        object { entity: "per-olsen" }
        valid_time { edtf: "2020-11-24/2021-05-06" }
        sources { source: "fact-sheet-2021" }
      }
    }
    records { entity { name: "entities/nmi" kind: "mission" label: "NMI" } }
    records { entity { name: "per-olsen" kind: "person" label: "Per Olsen" } }
    records {
      entity { name: "fact-sheet-2021" kind: "source" label: "Fact sheet" }
    }
  )pb");
  ASSERT_OK_AND_ASSIGN(auto response, catalog_->ImportBatch(batch));
  EXPECT_EQ(response.entities_created(), 3);
  EXPECT_EQ(response.statements_created(), 1);
  EXPECT_EQ(response.last_sequence(), 4);

  // Re-running the same data changes nothing.
  ASSERT_OK_AND_ASSIGN(auto again, catalog_->ImportBatch(batch));
  EXPECT_EQ(again.unchanged(), 4);
  EXPECT_EQ(again.entities_created() + again.statements_created(), 0);
  EXPECT_EQ(catalog_->head_sequence(), 4);
}

TEST_F(CatalogTest, ImportBatchWithOneBadRecordWritesNothing) {
  v1::ImportRecordsRequest batch = Parse<v1::ImportRecordsRequest>(R"pb(
    records { entity { name: "nmi" kind: "mission" label: "NMI" } }
    records { entity { name: "per-olsen" kind: "person" label: "Per Olsen" } }
    records {
      statement {
        subject: "nmi"
        predicate: "commander"
        object { entity: "nobody" }
        valid_time { edtf: "2021" }
      }
    }
  )pb");
  auto result = catalog_->ImportBatch(batch);
  EXPECT_THAT(result,
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("records[2].statement.object.entity")));
  EXPECT_EQ(catalog_->head_sequence(), 0);
  EXPECT_THAT(Get("nmi"), StatusIs(absl::StatusCode::kNotFound));

  batch.mutable_records(2)->mutable_statement()->mutable_valid_time()->set_edtf(
      "2021-13");
  EXPECT_THAT(catalog_->ImportBatch(batch),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("records[2].statement.valid_time.edtf")));
  EXPECT_EQ(catalog_->head_sequence(), 0);
}

// Reference checks of a batch remember what they read; an entity the batch
// itself rewrites must be checked as rewritten, however often it was cited.
TEST_F(CatalogTest, ImportChecksReferencesAgainstEntitiesTheBatchRewrites) {
  ASSERT_OK(Create("memo", "person", "Memo"));
  ASSERT_OK(Create("nmi", "mission", "NMI"));
  // The batch turns "memo" into a source, then cites it twice.
  v1::ImportRecordsRequest batch = Parse<v1::ImportRecordsRequest>(R"pb(
    records { entity { name: "memo" kind: "source" label: "Memo" } }
    records {
      statement {
        subject: "nmi"
        predicate: "founded"
        object { text: "yes" }
        valid_time { edtf: "2018" }
        sources { source: "memo" }
      }
    }
    records {
      statement {
        subject: "memo"
        predicate: "written"
        object { text: "yes" }
        valid_time { edtf: "2018" }
        sources { source: "memo" }
      }
    }
  )pb");
  ASSERT_OK_AND_ASSIGN(auto response, catalog_->ImportBatch(batch));
  EXPECT_EQ(response.entities_updated(), 1);
  EXPECT_EQ(response.statements_created(), 2);

  // Turning it back into a person in the same batch as a citation fails the
  // whole batch, at the citation, and leaves the source in place.
  const int64_t head = catalog_->head_sequence();
  batch.mutable_records(0)->mutable_entity()->set_kind("person");
  batch.mutable_records(1)->mutable_statement()->set_predicate("disbanded");
  auto result = catalog_->ImportBatch(batch);
  EXPECT_THAT(result,
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("records[1].statement.sources[0].source")));
  EXPECT_EQ(ErrorReason(result.status()), "WRONG_KIND");
  EXPECT_EQ(catalog_->head_sequence(), head);
  ASSERT_OK_AND_ASSIGN(v1::Entity memo, Get("memo"));
  EXPECT_EQ(memo.kind(), "source");
}

TEST_F(CatalogTest, ImportNamesTheFirstStatementCitingADeletedEntity) {
  CreateWorld();
  v1::DeleteEntityRequest remove;
  remove.set_name("entities/per-olsen");
  ASSERT_OK(catalog_->DeleteEntity(remove));
  const int64_t head = catalog_->head_sequence();
  // Three statements cite the same (live) subject and source; the third also
  // refers to the deleted person.
  v1::ImportRecordsRequest batch;
  for (int i = 0; i < 3; ++i) {
    v1::Statement* statement = batch.add_records()->mutable_statement();
    statement->set_subject("nmi");
    statement->set_predicate("commander");
    if (i == 2) {
      statement->mutable_object()->set_entity("per-olsen");
    } else {
      statement->mutable_object()->set_text(absl::StrCat("commander ", i));
    }
    statement->mutable_valid_time()->set_edtf("2021");
    statement->add_sources()->set_source("fact-sheet-2021");
  }
  auto result = catalog_->ImportBatch(batch);
  EXPECT_THAT(result,
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("records[2].statement.object.entity")));
  EXPECT_EQ(ErrorReason(result.status()), "DELETED");
  EXPECT_EQ(catalog_->head_sequence(), head);

  batch.mutable_records()->RemoveLast();
  ASSERT_OK_AND_ASSIGN(auto response, catalog_->ImportBatch(batch));
  EXPECT_EQ(response.statements_created(), 2);
}

// The change log stores each change exactly as Change serializes (the
// resource's bytes are reused, not serialized twice).
TEST_F(CatalogTest, StoredChangesAreTheirCanonicalSerialization) {
  CreateWorld();
  v1::UpdateEntityRequest update;
  update.mutable_entity()->set_name("entities/nmi");
  (*update.mutable_entity()->mutable_attributes())["hq"] = "Baghdad";
  ASSERT_OK(catalog_->UpdateEntity(update));
  v1::CreateStatementRequest create = CommanderRequest("2020-11-24/2021-05-06");
  (*create.mutable_statement()->mutable_qualifiers())["rank"] = "general";
  ASSERT_OK_AND_ASSIGN(v1::Statement statement,
                       catalog_->CreateStatement(create));
  v1::RetractStatementRequest retract;
  retract.set_name(statement.name());
  retract.set_reason("duplicate");
  ASSERT_OK(catalog_->RetractStatement(retract));
  v1::DeleteEntityRequest remove;
  remove.set_name("entities/per-olsen");
  ASSERT_OK(catalog_->DeleteEntity(remove));
  const int64_t head = catalog_->head_sequence();
  catalog_.reset();

  auto storage = OpenRocksDbStorage(dir_.path());
  ASSERT_OK(storage);
  int64_t seen = 0;
  ASSERT_OK((*storage)->Scan(
      Space::kChanges, "", "", [&](absl::string_view, absl::string_view value) {
        v1::Change change;
        EXPECT_TRUE(change.ParseFromArray(value.data(),
                                          static_cast<int>(value.size())));
        EXPECT_EQ(change.sequence(), ++seen);
        EXPECT_TRUE(change.has_entity() || change.has_statement());
        EXPECT_EQ(change.SerializeAsString(), value) << change.DebugString();
        return true;
      }));
  EXPECT_EQ(seen, head);
}

TEST_F(CatalogTest, ImportOfChangedEntityUpdatesItAsANewRevision) {
  v1::ImportRecordsRequest batch = Parse<v1::ImportRecordsRequest>(
      "records { entity { name: 'nmi' kind: 'mission' label: 'NMI' } }");
  ASSERT_OK(catalog_->ImportBatch(batch));
  batch.mutable_records(0)->mutable_entity()->set_description(
      "advisory mission");
  ASSERT_OK_AND_ASSIGN(auto response, catalog_->ImportBatch(batch));
  EXPECT_EQ(response.entities_updated(), 1);
  std::vector<v1::Change> changes = AllChanges();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[1].type(), v1::CHANGE_TYPE_UPDATED);
  EXPECT_EQ(changes[1].entity().description(), "advisory mission");
}

TEST_F(CatalogTest, DuplicateNameWithinABatchIsRejected) {
  v1::ImportRecordsRequest batch = Parse<v1::ImportRecordsRequest>(
      "records { entity { name: 'nmi' kind: 'mission' label: 'NMI' } }"
      "records { entity { name: 'nmi' kind: 'mission' label: 'Other' } }");
  EXPECT_THAT(catalog_->ImportBatch(batch),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("twice")));
  EXPECT_EQ(catalog_->head_sequence(), 0);
}

TEST_F(CatalogTest, ValidateOnlyChecksEverythingAndWritesNothing) {
  v1::CreateEntityRequest request = Parse<v1::CreateEntityRequest>(
      "entity_id: 'nmi' entity { kind: 'mission' label: 'NMI' } validate_only: "
      "true");
  ASSERT_OK(catalog_->CreateEntity(request));
  EXPECT_EQ(catalog_->head_sequence(), 0);
  EXPECT_THAT(Get("nmi"), StatusIs(absl::StatusCode::kNotFound));
  request.set_validate_only(false);
  ASSERT_OK(catalog_->CreateEntity(request));
  request.set_validate_only(true);
  EXPECT_THAT(catalog_->CreateEntity(request),
              StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST_F(CatalogTest, ValidateOnlyDeleteAndRetractCheckAndWriteNothing) {
  CreateWorld();
  ASSERT_OK_AND_ASSIGN(v1::Statement statement,
                       catalog_->CreateStatement(CommanderRequest("2021")));
  const int64_t head = catalog_->head_sequence();

  v1::DeleteEntityRequest remove;
  remove.set_name("entities/per-olsen");
  remove.set_validate_only(true);
  ASSERT_OK_AND_ASSIGN(v1::Entity would_be, catalog_->DeleteEntity(remove));
  EXPECT_TRUE(would_be.has_delete_time());
  remove.set_etag("999");
  EXPECT_THAT(catalog_->DeleteEntity(remove),
              StatusIs(absl::StatusCode::kAborted));
  remove.set_name("entities/nobody");
  EXPECT_THAT(catalog_->DeleteEntity(remove),
              StatusIs(absl::StatusCode::kNotFound));

  v1::RetractStatementRequest retract;
  retract.set_name(statement.name());
  retract.set_reason("checking");
  retract.set_validate_only(true);
  ASSERT_OK_AND_ASSIGN(v1::Statement retracted,
                       catalog_->RetractStatement(retract));
  EXPECT_TRUE(retracted.has_retract_time());
  EXPECT_EQ(retracted.retract_reason(), "checking");

  // Nothing was written: same head, entity alive, statement standing.
  EXPECT_EQ(catalog_->head_sequence(), head);
  ASSERT_OK_AND_ASSIGN(v1::Entity alive, Get("per-olsen"));
  EXPECT_FALSE(alive.has_delete_time());
  v1::GetStatementRequest get;
  get.set_name(statement.name());
  ASSERT_OK_AND_ASSIGN(v1::Statement standing, catalog_->GetStatement(get));
  EXPECT_FALSE(standing.has_retract_time());
  // And the real ones still work afterwards.
  retract.set_validate_only(false);
  ASSERT_OK(catalog_->RetractStatement(retract));
  retract.set_validate_only(true);
  EXPECT_THAT(catalog_->RetractStatement(retract),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(CatalogTest, ChangeLogIsGapFreeAndSurvivesReopen) {
  CreateWorld();
  ASSERT_OK(catalog_->CreateStatement(CommanderRequest("2021")));
  Reopen();
  EXPECT_EQ(catalog_->head_sequence(), 4);
  ASSERT_OK_AND_ASSIGN(v1::Entity next, Create("nmi-ii", "mission", "NMI II"));
  EXPECT_EQ(next.sequence(), 5);
  std::vector<v1::Change> changes = AllChanges();
  ASSERT_EQ(changes.size(), 5u);
  for (size_t i = 0; i < changes.size(); ++i) {
    EXPECT_EQ(changes[i].sequence(), static_cast<int64_t>(i + 1));
  }
  ASSERT_OK_AND_ASSIGN(auto tail, catalog_->ReadChanges(3, 100, 1 << 20));
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail[0].sequence(), 4);
}

TEST_F(CatalogTest, CatalogIdIsStableAcrossReopen) {
  std::string id = catalog_->catalog_id();
  EXPECT_EQ(id.size(), 32u);
  Reopen();
  EXPECT_EQ(catalog_->catalog_id(), id);
}

TEST_F(CatalogTest, ConcurrentWritersGetDistinctConsecutiveSequences) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto result = Create("t" + std::to_string(t) + "-" + std::to_string(i),
                             "event", "E");
        EXPECT_OK(result);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::vector<v1::Change> changes = AllChanges();
  ASSERT_EQ(changes.size(), static_cast<size_t>(kThreads * kPerThread));
  std::set<std::string> names;
  for (size_t i = 0; i < changes.size(); ++i) {
    EXPECT_EQ(changes[i].sequence(), static_cast<int64_t>(i + 1));
    names.insert(changes[i].entity().name());
  }
  EXPECT_EQ(names.size(), changes.size());
}

// `count` attributes of 4,000 characters: about 4 KB each.
google::protobuf::Map<std::string, std::string> Padding(int count) {
  google::protobuf::Map<std::string, std::string> map;
  for (int i = 0; i < count; ++i) {
    map[absl::StrCat("note_", i)] = std::string(4000, 'a' + i % 26);
  }
  return map;
}

TEST_F(CatalogTest, ListPagesEndEarlyWithinTheResponseBudget) {
  max_response_bytes_ = 100000;
  Reopen();
  for (int i = 0; i < 5; ++i) {
    v1::CreateEntityRequest request;
    request.set_entity_id(absl::StrCat("large-", i));
    request.mutable_entity()->set_kind("event");
    request.mutable_entity()->set_label("Large");
    *request.mutable_entity()->mutable_attributes() = Padding(10);
    ASSERT_OK(catalog_->CreateEntity(request));
    v1::CreateStatementRequest statement;
    statement.mutable_statement()->set_subject("entities/large-0");
    statement.mutable_statement()->set_predicate("note");
    statement.mutable_statement()->mutable_object()->set_text(
        absl::StrCat("note ", i));
    statement.mutable_statement()->mutable_valid_time()->set_edtf("2020");
    *statement.mutable_statement()->mutable_qualifiers() = Padding(10);
    ASSERT_OK(catalog_->CreateStatement(statement));
  }
  // About 40 KB each: two fit in 100,000 bytes, whatever the page size.
  std::vector<int> entity_pages;
  std::set<std::string> names;
  v1::ListEntitiesRequest entities;
  entities.set_page_size(100);
  do {
    ASSERT_OK_AND_ASSIGN(v1::ListEntitiesResponse page,
                         catalog_->ListEntities(entities));
    EXPECT_LE(page.ByteSizeLong(), 100000u);
    entity_pages.push_back(page.entities_size());
    for (const v1::Entity& entity : page.entities())
      names.insert(entity.name());
    entities.set_page_token(page.next_page_token());
  } while (!entities.page_token().empty());
  EXPECT_THAT(entity_pages, ElementsAre(2, 2, 1));
  EXPECT_EQ(names.size(), 5u);

  std::vector<int> statement_pages;
  v1::ListStatementsRequest statements;
  statements.set_subject("entities/large-0");
  statements.set_page_size(100);
  do {
    ASSERT_OK_AND_ASSIGN(v1::ListStatementsResponse page,
                         catalog_->ListStatements(statements));
    EXPECT_LE(page.ByteSizeLong(), 100000u);
    statement_pages.push_back(page.statements_size());
    statements.set_page_token(page.next_page_token());
  } while (!statements.page_token().empty());
  EXPECT_THAT(statement_pages, ElementsAre(2, 2, 1));
}

TEST_F(CatalogTest, ListItemLargerThanTheResponseBudgetIsRefused) {
  max_response_bytes_ = 65536;
  Reopen();
  v1::CreateEntityRequest request;
  request.set_entity_id("huge");
  request.mutable_entity()->set_kind("event");
  request.mutable_entity()->set_label("Huge");
  *request.mutable_entity()->mutable_attributes() = Padding(20);
  ASSERT_OK(catalog_->CreateEntity(request));
  EXPECT_THAT(catalog_->ListEntities({}),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("alone would exceed --max_response_bytes "
                                 "(65536 bytes); read it with a Get call")));
  // A Get answers: a single resource is bounded by the stored size limit.
  v1::GetEntityRequest get;
  get.set_name("entities/huge");
  EXPECT_OK(catalog_->GetEntity(get));
}

}  // namespace
}  // namespace annals::catalog
