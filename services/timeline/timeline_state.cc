#include "services/timeline/timeline_state.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/io/coded_stream.h"
#include "services/common/fingerprint.h"
#include "services/common/page_token.h"
#include "services/common/status/errors.h"
#include "services/common/temporal/allen.h"
#include "services/common/temporal/edtf.h"
#include "services/common/temporal/gaps.h"
#include "services/common/types/extent_proto.h"

namespace annals::timeline {
namespace {

using temporal::Certainty;
using temporal::Day;
using temporal::Extent;

constexpr absl::string_view kEntityPrefix = "entities/";
constexpr absl::string_view kStatementPrefix = "statements/";
constexpr absl::string_view kEventKind = "event";
constexpr int kDefaultPageSize = 50;
constexpr int64_t kMaxBuckets = 5000;
constexpr int kMaxBatchSnapshots = 1000;
// google.protobuf.Timestamp's valid range: 0001-01-01 to 9999-12-31.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

std::string_view Std(absl::string_view text) {
  return std::string_view(text.data(), text.size());
}

type::v1::Certainty ToProto(Certainty certainty) {
  switch (certainty) {
    case Certainty::kDefinite:
      return type::v1::CERTAINTY_DEFINITE;
    case Certainty::kPossible:
      return type::v1::CERTAINTY_POSSIBLE;
    case Certainty::kNo:
      break;
  }
  return type::v1::CERTAINTY_UNSPECIFIED;
}

// [a-z0-9][a-z0-9-]{0,62}, the catalog's id rule.
bool IsValidId(absl::string_view id) {
  if (id.empty() || id.size() > 63) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && c == '-');
    if (!ok) return false;
  }
  return true;
}

// "{prefix}{id}" or a bare id; returns the id.
absl::StatusOr<std::string> ParseName(absl::string_view field,
                                      absl::string_view name,
                                      absl::string_view prefix) {
  if (name.empty()) {
    return InvalidArgumentError(
        field, absl::StrCat("is required: \"", prefix, "{id}\" or a bare id"));
  }
  absl::string_view id = name;
  absl::ConsumePrefix(&id, prefix);
  if (!IsValidId(id)) {
    return InvalidArgumentError(
        field, absl::StrCat("\"", absl::CEscape(name.substr(0, 128)),
                            "\" is not \"", prefix,
                            "{id}\" or a bare id matching "
                            "[a-z0-9][a-z0-9-]{0,62}"));
  }
  return std::string(id);
}

absl::StatusOr<Day> ParseDayField(absl::string_view field,
                                  absl::string_view text) {
  if (text.empty()) {
    return InvalidArgumentError(field, "is required: a day such as 2021-06-01");
  }
  absl::StatusOr<Day> day = temporal::ParseDay(Std(text));
  if (!day.ok()) return InvalidArgumentError(field, day.status().message());
  return *day;
}

// The days from `from` through `to - 1`: half-open inside, as extents are.
struct Window {
  Day from;
  Day to;
};

// A window from the first day of the date `from` through the last day of
// the date `to`, both EDTF dates of any precision ("2017", "2017-06",
// "2017-06-30", "-0044"); an empty side is unbounded unless `required`.
absl::StatusOr<Window> ParseWindow(absl::string_view from, absl::string_view to,
                                   bool required) {
  Window window{temporal::kMinusInfinity, temporal::kPlusInfinity};
  for (const auto& [field, text] :
       {std::pair<absl::string_view, absl::string_view>("from", from),
        std::pair<absl::string_view, absl::string_view>("to", to)}) {
    if (text.empty() && !required) continue;
    if (text.empty()) {
      return InvalidArgumentError(
          field, "is required: a date such as 2021-06-01, 2021-06 or 2021");
    }
    absl::StatusOr<temporal::DaySpan> span = temporal::ParseDaySpan(Std(text));
    if (!span.ok()) return InvalidArgumentError(field, span.status().message());
    if (field == "from") {
      window.from = span->first;
    } else {
      window.to = span->last + 1;
    }
  }
  if (window.to <= window.from) {
    return InvalidArgumentError(
        "to", absl::StrCat("(", to, ") ends before from (", from,
                           ") starts: the window would hold no day"));
  }
  return window;
}

// With `max_days` > 0, the window must be bounded and at most that long.
absl::Status CheckWindowLength(const Window& window, int max_days) {
  if (max_days <= 0) return absl::OkStatus();
  for (const auto& [field, day] :
       {std::pair<absl::string_view, Day>("from", window.from),
        std::pair<absl::string_view, Day>("to", window.to)}) {
    if (!temporal::IsFinite(day)) {
      return InvalidArgumentError(
          field, absl::StrCat("is required: this server answers windows of "
                              "at most ",
                              max_days, " days"));
    }
  }
  const int64_t days = int64_t{window.to} - window.from;
  if (days > max_days) {
    return InvalidArgumentError(
        "to",
        absl::StrCat("the window from `from` through `to` spans ", days,
                     " days; this server answers at most ", max_days, " days"));
  }
  return absl::OkStatus();
}

// RESOURCE_EXHAUSTED: the response would exceed --max_response_bytes.
// `where` ("requests[17]") names what crossed it; `advice` says what to ask
// for instead.
absl::Status ResponseTooLargeError(absl::string_view where, int64_t limit,
                                   absl::string_view advice) {
  return absl::ResourceExhaustedError(
      absl::StrCat(where, where.empty() ? "" : ": ",
                   "the response would exceed --max_response_bytes (", limit,
                   " bytes); ", advice));
}

absl::StatusOr<int> PageSize(int page_size, int max_page_size) {
  const int default_size = std::min(kDefaultPageSize, max_page_size);
  if (page_size == 0) return default_size;
  if (page_size < 0 || page_size > max_page_size) {
    return InvalidArgumentError(
        "page_size", absl::StrCat(page_size, " is out of range: use 1-",
                                  max_page_size, ", or 0 for ", default_size));
  }
  return page_size;
}

// "" for the sentinels (unbounded sides), else YYYY-MM-DD.
std::string FormatBound(Day day) {
  return temporal::IsFinite(day) ? temporal::FormatDay(day) : std::string();
}

// The range of the half-open days [from, to): `to` becomes the last day.
v1::DayRange ToDayRange(Day from, Day to) {
  v1::DayRange range;
  range.set_from(FormatBound(from));
  range.set_to(FormatBound(temporal::IsFinite(to) ? to - 1 : to));
  return range;
}

v1::DurationRange ToProto(temporal::DurationRange duration) {
  v1::DurationRange range;
  if (duration.min_days != temporal::kUnboundedDays) {
    range.set_min_days(duration.min_days);
  }
  if (duration.max_days != temporal::kUnboundedDays) {
    range.set_max_days(duration.max_days);
  }
  return range;
}

std::string KnownAtText(bool has_known_at,
                        const google::protobuf::Timestamp& known_at) {
  return has_known_at ? absl::StrCat(known_at.seconds(), ".", known_at.nanos())
                      : std::string("now");
}

// Chronological order of items: by the four bounds (unbounded starts first,
// unbounded ends last), then entities before statements, then by id.
struct ChronoKey {
  Day earliest_start;
  Day latest_start;
  Day earliest_end;
  Day latest_end;
  bool statement;
  std::string id;

  auto Tie() const {
    return std::tie(earliest_start, latest_start, earliest_end, latest_end,
                    statement, id);
  }
  friend bool operator<(const ChronoKey& a, const ChronoKey& b) {
    return a.Tie() < b.Tie();
  }
};

std::string EncodePosition(const ChronoKey& key) {
  return absl::StrCat(key.earliest_start, ",", key.latest_start, ",",
                      key.earliest_end, ",", key.latest_end, ",",
                      key.statement ? 1 : 0, ",", key.id);
}

// The inverse of EncodePosition.
bool DecodePosition(absl::string_view position, ChronoKey* key) {
  std::vector<absl::string_view> parts =
      absl::StrSplit(position, absl::MaxSplits(',', 5));
  int statement = 0;
  if (parts.size() != 6 || !absl::SimpleAtoi(parts[0], &key->earliest_start) ||
      !absl::SimpleAtoi(parts[1], &key->latest_start) ||
      !absl::SimpleAtoi(parts[2], &key->earliest_end) ||
      !absl::SimpleAtoi(parts[3], &key->latest_end) ||
      !absl::SimpleAtoi(parts[4], &statement)) {
    return false;
  }
  key->statement = statement != 0;
  key->id = std::string(parts[5]);
  return true;
}

// The page after `token` (all of it when the token is empty) of `sorted`,
// at most `page_size` long, and the token of the next page ("" at the end).
template <typename Item>
absl::StatusOr<std::pair<std::vector<Item>, std::string>> Page(
    std::vector<Item> sorted, absl::string_view secret,
    absl::string_view filters, absl::string_view token, int page_size) {
  auto begin = sorted.begin();
  if (!token.empty()) {
    absl::StatusOr<std::string> position =
        DecodePageToken(secret, filters, token);
    if (!position.ok()) return position.status();
    ChronoKey after;
    if (!DecodePosition(*position, &after)) {
      return InvalidArgumentError("page_token", "is malformed");
    }
    begin = std::upper_bound(
        sorted.begin(), sorted.end(), after,
        [](const ChronoKey& key, const Item& item) { return key < item.key; });
  }
  std::vector<Item> page;
  std::string next;
  for (auto it = begin; it != sorted.end(); ++it) {
    if (static_cast<int>(page.size()) == page_size) {
      next = EncodePageToken(secret, filters, EncodePosition(page.back().key));
      break;
    }
    page.push_back(*it);
  }
  return std::make_pair(std::move(page), std::move(next));
}

}  // namespace

absl::Status SequenceNotAppliedError(int64_t min_sequence, int64_t applied) {
  return absl::UnavailableError(absl::StrCat(
      "min_sequence ", min_sequence,
      " is not applied yet: the timeline has applied the catalog up to "
      "sequence ",
      applied,
      "; retry with a longer deadline, or check that the catalog is "
      "reachable"));
}

// ---------------------------------------------------------------------------
// Query helpers.

absl::StatusOr<TimelineState::RecordTime> TimelineState::ReadPoint(
    bool has_known_at, const google::protobuf::Timestamp& known_at,
    int64_t min_sequence, bool reads_catalog) const {
  if (!stopped_reason_.empty()) return absl::UnavailableError(stopped_reason_);
  if (reads_catalog && !caught_up_) return NotCaughtUpError();
  if (min_sequence < 0) {
    return InvalidArgumentError("min_sequence", "must not be negative");
  }
  if (min_sequence > applied_) {
    return SequenceNotAppliedError(min_sequence, applied_);
  }
  if (!has_known_at) return kNow;
  if (known_at.seconds() < kMinTimestampSeconds ||
      known_at.seconds() > kMaxTimestampSeconds || known_at.nanos() < 0 ||
      known_at.nanos() > 999999999) {
    return InvalidArgumentError(
        "known_at",
        "is not a valid timestamp (0001-01-01 to 9999-12-31, nanos 0 to "
        "999999999)");
  }
  return std::min(stored::RecordTimeOf(known_at), kNow);
}

absl::StatusOr<uint32_t> TimelineState::FindEntity(absl::string_view field,
                                                   absl::string_view name,
                                                   RecordTime at) const {
  absl::StatusOr<std::string> id = ParseName(field, name, kEntityPrefix);
  if (!id.ok()) return id.status();
  auto it = entity_ids_.find(*id);
  if (it == entity_ids_.end() || entities_[*it].first_recorded > at) {
    return NotFoundError(absl::StrCat(kEntityPrefix, *id), field);
  }
  return *it;
}

absl::StatusOr<TimelineState::ItemFilter> TimelineState::MakeFilter(
    v1::ItemType item_type, absl::string_view kind, absl::string_view predicate,
    absl::string_view entity, RecordTime at) const {
  ItemFilter filter;
  switch (item_type) {
    case v1::ITEM_TYPE_UNSPECIFIED:
      break;
    case v1::ITEM_TYPE_LIFESPAN:
      filter.events = filter.statements = false;
      break;
    case v1::ITEM_TYPE_EVENT:
      filter.lifespans = filter.statements = false;
      break;
    case v1::ITEM_TYPE_STATEMENT:
      filter.lifespans = filter.events = false;
      break;
    default:
      return InvalidArgumentError("item_type",
                                  absl::StrCat(static_cast<int>(item_type),
                                               " is not an ItemType value"));
  }
  if (!kind.empty()) {
    auto it = kind_ids_.find(kind);
    if (it == kind_ids_.end()) {
      filter.kind_unknown = true;
    } else {
      filter.kind = it->second;
    }
  }
  if (!predicate.empty()) {
    filter.lifespans = filter.events = false;
    auto it = predicate_ids_.find(predicate);
    if (it == predicate_ids_.end()) {
      filter.predicate_unknown = true;
    } else {
      filter.predicate = it->second;
    }
  }
  if (!entity.empty()) {
    absl::StatusOr<uint32_t> index = FindEntity("entity", entity, at);
    if (!index.ok()) return index.status();
    filter.entity = *index;
  }
  return filter;
}

bool TimelineState::PassesFilter(const ItemFilter& filter,
                                 const ExtentRecord& record,
                                 RecordTime at) const {
  if (record.is_statement) {
    if (!filter.statements) return false;
    if (filter.predicate != kNone && record.facet != filter.predicate) {
      return false;
    }
    if (filter.entity != kNone && record.subject != filter.entity &&
        record.object != filter.entity) {
      return false;
    }
    if (filter.kind != kNone) {
      const stored::EntityValue subject = ReadEntity(record.subject);
      const Revision* revision = stored::RevisionAt(subject.revisions, at);
      if (revision == nullptr || revision->facet != filter.kind) return false;
    }
    return true;
  }
  if (IsEventKind(record.facet) ? !filter.events : !filter.lifespans) {
    return false;
  }
  if (filter.predicate != kNone) return false;
  if (filter.kind != kNone && record.facet != filter.kind) return false;
  if (filter.entity != kNone && record.subject != filter.entity) return false;
  return true;
}

template <typename Fn>
void TimelineState::ForEachItem(const ItemFilter& filter, Day from, Day to,
                                RecordTime at, Fn&& fn) const {
  if (filter.kind_unknown || filter.predicate_unknown) return;
  auto visit = [&](uint32_t id, const ExtentRecord& record) {
    if (record.VisibleAt(at) && PassesFilter(filter, record, at)) {
      fn(id, record);
    }
  };
  auto visit_entry = [&](const IndexedExtent& entry) {
    // Current queries skip retired entries without reading the record.
    if (at == kNow && entry.retired()) return;
    visit(entry.id(), ReadRecord(entry.id()));
  };
  if (filter.entity != kNone) {
    auto visit_if_overlapping = [&](uint32_t id, const ExtentRecord& record) {
      const Extent& extent = record.extent;
      if (extent.earliest_start() < to && extent.latest_end() > from) {
        visit(id, record);
      }
    };
    ForEachRecordOf(filter.entity, 'l', visit_if_overlapping);
    ForEachRecordAbout(filter.entity, visit_if_overlapping);
    return;
  }
  if (filter.statements) {
    if (filter.predicate != kNone) {
      statement_indexes_[filter.predicate].ForEachOverlapping(from, to,
                                                              visit_entry);
    } else {
      for (const IntervalIndex& index : statement_indexes_) {
        index.ForEachOverlapping(from, to, visit_entry);
      }
    }
  }
  if (filter.lifespans || filter.events) {
    for (uint32_t kind = 0; kind < lifespan_indexes_.size(); ++kind) {
      if (filter.kind != kNone && kind != filter.kind) continue;
      if (IsEventKind(kind) ? !filter.events : !filter.lifespans) continue;
      lifespan_indexes_[kind].ForEachOverlapping(from, to, visit_entry);
    }
  }
}

template <typename Fn>
void TimelineState::ForEachRecordOf(uint32_t entity, char role, Fn&& fn) const {
  store_->Scan(stored::AboutPrefix(entity, role),
               [&](absl::string_view key, absl::string_view) {
                 const uint32_t id = stored::TrailingId(key);
                 fn(id, ReadRecord(id));
                 return true;
               });
}

template <typename Fn>
void TimelineState::ForEachRecordAbout(uint32_t entity, Fn&& fn) const {
  ForEachRecordOf(entity, 's', fn);
  // A statement about itself is listed once, as subject.
  ForEachRecordOf(entity, 'o', fn);
}

TimelineState::ExtentRecord TimelineState::ReadRecord(uint32_t id) const {
  ExtentRecord record;
  std::string data;
  if (store_->Get(stored::RecordKey(id), &data)) stored::Decode(data, &record);
  return record;
}

stored::EntityValue TimelineState::ReadEntity(uint32_t entity) const {
  stored::EntityValue value;
  std::string data;
  if (store_->Get(stored::EntityKey(entity), &data)) {
    stored::Decode(data, &value);
  }
  return value;
}

bool TimelineState::ReadStatement(absl::string_view id,
                                  stored::StatementValue* value) const {
  std::string data;
  return store_->Get(stored::StatementKey(id), &data) &&
         stored::Decode(data, value);
}

catalog::v1::Statement TimelineState::StatementAt(const ExtentRecord& record,
                                                  RecordTime at) const {
  catalog::v1::Statement statement;
  stored::StatementValue value;
  if (!ReadStatement(record.statement_id, &value)) return statement;
  const Revision* revision = stored::RevisionAt(value.revisions, at);
  if (revision != nullptr) statement.ParseFromString(revision->resource);
  return statement;
}

catalog::v1::Entity TimelineState::EntityAt(uint32_t entity,
                                            RecordTime at) const {
  catalog::v1::Entity resource;
  const stored::EntityValue value = ReadEntity(entity);
  const Revision* revision = stored::RevisionAt(value.revisions, at);
  if (revision != nullptr) resource.ParseFromString(revision->resource);
  return resource;
}

const std::string& TimelineState::ResourceId(const ExtentRecord& record) const {
  return record.is_statement ? record.statement_id
                             : entities_[record.subject].id;
}

std::string TimelineState::ResourceName(const ExtentRecord& record) const {
  return absl::StrCat(record.is_statement ? kStatementPrefix : kEntityPrefix,
                      ResourceId(record));
}

bool TimelineState::IsEventKind(uint32_t kind) const {
  return kind_names_[kind] == kEventKind;
}

std::string TimelineState::PageSecret() const {
  return absl::StrCat("annals-timeline:", catalog_id_);
}

// ---------------------------------------------------------------------------
// Queries.

absl::StatusOr<v1::GetSnapshotResponse> TimelineState::GetSnapshot(
    const v1::GetSnapshotRequest& request) const {
  absl::ReaderMutexLock lock(&mu_);
  int64_t used = 0;
  absl::StatusOr<v1::GetSnapshotResponse> snapshot =
      SnapshotLocked(request, &used);
  if (absl::IsResourceExhausted(snapshot.status())) {
    return ResponseTooLargeError(
        "entity", limits_.max_response_bytes,
        "ask for one predicate at a time, or page through ListHistory");
  }
  return snapshot;
}

bool TimelineState::Spend(size_t bytes, int64_t* used) const {
  // The tag and length of an embedded message, then the message.
  *used += static_cast<int64_t>(
      1 + google::protobuf::io::CodedOutputStream::VarintSize64(bytes) + bytes);
  return limits_.max_response_bytes <= 0 || *used <= limits_.max_response_bytes;
}

absl::StatusOr<v1::BatchGetSnapshotsResponse> TimelineState::BatchGetSnapshots(
    const v1::BatchGetSnapshotsRequest& request) const {
  if (request.requests_size() > kMaxBatchSnapshots) {
    return InvalidArgumentError(
        "requests",
        absl::StrCat("has ", request.requests_size(), " lookups; at most ",
                     kMaxBatchSnapshots, " are allowed"));
  }
  absl::ReaderMutexLock lock(&mu_);
  // The batch's own read point first, so that a stopped state or an
  // unreached sequence is reported once, for the batch.
  absl::StatusOr<RecordTime> point =
      ReadPoint(false, google::protobuf::Timestamp(), request.min_sequence());
  if (!point.ok()) return point.status();
  v1::BatchGetSnapshotsResponse response;
  // The bytes of the snapshots built so far: the batch stops at the lookup
  // that crosses --max_response_bytes, before building the rest.
  int64_t used = 0;
  for (int i = 0; i < request.requests_size(); ++i) {
    const v1::GetSnapshotRequest& lookup = request.requests(i);
    const std::string prefix = absl::StrCat("requests[", i, "].");
    if (lookup.min_sequence() != 0) {
      return InvalidArgumentError(
          absl::StrCat(prefix, "min_sequence"),
          "must be unset in a batch; set the batch's min_sequence instead");
    }
    absl::StatusOr<v1::GetSnapshotResponse> snapshot =
        SnapshotLocked(lookup, &used);
    if (absl::IsResourceExhausted(snapshot.status())) {
      return ResponseTooLargeError(absl::StrCat("requests[", i, "]"),
                                   limits_.max_response_bytes,
                                   "ask for fewer lookups");
    }
    if (!snapshot.ok()) return PrefixFields(snapshot.status(), prefix);
    *response.add_snapshots() = *std::move(snapshot);
  }
  response.set_sequence(applied_);
  return response;
}

absl::StatusOr<v1::GetSnapshotResponse> TimelineState::SnapshotLocked(
    const v1::GetSnapshotRequest& request, int64_t* used) const {
  absl::StatusOr<RecordTime> at = ReadPoint(
      request.has_known_at(), request.known_at(), request.min_sequence());
  if (!at.ok()) return at.status();
  absl::StatusOr<uint32_t> entity = FindEntity("entity", request.entity(), *at);
  if (!entity.ok()) return entity.status();
  absl::StatusOr<Day> day = ParseDayField("at", request.at());
  if (!day.ok()) return day.status();
  std::optional<uint32_t> predicate;  // kNone when unknown: matches nothing
  if (!request.predicate().empty()) {
    auto it = predicate_ids_.find(request.predicate());
    predicate = it == predicate_ids_.end() ? kNone : it->second;
  }

  struct Held {
    absl::string_view predicate;
    ChronoKey key;
    ExtentRecord record;
    Certainty certainty;
  };
  std::vector<Held> held;
  ForEachRecordAbout(*entity, [&](uint32_t, const ExtentRecord& record) {
    if (!record.VisibleAt(*at)) return;
    if (predicate.has_value() && record.facet != *predicate) return;
    const Certainty certainty = record.extent.HoldsOn(*day);
    if (certainty == Certainty::kNo) return;
    const Extent& e = record.extent;
    held.push_back(
        Held{predicate_names_[record.facet],
             ChronoKey{e.earliest_start(), e.latest_start(), e.earliest_end(),
                       e.latest_end(), true, ResourceId(record)},
             record, certainty});
  });
  std::sort(held.begin(), held.end(), [](const Held& a, const Held& b) {
    return std::tie(a.predicate, a.key) < std::tie(b.predicate, b.key);
  });

  v1::GetSnapshotResponse response;
  *response.mutable_entity() = EntityAt(*entity, *at);
  // The bytes built so far count as they are built (the entity, then each
  // statement), so that a huge entity stops as soon as it is too large.
  int64_t total = *used;
  const auto too_large = [] {
    return absl::ResourceExhaustedError("the response is too large");
  };
  if (!Spend(response.entity().ByteSizeLong(), &total)) return too_large();
  if (response.entity().has_lifespan()) {
    absl::StatusOr<Extent> lifespan =
        FromExtentProto(response.entity().lifespan());
    if (lifespan.ok()) {
      response.set_lifespan_certainty(ToProto(lifespan->HoldsOn(*day)));
    }
  }
  for (const Held& item : held) {
    v1::StatementCertainty* out = response.add_statements();
    *out->mutable_statement() = StatementAt(item.record, *at);
    out->set_certainty(ToProto(item.certainty));
    if (!Spend(out->ByteSizeLong(), &total)) return too_large();
  }
  response.set_sequence(applied_);
  // The whole snapshot as one element of a batch, exactly.
  total = *used;
  const bool fits = Spend(response.ByteSizeLong(), &total);
  *used = total;
  if (!fits) return too_large();
  return response;
}

absl::StatusOr<v1::ListHistoryResponse> TimelineState::ListHistory(
    const v1::ListHistoryRequest& request) const {
  absl::ReaderMutexLock lock(&mu_);
  absl::StatusOr<RecordTime> at = ReadPoint(
      request.has_known_at(), request.known_at(), request.min_sequence());
  if (!at.ok()) return at.status();
  absl::StatusOr<uint32_t> entity = FindEntity("entity", request.entity(), *at);
  if (!entity.ok()) return entity.status();
  absl::StatusOr<int> page_size =
      PageSize(request.page_size(), limits_.max_page_size);
  if (!page_size.ok()) return page_size.status();
  std::optional<uint32_t> predicate;
  if (!request.predicate().empty()) {
    auto it = predicate_ids_.find(request.predicate());
    predicate = it == predicate_ids_.end() ? kNone : it->second;
  }

  struct Entry {
    ChronoKey key;
    ExtentRecord record;
  };
  std::vector<Entry> entries;
  ForEachRecordAbout(*entity, [&](uint32_t, const ExtentRecord& record) {
    if (!record.VisibleAt(*at)) return;
    if (predicate.has_value() && record.facet != *predicate) return;
    const Extent& e = record.extent;
    entries.push_back(
        Entry{ChronoKey{e.earliest_start(), e.latest_start(), e.earliest_end(),
                        e.latest_end(), true, ResourceId(record)},
              record});
  });
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.key < b.key; });

  std::string filters;
  AppendField(&filters, "ListHistory");
  AppendField(&filters, entities_[*entity].id);
  AppendField(&filters, request.predicate());
  AppendField(&filters,
              KnownAtText(request.has_known_at(), request.known_at()));
  auto page = Page(std::move(entries), PageSecret(), filters,
                   request.page_token(), *page_size);
  if (!page.ok()) return page.status();

  v1::ListHistoryResponse response;
  std::string next_page_token = page->second;
  // The page ends early, with a token, once --max_response_bytes is
  // reached; a first entry that alone exceeds it fails.
  int64_t used = 0;
  for (size_t i = 0; i < page->first.size(); ++i) {
    const ExtentRecord& record = page->first[i].record;
    v1::HistoryEntry* out = response.add_entries();
    *out->mutable_statement() = StatementAt(record, *at);
    *out->mutable_duration() = ToProto(record.extent.Duration());
    if (!Spend(out->ByteSizeLong(), &used)) {
      if (i == 0) {
        return ResponseTooLargeError(
            absl::StrCat("entries[0] (", ResourceName(record), ")"),
            limits_.max_response_bytes,
            "this statement alone is larger; raise the limit to read it");
      }
      response.mutable_entries()->RemoveLast();
      next_page_token = EncodePageToken(PageSecret(), filters,
                                        EncodePosition(page->first[i - 1].key));
      break;
    }
  }
  response.set_next_page_token(next_page_token);
  response.set_sequence(applied_);
  return response;
}

absl::StatusOr<v1::QueryWindowResponse> TimelineState::QueryWindow(
    const v1::QueryWindowRequest& request) const {
  absl::ReaderMutexLock lock(&mu_);
  absl::StatusOr<RecordTime> at = ReadPoint(
      request.has_known_at(), request.known_at(), request.min_sequence());
  if (!at.ok()) return at.status();
  absl::StatusOr<Window> window =
      ParseWindow(request.from(), request.to(), /*required=*/false);
  if (!window.ok()) return window.status();
  if (absl::Status length = CheckWindowLength(*window, limits_.max_window_days);
      !length.ok()) {
    return length;
  }
  absl::StatusOr<ItemFilter> filter =
      MakeFilter(request.item_type(), request.kind(), request.predicate(),
                 request.entity(), *at);
  if (!filter.ok()) return filter.status();
  absl::StatusOr<int> page_size =
      PageSize(request.page_size(), limits_.max_page_size);
  if (!page_size.ok()) return page_size.status();

  auto bounds = [](const auto& c) {
    return std::tie(c.earliest_start, c.latest_start, c.earliest_end,
                    c.latest_end);
  };
  std::string filters;
  AppendField(&filters, "QueryWindow");
  AppendField(&filters, request.from());
  AppendField(&filters, request.to());
  AppendField(&filters, absl::StrCat(static_cast<int>(request.item_type())));
  AppendField(&filters, request.kind());
  AppendField(&filters, request.predicate());
  AppendField(&filters, filter->entity == kNone ? std::string()
                                                : entities_[filter->entity].id);
  AppendField(&filters,
              KnownAtText(request.has_known_at(), request.known_at()));
  // The position after which this page starts, from the page token; `after`
  // points into `position`.
  std::string position;
  std::optional<ChronoKey> after;
  if (!request.page_token().empty()) {
    absl::StatusOr<std::string> decoded =
        DecodePageToken(PageSecret(), filters, request.page_token());
    if (!decoded.ok()) return decoded.status();
    position = *std::move(decoded);
    ChronoKey key;
    if (!DecodePosition(position, &key)) {
      return InvalidArgumentError("page_token", "is malformed");
    }
    after = key;
  }

  // Every item that may overlap the window and comes after the token, with
  // just what orders it: a busy window holds a good part of the data, so
  // only the page is sorted and turned into resources (ADR 5).
  struct Candidate {
    Day earliest_start, latest_start, earliest_end, latest_end;
    uint32_t record;
  };
  auto key_of = [this](const Candidate& c) ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    const ExtentRecord record = ReadRecord(c.record);
    return ChronoKey{c.earliest_start, c.latest_start,      c.earliest_end,
                     c.latest_end,     record.is_statement, ResourceId(record)};
  };
  // Past the token: the bounds decide unless they are equal.
  auto past_token = [&](const Candidate& c) ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    if (!after.has_value()) return true;
    if (bounds(c) != bounds(*after)) return bounds(*after) < bounds(c);
    return *after < key_of(c);
  };
  // The page and the one item after it, which says whether there is more.
  const size_t wanted = static_cast<size_t>(*page_size) + 1;
  std::vector<Candidate> candidates;
  const Day from = window->from;
  const Day to = window->to;
  const bool current = *at == kNow && filter->entity == kNone &&
                       (filter->kind == kNone || !filter->statements) &&
                       !filter->kind_unknown && !filter->predicate_unknown;
  if (current) {
    // The current state without per-record filters: the index entries
    // carry the bounds, so records are only read for the page (and to break
    // ties with the token). Each index yields its entries in start order
    // and stops once it has `wanted` past the token (ADR 5).
    auto take = [&](const IndexedExtent& e) ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      if (e.retired() || e.Overlaps(from, to) == Certainty::kNo) return false;
      const Candidate c{e.earliest_start, e.latest_start, e.earliest_end,
                        e.latest_end, e.id()};
      if (!past_token(c)) return false;
      candidates.push_back(c);
      return true;
    };
    const Day min_start =
        after.has_value() ? after->earliest_start : temporal::kMinusInfinity;
    auto walk = [&](const IntervalIndex& index) {
      index.ForEachOverlappingByStart(from, to, min_start, wanted, take);
    };
    if (filter->statements) {
      for (uint32_t p = 0; p < statement_indexes_.size(); ++p) {
        if (filter->predicate != kNone && p != filter->predicate) continue;
        walk(statement_indexes_[p]);
      }
    }
    if (filter->predicate == kNone) {
      for (uint32_t kind = 0; kind < lifespan_indexes_.size(); ++kind) {
        if (filter->kind != kNone && kind != filter->kind) continue;
        if (IsEventKind(kind) ? !filter->events : !filter->lifespans) continue;
        walk(lifespan_indexes_[kind]);
      }
    }
  } else {
    ForEachItem(*filter, from, to, *at,
                [&](uint32_t id, const ExtentRecord& record)
                    ABSL_SHARED_LOCKS_REQUIRED(mu_) {
                      const Extent& e = record.extent;
                      if (e.Overlaps(from, to) == Certainty::kNo) return;
                      const Candidate c{e.earliest_start(), e.latest_start(),
                                        e.earliest_end(), e.latest_end(), id};
                      if (past_token(c)) candidates.push_back(c);
                    });
  }
  // Chronological order; the record is read only to break a tie.
  auto before = [&](const Candidate& a, const Candidate& b)
                    ABSL_SHARED_LOCKS_REQUIRED(mu_) {
                      if (bounds(a) != bounds(b)) return bounds(a) < bounds(b);
                      return key_of(a) < key_of(b);
                    };

  if (candidates.size() > wanted) {
    std::nth_element(candidates.begin(), candidates.begin() + wanted,
                     candidates.end(), before);
    candidates.resize(wanted);
  }
  std::sort(candidates.begin(), candidates.end(), before);
  std::string next_page_token;
  if (candidates.size() == wanted) {
    candidates.pop_back();
    next_page_token = EncodePageToken(
        PageSecret(), filters, EncodePosition(key_of(candidates.back())));
  }

  v1::QueryWindowResponse response;
  // The page ends early, with a token, once --max_response_bytes is
  // reached; a first item that alone exceeds it fails.
  int64_t used = 0;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const ExtentRecord record = ReadRecord(candidates[i].record);
    v1::WindowItem* out = response.add_items();
    out->set_certainty(ToProto(record.extent.Overlaps(from, to)));
    if (record.is_statement) {
      out->set_item_type(v1::ITEM_TYPE_STATEMENT);
      *out->mutable_statement() = StatementAt(record, *at);
    } else {
      out->set_item_type(IsEventKind(record.facet) ? v1::ITEM_TYPE_EVENT
                                                   : v1::ITEM_TYPE_LIFESPAN);
      *out->mutable_entity() = EntityAt(record.subject, *at);
    }
    if (!Spend(out->ByteSizeLong(), &used)) {
      if (i == 0) {
        return ResponseTooLargeError(
            absl::StrCat("items[0] (", ResourceName(record), ")"),
            limits_.max_response_bytes,
            "this item alone is larger; raise the limit to read it");
      }
      response.mutable_items()->RemoveLast();
      next_page_token = EncodePageToken(
          PageSecret(), filters, EncodePosition(key_of(candidates[i - 1])));
      break;
    }
  }
  response.set_next_page_token(next_page_token);
  response.set_sequence(applied_);
  return response;
}

absl::StatusOr<v1::RelateResponse> TimelineState::Relate(
    const v1::RelateRequest& request) const {
  absl::ReaderMutexLock lock(&mu_);
  // Two literal extents are related without the catalog: such a call
  // answers even before the catch-up.
  auto reads_catalog = [](const v1::ExtentReference& ref) {
    return ref.reference_case() == v1::ExtentReference::kLifespan ||
           ref.reference_case() == v1::ExtentReference::kStatement;
  };
  absl::StatusOr<RecordTime> at = ReadPoint(
      request.has_known_at(), request.known_at(), request.min_sequence(),
      reads_catalog(request.a()) || reads_catalog(request.b()));
  if (!at.ok()) return at.status();

  auto resolve =
      [&](absl::string_view field, const v1::ExtentReference& ref)
          ABSL_SHARED_LOCKS_REQUIRED(mu_) -> absl::StatusOr<type::v1::Extent> {
    switch (ref.reference_case()) {
      case v1::ExtentReference::kLifespan: {
        const std::string subfield = absl::StrCat(field, ".lifespan");
        absl::StatusOr<uint32_t> entity =
            FindEntity(subfield, ref.lifespan(), *at);
        if (!entity.ok()) return entity.status();
        const catalog::v1::Entity resource = EntityAt(*entity, *at);
        if (!resource.has_lifespan()) {
          return FailedPreconditionError(
              "NO_LIFESPAN", resource.name(),
              absl::StrCat("has no lifespan to relate (", subfield, ")"));
        }
        return resource.lifespan();
      }
      case v1::ExtentReference::kStatement: {
        const std::string subfield = absl::StrCat(field, ".statement");
        absl::StatusOr<std::string> id =
            ParseName(subfield, ref.statement(), kStatementPrefix);
        if (!id.ok()) return id.status();
        const std::string name = absl::StrCat(kStatementPrefix, *id);
        stored::StatementValue value;
        const Revision* revision =
            ReadStatement(*id, &value)
                ? stored::RevisionAt(value.revisions, *at)
                : nullptr;
        if (revision == nullptr) return NotFoundError(name, subfield);
        if (revision->hidden) {
          return FailedPreconditionError(
              "RETRACTED", name, absl::StrCat("is retracted (", subfield, ")"));
        }
        catalog::v1::Statement statement;
        statement.ParseFromString(revision->resource);
        return statement.valid_time();
      }
      case v1::ExtentReference::kEdtf: {
        absl::StatusOr<type::v1::Extent> extent = ParseExtentProto(ref.edtf());
        if (!extent.ok()) {
          return InvalidArgumentError(absl::StrCat(field, ".edtf"),
                                      extent.status().message());
        }
        return *std::move(extent);
      }
      case v1::ExtentReference::REFERENCE_NOT_SET:
        break;
    }
    return InvalidArgumentError(field,
                                "is required: set lifespan, statement or edtf");
  };
  absl::StatusOr<type::v1::Extent> a_proto = resolve("a", request.a());
  if (!a_proto.ok()) return a_proto.status();
  absl::StatusOr<type::v1::Extent> b_proto = resolve("b", request.b());
  if (!b_proto.ok()) return b_proto.status();
  // Both were validated by the catalog or just above.
  absl::StatusOr<Extent> a = FromExtentProto(*a_proto);
  if (!a.ok()) return a.status();
  absl::StatusOr<Extent> b = FromExtentProto(*b_proto);
  if (!b.ok()) return b.status();

  const temporal::AllenSet relations = temporal::Relate(*a, *b);
  v1::RelateResponse response;
  for (int i = 0; i < temporal::kAllenRelationCount; ++i) {
    const auto relation = static_cast<temporal::AllenRelation>(i);
    if (relations.Contains(relation)) {
      response.add_relations(
          std::string(temporal::AllenRelationName(relation)));
    }
  }
  const auto single = relations.single();
  response.set_definite(single.has_value() &&
                        temporal::RelationCertainty(*a, *single, *b) ==
                            Certainty::kDefinite);
  *response.mutable_a_extent() = *std::move(a_proto);
  *response.mutable_b_extent() = *std::move(b_proto);
  response.set_sequence(applied_);
  return response;
}

absl::StatusOr<v1::FindGapsResponse> TimelineState::FindGaps(
    const v1::FindGapsRequest& request) const {
  absl::ReaderMutexLock lock(&mu_);
  absl::StatusOr<RecordTime> at = ReadPoint(
      request.has_known_at(), request.known_at(), request.min_sequence());
  if (!at.ok()) return at.status();
  absl::StatusOr<uint32_t> subject =
      FindEntity("subject", request.subject(), *at);
  if (!subject.ok()) return subject.status();
  absl::StatusOr<Window> window =
      ParseWindow(request.from(), request.to(), /*required=*/false);
  if (!window.ok()) return window.status();
  if (absl::Status length = CheckWindowLength(*window, limits_.max_window_days);
      !length.ok()) {
    return length;
  }
  std::optional<uint32_t> predicate;
  if (!request.predicate().empty()) {
    auto it = predicate_ids_.find(request.predicate());
    predicate = it == predicate_ids_.end() ? kNone : it->second;
  }

  std::vector<Extent> extents;
  ForEachRecordOf(*subject, 's', [&](uint32_t, const ExtentRecord& record) {
    if (!record.VisibleAt(*at)) return;
    if (predicate.has_value() && record.facet != *predicate) {
      return;
    }
    extents.push_back(record.extent);
  });
  const temporal::Gaps gaps =
      temporal::FindGaps(extents, window->from, window->to);
  v1::FindGapsResponse response;
  for (const temporal::DayRange& range : gaps.definite) {
    *response.add_definite_gaps() = ToDayRange(range.from, range.to);
  }
  for (const temporal::DayRange& range : gaps.possible) {
    *response.add_possible_gaps() = ToDayRange(range.from, range.to);
  }
  response.set_statement_count(static_cast<int32_t>(extents.size()));
  response.set_sequence(applied_);
  return response;
}

absl::StatusOr<v1::CountActiveResponse> TimelineState::CountActive(
    const v1::CountActiveRequest& request) const {
  absl::ReaderMutexLock lock(&mu_);
  absl::StatusOr<RecordTime> at = ReadPoint(
      request.has_known_at(), request.known_at(), request.min_sequence());
  if (!at.ok()) return at.status();
  if (request.bucket() != v1::BUCKET_YEAR &&
      request.bucket() != v1::BUCKET_MONTH) {
    return InvalidArgumentError("bucket",
                                request.bucket() == v1::BUCKET_UNSPECIFIED
                                    ? "is required: BUCKET_YEAR or BUCKET_MONTH"
                                    : "is not a Bucket value");
  }
  absl::StatusOr<Window> window =
      ParseWindow(request.from(), request.to(), /*required=*/true);
  if (!window.ok()) return window.status();
  if (absl::Status length = CheckWindowLength(*window, limits_.max_window_days);
      !length.ok()) {
    return length;
  }
  absl::StatusOr<ItemFilter> filter =
      MakeFilter(request.item_type(), request.kind(), request.predicate(),
                 request.entity(), *at);
  if (!filter.ok()) return filter.status();

  // Bucket i is [starts[i], ends[i]), calendar years or months clipped to
  // the window.
  const bool monthly = request.bucket() == v1::BUCKET_MONTH;
  const absl::CivilDay first = temporal::CivilFromDay(window->from);
  const absl::CivilDay last = temporal::CivilFromDay(window->to - 1);
  const int64_t count = monthly ? (last.year() - first.year()) * 12 +
                                      last.month() - first.month() + 1
                                : last.year() - first.year() + 1;
  if (count > kMaxBuckets) {
    return InvalidArgumentError(
        "to", absl::StrCat("the window has ", count, " buckets; at most ",
                           kMaxBuckets, " are allowed"));
  }
  std::vector<Day> starts = {window->from};
  std::vector<Day> ends;
  if (monthly) {
    for (absl::CivilMonth m = absl::CivilMonth(first) + 1;
         m <= absl::CivilMonth(last); ++m) {
      starts.push_back(temporal::DayFromCivil(absl::CivilDay(m)));
    }
  } else {
    for (absl::CivilYear y = absl::CivilYear(first) + 1;
         y <= absl::CivilYear(last); ++y) {
      starts.push_back(temporal::DayFromCivil(absl::CivilDay(y)));
    }
  }
  ends.assign(starts.begin() + 1, starts.end());
  ends.push_back(window->to);
  const int64_t n = static_cast<int64_t>(starts.size());

  // Difference arrays: an item adds 1 to a run of consecutive buckets.
  std::vector<int64_t> possible(n + 1, 0);
  std::vector<int64_t> definite(n + 1, 0);
  // The buckets [f, t) with t > a and f < b: from the first bucket ending
  // after a to the last one starting before b.
  auto run = [&](Day a, Day b, std::vector<int64_t>& diff) {
    const int64_t lo =
        std::upper_bound(ends.begin(), ends.end(), a) - ends.begin();
    const int64_t hi =
        (std::lower_bound(starts.begin(), starts.end(), b) - starts.begin()) -
        1;
    if (lo <= hi) {
      ++diff[lo];
      --diff[hi + 1];
    }
  };
  // Some reading overlaps [f, t) iff earliest_start < t and latest_end > f;
  // every reading does iff latest_start < t and earliest_end > f (the
  // closed form of Extent::Overlaps; see IndexedExtent::Overlaps).
  auto add = [&](Day es, Day ls, Day ee, Day le, bool uncertain) {
    run(es, le, possible);
    if (!uncertain) run(ls, ee, definite);
  };
  const bool fast = *at == kNow && filter->kind == kNone &&
                    !filter->kind_unknown && filter->entity == kNone &&
                    !filter->predicate_unknown;
  if (fast) {
    // Current state, no per-record filter: the indexes answer from their
    // bounds alone, and the records are never read. Each index either
    // counts every bucket (IntervalIndex::CountOverlapping, O(log n) per
    // bucket: a stabbing count costs a few binary searches) or, when that
    // would scan more, walks its entries over the window once.
    std::vector<int64_t> bucket_definite(n, 0);
    std::vector<int64_t> bucket_possible(n, 0);
    int64_t longest_bucket = 0;
    for (int64_t i = 0; i < n; ++i) {
      longest_bucket = std::max(longest_bucket, int64_t{ends[i]} - starts[i]);
    }
    auto count_index = [&](const IntervalIndex& index) {
      const OverlapCount whole =
          index.CountOverlapping(window->from, window->to);
      if (whole.definite + whole.possible == 0) return;
      const int64_t per_bucket_cost =
          static_cast<int64_t>(index.CountScanSize(longest_bucket)) + 64;
      if (n * per_bucket_cost <= whole.definite + whole.possible || n == 1) {
        for (int64_t i = 0; i < n; ++i) {
          const OverlapCount c =
              n == 1 ? whole : index.CountOverlapping(starts[i], ends[i]);
          bucket_definite[i] += c.definite;
          bucket_possible[i] += c.possible;
        }
        return;
      }
      index.ForEachOverlapping(
          window->from, window->to, [&](const IndexedExtent& e) {
            if (e.retired()) return;
            add(e.earliest_start, e.latest_start, e.earliest_end, e.latest_end,
                e.uncertain());
          });
    };
    if (filter->statements) {
      for (uint32_t p = 0; p < statement_indexes_.size(); ++p) {
        if (filter->predicate != kNone && p != filter->predicate) continue;
        count_index(statement_indexes_[p]);
      }
    }
    for (uint32_t kind = 0; kind < lifespan_indexes_.size(); ++kind) {
      if (IsEventKind(kind) ? !filter->events : !filter->lifespans) continue;
      count_index(lifespan_indexes_[kind]);
    }
    // Into the difference arrays: bucket i alone.
    for (int64_t i = 0; i < n; ++i) {
      possible[i] += bucket_definite[i] + bucket_possible[i];
      possible[i + 1] -= bucket_definite[i] + bucket_possible[i];
      definite[i] += bucket_definite[i];
      definite[i + 1] -= bucket_definite[i];
    }
  } else {
    ForEachItem(*filter, window->from, window->to, *at,
                [&](uint32_t, const ExtentRecord& record) {
                  const Extent& e = record.extent;
                  add(e.earliest_start(), e.latest_start(), e.earliest_end(),
                      e.latest_end(), e.uncertain());
                });
  }

  v1::CountActiveResponse response;
  int64_t possible_sum = 0;
  int64_t definite_sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    possible_sum += possible[i];
    definite_sum += definite[i];
    v1::BucketCount* bucket = response.add_buckets();
    *bucket->mutable_range() = ToDayRange(starts[i], ends[i]);
    bucket->set_definite(definite_sum);
    bucket->set_possible(possible_sum - definite_sum);
  }
  response.set_sequence(applied_);
  return response;
}

}  // namespace annals::timeline
