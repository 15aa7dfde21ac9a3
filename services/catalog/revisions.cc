#include "services/catalog/revisions.h"

#include <algorithm>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "annals/catalog/v1/catalog_service.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/time_util.h"
#include "google/protobuf/wire_format_lite.h"
#include "services/catalog/storage/keys.h"
#include "services/catalog/validation.h"
#include "services/common/fingerprint.h"
#include "services/common/types/extent_proto.h"

namespace annals::catalog {

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp ToProto(absl::Time t) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

std::string Etag(int64_t sequence) { return absl::StrCat(sequence); }

std::string EntityId(const v1::Entity& entity) {
  return entity.name().substr(kEntityCollection.size());
}
std::string StatementId(const v1::Statement& statement) {
  return statement.name().substr(kStatementCollection.size());
}

std::set<std::string> EntityIndexKeys(const v1::Entity& entity) {
  std::string id = EntityId(entity);
  std::set<std::string> index = {
      keys::KindKey(entity.kind(), id),
      keys::NameKey(keys::NormalizeName(entity.label()), id)};
  for (const std::string& alias : entity.aliases()) {
    index.insert(keys::NameKey(keys::NormalizeName(alias), id));
  }
  return index;
}

std::set<std::string> StatementIndexKeys(const v1::Statement& statement) {
  std::string id = StatementId(statement);
  std::string subject = statement.subject().substr(kEntityCollection.size());
  std::set<std::string> index = {
      keys::SubjectKey(subject, statement.predicate(), id),
      keys::PredicateKey(statement.predicate(), id)};
  if (statement.object().has_entity()) {
    index.insert(keys::ObjectKey(
        statement.object().entity().substr(kEntityCollection.size()),
        statement.predicate(), id));
  }
  return index;
}

std::string DerivedStatementId(const v1::Statement& statement) {
  std::string canonical;
  AppendField(&canonical, statement.subject());
  AppendField(&canonical, statement.predicate());
  const v1::Value& object = statement.object();
  AppendField(&canonical, absl::StrCat(static_cast<int>(object.kind_case())));
  switch (object.kind_case()) {
    case v1::Value::kEntity:
      AppendField(&canonical, object.entity());
      break;
    case v1::Value::kText:
      AppendField(&canonical, object.text());
      break;
    case v1::Value::kInteger:
      AppendField(&canonical, absl::StrCat(object.integer()));
      break;
    case v1::Value::kDecimal:
      AppendField(&canonical, object.decimal());
      break;
    case v1::Value::kQuantity:
      AppendField(&canonical, object.quantity().amount());
      AppendField(&canonical, object.quantity().unit());
      break;
    case v1::Value::KIND_NOT_SET:
      break;
  }
  AppendField(&canonical, statement.valid_time().edtf());
  std::vector<std::string> sources;
  for (const auto& citation : statement.sources()) {
    sources.push_back(absl::StrCat(citation.source(), "#", citation.locator()));
  }
  std::sort(sources.begin(), sources.end());
  for (const std::string& source : sources) AppendField(&canonical, source);
  std::map<std::string, std::string> qualifiers(statement.qualifiers().begin(),
                                                statement.qualifiers().end());
  for (const auto& [key, value] : qualifiers) {
    AppendField(&canonical, key);
    AppendField(&canonical, value);
  }
  return absl::StrFormat("s-%016x", Fingerprint64(canonical));
}

namespace {

// Recomputes the bounds of a stored extent from its EDTF text or bound
// dates. Bounds are derived data: a catalog written before the inclusive
// reading of "A/B" (docs/temporal-semantics.md) stored them one day short,
// and such bounds must never be served. Text that no longer parses is left
// as stored; it cannot occur, since every text once accepted still is.
void RefreshBounds(type::v1::Extent* extent) {
  NormalizeExtentProto(extent).IgnoreError();
}

void RefreshStoredExtents(google::protobuf::Message* message) {
  if (auto* entity = dynamic_cast<v1::Entity*>(message)) {
    if (entity->has_lifespan()) RefreshBounds(entity->mutable_lifespan());
  } else if (auto* statement = dynamic_cast<v1::Statement*>(message)) {
    if (statement->has_valid_time()) {
      RefreshBounds(statement->mutable_valid_time());
    }
  } else if (auto* change = dynamic_cast<v1::Change*>(message)) {
    if (change->has_entity()) RefreshStoredExtents(change->mutable_entity());
    if (change->has_statement()) {
      RefreshStoredExtents(change->mutable_statement());
    }
  }
}

}  // namespace

absl::Status ParseInto(absl::string_view bytes, google::protobuf::Message* out,
                       absl::string_view what) {
  if (!out->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(absl::StrCat("stored ", what, " is corrupt"));
  }
  RefreshStoredExtents(out);
  return absl::OkStatus();
}

std::string RequestFingerprint(absl::string_view method,
                               const google::protobuf::Message& request) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  // The same bytes as serializing a copy with the request id cleared
  // (fingerprints stored by earlier versions still match), without copying
  // a whole import batch: deterministic output holds the known fields in
  // number order, so the id is one top-level field to leave out.
  const auto* field = request.GetDescriptor()->FindFieldByName("request_id");
  if (field != nullptr) {
    std::string kept;
    kept.reserve(bytes.size());
    google::protobuf::io::CodedInputStream input(
        reinterpret_cast<const uint8_t*>(bytes.data()),
        static_cast<int>(bytes.size()));
    while (true) {
      const int start = input.CurrentPosition();
      const uint32_t tag = input.ReadTag();
      if (tag == 0) break;
      if (!google::protobuf::internal::WireFormatLite::SkipField(&input, tag)) {
        // Cannot happen: the bytes are our own serialization.
        kept.append(bytes, start);
        break;
      }
      if (google::protobuf::internal::WireFormatLite::GetTagFieldNumber(tag) !=
          field->number()) {
        kept.append(bytes, start, input.CurrentPosition() - start);
      }
    }
    bytes = std::move(kept);
  }
  std::string canonical;
  AppendField(&canonical, method);
  AppendField(&canonical, bytes);
  return absl::StrFormat("%016x", Fingerprint64(canonical));
}

}  // namespace annals::catalog
