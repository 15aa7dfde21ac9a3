// Catalog::ImportBatch and ImportStream: bulk loads, all or nothing or
// keeping going past refused records.
#include "services/catalog/import.h"

#include <algorithm>
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
namespace {

using google::protobuf::util::MessageDifferencer;

// Whether `status` is about the record being imported (what it says or what
// it refers to), as opposed to the request or the storage.
bool IsRecordError(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
      return true;
    default:
      return false;
  }
}

// The refusal of record `index` for `status`; `field` when the status names
// no field of its own.
v1::RefusedRecord Refusal(int index, const absl::Status& status,
                          const std::string& field) {
  v1::RefusedRecord refused;
  refused.set_record(index);
  std::vector<std::string> fields = ViolatedFields(status);
  refused.set_field(fields.empty() ? field : fields.front());
  refused.set_code(absl::StatusCodeToString(status.code()));
  refused.set_reason(ErrorReason(status));
  refused.set_message(std::string(status.message()));
  return refused;
}

// An entity record of a batch, validated.
struct EntityRecord {
  int index;
  v1::Entity entity;
};

// A statement record of a batch, validated.
struct StatementRecord {
  int index;
  v1::Statement statement;
};

}  // namespace

absl::StatusOr<v1::ImportRecordsResponse> Catalog::ImportBatch(
    const v1::ImportRecordsRequest& request) {
  ImportContext context;
  return ImportBatch(request, context);
}

absl::StatusOr<v1::ImportRecordsResponse> Catalog::ImportBatch(
    const v1::ImportRecordsRequest& request, ImportContext& context) {
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
  if (!v1::ImportErrorMode_IsValid(request.error_mode())) {
    return InvalidArgumentError(
        "error_mode", absl::StrCat(request.error_mode(),
                                   " is not an ImportErrorMode; use "
                                   "IMPORT_ERROR_MODE_ALL_OR_NOTHING or "
                                   "IMPORT_ERROR_MODE_KEEP_GOING"));
  }
  const bool keep_going =
      request.error_mode() == v1::IMPORT_ERROR_MODE_KEEP_GOING;

  // Records refused before the transaction (what they say), and the
  // entities among them whose name is known: name -> record index.
  std::vector<v1::RefusedRecord> refused_early;
  std::map<std::string, int> refused_names_early;

  // Validate every record before touching storage.
  std::vector<EntityRecord> entities;
  std::vector<StatementRecord> statements;
  std::map<std::string, int> first_seen;
  for (int i = 0; i < request.records_size(); ++i) {
    const v1::ImportRecord& record = request.records(i);
    std::string prefix = absl::StrCat("records[", i, "].");
    // Fails the batch, or (keep_going) refuses the record.
    auto refuse = [&](const absl::Status& status, absl::string_view what,
                      const std::string& entity_name) -> absl::Status {
      if (!keep_going) return status;
      refused_early.push_back(Refusal(i, status, absl::StrCat(prefix, what)));
      // Unless a valid record of the batch already supplies the entity.
      if (!entity_name.empty() && !first_seen.contains(entity_name)) {
        refused_names_early[entity_name] = i;
      }
      return absl::OkStatus();
    };
    std::string name;
    if (record.has_entity()) {
      absl::StatusOr<std::string> id = ParseEntityName(
          absl::StrCat(prefix, "entity.name"), record.entity().name());
      if (!id.ok()) {
        if (absl::Status s = refuse(id.status(), "entity", ""); !s.ok()) {
          return s;
        }
        continue;
      }
      absl::StatusOr<v1::Entity> entity =
          NormalizeEntity(absl::StrCat(prefix, "entity."), record.entity());
      if (!entity.ok()) {
        if (absl::Status s = refuse(entity.status(), "entity", EntityName(*id));
            !s.ok()) {
          return s;
        }
        continue;
      }
      entity->set_name(EntityName(*id));
      name = entity->name();
      entities.push_back({i, *std::move(entity)});
    } else if (record.has_statement()) {
      absl::StatusOr<v1::Statement> statement = NormalizeStatement(
          absl::StrCat(prefix, "statement."), record.statement());
      if (!statement.ok()) {
        if (absl::Status s = refuse(statement.status(), "statement", "");
            !s.ok()) {
          return s;
        }
        continue;
      }
      std::string id;
      if (record.statement().name().empty()) {
        id = DerivedStatementId(*statement);
      } else {
        absl::StatusOr<std::string> given = ParseStatementName(
            absl::StrCat(prefix, "statement.name"), record.statement().name());
        if (!given.ok()) {
          if (absl::Status s = refuse(given.status(), "statement", "");
              !s.ok()) {
            return s;
          }
          continue;
        }
        id = *given;
      }
      statement->set_name(StatementName(id));
      name = statement->name();
      statements.push_back({i, *std::move(statement)});
    } else {
      absl::Status empty = InvalidArgumentError(
          absl::StrCat(prefix, "record"), "is empty: set entity or statement");
      if (absl::Status s = refuse(empty, "record", ""); !s.ok()) return s;
      continue;
    }
    auto [it, inserted] = first_seen.emplace(name, i);
    if (!inserted) {
      absl::Status twice = InvalidArgumentError(
          absl::StrCat(prefix, "name"),
          absl::StrCat(name, " appears twice in this batch (first in records[",
                       it->second, "])"));
      if (!keep_going) return twice;
      // The first record of that name stands; only this one is refused.
      refused_early.push_back(Refusal(i, twice, absl::StrCat(prefix, "name")));
      if (record.has_entity()) {
        entities.pop_back();
      } else {
        statements.pop_back();
      }
      continue;
    }
    // A later record supplies an entity an earlier one of the batch failed
    // to describe.
    if (record.has_entity()) refused_names_early.erase(name);
  }

  v1::ImportRecordsResponse response;
  // Entities refused in this batch (name -> record index), for the
  // statements that refer to them, and those the batch supplies.
  std::map<std::string, int> refused_here;
  std::vector<std::string> supplied;
  auto body = [&](Transaction& txn) -> absl::Status {
    response.Clear();
    response.set_batches(1);
    std::vector<v1::RefusedRecord> refused = refused_early;
    refused_here = refused_names_early;
    supplied.clear();
    // The kinds of the entities this batch describes: a lifespan may cite a
    // source that a later record of the batch creates.
    std::map<std::string, std::string> batch_kinds;
    for (const auto& [index, entity] : entities) {
      batch_kinds[entity.name()] = entity.kind();
    }
    // Checks the lifespan sources of `entity`, record `index`.
    auto check_lifespan_sources = [&](int index, const v1::Entity& entity,
                                      std::string* failed_field) {
      const std::string prefix = absl::StrCat("records[", index, "].entity.");
      for (int i = 0; i < entity.lifespan_sources_size(); ++i) {
        const std::string& source = entity.lifespan_sources(i).source();
        std::string field =
            absl::StrCat(prefix, "lifespan_sources[", i, "].source");
        auto it = batch_kinds.find(source);
        absl::Status status;
        if (it == batch_kinds.end()) {
          status = txn.CheckReference(source, field, kSourceKind);
        } else if (it->second != kSourceKind) {
          status = WrongKindError(source, it->second, field, kSourceKind);
        }
        if (!status.ok()) {
          *failed_field = std::move(field);
          return status;
        }
      }
      return absl::OkStatus();
    };
    // Entities first, so statements may refer to any entity of the batch.
    for (auto& [index, entity] : entities) {
      std::string failed_field;
      if (absl::Status s = check_lifespan_sources(index, entity, &failed_field);
          !s.ok()) {
        if (!keep_going || !IsRecordError(s)) return s;
        refused.push_back(Refusal(index, s, failed_field));
        refused_here[entity.name()] = index;
        continue;
      }
      absl::StatusOr<std::optional<v1::Entity>> existing =
          txn.LoadEntity(EntityId(entity));
      if (!existing.ok()) return existing.status();
      if (!existing->has_value()) {
        *entity.mutable_create_time() = ToProto(txn.now());
        txn.SaveEntity(entity, nullptr, v1::CHANGE_TYPE_CREATED);
        response.set_entities_created(response.entities_created() + 1);
        supplied.push_back(entity.name());
        continue;
      }
      const v1::Entity& current = **existing;
      if (current.has_delete_time()) {
        absl::Status deleted = FailedPreconditionError(
            "DELETED", current.name(),
            "is deleted; an import cannot bring it back");
        if (!keep_going) return deleted;
        refused.push_back(Refusal(
            index, deleted, absl::StrCat("records[", index, "].entity.name")));
        refused_here[entity.name()] = index;
        continue;
      }
      supplied.push_back(entity.name());
      if (MessageDifferencer::Equivalent(entity, EntityContent(current))) {
        response.set_unchanged(response.unchanged() + 1);
        continue;
      }
      *entity.mutable_create_time() = current.create_time();
      txn.SaveEntity(entity, &current, v1::CHANGE_TYPE_UPDATED);
      response.set_entities_updated(response.entities_updated() + 1);
    }
    // Where the record of entity `name` was refused, or "".
    auto refused_where = [&](const std::string& name) -> std::string {
      if (auto it = refused_here.find(name); it != refused_here.end()) {
        return absl::StrCat("records[", it->second, "] of this batch");
      }
      if (std::find(supplied.begin(), supplied.end(), name) != supplied.end()) {
        return "";
      }
      if (auto it = context.refused_entities.find(name);
          it != context.refused_entities.end()) {
        return it->second;
      }
      return "";
    };
    for (auto& [index, statement] : statements) {
      std::string prefix = absl::StrCat("records[", index, "].statement.");
      if (keep_going) {
        // A statement about a refused entity is refused for that reason,
        // whatever the catalog holds under the entity's name.
        std::vector<std::pair<std::string, std::string>> references = {
            {"subject", statement.subject()}};
        if (statement.object().has_entity()) {
          references.emplace_back("object.entity", statement.object().entity());
        }
        for (int i = 0; i < statement.sources_size(); ++i) {
          references.emplace_back(absl::StrCat("sources[", i, "].source"),
                                  statement.sources(i).source());
        }
        bool refers_to_refused = false;
        for (const auto& [field, name] : references) {
          std::string where = refused_where(name);
          if (where.empty()) continue;
          v1::RefusedRecord refusal;
          refusal.set_record(index);
          refusal.set_field(absl::StrCat(prefix, field));
          refusal.set_code(
              absl::StatusCodeToString(absl::StatusCode::kFailedPrecondition));
          refusal.set_reason("REFERS_TO_REFUSED");
          refusal.set_message(absl::StrCat(prefix, field, ": refers to ", name,
                                           ", whose record was refused (",
                                           where, ")"));
          refused.push_back(std::move(refusal));
          refers_to_refused = true;
          break;
        }
        if (refers_to_refused) continue;
      }
      std::string failed_field;
      if (absl::Status s =
              txn.CheckStatementReferences(statement, prefix, &failed_field);
          !s.ok()) {
        if (!keep_going || !IsRecordError(s)) return s;
        refused.push_back(Refusal(index, s, failed_field));
        continue;
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
    if (!refused.empty()) {
      std::stable_sort(
          refused.begin(), refused.end(),
          [](const v1::RefusedRecord& a, const v1::RefusedRecord& b) {
            return a.record() < b.record();
          });
      for (v1::RefusedRecord& refusal : refused) {
        refusal.set_batch(context.batch);
        *response.add_refused_records() = std::move(refusal);
      }
      response.set_refused(response.refused_records_size());
    }
    response.set_last_sequence(txn.last_sequence());
    return absl::OkStatus();
  };
  // What the next batch of the stream needs to know of this one.
  auto remember = [&] {
    for (const std::string& name : supplied) {
      context.refused_entities.erase(name);
    }
    for (const auto& [name, index] : refused_here) {
      context.refused_entities[name] =
          absl::StrCat("batch ", context.batch, ", records[", index, "]");
    }
  };
  if (request.validate_only()) {
    // Checked as if the stream's earlier validate_only batches had been
    // committed; what this one would write is kept for the next.
    Transaction txn(*storage_, head_sequence(), absl::Now(),
                    &context.validated);
    if (absl::Status s = body(txn); !s.ok()) return s;
    WriteSet discarded;
    txn.MoveInto(context.validated, discarded);
    response.set_batches(0);
    response.set_batches_validated(1);
    response.set_last_sequence(0);
    remember();
    return response;
  }
  if (absl::Status s = RunWrite("ImportRecords", request.request_id(), request,
                                &response, body);
      !s.ok()) {
    return s;
  }
  remember();
  return response;
}

absl::Status ImportStream::Add(const v1::ImportRecordsRequest& batch) {
  context_.batch = summary_.batches() + summary_.batches_validated();
  absl::StatusOr<v1::ImportRecordsResponse> result =
      catalog_->ImportBatch(batch, context_);
  if (!result.ok()) return BatchError(result.status(), batch.validate_only());
  summary_.set_entities_created(summary_.entities_created() +
                                result->entities_created());
  summary_.set_entities_updated(summary_.entities_updated() +
                                result->entities_updated());
  summary_.set_statements_created(summary_.statements_created() +
                                  result->statements_created());
  summary_.set_statements_updated(summary_.statements_updated() +
                                  result->statements_updated());
  summary_.set_unchanged(summary_.unchanged() + result->unchanged());
  summary_.set_batches(summary_.batches() + result->batches());
  summary_.set_batches_validated(summary_.batches_validated() +
                                 result->batches_validated());
  summary_.set_last_sequence(
      std::max(summary_.last_sequence(), result->last_sequence()));
  summary_.set_refused(summary_.refused() + result->refused());
  for (v1::RefusedRecord& refusal : *result->mutable_refused_records()) {
    if (summary_.refused_records_size() >= kMaxRefusedRecordsListed) break;
    // A retried batch answers with its recorded response; its position is
    // this stream's.
    refusal.set_batch(context_.batch);
    *summary_.add_refused_records() = std::move(refusal);
  }
  return absl::OkStatus();
}

absl::Status ImportStream::BatchError(const absl::Status& status,
                                      bool validate_only) const {
  const int64_t committed = summary_.batches();
  const int64_t checked = summary_.batches_validated();
  if (checked == 0 && !validate_only) {
    return PrefixMessage(status,
                         absl::StrCat("batch ", committed, " (", committed,
                                      " earlier batches committed): "));
  }
  if (committed == 0) {
    return PrefixMessage(
        status, absl::StrCat("batch ", checked, " (", checked,
                             " earlier batches checked, none committed): "));
  }
  return PrefixMessage(
      status,
      absl::StrCat("batch ", committed + checked, " (", committed,
                   " earlier batches committed, ", checked, " checked): "));
}

v1::ImportRecordsResponse ImportStream::Summary() const {
  v1::ImportRecordsResponse summary = summary_;
  const bool only_checked =
      summary.batches() == 0 && summary.batches_validated() > 0;
  if (summary.last_sequence() == 0 && !only_checked) {
    summary.set_last_sequence(catalog_->head_sequence());
  }
  return summary;
}

}  // namespace annals::catalog
