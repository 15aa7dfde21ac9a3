// The bad-input matrix: hostile requests against every RPC of
// annals.catalog.v1.CatalogService and annals.timeline.v1.TimelineService,
// over real gRPC on 127.0.0.1 (a real catalog on RocksDB and a real timeline
// following it, in this process).
//
// Each case is one request and the exact status code it must get, plus what
// the error must name: the request field (for INVALID_ARGUMENT, exactly the
// field of the google.rpc.BadRequest violation), or the resource or field a
// precondition or lookup failed on. After every case the catalog's head
// sequence, read from the WatchChanges header, must not have moved, and
// cases that try to write check that the resource they aimed at is still
// absent or unchanged. No error message may exceed 1 KiB, however large the
// input: an error that echoed a 1 MiB field used to exceed gRPC's 8 KiB
// metadata limit, so the client got RESOURCE_EXHAUSTED without the field,
// and the connection broke for every call sharing it.
//
// Two kinds of rejection happen before the service's own code runs and so
// cannot name a field; the cases say so ("transport"):
//
// * A request larger than the server's maximum message size (16 MiB by
//   default) fails with RESOURCE_EXHAUSTED from gRPC itself.
// * A string field holding invalid UTF-8 makes the proto3 parser reject the
//   whole request. For unary methods gRPC 1.51's callback API then ends the
//   call with UNIMPLEMENTED and an empty message (it does not pass the parse
//   error on), before the handler runs, so nothing is written.
//   ImportRecords parses its batches itself and reports the field, as
//   INVALID_ARGUMENT.
#include <grpcpp/grpcpp.h>

#include <array>
#include <cstdint>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "annals/catalog/v1/catalog_service.grpc.pb.h"
#include "annals/timeline/v1/timeline_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/common/status/errors.h"
#include "services/common/status/grpc_status.h"
#include "tests/testing/annals_world.h"
#include "tests/testing/status_matchers.h"

namespace annals {
namespace {

namespace cv1 = ::annals::catalog::v1;
namespace tv1 = ::annals::timeline::v1;
using ::google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Code = ::grpc::StatusCode;

constexpr absl::Duration kCallTimeout = absl::Seconds(10);
// Calls with an unreachable min_sequence: the timeline gives up a fifth of
// the deadline early (at most 500 ms) and answers UNAVAILABLE.
constexpr absl::Duration kWaitTimeout = absl::Seconds(1);
// A sequence no test catalog reaches.
constexpr int64_t kFarSequence = int64_t{1} << 40;
constexpr int32_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int32_t kInt32Min = std::numeric_limits<int32_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
// No error message may be longer, however large the input: gRPC refuses
// status metadata over 8 KiB, and the client would see RESOURCE_EXHAUSTED
// instead of the error.
constexpr size_t kMaxMessageLength = 1024;

// A truncated two-byte sequence: not UTF-8.
const char kInvalidUtf8[] = "bad \xc3\x28 text";

std::string MiB(char c = 'x') { return std::string((1 << 20) + 1, c); }
// Over the default 16 MiB maximum message size of both servers.
std::string OverMaxMessage() { return std::string(17 << 20, 'x'); }

template <typename Message>
Message Pb(const std::string& text) {
  Message message;
  if (!google::protobuf::TextFormat::ParseFromString(text, &message)) {
    ADD_FAILURE() << "bad text proto: " << text;
  }
  return message;
}

template <typename Message, typename Mutate>
Message With(Message message, Mutate&& mutate) {
  mutate(message);
  return message;
}

absl::Time Deadline(absl::Duration timeout) { return absl::Now() + timeout; }

// Both services, their stubs, and the facts about the fixture data that the
// cases refer to (etags, page tokens).
class World {
 public:
  void Start();

  // The catalog's head sequence, from the first message of WatchChanges.
  int64_t Head();

  cv1::CatalogService::Stub& catalog() { return *catalog_; }
  tv1::TimelineService::Stub& timeline() { return *timeline_; }

  grpc::Status GetEntity(const std::string& name, cv1::Entity* entity);
  grpc::Status GetStatement(const std::string& name, cv1::Statement* out);

  std::string nmi_etag;
  std::string fortin_etag;
  std::string s1_etag;
  // Second pages, each from one list with particular filters.
  std::string entities_token;         // ListEntities, no filter
  std::string person_entities_token;  // ListEntities kind "person"
  std::string statements_token;       // ListStatements subject nmi
  std::string history_token;          // ListHistory nmi
  std::string window_token;           // QueryWindow 2018-01-01..2025-01-01

 private:
  std::unique_ptr<testing::AnnalsWorld> world_;
  std::unique_ptr<cv1::CatalogService::Stub> catalog_;
  std::unique_ptr<tv1::TimelineService::Stub> timeline_;
};

// What one hostile request must get.
struct Case {
  std::string rpc;   // the method, e.g. "CreateEntity"
  std::string what;  // the hostile part, e.g. "label with a control char"
  Code code;
  // What the error must name: the field (for INVALID_ARGUMENT and field
  // lookups, the BadRequest violation's field, exactly), or the resource or
  // field a precondition failed on. Empty only for transport rejections.
  std::string names;
  // The google.rpc.ErrorInfo reason, when the service sets one.
  std::string reason;
  std::function<grpc::Status(World&)> call = nullptr;
  // Checks that what the request tried to write is absent or unchanged.
  std::function<void(World&)> unchanged = nullptr;
  // How far the head may move: only for the import whose earlier batch is
  // good and committed.
  int64_t head_delta = 0;
};

// ---------------------------------------------------------------------------
// Calls.

void SetDeadline(grpc::ClientContext& context, absl::Duration timeout) {
  context.set_deadline(absl::ToChronoTime(Deadline(timeout)));
}

template <typename Request, typename Response>
std::function<grpc::Status(World&)> OnCatalog(
    grpc::Status (cv1::CatalogService::Stub::*method)(grpc::ClientContext*,
                                                      const Request&,
                                                      Response*),
    Request request) {
  return [method, request = std::move(request)](World& world) {
    grpc::ClientContext context;
    SetDeadline(context, kCallTimeout);
    Response response;
    return (world.catalog().*method)(&context, request, &response);
  };
}

template <typename Request, typename Response>
std::function<grpc::Status(World&)> OnTimeline(
    grpc::Status (tv1::TimelineService::Stub::*method)(grpc::ClientContext*,
                                                       const Request&,
                                                       Response*),
    Request request, absl::Duration timeout = kCallTimeout) {
  return [method, request = std::move(request), timeout](World& world) {
    grpc::ClientContext context;
    SetDeadline(context, timeout);
    Response response;
    return (world.timeline().*method)(&context, request, &response);
  };
}

// Streams `batches` to ImportRecords and returns how the stream ended.
std::function<grpc::Status(World&)> OnImport(
    std::vector<cv1::ImportRecordsRequest> batches) {
  return [batches = std::move(batches)](World& world) {
    grpc::ClientContext context;
    SetDeadline(context, kCallTimeout);
    cv1::ImportRecordsResponse summary;
    auto writer = world.catalog().ImportRecords(&context, &summary);
    for (const cv1::ImportRecordsRequest& batch : batches) {
      // A failed write means the server has ended the stream.
      if (!writer->Write(batch)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  };
}

// Sends `messages` on a StreamSnapshots stream, reads every answer, and
// returns how the stream ended.
std::function<grpc::Status(World&)> OnSnapshotStream(
    std::vector<tv1::StreamSnapshotsRequest> messages,
    absl::Duration timeout = kCallTimeout) {
  return [messages = std::move(messages), timeout](World& world) {
    grpc::ClientContext context;
    SetDeadline(context, timeout);
    auto stream = world.timeline().StreamSnapshots(&context);
    for (const tv1::StreamSnapshotsRequest& message : messages) {
      // A failed write means the server has ended the stream.
      if (!stream->Write(message)) break;
    }
    stream->WritesDone();
    tv1::StreamSnapshotsResponse answer;
    while (stream->Read(&answer)) {
    }
    return stream->Finish();
  };
}

std::function<grpc::Status(World&)> OnWatch(int64_t after_sequence) {
  return [after_sequence](World& world) {
    grpc::ClientContext context;
    SetDeadline(context, kCallTimeout);
    cv1::WatchChangesRequest request;
    request.set_after_sequence(after_sequence);
    auto reader = world.catalog().WatchChanges(&context, request);
    cv1::WatchChangesResponse message;
    while (reader->Read(&message)) {
    }
    return reader->Finish();
  };
}

// ---------------------------------------------------------------------------
// Follow-up reads proving that nothing was written.

std::function<void(World&)> EntityAbsent(std::string id) {
  return [id](World& world) {
    cv1::Entity entity;
    EXPECT_EQ(world.GetEntity(id, &entity).error_code(), Code::NOT_FOUND)
        << "entities/" << id << " was written";
  };
}

std::function<void(World&)> EntityUnchanged(std::string id, std::string etag,
                                            bool deleted = false) {
  return [id, etag, deleted](World& world) {
    cv1::Entity entity;
    ASSERT_OK(world.GetEntity(id, &entity));
    EXPECT_EQ(entity.etag(), etag) << "entities/" << id << " was changed";
    EXPECT_EQ(entity.has_delete_time(), deleted);
  };
}

std::function<void(World&)> StatementAbsent(std::string id) {
  return [id](World& world) {
    cv1::Statement statement;
    EXPECT_EQ(world.GetStatement(id, &statement).error_code(), Code::NOT_FOUND)
        << "statements/" << id << " was written";
  };
}

std::function<void(World&)> StatementUnchanged(std::string id, std::string etag,
                                               bool retracted) {
  return [id, etag, retracted](World& world) {
    cv1::Statement statement;
    ASSERT_OK(world.GetStatement(id, &statement));
    EXPECT_EQ(statement.etag(), etag) << "statements/" << id << " changed";
    EXPECT_EQ(statement.has_retract_time(), retracted);
  };
}

std::function<void(World&)> AllOf(
    std::vector<std::function<void(World&)>> checks) {
  return [checks = std::move(checks)](World& world) {
    for (const auto& check : checks) check(world);
  };
}

// ---------------------------------------------------------------------------
// The fixture data.

cv1::ImportRecord EntityRecord(const std::string& id, const std::string& kind,
                               const std::string& label,
                               const std::string& lifespan = "") {
  cv1::ImportRecord record;
  cv1::Entity* entity = record.mutable_entity();
  entity->set_name("entities/" + id);
  entity->set_kind(kind);
  entity->set_label(label);
  if (!lifespan.empty()) entity->mutable_lifespan()->set_edtf(lifespan);
  return record;
}

cv1::ImportRecord StatementRecord(const std::string& id,
                                  const std::string& subject,
                                  const std::string& predicate,
                                  const std::string& object,
                                  const std::string& valid_time,
                                  const std::string& source = "doc") {
  cv1::ImportRecord record;
  cv1::Statement* statement = record.mutable_statement();
  if (!id.empty()) statement->set_name("statements/" + id);
  statement->set_subject("entities/" + subject);
  statement->set_predicate(predicate);
  statement->mutable_object()->set_entity("entities/" + object);
  statement->mutable_valid_time()->set_edtf(valid_time);
  statement->add_sources()->set_source("entities/" + source);
  return record;
}

// Changes the middle character of a page token to another base64 letter.
std::string Tamper(std::string token) {
  if (token.empty()) return "A";
  char& c = token[token.size() / 2];
  c = c == 'A' ? 'B' : 'A';
  return token;
}

void World::Start() {
  world_ = std::make_unique<testing::AnnalsWorld>();
  ASSERT_TRUE(world_->ok());
  catalog_ = cv1::CatalogService::NewStub(grpc::CreateChannel(
      world_->catalog_address(), grpc::InsecureChannelCredentials()));
  timeline_ = tv1::TimelineService::NewStub(grpc::CreateChannel(
      world_->timeline_address(), grpc::InsecureChannelCredentials()));

  // Everything but the writes whose request ids the cases reuse, in one
  // import.
  cv1::ImportRecordsRequest batch;
  for (cv1::ImportRecord record : {
           EntityRecord("doc", "source", "NMI fact sheet"),
           EntityRecord("doc2", "source", "Press release"),
           EntityRecord("nmi", "mission", "NATO Mission Iraq", "2018-10/.."),
           EntityRecord("fortin", "person", "Dany Fortin"),
           EntityRecord("carignan", "person", "Jennie Carignan"),
           EntityRecord("twin-a", "person", "Twin A"),
           EntityRecord("twin-b", "person", "Twin B"),
           EntityRecord("gone", "person", "Deleted Person"),
           StatementRecord("s1", "nmi", "commander", "fortin",
                           "2018-11/2019-11"),
           StatementRecord("s2", "nmi", "commander", "carignan",
                           "2019-11-26/2020-11-24"),
           StatementRecord("s3", "nmi", "partner_of", "doc2", "2019"),
           StatementRecord("s-retracted", "nmi", "commander", "twin-a", "2018"),
       }) {
    *batch.add_records() = std::move(record);
  }
  batch.mutable_records(5)->mutable_entity()->add_aliases("Twin");
  batch.mutable_records(6)->mutable_entity()->add_aliases("Twin");
  batch.set_request_id("rid-import");
  ASSERT_OK(OnImport({batch})(*this));

  auto write = [](const std::function<grpc::Status(World&)>& call,
                  World& world) { ASSERT_OK(call(world)); };
  write(OnCatalog(&cv1::CatalogService::Stub::CreateEntity,
                  Pb<cv1::CreateEntityRequest>(
                      R"pb(entity_id: "rid-entity"
                           request_id: "rid-create"
                           entity { kind: "event" label: "An event" })pb")),
        *this);
  write(OnCatalog(
            &cv1::CatalogService::Stub::DeleteEntity,
            Pb<cv1::DeleteEntityRequest>(R"pb(name: "gone"
                                              request_id: "rid-delete")pb")),
        *this);
  write(OnCatalog(&cv1::CatalogService::Stub::RetractStatement,
                  Pb<cv1::RetractStatementRequest>(
                      R"pb(name: "s-retracted"
                           reason: "wrong person"
                           request_id: "rid-retract")pb")),
        *this);
  write(OnCatalog(&cv1::CatalogService::Stub::UpdateEntity,
                  Pb<cv1::UpdateEntityRequest>(
                      R"pb(entity { name: "entities/fortin" label: "Fortin" }
                           update_mask { paths: "label" }
                           request_id: "rid-update")pb")),
        *this);
  write(OnCatalog(&cv1::CatalogService::Stub::CreateStatement,
                  Pb<cv1::CreateStatementRequest>(
                      R"pb(statement_id: "rid-statement"
                           request_id: "rid-statement"
                           statement {
                             subject: "fortin"
                             predicate: "rank"
                             object { text: "Lieutenant General" }
                             valid_time { edtf: "2018" }
                             sources { source: "doc" }
                           })pb")),
        *this);

  cv1::Entity entity;
  ASSERT_OK(GetEntity("nmi", &entity));
  nmi_etag = entity.etag();
  ASSERT_OK(GetEntity("fortin", &entity));
  fortin_etag = entity.etag();
  cv1::Statement statement;
  ASSERT_OK(GetStatement("s1", &statement));
  s1_etag = statement.etag();

  {
    grpc::ClientContext context;
    SetDeadline(context, kCallTimeout);
    cv1::ListEntitiesResponse page;
    ASSERT_OK(catalog_->ListEntities(
        &context, Pb<cv1::ListEntitiesRequest>("page_size: 1"), &page));
    entities_token = page.next_page_token();
  }
  {
    grpc::ClientContext context;
    SetDeadline(context, kCallTimeout);
    cv1::ListEntitiesResponse page;
    ASSERT_OK(catalog_->ListEntities(
        &context,
        Pb<cv1::ListEntitiesRequest>(R"pb(kind: "person" page_size: 1)pb"),
        &page));
    person_entities_token = page.next_page_token();
  }
  {
    grpc::ClientContext context;
    SetDeadline(context, kCallTimeout);
    cv1::ListStatementsResponse page;
    ASSERT_OK(catalog_->ListStatements(
        &context, Pb<cv1::ListStatementsRequest>(R"pb(subject: "nmi"
                                                      page_size: 1)pb"),
        &page));
    statements_token = page.next_page_token();
  }

  // The timeline must have applied every fixture write before its cases
  // run; the first call waits for it.
  const int64_t head = Head();
  {
    grpc::ClientContext context;
    SetDeadline(context, absl::Seconds(30));
    tv1::ListHistoryRequest request;
    request.set_entity("nmi");
    request.set_page_size(1);
    request.set_min_sequence(head);
    tv1::ListHistoryResponse page;
    ASSERT_OK(timeline_->ListHistory(&context, request, &page));
    history_token = page.next_page_token();
  }
  {
    grpc::ClientContext context;
    SetDeadline(context, kCallTimeout);
    tv1::QueryWindowResponse page;
    ASSERT_OK(timeline_->QueryWindow(
        &context, Pb<tv1::QueryWindowRequest>(R"pb(from: "2018-01-01"
                                                   to: "2025-01-01"
                                                   page_size: 1)pb"),
        &page));
    window_token = page.next_page_token();
  }
  for (const std::string* token :
       {&entities_token, &person_entities_token, &statements_token,
        &history_token, &window_token}) {
    ASSERT_FALSE(token->empty()) << "a fixture list fits on one page";
  }
}

int64_t World::Head() {
  grpc::ClientContext context;
  SetDeadline(context, kCallTimeout);
  cv1::WatchChangesRequest request;
  // Far ahead, so that the catalog sends the header and then just waits.
  request.set_after_sequence(kFarSequence);
  auto reader = catalog_->WatchChanges(&context, request);
  cv1::WatchChangesResponse header;
  int64_t head = -1;
  if (reader->Read(&header)) head = header.head_sequence();
  context.TryCancel();
  reader->Finish();
  return head;
}

grpc::Status World::GetEntity(const std::string& name, cv1::Entity* entity) {
  grpc::ClientContext context;
  SetDeadline(context, kCallTimeout);
  cv1::GetEntityRequest request;
  request.set_name(name);
  return catalog_->GetEntity(&context, request, entity);
}

grpc::Status World::GetStatement(const std::string& name,
                                 cv1::Statement* statement) {
  grpc::ClientContext context;
  SetDeadline(context, kCallTimeout);
  cv1::GetStatementRequest request;
  request.set_name(name);
  return catalog_->GetStatement(&context, request, statement);
}

// ---------------------------------------------------------------------------
// The catalog's cases.

using CS = cv1::CatalogService::Stub;
using TS = tv1::TimelineService::Stub;

// Malformed EDTF, from the table in docs/temporal-semantics.md, and the
// start of the message each gets.
const std::vector<std::string>& BadEdtf() {
  static const auto* texts = new std::vector<std::string>{
      "2018-02-30",
      "2017/2018-02-30",
      "2019-02-29",  // not a leap year
      "-0000",       // 0000 is 1 BC and has no sign
      "10000",       // five digits need Y
      "Y1234",       // Y needs more than four
      "Y170000002",  // beyond the years Annals represents
      "2018-13",
      "2018-00",
      "2018-00-10",
      "2018-25",  // a level-2 season
      "201x",
      "201X-11",
      "20X8",
      "1XXX-XX",
      "2018-1X",
      "2004-?06-11",
      "[1667,1668]",
      "Y-17E7",
      "2018?~",
      " 2018",
      "2021-06-01T10:00",
      "2021-06-01T24:00:00",
      "2004-01-01T10:10:10Z/2005",
      "2020/2019",
      "..",
      "2018-11-26\n",
      "2018/2019/2020"};
  return *texts;
}

// An entity that would be valid, with id "probe".
cv1::CreateEntityRequest ProbeEntity() {
  return Pb<cv1::CreateEntityRequest>(
      R"pb(entity_id: "probe"
           entity { kind: "person" label: "Probe" })pb");
}

// A statement that would be valid, with id "probe-s".
cv1::CreateStatementRequest ProbeStatement() {
  return Pb<cv1::CreateStatementRequest>(
      R"pb(statement_id: "probe-s"
           statement {
             subject: "entities/nmi"
             predicate: "commander"
             object { entity: "entities/fortin" }
             valid_time { edtf: "2018-11/2019-11" }
             sources { source: "entities/doc" locator: "p. 3" }
           })pb");
}

void AddCreateEntityCases(World& world, std::vector<Case>& cases) {
  auto create = [](std::function<void(cv1::CreateEntityRequest&)> mutate) {
    return OnCatalog(&CS::CreateEntity, With(ProbeEntity(), mutate));
  };
  auto add = [&](std::string what, Code code, std::string names,
                 std::function<void(cv1::CreateEntityRequest&)> mutate,
                 std::string absent = "probe", std::string reason = "") {
    cases.push_back(Case{"CreateEntity", std::move(what), code,
                         std::move(names), std::move(reason), create(mutate),
                         EntityAbsent(absent)});
  };
  const Code kInvalid = Code::INVALID_ARGUMENT;
  add("empty request", kInvalid, "entity_id",
      [](auto& r) { r = cv1::CreateEntityRequest(); });
  add("uppercase id", kInvalid, "entity_id",
      [](auto& r) { r.set_entity_id("Probe"); });
  add(
      "id of 64 characters", kInvalid, "entity_id",
      [](auto& r) { r.set_entity_id(std::string(64, 'a')); },
      std::string(64, 'a'));
  add("id starting with '-'", kInvalid, "entity_id",
      [](auto& r) { r.set_entity_id("-probe"); });
  add("id with a slash", kInvalid, "entity_id",
      [](auto& r) { r.set_entity_id("probe/x"); });
  add("id with a non-ASCII letter", kInvalid, "entity_id",
      [](auto& r) { r.set_entity_id("prob\xc3\xa9"); });
  add("id of 1 MiB", kInvalid, "entity_id",
      [](auto& r) { r.set_entity_id(MiB('a')); });
  add("name in another collection", kInvalid, "entity.name", [](auto& r) {
    r.clear_entity_id();
    r.mutable_entity()->set_name("statements/probe");
  });
  add("name not matching entity_id", kInvalid, "entity.name",
      [](auto& r) { r.mutable_entity()->set_name("entities/other"); });
  add("1 MiB name not matching entity_id", kInvalid, "entity.name",
      [](auto& r) { r.mutable_entity()->set_name(MiB()); });
  add("no kind", kInvalid, "entity.kind",
      [](auto& r) { r.mutable_entity()->clear_kind(); });
  add("capitalized kind", kInvalid, "entity.kind",
      [](auto& r) { r.mutable_entity()->set_kind("Person"); });
  add("kind of 33 letters", kInvalid, "entity.kind",
      [](auto& r) { r.mutable_entity()->set_kind(std::string(33, 'k')); });
  add("no label", kInvalid, "entity.label",
      [](auto& r) { r.mutable_entity()->clear_label(); });
  add("label with a control character", kInvalid, "entity.label", [](auto& r) {
    r.mutable_entity()->set_label(
        "Pro\x01"
        "be");
  });
  add("label with a newline", kInvalid, "entity.label",
      [](auto& r) { r.mutable_entity()->set_label("Pro\nbe"); });
  add("label with DEL", kInvalid, "entity.label",
      [](auto& r) { r.mutable_entity()->set_label("Probe\x7f"); });
  add("label of 257 bytes", kInvalid, "entity.label",
      [](auto& r) { r.mutable_entity()->set_label(std::string(257, 'l')); });
  add("label of 1 MiB", kInvalid, "entity.label",
      [](auto& r) { r.mutable_entity()->set_label(MiB()); });
  add("65 aliases", kInvalid, "entity.aliases", [](auto& r) {
    for (int i = 0; i < 65; ++i) {
      r.mutable_entity()->add_aliases(absl::StrCat("alias ", i));
    }
  });
  add("empty alias", kInvalid, "entity.aliases[1]", [](auto& r) {
    r.mutable_entity()->add_aliases("ok");
    r.mutable_entity()->add_aliases("");
  });
  add("alias with a tab", kInvalid, "entity.aliases[0]",
      [](auto& r) { r.mutable_entity()->add_aliases("a\tb"); });
  add("description over 16 KiB", kInvalid, "entity.description", [](auto& r) {
    r.mutable_entity()->set_description(std::string(16 * 1024 + 1, 'd'));
  });
  add("description with NUL", kInvalid, "entity.description", [](auto& r) {
    r.mutable_entity()->set_description(std::string("a\0b", 3));
  });
  add("attribute key not snake_case", kInvalid, "entity.attributes",
      [](auto& r) {
        (*r.mutable_entity()->mutable_attributes())["Rank"] = "x";
      });
  add("attribute key of 1 MiB", kInvalid, "entity.attributes", [](auto& r) {
    (*r.mutable_entity()->mutable_attributes())[MiB('k')] = "x";
  });
  add("attribute value with a control character", kInvalid,
      "entity.attributes[rank]", [](auto& r) {
        (*r.mutable_entity()->mutable_attributes())["rank"] = "a\x1b[31m";
      });
  add("65 attributes", kInvalid, "entity.attributes", [](auto& r) {
    for (int i = 0; i < 65; ++i) {
      (*r.mutable_entity()->mutable_attributes())[absl::StrCat("k", i)] = "v";
    }
  });
  add("lifespan with empty EDTF", kInvalid, "entity.lifespan.edtf",
      [](auto& r) { r.mutable_entity()->mutable_lifespan(); });
  for (const char* edtf : {"2018-02-30", "-0000", "10000", "2020/2019", ".."}) {
    add(absl::StrCat("lifespan \"", edtf, "\""), kInvalid,
        "entity.lifespan.edtf", [edtf](auto& r) {
          r.mutable_entity()->mutable_lifespan()->set_edtf(edtf);
        });
  }
  add("lifespan EDTF of 1 MiB", kInvalid, "entity.lifespan.edtf", [](auto& r) {
    r.mutable_entity()->mutable_lifespan()->set_edtf(MiB('2'));
  });
  // A lifespan's sources are checked as a statement's.
  auto sourced = [](cv1::CreateEntityRequest& r, const std::string& source) {
    r.mutable_entity()->mutable_lifespan()->set_edtf("2018");
    cv1::SourceCitation* citation = r.mutable_entity()->add_lifespan_sources();
    citation->set_source(source);
    citation->set_locator("p. 3");
  };
  add("lifespan sources without a lifespan", kInvalid,
      "entity.lifespan_sources", [](auto& r) {
        r.mutable_entity()->add_lifespan_sources()->set_source("doc");
      });
  add(
      "lifespan source that does not exist", Code::NOT_FOUND,
      "entity.lifespan_sources[0].source",
      [sourced](auto& r) { sourced(r, "no-such-doc"); }, "probe", "NOT_FOUND");
  add(
      "lifespan source that is not of kind source", Code::FAILED_PRECONDITION,
      "entity.lifespan_sources[0].source",
      [sourced](auto& r) { sourced(r, "fortin"); }, "probe", "WRONG_KIND");
  add("lifespan source with an empty name", kInvalid,
      "entity.lifespan_sources[0].source",
      [sourced](auto& r) { sourced(r, ""); });
  add("lifespan source locator with a newline", kInvalid,
      "entity.lifespan_sources[0].locator", [sourced](auto& r) {
        sourced(r, "doc");
        r.mutable_entity()->mutable_lifespan_sources(0)->set_locator("p.\n3");
      });
  add("33 lifespan sources", kInvalid, "entity.lifespan_sources",
      [sourced](auto& r) {
        for (int i = 0; i < 33; ++i) sourced(r, absl::StrCat("doc-", i));
      });
  add("request_id of 129 characters", kInvalid, "request_id",
      [](auto& r) { r.set_request_id(std::string(129, 'r')); });
  add("request_id with a space", kInvalid, "request_id",
      [](auto& r) { r.set_request_id("my request"); });
  add("validate_only with a bad kind", kInvalid, "entity.kind", [](auto& r) {
    r.set_validate_only(true);
    r.mutable_entity()->set_kind("BAD");
  });
  cases.push_back(Case{"CreateEntity", "existing id", Code::ALREADY_EXISTS,
                       "entity_id", "ALREADY_EXISTS",
                       create([](auto& r) { r.set_entity_id("nmi"); }),
                       EntityUnchanged("nmi", world.nmi_etag)});
  cases.push_back(Case{"CreateEntity", "id of a deleted entity",
                       Code::ALREADY_EXISTS, "entity_id", "ALREADY_EXISTS",
                       create([](auto& r) { r.set_entity_id("gone"); }),
                       nullptr});
  cases.push_back(Case{"CreateEntity", "validate_only with an existing id",
                       Code::ALREADY_EXISTS, "entity_id", "ALREADY_EXISTS",
                       create([](auto& r) {
                         r.set_entity_id("nmi");
                         r.set_validate_only(true);
                       }),
                       EntityUnchanged("nmi", world.nmi_etag)});
  add(
      "request_id reused with another body", Code::FAILED_PRECONDITION,
      "request_id", [](auto& r) { r.set_request_id("rid-create"); }, "probe",
      "REQUEST_ID_REUSED");
  add(
      "request_id of another method reused", Code::FAILED_PRECONDITION,
      "request_id", [](auto& r) { r.set_request_id("rid-delete"); }, "probe",
      "REQUEST_ID_REUSED");
  add("request over the maximum message size (transport)",
      Code::RESOURCE_EXHAUSTED, "",
      [](auto& r) { r.mutable_entity()->set_description(OverMaxMessage()); });
  add("label with invalid UTF-8 (transport)", Code::UNIMPLEMENTED, "",
      [](auto& r) { r.mutable_entity()->set_label(kInvalidUtf8); });
}

void AddGetEntityCases(World& world, std::vector<Case>& cases) {
  auto get = [](std::string name) {
    return OnCatalog(&CS::GetEntity,
                     With(cv1::GetEntityRequest(),
                          [&](auto& r) { r.set_name(std::move(name)); }));
  };
  const Code kInvalid = Code::INVALID_ARGUMENT;
  cases.push_back(
      Case{"GetEntity", "empty name", kInvalid, "name", "", get("")});
  cases.push_back(
      Case{"GetEntity", "name of 1 MiB", kInvalid, "name", "", get(MiB())});
  cases.push_back(Case{"GetEntity", "name with a control character", kInvalid,
                       "name", "", get("nm\x02i")});
  cases.push_back(Case{"GetEntity", "unknown id", Code::NOT_FOUND, "name",
                       "NOT_FOUND", get("no-such-entity")});
  cases.push_back(Case{"GetEntity", "unknown full name", Code::NOT_FOUND,
                       "name", "NOT_FOUND", get("entities/no-such-entity")});
  cases.push_back(Case{"GetEntity", "collection prefix alone", Code::NOT_FOUND,
                       "name", "NOT_FOUND", get("entities/")});
  cases.push_back(Case{"GetEntity", "a statement's name", Code::NOT_FOUND,
                       "name", "NOT_FOUND", get("statements/s1")});
  cases.push_back(Case{"GetEntity", "alias shared by two entities",
                       Code::FAILED_PRECONDITION, "twin", "AMBIGUOUS_NAME",
                       get("twin")});
  cases.push_back(Case{"GetEntity", "name with invalid UTF-8 (transport)",
                       Code::UNIMPLEMENTED, "", "", get(kInvalidUtf8)});
}

void AddListEntitiesCases(World& world, std::vector<Case>& cases) {
  auto list = [](std::function<void(cv1::ListEntitiesRequest&)> mutate) {
    return OnCatalog(&CS::ListEntities,
                     With(cv1::ListEntitiesRequest(), std::move(mutate)));
  };
  const Code kInvalid = Code::INVALID_ARGUMENT;
  auto add = [&](std::string what, std::string names,
                 std::function<void(cv1::ListEntitiesRequest&)> mutate) {
    cases.push_back(Case{"ListEntities", std::move(what), kInvalid,
                         std::move(names), "INVALID_FIELD",
                         list(std::move(mutate))});
  };
  add("page_size -1", "page_size", [](auto& r) { r.set_page_size(-1); });
  add("page_size 1001", "page_size", [](auto& r) { r.set_page_size(1001); });
  add("page_size INT32_MAX", "page_size",
      [](auto& r) { r.set_page_size(kInt32Max); });
  add("page_size INT32_MIN", "page_size",
      [](auto& r) { r.set_page_size(kInt32Min); });
  add("capitalized kind", "kind", [](auto& r) { r.set_kind("Person"); });
  add("kind of 1 MiB", "kind", [](auto& r) { r.set_kind(MiB('k')); });
  add("id_prefix with a capital", "id_prefix",
      [](auto& r) { r.set_id_prefix("N"); });
  add("id_prefix of 64 characters", "id_prefix",
      [](auto& r) { r.set_id_prefix(std::string(64, 'n')); });
  add("page_token not base64", "page_token",
      [](auto& r) { r.set_page_token("!!not a token!!"); });
  add("page_token with a changed character", "page_token",
      [&world](auto& r) { r.set_page_token(Tamper(world.entities_token)); });
  add("page_token truncated", "page_token", [&world](auto& r) {
    r.set_page_token(world.entities_token.substr(0, 10));
  });
  add("page_token from another kind filter", "page_token",
      [&world](auto& r) { r.set_page_token(world.person_entities_token); });
  add("page_token with show_deleted toggled", "page_token", [&world](auto& r) {
    r.set_page_token(world.entities_token);
    r.set_show_deleted(true);
  });
  add("page_token from ListStatements", "page_token",
      [&world](auto& r) { r.set_page_token(world.statements_token); });
  add("page_token from the timeline", "page_token",
      [&world](auto& r) { r.set_page_token(world.history_token); });
  add("page_token of 5000 characters", "page_token",
      [](auto& r) { r.set_page_token(std::string(5000, 'A')); });
  add("page_token of valid base64 but no checksum", "page_token",
      [](auto& r) { r.set_page_token(absl::WebSafeBase64Escape("short")); });
}

void AddUpdateEntityCases(World& world, std::vector<Case>& cases) {
  auto update = [](std::function<void(cv1::UpdateEntityRequest&)> mutate) {
    return OnCatalog(
        &CS::UpdateEntity,
        With(Pb<cv1::UpdateEntityRequest>(
                 R"pb(entity { name: "entities/fortin" label: "New label" }
                      update_mask { paths: "label" })pb"),
             std::move(mutate)));
  };
  const auto fortin = EntityUnchanged("fortin", world.fortin_etag);
  auto add = [&](std::string what, Code code, std::string names,
                 std::string reason,
                 std::function<void(cv1::UpdateEntityRequest&)> mutate,
                 std::function<void(World&)> unchanged = nullptr) {
    cases.push_back(Case{"UpdateEntity", std::move(what), code,
                         std::move(names), std::move(reason),
                         update(std::move(mutate)),
                         unchanged ? std::move(unchanged) : fortin});
  };
  const Code kInvalid = Code::INVALID_ARGUMENT;
  add("no name", kInvalid, "entity.name", "INVALID_FIELD",
      [](auto& r) { r.mutable_entity()->clear_name(); });
  add("name with a capital", kInvalid, "entity.name", "INVALID_FIELD",
      [](auto& r) { r.mutable_entity()->set_name("entities/Fortin"); });
  add("name of 1 MiB", kInvalid, "entity.name", "INVALID_FIELD",
      [](auto& r) { r.mutable_entity()->set_name(MiB()); });
  add(
      "unknown entity", Code::NOT_FOUND, "entity.name", "NOT_FOUND",
      [](auto& r) { r.mutable_entity()->set_name("entities/nobody"); },
      EntityAbsent("nobody"));
  add("stale etag", Code::ABORTED, "etag", "ETAG_MISMATCH",
      [](auto& r) { r.mutable_entity()->set_etag("999999"); });
  add("etag of 1 MiB", Code::ABORTED, "etag", "ETAG_MISMATCH",
      [](auto& r) { r.mutable_entity()->set_etag(MiB('9')); });
  add("validate_only with a stale etag", Code::ABORTED, "etag", "ETAG_MISMATCH",
      [](auto& r) {
        r.set_validate_only(true);
        r.mutable_entity()->set_etag("999999");
      });
  add("update_mask naming an output-only field", kInvalid, "update_mask",
      "INVALID_FIELD", [](auto& r) {
        r.mutable_update_mask()->clear_paths();
        r.mutable_update_mask()->add_paths("create_time");
      });
  add("update_mask naming the name", kInvalid, "update_mask", "INVALID_FIELD",
      [](auto& r) { r.mutable_update_mask()->add_paths("name"); });
  add("update_mask with an unknown path", kInvalid, "update_mask",
      "INVALID_FIELD",
      [](auto& r) { r.mutable_update_mask()->add_paths("lifespan.edtf"); });
  add("label cleared through the mask", kInvalid, "entity.label",
      "INVALID_FIELD", [](auto& r) { r.mutable_entity()->clear_label(); });
  add("label with a control character", kInvalid, "entity.label",
      "INVALID_FIELD",
      [](auto& r) { r.mutable_entity()->set_label("New\x07label"); });
  add("kind not a word", kInvalid, "entity.kind", "INVALID_FIELD", [](auto& r) {
    r.mutable_update_mask()->add_paths("kind");
    r.mutable_entity()->set_kind("per son");
  });
  add("lifespan \"2018-13\"", kInvalid, "entity.lifespan.edtf", "INVALID_FIELD",
      [](auto& r) {
        r.mutable_update_mask()->add_paths("lifespan");
        r.mutable_entity()->mutable_lifespan()->set_edtf("2018-13");
      });
  add("validate_only with a reversed lifespan", kInvalid,
      "entity.lifespan.edtf", "INVALID_FIELD", [](auto& r) {
        r.set_validate_only(true);
        r.mutable_update_mask()->add_paths("lifespan");
        r.mutable_entity()->mutable_lifespan()->set_edtf("2020/2019");
      });
  add(
      "deleted entity", Code::FAILED_PRECONDITION, "entities/gone", "DELETED",
      [](auto& r) { r.mutable_entity()->set_name("entities/gone"); },
      [](World& world) {
        cv1::Entity entity;
        ASSERT_OK(world.GetEntity("gone", &entity));
        EXPECT_NE(entity.label(), "New label");
      });
  add("request_id reused with another body", Code::FAILED_PRECONDITION,
      "request_id", "REQUEST_ID_REUSED",
      [](auto& r) { r.set_request_id("rid-update"); });
  add("label with invalid UTF-8 (transport)", Code::UNIMPLEMENTED, "", "",
      [](auto& r) { r.mutable_entity()->set_label(kInvalidUtf8); });
}

void AddDeleteEntityCases(World& world, std::vector<Case>& cases) {
  auto remove = [](std::function<void(cv1::DeleteEntityRequest&)> mutate) {
    return OnCatalog(&CS::DeleteEntity,
                     With(Pb<cv1::DeleteEntityRequest>(R"pb(name: "fortin")pb"),
                          std::move(mutate)));
  };
  const auto fortin = EntityUnchanged("fortin", world.fortin_etag);
  auto add = [&](std::string what, Code code, std::string names,
                 std::string reason,
                 std::function<void(cv1::DeleteEntityRequest&)> mutate) {
    cases.push_back(Case{"DeleteEntity", std::move(what), code,
                         std::move(names), std::move(reason),
                         remove(std::move(mutate)), fortin});
  };
  const Code kInvalid = Code::INVALID_ARGUMENT;
  add("no name", kInvalid, "name", "INVALID_FIELD",
      [](auto& r) { r.clear_name(); });
  add("name in another collection", kInvalid, "name", "INVALID_FIELD",
      [](auto& r) { r.set_name("statements/s1"); });
  add("name with a path", kInvalid, "name", "INVALID_FIELD",
      [](auto& r) { r.set_name("entities/fortin/statements/s1"); });
  add("name of 1 MiB", kInvalid, "name", "INVALID_FIELD",
      [](auto& r) { r.set_name(MiB()); });
  add("unknown entity", Code::NOT_FOUND, "name", "NOT_FOUND",
      [](auto& r) { r.set_name("nobody"); });
  add("stale etag", Code::ABORTED, "etag", "ETAG_MISMATCH",
      [](auto& r) { r.set_etag("999999"); });
  add("request_id with a control character", kInvalid, "request_id",
      "INVALID_FIELD", [](auto& r) { r.set_request_id("rid\x01"); });
  add("request_id reused with another body", Code::FAILED_PRECONDITION,
      "request_id", "REQUEST_ID_REUSED",
      [](auto& r) { r.set_request_id("rid-delete"); });
  add("request_id of a CreateEntity reused", Code::FAILED_PRECONDITION,
      "request_id", "REQUEST_ID_REUSED",
      [](auto& r) { r.set_request_id("rid-create"); });
  cases.push_back(Case{"DeleteEntity", "entity already deleted",
                       Code::FAILED_PRECONDITION, "entities/gone", "DELETED",
                       remove([](auto& r) { r.set_name("gone"); }), nullptr});
  add("name with invalid UTF-8 (transport)", Code::UNIMPLEMENTED, "", "",
      [](auto& r) { r.set_name(kInvalidUtf8); });
}

void AddCreateStatementCases(World& world, std::vector<Case>& cases) {
  auto add = [&](std::string what, Code code, std::string names,
                 std::string reason,
                 std::function<void(cv1::CreateStatementRequest&)> mutate) {
    cases.push_back(
        Case{"CreateStatement", std::move(what), code, std::move(names),
             std::move(reason),
             OnCatalog(&CS::CreateStatement, With(ProbeStatement(), mutate)),
             StatementAbsent("probe-s")});
  };
  const Code kInvalid = Code::INVALID_ARGUMENT;
  const std::string kField = "INVALID_FIELD";
  add("empty statement", kInvalid, "statement.subject", kField,
      [](auto& r) { r.clear_statement(); });
  add("subject with a capital", kInvalid, "statement.subject", kField,
      [](auto& r) { r.mutable_statement()->set_subject("entities/NMI"); });
  add("subject with a deeper path", kInvalid, "statement.subject", kField,
      [](auto& r) {
        r.mutable_statement()->set_subject("entities/nmi/statements/s1");
      });
  add("subject of 1 MiB", kInvalid, "statement.subject", kField,
      [](auto& r) { r.mutable_statement()->set_subject(MiB()); });
  add("subject that does not exist", Code::NOT_FOUND, "statement.subject",
      "NOT_FOUND",
      [](auto& r) { r.mutable_statement()->set_subject("entities/nobody"); });
  add("subject deleted", Code::FAILED_PRECONDITION, "statement.subject",
      "DELETED",
      [](auto& r) { r.mutable_statement()->set_subject("entities/gone"); });
  add("no predicate", kInvalid, "statement.predicate", kField,
      [](auto& r) { r.mutable_statement()->clear_predicate(); });
  for (const char* predicate :
       {"Commander", "commander__of", "commander_", "1st", "comm-ander"}) {
    add(absl::StrCat("predicate \"", predicate, "\""), kInvalid,
        "statement.predicate", kField, [predicate](auto& r) {
          r.mutable_statement()->set_predicate(predicate);
        });
  }
  add("predicate of 65 characters", kInvalid, "statement.predicate", kField,
      [](auto& r) {
        r.mutable_statement()->set_predicate(std::string(65, 'p'));
      });
  add("no object", kInvalid, "statement.object", kField,
      [](auto& r) { r.mutable_statement()->clear_object(); });
  add("object entity that does not exist", Code::NOT_FOUND,
      "statement.object.entity", "NOT_FOUND", [](auto& r) {
        r.mutable_statement()->mutable_object()->set_entity("nobody");
      });
  add("object entity deleted", Code::FAILED_PRECONDITION,
      "statement.object.entity", "DELETED", [](auto& r) {
        r.mutable_statement()->mutable_object()->set_entity("gone");
      });
  add("object entity with a bad id", kInvalid, "statement.object.entity",
      kField, [](auto& r) {
        r.mutable_statement()->mutable_object()->set_entity("entities/x y");
      });
  add("object text empty", kInvalid, "statement.object.text", kField,
      [](auto& r) { r.mutable_statement()->mutable_object()->set_text(""); });
  add("object text with an escape sequence", kInvalid, "statement.object.text",
      kField, [](auto& r) {
        r.mutable_statement()->mutable_object()->set_text("red\x1b[0m");
      });
  add("object text over 16 KiB", kInvalid, "statement.object.text", kField,
      [](auto& r) {
        r.mutable_statement()->mutable_object()->set_text(
            std::string(16 * 1024 + 1, 't'));
      });
  for (const char* decimal : {"1e5", ".", "-", "1.", "0x10", " 1", "1,5"}) {
    add(absl::StrCat("decimal \"", decimal, "\""), kInvalid,
        "statement.object.decimal", kField, [decimal](auto& r) {
          r.mutable_statement()->mutable_object()->set_decimal(decimal);
        });
  }
  add("quantity without an amount", kInvalid,
      "statement.object.quantity.amount", kField, [](auto& r) {
        r.mutable_statement()->mutable_object()->mutable_quantity()->set_unit(
            "personnel");
      });
  add("quantity without a unit", kInvalid, "statement.object.quantity.unit",
      kField, [](auto& r) {
        r.mutable_statement()->mutable_object()->mutable_quantity()->set_amount(
            "500");
      });
  add("no valid_time", kInvalid, "statement.valid_time", kField,
      [](auto& r) { r.mutable_statement()->clear_valid_time(); });
  add("valid_time with empty EDTF", kInvalid, "statement.valid_time.edtf",
      kField, [](auto& r) {
        r.mutable_statement()->mutable_valid_time()->clear_edtf();
      });
  for (const std::string& edtf : BadEdtf()) {
    add(absl::StrCat("valid_time \"", absl::CEscape(edtf), "\""), kInvalid,
        "statement.valid_time.edtf", kField, [edtf](auto& r) {
          r.mutable_statement()->mutable_valid_time()->set_edtf(edtf);
        });
  }
  add("valid_time EDTF of 129 bytes", kInvalid, "statement.valid_time.edtf",
      kField, [](auto& r) {
        r.mutable_statement()->mutable_valid_time()->set_edtf(
            "2018" + std::string(125, ' '));
      });
  // A valid time by its bound dates (BoundDates), each field named.
  struct BadBounds {
    const char* what;
    const char* field;
    std::array<const char*, 4> dates;
    bool with_edtf = false;
  };
  for (const BadBounds& bad : std::initializer_list<BadBounds>{
           {"bound dates and EDTF", "bound_dates", {"", "", "", "1500"}, true},
           {"a malformed bound date",
            "bound_dates.latest_end",
            {"1100", "1200", "1450", "1500-13"}},
           {"a level-2 bound date",
            "bound_dates.earliest_start",
            {"2004-?06-11", "", "", ""}},
           {"an interval as a bound date",
            "bound_dates.earliest_start",
            {"1100/1200", "", "", ""}},
           {"an end before every start",
            "bound_dates.latest_end",
            {"1500", "", "", "1450"}},
           {"reversed start bounds",
            "bound_dates.latest_start",
            {"1300", "1200", "", ""}},
           {"an open bound without its pair",
            "bound_dates.earliest_end",
            {"1100", "", "..", "1500"}},
           {"a bound date of 65 bytes",
            "bound_dates.latest_start",
            {"",
             "1200                                                            "
             " ",
             "", ""}},
       }) {
    add(absl::StrCat("valid_time with ", bad.what), kInvalid,
        absl::StrCat("statement.valid_time.", bad.field), kField,
        [bad](auto& r) {
          annals::type::v1::Extent* extent =
              r.mutable_statement()->mutable_valid_time();
          if (!bad.with_edtf) extent->clear_edtf();
          annals::type::v1::BoundDates* dates = extent->mutable_bound_dates();
          dates->set_earliest_start(bad.dates[0]);
          dates->set_latest_start(bad.dates[1]);
          dates->set_earliest_end(bad.dates[2]);
          dates->set_latest_end(bad.dates[3]);
        });
  }
  add("source that is not of kind source", Code::FAILED_PRECONDITION,
      "statement.sources[0].source", "WRONG_KIND", [](auto& r) {
        r.mutable_statement()->mutable_sources(0)->set_source("fortin");
      });
  add("second source that does not exist", Code::NOT_FOUND,
      "statement.sources[1].source", "NOT_FOUND", [](auto& r) {
        r.mutable_statement()->add_sources()->set_source("no-such-doc");
      });
  add("source with an empty name", kInvalid, "statement.sources[0].source",
      kField, [](auto& r) {
        r.mutable_statement()->mutable_sources(0)->clear_source();
      });
  add("33 sources", kInvalid, "statement.sources", kField, [](auto& r) {
    for (int i = 0; i < 32; ++i) {
      auto* source = r.mutable_statement()->add_sources();
      source->set_source("doc");
      source->set_locator(absl::StrCat("p. ", i));
    }
  });
  add("locator with a newline", kInvalid, "statement.sources[0].locator",
      kField, [](auto& r) {
        r.mutable_statement()->mutable_sources(0)->set_locator("p.\n3");
      });
  add("qualifier key not snake_case", kInvalid, "statement.qualifiers", kField,
      [](auto& r) {
        (*r.mutable_statement()->mutable_qualifiers())["Role"] = "acting";
      });
  add("statement_id with a capital", kInvalid, "statement_id", kField,
      [](auto& r) { r.set_statement_id("Probe-s"); });
  add("name in another collection", kInvalid, "statement.name", kField,
      [](auto& r) {
        r.clear_statement_id();
        r.mutable_statement()->set_name("entities/probe-s");
      });
  add("validate_only with a missing source", Code::NOT_FOUND,
      "statement.sources[0].source", "NOT_FOUND", [](auto& r) {
        r.set_validate_only(true);
        r.mutable_statement()->mutable_sources(0)->set_source("nowhere");
      });
  add("validate_only with a reversed valid_time", kInvalid,
      "statement.valid_time.edtf", kField, [](auto& r) {
        r.set_validate_only(true);
        r.mutable_statement()->mutable_valid_time()->set_edtf("2021/2018");
      });
  add("request_id reused with another body", Code::FAILED_PRECONDITION,
      "request_id", "REQUEST_ID_REUSED",
      [](auto& r) { r.set_request_id("rid-statement"); });
  cases.push_back(Case{
      "CreateStatement", "existing statement_id", Code::ALREADY_EXISTS,
      "statement_id", "ALREADY_EXISTS",
      OnCatalog(
          &CS::CreateStatement,
          With(ProbeStatement(), [](auto& r) { r.set_statement_id("s1"); })),
      StatementUnchanged("s1", world.s1_etag, /*retracted=*/false)});
  add("text with invalid UTF-8 (transport)", Code::UNIMPLEMENTED, "", "",
      [](auto& r) {
        r.mutable_statement()->mutable_object()->set_text(kInvalidUtf8);
      });
}

void AddGetStatementCases(World& world, std::vector<Case>& cases) {
  auto get = [](std::string name) {
    return OnCatalog(&CS::GetStatement,
                     With(cv1::GetStatementRequest(),
                          [&](auto& r) { r.set_name(std::move(name)); }));
  };
  const Code kInvalid = Code::INVALID_ARGUMENT;
  cases.push_back(
      Case{"GetStatement", "empty name", kInvalid, "name", "", get("")});
  cases.push_back(Case{"GetStatement", "an entity's name", kInvalid, "name", "",
                       get("entities/nmi")});
  cases.push_back(Case{"GetStatement", "id with a space", kInvalid, "name", "",
                       get("s 1")});
  cases.push_back(
      Case{"GetStatement", "name of 1 MiB", kInvalid, "name", "", get(MiB())});
  cases.push_back(Case{"GetStatement", "unknown statement", Code::NOT_FOUND,
                       "name", "NOT_FOUND", get("statements/nothing")});
}

void AddListStatementsCases(World& world, std::vector<Case>& cases) {
  auto add = [&](std::string what, std::string names,
                 std::function<void(cv1::ListStatementsRequest&)> mutate) {
    cases.push_back(Case{
        "ListStatements", std::move(what), Code::INVALID_ARGUMENT,
        std::move(names), "INVALID_FIELD",
        OnCatalog(&CS::ListStatements,
                  With(Pb<cv1::ListStatementsRequest>(R"pb(subject: "nmi")pb"),
                       std::move(mutate)))});
  };
  add("subject with a capital", "subject",
      [](auto& r) { r.set_subject("NMI"); });
  add("subject of 1 MiB", "subject", [](auto& r) { r.set_subject(MiB()); });
  add("object in another collection", "object",
      [](auto& r) { r.set_object("statements/s1"); });
  add("predicate not snake_case", "predicate",
      [](auto& r) { r.set_predicate("Commander"); });
  add("page_size -5", "page_size", [](auto& r) { r.set_page_size(-5); });
  add("page_size INT32_MAX", "page_size",
      [](auto& r) { r.set_page_size(kInt32Max); });
  add("page_token with a changed character", "page_token",
      [&world](auto& r) { r.set_page_token(Tamper(world.statements_token)); });
  add("page_token from another subject", "page_token", [&world](auto& r) {
    r.set_subject("fortin");
    r.set_page_token(world.statements_token);
  });
  add("page_token with a predicate added", "page_token", [&world](auto& r) {
    r.set_predicate("commander");
    r.set_page_token(world.statements_token);
  });
  add("page_token from ListEntities", "page_token",
      [&world](auto& r) { r.set_page_token(world.entities_token); });
  add("page_token from the timeline", "page_token",
      [&world](auto& r) { r.set_page_token(world.window_token); });
}

void AddRetractStatementCases(World& world, std::vector<Case>& cases) {
  const auto s1 = StatementUnchanged("s1", world.s1_etag, false);
  auto add = [&](std::string what, Code code, std::string names,
                 std::string reason,
                 std::function<void(cv1::RetractStatementRequest&)> mutate) {
    cases.push_back(Case{
        "RetractStatement", std::move(what), code, std::move(names),
        std::move(reason),
        OnCatalog(&CS::RetractStatement, With(Pb<cv1::RetractStatementRequest>(
                                                  R"pb(name: "statements/s1"
                                                       reason: "test")pb"),
                                              std::move(mutate))),
        s1});
  };
  const Code kInvalid = Code::INVALID_ARGUMENT;
  add("no name", kInvalid, "name", "INVALID_FIELD",
      [](auto& r) { r.clear_name(); });
  add("name of 1 MiB", kInvalid, "name", "INVALID_FIELD",
      [](auto& r) { r.set_name(MiB()); });
  add("unknown statement", Code::NOT_FOUND, "name", "NOT_FOUND",
      [](auto& r) { r.set_name("statements/nothing"); });
  add("stale etag", Code::ABORTED, "etag", "ETAG_MISMATCH",
      [](auto& r) { r.set_etag("999999"); });
  add("reason with a control character", kInvalid, "reason", "INVALID_FIELD",
      [](auto& r) { r.set_reason("because\x08"); });
  add("reason over 1 KiB", kInvalid, "reason", "INVALID_FIELD",
      [](auto& r) { r.set_reason(std::string(1025, 'r')); });
  add("reason of 1 MiB", kInvalid, "reason", "INVALID_FIELD",
      [](auto& r) { r.set_reason(MiB()); });
  add("request_id reused with another body", Code::FAILED_PRECONDITION,
      "request_id", "REQUEST_ID_REUSED",
      [](auto& r) { r.set_request_id("rid-retract"); });
  add("reason with invalid UTF-8 (transport)", Code::UNIMPLEMENTED, "", "",
      [](auto& r) { r.set_reason(kInvalidUtf8); });
  cases.push_back(Case{
      "RetractStatement", "statement already retracted",
      Code::FAILED_PRECONDITION, "statements/s-retracted", "RETRACTED",
      OnCatalog(&CS::RetractStatement,
                Pb<cv1::RetractStatementRequest>(R"pb(name: "s-retracted")pb")),
      nullptr});
}

void AddImportRecordsCases(World& world, std::vector<Case>& cases) {
  // Three good records (two entities and a statement between them) around
  // which each case puts one bad record.
  auto good = [] {
    cv1::ImportRecordsRequest batch;
    *batch.add_records() = EntityRecord("imp-a", "person", "Import A");
    *batch.add_records() = EntityRecord("imp-b", "person", "Import B");
    *batch.add_records() =
        StatementRecord("imp-s", "imp-a", "partner_of", "imp-b", "2019");
    return batch;
  };
  const auto none_written =
      AllOf({EntityAbsent("imp-a"), EntityAbsent("imp-b"),
             StatementAbsent("imp-s"), EntityAbsent("imp-bad"),
             EntityAbsent("imp-c"), StatementAbsent("imp-s2")});
  auto add = [&](std::string what, Code code, std::string names,
                 std::string reason,
                 std::function<void(cv1::ImportRecordsRequest&)> mutate) {
    cases.push_back(Case{"ImportRecords", std::move(what), code,
                         std::move(names), std::move(reason),
                         OnImport({With(good(), std::move(mutate))}),
                         none_written});
  };
  auto insert = [](cv1::ImportRecordsRequest& batch, int index,
                   cv1::ImportRecord record) {
    *batch.add_records() = std::move(record);
    for (int i = batch.records_size() - 1; i > index; --i) {
      batch.mutable_records()->SwapElements(i, i - 1);
    }
  };
  const Code kInvalid = Code::INVALID_ARGUMENT;
  const std::string kField = "INVALID_FIELD";
  add("entity with a bad kind among good records", kInvalid,
      "records[2].entity.kind", kField,
      [&](auto& b) { insert(b, 2, EntityRecord("imp-bad", "Person", "Bad")); });
  add("entity with a control character in its label", kInvalid,
      "records[1].entity.label", kField, [&](auto& b) {
        insert(b, 1, EntityRecord("imp-bad", "person", "Bad\x01"));
      });
  add("entity without a name", kInvalid, "records[3].entity.name", kField,
      [&](auto& b) { insert(b, 3, EntityRecord("", "person", "Bad")); });
  add("empty record", kInvalid, "records[1].record", kField,
      [&](auto& b) { insert(b, 1, cv1::ImportRecord()); });
  add("statement with a reversed valid_time", kInvalid,
      "records[3].statement.valid_time.edtf", kField, [&](auto& b) {
        insert(
            b, 3,
            StatementRecord("imp-bad", "imp-a", "knows", "imp-b", "2020/2019"));
      });
  add("statement whose subject does not exist", Code::NOT_FOUND,
      "records[3].statement.subject", "NOT_FOUND", [&](auto& b) {
        insert(b, 3,
               StatementRecord("imp-bad", "nobody", "knows", "imp-b", "2019"));
      });
  add("statement whose object does not exist", Code::NOT_FOUND,
      "records[0].statement.object.entity", "NOT_FOUND", [&](auto& b) {
        insert(b, 0,
               StatementRecord("imp-bad", "imp-a", "knows", "nobody", "2019"));
      });
  add("statement citing a missing source", Code::NOT_FOUND,
      "records[3].statement.sources[0].source", "NOT_FOUND", [&](auto& b) {
        insert(b, 3,
               StatementRecord("imp-bad", "imp-a", "knows", "imp-b", "2019",
                               "no-such-doc"));
      });
  add("statement citing a person", Code::FAILED_PRECONDITION,
      "records[3].statement.sources[0].source", "WRONG_KIND", [&](auto& b) {
        insert(b, 3,
               StatementRecord("imp-bad", "imp-a", "knows", "imp-b", "2019",
                               "imp-a"));
      });
  add("statement about a deleted entity", Code::FAILED_PRECONDITION,
      "records[3].statement.subject", "DELETED", [&](auto& b) {
        insert(b, 3,
               StatementRecord("imp-bad", "gone", "knows", "imp-b", "2019"));
      });
  add("entity record bringing back a deleted entity", Code::FAILED_PRECONDITION,
      "entities/gone", "DELETED", [&](auto& b) {
        insert(b, 1, EntityRecord("gone", "person", "Deleted Person"));
      });
  add("the same entity twice", kInvalid, "records[3].name", kField,
      [&](auto& b) {
        insert(b, 3, EntityRecord("imp-a", "person", "Import A again"));
      });
  add("a chain of statements ending at a missing entity", Code::NOT_FOUND,
      "records[5].statement.object.entity", "NOT_FOUND", [&](auto& b) {
        *b.add_records() = EntityRecord("imp-c", "person", "Import C");
        *b.add_records() =
            StatementRecord("imp-s2", "imp-b", "knows", "imp-c", "2019");
        *b.add_records() =
            StatementRecord("imp-bad", "imp-c", "knows", "imp-d", "2019");
      });
  add("10001 records", kInvalid, "records", kField, [](auto& b) {
    for (int i = 0; i < 10001 - 3; ++i) {
      *b.add_records() =
          EntityRecord(absl::StrCat("imp-many-", i), "person", "Many");
    }
  });
  add("request_id with a space", kInvalid, "request_id", kField,
      [](auto& b) { b.set_request_id("a b"); });
  add("unknown error_mode", kInvalid, "error_mode", kField,
      [](auto& b) { b.set_error_mode(static_cast<cv1::ImportErrorMode>(9)); });
  add("request_id reused with another body", Code::FAILED_PRECONDITION,
      "request_id", "REQUEST_ID_REUSED",
      [](auto& b) { b.set_request_id("rid-import"); });
  add("validate_only with a bad record", kInvalid,
      "records[0].statement.predicate", kField, [&](auto& b) {
        b.set_validate_only(true);
        insert(b, 0,
               StatementRecord("imp-bad", "imp-a", "Knows", "imp-b", "2019"));
      });
  add("label with invalid UTF-8", kInvalid, "records[1].entity.label", kField,
      [&](auto& b) {
        insert(b, 1, EntityRecord("imp-bad", "person", kInvalidUtf8));
      });
  add("alias with invalid UTF-8", kInvalid, "records[0].entity.aliases[1]",
      kField, [&](auto& b) {
        cv1::ImportRecord record = EntityRecord("imp-bad", "person", "Bad");
        record.mutable_entity()->add_aliases("fine");
        record.mutable_entity()->add_aliases(kInvalidUtf8);
        insert(b, 0, std::move(record));
      });
  add("statement text with invalid UTF-8", kInvalid,
      "records[2].statement.object.text", kField, [&](auto& b) {
        cv1::ImportRecord record =
            StatementRecord("imp-bad", "imp-a", "motto", "imp-b", "2019");
        record.mutable_statement()->mutable_object()->set_text(kInvalidUtf8);
        insert(b, 2, std::move(record));
      });

  // A good batch, then a bad one: the first stays committed (one change),
  // the second and everything after it are not.
  cv1::ImportRecordsRequest first;
  *first.add_records() = EntityRecord("imp-first", "person", "First batch");
  cv1::ImportRecordsRequest second = good();
  insert(second, 1, EntityRecord("imp-bad", "person", kInvalidUtf8));
  cv1::ImportRecordsRequest third;
  *third.add_records() = EntityRecord("imp-third", "person", "Third batch");
  cases.push_back(
      Case{"ImportRecords", "second batch with invalid UTF-8, then a good one",
           kInvalid, "records[1].entity.label", kField,
           OnImport({first, second, third}),
           AllOf({none_written, EntityAbsent("imp-third"),
                  [](World& world) {
                    cv1::Entity entity;
                    EXPECT_OK(world.GetEntity("imp-first", &entity));
                  }}),
           /*head_delta=*/1});
  cases.push_back(Case{
      "ImportRecords", "batch over the maximum message size (transport)",
      Code::RESOURCE_EXHAUSTED, "", "",
      OnImport({With(good(),
                     [](auto& b) {
                       b.mutable_records(0)->mutable_entity()->set_description(
                           OverMaxMessage());
                     })}),
      none_written});
}

void AddWatchChangesCases(World& world, std::vector<Case>& cases) {
  cases.push_back(Case{"WatchChanges", "after_sequence -1",
                       Code::INVALID_ARGUMENT, "after_sequence",
                       "INVALID_FIELD", OnWatch(-1)});
  cases.push_back(Case{"WatchChanges", "after_sequence INT64_MIN",
                       Code::INVALID_ARGUMENT, "after_sequence",
                       "INVALID_FIELD", OnWatch(kInt64Min)});
}

// ---------------------------------------------------------------------------
// The timeline's cases.

// Days that are not one exact day.
const std::vector<std::string>& BadDays() {
  static const auto* days =
      new std::vector<std::string>{"2018-02-30",
                                   "-0000-01-01",
                                   "2500001-01-01",
                                   "2018-13-01",
                                   "2018-00-10",
                                   "2018",
                                   "2018-10",
                                   "2018-10-XX",
                                   "2018-10-01?",
                                   "..",
                                   "2018-10-01/2019-01-01",
                                   " 2018-10-01",
                                   "2018-10-01T00:00",
                                   "20181001",
                                   "2018-1-1"};
  return *days;
}

google::protobuf::Timestamp Time(int64_t seconds, int32_t nanos = 0) {
  google::protobuf::Timestamp t;
  t.set_seconds(seconds);
  t.set_nanos(nanos);
  return t;
}

// known_at values that are not timestamps, and the case name of each.
const std::vector<std::pair<std::string, google::protobuf::Timestamp>>&
BadKnownAt() {
  static const auto* times =
      new std::vector<std::pair<std::string, google::protobuf::Timestamp>>{
          {"known_at before year 1", Time(-62135596801)},
          {"known_at after year 9999", Time(253402300800)},
          {"known_at with negative nanos", Time(1600000000, -1)},
          {"known_at with nanos of a whole second",
           Time(1600000000, 1000000000)},
          {"known_at INT64_MIN seconds", Time(kInt64Min)}};
  return *times;
}

void AddGetSnapshotCases(World& world, std::vector<Case>& cases) {
  auto add = [&](std::string what, Code code, std::string names,
                 std::function<void(tv1::GetSnapshotRequest&)> mutate,
                 absl::Duration timeout = kCallTimeout) {
    cases.push_back(Case{
        "GetSnapshot", std::move(what), code, std::move(names), "",
        OnTimeline(&TS::GetSnapshot,
                   With(Pb<tv1::GetSnapshotRequest>(R"pb(entity: "nmi"
                                                         at: "2019-01-01")pb"),
                        std::move(mutate)),
                   timeout)});
  };
  const Code kInvalid = Code::INVALID_ARGUMENT;
  add("no entity", kInvalid, "entity", [](auto& r) { r.clear_entity(); });
  add("entity with a capital", kInvalid, "entity",
      [](auto& r) { r.set_entity("NMI"); });
  add("entity in another collection", kInvalid, "entity",
      [](auto& r) { r.set_entity("statements/s1"); });
  add("entity of 1 MiB", kInvalid, "entity",
      [](auto& r) { r.set_entity(MiB()); });
  add("unknown entity", Code::NOT_FOUND, "entity",
      [](auto& r) { r.set_entity("nobody"); });
  add("entity recorded after known_at", Code::NOT_FOUND, "entity",
      [](auto& r) { *r.mutable_known_at() = Time(1); });
  add("no day", kInvalid, "at", [](auto& r) { r.clear_at(); });
  for (const std::string& day : BadDays()) {
    add(absl::StrCat("at \"", day, "\""), kInvalid, "at",
        [day](auto& r) { r.set_at(day); });
  }
  add("at of 1 MiB", kInvalid, "at", [](auto& r) { r.set_at(MiB('1')); });
  for (const auto& [what, time] : BadKnownAt()) {
    add(what, kInvalid, "known_at",
        [time = time](auto& r) { *r.mutable_known_at() = time; });
  }
  add("min_sequence -1", kInvalid, "min_sequence",
      [](auto& r) { r.set_min_sequence(-1); });
  add(
      "min_sequence never reached", Code::UNAVAILABLE, "min_sequence",
      [](auto& r) { r.set_min_sequence(kInt64Max); }, kWaitTimeout);
  add("request over the maximum message size (transport)",
      Code::RESOURCE_EXHAUSTED, "",
      [](auto& r) { r.set_predicate(OverMaxMessage()); });
  add("at with invalid UTF-8 (transport)", Code::UNIMPLEMENTED, "",
      [](auto& r) { r.set_at(kInvalidUtf8); });
}

void AddBatchGetSnapshotsCases(World& world, std::vector<Case>& cases) {
  auto add = [&](std::string what, Code code, std::string names,
                 std::function<void(tv1::BatchGetSnapshotsRequest&)> mutate,
                 absl::Duration timeout = kCallTimeout) {
    cases.push_back(Case{
        "BatchGetSnapshots", std::move(what), code, std::move(names), "",
        OnTimeline(
            &TS::BatchGetSnapshots,
            With(Pb<tv1::BatchGetSnapshotsRequest>(
                     R"pb(requests { entity: "nmi" at: "2019-01-01" }
                          requests { entity: "fortin" at: "2019-01-01" }
                          requests { entity: "doc" at: "2019-01-01" })pb"),
                 std::move(mutate)),
            timeout)});
  };
  const Code kInvalid = Code::INVALID_ARGUMENT;
  add("1001 lookups", kInvalid, "requests", [](auto& r) {
    while (r.requests_size() < 1001) *r.add_requests() = r.requests(0);
  });
  add("second lookup with a bad entity", kInvalid, "requests[1].entity",
      [](auto& r) { r.mutable_requests(1)->set_entity("Fortin"); });
  add("third lookup with a bad day", kInvalid, "requests[2].at",
      [](auto& r) { r.mutable_requests(2)->set_at("2019-02-29"); });
  add("lookup with its own min_sequence", kInvalid, "requests[0].min_sequence",
      [](auto& r) { r.mutable_requests(0)->set_min_sequence(1); });
  add("lookup of an unknown entity", Code::NOT_FOUND, "requests[1].entity",
      [](auto& r) { r.mutable_requests(1)->set_entity("nobody"); });
  add("lookup with a bad known_at", kInvalid, "requests[2].known_at",
      [](auto& r) {
        *r.mutable_requests(2)->mutable_known_at() = Time(0, -5);
      });
  add("lookup with an entity of 1 MiB", kInvalid, "requests[0].entity",
      [](auto& r) { r.mutable_requests(0)->set_entity(MiB()); });
  add("min_sequence -1", kInvalid, "min_sequence",
      [](auto& r) { r.set_min_sequence(-1); });
  add(
      "min_sequence never reached", Code::UNAVAILABLE, "min_sequence",
      [](auto& r) { r.set_min_sequence(kFarSequence); }, kWaitTimeout);
}

// What ends a StreamSnapshots stream; a lookup's own failure is its result
// and does not (timeline_service_test.cc checks those).
void AddStreamSnapshotsCases(World& world, std::vector<Case>& cases) {
  auto add = [&](std::string what, Code code, std::string names,
                 std::function<void(tv1::StreamSnapshotsRequest&)> mutate,
                 absl::Duration timeout = kCallTimeout) {
    const tv1::StreamSnapshotsRequest good = Pb<tv1::StreamSnapshotsRequest>(
        R"pb(tag: 1
             requests { entity: "nmi" at: "2019-01-01" }
             requests { entity: "fortin" at: "2019-01-01" })pb");
    // A good message first: its answer comes before the error.
    cases.push_back(
        Case{"StreamSnapshots", std::move(what), code, std::move(names), "",
             OnSnapshotStream({good, With(good, std::move(mutate))}, timeout)});
  };
  const Code kInvalid = Code::INVALID_ARGUMENT;
  add("1001 lookups in a message", kInvalid, "requests", [](auto& r) {
    while (r.requests_size() < 1001) *r.add_requests() = r.requests(0);
  });
  add("lookup with its own min_sequence", kInvalid, "requests[1].min_sequence",
      [](auto& r) { r.mutable_requests(1)->set_min_sequence(1); });
  add("min_sequence -1", kInvalid, "min_sequence",
      [](auto& r) { r.set_min_sequence(-1); });
  add(
      "min_sequence never reached", Code::UNAVAILABLE, "min_sequence",
      [](auto& r) { r.set_min_sequence(kFarSequence); }, kWaitTimeout);
  add("message over the maximum message size (transport)",
      Code::RESOURCE_EXHAUSTED, "",
      [](auto& r) { r.mutable_requests(0)->set_predicate(OverMaxMessage()); });
}

void AddListHistoryCases(World& world, std::vector<Case>& cases) {
  auto add = [&](std::string what, Code code, std::string names,
                 std::function<void(tv1::ListHistoryRequest&)> mutate,
                 absl::Duration timeout = kCallTimeout) {
    cases.push_back(Case{
        "ListHistory", std::move(what), code, std::move(names), "",
        OnTimeline(&TS::ListHistory,
                   With(Pb<tv1::ListHistoryRequest>(R"pb(entity: "nmi"
                                                         page_size: 1)pb"),
                        std::move(mutate)),
                   timeout)});
  };
  const Code kInvalid = Code::INVALID_ARGUMENT;
  add("no entity", kInvalid, "entity", [](auto& r) { r.clear_entity(); });
  add("entity of 1 MiB", kInvalid, "entity",
      [](auto& r) { r.set_entity(MiB()); });
  add("unknown entity", Code::NOT_FOUND, "entity",
      [](auto& r) { r.set_entity("entities/nobody"); });
  add("page_size -1", kInvalid, "page_size",
      [](auto& r) { r.set_page_size(-1); });
  add("page_size 1001", kInvalid, "page_size",
      [](auto& r) { r.set_page_size(1001); });
  add("page_size INT32_MIN", kInvalid, "page_size",
      [](auto& r) { r.set_page_size(kInt32Min); });
  add("page_token with a changed character", kInvalid, "page_token",
      [&world](auto& r) { r.set_page_token(Tamper(world.history_token)); });
  add("page_token for another predicate", kInvalid, "page_token",
      [&world](auto& r) {
        r.set_predicate("commander");
        r.set_page_token(world.history_token);
      });
  add("page_token for another entity", kInvalid, "page_token",
      [&world](auto& r) {
        r.set_entity("fortin");
        r.set_page_token(world.history_token);
      });
  add("page_token for another known_at", kInvalid, "page_token",
      [&world](auto& r) {
        *r.mutable_known_at() = Time(4000000000);
        r.set_page_token(world.history_token);
      });
  add("page_token from QueryWindow", kInvalid, "page_token",
      [&world](auto& r) { r.set_page_token(world.window_token); });
  add("page_token from the catalog", kInvalid, "page_token",
      [&world](auto& r) { r.set_page_token(world.statements_token); });
  add("page_token of base64 garbage", kInvalid, "page_token", [](auto& r) {
    r.set_page_token(absl::WebSafeBase64Escape(std::string(40, '\xff')));
  });
  add("page_token of 1 MiB", kInvalid, "page_token",
      [](auto& r) { r.set_page_token(MiB('A')); });
  add("known_at after year 9999", kInvalid, "known_at",
      [](auto& r) { *r.mutable_known_at() = Time(253402300800); });
  add("min_sequence INT64_MIN", kInvalid, "min_sequence",
      [](auto& r) { r.set_min_sequence(kInt64Min); });
  add(
      "min_sequence never reached", Code::UNAVAILABLE, "min_sequence",
      [](auto& r) { r.set_min_sequence(kFarSequence); }, kWaitTimeout);
}

void AddQueryWindowCases(World& world, std::vector<Case>& cases) {
  auto add = [&](std::string what, Code code, std::string names,
                 std::function<void(tv1::QueryWindowRequest&)> mutate,
                 absl::Duration timeout = kCallTimeout) {
    cases.push_back(Case{"QueryWindow", std::move(what), code, std::move(names),
                         "",
                         OnTimeline(&TS::QueryWindow,
                                    With(Pb<tv1::QueryWindowRequest>(
                                             R"pb(from: "2018-01-01"
                                                  to: "2025-01-01"
                                                  page_size: 1)pb"),
                                         std::move(mutate)),
                                    timeout)});
  };
  const Code kInvalid = Code::INVALID_ARGUMENT;
  add("from \"2018-02-30\"", kInvalid, "from",
      [](auto& r) { r.set_from("2018-02-30"); });
  add("from a qualified month", kInvalid, "from",
      [](auto& r) { r.set_from("2018-10~"); });
  add("from of 1 MiB", kInvalid, "from", [](auto& r) { r.set_from(MiB('2')); });
  add("to \"2018-13-01\"", kInvalid, "to",
      [](auto& r) { r.set_to("2018-13-01"); });
  add("to \"../..\"", kInvalid, "to", [](auto& r) { r.set_to("../.."); });
  add("to of 1 MiB with from unbounded", kInvalid, "to", [](auto& r) {
    r.clear_from();
    r.set_to(MiB('9'));
  });
  add("reversed window", kInvalid, "to", [](auto& r) {
    r.set_from("2020-01-01");
    r.set_to("2019-01-01");
  });
  add("window ending the day before it starts", kInvalid, "to", [](auto& r) {
    r.set_from("2020-01-01");
    r.set_to("2019-12-31");
  });
  add("item_type 99", kInvalid, "item_type",
      [](auto& r) { r.set_item_type(static_cast<tv1::ItemType>(99)); });
  add("entity with a space", kInvalid, "entity",
      [](auto& r) { r.set_entity("n m i"); });
  add("unknown entity", Code::NOT_FOUND, "entity",
      [](auto& r) { r.set_entity("nobody"); });
  add("page_size 1001", kInvalid, "page_size",
      [](auto& r) { r.set_page_size(1001); });
  add("page_size -7", kInvalid, "page_size",
      [](auto& r) { r.set_page_size(-7); });
  add("page_token with a changed character", kInvalid, "page_token",
      [&world](auto& r) { r.set_page_token(Tamper(world.window_token)); });
  add("page_token for another window", kInvalid, "page_token",
      [&world](auto& r) {
        r.set_from("2018-01-02");
        r.set_page_token(world.window_token);
      });
  add("page_token for another item_type", kInvalid, "page_token",
      [&world](auto& r) {
        r.set_item_type(tv1::ITEM_TYPE_STATEMENT);
        r.set_page_token(world.window_token);
      });
  add("page_token from ListHistory", kInvalid, "page_token",
      [&world](auto& r) { r.set_page_token(world.history_token); });
  add("known_at with negative nanos", kInvalid, "known_at",
      [](auto& r) { *r.mutable_known_at() = Time(1600000000, -1); });
  add(
      "min_sequence never reached", Code::UNAVAILABLE, "min_sequence",
      [](auto& r) { r.set_min_sequence(kFarSequence); }, kWaitTimeout);
}

void AddRelateCases(World& world, std::vector<Case>& cases) {
  auto add = [&](std::string what, Code code, std::string names,
                 std::function<void(tv1::RelateRequest&)> mutate,
                 absl::Duration timeout = kCallTimeout) {
    cases.push_back(Case{
        "Relate", std::move(what), code, std::move(names), "",
        OnTimeline(&TS::Relate,
                   With(Pb<tv1::RelateRequest>(R"pb(a { lifespan: "nmi" }
                                                    b { statement: "s1" })pb"),
                        std::move(mutate)),
                   timeout)});
  };
  const Code kInvalid = Code::INVALID_ARGUMENT;
  add("no a", kInvalid, "a", [](auto& r) { r.clear_a(); });
  add("no b", kInvalid, "b", [](auto& r) { r.clear_b(); });
  for (const std::string& edtf : BadEdtf()) {
    add(absl::StrCat("a.edtf \"", absl::CEscape(edtf), "\""), kInvalid,
        "a.edtf", [edtf](auto& r) { r.mutable_a()->set_edtf(edtf); });
  }
  add("b.edtf empty", kInvalid, "b.edtf",
      [](auto& r) { r.mutable_b()->set_edtf(""); });
  add("a.edtf of 1 MiB", kInvalid, "a.edtf",
      [](auto& r) { r.mutable_a()->set_edtf(MiB('1')); });
  add("a.lifespan of an unknown entity", Code::NOT_FOUND, "a.lifespan",
      [](auto& r) { r.mutable_a()->set_lifespan("nobody"); });
  add("a.lifespan of 1 MiB", kInvalid, "a.lifespan",
      [](auto& r) { r.mutable_a()->set_lifespan(MiB()); });
  add("a.lifespan of an entity without one", Code::FAILED_PRECONDITION,
      "a.lifespan", [](auto& r) { r.mutable_a()->set_lifespan("fortin"); });
  add("b.statement unknown", Code::NOT_FOUND, "b.statement",
      [](auto& r) { r.mutable_b()->set_statement("statements/nothing"); });
  add("b.statement retracted", Code::FAILED_PRECONDITION, "b.statement",
      [](auto& r) { r.mutable_b()->set_statement("s-retracted"); });
  add("b.statement naming an entity", kInvalid, "b.statement",
      [](auto& r) { r.mutable_b()->set_statement("entities/nmi"); });
  add("min_sequence -1", kInvalid, "min_sequence",
      [](auto& r) { r.set_min_sequence(-1); });
  add("known_at after year 9999", kInvalid, "known_at",
      [](auto& r) { *r.mutable_known_at() = Time(253402300800); });
  add(
      "min_sequence never reached", Code::UNAVAILABLE, "min_sequence",
      [](auto& r) { r.set_min_sequence(kFarSequence); }, kWaitTimeout);
}

void AddFindGapsCases(World& world, std::vector<Case>& cases) {
  auto add = [&](std::string what, Code code, std::string names,
                 std::function<void(tv1::FindGapsRequest&)> mutate,
                 absl::Duration timeout = kCallTimeout) {
    cases.push_back(Case{"FindGaps", std::move(what), code, std::move(names),
                         "",
                         OnTimeline(&TS::FindGaps,
                                    With(Pb<tv1::FindGapsRequest>(
                                             R"pb(subject: "nmi"
                                                  predicate: "commander"
                                                  from: "2018-10-01"
                                                  to: "2021-01-01")pb"),
                                         std::move(mutate)),
                                    timeout)});
  };
  const Code kInvalid = Code::INVALID_ARGUMENT;
  add("no subject", kInvalid, "subject", [](auto& r) { r.clear_subject(); });
  add("subject of 1 MiB", kInvalid, "subject",
      [](auto& r) { r.set_subject(MiB()); });
  add("unknown subject", Code::NOT_FOUND, "subject",
      [](auto& r) { r.set_subject("nobody"); });
  add("from \"2018-00-10\"", kInvalid, "from",
      [](auto& r) { r.set_from("2018-00-10"); });
  add("to \"2019-02-29\"", kInvalid, "to",
      [](auto& r) { r.set_to("2019-02-29"); });
  add("reversed window", kInvalid, "to", [](auto& r) {
    r.set_from("2021-01-01");
    r.set_to("2018-01-01");
  });
  add("known_at INT64_MIN seconds", kInvalid, "known_at",
      [](auto& r) { *r.mutable_known_at() = Time(kInt64Min); });
  add("min_sequence -1", kInvalid, "min_sequence",
      [](auto& r) { r.set_min_sequence(-1); });
  add(
      "min_sequence never reached", Code::UNAVAILABLE, "min_sequence",
      [](auto& r) { r.set_min_sequence(kFarSequence); }, kWaitTimeout);
}

void AddCountActiveCases(World& world, std::vector<Case>& cases) {
  auto add = [&](std::string what, Code code, std::string names,
                 std::function<void(tv1::CountActiveRequest&)> mutate,
                 absl::Duration timeout = kCallTimeout) {
    cases.push_back(Case{"CountActive", std::move(what), code, std::move(names),
                         "",
                         OnTimeline(&TS::CountActive,
                                    With(Pb<tv1::CountActiveRequest>(
                                             R"pb(bucket: BUCKET_YEAR
                                                  from: "2018-01-01"
                                                  to: "2025-01-01")pb"),
                                         std::move(mutate)),
                                    timeout)});
  };
  const Code kInvalid = Code::INVALID_ARGUMENT;
  add("no bucket", kInvalid, "bucket", [](auto& r) { r.clear_bucket(); });
  add("bucket 7", kInvalid, "bucket",
      [](auto& r) { r.set_bucket(static_cast<tv1::Bucket>(7)); });
  add("no from", kInvalid, "from", [](auto& r) { r.clear_from(); });
  add("no to", kInvalid, "to", [](auto& r) { r.clear_to(); });
  add("from \"10000-01-01\"", kInvalid, "from",
      [](auto& r) { r.set_from("10000-01-01"); });
  add("reversed window", kInvalid, "to", [](auto& r) {
    r.set_from("2025-01-01");
    r.set_to("2018-01-01");
  });
  add("9999 years of months", kInvalid, "to", [](auto& r) {
    r.set_bucket(tv1::BUCKET_MONTH);
    r.set_from("0001-01-01");
    r.set_to("9999-12-31");
  });
  add("9999 years", kInvalid, "to", [](auto& r) {
    r.set_from("0001-01-01");
    r.set_to("9999-12-31");
  });
  add("item_type -1", kInvalid, "item_type",
      [](auto& r) { r.set_item_type(static_cast<tv1::ItemType>(-1)); });
  add("unknown entity", Code::NOT_FOUND, "entity",
      [](auto& r) { r.set_entity("nobody"); });
  add("entity of 1 MiB", kInvalid, "entity",
      [](auto& r) { r.set_entity(MiB()); });
  add(
      "min_sequence never reached", Code::UNAVAILABLE, "min_sequence",
      [](auto& r) { r.set_min_sequence(kFarSequence); }, kWaitTimeout);
}

std::vector<Case> CatalogCases(World& world) {
  std::vector<Case> cases;
  AddCreateEntityCases(world, cases);
  AddGetEntityCases(world, cases);
  AddListEntitiesCases(world, cases);
  AddUpdateEntityCases(world, cases);
  AddDeleteEntityCases(world, cases);
  AddCreateStatementCases(world, cases);
  AddGetStatementCases(world, cases);
  AddListStatementsCases(world, cases);
  AddRetractStatementCases(world, cases);
  AddImportRecordsCases(world, cases);
  AddWatchChangesCases(world, cases);
  return cases;
}

std::vector<Case> TimelineCases(World& world) {
  std::vector<Case> cases;
  AddGetSnapshotCases(world, cases);
  AddBatchGetSnapshotsCases(world, cases);
  AddStreamSnapshotsCases(world, cases);
  AddListHistoryCases(world, cases);
  AddQueryWindowCases(world, cases);
  AddRelateCases(world, cases);
  AddFindGapsCases(world, cases);
  AddCountActiveCases(world, cases);
  return cases;
}

// ---------------------------------------------------------------------------
// Running the cases.

void RunCase(World& world, const Case& c) {
  SCOPED_TRACE(absl::StrCat(c.rpc, ": ", c.what));
  const int64_t before = world.Head();
  ASSERT_GE(before, 0);
  const grpc::Status status = c.call(world);
  EXPECT_EQ(status.error_code(), c.code)
      << "got " << status.error_code() << ": " << status.error_message();
  EXPECT_LE(status.error_message().size(), kMaxMessageLength);
  if (!c.names.empty()) {
    EXPECT_THAT(status.error_message(), HasSubstr(c.names));
    const absl::Status error = FromGrpcStatus(status);
    const std::vector<std::string> fields = ViolatedFields(error);
    if (c.code == Code::INVALID_ARGUMENT || !fields.empty()) {
      EXPECT_THAT(fields, ElementsAre(c.names));
    }
    if (!c.reason.empty()) {
      EXPECT_EQ(ErrorReason(error), c.reason);
    }
  }
  EXPECT_EQ(world.Head(), before + c.head_delta)
      << "the catalog committed something";
  if (c.unchanged) c.unchanged(world);
}

// Serializing invalid UTF-8 makes protobuf log an error on the client side;
// those cases send it on purpose.
void QuietUtf8Warnings(google::protobuf::LogLevel level, const char* filename,
                       int line, const std::string& message) {
  if (message.find("invalid UTF-8") != std::string::npos) return;
  std::cerr << "[libprotobuf " << filename << ":" << line << "] " << message
            << std::endl;
}

class BadInputMatrixTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    google::protobuf::SetLogHandler(&QuietUtf8Warnings);
    world_ = new World();
    world_->Start();
  }
  static void TearDownTestSuite() {
    delete world_;
    world_ = nullptr;
  }
  void SetUp() override {
    ASSERT_FALSE(HasFailure());
    ASSERT_NE(world_, nullptr);
  }

  static World* world_;
};

World* BadInputMatrixTest::world_ = nullptr;

TEST_F(BadInputMatrixTest, CoversEveryRpcOfBothServicesWithAtLeast100Cases) {
  const std::vector<Case> catalog = CatalogCases(*world_);
  const std::vector<Case> timeline = TimelineCases(*world_);
  std::map<std::string, int> per_rpc;
  int transport = 0;
  for (const std::vector<Case>* cases : {&catalog, &timeline}) {
    for (const Case& c : *cases) {
      ++per_rpc[c.rpc];
      if (c.names.empty()) ++transport;
    }
  }
  for (const char* service : {cv1::CatalogService::service_full_name(),
                              tv1::TimelineService::service_full_name()}) {
    const google::protobuf::ServiceDescriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            service);
    ASSERT_NE(descriptor, nullptr) << service;
    for (int i = 0; i < descriptor->method_count(); ++i) {
      const std::string& method = descriptor->method(i)->name();
      EXPECT_GE(per_rpc[method], 2)
          << service << "." << method << " has too few hostile cases";
    }
  }
  const size_t total = catalog.size() + timeline.size();
  std::cout << "bad-input matrix: " << total << " cases (catalog "
            << catalog.size() << ", timeline " << timeline.size() << "; "
            << transport << " rejected by gRPC before the handler) over "
            << per_rpc.size() << " RPCs" << std::endl;
  for (const auto& [rpc, count] : per_rpc) {
    std::cout << "  " << rpc << ": " << count << std::endl;
  }
  EXPECT_GE(total, 100u);
}

TEST_F(BadInputMatrixTest, CatalogRejectsEachHostileRequestAndWritesNothing) {
  for (const Case& c : CatalogCases(*world_)) RunCase(*world_, c);
}

TEST_F(BadInputMatrixTest, TimelineRejectsEachHostileRequest) {
  for (const Case& c : TimelineCases(*world_)) RunCase(*world_, c);
}

// Edge values that are accepted, on purpose, with the answer they get.

TEST_F(BadInputMatrixTest, KnownAtInTheFutureAnswersAsOfNow) {
  tv1::GetSnapshotRequest request =
      Pb<tv1::GetSnapshotRequest>(R"pb(entity: "nmi" at: "2019-01-01")pb");
  tv1::GetSnapshotResponse now;
  {
    grpc::ClientContext context;
    SetDeadline(context, kCallTimeout);
    ASSERT_OK(world_->timeline().GetSnapshot(&context, request, &now));
  }
  *request.mutable_known_at() = Time(253402300799);  // 9999-12-31T23:59:59
  tv1::GetSnapshotResponse future;
  {
    grpc::ClientContext context;
    SetDeadline(context, kCallTimeout);
    ASSERT_OK(world_->timeline().GetSnapshot(&context, request, &future));
  }
  EXPECT_TRUE(MessageDifferencer::Equals(future, now))
      << future.DebugString() << "\nversus now:\n"
      << now.DebugString();
  EXPECT_GE(now.statements_size(), 1);  // Fortin commanded on 2019-01-01
}

TEST_F(BadInputMatrixTest, RetryWithTheSameRequestIdAndBodyWritesNothing) {
  const int64_t before = world_->Head();
  ASSERT_OK(
      OnCatalog(&CS::DeleteEntity,
                Pb<cv1::DeleteEntityRequest>(
                    R"pb(name: "gone" request_id: "rid-delete")pb"))(*world_));
  EXPECT_EQ(world_->Head(), before);
}

TEST_F(BadInputMatrixTest, WatchFromBeyondTheHeadReportsTheHeadThenWaits) {
  // A follower ahead of the catalog (one that followed another history)
  // learns the real head from the first message and can stop.
  const int64_t head = world_->Head();
  for (int64_t after : {head + 1, kInt64Max}) {
    grpc::ClientContext context;
    SetDeadline(context, absl::Milliseconds(500));
    cv1::WatchChangesRequest request;
    request.set_after_sequence(after);
    auto reader = world_->catalog().WatchChanges(&context, request);
    cv1::WatchChangesResponse message;
    ASSERT_TRUE(reader->Read(&message)) << after;
    EXPECT_EQ(message.head_sequence(), head);
    EXPECT_EQ(message.changes_size(), 0);
    EXPECT_FALSE(reader->Read(&message)) << "a change after " << after;
    EXPECT_EQ(reader->Finish().error_code(), Code::DEADLINE_EXCEEDED);
  }
}

}  // namespace
}  // namespace annals
