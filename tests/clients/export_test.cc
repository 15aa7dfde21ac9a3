// `annals export`, run in process against real catalogs (RocksDB, gRPC on
// ports the kernel picks): round trips through an empty catalog, --as-of,
// --history, consistency under concurrent writes, filters and usage errors.
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "annals/catalog_client.h"
#include "clients/cli/cli.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "services/catalog/server.h"
#include "services/common/types/resource_content.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace annals::cli {
namespace {

namespace cv1 = ::annals::catalog::v1;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

struct Result {
  int status;
  std::string out;
  std::string err;
};

// A catalog of its own, in a temporary folder, on a free port.
class Catalog {
 public:
  Catalog() {
    catalog::CatalogServerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = dir_.Sub("catalog");
    auto server = catalog::CatalogServer::Start(options);
    EXPECT_TRUE(server.ok()) << server.status();
    if (server.ok()) server_ = *std::move(server);
  }
  std::string address() const {
    return absl::StrCat("127.0.0.1:", server_->port());
  }
  CatalogClient Client() const { return CatalogClient::Connect(address()); }
  Result Annals(std::vector<std::string> argv) const {
    argv.insert(argv.begin(), "--catalog=" + address());
    std::ostringstream out, err;
    const int status = cli::Run(argv, out, err, Environment{});
    return {status, out.str(), err.str()};
  }
  std::string Sub(const std::string& name) const { return dir_.Sub(name); }

 private:
  testing::TempDir dir_;
  std::unique_ptr<catalog::CatalogServer> server_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

// The header's fields.
google::protobuf::Struct Header(const std::string& text) {
  google::protobuf::Struct object;
  const std::vector<std::string> lines = Lines(text);
  EXPECT_FALSE(lines.empty());
  if (lines.empty()) return object;
  EXPECT_TRUE(
      google::protobuf::util::JsonStringToMessage(lines[0], &object).ok())
      << lines[0];
  return object.fields().at("annalsExport").struct_value();
}

std::string HeaderField(const std::string& text, const std::string& field) {
  google::protobuf::Struct header = Header(text);
  auto it = header.fields().find(field);
  return it == header.fields().end() ? "" : it->second.string_value();
}

// Every line after the header.
std::vector<std::string> Body(const std::string& text) {
  std::vector<std::string> lines = Lines(text);
  if (!lines.empty()) lines.erase(lines.begin());
  return lines;
}

std::vector<cv1::ImportRecord> Records(const std::string& text) {
  std::vector<cv1::ImportRecord> records;
  for (const std::string& line : Body(text)) {
    cv1::ImportRecord record;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line, &record).ok())
        << line;
    records.push_back(std::move(record));
  }
  return records;
}

// What an import can reproduce of a revision, as text: every writable
// field and the extent bounds.
std::string Content(const cv1::Entity& entity) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(EntityContent(entity), &text);
  return text;
}
std::string Content(const cv1::Statement& statement) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(StatementContent(statement),
                                              &text);
  return text;
}

// A catalog's (or a file's) entities and statements by name.
struct State {
  std::map<std::string, std::string> entities;
  std::map<std::string, std::string> statements;
};

State StateOf(const std::string& export_text) {
  State state;
  for (const cv1::ImportRecord& record : Records(export_text)) {
    if (record.has_entity()) {
      state.entities[record.entity().name()] = Content(record.entity());
    } else {
      state.statements[record.statement().name()] = Content(record.statement());
    }
  }
  return state;
}

// What the catalog serves: live entities, and statements neither retracted
// nor referring to a deleted entity (an import cannot create those).
State LiveState(CatalogClient& client) {
  State state;
  std::set<std::string> deleted;
  cv1::ListEntitiesRequest entities;
  entities.set_page_size(1000);
  entities.set_show_deleted(true);
  do {
    auto page = client.ListEntities(entities);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return state;
    for (const cv1::Entity& entity : page->entities()) {
      if (entity.has_delete_time()) {
        deleted.insert(entity.name());
      } else {
        state.entities[entity.name()] = Content(entity);
      }
    }
    entities.set_page_token(page->next_page_token());
  } while (!entities.page_token().empty());
  cv1::ListStatementsRequest statements;
  statements.set_page_size(1000);
  do {
    auto page = client.ListStatements(statements);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return state;
    for (const cv1::Statement& statement : page->statements()) {
      bool refers_to_deleted = deleted.contains(statement.subject()) ||
                               deleted.contains(statement.object().entity());
      for (const auto& source : statement.sources()) {
        refers_to_deleted |= deleted.contains(source.source());
      }
      if (!refers_to_deleted) {
        state.statements[statement.name()] = Content(statement);
      }
    }
    statements.set_page_token(page->next_page_token());
  } while (!statements.page_token().empty());
  return state;
}

void ExpectSameState(const State& expected, const State& actual) {
  EXPECT_EQ(expected.entities, actual.entities);
  EXPECT_EQ(expected.statements, actual.statements);
}

// Exports `from` to FILE, imports FILE into `to`, exports `to` again:
// both files must hold the same lines after their headers, and `to` must
// serve what `from` served. Returns the first export.
std::string ExpectRoundTrip(const Catalog& from, const Catalog& to) {
  const std::string first = from.Sub("first.jsonl");
  Result exported = from.Annals({"export", "-o", first});
  EXPECT_EQ(exported.status, 0) << exported.err;
  EXPECT_THAT(exported.out, IsEmpty());
  Result imported = to.Annals({"import", first});
  EXPECT_EQ(imported.status, 0) << imported.err << imported.out;
  const std::string second = to.Sub("second.jsonl");
  Result again = to.Annals({"export", "--output=" + second});
  EXPECT_EQ(again.status, 0) << again.err;
  const std::string first_text = ReadFile(first);
  EXPECT_EQ(Body(first_text), Body(ReadFile(second)));
  CatalogClient from_client = from.Client();
  CatalogClient to_client = to.Client();
  ExpectSameState(LiveState(from_client), LiveState(to_client));
  ExpectSameState(LiveState(from_client), StateOf(first_text));
  return first_text;
}

int64_t HeadSequence(CatalogClient& client) {
  int64_t head = -1;
  EXPECT_OK(client.WatchChanges(0, [&](const cv1::WatchChangesResponse& m) {
    head = m.head_sequence();
    return false;
  }));
  return head;
}

TEST(ExportTest, NatoDataRoundTripsThroughAnEmptyCatalog) {
  Catalog nato, empty;
  Result imported = nato.Annals({"import", ANNALS_DATA_DIR});
  ASSERT_EQ(imported.status, 0) << imported.err;
  const std::string text = ExpectRoundTrip(nato, empty);
  // 136 entities and 434 statements, after one header naming the sequence
  // the import ended at.
  CatalogClient client = nato.Client();
  EXPECT_EQ(HeaderField(text, "sequence"), absl::StrCat(HeadSequence(client)));
  EXPECT_EQ(HeaderField(text, "format"), "annals-export-v1");
  EXPECT_EQ(HeaderField(text, "entities"), "136");
  EXPECT_EQ(HeaderField(text, "statements"), "434");
  EXPECT_THAT(Body(text), SizeIs(136 + 434));
  // Entities come before every statement.
  std::vector<cv1::ImportRecord> records = Records(text);
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].has_entity(), i < 136) << i;
  }
}

// Every form of valid time the temporal library accepts, levels 0 and 1.
const char* const kExtents[] = {"2018",
                                "2018-11",
                                "2018-11-26",
                                "1985-04-12T23:20:30",
                                "1985-04-12T23:20:30Z",
                                "1985-04-12T23:20:30+04:30",
                                "2020-11-24/2021-05-06",
                                "2018/2018",
                                "-0044-03-15",
                                "-0500-08",
                                "0000",
                                "-1985",
                                "Y12345",
                                "Y-12345",
                                "2001-21",
                                "2001-24",
                                "-0044-23",
                                "2018-11-26?",
                                "2018-11~",
                                "2004%",
                                "201X~",
                                "201X",
                                "20XX",
                                "XXXX",
                                "-201X",
                                "2018-XX",
                                "2018-11-XX",
                                "2018-XX-XX",
                                "XXXX-XX",
                                "2024-05-24/..",
                                "../2011",
                                "../..",
                                "2018/",
                                "/2011",
                                "/..",
                                "../",
                                "/",
                                "1984?/2004~",
                                "2004-06~/2006-XX"};

cv1::Statement MakeStatement(const std::string& subject,
                             const std::string& predicate, int i) {
  cv1::Statement statement;
  statement.set_subject(subject);
  statement.set_predicate(predicate);
  switch (i % 5) {
    case 0:
      statement.mutable_object()->set_entity("entities/place-0");
      break;
    case 1:
      statement.mutable_object()->set_text(absl::StrCat("text ", i, " é"));
      break;
    case 2:
      statement.mutable_object()->set_integer(-1000000000000LL * i);
      break;
    case 3:
      statement.mutable_object()->set_decimal(absl::StrCat(i, ".250"));
      break;
    default:
      statement.mutable_object()->mutable_quantity()->set_amount(
          absl::StrCat(i * 100));
      statement.mutable_object()->mutable_quantity()->set_unit("personnel");
  }
  const int forms = sizeof(kExtents) / sizeof(kExtents[0]);
  if (i % (forms + 1) == forms) {
    auto* dates = statement.mutable_valid_time()->mutable_bound_dates();
    dates->set_earliest_start("1100");
    dates->set_latest_start("1200?");
    dates->set_earliest_end("1450");
    dates->set_latest_end("1500");
  } else {
    statement.mutable_valid_time()->set_edtf(kExtents[i % (forms + 1)]);
  }
  auto* source = statement.add_sources();
  source->set_source(i % 2 ? "entities/source-a" : "entities/source-b");
  source->set_locator(absl::StrCat("p. ", i));
  if (i % 3 == 0) (*statement.mutable_qualifiers())["role"] = "acting";
  if (i % 4 == 0) (*statement.mutable_qualifiers())["note"] = "ü, \"quoted\"";
  return statement;
}

// Sources, places and people with every extent form as lifespans (and one
// given by bound dates), and statements with every form as valid times.
void WriteFirstState(CatalogClient& client) {
  for (const char* id : {"source-a", "source-b"}) {
    cv1::CreateEntityRequest request;
    request.set_entity_id(id);
    request.mutable_entity()->set_kind("source");
    request.mutable_entity()->set_label(absl::StrCat("Source ", id));
    ASSERT_OK(client.CreateEntity(request).status());
  }
  const int forms = sizeof(kExtents) / sizeof(kExtents[0]);
  for (int i = 0; i <= forms; ++i) {
    cv1::CreateEntityRequest request;
    request.set_entity_id(absl::StrCat(i % 2 ? "person-" : "place-", i));
    cv1::Entity& entity = *request.mutable_entity();
    entity.set_kind(i % 2 ? "person" : "place");
    entity.set_label(absl::StrCat("Entity ", i));
    entity.add_aliases(absl::StrCat("Alias ", i));
    entity.add_aliases(absl::StrCat("Zweitname ", i));
    entity.set_description(absl::StrCat("Described\nin two lines, ", i));
    (*entity.mutable_attributes())["rank"] = absl::StrCat("R", i);
    (*entity.mutable_attributes())["alpha"] = "first";
    if (i == forms) {
      auto* dates = entity.mutable_lifespan()->mutable_bound_dates();
      dates->set_earliest_start("-0500");
      dates->set_latest_start("-0400~");
      dates->set_latest_end("..");
      dates->set_earliest_end("..");
    } else {
      entity.mutable_lifespan()->set_edtf(kExtents[i]);
    }
    auto* source = entity.add_lifespan_sources();
    source->set_source("entities/source-a");
    source->set_locator(absl::StrCat("ch. ", i));
    ASSERT_OK(client.CreateEntity(request).status()) << kExtents[i % forms];
  }
  for (int i = 0; i <= 2 * forms; ++i) {
    cv1::CreateStatementRequest request;
    const int j = i % (forms + 1);
    const std::string subject =
        absl::StrCat("entities/", j % 2 ? "person-" : "place-", j);
    *request.mutable_statement() =
        MakeStatement(subject, i % 3 ? "member_of" : "visited", i);
    request.set_statement_id(absl::StrCat("st-", i));
    ASSERT_OK(client.CreateStatement(request).status())
        << request.statement().valid_time().ShortDebugString();
  }
}

// Revisions, retractions and a deletion on top of the first state.
void WriteSecondState(CatalogClient& client) {
  for (int i = 1; i < 10; i += 2) {
    cv1::UpdateEntityRequest request;
    request.mutable_entity()->set_name(absl::StrCat("entities/person-", i));
    request.mutable_entity()->set_label(absl::StrCat("Renamed ", i));
    (*request.mutable_entity()->mutable_attributes())["rank"] = "General";
    request.mutable_update_mask()->add_paths("label");
    request.mutable_update_mask()->add_paths("attributes");
    ASSERT_OK(client.UpdateEntity(request).status());
  }
  for (int i = 0; i < 12; i += 3) {
    cv1::RetractStatementRequest request;
    request.set_name(absl::StrCat("statements/st-", i));
    request.set_reason("wrong source");
    ASSERT_OK(client.RetractStatement(request).status());
  }
  // A correction of a statement: its second revision, by import.
  cv1::ImportRecordsRequest batch;
  cv1::Statement corrected = MakeStatement("entities/place-4", "member_of", 4);
  corrected.set_name("statements/st-4");
  corrected.mutable_valid_time()->set_edtf("2019-22");
  *batch.add_records()->mutable_statement() = corrected;
  ASSERT_OK(client.ImportRecords({batch}).status());
  // A source's revision after the entities whose lifespans cite it.
  cv1::UpdateEntityRequest source;
  source.mutable_entity()->set_name("entities/source-a");
  source.mutable_entity()->set_description("Revised after its citations");
  ASSERT_OK(client.UpdateEntity(source).status());
  // A deleted entity; the statements about it stay in the catalog.
  cv1::DeleteEntityRequest request;
  request.set_name("entities/place-6");
  ASSERT_OK(client.DeleteEntity(request).status());
}

TEST(ExportTest, GeneratedHistoryRoundTripsAndAsOfGivesTheEarlierState) {
  Catalog original, empty;
  CatalogClient client = original.Client();
  WriteFirstState(client);
  Result first = original.Annals({"export"});
  ASSERT_EQ(first.status, 0) << first.err;
  const std::string first_sequence = HeaderField(first.out, "sequence");
  const std::string first_time = HeaderField(first.out, "sequenceTime");
  EXPECT_EQ(first_sequence, absl::StrCat(HeadSequence(client)));
  WriteSecondState(client);

  const std::string text = ExpectRoundTrip(original, empty);
  EXPECT_NE(HeaderField(text, "sequence"), first_sequence);
  // What the file leaves out, it says on stderr.
  Result current = original.Annals({"export"});
  EXPECT_THAT(current.err, HasSubstr("1 deleted entities, 4 retracted"));
  // With a filter, only what the filter selected counts as left out: the
  // four retracted statements are "visited" ones, and no member_of
  // statement needs the deleted entity.
  Result members = original.Annals({"export", "--predicate=member_of"});
  ASSERT_EQ(members.status, 0) << members.err;
  EXPECT_THAT(members.err, Not(HasSubstr("1 deleted entities")));
  EXPECT_THAT(members.err, Not(HasSubstr("4 retracted")));
  State state = StateOf(text);
  EXPECT_FALSE(state.entities.contains("entities/place-6"));
  EXPECT_FALSE(state.statements.contains("statements/st-0"));
  EXPECT_THAT(state.entities.at("entities/person-1"), HasSubstr("Renamed 1"));
  EXPECT_THAT(state.statements.at("statements/st-4"), HasSubstr("2019-22"));
  // Every source comes before the entities whose lifespans cite it, though
  // its last revision came after them: an import batch refers only to what
  // it or an earlier batch creates.
  std::set<std::string> seen;
  for (const cv1::ImportRecord& record : Records(text)) {
    if (!record.has_entity()) continue;
    for (const auto& cited : record.entity().lifespan_sources()) {
      EXPECT_TRUE(seen.contains(cited.source()))
          << record.entity().name() << " before " << cited.source();
    }
    seen.insert(record.entity().name());
  }

  // As of the first export's sequence time, the first state again.
  Result as_of = original.Annals({"export", "--as-of=" + first_time});
  ASSERT_EQ(as_of.status, 0) << as_of.err;
  EXPECT_EQ(HeaderField(as_of.out, "sequence"), first_sequence);
  EXPECT_EQ(HeaderField(as_of.out, "asOf"), first_time);
  EXPECT_EQ(Body(as_of.out), Body(first.out));
  // Before anything was written: an empty export at sequence 0.
  Result before = original.Annals({"export", "--as-of=2000-01-01T00:00:00Z"});
  ASSERT_EQ(before.status, 0) << before.err;
  EXPECT_EQ(HeaderField(before.out, "sequence"), "0");
  EXPECT_THAT(Body(before.out), IsEmpty());

  // The history: every change, in order, with its record time; the last
  // revision of each resource is what the catalog serves.
  Result history = original.Annals({"export", "--history"});
  ASSERT_EQ(history.status, 0) << history.err;
  const std::vector<std::string> lines = Body(history.out);
  ASSERT_THAT(lines, SizeIs(HeadSequence(client)));
  std::map<std::string, std::string> last;
  std::set<int> types;
  for (size_t i = 0; i < lines.size(); ++i) {
    google::protobuf::Struct wrapper;
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(lines[i], &wrapper).ok());
    std::string change_json;
    ASSERT_TRUE(google::protobuf::util::MessageToJsonString(
                    wrapper.fields().at("change"), &change_json)
                    .ok());
    cv1::Change change;
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(change_json, &change).ok());
    EXPECT_EQ(change.sequence(), static_cast<int64_t>(i + 1));
    EXPECT_GT(change.commit_time().seconds(), 0);
    types.insert(change.type());
    if (change.has_entity()) {
      last[change.entity().name()] = change.entity().ShortDebugString();
    } else {
      last[change.statement().name()] = change.statement().ShortDebugString();
    }
  }
  EXPECT_EQ(types, (std::set<int>{
                       cv1::CHANGE_TYPE_CREATED, cv1::CHANGE_TYPE_UPDATED,
                       cv1::CHANGE_TYPE_DELETED, cv1::CHANGE_TYPE_RETRACTED}));
  auto deleted = client.GetEntity("entities/place-6");
  ASSERT_OK(deleted.status());
  EXPECT_EQ(last.at("entities/place-6"), deleted->ShortDebugString());
  auto retracted = client.GetStatement("statements/st-3");
  ASSERT_OK(retracted.status());
  EXPECT_EQ(last.at("statements/st-3"), retracted->ShortDebugString());

  // A history file is not an import file, and says so.
  std::ofstream(empty.Sub("history.jsonl")) << history.out;
  Result refused = empty.Annals({"import", empty.Sub("history.jsonl")});
  EXPECT_EQ(refused.status, 1);
  EXPECT_THAT(refused.err, HasSubstr("history export"));
}

// The state at `sequence` folded from the feed, independently of the tool:
// live entities and statements that are not retracted and refer only to
// live entities.
State FoldFeed(CatalogClient& client, int64_t sequence) {
  std::map<std::string, cv1::Entity> entities;
  std::map<std::string, cv1::Statement> statements;
  if (sequence > 0) {
    EXPECT_OK(client.WatchChanges(0, [&](const cv1::WatchChangesResponse& m) {
      for (const cv1::Change& change : m.changes()) {
        if (change.sequence() > sequence) return false;
        if (change.has_entity())
          entities[change.entity().name()] = change.entity();
        if (change.has_statement()) {
          statements[change.statement().name()] = change.statement();
        }
        if (change.sequence() == sequence) return false;
      }
      return true;
    }));
  }
  State state;
  auto live = [&](const std::string& name) {
    auto it = entities.find(name);
    return it != entities.end() && !it->second.has_delete_time();
  };
  for (const auto& [name, entity] : entities) {
    if (live(name)) state.entities[name] = Content(entity);
  }
  for (const auto& [name, statement] : statements) {
    bool ok =
        !statement.has_retract_time() && live(statement.subject()) &&
        (!statement.object().has_entity() || live(statement.object().entity()));
    for (const auto& source : statement.sources()) ok &= live(source.source());
    if (ok) state.statements[name] = Content(statement);
  }
  return state;
}

TEST(ExportTest, ExportDuringWritesHoldsExactlyTheStateAtItsSequence) {
  Catalog catalog;
  CatalogClient setup = catalog.Client();
  cv1::CreateEntityRequest source;
  source.set_entity_id("src");
  source.mutable_entity()->set_kind("source");
  source.mutable_entity()->set_label("Source");
  ASSERT_OK(setup.CreateEntity(source).status());
  std::atomic<bool> stop{false};
  std::atomic<int64_t> writes{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      CatalogClient client = catalog.Client();
      for (int i = 0; !stop; ++i) {
        const std::string id = absl::StrCat("w", w, "-", i);
        cv1::CreateEntityRequest entity;
        entity.set_entity_id(id);
        entity.mutable_entity()->set_kind("person");
        entity.mutable_entity()->set_label(absl::StrCat("Writer ", id));
        if (!client.CreateEntity(entity).ok()) continue;
        cv1::CreateStatementRequest statement;
        statement.set_statement_id(id);
        statement.mutable_statement()->set_subject("entities/" + id);
        statement.mutable_statement()->set_predicate("member_of");
        statement.mutable_statement()->mutable_object()->set_text("x");
        statement.mutable_statement()->mutable_valid_time()->set_edtf(
            absl::StrCat(1900 + i % 100));
        statement.mutable_statement()->add_sources()->set_source(
            "entities/src");
        if (!client.CreateStatement(statement).ok()) continue;
        if (i % 3 == 1) {
          cv1::UpdateEntityRequest update;
          update.mutable_entity()->set_name("entities/" + id);
          update.mutable_entity()->set_label(absl::StrCat("Renamed ", id));
          (void)client.UpdateEntity(update);
        }
        if (i % 5 == 2) {
          cv1::RetractStatementRequest retract;
          retract.set_name("statements/" + id);
          (void)client.RetractStatement(retract);
        }
        if (i % 7 == 3) {
          cv1::DeleteEntityRequest remove;
          remove.set_name("entities/" + id);
          (void)client.DeleteEntity(remove);
        }
        writes += 1;
      }
    });
  }
  // Returns once a writer has finished a round since the call: some write
  // committed after whatever came before it.
  auto await_more_writes = [&] {
    const int64_t before = writes;
    while (writes == before) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  };
  while (writes < 20) await_more_writes();
  std::vector<std::string> exports;
  for (int n = 0; n < 3; ++n) {
    Result result = catalog.Annals({"export"});
    ASSERT_EQ(result.status, 0) << result.err;
    exports.push_back(result.out);
    await_more_writes();
  }
  stop = true;
  for (std::thread& writer : writers) writer.join();

  CatalogClient client = catalog.Client();
  const int64_t head = HeadSequence(client);
  std::set<std::string> sequences;
  for (const std::string& text : exports) {
    const int64_t sequence = std::stoll(HeaderField(text, "sequence"));
    EXPECT_LT(sequence, head);  // writers went on after every export
    sequences.insert(HeaderField(text, "sequence"));
    State expected = FoldFeed(client, sequence);
    EXPECT_GT(expected.statements.size(), 0u);
    ExpectSameState(expected, StateOf(text));
  }
  EXPECT_THAT(sequences, SizeIs(3));
}

TEST(ExportTest, FiltersSelectExactlyTheirPartAndTheEntitiesItRefersTo) {
  Catalog nato;
  ASSERT_EQ(nato.Annals({"import", ANNALS_DATA_DIR}).status, 0);
  CatalogClient client = nato.Client();
  State all = LiveState(client);
  auto kind_of = [&](const std::string& name) {
    auto entity = client.GetEntity(name);
    EXPECT_OK(entity.status());
    return entity.ok() ? entity->kind() : "";
  };
  // The entities the statements of `records` refer to, with the sources
  // cited by their lifespans (and those sources' lifespans).
  auto needed_by = [&](const std::vector<cv1::ImportRecord>& records,
                       std::set<std::string> names) {
    for (const cv1::ImportRecord& record : records) {
      if (!record.has_statement()) continue;
      const cv1::Statement& statement = record.statement();
      names.insert(statement.subject());
      if (statement.object().has_entity()) {
        names.insert(statement.object().entity());
      }
      for (const auto& source : statement.sources()) {
        names.insert(source.source());
      }
    }
    std::vector<std::string> pending(names.begin(), names.end());
    while (!pending.empty()) {
      auto entity = client.GetEntity(pending.back());
      pending.pop_back();
      EXPECT_OK(entity.status());
      if (!entity.ok()) continue;
      for (const auto& source : entity->lifespan_sources()) {
        if (names.insert(source.source()).second) {
          pending.push_back(source.source());
        }
      }
    }
    return names;
  };
  auto entity_names = [](const std::vector<cv1::ImportRecord>& records) {
    std::set<std::string> names;
    for (const cv1::ImportRecord& record : records) {
      if (record.has_entity()) names.insert(record.entity().name());
    }
    return names;
  };

  // --predicate: exactly the commander statements, and the entities they
  // need; the file imports on its own.
  Result commanders = nato.Annals({"export", "--predicate=commander"});
  ASSERT_EQ(commanders.status, 0) << commanders.err;
  std::vector<cv1::ImportRecord> records = Records(commanders.out);
  std::set<std::string> expected_statements, statements;
  for (const auto& [name, content] : all.statements) {
    if (absl::StrContains(content, "predicate: \"commander\"")) {
      expected_statements.insert(name);
    }
  }
  for (const cv1::ImportRecord& record : records) {
    if (record.has_statement()) statements.insert(record.statement().name());
  }
  EXPECT_EQ(statements, expected_statements);
  EXPECT_GT(statements.size(), 6u);
  EXPECT_EQ(entity_names(records), needed_by(records, {}));
  Catalog empty;
  std::ofstream(empty.Sub("commanders.jsonl")) << commanders.out;
  Result imported = empty.Annals({"import", empty.Sub("commanders.jsonl")});
  EXPECT_EQ(imported.status, 0) << imported.err;

  // --subject: only statements about it.
  Result about =
      nato.Annals({"export", "--subject=nmi", "--predicate=commander",
                   "--predicate=partner_of"});
  ASSERT_EQ(about.status, 0) << about.err;
  int about_statements = 0;
  for (const cv1::ImportRecord& record : Records(about.out)) {
    if (!record.has_statement()) continue;
    ++about_statements;
    EXPECT_EQ(record.statement().subject(), "entities/nmi");
    EXPECT_THAT(record.statement().predicate(),
                ::testing::AnyOf("commander", "partner_of"));
  }
  EXPECT_GT(about_statements, 6);
  EXPECT_LT(about_statements, static_cast<int>(statements.size()) + 50);

  // --kind: every entity of the kind, the statements about them, and what
  // those refer to.
  Result people = nato.Annals({"export", "--kind=person"});
  ASSERT_EQ(people.status, 0) << people.err;
  records = Records(people.out);
  std::set<std::string> expected_people;
  for (const auto& [name, content] : all.entities) {
    if (absl::StrContains(content, "kind: \"person\"")) {
      expected_people.insert(name);
    }
  }
  std::set<std::string> exported_people;
  for (const cv1::ImportRecord& record : records) {
    if (record.has_entity() && record.entity().kind() == "person") {
      exported_people.insert(record.entity().name());
    }
    if (record.has_statement()) {
      EXPECT_EQ(kind_of(record.statement().subject()), "person");
    }
  }
  EXPECT_EQ(exported_people, expected_people);
  EXPECT_EQ(entity_names(records), needed_by(records, expected_people));
  EXPECT_EQ(Header(people.out)
                .fields()
                .at("kinds")
                .list_value()
                .values(0)
                .string_value(),
            "person");
}

TEST(ExportTest, BadFlagsAreUsageErrorsWithStatusTwo) {
  Catalog catalog;
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"export", "--kind=Mission"}, "--kind"},
      {{"export", "--subject=Not An Id"}, "--subject"},
      {{"export", "--predicate=Commander"}, "--predicate"},
      {{"export", "--as-of=yesterday"}, "--as-of"},
      {{"export", "--as-of=2024-13-01T00:00:00Z"}, "--as-of"},
      {{"export", "out.jsonl"}, "-o FILE"},
      {{"export", "--kinds=person"}, "--kind"},
      {{"export", "--history=maybe"}, "history"},
  };
  for (const auto& [argv, named] : cases) {
    Result result = catalog.Annals(argv);
    EXPECT_EQ(result.status, 2) << argv.back() << ": " << result.err;
    EXPECT_THAT(result.err, HasSubstr(named)) << argv.back();
    EXPECT_THAT(result.out, IsEmpty());
  }
  // A file that cannot be written is not created, nor half written.
  Result unwritable =
      catalog.Annals({"export", "-o", catalog.Sub("no/such/dir/x.jsonl")});
  EXPECT_EQ(unwritable.status, 1);
  EXPECT_THAT(unwritable.err, HasSubstr("cannot write"));
}

TEST(ExportTest, AFailedExportLeavesAnEarlierFileAsItWas) {
  Catalog catalog;
  ASSERT_EQ(catalog.Annals({"import", ANNALS_DATA_DIR}).status, 0);
  const std::string path = catalog.Sub("kept.jsonl");
  std::ofstream(path) << "earlier export\n";
  // Records are spooled in $TMPDIR: one that cannot be written fails the
  // export before anything replaces the file.
  const char* tmpdir = std::getenv("TMPDIR");
  const std::string saved = tmpdir != nullptr ? tmpdir : "";
  setenv("TMPDIR", catalog.Sub("no-such-folder").c_str(), 1);
  Result result = catalog.Annals({"export", "-o", path});
  if (tmpdir != nullptr) {
    setenv("TMPDIR", saved.c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
  EXPECT_EQ(result.status, 1);
  EXPECT_THAT(result.err, HasSubstr("cannot write a temporary file in"));
  EXPECT_EQ(ReadFile(path), "earlier export\n");
  EXPECT_FALSE(std::filesystem::exists(path + ".partial"));
}

}  // namespace
}  // namespace annals::cli
