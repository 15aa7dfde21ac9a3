#include "services/catalog/validation.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "services/common/status/errors.h"
#include "services/common/types/extent_proto.h"

namespace annals::catalog {
namespace {

bool IsLowerDigit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// Returns the byte length of the UTF-8 sequence starting at s[i], or 0 if it
// is malformed (overlong forms, surrogates and values past U+10FFFF too).
size_t Utf8SequenceLength(absl::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t length;
  uint32_t code_point;
  if ((c & 0xe0) == 0xc0) {
    length = 2;
    code_point = c & 0x1f;
  } else if ((c & 0xf0) == 0xe0) {
    length = 3;
    code_point = c & 0x0f;
  } else if ((c & 0xf8) == 0xf0) {
    length = 4;
    code_point = c & 0x07;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i + k) & 0x3f);
  }
  static constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < kMinimum[length] || code_point > 0x10ffff ||
      (code_point >= 0xd800 && code_point <= 0xdfff)) {
    return 0;
  }
  return length;
}

// Checks UTF-8 and control characters; `allow_newlines` admits \n and \t.
absl::Status ValidateText(absl::string_view field, absl::string_view text,
                          size_t max_length, bool required,
                          bool allow_newlines) {
  if (text.empty()) {
    return required ? InvalidArgumentError(field, "is required")
                    : absl::OkStatus();
  }
  if (text.size() > max_length) {
    return InvalidArgumentError(
        field, absl::StrCat("is ", text.size(), " bytes long; the limit is ",
                            max_length));
  }
  for (size_t i = 0; i < text.size();) {
    size_t length = Utf8SequenceLength(text, i);
    if (length == 0) {
      return InvalidArgumentError(
          field, absl::StrCat("is not valid UTF-8 (at byte ", i, ")"));
    }
    unsigned char c = static_cast<unsigned char>(text[i]);
    bool control = c < 0x20 || c == 0x7f;
    if (control && !(allow_newlines && (c == '\n' || c == '\t'))) {
      return InvalidArgumentError(
          field, absl::StrCat("contains control character 0x",
                              absl::Hex(c, absl::kZeroPad2), " at byte ", i));
    }
    i += length;
  }
  return absl::OkStatus();
}

absl::Status ValidateStringMap(
    absl::string_view field,
    const google::protobuf::Map<std::string, std::string>& map) {
  if (map.size() > kMaxMapEntries) {
    return InvalidArgumentError(
        field, absl::StrCat("has ", map.size(), " entries; the limit is ",
                            kMaxMapEntries));
  }
  for (const auto& [key, value] : map) {
    if (!IsValidPredicate(key)) {
      return InvalidArgumentError(
          field, absl::StrCat("key \"", absl::CEscape(key.substr(0, 64)),
                              "\" must be snake_case ([a-z][a-z0-9_]*, at "
                              "most 64 characters)"));
    }
    if (absl::Status s = ValidateLine(absl::StrCat(field, "[", key, "]"), value,
                                      kMaxMapValueLength, /*required=*/false);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateDecimal(absl::string_view field, absl::string_view text) {
  // -?[0-9]+(\.[0-9]+)?, at most 64 characters.
  bool ok = !text.empty() && text.size() <= 64;
  size_t i = 0;
  if (ok && text[0] == '-') ++i;
  size_t digits_start = i;
  while (ok && i < text.size() && absl::ascii_isdigit(text[i])) ++i;
  ok = ok && i > digits_start;
  if (ok && i < text.size() && text[i] == '.') {
    size_t fraction_start = ++i;
    while (i < text.size() && absl::ascii_isdigit(text[i])) ++i;
    ok = i > fraction_start;
  }
  ok = ok && i == text.size();
  if (!ok) {
    return InvalidArgumentError(
        field, absl::StrCat("\"", absl::CEscape(text.substr(0, 64)),
                            "\" is not a decimal number such as 12 or -0.25"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ParseName(absl::string_view field,
                                      absl::string_view name,
                                      absl::string_view collection) {
  if (name.empty()) return InvalidArgumentError(field, "is required");
  absl::string_view id = name;
  if (absl::StartsWith(name, collection)) {
    id.remove_prefix(collection.size());
  } else if (name.find('/') != absl::string_view::npos) {
    return InvalidArgumentError(
        field,
        absl::StrCat("\"", absl::CEscape(name.substr(0, 128)),
                     "\" is not a name of the form \"", collection, "{id}\""));
  }
  if (absl::Status s = ValidateId(field, id); !s.ok()) return s;
  return std::string(id);
}

// FindInvalidUtf8 for a message nested `depth` levels deep.
std::string FindInvalidUtf8At(const google::protobuf::Descriptor& type,
                              absl::string_view bytes, int depth) {
  using google::protobuf::FieldDescriptor;
  google::protobuf::io::CodedInputStream in(
      reinterpret_cast<const uint8_t*>(bytes.data()),
      static_cast<int>(bytes.size()));
  std::map<int, int> occurrences;  // per field number: repeated indexes
  while (const uint32_t tag = in.ReadTag()) {
    switch (tag & 7) {  // the wire type
      case 0: {
        uint64_t varint;
        if (!in.ReadVarint64(&varint)) return "";
        continue;
      }
      case 1: {
        uint64_t fixed;
        if (!in.ReadLittleEndian64(&fixed)) return "";
        continue;
      }
      case 5: {
        uint32_t fixed;
        if (!in.ReadLittleEndian32(&fixed)) return "";
        continue;
      }
      case 2:
        break;
      default:  // groups, which the schema does not use
        return "";
    }
    uint32_t length;
    std::string value;
    if (!in.ReadVarint32(&length) ||
        !in.ReadString(&value, static_cast<int>(length))) {
      return "";
    }
    const int number = static_cast<int>(tag >> 3);
    const FieldDescriptor* field = type.FindFieldByNumber(number);
    if (field == nullptr) continue;
    std::string path = field->name();
    const int index = occurrences[number]++;
    if (field->is_repeated() && !field->is_map()) {
      absl::StrAppend(&path, "[", index, "]");
    }
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      if (!IsValidUtf8(value)) return path;
    } else if (field->type() == FieldDescriptor::TYPE_MESSAGE && depth < 32) {
      std::string inner =
          FindInvalidUtf8At(*field->message_type(), value, depth + 1);
      if (!inner.empty()) {
        return field->is_map() ? path : absl::StrCat(path, ".", inner);
      }
    }
  }
  return "";
}

}  // namespace

bool IsValidId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength || !IsLowerDigit(id[0])) {
    return false;
  }
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return IsLowerDigit(c) || c == '-'; });
}

bool IsValidKind(absl::string_view kind) {
  if (kind.empty() || kind.size() > 32 || !absl::ascii_islower(kind[0])) {
    return false;
  }
  return std::all_of(kind.begin(), kind.end(), [](char c) {
    return absl::ascii_islower(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool IsValidPredicate(absl::string_view predicate) {
  if (predicate.empty() || predicate.size() > 64 ||
      !absl::ascii_islower(predicate[0]) || predicate.back() == '_') {
    return false;
  }
  char previous = 0;
  for (char c : predicate) {
    if (!IsLowerDigit(c) && c != '_') return false;
    if (c == '_' && previous == '_') return false;
    previous = c;
  }
  return true;
}

absl::Status ValidateId(absl::string_view field, absl::string_view id) {
  if (id.empty()) return InvalidArgumentError(field, "is required");
  if (!IsValidId(id)) {
    return InvalidArgumentError(
        field, absl::StrCat("\"", absl::CEscape(id.substr(0, 128)),
                            "\" is not a valid id: use 1-63 characters of "
                            "a-z, 0-9 and '-', starting with a letter or "
                            "digit"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ParseEntityName(absl::string_view field,
                                            absl::string_view name) {
  return ParseName(field, name, kEntityCollection);
}

absl::StatusOr<std::string> ParseStatementName(absl::string_view field,
                                               absl::string_view name) {
  return ParseName(field, name, kStatementCollection);
}

std::string EntityName(absl::string_view id) {
  return absl::StrCat(kEntityCollection, id);
}

std::string StatementName(absl::string_view id) {
  return absl::StrCat(kStatementCollection, id);
}

absl::Status ValidateRequestId(absl::string_view field, absl::string_view id) {
  if (id.empty()) return absl::OkStatus();
  if (id.size() > kMaxRequestIdLength) {
    return InvalidArgumentError(
        field, absl::StrCat("is ", id.size(), " characters long; the limit is ",
                            kMaxRequestIdLength));
  }
  for (char c : id) {
    if (c < 0x21 || c > 0x7e) {
      return InvalidArgumentError(
          field, "must be printable ASCII without spaces (a UUID is ideal)");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int> ValidatePageSize(absl::string_view field, int page_size,
                                     int max_page_size) {
  const int default_size = std::min(kDefaultPageSize, max_page_size);
  if (page_size < 0 || page_size > max_page_size) {
    return InvalidArgumentError(
        field,
        absl::StrCat(page_size, " is out of range: use 1-", max_page_size,
                     ", or 0 for the default of ", default_size));
  }
  return page_size == 0 ? default_size : page_size;
}

bool IsValidUtf8(absl::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t length = Utf8SequenceLength(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::string FindInvalidUtf8(const google::protobuf::Descriptor& type,
                            absl::string_view bytes) {
  return FindInvalidUtf8At(type, bytes, /*depth=*/0);
}

absl::Status ValidateLine(absl::string_view field, absl::string_view text,
                          size_t max_length, bool required) {
  return ValidateText(field, text, max_length, required,
                      /*allow_newlines=*/false);
}

absl::Status NormalizeExtent(absl::string_view field,
                             ::annals::type::v1::Extent* extent) {
  if (absl::Status s = ValidateLine(absl::StrCat(field, ".edtf"),
                                    extent->edtf(), 128, /*required=*/false);
      !s.ok()) {
    return s;
  }
  const ::annals::type::v1::BoundDates& dates = extent->bound_dates();
  const std::pair<absl::string_view, const std::string*> bound_dates[] = {
      {"earliest_start", &dates.earliest_start()},
      {"latest_start", &dates.latest_start()},
      {"earliest_end", &dates.earliest_end()},
      {"latest_end", &dates.latest_end()}};
  for (const auto& [name, text] : bound_dates) {
    if (absl::Status s =
            ValidateLine(absl::StrCat(field, ".bound_dates.", name), *text, 64,
                         /*required=*/false);
        !s.ok()) {
      return s;
    }
  }
  ::annals::type::v1::Extent normalized = *extent;
  std::string offending;
  if (absl::Status s = NormalizeExtentProto(&normalized, &offending); !s.ok()) {
    return InvalidArgumentError(absl::StrCat(field, ".", offending),
                                s.message());
  }
  *extent = std::move(normalized);
  return absl::OkStatus();
}

absl::Status NormalizeSources(
    absl::string_view field,
    const google::protobuf::RepeatedPtrField<v1::SourceCitation>& sources,
    google::protobuf::RepeatedPtrField<v1::SourceCitation>* normalized) {
  if (static_cast<size_t>(sources.size()) > kMaxSources) {
    return InvalidArgumentError(
        field, absl::StrCat("has ", sources.size(), " entries; the limit is ",
                            kMaxSources));
  }
  normalized->Clear();
  std::set<std::pair<std::string, std::string>> seen;
  for (int i = 0; i < sources.size(); ++i) {
    std::string source_field = absl::StrCat(field, "[", i, "]");
    const v1::SourceCitation& citation = sources.Get(i);
    absl::StatusOr<std::string> id = ParseEntityName(
        absl::StrCat(source_field, ".source"), citation.source());
    if (!id.ok()) return id.status();
    if (absl::Status s = ValidateLine(absl::StrCat(source_field, ".locator"),
                                      citation.locator(), kMaxLabelLength,
                                      /*required=*/false);
        !s.ok()) {
      return s;
    }
    if (!seen.emplace(*id, citation.locator()).second) continue;
    v1::SourceCitation* added = normalized->Add();
    added->set_source(EntityName(*id));
    added->set_locator(citation.locator());
  }
  return absl::OkStatus();
}

// The form a normalized resource is stored in: without unknown fields
// (fields this version does not know would be stored and fed unchecked,
// whatever their size), and within kMaxStoredResourceBytes.
template <typename Resource>
absl::StatusOr<Resource> StoredForm(absl::string_view field,
                                    Resource normalized) {
  normalized.DiscardUnknownFields();
  const size_t size = normalized.ByteSizeLong();
  if (size > kMaxStoredResourceBytes) {
    return InvalidArgumentError(
        field.empty() ? absl::string_view("resource")
                      : field.substr(0, field.size() - 1),
        absl::StrCat("is ", size, " bytes once stored; the limit is ",
                     kMaxStoredResourceBytes));
  }
  return normalized;
}

absl::StatusOr<v1::Entity> NormalizeEntity(absl::string_view field,
                                           const v1::Entity& entity) {
  auto path = [field](absl::string_view name) {
    return absl::StrCat(field, name);
  };
  if (entity.kind().empty())
    return InvalidArgumentError(path("kind"), "is required");
  if (!IsValidKind(entity.kind())) {
    return InvalidArgumentError(
        path("kind"),
        absl::StrCat("\"", absl::CEscape(entity.kind().substr(0, 64)),
                     "\" is not a lowercase word such as \"mission\" or "
                     "\"person\""));
  }
  if (absl::Status s = ValidateLine(path("label"), entity.label(),
                                    kMaxLabelLength, /*required=*/true);
      !s.ok()) {
    return s;
  }
  if (static_cast<size_t>(entity.aliases_size()) > kMaxAliases) {
    return InvalidArgumentError(
        path("aliases"), absl::StrCat("has ", entity.aliases_size(),
                                      " entries; the limit is ", kMaxAliases));
  }
  v1::Entity normalized;
  normalized.set_name(entity.name());
  normalized.set_kind(entity.kind());
  normalized.set_label(entity.label());
  std::set<std::string> seen;
  for (int i = 0; i < entity.aliases_size(); ++i) {
    const std::string& alias = entity.aliases(i);
    if (absl::Status s = ValidateLine(
            absl::StrCat(path("aliases"), "[", i, "]"), alias, kMaxLabelLength,
            /*required=*/true);
        !s.ok()) {
      return s;
    }
    if (seen.insert(alias).second) normalized.add_aliases(alias);
  }
  if (absl::Status s = ValidateText(path("description"), entity.description(),
                                    kMaxDescriptionLength, /*required=*/false,
                                    /*allow_newlines=*/true);
      !s.ok()) {
    return s;
  }
  normalized.set_description(entity.description());
  if (absl::Status s =
          ValidateStringMap(path("attributes"), entity.attributes());
      !s.ok()) {
    return s;
  }
  *normalized.mutable_attributes() = entity.attributes();
  if (entity.has_lifespan()) {
    *normalized.mutable_lifespan() = entity.lifespan();
    if (absl::Status s =
            NormalizeExtent(path("lifespan"), normalized.mutable_lifespan());
        !s.ok()) {
      return s;
    }
  }
  if (entity.lifespan_sources_size() > 0 && !entity.has_lifespan()) {
    return InvalidArgumentError(
        path("lifespan_sources"),
        "cites the sources of a lifespan, but the entity has no lifespan");
  }
  if (absl::Status s =
          NormalizeSources(path("lifespan_sources"), entity.lifespan_sources(),
                           normalized.mutable_lifespan_sources());
      !s.ok()) {
    return s;
  }
  return StoredForm(field, std::move(normalized));
}

absl::StatusOr<v1::Statement> NormalizeStatement(
    absl::string_view field, const v1::Statement& statement) {
  auto path = [field](absl::string_view name) {
    return absl::StrCat(field, name);
  };
  v1::Statement normalized;
  normalized.set_name(statement.name());
  absl::StatusOr<std::string> subject =
      ParseEntityName(path("subject"), statement.subject());
  if (!subject.ok()) return subject.status();
  normalized.set_subject(EntityName(*subject));

  if (statement.predicate().empty()) {
    return InvalidArgumentError(path("predicate"), "is required");
  }
  if (!IsValidPredicate(statement.predicate())) {
    return InvalidArgumentError(
        path("predicate"),
        absl::StrCat("\"", absl::CEscape(statement.predicate().substr(0, 64)),
                     "\" is not snake_case (such as \"commander\" or "
                     "\"partner_of\"), at most 64 characters"));
  }
  normalized.set_predicate(statement.predicate());

  const v1::Value& object = statement.object();
  v1::Value* out = normalized.mutable_object();
  switch (object.kind_case()) {
    case v1::Value::kEntity: {
      absl::StatusOr<std::string> id =
          ParseEntityName(path("object.entity"), object.entity());
      if (!id.ok()) return id.status();
      out->set_entity(EntityName(*id));
      break;
    }
    case v1::Value::kText:
      if (absl::Status s = ValidateText(path("object.text"), object.text(),
                                        kMaxTextLength, /*required=*/true,
                                        /*allow_newlines=*/true);
          !s.ok()) {
        return s;
      }
      out->set_text(object.text());
      break;
    case v1::Value::kInteger:
      out->set_integer(object.integer());
      break;
    case v1::Value::kDecimal:
      if (absl::Status s =
              ValidateDecimal(path("object.decimal"), object.decimal());
          !s.ok()) {
        return s;
      }
      out->set_decimal(object.decimal());
      break;
    case v1::Value::kQuantity:
      if (absl::Status s = ValidateDecimal(path("object.quantity.amount"),
                                           object.quantity().amount());
          !s.ok()) {
        return s;
      }
      if (absl::Status s = ValidateLine(path("object.quantity.unit"),
                                        object.quantity().unit(), 64,
                                        /*required=*/true);
          !s.ok()) {
        return s;
      }
      *out->mutable_quantity() = object.quantity();
      break;
    case v1::Value::KIND_NOT_SET:
      return InvalidArgumentError(
          path("object"),
          "is required: set one of entity, text, integer, decimal, quantity");
  }

  if (!statement.has_valid_time()) {
    return InvalidArgumentError(path("valid_time"),
                                "is required (an EDTF extent such as "
                                "\"2020-11-24/2021-05-06\" or \"2018-11/..\")");
  }
  *normalized.mutable_valid_time() = statement.valid_time();
  if (absl::Status s =
          NormalizeExtent(path("valid_time"), normalized.mutable_valid_time());
      !s.ok()) {
    return s;
  }

  if (absl::Status s = NormalizeSources(path("sources"), statement.sources(),
                                        normalized.mutable_sources());
      !s.ok()) {
    return s;
  }

  if (absl::Status s =
          ValidateStringMap(path("qualifiers"), statement.qualifiers());
      !s.ok()) {
    return s;
  }
  *normalized.mutable_qualifiers() = statement.qualifiers();
  return StoredForm(field, std::move(normalized));
}

}  // namespace annals::catalog
