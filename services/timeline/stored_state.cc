#include "services/timeline/stored_state.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "absl/base/internal/endian.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace annals::timeline::stored {
namespace {

using google::protobuf::io::CodedInputStream;
using google::protobuf::io::CodedOutputStream;
using google::protobuf::io::StringOutputStream;

// Records copy the extent's bytes: the store is local to this build (a
// folder of another format is rebuilt), so no portable form is needed.
static_assert(std::is_trivially_copyable_v<temporal::Extent>);

std::string Key(char kind, absl::string_view rest) {
  std::string key(1, kind);
  key.append(rest.data(), rest.size());
  return key;
}

void WriteRevisions(const std::vector<Revision>& revisions,
                    CodedOutputStream& out) {
  out.WriteVarint32(static_cast<uint32_t>(revisions.size()));
  for (const Revision& revision : revisions) {
    out.WriteLittleEndian64(static_cast<uint64_t>(revision.recorded));
    out.WriteVarint64(static_cast<uint64_t>(revision.sequence));
    out.WriteVarint32(revision.facet);
    out.WriteVarint32(revision.hidden ? 1 : 0);
    out.WriteVarint32(static_cast<uint32_t>(revision.resource.size()));
    out.WriteString(revision.resource);
  }
}

bool ReadRevisions(CodedInputStream& in, std::vector<Revision>* revisions) {
  uint32_t count = 0;
  if (!in.ReadVarint32(&count)) return false;
  revisions->clear();
  revisions->reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    Revision revision;
    uint64_t recorded = 0;
    uint64_t sequence = 0;
    uint32_t hidden = 0;
    uint32_t size = 0;
    if (!in.ReadLittleEndian64(&recorded) || !in.ReadVarint64(&sequence) ||
        !in.ReadVarint32(&revision.facet) || !in.ReadVarint32(&hidden) ||
        !in.ReadVarint32(&size) || !in.ReadString(&revision.resource, size)) {
      return false;
    }
    revision.recorded = static_cast<RecordTime>(recorded);
    revision.sequence = static_cast<int64_t>(sequence);
    revision.hidden = hidden != 0;
    revisions->push_back(std::move(revision));
  }
  return true;
}

CodedInputStream Input(absl::string_view data) {
  return CodedInputStream(reinterpret_cast<const uint8_t*>(data.data()),
                          static_cast<int>(data.size()));
}

}  // namespace

RecordTime RecordTimeOf(const google::protobuf::Timestamp& time) {
  constexpr int64_t kLimit = INT64_MAX / 1000000000 - 1;
  if (time.seconds() > kLimit) return INT64_MAX - 1;
  if (time.seconds() < -kLimit) return INT64_MIN;
  return time.seconds() * 1000000000 + time.nanos();
}

const temporal::Extent& PlaceholderExtent() {
  static const temporal::Extent* const extent =
      new temporal::Extent(*temporal::Extent::Parse("2000-01-01"));
  return *extent;
}

std::string EncodeId(uint32_t id) {
  std::string bytes(4, '\0');
  absl::big_endian::Store32(bytes.data(), id);
  return bytes;
}

uint32_t TrailingId(absl::string_view key) {
  if (key.size() < 4) return kNone;
  return absl::big_endian::Load32(key.data() + key.size() - 4);
}

std::string MetaKey(absl::string_view name) { return Key('M', name); }
std::string EntityKey(uint32_t entity) { return Key('E', EncodeId(entity)); }
std::string StatementKey(absl::string_view id) { return Key('T', id); }
std::string RecordKey(uint32_t record) { return Key('R', EncodeId(record)); }
std::string PredicateKey(uint32_t predicate) {
  return Key('P', EncodeId(predicate));
}
std::string KindKey(uint32_t kind) { return Key('K', EncodeId(kind)); }

std::string AboutPrefix(uint32_t entity, char role) {
  return absl::StrCat("A", EncodeId(entity), absl::string_view(&role, 1));
}

std::string AboutKey(uint32_t entity, char role, uint32_t record) {
  return absl::StrCat(AboutPrefix(entity, role), EncodeId(record));
}

std::string Encode(const EntityValue& value) {
  std::string data;
  {
    StringOutputStream stream(&data);
    CodedOutputStream out(&stream);
    out.WriteVarint32(static_cast<uint32_t>(value.id.size()));
    out.WriteString(value.id);
    out.WriteLittleEndian32(value.lifespan_record);
    WriteRevisions(value.revisions, out);
  }
  return data;
}

bool Decode(absl::string_view data, EntityValue* value) {
  CodedInputStream in = Input(data);
  uint32_t size = 0;
  return in.ReadVarint32(&size) && in.ReadString(&value->id, size) &&
         in.ReadLittleEndian32(&value->lifespan_record) &&
         ReadRevisions(in, &value->revisions) &&
         in.CurrentPosition() == static_cast<int>(data.size());
}

std::string Encode(const StatementValue& value) {
  std::string data;
  {
    StringOutputStream stream(&data);
    CodedOutputStream out(&stream);
    out.WriteLittleEndian32(value.record);
    WriteRevisions(value.revisions, out);
  }
  return data;
}

bool Decode(absl::string_view data, StatementValue* value) {
  CodedInputStream in = Input(data);
  return in.ReadLittleEndian32(&value->record) &&
         ReadRevisions(in, &value->revisions) &&
         in.CurrentPosition() == static_cast<int>(data.size());
}

// The fixed part of a record, then the statement id.
namespace {
struct PackedRecord {
  temporal::Extent extent;
  RecordTime recorded;
  RecordTime retired;
  uint32_t facet;
  uint32_t subject;
  uint32_t object;
  uint32_t is_statement;
};
static_assert(std::is_trivially_copyable_v<PackedRecord>);
}  // namespace

std::string Encode(const Record& record) {
  const PackedRecord packed{record.extent,
                            record.recorded,
                            record.retired,
                            record.facet,
                            record.subject,
                            record.object,
                            record.is_statement ? 1u : 0u};
  std::string data(sizeof(PackedRecord), '\0');
  std::memcpy(data.data(), &packed, sizeof(PackedRecord));
  data.append(record.statement_id);
  return data;
}

bool Decode(absl::string_view data, Record* record) {
  if (data.size() < sizeof(PackedRecord)) return false;
  PackedRecord packed{PlaceholderExtent(), 0, 0, 0, 0, 0, 0};
  std::memcpy(&packed, data.data(), sizeof(PackedRecord));
  record->extent = packed.extent;
  record->recorded = packed.recorded;
  record->retired = packed.retired;
  record->facet = packed.facet;
  record->subject = packed.subject;
  record->object = packed.object;
  record->is_statement = packed.is_statement != 0;
  data.remove_prefix(sizeof(PackedRecord));
  record->statement_id.assign(data.data(), data.size());
  return true;
}

const Revision* RevisionAt(const std::vector<Revision>& revisions,
                           RecordTime at) {
  auto it = std::upper_bound(revisions.begin(), revisions.end(), at,
                             [](RecordTime t, const Revision& revision) {
                               return t < revision.recorded;
                             });
  return it == revisions.begin() ? nullptr : &*std::prev(it);
}

}  // namespace annals::timeline::stored
