#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/catalog/catalog.h"
#include "services/catalog/revisions.h"
#include "services/catalog/transaction.h"
#include "services/catalog/validation.h"
#include "services/common/status/errors.h"

namespace annals::catalog {

using google::protobuf::util::MessageDifferencer;

absl::StatusOr<v1::ImportRecordsResponse> Catalog::ImportBatch(
    const v1::ImportRecordsRequest& request) {
  if (static_cast<size_t>(request.records_size()) > kMaxImportRecords) {
    return InvalidArgumentError(
        "records",
        absl::StrCat("has ", request.records_size(), " records; send at most ",
                     kMaxImportRecords, " per batch"));
  }
  if (absl::Status s = ValidateRequestId("request_id", request.request_id());
      !s.ok()) {
    return s;
  }
  // Validate every record before touching storage.
  std::vector<v1::Entity> entities;
  std::vector<std::pair<int, v1::Statement>> statements;
  std::map<std::string, int> first_seen;
  for (int i = 0; i < request.records_size(); ++i) {
    const v1::ImportRecord& record = request.records(i);
    std::string prefix = absl::StrCat("records[", i, "].");
    std::string name;
    if (record.has_entity()) {
      absl::StatusOr<std::string> id = ParseEntityName(
          absl::StrCat(prefix, "entity.name"), record.entity().name());
      if (!id.ok()) return id.status();
      absl::StatusOr<v1::Entity> entity =
          NormalizeEntity(absl::StrCat(prefix, "entity."), record.entity());
      if (!entity.ok()) return entity.status();
      entity->set_name(EntityName(*id));
      name = entity->name();
      entities.push_back(*std::move(entity));
    } else if (record.has_statement()) {
      absl::StatusOr<v1::Statement> statement = NormalizeStatement(
          absl::StrCat(prefix, "statement."), record.statement());
      if (!statement.ok()) return statement.status();
      std::string id;
      if (record.statement().name().empty()) {
        id = DerivedStatementId(*statement);
      } else {
        absl::StatusOr<std::string> given = ParseStatementName(
            absl::StrCat(prefix, "statement.name"), record.statement().name());
        if (!given.ok()) return given.status();
        id = *given;
      }
      statement->set_name(StatementName(id));
      name = statement->name();
      statements.emplace_back(i, *std::move(statement));
    } else {
      return InvalidArgumentError(absl::StrCat(prefix, "record"),
                                  "is empty: set entity or statement");
    }
    auto [it, inserted] = first_seen.emplace(name, i);
    if (!inserted) {
      return InvalidArgumentError(
          absl::StrCat(prefix, "name"),
          absl::StrCat(name, " appears twice in this batch (first in records[",
                       it->second, "])"));
    }
  }

  v1::ImportRecordsResponse response;
  auto body = [&](Transaction& txn) -> absl::Status {
    response.Clear();
    response.set_batches(1);
    // Entities first, so statements may refer to any entity of the batch.
    for (v1::Entity& entity : entities) {
      absl::StatusOr<std::optional<v1::Entity>> existing =
          txn.LoadEntity(EntityId(entity));
      if (!existing.ok()) return existing.status();
      if (!existing->has_value()) {
        *entity.mutable_create_time() = ToProto(txn.now());
        txn.SaveEntity(entity, nullptr, v1::CHANGE_TYPE_CREATED);
        response.set_entities_created(response.entities_created() + 1);
        continue;
      }
      const v1::Entity& current = **existing;
      if (current.has_delete_time()) {
        return FailedPreconditionError(
            "DELETED", current.name(),
            "is deleted; an import cannot bring it back");
      }
      if (MessageDifferencer::Equivalent(entity, EntityContent(current))) {
        response.set_unchanged(response.unchanged() + 1);
        continue;
      }
      *entity.mutable_create_time() = current.create_time();
      txn.SaveEntity(entity, &current, v1::CHANGE_TYPE_UPDATED);
      response.set_entities_updated(response.entities_updated() + 1);
    }
    for (auto& [index, statement] : statements) {
      std::string prefix = absl::StrCat("records[", index, "].statement.");
      if (absl::Status s = txn.CheckStatementReferences(statement, prefix);
          !s.ok()) {
        return s;
      }
      absl::StatusOr<std::optional<v1::Statement>> existing =
          txn.LoadStatement(StatementId(statement));
      if (!existing.ok()) return existing.status();
      if (!existing->has_value()) {
        *statement.mutable_create_time() = ToProto(txn.now());
        txn.SaveStatement(statement, nullptr, v1::CHANGE_TYPE_CREATED);
        response.set_statements_created(response.statements_created() + 1);
        continue;
      }
      const v1::Statement& current = **existing;
      if (MessageDifferencer::Equivalent(statement,
                                         StatementContent(current))) {
        response.set_unchanged(response.unchanged() + 1);
        continue;
      }
      // A correction: a new revision of the same statement.
      *statement.mutable_create_time() = current.create_time();
      if (current.has_retract_time()) {
        *statement.mutable_retract_time() = current.retract_time();
        statement.set_retract_reason(current.retract_reason());
      }
      txn.SaveStatement(statement, &current, v1::CHANGE_TYPE_UPDATED);
      response.set_statements_updated(response.statements_updated() + 1);
    }
    response.set_last_sequence(txn.last_sequence());
    return absl::OkStatus();
  };
  if (request.validate_only()) {
    Transaction txn(*storage_, head_sequence(), absl::Now());
    if (absl::Status s = body(txn); !s.ok()) return s;
    response.set_last_sequence(head_sequence());
    return response;
  }
  if (absl::Status s = RunWrite("ImportRecords", request.request_id(), request,
                                &response, body);
      !s.ok()) {
    return s;
  }
  return response;
}

}  // namespace annals::catalog
