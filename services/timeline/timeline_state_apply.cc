// TimelineState: its folder (opening, loading, committing) and applying the
// change feed. The queries are in timeline_state.cc.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "services/common/types/extent_proto.h"
#include "services/timeline/timeline_state.h"

namespace annals::timeline {
namespace {

using temporal::Extent;

constexpr absl::string_view kEntityPrefix = "entities/";
constexpr absl::string_view kStatementPrefix = "statements/";

// Meta keys (stored::MetaKey).
constexpr absl::string_view kFormatKey = "format";
constexpr absl::string_view kSequenceKey = "sequence";
constexpr absl::string_view kLastRecordedKey = "last_recorded";
constexpr absl::string_view kRecordsKey = "records";
constexpr absl::string_view kCatalogIdKey = "catalog_id";
constexpr absl::string_view kLastChangeKey = "last_change";
constexpr absl::string_view kCaughtUpKey = "caught_up";
constexpr absl::string_view kDiscardedKey = "discarded";

constexpr absl::string_view kGenerationKey = "generation";

// The file SaveIndexes writes in the folder, and its first line.
constexpr absl::string_view kIndexesFile = "annals-timeline-indexes";
constexpr absl::string_view kIndexesMagic = "annals-timeline-indexes 1\n";

int64_t ParseInt(const std::string& text) {
  int64_t value = 0;
  return absl::SimpleAtoi(text, &value) ? value : 0;
}

void AppendU64(uint64_t value, std::string* out) {
  out->append(reinterpret_cast<const char*>(&value), sizeof(value));
}

void AppendString(absl::string_view text, std::string* out) {
  AppendU64(text.size(), out);
  out->append(text.data(), text.size());
}

bool ReadU64(absl::string_view* in, uint64_t* value) {
  if (in->size() < sizeof(*value)) return false;
  std::memcpy(value, in->data(), sizeof(*value));
  in->remove_prefix(sizeof(*value));
  return true;
}

bool ReadString(absl::string_view* in, std::string* text) {
  uint64_t size = 0;
  if (!ReadU64(in, &size) || size > in->size()) return false;
  text->assign(in->data(), size);
  in->remove_prefix(size);
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------
// The folder.

TimelineState::TimelineState(TimelineLimits limits)
    : TimelineState(limits, [] {
        absl::StatusOr<std::unique_ptr<TimelineStore>> store =
            TimelineStore::Open(TimelineStoreOptions());
        if (!store.ok()) {
          std::fprintf(stderr, "annals-timeline: %s\n",
                       store.status().ToString().c_str());
          std::abort();
        }
        return *std::move(store);
      }()) {
  absl::Status loaded = Load();
  if (!loaded.ok()) {
    std::fprintf(stderr, "annals-timeline: %s\n", loaded.ToString().c_str());
    std::abort();
  }
}

TimelineState::TimelineState(TimelineLimits limits,
                             std::unique_ptr<TimelineStore> store)
    : limits_(limits), store_(std::move(store)) {}

TimelineState::~TimelineState() = default;

absl::StatusOr<std::unique_ptr<TimelineState>> TimelineState::Open(
    TimelineLimits limits, const TimelineStoreOptions& store_options) {
  absl::StatusOr<std::unique_ptr<TimelineStore>> store =
      TimelineStore::Open(store_options);
  if (!store.ok()) return store.status();
  std::unique_ptr<TimelineState> state(
      new TimelineState(limits, *std::move(store)));
  absl::Status loaded = state->Load();
  if (!loaded.ok()) return loaded;
  return state;
}

absl::Status TimelineState::Load() {
  absl::MutexLock lock(&mu_);
  const absl::Time start = absl::Now();
  std::string format;
  std::string discarded;
  const bool has_format = store_->Get(stored::MetaKey(kFormatKey), &format);
  const bool is_discarded =
      store_->Get(stored::MetaKey(kDiscardedKey), &discarded);
  bool empty = true;
  store_->Scan("", [&](absl::string_view, absl::string_view) {
    empty = false;
    return false;
  });
  if (!empty && !has_format) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--data_dir ", store_->path(),
        " holds a RocksDB database that is not a timeline's (no format "
        "key); refusing to touch it. Give the timeline an empty folder of "
        "its own"));
  }
  if (has_format && (format != stored::kFormat || is_discarded)) {
    store_load_.cleared_reason =
        is_discarded ? absl::StrCat("it was discarded: ", discarded)
                     : absl::StrCat("it was written in format \"", format,
                                    "\", this timeline writes \"",
                                    stored::kFormat, "\"");
    if (absl::Status cleared = store_->Clear(); !cleared.ok()) return cleared;
    std::remove(IndexesPath().c_str());
  } else if (has_format) {
    std::string value;
    if (store_->Get(stored::MetaKey(kSequenceKey), &value)) {
      applied_ = ParseInt(value);
    }
    if (store_->Get(stored::MetaKey(kLastRecordedKey), &value)) {
      last_recorded_ = ParseInt(value);
    }
    if (store_->Get(stored::MetaKey(kRecordsKey), &value)) {
      record_count_ = static_cast<uint32_t>(ParseInt(value));
    }
    store_->Get(stored::MetaKey(kCatalogIdKey), &catalog_id_);
    if (store_->Get(stored::MetaKey(kLastChangeKey), &value)) {
      catalog::v1::Change change;
      if (change.ParseFromString(value)) last_change_ = std::move(change);
    }
    caught_up_ = store_->Get(stored::MetaKey(kCaughtUpKey), &value);
    store_->Get(stored::MetaKey(kGenerationKey), &generation_);
    store_load_.from_saved_indexes = LoadSavedIndexes();
    if (!store_load_.from_saved_indexes) LoadFromRecords();
    store_load_.loaded = true;
  }
  if (generation_.empty()) {
    absl::BitGen random;
    generation_ = absl::StrCat(absl::Hex(absl::Uniform<uint64_t>(random)),
                               absl::Hex(absl::Uniform<uint64_t>(random)));
    store_->Put(stored::MetaKey(kGenerationKey), generation_);
  }
  store_->Put(stored::MetaKey(kFormatKey), stored::kFormat);
  if (absl::Status committed = store_->Commit(); !committed.ok()) {
    return committed;
  }
  store_load_.sequence = applied_;
  store_load_.took = absl::Now() - start;
  return absl::OkStatus();
}

void TimelineState::LoadFromRecords() {
  {
    auto names = [&](char kind, std::vector<std::string>& list,
                     absl::flat_hash_map<std::string, uint32_t>& ids,
                     std::vector<IntervalIndex>& indexes) {
      store_->Scan(absl::string_view(&kind, 1),
                   [&](absl::string_view key, absl::string_view name) {
                     const uint32_t id = stored::TrailingId(key);
                     if (list.size() <= id) list.resize(id + 1);
                     list[id] = std::string(name);
                     ids[name] = id;
                     return true;
                   });
      indexes.resize(list.size());
    };
    names('P', predicate_names_, predicate_ids_, statement_indexes_);
    names('K', kind_names_, kind_ids_, lifespan_indexes_);
    store_->Scan("E", [&](absl::string_view key, absl::string_view data) {
      const uint32_t id = stored::TrailingId(key);
      stored::EntityValue value;
      if (!stored::Decode(data, &value)) return true;
      if (entities_.size() <= id) entities_.resize(id + 1);
      entities_[id].id = value.id;
      entities_[id].first_recorded =
          value.revisions.empty() ? kForever : value.revisions[0].recorded;
      entity_ids_.insert(id);
      return true;
    });
    std::vector<std::vector<IndexedExtent>> statements(
        statement_indexes_.size());
    std::vector<std::vector<IndexedExtent>> lifespans(lifespan_indexes_.size());
    store_->Scan("R", [&](absl::string_view key, absl::string_view data) {
      ExtentRecord record;
      if (!stored::Decode(data, &record)) return true;
      auto& lists = record.is_statement ? statements : lifespans;
      if (record.facet >= lists.size()) return true;
      IndexedExtent entry =
          IndexedExtent::Of(record.extent, stored::TrailingId(key));
      if (record.retired != kForever) entry.MarkRetired();
      lists[record.facet].push_back(entry);
      ++store_load_.records;
      return true;
    });
    for (size_t i = 0; i < statements.size(); ++i) {
      statement_indexes_[i].Load(std::move(statements[i]));
    }
    for (size_t i = 0; i < lifespans.size(); ++i) {
      lifespan_indexes_[i].Load(std::move(lifespans[i]));
    }
  }
}

std::string TimelineState::IndexesPath() const {
  return absl::StrCat(store_->path(), "/", kIndexesFile);
}

absl::Status TimelineState::SaveIndexes() const {
  if (!store_->persistent()) return absl::OkStatus();
  absl::ReaderMutexLock lock(&mu_);                       // no Apply meanwhile
  if (!stopped_reason_.empty()) return absl::OkStatus();  // discarded
  std::string data(kIndexesMagic);
  AppendString(generation_, &data);
  AppendU64(static_cast<uint64_t>(applied_), &data);
  AppendU64(record_count_, &data);
  for (const std::vector<std::string>* names :
       {&predicate_names_, &kind_names_}) {
    AppendU64(names->size(), &data);
    for (const std::string& name : *names) AppendString(name, &data);
  }
  AppendU64(entities_.size(), &data);
  for (const EntityItem& entity : entities_) {
    AppendString(entity.id, &data);
    AppendU64(static_cast<uint64_t>(entity.first_recorded), &data);
  }
  for (const IntervalIndex& index : statement_indexes_) index.Save(&data);
  for (const IntervalIndex& index : lifespan_indexes_) index.Save(&data);
  // Whole or not at all: written aside, synced, then renamed over.
  const std::string path = IndexesPath();
  const std::string temporary = path + ".partial";
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  bool ok = file != nullptr &&
            std::fwrite(data.data(), 1, data.size(), file) == data.size() &&
            std::fflush(file) == 0 && ::fsync(fileno(file)) == 0;
  if (file != nullptr) ok = std::fclose(file) == 0 && ok;
  ok = ok && std::rename(temporary.c_str(), path.c_str()) == 0;
  if (!ok) {
    const int error = errno;
    std::remove(temporary.c_str());
    return absl::InternalError(absl::StrCat("cannot save the indexes to ", path,
                                            ": ", std::strerror(error)));
  }
  return absl::OkStatus();
}

bool TimelineState::LoadSavedIndexes() {
  std::ifstream file(IndexesPath(), std::ios::binary | std::ios::ate);
  if (!file) return false;
  std::string data(static_cast<size_t>(file.tellg()), '\0');
  file.seekg(0);
  if (!file.read(data.data(), static_cast<std::streamsize>(data.size()))) {
    return false;
  }
  absl::string_view in = data;
  std::string generation;
  uint64_t sequence = 0;
  uint64_t records = 0;
  // Only the file saved at this very state of this folder will do.
  if (!absl::ConsumePrefix(&in, kIndexesMagic) ||
      !ReadString(&in, &generation) || generation != generation_ ||
      !ReadU64(&in, &sequence) || sequence != static_cast<uint64_t>(applied_) ||
      !ReadU64(&in, &records) || records != record_count_) {
    return false;
  }
  bool ok = true;
  for (std::vector<std::string>* names : {&predicate_names_, &kind_names_}) {
    uint64_t count = 0;
    ok = ok && ReadU64(&in, &count) && count <= in.size();
    for (uint64_t i = 0; ok && i < count; ++i) {
      names->emplace_back();
      ok = ReadString(&in, &names->back());
    }
  }
  uint64_t entities = 0;
  ok = ok && ReadU64(&in, &entities) && entities <= in.size();
  for (uint64_t i = 0; ok && i < entities; ++i) {
    EntityItem entity;
    uint64_t first_recorded = 0;
    ok = ReadString(&in, &entity.id) && ReadU64(&in, &first_recorded);
    entity.first_recorded = static_cast<RecordTime>(first_recorded);
    entities_.push_back(std::move(entity));
  }
  statement_indexes_.resize(ok ? predicate_names_.size() : 0);
  lifespan_indexes_.resize(ok ? kind_names_.size() : 0);
  for (IntervalIndex& index : statement_indexes_) ok = ok && index.Restore(&in);
  for (IntervalIndex& index : lifespan_indexes_) ok = ok && index.Restore(&in);
  ok = ok && in.empty();
  if (!ok) {
    predicate_names_.clear();
    kind_names_.clear();
    entities_.clear();
    statement_indexes_.clear();
    lifespan_indexes_.clear();
    return false;
  }
  for (uint32_t i = 0; i < predicate_names_.size(); ++i) {
    predicate_ids_[predicate_names_[i]] = i;
  }
  for (uint32_t i = 0; i < kind_names_.size(); ++i) {
    kind_ids_[kind_names_[i]] = i;
  }
  entity_ids_.reserve(entities_.size());
  for (uint32_t i = 0; i < entities_.size(); ++i) {
    entity_ids_.insert(i);
  }
  store_load_.records = record_count_;
  return true;
}

absl::Status TimelineState::CommitLocked() {
  for (const auto& [entity, value] : pending_entities_) {
    store_->Put(stored::EntityKey(entity), stored::Encode(value));
  }
  pending_entities_.clear();
  store_->Put(stored::MetaKey(kSequenceKey), absl::StrCat(applied_));
  store_->Put(stored::MetaKey(kLastRecordedKey), absl::StrCat(last_recorded_));
  store_->Put(stored::MetaKey(kRecordsKey), absl::StrCat(record_count_));
  if (last_change_.has_value()) {
    store_->Put(stored::MetaKey(kLastChangeKey),
                last_change_->SerializeAsString());
  }
  if (caught_up_) store_->Put(stored::MetaKey(kCaughtUpKey), "1");
  absl::Status committed = store_->Commit();
  if (!committed.ok() && stopped_reason_.empty()) {
    // Memory is now ahead of the folder: stop rather than answer from a
    // state a restart would not reload. The folder itself is whole (each
    // commit is atomic), so a restart resumes from it.
    stopped_reason_ = absl::StrCat(committed.message(),
                                   "; the timeline stopped answering. "
                                   "Restart it once the disk is writable");
  }
  return committed;
}

// ---------------------------------------------------------------------------
// Applying the change feed.

template <typename Changes>
absl::Status TimelineState::ApplyAll(const Changes& changes) {
  absl::MutexLock lock(&mu_);
  if (!stopped_reason_.empty()) {
    return absl::FailedPreconditionError(stopped_reason_);
  }
  absl::Status status;
  const catalog::v1::Change* last = nullptr;
  for (const catalog::v1::Change& change : changes) {
    const int64_t before = applied_;
    status = ApplyOne(change);
    if (!status.ok()) break;
    if (applied_ != before) last = &change;
  }
  if (last != nullptr) last_change_ = *last;
  if (!caught_up_ && catch_up_target_ >= 0 && applied_ >= catch_up_target_) {
    caught_up_ = true;  // committed below
  }
  if (absl::Status committed = CommitLocked(); !committed.ok()) {
    return committed;
  }
  return status;
}

absl::Status TimelineState::Apply(
    absl::Span<const catalog::v1::Change> changes) {
  return ApplyAll(changes);
}

absl::Status TimelineState::Apply(
    const google::protobuf::RepeatedPtrField<catalog::v1::Change>& changes) {
  return ApplyAll(changes);
}

absl::Status TimelineState::ApplyOne(const catalog::v1::Change& change) {
  if (change.sequence() <= applied_) return absl::OkStatus();  // repeated
  if (change.sequence() != applied_ + 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("change feed gap: expected sequence ", applied_ + 1,
                     ", received ", change.sequence()));
  }
  // Record times never go backwards (the catalog guarantees it; this keeps
  // each revision list sorted even if it did not).
  RecordTime recorded =
      std::max(stored::RecordTimeOf(change.commit_time()), last_recorded_);
  recorded = std::min(recorded, kNow);
  last_recorded_ = recorded;
  switch (change.resource_case()) {
    case catalog::v1::Change::kEntity:
      ApplyEntity(change, recorded);
      break;
    case catalog::v1::Change::kStatement:
      ApplyStatement(change, recorded);
      break;
    case catalog::v1::Change::RESOURCE_NOT_SET:
      break;
  }
  applied_ = change.sequence();
  return absl::OkStatus();
}

void TimelineState::ApplyEntity(const catalog::v1::Change& change,
                                RecordTime recorded) {
  const catalog::v1::Entity& entity = change.entity();
  absl::string_view id = entity.name();
  absl::ConsumePrefix(&id, kEntityPrefix);
  const uint32_t index = InternEntity(id);
  const uint32_t kind = InternKind(entity.kind());
  const bool hidden = entity.has_delete_time() ||
                      change.type() == catalog::v1::CHANGE_TYPE_DELETED;
  if (entities_[index].first_recorded == kForever) {
    entities_[index].first_recorded = recorded;
  }
  std::optional<Extent> lifespan;
  if (!hidden && entity.has_lifespan()) {
    absl::StatusOr<Extent> parsed = FromExtentProto(entity.lifespan());
    if (parsed.ok()) lifespan = *parsed;
  }
  stored::EntityValue& value = PendingEntity(index);
  value.revisions.push_back(Revision{recorded, change.sequence(), kind, hidden,
                                     entity.SerializeAsString()});
  if (value.lifespan_record != kNone) {
    std::string data;
    ExtentRecord record;
    store_->GetForWrite(stored::RecordKey(value.lifespan_record), &data);
    stored::Decode(data, &record);
    if (!lifespan.has_value() || record.extent != *lifespan ||
        record.facet != kind) {
      RetireRecord(value.lifespan_record, std::move(record), recorded);
      value.lifespan_record = kNone;
    }
  }
  if (lifespan.has_value() && value.lifespan_record == kNone) {
    ExtentRecord record;
    record.extent = *lifespan;
    record.recorded = recorded;
    record.facet = kind;
    record.subject = index;
    const uint32_t id = AddRecord(record);
    value.lifespan_record = id;
    store_->Put(stored::AboutKey(index, 'l', id), "");
  }
}

void TimelineState::ApplyStatement(const catalog::v1::Change& change,
                                   RecordTime recorded) {
  const catalog::v1::Statement& statement = change.statement();
  absl::string_view id = statement.name();
  absl::ConsumePrefix(&id, kStatementPrefix);
  const std::string key = stored::StatementKey(id);
  stored::StatementValue value;
  std::string data;
  // The catalog never reuses a statement's name (statements are retracted,
  // never deleted), so a created one has nothing to read: during a cold
  // rebuild most changes skip the lookup.
  if (change.type() != catalog::v1::CHANGE_TYPE_CREATED &&
      store_->GetForWrite(key, &data)) {
    stored::Decode(data, &value);
  }
  const uint32_t predicate = InternPredicate(statement.predicate());
  absl::string_view subject_id = statement.subject();
  absl::ConsumePrefix(&subject_id, kEntityPrefix);
  const uint32_t subject = InternEntity(subject_id);
  uint32_t object = kNone;
  if (statement.object().has_entity()) {
    absl::string_view object_id = statement.object().entity();
    absl::ConsumePrefix(&object_id, kEntityPrefix);
    object = InternEntity(object_id);
  }
  const bool hidden = statement.has_retract_time() ||
                      change.type() == catalog::v1::CHANGE_TYPE_RETRACTED;
  value.revisions.push_back(Revision{recorded, change.sequence(), predicate,
                                     hidden, statement.SerializeAsString()});

  std::optional<Extent> valid_time;
  if (!hidden && statement.has_valid_time()) {
    absl::StatusOr<Extent> parsed = FromExtentProto(statement.valid_time());
    if (parsed.ok()) valid_time = *parsed;
  }
  if (value.record != kNone) {
    ExtentRecord record;
    store_->GetForWrite(stored::RecordKey(value.record), &data);
    stored::Decode(data, &record);
    const bool same = valid_time.has_value() && record.extent == *valid_time &&
                      record.facet == predicate && record.subject == subject &&
                      record.object == object;
    if (!same) {
      RetireRecord(value.record, std::move(record), recorded);
      value.record = kNone;
    }
  }
  if (valid_time.has_value() && value.record == kNone) {
    ExtentRecord record;
    record.extent = *valid_time;
    record.recorded = recorded;
    record.facet = predicate;
    record.subject = subject;
    record.object = object;
    record.is_statement = true;
    record.statement_id = std::string(id);
    const uint32_t record_id = AddRecord(record);
    value.record = record_id;
    store_->Put(stored::AboutKey(subject, 's', record_id), "");
    if (object != kNone && object != subject) {
      store_->Put(stored::AboutKey(object, 'o', record_id), "");
    }
  }
  store_->Put(key, stored::Encode(value));
}

uint32_t TimelineState::InternEntity(absl::string_view id) {
  auto it = entity_ids_.find(id);
  if (it != entity_ids_.end()) return *it;
  const uint32_t entity = static_cast<uint32_t>(entities_.size());
  entities_.emplace_back();
  entities_.back().id = std::string(id);
  entity_ids_.insert(entity);
  // Written at the commit, so that a reload knows the id.
  PendingEntity(entity);
  return entity;
}

stored::EntityValue& TimelineState::PendingEntity(uint32_t entity) {
  auto [it, inserted] = pending_entities_.try_emplace(entity);
  if (inserted) {
    std::string data;
    if (!store_->Get(stored::EntityKey(entity), &data) ||
        !stored::Decode(data, &it->second)) {
      it->second = stored::EntityValue();
      it->second.id = entities_[entity].id;
    }
  }
  return it->second;
}

uint32_t TimelineState::InternPredicate(absl::string_view name) {
  auto [it, inserted] = predicate_ids_.try_emplace(
      name, static_cast<uint32_t>(predicate_names_.size()));
  if (inserted) {
    predicate_names_.emplace_back(name);
    statement_indexes_.emplace_back();
    store_->Put(stored::PredicateKey(it->second), name);
  }
  return it->second;
}

uint32_t TimelineState::InternKind(absl::string_view name) {
  auto [it, inserted] =
      kind_ids_.try_emplace(name, static_cast<uint32_t>(kind_names_.size()));
  if (inserted) {
    kind_names_.emplace_back(name);
    lifespan_indexes_.emplace_back();
    store_->Put(stored::KindKey(it->second), name);
  }
  return it->second;
}

uint32_t TimelineState::AddRecord(const ExtentRecord& record) {
  const uint32_t id = record_count_++;
  store_->Put(stored::RecordKey(id), stored::Encode(record));
  IndexOf(record).Insert(record.extent, id);
  return id;
}

void TimelineState::RetireRecord(uint32_t id, ExtentRecord record,
                                 RecordTime at) {
  record.retired = at;
  store_->Put(stored::RecordKey(id), stored::Encode(record));
  IndexOf(record).Retire(record.extent, id);
}

IntervalIndex& TimelineState::IndexOf(const ExtentRecord& record) {
  return record.is_statement ? statement_indexes_[record.facet]
                             : lifespan_indexes_[record.facet];
}

// Status and waiting.

int64_t TimelineState::applied_sequence() const {
  absl::ReaderMutexLock lock(&mu_);
  return applied_;
}

absl::Status TimelineState::AwaitSequence(int64_t sequence,
                                          absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  auto ready = [this, sequence]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return applied_ >= sequence || !stopped_reason_.empty();
  };
  mu_.AwaitWithDeadline(absl::Condition(&ready), deadline);
  if (!stopped_reason_.empty()) {
    return absl::UnavailableError(stopped_reason_);
  }
  if (applied_ >= sequence) return absl::OkStatus();
  return SequenceNotAppliedError(sequence, applied_);
}

void TimelineState::SetCatalogId(absl::string_view catalog_id) {
  absl::MutexLock lock(&mu_);
  if (catalog_id_ == catalog_id) return;
  catalog_id_ = std::string(catalog_id);
  store_->Put(stored::MetaKey(kCatalogIdKey), catalog_id_);
  store_->Commit().IgnoreError();  // the next Apply commits it again
}

std::string TimelineState::catalog_id() const {
  absl::ReaderMutexLock lock(&mu_);
  return catalog_id_;
}

std::optional<catalog::v1::Change> TimelineState::last_applied_change() const {
  absl::ReaderMutexLock lock(&mu_);
  return last_change_;
}

void TimelineState::SetStopped(absl::string_view reason) {
  absl::MutexLock lock(&mu_);
  if (!stopped_reason_.empty()) return;
  stopped_reason_ = std::string(reason);
  // Never resume from this folder: the next start rebuilds it.
  store_->Put(stored::MetaKey(kDiscardedKey), reason);
  store_->Commit().IgnoreError();
}

void TimelineState::SetCatalogAddress(absl::string_view address) {
  absl::MutexLock lock(&mu_);
  catalog_address_ = std::string(address);
}

void TimelineState::SetCatchUpTarget(int64_t head) {
  absl::MutexLock lock(&mu_);
  if (caught_up_) return;
  catch_up_target_ = std::max<int64_t>(head, 0);
  if (applied_ >= catch_up_target_) MarkCaughtUpLocked();
}

void TimelineState::MarkCaughtUp() {
  absl::MutexLock lock(&mu_);
  MarkCaughtUpLocked();
}

void TimelineState::MarkCaughtUpLocked() {
  if (caught_up_) return;
  caught_up_ = true;
  store_->Put(stored::MetaKey(kCaughtUpKey), "1");
  store_->Commit().IgnoreError();  // the next Apply commits it again
}

bool TimelineState::caught_up() const {
  absl::ReaderMutexLock lock(&mu_);
  return caught_up_;
}

absl::Status TimelineState::NotCaughtUpError() const {
  const std::string where =
      catalog_address_.empty()
          ? "its catalog"
          : absl::StrCat("its catalog at ", catalog_address_);
  const std::string progress =
      catch_up_target_ < 0
          ? absl::StrCat("it has applied sequence ", applied_,
                         " and has not reached the catalog yet (its head is "
                         "unknown)")
          : absl::StrCat("it has applied sequence ", applied_, " of ",
                         catch_up_target_);
  return absl::UnavailableError(absl::StrCat(
      "the timeline has not yet caught up with ", where, "; ", progress,
      "; answers would miss what the catalog holds, so none is given until "
      "it has caught up: retry later (its health reports SERVING once it "
      "has)"));
}

std::string TimelineState::stopped_reason() const {
  absl::ReaderMutexLock lock(&mu_);
  return stopped_reason_;
}

void TimelineState::CompactIndexes() {
  absl::MutexLock lock(&mu_);
  entities_.shrink_to_fit();
  for (IntervalIndex& index : statement_indexes_) index.Compact();
  for (IntervalIndex& index : lifespan_indexes_) index.Compact();
}

TimelineMemory TimelineState::Memory() const {
  absl::ReaderMutexLock lock(&mu_);
  TimelineMemory memory;
  memory.indexed_extents = record_count_;
  for (const IntervalIndex& index : statement_indexes_) {
    memory.index_bytes += index.MemoryBytes();
  }
  for (const IntervalIndex& index : lifespan_indexes_) {
    memory.index_bytes += index.MemoryBytes();
  }
  memory.entity_bytes = entities_.capacity() * sizeof(EntityItem);
  for (const EntityItem& entity : entities_) {
    if (entity.id.capacity() > 15) memory.entity_bytes += entity.id.capacity();
  }
  // Hash map slots: the key string and value, and a control byte each.
  memory.entity_bytes += entity_ids_.capacity() * (sizeof(uint32_t) + 1);
  memory.store_bytes = static_cast<size_t>(store_->MemoryBytes());
  return memory;
}

}  // namespace annals::timeline
