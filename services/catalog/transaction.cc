#include "services/catalog/transaction.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/catalog/revisions.h"
#include "services/catalog/storage/keys.h"
#include "services/catalog/validation.h"
#include "services/common/status/errors.h"

namespace annals::catalog {
namespace {

// Field numbers of Change.entity and Change.statement, the last fields of a
// Change.
constexpr int kChangeEntityField = v1::Change::kEntityFieldNumber;
constexpr int kChangeStatementField = v1::Change::kStatementFieldNumber;

void AppendVarint(std::string* out, uint64_t value) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

}  // namespace

absl::StatusOr<std::optional<std::string>> Catalog::Transaction::Get(
    Space space, const std::string& key) {
  if (WriteOnly(space)) {
    // Its pending writes are not kept for reading; see WriteOnly.
    return absl::InternalError(
        "index and change log keys are not read "
        "through a write transaction");
  }
  auto it = pending_.find({space, key});
  if (it != pending_.end()) return it->second;
  if (group_ != nullptr) {
    auto in_group = group_->find({space, key});
    if (in_group != group_->end()) return in_group->second;
  }
  return storage_.Get(space, key);
}

void Catalog::Transaction::MoveInto(PendingWrites& group, WriteSet& writes) {
  for (auto& [key, value] : pending_) group[key] = std::move(value);
  writes.Append(std::move(writes_));
}

void Catalog::Transaction::Put(Space space, std::string key,
                               std::string value) {
  if (space == Space::kEntities) references_.erase(key);
  if (!WriteOnly(space)) pending_[{space, key}] = value;
  writes_.Put(space, std::move(key), std::move(value));
}

void Catalog::Transaction::Delete(Space space, std::string key) {
  if (space == Space::kEntities) references_.erase(key);
  if (!WriteOnly(space)) pending_[{space, key}] = std::nullopt;
  writes_.Delete(space, std::move(key));
}

absl::StatusOr<std::optional<v1::Entity>> Catalog::Transaction::LoadEntity(
    const std::string& id) {
  absl::StatusOr<std::optional<std::string>> bytes = Get(Space::kEntities, id);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::nullopt;
  v1::Entity entity;
  if (absl::Status s = ParseInto(**bytes, &entity, "entity"); !s.ok()) return s;
  return entity;
}

absl::StatusOr<std::optional<v1::Statement>>
Catalog::Transaction::LoadStatement(const std::string& id) {
  absl::StatusOr<std::optional<std::string>> bytes =
      Get(Space::kStatements, id);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::nullopt;
  v1::Statement statement;
  if (absl::Status s = ParseInto(**bytes, &statement, "statement"); !s.ok()) {
    return s;
  }
  return statement;
}

void Catalog::Transaction::SaveEntity(v1::Entity& entity,
                                      const v1::Entity* previous,
                                      v1::ChangeType type) {
  int64_t sequence = ++last_sequence_;
  *entity.mutable_update_time() = ToProto(now_);
  entity.set_etag(Etag(sequence));
  entity.set_sequence(sequence);
  UpdateIndex(previous ? EntityIndexKeys(*previous) : std::set<std::string>{},
              EntityIndexKeys(entity));
  std::string id = EntityId(entity);
  std::string bytes = entity.SerializeAsString();
  Log(sequence, type, kChangeEntityField, bytes);
  Put(Space::kEntities, id, std::move(bytes));
  // What a reference check would now read back (Put forgot the old facts).
  references_.insert_or_assign(
      std::move(id), Referent{true, entity.has_delete_time(), entity.kind()});
}

void Catalog::Transaction::SaveStatement(v1::Statement& statement,
                                         const v1::Statement* previous,
                                         v1::ChangeType type) {
  int64_t sequence = ++last_sequence_;
  *statement.mutable_update_time() = ToProto(now_);
  statement.set_etag(Etag(sequence));
  statement.set_sequence(sequence);
  UpdateIndex(
      previous ? StatementIndexKeys(*previous) : std::set<std::string>{},
      StatementIndexKeys(statement));
  std::string bytes = statement.SerializeAsString();
  Log(sequence, type, kChangeStatementField, bytes);
  Put(Space::kStatements, StatementId(statement), std::move(bytes));
}

absl::Status WrongKindError(absl::string_view name, absl::string_view kind,
                            absl::string_view field,
                            absl::string_view required_kind) {
  return FailedPreconditionError(
      "WRONG_KIND", name,
      absl::StrCat("is of kind \"", kind, "\", but ", field,
                   " must refer to an entity of kind \"", required_kind, "\""));
}

absl::Status Catalog::Transaction::CheckReference(
    const std::string& name, absl::string_view field,
    absl::string_view required_kind) {
  std::string id = name.substr(kEntityCollection.size());
  absl::StatusOr<const Referent*> entity = FindReferent(std::move(id));
  if (!entity.ok()) return entity.status();
  if (!(*entity)->exists) return NotFoundError(name, field);
  if ((*entity)->deleted) {
    return FailedPreconditionError(
        "DELETED", name,
        absl::StrCat("is deleted and cannot be referred to (", field, ")"));
  }
  if (!required_kind.empty() && (*entity)->kind != required_kind) {
    return WrongKindError(name, (*entity)->kind, field, required_kind);
  }
  return absl::OkStatus();
}

absl::Status Catalog::Transaction::CheckEntityReferences(
    const v1::Entity& entity, absl::string_view prefix,
    std::string* failed_field) {
  for (int i = 0; i < entity.lifespan_sources_size(); ++i) {
    std::string field =
        absl::StrCat(prefix, "lifespan_sources[", i, "].source");
    if (absl::Status s = CheckReference(entity.lifespan_sources(i).source(),
                                        field, kSourceKind);
        !s.ok()) {
      if (failed_field != nullptr) *failed_field = std::move(field);
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status Catalog::Transaction::CheckStatementReferences(
    const v1::Statement& statement, absl::string_view prefix,
    std::string* failed_field) {
  auto check = [&](const std::string& name, std::string field,
                   absl::string_view required_kind) {
    absl::Status status = CheckReference(name, field, required_kind);
    if (!status.ok() && failed_field != nullptr) {
      *failed_field = std::move(field);
    }
    return status;
  };
  if (absl::Status s =
          check(statement.subject(), absl::StrCat(prefix, "subject"), "");
      !s.ok()) {
    return s;
  }
  if (statement.object().has_entity()) {
    if (absl::Status s = check(statement.object().entity(),
                               absl::StrCat(prefix, "object.entity"), "");
        !s.ok()) {
      return s;
    }
  }
  for (int i = 0; i < statement.sources_size(); ++i) {
    if (absl::Status s =
            check(statement.sources(i).source(),
                  absl::StrCat(prefix, "sources[", i, "].source"), kSourceKind);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<const Referent*> Catalog::Transaction::FindReferent(
    std::string id) {
  auto cached = references_.find(id);
  if (cached != references_.end()) return &cached->second;
  const bool from_storage =
      committed_ != nullptr && !Overlays(Space::kEntities, id);
  if (from_storage) {
    if (const Referent* known = committed_->Find(id)) {
      return &references_.insert_or_assign(std::move(id), *known).first->second;
    }
  }
  absl::StatusOr<std::optional<v1::Entity>> entity = LoadEntity(id);
  if (!entity.ok()) return entity.status();
  Referent referent;
  if (entity->has_value()) {
    referent.exists = true;
    referent.deleted = (*entity)->has_delete_time();
    referent.kind = (*entity)->kind();
  }
  if (from_storage) committed_->Remember(id, referent);
  return &references_.insert_or_assign(std::move(id), std::move(referent))
              .first->second;
}

bool Catalog::Transaction::Overlays(Space space, const std::string& key) const {
  // A pair key for the lookups; the id is short, so the copy is cheap.
  const std::pair<Space, std::string> entry(space, key);
  return pending_.contains(entry) ||
         (group_ != nullptr && group_->contains(entry));
}

void Catalog::Transaction::Log(int64_t sequence, v1::ChangeType type,
                               int resource_field, absl::string_view resource) {
  ++changes_;
  v1::Change change;
  change.set_sequence(sequence);
  *change.mutable_commit_time() = ToProto(now_);
  change.set_type(type);
  std::string bytes;
  bytes.reserve(change.ByteSizeLong() + 16 + resource.size());
  change.AppendToString(&bytes);
  AppendVarint(&bytes, (static_cast<uint32_t>(resource_field) << 3) | 2);
  AppendVarint(&bytes, resource.size());
  bytes.append(resource.data(), resource.size());
  Put(Space::kChanges, keys::EncodeSequence(sequence), std::move(bytes));
}

void Catalog::Transaction::UpdateIndex(const std::set<std::string>& before,
                                       const std::set<std::string>& after) {
  for (const std::string& key : before) {
    if (!after.contains(key)) Delete(Space::kIndex, key);
  }
  for (const std::string& key : after) {
    if (!before.contains(key)) Put(Space::kIndex, key, "");
  }
}

}  // namespace annals::catalog
