#include "services/catalog/catalog.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/catalog/revisions.h"
#include "services/catalog/startup_checks.h"
#include "services/catalog/storage/keys.h"
#include "services/catalog/transaction.h"
#include "services/catalog/validation.h"
#include "services/common/fingerprint.h"
#include "services/common/page_token.h"
#include "services/common/status/errors.h"
#include "services/common/types/extent_proto.h"

namespace annals::catalog {
namespace {

using google::protobuf::util::MessageDifferencer;
std::string RandomStatementId() {
  static absl::Mutex mu(absl::kConstInit);
  static absl::BitGen* gen = new absl::BitGen();
  absl::MutexLock lock(&mu);
  return absl::StrFormat("s-%016x", absl::Uniform<uint64_t>(*gen));
}

std::string NewCatalogId() {
  absl::BitGen gen;
  return absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(gen),
                         absl::Uniform<uint64_t>(gen));
}

// Scans [start, limit) from after `resume_key` (or from `start`) and pages
// through items that `accept` keeps. `accept` returns an error to stop the
// scan with it, true to take the item, false to skip it.
// What ScanPage's callback did with an item.
enum class Accept {
  kSkip,  // filtered out: not counted
  kTake,  // on the page (or, past page_size, proof that more exist)
  kFull,  // exists but does not fit: the page ends before it
};

struct PageScan {
  Space space;
  std::string start;
  std::string limit;
};

absl::Status ScanPage(
    const Storage& storage, const PageScan& scan, absl::string_view resume_key,
    int page_size,
    const std::function<absl::StatusOr<Accept>(
        absl::string_view key, absl::string_view value)>& accept,
    std::string* last_key, bool* more) {
  std::string from = scan.start;
  if (!resume_key.empty()) {
    if (resume_key < scan.start ||
        (!scan.limit.empty() && resume_key >= scan.limit)) {
      return InvalidArgumentError("page_token", "does not belong to this list");
    }
    from = std::string(resume_key);
    from.push_back('\0');  // the smallest key after resume_key
  }
  int taken = 0;
  *more = false;
  absl::Status error;
  absl::Status scan_status =
      storage.Scan(scan.space, from, scan.limit,
                   [&](absl::string_view key, absl::string_view value) {
                     absl::StatusOr<Accept> keep = accept(key, value);
                     if (!keep.ok()) {
                       error = keep.status();
                       return false;
                     }
                     if (*keep == Accept::kSkip) return true;
                     if (taken == page_size || *keep == Accept::kFull) {
                       // One more item exists beyond the page: it is not taken.
                       *more = true;
                       return false;
                     }
                     ++taken;
                     *last_key = std::string(key);
                     return true;
                   });
  if (!error.ok()) return error;
  return scan_status;
}

// Counts the bytes of a List response as items are added, against
// --max_response_bytes (0: no limit).
class ResponseBudget {
 public:
  explicit ResponseBudget(int64_t limit) : limit_(limit) {}

  // Whether an item of `bytes` (an embedded message) still fits; if so it
  // is counted. When not even the first item fits, fails with
  // RESOURCE_EXHAUSTED naming the limit and `item`.
  absl::StatusOr<bool> Add(size_t bytes, bool first, absl::string_view item) {
    // The tag and length of an embedded message, then the message.
    const int64_t size = static_cast<int64_t>(
        1 + google::protobuf::io::CodedOutputStream::VarintSize64(bytes) +
        bytes);
    if (limit_ <= 0 || used_ + size <= limit_) {
      used_ += size;
      return true;
    }
    if (!first) return false;
    return absl::ResourceExhaustedError(absl::StrCat(
        item, " (", bytes, " bytes) alone would exceed --max_response_bytes (",
        limit_, " bytes); read it with a Get call"));
  }

 private:
  const int64_t limit_;
  int64_t used_ = 16;  // next_page_token's tag and length, roughly
};

}  // namespace

absl::StatusOr<std::unique_ptr<Catalog>> Catalog::Open(
    std::unique_ptr<Storage> storage, CatalogOptions options) {
  absl::StatusOr<std::optional<std::string>> last =
      storage->Get(Space::kMeta, std::string(keys::kLastSequence));
  if (!last.ok()) return last.status();
  int64_t head = 0;
  if (last->has_value() && (!absl::SimpleAtoi(**last, &head) || head < 0)) {
    return absl::DataLossError("stored last sequence is corrupt");
  }
  absl::StatusOr<std::optional<std::string>> id =
      storage->Get(Space::kMeta, std::string(keys::kCatalogId));
  if (!id.ok()) return id.status();
  // Before anything is written: the store must be a sound catalog's, or new.
  if (absl::Status s = CheckStoredInvariants(*storage, head, id->has_value());
      !s.ok()) {
    return s;
  }
  std::string catalog_id;
  if (id->has_value()) {
    catalog_id = **id;
  } else {
    catalog_id = NewCatalogId();
    WriteSet init;
    init.Put(Space::kMeta, std::string(keys::kCatalogId), catalog_id);
    if (absl::Status s = storage->Write(init); !s.ok()) return s;
  }
  return std::unique_ptr<Catalog>(new Catalog(
      std::move(storage), std::move(options), std::move(catalog_id), head));
}

Catalog::Catalog(std::unique_ptr<Storage> storage, CatalogOptions options,
                 std::string catalog_id, int64_t head)
    : storage_(std::move(storage)),
      options_(std::move(options)),
      catalog_id_(std::move(catalog_id)),
      notifier_(head),
      last_sequence_(head),
      last_commit_time_(absl::InfinitePast()),
      referents_(std::make_unique<ReferentCache>()) {}

Catalog::~Catalog() { Close().IgnoreError(); }

absl::Status Catalog::Close() {
  absl::MutexLock lock(&write_mu_);
  return storage_->Close();
}

// A write request waiting in the commit queue. Lives on its caller's stack
// until `done`.
struct Catalog::Writer {
  absl::string_view method;
  absl::string_view request_id;
  std::string fingerprint;  // of the request, when it has a request id
  const google::protobuf::Message* request = nullptr;
  google::protobuf::Message* response = nullptr;
  const std::function<absl::Status(Transaction&)>* body = nullptr;
  absl::Status status;
  bool done = false;
};

absl::Status Catalog::RunWrite(
    absl::string_view method, absl::string_view request_id,
    const google::protobuf::Message& request,
    google::protobuf::Message* response,
    const std::function<absl::Status(Transaction&)>& body) {
  Writer self;
  self.method = method;
  self.request_id = request_id;
  if (!request_id.empty()) {
    self.fingerprint = RequestFingerprint(method, request);
  }
  self.request = &request;
  self.response = response;
  self.body = &body;

  // LevelDB's writer queue: wait until this request is either committed by
  // another writer's group or at the front of the queue, and then commit
  // the group of requests queued behind it with one synced batch.
  std::vector<Writer*> group;
  {
    absl::MutexLock lock(&queue_mu_);
    queue_.push_back(&self);
    auto ready = [this, &self]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_) {
      return self.done || queue_.front() == &self;
    };
    queue_mu_.Await(absl::Condition(&ready));
    if (self.done) return self.status;
    const size_t size = std::min(queue_.size(), kMaxCommitGroup);
    group.assign(queue_.begin(), queue_.begin() + size);
  }

  const int64_t committed = CommitGroup(group);
  // Readers of the feed learn of the commit before any writer of the group
  // returns, so an acknowledged write is always visible in the feed.
  if (committed > 0) notifier_.Publish(committed);

  absl::MutexLock lock(&queue_mu_);
  for (Writer* writer : group) {
    queue_.pop_front();
    writer->done = true;
  }
  return self.status;
}

int64_t Catalog::CommitGroup(const std::vector<Writer*>& group) {
  absl::MutexLock lock(&write_mu_);
  PendingWrites pending;
  WriteSet writes;
  int64_t sequence = last_sequence_;
  absl::Time commit_time = last_commit_time_;
  std::vector<Writer*> written;  // the writers whose writes are in `writes`
  for (Writer* writer : group) {
    writer->status = Apply(*writer, pending, writes, sequence, commit_time);
    if (writer->status.ok()) written.push_back(writer);
  }
  if (writes.empty()) return 0;
  const absl::Status stored = storage_->Write(writes);
  // Even after a failure: a write that failed late may still be replayed.
  referents_->Forget(writes);
  if (!stored.ok()) {
    for (Writer* writer : written) writer->status = stored;
    return 0;
  }
  const bool advanced = sequence > last_sequence_;
  last_sequence_ = sequence;
  last_commit_time_ = commit_time;
  return advanced ? sequence : 0;
}

absl::Status Catalog::Apply(Writer& writer, PendingWrites& pending,
                            WriteSet& writes, int64_t& sequence,
                            absl::Time& commit_time) {
  Transaction txn(*storage_, sequence, std::max(options_.clock(), commit_time),
                  &pending, referents_.get());
  const std::string request_id(writer.request_id);
  if (!request_id.empty()) {
    absl::StatusOr<std::optional<std::string>> record =
        txn.Get(Space::kRequests, request_id);
    if (!record.ok()) return record.status();
    if (record->has_value()) {
      absl::string_view stored = **record;
      if (stored.substr(0, writer.fingerprint.size()) != writer.fingerprint) {
        return FailedPreconditionError(
            "REQUEST_ID_REUSED", "request_id",
            absl::StrCat("\"", request_id,
                         "\" was already used for a different request; "
                         "use a new request_id for a new request"));
      }
      return ParseInto(stored.substr(writer.fingerprint.size()),
                       writer.response, "request record");
    }
  }
  if (absl::Status s = (*writer.body)(txn); !s.ok()) return s;
  if (!request_id.empty()) {
    txn.Put(
        Space::kRequests, request_id,
        absl::StrCat(writer.fingerprint, writer.response->SerializeAsString()));
  }
  if (txn.has_changes()) {
    txn.Put(Space::kMeta, std::string(keys::kLastSequence),
            absl::StrCat(txn.last_sequence()));
    sequence = txn.last_sequence();
    commit_time = txn.now();
  }
  txn.MoveInto(pending, writes);
  return absl::OkStatus();
}

absl::StatusOr<v1::Entity> Catalog::CreateEntity(
    const v1::CreateEntityRequest& request) {
  std::string id = request.entity_id();
  if (id.empty() && !request.entity().name().empty()) {
    absl::StatusOr<std::string> from_name =
        ParseEntityName("entity.name", request.entity().name());
    if (!from_name.ok()) return from_name.status();
    id = *from_name;
  }
  if (absl::Status s = ValidateId("entity_id", id); !s.ok()) return s;
  if (!request.entity().name().empty() &&
      request.entity().name() != EntityName(id) &&
      request.entity().name() != id) {
    return InvalidArgumentError(
        "entity.name",
        absl::StrCat("\"",
                     absl::CEscape(request.entity().name().substr(0, 128)),
                     "\" does not match entity_id \"", id, "\""));
  }
  if (absl::Status s = ValidateRequestId("request_id", request.request_id());
      !s.ok()) {
    return s;
  }
  absl::StatusOr<v1::Entity> entity =
      NormalizeEntity("entity.", request.entity());
  if (!entity.ok()) return entity.status();
  entity->set_name(EntityName(id));

  v1::Entity response;
  auto body = [&](Transaction& txn) -> absl::Status {
    absl::StatusOr<std::optional<v1::Entity>> existing = txn.LoadEntity(id);
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) {
      return AlreadyExistsError(EntityName(id), "entity_id");
    }
    if (absl::Status s = txn.CheckEntityReferences(*entity, "entity.");
        !s.ok()) {
      return s;
    }
    response = *entity;
    if (request.validate_only()) return absl::OkStatus();
    *response.mutable_create_time() = ToProto(txn.now());
    txn.SaveEntity(response, nullptr, v1::CHANGE_TYPE_CREATED);
    return absl::OkStatus();
  };
  if (request.validate_only()) {
    // Same checks, nothing committed.
    Transaction txn(*storage_, head_sequence(), absl::Now());
    if (absl::Status s = body(txn); !s.ok()) return s;
    return response;
  }
  if (absl::Status s = RunWrite("CreateEntity", request.request_id(), request,
                                &response, body);
      !s.ok()) {
    return s;
  }
  return response;
}

absl::StatusOr<v1::Entity> Catalog::GetEntity(
    const v1::GetEntityRequest& request) const {
  if (absl::Status s =
          ValidateLine("name", request.name(), kMaxLabelLength + 16,
                       /*required=*/true);
      !s.ok()) {
    return s;
  }
  absl::string_view key = request.name();
  if (absl::StartsWith(key, kEntityCollection)) {
    key.remove_prefix(kEntityCollection.size());
  }
  Transaction reader(*storage_, 0, absl::Now());
  if (IsValidId(key)) {
    absl::StatusOr<std::optional<v1::Entity>> entity =
        reader.LoadEntity(std::string(key));
    if (!entity.ok()) return entity.status();
    if (entity->has_value()) return **entity;
  }
  // Not an id: look the text up among labels and aliases.
  std::string prefix = keys::NamePrefix(keys::NormalizeName(key));
  std::vector<std::string> matches;
  absl::Status scan = storage_->Scan(
      Space::kIndex, prefix, keys::PrefixEnd(prefix),
      [&matches](absl::string_view index_key, absl::string_view) {
        matches.emplace_back(keys::IndexTarget(index_key));
        return matches.size() < 10;
      });
  if (!scan.ok()) return scan;
  if (matches.empty()) {
    return NotFoundError(IsValidId(key)
                             ? EntityName(key)
                             : absl::StrCat("entity named \"", key, "\""),
                         "name");
  }
  if (matches.size() > 1) {
    return FailedPreconditionError(
        "AMBIGUOUS_NAME", request.name(),
        absl::StrCat("names several entities (", absl::StrJoin(matches, ", "),
                     "); ask for one by id"));
  }
  absl::StatusOr<std::optional<v1::Entity>> entity =
      reader.LoadEntity(matches.front());
  if (!entity.ok()) return entity.status();
  if (!entity->has_value()) {
    return absl::DataLossError(
        absl::StrCat("alias index points at missing entity ", matches.front()));
  }
  return **entity;
}

absl::StatusOr<v1::ListEntitiesResponse> Catalog::ListEntities(
    const v1::ListEntitiesRequest& request) const {
  absl::StatusOr<int> page_size = ValidatePageSize(
      "page_size", request.page_size(), options_.max_page_size);
  if (!page_size.ok()) return page_size.status();
  if (!request.kind().empty() && !IsValidKind(request.kind())) {
    return InvalidArgumentError(
        "kind", absl::StrCat("\"", absl::CEscape(request.kind().substr(0, 64)),
                             "\" is not a lowercase word"));
  }
  if (!request.id_prefix().empty()) {
    bool ok = request.id_prefix().size() <= kMaxIdLength &&
              std::all_of(request.id_prefix().begin(),
                          request.id_prefix().end(), [](char c) {
                            return (c >= 'a' && c <= 'z') ||
                                   (c >= '0' && c <= '9') || c == '-';
                          });
    if (!ok) {
      return InvalidArgumentError("id_prefix",
                                  "may only contain a-z, 0-9 and '-' (at most "
                                  "63 characters)");
    }
  }
  std::string filters;
  AppendField(&filters, "entities");
  AppendField(&filters, request.kind());
  AppendField(&filters, request.id_prefix());
  AppendField(&filters, request.show_deleted() ? "1" : "0");
  std::string resume;
  if (!request.page_token().empty()) {
    absl::StatusOr<std::string> key =
        DecodePageToken(catalog_id_, filters, request.page_token());
    if (!key.ok()) return key.status();
    resume = *std::move(key);
  }

  PageScan scan;
  bool by_kind = !request.kind().empty();
  if (by_kind) {
    scan.space = Space::kIndex;
    scan.start = keys::KindKey(request.kind(), request.id_prefix());
    scan.limit = keys::PrefixEnd(scan.start);
  } else {
    scan.space = Space::kEntities;
    scan.start = request.id_prefix();
    scan.limit = keys::PrefixEnd(scan.start);
  }

  v1::ListEntitiesResponse response;
  ResponseBudget budget(options_.max_response_bytes);
  Transaction reader(*storage_, 0, absl::Now());
  std::string last_key;
  bool more = false;
  absl::Status status = ScanPage(
      *storage_, scan, resume, *page_size,
      [&](absl::string_view key,
          absl::string_view value) -> absl::StatusOr<Accept> {
        v1::Entity entity;
        if (by_kind) {
          absl::StatusOr<std::optional<v1::Entity>> loaded =
              reader.LoadEntity(std::string(keys::IndexTarget(key)));
          if (!loaded.ok()) return loaded.status();
          if (!loaded->has_value()) return Accept::kSkip;
          entity = **std::move(loaded);
        } else if (absl::Status s = ParseInto(value, &entity, "entity");
                   !s.ok()) {
          return s;
        }
        if (entity.has_delete_time() && !request.show_deleted()) {
          return Accept::kSkip;
        }
        if (response.entities_size() < *page_size) {
          absl::StatusOr<bool> fits =
              budget.Add(entity.ByteSizeLong(), response.entities_size() == 0,
                         entity.name());
          if (!fits.ok()) return fits.status();
          if (!*fits) return Accept::kFull;
          *response.add_entities() = std::move(entity);
        }
        return Accept::kTake;
      },
      &last_key, &more);
  if (!status.ok()) return status;
  if (more) {
    response.set_next_page_token(
        EncodePageToken(catalog_id_, filters, last_key));
  }
  return response;
}

namespace {

// The updatable entity fields, for update masks.
constexpr absl::string_view kEntityFields[] = {
    "kind",       "label",    "aliases",         "description",
    "attributes", "lifespan", "lifespan_sources"};

void CopyEntityField(absl::string_view field, const v1::Entity& from,
                     v1::Entity* to) {
  if (field == "kind") to->set_kind(from.kind());
  if (field == "label") to->set_label(from.label());
  if (field == "aliases") *to->mutable_aliases() = from.aliases();
  if (field == "description") to->set_description(from.description());
  if (field == "attributes") *to->mutable_attributes() = from.attributes();
  if (field == "lifespan") {
    if (from.has_lifespan()) {
      *to->mutable_lifespan() = from.lifespan();
    } else {
      // The sources of a lifespan go with it.
      to->clear_lifespan();
      to->clear_lifespan_sources();
    }
  }
  if (field == "lifespan_sources") {
    *to->mutable_lifespan_sources() = from.lifespan_sources();
  }
}

bool EntityFieldPopulated(absl::string_view field, const v1::Entity& entity) {
  if (field == "kind") return !entity.kind().empty();
  if (field == "label") return !entity.label().empty();
  if (field == "aliases") return entity.aliases_size() > 0;
  if (field == "description") return !entity.description().empty();
  if (field == "attributes") return !entity.attributes().empty();
  if (field == "lifespan") return entity.has_lifespan();
  if (field == "lifespan_sources") return entity.lifespan_sources_size() > 0;
  return false;
}

}  // namespace

absl::StatusOr<v1::Entity> Catalog::UpdateEntity(
    const v1::UpdateEntityRequest& request) {
  absl::StatusOr<std::string> id =
      ParseEntityName("entity.name", request.entity().name());
  if (!id.ok()) return id.status();
  if (absl::Status s = ValidateRequestId("request_id", request.request_id());
      !s.ok()) {
    return s;
  }
  std::vector<absl::string_view> fields;
  if (request.update_mask().paths_size() == 0) {
    for (absl::string_view field : kEntityFields) {
      if (EntityFieldPopulated(field, request.entity()))
        fields.push_back(field);
    }
  } else {
    for (const std::string& path : request.update_mask().paths()) {
      if (path == "*") {
        fields.assign(std::begin(kEntityFields), std::end(kEntityFields));
        break;
      }
      auto known =
          std::find(std::begin(kEntityFields), std::end(kEntityFields), path);
      if (known == std::end(kEntityFields)) {
        return InvalidArgumentError(
            "update_mask",
            absl::StrCat("\"", absl::CEscape(path.substr(0, 64)),
                         "\" is not an updatable field; use kind, label, "
                         "aliases, description, attributes, lifespan, "
                         "lifespan_sources or *"));
      }
      fields.push_back(*known);
    }
  }

  v1::Entity response;
  auto body = [&](Transaction& txn) -> absl::Status {
    absl::StatusOr<std::optional<v1::Entity>> existing = txn.LoadEntity(*id);
    if (!existing.ok()) return existing.status();
    if (!existing->has_value()) {
      return NotFoundError(EntityName(*id), "entity.name");
    }
    const v1::Entity& current = **existing;
    if (!request.entity().etag().empty() &&
        request.entity().etag() != current.etag()) {
      return EtagMismatchError(current.name(), request.entity().etag(),
                               current.etag());
    }
    if (current.has_delete_time()) {
      return FailedPreconditionError("DELETED", current.name(),
                                     "is deleted and cannot be updated");
    }
    v1::Entity merged = EntityContent(current);
    for (absl::string_view field : fields) {
      CopyEntityField(field, request.entity(), &merged);
    }
    absl::StatusOr<v1::Entity> normalized = NormalizeEntity("entity.", merged);
    if (!normalized.ok()) return normalized.status();
    normalized->set_name(current.name());
    if (MessageDifferencer::Equivalent(*normalized, EntityContent(current))) {
      response = current;  // nothing to change
      return absl::OkStatus();
    }
    if (absl::Status s = txn.CheckEntityReferences(*normalized, "entity.");
        !s.ok()) {
      return s;
    }
    response = *std::move(normalized);
    *response.mutable_create_time() = current.create_time();
    if (request.validate_only()) return absl::OkStatus();
    txn.SaveEntity(response, &current, v1::CHANGE_TYPE_UPDATED);
    return absl::OkStatus();
  };
  if (request.validate_only()) {
    Transaction txn(*storage_, head_sequence(), absl::Now());
    if (absl::Status s = body(txn); !s.ok()) return s;
    return response;
  }
  if (absl::Status s = RunWrite("UpdateEntity", request.request_id(), request,
                                &response, body);
      !s.ok()) {
    return s;
  }
  return response;
}

absl::StatusOr<v1::Entity> Catalog::DeleteEntity(
    const v1::DeleteEntityRequest& request) {
  absl::StatusOr<std::string> id = ParseEntityName("name", request.name());
  if (!id.ok()) return id.status();
  if (absl::Status s = ValidateRequestId("request_id", request.request_id());
      !s.ok()) {
    return s;
  }
  v1::Entity response;
  auto body = [&](Transaction& txn) -> absl::Status {
    absl::StatusOr<std::optional<v1::Entity>> existing = txn.LoadEntity(*id);
    if (!existing.ok()) return existing.status();
    if (!existing->has_value()) return NotFoundError(EntityName(*id), "name");
    v1::Entity current = **existing;
    if (!request.etag().empty() && request.etag() != current.etag()) {
      return EtagMismatchError(current.name(), request.etag(), current.etag());
    }
    if (current.has_delete_time()) {
      return FailedPreconditionError("DELETED", current.name(),
                                     "is already deleted");
    }
    response = current;
    *response.mutable_delete_time() = ToProto(txn.now());
    if (request.validate_only()) return absl::OkStatus();
    txn.SaveEntity(response, &current, v1::CHANGE_TYPE_DELETED);
    return absl::OkStatus();
  };
  if (request.validate_only()) {
    Transaction txn(*storage_, head_sequence(), absl::Now());
    if (absl::Status s = body(txn); !s.ok()) return s;
    return response;
  }
  if (absl::Status s = RunWrite("DeleteEntity", request.request_id(), request,
                                &response, body);
      !s.ok()) {
    return s;
  }
  return response;
}

absl::StatusOr<v1::Statement> Catalog::CreateStatement(
    const v1::CreateStatementRequest& request) {
  std::string id = request.statement_id();
  if (id.empty() && !request.statement().name().empty()) {
    absl::StatusOr<std::string> from_name =
        ParseStatementName("statement.name", request.statement().name());
    if (!from_name.ok()) return from_name.status();
    id = *from_name;
  }
  if (!id.empty()) {
    if (absl::Status s = ValidateId("statement_id", id); !s.ok()) return s;
  }
  if (absl::Status s = ValidateRequestId("request_id", request.request_id());
      !s.ok()) {
    return s;
  }
  absl::StatusOr<v1::Statement> statement =
      NormalizeStatement("statement.", request.statement());
  if (!statement.ok()) return statement.status();
  if (id.empty()) id = RandomStatementId();
  statement->set_name(StatementName(id));

  v1::Statement response;
  auto body = [&](Transaction& txn) -> absl::Status {
    if (absl::Status s = txn.CheckStatementReferences(*statement, "statement.");
        !s.ok()) {
      return s;
    }
    absl::StatusOr<std::optional<v1::Statement>> existing =
        txn.LoadStatement(id);
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) {
      return AlreadyExistsError(StatementName(id), "statement_id");
    }
    response = *statement;
    if (request.validate_only()) return absl::OkStatus();
    *response.mutable_create_time() = ToProto(txn.now());
    txn.SaveStatement(response, nullptr, v1::CHANGE_TYPE_CREATED);
    return absl::OkStatus();
  };
  if (request.validate_only()) {
    Transaction txn(*storage_, head_sequence(), absl::Now());
    if (absl::Status s = body(txn); !s.ok()) return s;
    return response;
  }
  if (absl::Status s = RunWrite("CreateStatement", request.request_id(),
                                request, &response, body);
      !s.ok()) {
    return s;
  }
  return response;
}

absl::StatusOr<v1::Statement> Catalog::GetStatement(
    const v1::GetStatementRequest& request) const {
  absl::StatusOr<std::string> id = ParseStatementName("name", request.name());
  if (!id.ok()) return id.status();
  Transaction reader(*storage_, 0, absl::Now());
  absl::StatusOr<std::optional<v1::Statement>> statement =
      reader.LoadStatement(*id);
  if (!statement.ok()) return statement.status();
  if (!statement->has_value()) return NotFoundError(StatementName(*id), "name");
  return **statement;
}

absl::StatusOr<v1::ListStatementsResponse> Catalog::ListStatements(
    const v1::ListStatementsRequest& request) const {
  absl::StatusOr<int> page_size = ValidatePageSize(
      "page_size", request.page_size(), options_.max_page_size);
  if (!page_size.ok()) return page_size.status();
  std::string subject, object;
  if (!request.subject().empty()) {
    absl::StatusOr<std::string> id =
        ParseEntityName("subject", request.subject());
    if (!id.ok()) return id.status();
    subject = *id;
  }
  if (!request.object().empty()) {
    absl::StatusOr<std::string> id =
        ParseEntityName("object", request.object());
    if (!id.ok()) return id.status();
    object = *id;
  }
  if (!request.predicate().empty() && !IsValidPredicate(request.predicate())) {
    return InvalidArgumentError(
        "predicate",
        absl::StrCat("\"", absl::CEscape(request.predicate().substr(0, 64)),
                     "\" is not snake_case"));
  }
  std::string filters;
  AppendField(&filters, "statements");
  AppendField(&filters, subject);
  AppendField(&filters, request.predicate());
  AppendField(&filters, object);
  AppendField(&filters, request.show_retracted() ? "1" : "0");
  std::string resume;
  if (!request.page_token().empty()) {
    absl::StatusOr<std::string> key =
        DecodePageToken(catalog_id_, filters, request.page_token());
    if (!key.ok()) return key.status();
    resume = *std::move(key);
  }

  PageScan scan;
  scan.space = Space::kIndex;
  if (!subject.empty()) {
    scan.start = keys::SubjectPrefix(subject, request.predicate());
  } else if (!object.empty()) {
    scan.start = keys::ObjectPrefix(object, request.predicate());
  } else if (!request.predicate().empty()) {
    scan.start = keys::PredicatePrefix(request.predicate());
  } else {
    scan.space = Space::kStatements;
  }
  scan.limit = keys::PrefixEnd(scan.start);

  v1::ListStatementsResponse response;
  ResponseBudget budget(options_.max_response_bytes);
  Transaction reader(*storage_, 0, absl::Now());
  std::string object_name = object.empty() ? "" : EntityName(object);
  std::string last_key;
  bool more = false;
  absl::Status status = ScanPage(
      *storage_, scan, resume, *page_size,
      [&](absl::string_view key,
          absl::string_view value) -> absl::StatusOr<Accept> {
        v1::Statement statement;
        if (scan.space == Space::kIndex) {
          absl::StatusOr<std::optional<v1::Statement>> loaded =
              reader.LoadStatement(std::string(keys::IndexTarget(key)));
          if (!loaded.ok()) return loaded.status();
          if (!loaded->has_value()) return Accept::kSkip;
          statement = **std::move(loaded);
        } else if (absl::Status s = ParseInto(value, &statement, "statement");
                   !s.ok()) {
          return s;
        }
        if (statement.has_retract_time() && !request.show_retracted()) {
          return Accept::kSkip;
        }
        if (!object_name.empty() &&
            statement.object().entity() != object_name) {
          return Accept::kSkip;
        }
        if (response.statements_size() < *page_size) {
          absl::StatusOr<bool> fits =
              budget.Add(statement.ByteSizeLong(),
                         response.statements_size() == 0, statement.name());
          if (!fits.ok()) return fits.status();
          if (!*fits) return Accept::kFull;
          *response.add_statements() = std::move(statement);
        }
        return Accept::kTake;
      },
      &last_key, &more);
  if (!status.ok()) return status;
  if (more) {
    response.set_next_page_token(
        EncodePageToken(catalog_id_, filters, last_key));
  }
  return response;
}

absl::StatusOr<v1::Statement> Catalog::RetractStatement(
    const v1::RetractStatementRequest& request) {
  absl::StatusOr<std::string> id = ParseStatementName("name", request.name());
  if (!id.ok()) return id.status();
  if (absl::Status s =
          ValidateLine("reason", request.reason(), kMaxLabelLength * 4,
                       /*required=*/false);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = ValidateRequestId("request_id", request.request_id());
      !s.ok()) {
    return s;
  }
  v1::Statement response;
  auto body = [&](Transaction& txn) -> absl::Status {
    absl::StatusOr<std::optional<v1::Statement>> existing =
        txn.LoadStatement(*id);
    if (!existing.ok()) return existing.status();
    if (!existing->has_value()) {
      return NotFoundError(StatementName(*id), "name");
    }
    v1::Statement current = **existing;
    if (!request.etag().empty() && request.etag() != current.etag()) {
      return EtagMismatchError(current.name(), request.etag(), current.etag());
    }
    if (current.has_retract_time()) {
      return FailedPreconditionError("RETRACTED", current.name(),
                                     "is already retracted");
    }
    response = current;
    *response.mutable_retract_time() = ToProto(txn.now());
    response.set_retract_reason(request.reason());
    if (request.validate_only()) return absl::OkStatus();
    txn.SaveStatement(response, &current, v1::CHANGE_TYPE_RETRACTED);
    return absl::OkStatus();
  };
  if (request.validate_only()) {
    Transaction txn(*storage_, head_sequence(), absl::Now());
    if (absl::Status s = body(txn); !s.ok()) return s;
    return response;
  }
  if (absl::Status s = RunWrite("RetractStatement", request.request_id(),
                                request, &response, body);
      !s.ok()) {
    return s;
  }
  return response;
}

absl::StatusOr<std::vector<v1::Change>> Catalog::ReadChanges(
    int64_t after_sequence, int max_changes, size_t max_bytes) const {
  std::vector<v1::Change> changes;
  if (after_sequence < 0) {
    return InvalidArgumentError("after_sequence", "must not be negative");
  }
  // Nothing follows the largest sequence (and after_sequence + 1 would
  // overflow).
  if (after_sequence == std::numeric_limits<int64_t>::max()) return changes;
  int64_t expected = after_sequence + 1;
  size_t bytes = 0;
  absl::Status error;
  absl::Status status = storage_->Scan(
      Space::kChanges, keys::EncodeSequence(expected), "",
      [&](absl::string_view key, absl::string_view value) {
        std::optional<uint64_t> sequence = keys::DecodeSequence(key);
        if (!sequence.has_value() ||
            static_cast<int64_t>(*sequence) != expected) {
          error = absl::DataLossError(
              absl::StrCat("change log has a gap before sequence ", expected));
          return false;
        }
        v1::Change change;
        if (absl::Status s = ParseInto(value, &change, "change"); !s.ok()) {
          error = s;
          return false;
        }
        changes.push_back(std::move(change));
        bytes += value.size();
        ++expected;
        return static_cast<int>(changes.size()) < max_changes &&
               bytes < max_bytes;
      });
  if (!error.ok()) return error;
  if (!status.ok()) return status;
  return changes;
}

}  // namespace annals::catalog
