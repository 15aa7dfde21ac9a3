// Catalog::ImportBatch and ImportStream: keeping going past refused records,
// and validate_only streams checked as a whole.
#include "services/catalog/import.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "services/catalog/catalog.h"
#include "services/catalog/storage/rocksdb_storage.h"
#include "services/common/status/errors.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace annals::catalog {
namespace {

using ::annals::testing::StatusIs;
using ::annals::testing::TempDir;
using ::testing::HasSubstr;

template <typename T>
T Parse(const std::string& text) {
  T message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message))
      << text;
  return message;
}

v1::ImportRecord Entity(const std::string& id, const std::string& kind,
                        const std::string& lifespan = "") {
  v1::ImportRecord record;
  v1::Entity* entity = record.mutable_entity();
  entity->set_name(id);
  entity->set_kind(kind);
  entity->set_label(absl::StrCat("Label of ", id));
  if (!lifespan.empty()) entity->mutable_lifespan()->set_edtf(lifespan);
  return record;
}

v1::ImportRecord Statement(const std::string& subject,
                           const std::string& object_entity,
                           const std::string& valid,
                           const std::string& text = "") {
  v1::ImportRecord record;
  v1::Statement* statement = record.mutable_statement();
  statement->set_subject(subject);
  statement->set_predicate("related_to");
  if (object_entity.empty()) {
    statement->mutable_object()->set_text(text);
  } else {
    statement->mutable_object()->set_entity(object_entity);
  }
  statement->mutable_valid_time()->set_edtf(valid);
  return record;
}

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto storage = OpenRocksDbStorage(dir_.path());
    ASSERT_OK(storage);
    auto catalog = Catalog::Open(*std::move(storage));
    ASSERT_OK(catalog);
    catalog_ = *std::move(catalog);
  }

  std::vector<v1::Change> AllChanges() {
    auto changes = catalog_->ReadChanges(0, 1 << 20, 1 << 30);
    EXPECT_OK(changes);
    return changes.ok() ? *changes : std::vector<v1::Change>{};
  }

  // Fails the test unless `name` is absent from the catalog.
  void ExpectNoEntity(const std::string& id) {
    v1::GetEntityRequest get;
    get.set_name(id);
    EXPECT_THAT(catalog_->GetEntity(get), StatusIs(absl::StatusCode::kNotFound))
        << id;
  }

  TempDir dir_;
  std::unique_ptr<Catalog> catalog_;
};

// 500 groups of four records (two entities, a statement between them, a
// statement about the second), with one bad record in each group, of three
// kinds in turn.
struct Fixture {
  v1::ImportRecordsRequest batch;
  // Record index -> the field the refusal must name.
  std::map<int, std::string> bad;
};

Fixture TwoThousandWithFiveHundredBad() {
  Fixture fixture;
  for (int k = 0; k < 500; ++k) {
    const int at = 4 * k;
    const std::string a = absl::StrCat("a-", k), b = absl::StrCat("b-", k);
    *fixture.batch.add_records() = Entity(a, "person");
    *fixture.batch.add_records() = Entity(b, "person");
    switch (k % 3) {
      case 0:  // a valid time that does not exist
        *fixture.batch.add_records() = Statement(a, b, "2021");
        *fixture.batch.add_records() = Statement(b, "", "2021-13", "t");
        fixture.bad[at + 3] =
            absl::StrCat("records[", at + 3, "].statement.valid_time.edtf");
        break;
      case 1:  // an object that does not exist
        *fixture.batch.add_records() = Statement(a, "nobody", "2021");
        *fixture.batch.add_records() = Statement(b, "", "2021", "t");
        fixture.bad[at + 2] =
            absl::StrCat("records[", at + 2, "].statement.object.entity");
        break;
      case 2:  // the same statement twice
        *fixture.batch.add_records() = Statement(a, b, "2021");
        *fixture.batch.add_records() = Statement(a, b, "2021");
        fixture.bad[at + 3] = absl::StrCat("records[", at + 3, "].name");
        break;
    }
  }
  return fixture;
}

TEST_F(ImportTest, KeepGoingReportsEveryRefusedRecordAndCommitsTheRest) {
  Fixture fixture = TwoThousandWithFiveHundredBad();
  ASSERT_EQ(fixture.batch.records_size(), 2000);
  ASSERT_EQ(fixture.bad.size(), 500u);
  fixture.batch.set_error_mode(v1::IMPORT_ERROR_MODE_KEEP_GOING);

  ASSERT_OK_AND_ASSIGN(v1::ImportRecordsResponse response,
                       catalog_->ImportBatch(fixture.batch));
  EXPECT_EQ(response.refused(), 500);
  ASSERT_EQ(response.refused_records_size(), 500);
  auto expected = fixture.bad.begin();
  for (const v1::RefusedRecord& refused : response.refused_records()) {
    EXPECT_EQ(refused.batch(), 0);
    EXPECT_EQ(refused.record(), expected->first);
    EXPECT_EQ(refused.field(), expected->second);
    EXPECT_THAT(refused.message(), HasSubstr(expected->second));
    ++expected;
  }
  EXPECT_EQ(response.refused_records(0).code(), "INVALID_ARGUMENT");
  EXPECT_EQ(response.refused_records(1).code(), "NOT_FOUND");
  EXPECT_EQ(response.refused_records(1).reason(), "NOT_FOUND");
  EXPECT_EQ(response.entities_created(), 1000);
  EXPECT_EQ(response.statements_created(), 500);
  EXPECT_EQ(response.batches(), 1);

  // The 1,500 good records, committed together, and nothing else.
  EXPECT_EQ(catalog_->head_sequence(), 1500);
  EXPECT_EQ(response.last_sequence(), 1500);
  std::vector<v1::Change> changes = AllChanges();
  ASSERT_EQ(changes.size(), 1500u);
  std::set<int64_t> commit_seconds;
  for (const v1::Change& change : changes) {
    commit_seconds.insert(change.commit_time().seconds());
    if (change.has_statement()) {
      EXPECT_NE(change.statement().object().entity(), "entities/nobody");
      EXPECT_NE(change.statement().valid_time().edtf(), "2021-13");
    }
  }
  EXPECT_EQ(commit_seconds.size(), 1u);  // one commit
}

TEST_F(ImportTest, KeepGoingGivesTheMessageTheAllOrNothingModeGives) {
  Fixture fixture = TwoThousandWithFiveHundredBad();
  auto all_or_nothing = catalog_->ImportBatch(fixture.batch);
  ASSERT_FALSE(all_or_nothing.ok());
  EXPECT_EQ(catalog_->head_sequence(), 0);

  fixture.batch.set_error_mode(v1::IMPORT_ERROR_MODE_KEEP_GOING);
  ASSERT_OK_AND_ASSIGN(v1::ImportRecordsResponse response,
                       catalog_->ImportBatch(fixture.batch));
  ASSERT_GT(response.refused_records_size(), 0);
  EXPECT_EQ(response.refused_records(0).message(),
            all_or_nothing.status().message());
  EXPECT_EQ(response.refused_records(0).code(),
            absl::StatusCodeToString(all_or_nothing.status().code()));
}

TEST_F(ImportTest, DefaultAndExplicitAllOrNothingRefuseTheWholeBatch) {
  Fixture fixture = TwoThousandWithFiveHundredBad();
  EXPECT_THAT(catalog_->ImportBatch(fixture.batch),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("records[3].statement.valid_time.edtf")));
  fixture.batch.set_error_mode(v1::IMPORT_ERROR_MODE_ALL_OR_NOTHING);
  EXPECT_THAT(catalog_->ImportBatch(fixture.batch),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("records[3].statement.valid_time.edtf")));
  EXPECT_EQ(catalog_->head_sequence(), 0);
}

TEST_F(ImportTest, UnknownErrorModeIsInvalid) {
  v1::ImportRecordsRequest batch;
  *batch.add_records() = Entity("x", "person");
  batch.set_error_mode(static_cast<v1::ImportErrorMode>(7));
  EXPECT_THAT(
      catalog_->ImportBatch(batch),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("error_mode")));
  EXPECT_EQ(catalog_->head_sequence(), 0);
}

TEST_F(ImportTest, StatementsAboutARefusedEntityAreRefusedSayingSo) {
  v1::ImportRecordsRequest batch;
  batch.set_error_mode(v1::IMPORT_ERROR_MODE_KEEP_GOING);
  *batch.add_records() = Statement("bad", "good", "2020");       // 0
  *batch.add_records() = Entity("bad", "person", "2018-02-30");  // 1
  *batch.add_records() = Entity("good", "person");               // 2
  *batch.add_records() = Statement("good", "bad", "2021");       // 3
  *batch.add_records() = Statement("good", "", "2021", "ok");    // 4
  ASSERT_OK_AND_ASSIGN(v1::ImportRecordsResponse response,
                       catalog_->ImportBatch(batch));
  ASSERT_EQ(response.refused_records_size(), 3);
  const v1::RefusedRecord& about = response.refused_records(0);
  EXPECT_EQ(about.record(), 0);
  EXPECT_EQ(about.field(), "records[0].statement.subject");
  EXPECT_EQ(about.reason(), "REFERS_TO_REFUSED");
  EXPECT_THAT(about.message(),
              HasSubstr("entities/bad, whose record was refused (records[1] "
                        "of this batch)"));
  EXPECT_EQ(response.refused_records(1).record(), 1);
  EXPECT_EQ(response.refused_records(1).field(),
            "records[1].entity.lifespan.edtf");
  EXPECT_EQ(response.refused_records(2).field(),
            "records[3].statement.object.entity");
  EXPECT_EQ(response.refused_records(2).reason(), "REFERS_TO_REFUSED");
  EXPECT_EQ(response.entities_created(), 1);
  EXPECT_EQ(response.statements_created(), 1);
}

TEST_F(ImportTest, RefusingAnUpdateRefusesStatementsAboutTheEntity) {
  // The entity exists; its new record is refused, so statements of the
  // import that rely on it are refused too, not applied to the old one.
  v1::ImportRecordsRequest first;
  *first.add_records() = Entity("memo", "person");
  ASSERT_OK(catalog_->ImportBatch(first));
  v1::ImportRecordsRequest batch;
  batch.set_error_mode(v1::IMPORT_ERROR_MODE_KEEP_GOING);
  *batch.add_records() = Entity("memo", "Source");
  *batch.add_records() = Statement("memo", "", "2021", "x");
  ASSERT_OK_AND_ASSIGN(v1::ImportRecordsResponse response,
                       catalog_->ImportBatch(batch));
  ASSERT_EQ(response.refused(), 2);
  EXPECT_EQ(response.refused_records(0).field(), "records[0].entity.kind");
  EXPECT_EQ(response.refused_records(1).reason(), "REFERS_TO_REFUSED");
  EXPECT_EQ(catalog_->head_sequence(), 1);
}

TEST_F(ImportTest, KeepGoingRefusesBringingBackADeletedEntity) {
  v1::ImportRecordsRequest first;
  *first.add_records() = Entity("gone", "person");
  *first.add_records() = Entity("kept", "person");
  ASSERT_OK(catalog_->ImportBatch(first));
  v1::DeleteEntityRequest remove;
  remove.set_name("gone");
  ASSERT_OK(catalog_->DeleteEntity(remove));

  v1::ImportRecordsRequest batch;
  batch.set_error_mode(v1::IMPORT_ERROR_MODE_KEEP_GOING);
  *batch.add_records() = Entity("gone", "person");
  *batch.add_records() = Statement("kept", "gone", "2021");
  *batch.add_records() = Statement("kept", "", "2021", "fine");
  ASSERT_OK_AND_ASSIGN(v1::ImportRecordsResponse response,
                       catalog_->ImportBatch(batch));
  ASSERT_EQ(response.refused_records_size(), 2);
  EXPECT_EQ(response.refused_records(0).code(), "FAILED_PRECONDITION");
  EXPECT_EQ(response.refused_records(0).reason(), "DELETED");
  EXPECT_EQ(response.refused_records(0).field(), "records[0].entity.name");
  EXPECT_EQ(response.refused_records(1).reason(), "REFERS_TO_REFUSED");
  EXPECT_EQ(response.statements_created(), 1);
  EXPECT_EQ(response.unchanged(), 0);
}

TEST_F(ImportTest, KeepGoingRetryWithTheSameRequestIdGetsTheSameAnswer) {
  Fixture fixture = TwoThousandWithFiveHundredBad();
  fixture.batch.set_error_mode(v1::IMPORT_ERROR_MODE_KEEP_GOING);
  fixture.batch.set_request_id("keep-going-1");
  ASSERT_OK_AND_ASSIGN(v1::ImportRecordsResponse first,
                       catalog_->ImportBatch(fixture.batch));
  const int64_t head = catalog_->head_sequence();
  ASSERT_OK_AND_ASSIGN(v1::ImportRecordsResponse again,
                       catalog_->ImportBatch(fixture.batch));
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(catalog_->head_sequence(), head);
}

TEST_F(ImportTest, StreamRefusesStatementsAboutEntitiesAnEarlierBatchRefused) {
  ImportStream stream(catalog_.get());
  v1::ImportRecordsRequest first;
  first.set_error_mode(v1::IMPORT_ERROR_MODE_KEEP_GOING);
  *first.add_records() = Entity("ok", "person");
  *first.add_records() = Entity("bad", "Person");
  ASSERT_OK(stream.Add(first));
  v1::ImportRecordsRequest second;
  second.set_error_mode(v1::IMPORT_ERROR_MODE_KEEP_GOING);
  *second.add_records() = Statement("ok", "bad", "2020");
  *second.add_records() = Statement("ok", "", "2020", "fine");
  ASSERT_OK(stream.Add(second));
  v1::ImportRecordsResponse summary = stream.Summary();
  EXPECT_EQ(summary.batches(), 2);
  EXPECT_EQ(summary.refused(), 2);
  ASSERT_EQ(summary.refused_records_size(), 2);
  EXPECT_EQ(summary.refused_records(0).batch(), 0);
  EXPECT_EQ(summary.refused_records(0).record(), 1);
  EXPECT_EQ(summary.refused_records(1).batch(), 1);
  EXPECT_EQ(summary.refused_records(1).record(), 0);
  EXPECT_THAT(summary.refused_records(1).message(),
              HasSubstr("entities/bad, whose record was refused (batch 0, "
                        "records[1])"));
  EXPECT_EQ(summary.entities_created(), 1);
  EXPECT_EQ(summary.statements_created(), 1);
  EXPECT_EQ(summary.last_sequence(), catalog_->head_sequence());
}

TEST_F(ImportTest, ValidateOnlyStreamSeesEntitiesOfItsEarlierBatches) {
  v1::ImportRecordsRequest first;
  first.set_validate_only(true);
  *first.add_records() = Entity("nmi", "mission");
  v1::ImportRecordsRequest second;
  second.set_validate_only(true);
  *second.add_records() = Entity("per-olsen", "person");
  *second.add_records() = Statement("nmi", "per-olsen", "2020/2021");

  // Alone, the second batch refers to an entity nobody created.
  EXPECT_THAT(catalog_->ImportBatch(second),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("records[1].statement.subject")));

  ImportStream stream(catalog_.get());
  ASSERT_OK(stream.Add(first));
  ASSERT_OK(stream.Add(second));
  v1::ImportRecordsResponse summary = stream.Summary();
  EXPECT_EQ(summary.batches_validated(), 2);
  EXPECT_EQ(summary.batches(), 0);  // nothing committed
  EXPECT_EQ(summary.last_sequence(), 0);
  EXPECT_EQ(summary.entities_created(), 2);
  EXPECT_EQ(summary.statements_created(), 1);
  EXPECT_EQ(catalog_->head_sequence(), 0);
  ExpectNoEntity("nmi");
  ExpectNoEntity("per-olsen");
  EXPECT_TRUE(AllChanges().empty());
}

TEST_F(ImportTest, ValidateOnlyStreamErrorSaysNothingWasCommitted) {
  ImportStream stream(catalog_.get());
  v1::ImportRecordsRequest first;
  first.set_validate_only(true);
  *first.add_records() = Entity("nmi", "mission");
  ASSERT_OK(stream.Add(first));
  v1::ImportRecordsRequest second;
  second.set_validate_only(true);
  *second.add_records() = Statement("nmi", "nobody", "2020");
  absl::Status status = stream.Add(second);
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("batch 1 (1 earlier batches checked, none "
                                 "committed): records[0].statement.object")));
  EXPECT_THAT(std::string(status.message()),
              ::testing::Not(HasSubstr("earlier batches committed")));
  EXPECT_EQ(catalog_->head_sequence(), 0);
}

TEST_F(ImportTest, ValidateOnlyKeepGoingReportsAcrossBatchesAndWritesNothing) {
  ImportStream stream(catalog_.get());
  v1::ImportRecordsRequest first;
  first.set_validate_only(true);
  first.set_error_mode(v1::IMPORT_ERROR_MODE_KEEP_GOING);
  *first.add_records() = Entity("nmi", "mission");
  *first.add_records() = Entity("broken", "mission", "2021-13");
  ASSERT_OK(stream.Add(first));
  v1::ImportRecordsRequest second = first;
  second.clear_records();
  *second.add_records() = Statement("nmi", "", "2020", "fine");
  *second.add_records() = Statement("broken", "", "2020", "no");
  ASSERT_OK(stream.Add(second));
  v1::ImportRecordsResponse summary = stream.Summary();
  EXPECT_EQ(summary.refused(), 2);
  EXPECT_EQ(summary.statements_created(), 1);
  EXPECT_EQ(summary.batches_validated(), 2);
  EXPECT_EQ(summary.last_sequence(), 0);
  EXPECT_EQ(catalog_->head_sequence(), 0);
}

TEST_F(ImportTest, CommittedStreamSummaryReportsTheHeadWhenNothingChanged) {
  v1::ImportRecordsRequest batch;
  *batch.add_records() = Entity("nmi", "mission");
  ASSERT_OK(catalog_->ImportBatch(batch));
  ImportStream stream(catalog_.get());
  ASSERT_OK(stream.Add(batch));
  EXPECT_EQ(stream.Summary().unchanged(), 1);
  EXPECT_EQ(stream.Summary().last_sequence(), 1);
}

// Reference checks remember what they read of committed entities across
// batches (ADR 14); a delete or a change of kind between two batches of a
// stream must still be seen by the second.
TEST_F(ImportTest, LaterBatchSeesTheDeleteOfASubjectEarlierBatchesCited) {
  ImportStream stream(catalog_.get());
  v1::ImportRecordsRequest entities;
  *entities.add_records() = Entity("cited", "person");
  *entities.add_records() = Entity("other", "person");
  ASSERT_OK(stream.Add(entities));
  v1::ImportRecordsRequest first;
  *first.add_records() = Statement("cited", "other", "2020");
  *first.add_records() = Statement("other", "cited", "2020");
  ASSERT_OK(stream.Add(first));

  v1::DeleteEntityRequest remove;
  remove.set_name("cited");
  ASSERT_OK(catalog_->DeleteEntity(remove));
  const int64_t head = catalog_->head_sequence();

  v1::ImportRecordsRequest second;
  *second.add_records() = Statement("other", "", "2021", "fine");
  *second.add_records() = Statement("cited", "", "2021", "about it");
  absl::Status refused = stream.Add(second);
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(refused.message(), HasSubstr("records[1].statement.subject"));
  EXPECT_THAT(refused.message(), HasSubstr("deleted"));
  EXPECT_EQ(catalog_->head_sequence(), head);
}

TEST_F(ImportTest, LaterBatchSeesASourceTurnedIntoAnotherKind) {
  v1::ImportRecordsRequest entities;
  *entities.add_records() = Entity("archive", "source");
  *entities.add_records() = Entity("person", "person");
  ASSERT_OK(catalog_->ImportBatch(entities));
  auto cited = [](const std::string& text) {
    v1::ImportRecord record = Statement("person", "", "2020", text);
    record.mutable_statement()->add_sources()->set_source("archive");
    return record;
  };
  v1::ImportRecordsRequest first;
  *first.add_records() = cited("first");
  ASSERT_OK(catalog_->ImportBatch(first));

  v1::UpdateEntityRequest update;
  update.mutable_entity()->set_name("entities/archive");
  update.mutable_entity()->set_kind("organization");
  update.mutable_update_mask()->add_paths("kind");
  ASSERT_OK(catalog_->UpdateEntity(update));

  v1::ImportRecordsRequest second;
  *second.add_records() = cited("second");
  EXPECT_THAT(catalog_->ImportBatch(second),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("must refer to an entity of kind")));
}

// Nothing of a refused batch is remembered: the entity it would have
// created is still unknown to the next batch.
TEST_F(ImportTest, EntityOfARefusedBatchStaysUnknownToTheNext) {
  v1::ImportRecordsRequest refused;
  *refused.add_records() = Entity("fleeting", "person");
  *refused.add_records() = Statement("fleeting", "", "2020", "created above");
  *refused.add_records() = Statement("fleeting", "nobody", "2020");
  EXPECT_THAT(catalog_->ImportBatch(refused),
              StatusIs(absl::StatusCode::kNotFound));
  v1::ImportRecordsRequest next;
  *next.add_records() = Statement("fleeting", "", "2021", "later");
  EXPECT_THAT(catalog_->ImportBatch(next),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("records[0].statement.subject")));
  ExpectNoEntity("fleeting");
}

TEST_F(ImportTest, StatementMayCiteEntitiesCreatedEarlierInItsBatch) {
  v1::ImportRecordsRequest batch;
  *batch.add_records() = Entity("archive", "source");
  *batch.add_records() = Entity("new-subject", "person");
  v1::ImportRecord record = Statement("new-subject", "", "2020", "text");
  record.mutable_statement()->add_sources()->set_source("archive");
  *batch.add_records() = record;
  *batch.add_records() = Statement("new-subject", "new-subject", "2021");
  ASSERT_OK_AND_ASSIGN(v1::ImportRecordsResponse response,
                       catalog_->ImportBatch(batch));
  EXPECT_EQ(response.entities_created(), 2);
  EXPECT_EQ(response.statements_created(), 2);
}

}  // namespace
}  // namespace annals::catalog
