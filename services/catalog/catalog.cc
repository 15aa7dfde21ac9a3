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
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "services/catalog/storage/keys.h"
#include "services/catalog/validation.h"
#include "services/common/fingerprint.h"
#include "services/common/page_token.h"
#include "services/common/status/errors.h"
#include "services/common/types/extent_proto.h"

namespace annals::catalog {
namespace {

using google::protobuf::util::MessageDifferencer;
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

// Index entries of an entity revision: its kind, label and aliases.
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

// Index entries of a statement revision: subject, predicate, object entity.
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

// The writable content of an entity, for "did anything change?".
v1::Entity EntityContent(v1::Entity entity) {
  entity.clear_create_time();
  entity.clear_update_time();
  entity.clear_delete_time();
  entity.clear_etag();
  entity.clear_sequence();
  return entity;
}

v1::Statement StatementContent(v1::Statement statement) {
  statement.clear_create_time();
  statement.clear_update_time();
  statement.clear_retract_time();
  statement.clear_retract_reason();
  statement.clear_etag();
  statement.clear_sequence();
  return statement;
}

// The id an imported statement without a name gets: a fingerprint of its
// content, so that importing the same statement again finds it.
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

// Fingerprint of a write request, minus its request id, for telling a retry
// from a different request that reuses the id.
std::string RequestFingerprint(absl::string_view method,
                               const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  const auto* field = copy->GetDescriptor()->FindFieldByName("request_id");
  if (field != nullptr) copy->GetReflection()->ClearField(copy.get(), field);
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&coded);
  }
  std::string canonical;
  AppendField(&canonical, method);
  AppendField(&canonical, bytes);
  return absl::StrFormat("%016x", Fingerprint64(canonical));
}

// Scans [start, limit) from after `resume_key` (or from `start`) and pages
// through items that `accept` keeps. `accept` returns an error to stop the
// scan with it, true to take the item, false to skip it.
struct PageScan {
  Space space;
  std::string start;
  std::string limit;
};

absl::Status ScanPage(
    const Storage& storage, const PageScan& scan, absl::string_view resume_key,
    int page_size,
    const std::function<absl::StatusOr<bool>(absl::string_view key,
                                             absl::string_view value)>& accept,
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
                     absl::StatusOr<bool> keep = accept(key, value);
                     if (!keep.ok()) {
                       error = keep.status();
                       return false;
                     }
                     if (!*keep) return true;
                     if (taken == page_size) {
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

// Parses a stored resource or change, with fresh extent bounds.
absl::Status ParseInto(absl::string_view bytes, google::protobuf::Message* out,
                       absl::string_view what) {
  if (!out->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(absl::StrCat("stored ", what, " is corrupt"));
  }
  RefreshStoredExtents(out);
  return absl::OkStatus();
}

}  // namespace

// Reads through pending writes (its own, then those of the earlier requests
// of its commit group), collects them, and logs changes at consecutive
// sequences. Lives for one write request, under write_mu_.
class Catalog::Transaction {
 public:
  Transaction(const Storage& storage, int64_t last_sequence, absl::Time now,
              const PendingWrites* group = nullptr)
      : storage_(storage),
        group_(group),
        last_sequence_(last_sequence),
        now_(now) {}

  absl::Time now() const { return now_; }
  int64_t last_sequence() const { return last_sequence_; }
  bool has_changes() const { return changes_ > 0; }
  WriteSet& writes() { return writes_; }

  absl::StatusOr<std::optional<std::string>> Get(Space space,
                                                 const std::string& key) {
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

  // Hands this transaction's writes over to its commit group.
  void MoveInto(PendingWrites& group, WriteSet& writes) {
    for (auto& [key, value] : pending_) group[key] = std::move(value);
    writes.Append(std::move(writes_));
  }

  void Put(Space space, std::string key, std::string value) {
    if (space == Space::kEntities) references_.erase(key);
    if (!WriteOnly(space)) pending_[{space, key}] = value;
    writes_.Put(space, std::move(key), std::move(value));
  }

  void Delete(Space space, std::string key) {
    if (space == Space::kEntities) references_.erase(key);
    if (!WriteOnly(space)) pending_[{space, key}] = std::nullopt;
    writes_.Delete(space, std::move(key));
  }

  absl::StatusOr<std::optional<v1::Entity>> LoadEntity(const std::string& id) {
    absl::StatusOr<std::optional<std::string>> bytes =
        Get(Space::kEntities, id);
    if (!bytes.ok()) return bytes.status();
    if (!bytes->has_value()) return std::nullopt;
    v1::Entity entity;
    if (absl::Status s = ParseInto(**bytes, &entity, "entity"); !s.ok())
      return s;
    return entity;
  }

  absl::StatusOr<std::optional<v1::Statement>> LoadStatement(
      const std::string& id) {
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

  // Stores a new revision of `entity` (replacing `previous`, if any): stamps
  // it with the next sequence, etag and update time, updates the indexes and
  // logs the change.
  void SaveEntity(v1::Entity& entity, const v1::Entity* previous,
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

  void SaveStatement(v1::Statement& statement, const v1::Statement* previous,
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

  // Fails unless `name` ("entities/x") exists and is not deleted; with
  // `required_kind`, it must also be of that kind.
  absl::Status CheckReference(const std::string& name, absl::string_view field,
                              absl::string_view required_kind = "") {
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
      return FailedPreconditionError(
          "WRONG_KIND", name,
          absl::StrCat("is of kind \"", (*entity)->kind, "\", but ", field,
                       " must refer to an entity of kind \"", required_kind,
                       "\""));
    }
    return absl::OkStatus();
  }

  absl::Status CheckStatementReferences(const v1::Statement& statement,
                                        absl::string_view prefix) {
    if (absl::Status s = CheckReference(statement.subject(),
                                        absl::StrCat(prefix, "subject"));
        !s.ok()) {
      return s;
    }
    if (statement.object().has_entity()) {
      if (absl::Status s =
              CheckReference(statement.object().entity(),
                             absl::StrCat(prefix, "object.entity"));
          !s.ok()) {
        return s;
      }
    }
    for (int i = 0; i < statement.sources_size(); ++i) {
      if (absl::Status s = CheckReference(
              statement.sources(i).source(),
              absl::StrCat(prefix, "sources[", i, "].source"), kSourceKind);
          !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  }

  // Fails unless every source that the lifespan of `entity` cites exists, is
  // not deleted and is of kind "source", as for a statement's sources.
  absl::Status CheckEntityReferences(const v1::Entity& entity,
                                     absl::string_view prefix) {
    for (int i = 0; i < entity.lifespan_sources_size(); ++i) {
      if (absl::Status s = CheckReference(
              entity.lifespan_sources(i).source(),
              absl::StrCat(prefix, "lifespan_sources[", i, "].source"),
              kSourceKind);
          !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  }

 private:
  // Index entries and change log entries are written by transactions but
  // never read back through Get (lists scan storage, which only shows
  // committed writes; the feed reads storage). Keeping them out of the
  // pending writes saves a copy of every change and index key, most of a
  // statement's writes; Get refuses them so that a future reader cannot
  // miss its own writes silently.
  static bool WriteOnly(Space space) {
    return space == Space::kIndex || space == Space::kChanges;
  }

  // What a reference check needs to know of an entity id, as this
  // transaction reads it (its own writes, then its commit group's, then
  // storage).
  struct Referent {
    bool exists = false;
    bool deleted = false;
    std::string kind;
  };

  // Field numbers of Change.entity and Change.statement, the last fields of
  // a Change.
  static constexpr int kChangeEntityField = v1::Change::kEntityFieldNumber;
  static constexpr int kChangeStatementField =
      v1::Change::kStatementFieldNumber;

  // The facts about entity `id`, read once per transaction: an import batch
  // cites the same few sources and subjects in many statements. Put and
  // Delete of the entity forget them, so they always match what LoadEntity
  // would return now; the commit group's pending writes and storage do not
  // change while the transaction runs (write_mu_ is held).
  absl::StatusOr<const Referent*> FindReferent(std::string id) {
    auto cached = references_.find(id);
    if (cached != references_.end()) return &cached->second;
    absl::StatusOr<std::optional<v1::Entity>> entity = LoadEntity(id);
    if (!entity.ok()) return entity.status();
    Referent referent;
    if (entity->has_value()) {
      referent.exists = true;
      referent.deleted = (*entity)->has_delete_time();
      referent.kind = (*entity)->kind();
    }
    return &references_.insert_or_assign(std::move(id), std::move(referent))
                .first->second;
  }

  // Logs the change at `sequence` whose resource (field `resource_field`)
  // serializes to `resource`. Protobuf writes fields in number order and the
  // resource is the last field of a Change, so appending its bytes to the
  // other fields' gives exactly the Change's serialization, without copying
  // the resource into a Change and serializing it a second time.
  void Log(int64_t sequence, v1::ChangeType type, int resource_field,
           absl::string_view resource) {
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

  static void AppendVarint(std::string* out, uint64_t value) {
    while (value >= 0x80) {
      out->push_back(static_cast<char>((value & 0x7f) | 0x80));
      value >>= 7;
    }
    out->push_back(static_cast<char>(value));
  }

  void UpdateIndex(const std::set<std::string>& before,
                   const std::set<std::string>& after) {
    for (const std::string& key : before) {
      if (!after.contains(key)) Delete(Space::kIndex, key);
    }
    for (const std::string& key : after) {
      if (!before.contains(key)) Put(Space::kIndex, key, "");
    }
  }

  const Storage& storage_;
  const PendingWrites* const group_;
  int64_t last_sequence_;
  const absl::Time now_;
  int changes_ = 0;
  PendingWrites pending_;
  WriteSet writes_;
  // Entity id -> what FindReferent read; see there.
  std::map<std::string, Referent> references_;
};

absl::StatusOr<std::unique_ptr<Catalog>> Catalog::Open(
    std::unique_ptr<Storage> storage, CatalogOptions options) {
  absl::StatusOr<std::optional<std::string>> last =
      storage->Get(Space::kMeta, std::string(keys::kLastSequence));
  if (!last.ok()) return last.status();
  int64_t head = 0;
  if (last->has_value() && !absl::SimpleAtoi(**last, &head)) {
    return absl::DataLossError("stored last sequence is corrupt");
  }
  // The meta record and the change log are written in one batch, so the
  // change log must end exactly at the recorded sequence.
  absl::StatusOr<std::optional<std::string>> beyond =
      storage->Get(Space::kChanges, keys::EncodeSequence(head + 1));
  if (!beyond.ok()) return beyond.status();
  if (beyond->has_value()) {
    return absl::DataLossError(absl::StrCat(
        "change log continues past the recorded last sequence ", head));
  }
  if (head > 0) {
    absl::StatusOr<std::optional<std::string>> at_head =
        storage->Get(Space::kChanges, keys::EncodeSequence(head));
    if (!at_head.ok()) return at_head.status();
    if (!at_head->has_value()) {
      return absl::DataLossError(
          absl::StrCat("change log has no entry for sequence ", head));
    }
  }

  absl::StatusOr<std::optional<std::string>> id =
      storage->Get(Space::kMeta, std::string(keys::kCatalogId));
  if (!id.ok()) return id.status();
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
      last_commit_time_(absl::InfinitePast()) {}

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
  if (absl::Status s = storage_->Write(writes); !s.ok()) {
    for (Writer* writer : written) writer->status = s;
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
                  &pending);
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
  Transaction reader(*storage_, 0, absl::Now());
  std::string last_key;
  bool more = false;
  absl::Status status = ScanPage(
      *storage_, scan, resume, *page_size,
      [&](absl::string_view key,
          absl::string_view value) -> absl::StatusOr<bool> {
        v1::Entity entity;
        if (by_kind) {
          absl::StatusOr<std::optional<v1::Entity>> loaded =
              reader.LoadEntity(std::string(keys::IndexTarget(key)));
          if (!loaded.ok()) return loaded.status();
          if (!loaded->has_value()) return false;
          entity = **std::move(loaded);
        } else if (absl::Status s = ParseInto(value, &entity, "entity");
                   !s.ok()) {
          return s;
        }
        if (entity.has_delete_time() && !request.show_deleted()) return false;
        if (response.entities_size() < *page_size) {
          *response.add_entities() = std::move(entity);
        }
        return true;
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
  absl::Status status = RunWrite(
      "DeleteEntity", request.request_id(), request, &response,
      [&](Transaction& txn) -> absl::Status {
        absl::StatusOr<std::optional<v1::Entity>> existing =
            txn.LoadEntity(*id);
        if (!existing.ok()) return existing.status();
        if (!existing->has_value())
          return NotFoundError(EntityName(*id), "name");
        v1::Entity current = **existing;
        if (!request.etag().empty() && request.etag() != current.etag()) {
          return EtagMismatchError(current.name(), request.etag(),
                                   current.etag());
        }
        if (current.has_delete_time()) {
          return FailedPreconditionError("DELETED", current.name(),
                                         "is already deleted");
        }
        response = current;
        *response.mutable_delete_time() = ToProto(txn.now());
        txn.SaveEntity(response, &current, v1::CHANGE_TYPE_DELETED);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
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
  Transaction reader(*storage_, 0, absl::Now());
  std::string object_name = object.empty() ? "" : EntityName(object);
  std::string last_key;
  bool more = false;
  absl::Status status = ScanPage(
      *storage_, scan, resume, *page_size,
      [&](absl::string_view key,
          absl::string_view value) -> absl::StatusOr<bool> {
        v1::Statement statement;
        if (scan.space == Space::kIndex) {
          absl::StatusOr<std::optional<v1::Statement>> loaded =
              reader.LoadStatement(std::string(keys::IndexTarget(key)));
          if (!loaded.ok()) return loaded.status();
          if (!loaded->has_value()) return false;
          statement = **std::move(loaded);
        } else if (absl::Status s = ParseInto(value, &statement, "statement");
                   !s.ok()) {
          return s;
        }
        if (statement.has_retract_time() && !request.show_retracted())
          return false;
        if (!object_name.empty() &&
            statement.object().entity() != object_name) {
          return false;
        }
        if (response.statements_size() < *page_size) {
          *response.add_statements() = std::move(statement);
        }
        return true;
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
  absl::Status status = RunWrite(
      "RetractStatement", request.request_id(), request, &response,
      [&](Transaction& txn) -> absl::Status {
        absl::StatusOr<std::optional<v1::Statement>> existing =
            txn.LoadStatement(*id);
        if (!existing.ok()) return existing.status();
        if (!existing->has_value()) {
          return NotFoundError(StatementName(*id), "name");
        }
        v1::Statement current = **existing;
        if (!request.etag().empty() && request.etag() != current.etag()) {
          return EtagMismatchError(current.name(), request.etag(),
                                   current.etag());
        }
        if (current.has_retract_time()) {
          return FailedPreconditionError("RETRACTED", current.name(),
                                         "is already retracted");
        }
        response = current;
        *response.mutable_retract_time() = ToProto(txn.now());
        response.set_retract_reason(request.reason());
        txn.SaveStatement(response, &current, v1::CHANGE_TYPE_RETRACTED);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return response;
}

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
    // After every entity of the batch is saved: a lifespan may cite a source
    // that a later record of the batch creates.
    for (const v1::Entity& entity : entities) {
      std::string prefix =
          absl::StrCat("records[", first_seen.at(entity.name()), "].entity.");
      if (absl::Status s = txn.CheckEntityReferences(entity, prefix); !s.ok()) {
        return s;
      }
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
