#include "services/catalog/verify.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "annals/catalog/v1/catalog_service.pb.h"
#include "services/catalog/backup.h"
#include "services/catalog/revisions.h"
#include "services/catalog/storage/keys.h"
#include "services/catalog/storage/rocksdb_backup.h"
#include "services/catalog/validation.h"

namespace annals::catalog {
namespace {

// An index key for people: NUL separators shown as '/'.
std::string ShowIndexKey(absl::string_view key) {
  return absl::StrReplaceAll(key, {{absl::string_view("\0", 1), "/"}});
}

// Collects problems; the first `max` are kept.
class Problems {
 public:
  Problems(VerifyReport* report, int max) : report_(report), max_(max) {}
  void Add(std::string problem) {
    ++report_->problem_count;
    if (static_cast<int>(report_->problems.size()) < max_) {
      report_->problems.push_back(std::move(problem));
    }
  }

 private:
  VerifyReport* report_;
  const int max_;
};

class Verifier {
 public:
  Verifier(const Storage& storage, VerifyReport* report, int max_problems)
      : storage_(storage), report_(report), problems_(report, max_problems) {}

  absl::Status Run() {
    if (absl::Status s = CheckMeta(); !s.ok()) return s;
    if (absl::Status s = CheckChanges(); !s.ok()) return s;
    if (absl::Status s = CheckEntities(); !s.ok()) return s;
    if (absl::Status s = CheckStatements(); !s.ok()) return s;
    return CheckIndex();
  }

 private:
  absl::Status CheckMeta() {
    absl::StatusOr<std::optional<std::string>> id =
        storage_.Get(Space::kMeta, std::string(keys::kCatalogId));
    if (!id.ok()) return id.status();
    absl::StatusOr<std::optional<std::string>> last =
        storage_.Get(Space::kMeta, std::string(keys::kLastSequence));
    if (!last.ok()) return last.status();
    if (id->has_value()) {
      report_->catalog_id = **id;
    } else {
      problems_.Add("meta: no catalog_id");
    }
    if (last->has_value() &&
        (!absl::SimpleAtoi(**last, &report_->last_sequence) ||
         report_->last_sequence < 0)) {
      problems_.Add(absl::StrCat("meta: the last sequence \"", **last,
                                 "\" is not a sequence"));
      report_->last_sequence = 0;
    }
    return absl::OkStatus();
  }

  void Missing(int64_t from, int64_t to) {
    problems_.Add(
        from == to ? absl::StrCat("change log: sequence ", from, " is missing")
                   : absl::StrCat("change log: sequences ", from, " to ", to,
                                  " are missing"));
  }

  absl::Status CheckChanges() {
    const int64_t head = report_->last_sequence;
    int64_t expected = 1;
    absl::Status scan = storage_.Scan(
        Space::kChanges, "", "",
        [&](absl::string_view key, absl::string_view value) {
          std::optional<uint64_t> sequence = keys::DecodeSequence(key);
          if (!sequence.has_value()) {
            problems_.Add(absl::StrCat("change log: a key of ", key.size(),
                                       " bytes (keys are 8-byte sequences)"));
            return true;
          }
          const int64_t found = static_cast<int64_t>(*sequence);
          ++report_->changes;
          if (found > head) {
            problems_.Add(absl::StrCat("change log: sequence ", found,
                                       " is beyond the last sequence ", head,
                                       " recorded in the meta space"));
          } else if (found > expected) {
            Missing(expected, found - 1);
          }
          expected = std::max(expected, found + 1);
          v1::Change change;
          if (!change.ParseFromArray(value.data(),
                                     static_cast<int>(value.size()))) {
            problems_.Add(absl::StrCat("change log: the change at sequence ",
                                       found, " does not parse"));
          } else if (change.sequence() != found) {
            problems_.Add(absl::StrCat("change log: the change at sequence ",
                                       found, " carries sequence ",
                                       change.sequence()));
          }
          return true;
        });
    if (!scan.ok()) return scan;
    if (expected <= head) Missing(expected, head);
    return absl::OkStatus();
  }

  // Whether `key` is in the index; adds a problem naming `owner` if not.
  absl::Status ExpectIndexed(const std::string& key, absl::string_view owner) {
    absl::StatusOr<std::optional<std::string>> entry =
        storage_.Get(Space::kIndex, key);
    if (!entry.ok()) return entry.status();
    if (!entry->has_value()) {
      problems_.Add(absl::StrCat(owner, ": index entry ", ShowIndexKey(key),
                                 " is missing"));
    }
    return absl::OkStatus();
  }

  // Whether `name` ("entities/x") is a stored entity; adds a problem
  // naming `owner` and `field` if not.
  absl::Status ExpectEntity(absl::string_view name, absl::string_view owner,
                            absl::string_view field) {
    if (!absl::StartsWith(name, kEntityCollection)) {
      problems_.Add(absl::StrCat(owner, ": ", field, " \"", name,
                                 "\" is not an entity name"));
      return absl::OkStatus();
    }
    absl::StatusOr<std::optional<std::string>> entity =
        storage_.Get(Space::kEntities, name.substr(kEntityCollection.size()));
    if (!entity.ok()) return entity.status();
    if (!entity->has_value()) {
      problems_.Add(absl::StrCat(owner, ": ", field, " refers to ", name,
                                 ", which does not exist"));
    }
    return absl::OkStatus();
  }

  // Checks a record's name, sequence and index entries.
  template <typename Record>
  absl::Status CheckRecord(absl::string_view key, const Record& record,
                           absl::string_view collection,
                           const std::set<std::string>& index_keys) {
    const std::string owner = absl::StrCat(collection, key);
    if (record.name() != owner) {
      problems_.Add(absl::StrCat(owner, ": stored under its key but named \"",
                                 record.name(), "\""));
    }
    if (record.sequence() < 1 || record.sequence() > report_->last_sequence) {
      problems_.Add(absl::StrCat(
          owner, ": revision at sequence ", record.sequence(),
          ", outside the change log (1 to ", report_->last_sequence, ")"));
    }
    for (const std::string& index_key : index_keys) {
      if (absl::Status s = ExpectIndexed(index_key, owner); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status CheckEntities() {
    absl::Status error;
    absl::Status scan = storage_.Scan(
        Space::kEntities, "", "",
        [&](absl::string_view key, absl::string_view value) {
          ++report_->entities;
          v1::Entity entity;
          const std::string owner = absl::StrCat(kEntityCollection, key);
          if (!entity.ParseFromArray(value.data(),
                                     static_cast<int>(value.size()))) {
            problems_.Add(absl::StrCat(owner, ": does not parse"));
            return true;
          }
          error = CheckRecord(key, entity, kEntityCollection,
                              EntityIndexKeys(entity));
          for (int i = 0; error.ok() && i < entity.lifespan_sources_size();
               ++i) {
            error = ExpectEntity(entity.lifespan_sources(i).source(), owner,
                                 absl::StrCat("lifespan_sources[", i, "]"));
          }
          return error.ok();
        });
    return error.ok() ? scan : error;
  }

  absl::Status CheckStatements() {
    absl::Status error;
    absl::Status scan = storage_.Scan(
        Space::kStatements, "", "",
        [&](absl::string_view key, absl::string_view value) {
          ++report_->statements;
          v1::Statement statement;
          const std::string owner = absl::StrCat(kStatementCollection, key);
          if (!statement.ParseFromArray(value.data(),
                                        static_cast<int>(value.size()))) {
            problems_.Add(absl::StrCat(owner, ": does not parse"));
            return true;
          }
          error = CheckRecord(key, statement, kStatementCollection,
                              StatementIndexKeys(statement));
          if (error.ok()) {
            error = ExpectEntity(statement.subject(), owner, "subject");
          }
          if (error.ok() && statement.object().has_entity()) {
            error = ExpectEntity(statement.object().entity(), owner,
                                 "object.entity");
          }
          for (int i = 0; error.ok() && i < statement.sources_size(); ++i) {
            error = ExpectEntity(statement.sources(i).source(), owner,
                                 absl::StrCat("sources[", i, "]"));
          }
          return error.ok();
        });
    return error.ok() ? scan : error;
  }

  // The index keys the record at `id` in `space` implies, or nullopt (with
  // a problem) if there is no such record or it does not parse.
  absl::StatusOr<std::optional<std::set<std::string>>> ImpliedKeys(
      Space space, const std::string& id, const std::string& entry) {
    absl::StatusOr<std::optional<std::string>> value = storage_.Get(space, id);
    if (!value.ok()) return value.status();
    const bool entity = space == Space::kEntities;
    const std::string name =
        absl::StrCat(entity ? kEntityCollection : kStatementCollection, id);
    if (!value->has_value()) {
      problems_.Add(absl::StrCat("index entry ", entry, " points at ", name,
                                 ", which does not exist"));
      return std::nullopt;
    }
    if (entity) {
      v1::Entity record;
      if (!record.ParseFromString(**value)) return std::nullopt;
      return EntityIndexKeys(record);
    }
    v1::Statement record;
    if (!record.ParseFromString(**value)) return std::nullopt;
    return StatementIndexKeys(record);
  }

  absl::Status CheckIndex() {
    absl::Status error;
    absl::Status scan = storage_.Scan(
        Space::kIndex, "", "", [&](absl::string_view key, absl::string_view) {
          ++report_->index_entries;
          const std::string entry = ShowIndexKey(key);
          Space space;
          switch (key.empty() ? '\0' : key[0]) {
            case 'k':
            case 'a':
              space = Space::kEntities;
              break;
            case 's':
            case 'o':
            case 'p':
              space = Space::kStatements;
              break;
            default:
              problems_.Add(
                  absl::StrCat("index entry ", entry, " has no known tag"));
              return true;
          }
          absl::StatusOr<std::optional<std::set<std::string>>> implied =
              ImpliedKeys(space, std::string(keys::IndexTarget(key)), entry);
          if (!implied.ok()) {
            error = implied.status();
            return false;
          }
          if (implied->has_value() && !(*implied)->contains(std::string(key))) {
            problems_.Add(
                absl::StrCat("index entry ", entry, " does not match ",
                             space == Space::kEntities ? kEntityCollection
                                                       : kStatementCollection,
                             keys::IndexTarget(key), " (a stale entry)"));
          }
          return true;
        });
    return error.ok() ? scan : error;
  }

  const Storage& storage_;
  VerifyReport* report_;
  Problems problems_;
};

}  // namespace

std::string VerifyReport::Summary() const {
  return absl::StrCat(
      what, " of catalog ", catalog_id.empty() ? "(no id)" : catalog_id,
      ": last sequence ", last_sequence, ", ", changes, " changes, ", entities,
      " entities, ", statements, " statements, ", index_entries,
      " index entries: ",
      problem_count == 0 ? std::string("clean")
                         : absl::StrCat(problem_count, " problem",
                                        problem_count == 1 ? "" : "s"));
}

absl::StatusOr<VerifyReport> VerifyStoredCatalog(const Storage& storage,
                                                 const VerifyOptions& options) {
  VerifyReport report;
  report.what = "data folder";
  Verifier verifier(storage, &report, options.max_problems);
  if (absl::Status s = verifier.Run(); !s.ok()) return s;
  return report;
}

absl::StatusOr<VerifyReport> VerifyCatalogFolder(const std::string& path,
                                                 const VerifyOptions& options) {
  if (!IsRocksDbBackupDirectory(path)) {
    absl::StatusOr<std::unique_ptr<Storage>> storage =
        OpenRocksDbStorageReadOnly(path, options.verify_checksums);
    if (!storage.ok()) return storage.status();
    return VerifyStoredCatalog(**storage, options);
  }
  std::vector<StorageBackup> backups;
  absl::StatusOr<std::unique_ptr<Storage>> storage =
      OpenLatestRocksDbBackupReadOnly(path, &backups);
  if (!storage.ok()) return storage.status();
  absl::StatusOr<VerifyReport> report = VerifyStoredCatalog(**storage, options);
  if (!report.ok()) return report;
  const StorageBackup& latest = backups.back();
  report->what = absl::StrCat("backup ", latest.backup_id, " (latest of ",
                              backups.size(), ", every file checksummed)");
  std::string catalog_id;
  int64_t last_sequence = 0;
  absl::Status metadata =
      DecodeBackupMetadata(latest.metadata, &catalog_id, &last_sequence);
  Problems problems(&*report, options.max_problems);
  if (!metadata.ok()) {
    problems.Add(
        absl::StrCat("backup ", latest.backup_id, ": ", metadata.message()));
  } else if (catalog_id != report->catalog_id ||
             last_sequence != report->last_sequence) {
    problems.Add(absl::StrCat(
        "backup ", latest.backup_id, ": recorded catalog_id ", catalog_id,
        " at sequence ", last_sequence, " but holds catalog_id ",
        report->catalog_id, " at sequence ", report->last_sequence));
  }
  return report;
}

}  // namespace annals::catalog
