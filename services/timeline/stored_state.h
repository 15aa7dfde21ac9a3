// How TimelineState lays out its state in its TimelineStore: the keys and
// the values' encodings.
//
// Keys (each starts with one letter naming its kind; ids are big-endian so
// that keys sort by id):
//   M{name}                  meta: format, sequence, catalog id, ...
//   E{entity}                an entity: its id, current lifespan record,
//                            and every revision
//   T{statement id}          a statement: its current record and every
//                            revision
//   R{record}                an extent record (see Record)
//   A{entity}{role}{record}  the entity's records, by role: 'l' its
//                            lifespans, 's' statements with it as subject,
//                            'o' as object (not also subject); empty value
//   P{predicate}, K{kind}    the interned predicate and kind names
//
// The store is derived state: a folder written by another format version
// is cleared and rebuilt, never read (kFormat).
#ifndef ANNALS_SERVICES_TIMELINE_STORED_STATE_H_
#define ANNALS_SERVICES_TIMELINE_STORED_STATE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"
#include "services/common/temporal/extent.h"

namespace annals::timeline::stored {

// Bumped whenever a key or value changes shape.
inline constexpr absl::string_view kFormat = "annals-timeline-store 1";

// Record times are nanoseconds since the Unix epoch; kForever is "not
// retired".
using RecordTime = int64_t;
inline constexpr RecordTime kForever = INT64_MAX;
inline constexpr uint32_t kNone = UINT32_MAX;

// Nanoseconds since the epoch, saturated to the int64 range (years
// 1678-2261 are exact; record times are real clock readings).
RecordTime RecordTimeOf(const google::protobuf::Timestamp& time);

struct Revision {
  RecordTime recorded = 0;
  int64_t sequence = 0;
  // Predicate id (statements) or kind id (entities).
  uint32_t facet = 0;
  // Retracted statement or deleted entity.
  bool hidden = false;
  // The serialized catalog::v1::Statement or catalog::v1::Entity.
  std::string resource;
};

struct EntityValue {
  std::string id;
  uint32_t lifespan_record = kNone;  // current, if any
  std::vector<Revision> revisions;   // in record order
};

struct StatementValue {
  uint32_t record = kNone;  // current, if any
  std::vector<Revision> revisions;
};

// An extent to fill in (a single day, 2000-01-01) until a Record is
// decoded over it.
const temporal::Extent& PlaceholderExtent();

// What a revision puts on the time line, visible in record time
// [recorded, retired).
struct Record {
  temporal::Extent extent = PlaceholderExtent();
  RecordTime recorded = 0;
  RecordTime retired = kForever;
  // Predicate id (statements) or kind id (lifespans).
  uint32_t facet = 0;
  // Statements: subject and object entity (kNone for a literal object).
  // Lifespans: the entity itself, and kNone.
  uint32_t subject = kNone;
  uint32_t object = kNone;
  bool is_statement = false;
  std::string statement_id;  // statements only

  bool VisibleAt(RecordTime at) const { return recorded <= at && at < retired; }
};

std::string MetaKey(absl::string_view name);
std::string EntityKey(uint32_t entity);
std::string StatementKey(absl::string_view id);
std::string RecordKey(uint32_t record);
std::string AboutPrefix(uint32_t entity, char role);
std::string AboutKey(uint32_t entity, char role, uint32_t record);
std::string PredicateKey(uint32_t predicate);
std::string KindKey(uint32_t kind);
// The id in the last four bytes of a key.
uint32_t TrailingId(absl::string_view key);

std::string EncodeId(uint32_t id);
std::string Encode(const EntityValue& value);
std::string Encode(const StatementValue& value);
std::string Encode(const Record& record);
// False for a value this format cannot have written.
bool Decode(absl::string_view data, EntityValue* value);
bool Decode(absl::string_view data, StatementValue* value);
bool Decode(absl::string_view data, Record* record);

// The last revision recorded at or before `at`, or nullptr.
const Revision* RevisionAt(const std::vector<Revision>& revisions,
                           RecordTime at);

}  // namespace annals::timeline::stored

#endif  // ANNALS_SERVICES_TIMELINE_STORED_STATE_H_
