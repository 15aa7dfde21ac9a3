// Fuzzes the catalog's request validation (services/catalog/validation.h).
//
// The first byte picks a request message, the rest is that message in the
// protobuf wire format, decoded as gRPC would decode it off the network.
// Validation is called on its fields as Catalog does. It must not crash,
// every error must be INVALID_ARGUMENT naming a field under the path it was
// given (and survive the trip to a grpc::Status), and normalization must be
// idempotent: a normalized entity or statement normalizes to itself.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "annals/catalog/v1/catalog_service.pb.h"
#include "annals/catalog/v1/resources.pb.h"
#include "google/protobuf/stubs/common.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/catalog/validation.h"
#include "services/common/status/errors.h"
#include "services/common/status/grpc_status.h"
#include "services/common/types/extent_proto.h"
#include "tests/fuzz/fuzz_check.h"

namespace annals::catalog {
namespace {

using ::google::protobuf::util::MessageDifferencer;

// An error from a validator called with `field`: INVALID_ARGUMENT, whose
// message and BadRequest violation name a field under `field`.
void CheckError(const absl::Status& status, absl::string_view field) {
  FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  FUZZ_CHECK(absl::StartsWith(status.message(), field));
  const std::vector<std::string> fields = ViolatedFields(status);
  FUZZ_CHECK(fields.size() == 1);
  FUZZ_CHECK(absl::StartsWith(fields[0], field));
  const grpc::Status wire = ToGrpcStatus(status);
  FUZZ_CHECK(wire.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  FUZZ_CHECK(FromGrpcStatus(wire).code() == status.code());
}

void Check(const absl::Status& status, absl::string_view field) {
  if (!status.ok()) CheckError(status, field);
}

// A valid name's id is valid and names the same resource in full form.
void CheckEntityName(absl::string_view field, absl::string_view name) {
  absl::StatusOr<std::string> id = ParseEntityName(field, name);
  if (!id.ok()) return CheckError(id.status(), field);
  FUZZ_CHECK(IsValidId(*id));
  FUZZ_CHECK(ValidateId(field, *id).ok());
  absl::StatusOr<std::string> again = ParseEntityName(field, EntityName(*id));
  FUZZ_CHECK(again.ok() && *again == *id);
}

void CheckStatementName(absl::string_view field, absl::string_view name) {
  absl::StatusOr<std::string> id = ParseStatementName(field, name);
  if (!id.ok()) return CheckError(id.status(), field);
  FUZZ_CHECK(IsValidId(*id));
  absl::StatusOr<std::string> again =
      ParseStatementName(field, StatementName(*id));
  FUZZ_CHECK(again.ok() && *again == *id);
}

// A normalized extent is canonical: parsing its text gives it back.
void CheckCanonicalExtent(const type::v1::Extent& extent) {
  absl::StatusOr<type::v1::Extent> parsed = ParseExtentProto(extent.edtf());
  FUZZ_CHECK(parsed.ok());
  FUZZ_CHECK(MessageDifferencer::Equals(*parsed, extent));
}

void CheckEntity(absl::string_view field, const v1::Entity& entity) {
  absl::StatusOr<v1::Entity> normalized = NormalizeEntity(field, entity);
  if (!normalized.ok()) return CheckError(normalized.status(), field);
  FUZZ_CHECK(IsValidKind(normalized->kind()));
  FUZZ_CHECK(!normalized->has_create_time() && !normalized->has_delete_time());
  if (normalized->has_lifespan()) CheckCanonicalExtent(normalized->lifespan());
  absl::StatusOr<v1::Entity> again = NormalizeEntity(field, *normalized);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(MessageDifferencer::Equals(*again, *normalized));
}

void CheckStatement(absl::string_view field, const v1::Statement& statement) {
  absl::StatusOr<v1::Statement> normalized =
      NormalizeStatement(field, statement);
  if (!normalized.ok()) return CheckError(normalized.status(), field);
  FUZZ_CHECK(absl::StartsWith(normalized->subject(), kEntityCollection));
  FUZZ_CHECK(IsValidPredicate(normalized->predicate()));
  if (normalized->object().has_entity()) {
    FUZZ_CHECK(
        absl::StartsWith(normalized->object().entity(), kEntityCollection));
  }
  FUZZ_CHECK(normalized->has_valid_time());
  CheckCanonicalExtent(normalized->valid_time());
  FUZZ_CHECK(normalized->sources_size() <= statement.sources_size());
  absl::StatusOr<v1::Statement> again = NormalizeStatement(field, *normalized);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(MessageDifferencer::Equals(*again, *normalized));
}

void CheckPageSize(int32_t page_size) {
  for (int max : {kMaxPageSize, 10, 1}) {
    absl::StatusOr<int> size = ValidatePageSize("page_size", page_size, max);
    if (!size.ok()) {
      CheckError(size.status(), "page_size");
      continue;
    }
    FUZZ_CHECK(*size >= 1 && *size <= max);
  }
}

// One request type per selector value; the rest of the input is the
// request's wire format. Undecodable bytes are rejected as gRPC would.
template <typename Request>
bool Decode(absl::string_view bytes, Request* request) {
  return request->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

// Raw text where requests carry strings. Protobuf's decoder already rejects
// invalid UTF-8 in string fields, so this is how the validators' own UTF-8
// and control-character checks see arbitrary bytes (from callers that fill
// messages in C++).
void FuzzText(absl::string_view text) {
  // The catalog's UTF-8 check agrees with protobuf's, which decides what a
  // string field may carry on the wire.
  FUZZ_CHECK(IsValidUtf8(text) ==
             google::protobuf::internal::IsStructurallyValidUTF8(
                 text.data(), static_cast<int>(text.size())));
  Check(ValidateLine("label", text, kMaxLabelLength, /*required=*/true),
        "label");
  Check(ValidateRequestId("request_id", text), "request_id");
  Check(ValidateId("entity_id", text), "entity_id");
  CheckEntityName("name", text);
  CheckStatementName("name", text);
  IsValidKind(text);
  IsValidPredicate(text);
  v1::Entity entity;
  entity.set_kind("mission");
  entity.set_label(std::string(text));
  entity.add_aliases(std::string(text));
  entity.set_description(std::string(text));
  CheckEntity("entity.", entity);
  v1::Statement statement;
  statement.set_subject("entities/nmi");
  statement.set_predicate("name");
  statement.mutable_object()->set_text(std::string(text));
  statement.mutable_valid_time()->set_edtf(std::string(text));
  CheckStatement("statement.", statement);
  statement.mutable_valid_time()->set_edtf("2018/..");
  CheckStatement("statement.", statement);
  statement.mutable_object()->set_decimal(std::string(text));
  CheckStatement("statement.", statement);
}

void FuzzOne(uint8_t selector, absl::string_view bytes) {
  switch (selector % 8) {
    case 0: {
      v1::CreateEntityRequest request;
      if (!Decode(bytes, &request)) return;
      if (!request.entity().name().empty()) {
        CheckEntityName("entity.name", request.entity().name());
      }
      Check(ValidateId("entity_id", request.entity_id()), "entity_id");
      Check(ValidateRequestId("request_id", request.request_id()),
            "request_id");
      CheckEntity("entity.", request.entity());
      return;
    }
    case 1: {
      v1::UpdateEntityRequest request;
      if (!Decode(bytes, &request)) return;
      CheckEntityName("entity.name", request.entity().name());
      Check(ValidateRequestId("request_id", request.request_id()),
            "request_id");
      CheckEntity("entity.", request.entity());
      return;
    }
    case 2: {
      v1::CreateStatementRequest request;
      if (!Decode(bytes, &request)) return;
      if (!request.statement().name().empty()) {
        CheckStatementName("statement.name", request.statement().name());
      }
      Check(ValidateId("statement_id", request.statement_id()), "statement_id");
      Check(ValidateRequestId("request_id", request.request_id()),
            "request_id");
      CheckStatement("statement.", request.statement());
      return;
    }
    case 3: {
      v1::ListStatementsRequest request;
      if (!Decode(bytes, &request)) return;
      CheckPageSize(request.page_size());
      if (!request.subject().empty()) {
        CheckEntityName("subject", request.subject());
      }
      if (!request.object().empty()) {
        CheckEntityName("object", request.object());
      }
      IsValidPredicate(request.predicate());
      return;
    }
    case 4: {
      v1::ListEntitiesRequest request;
      if (!Decode(bytes, &request)) return;
      CheckPageSize(request.page_size());
      IsValidKind(request.kind());
      return;
    }
    case 5: {
      v1::RetractStatementRequest request;
      if (!Decode(bytes, &request)) return;
      CheckStatementName("name", request.name());
      Check(ValidateLine("reason", request.reason(), kMaxLabelLength * 4,
                         /*required=*/false),
            "reason");
      Check(ValidateRequestId("request_id", request.request_id()),
            "request_id");
      return;
    }
    case 6: {
      v1::ImportRecordsRequest request;
      if (!Decode(bytes, &request)) return;
      Check(ValidateRequestId("request_id", request.request_id()),
            "request_id");
      for (const v1::ImportRecord& record : request.records()) {
        if (record.has_entity()) {
          CheckEntityName("entity.name", record.entity().name());
          CheckEntity("entity.", record.entity());
        } else if (record.has_statement()) {
          CheckStatement("statement.", record.statement());
        }
      }
      return;
    }
    case 7:
      FuzzText(bytes);
      return;
  }
}

}  // namespace
}  // namespace annals::catalog

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  // Protobuf logs every string field with invalid UTF-8 it rejects; that is
  // expected here and would drown the fuzzer's output.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  annals::catalog::FuzzOne(
      data[0],
      absl::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  return 0;
}
