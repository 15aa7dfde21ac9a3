// Request validation for the catalog. Every function checks one piece of a
// request without touching storage, and fails with INVALID_ARGUMENT naming
// the field (a dotted path) and the reason.
#ifndef ANNALS_SERVICES_CATALOG_VALIDATION_H_
#define ANNALS_SERVICES_CATALOG_VALIDATION_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "annals/catalog/v1/resources.pb.h"

namespace annals::catalog {

// Limits on what a request may carry. Exceeding one is INVALID_ARGUMENT.
inline constexpr size_t kMaxIdLength = 63;
inline constexpr size_t kMaxLabelLength = 256;
inline constexpr size_t kMaxDescriptionLength = 16 * 1024;
inline constexpr size_t kMaxAliases = 64;
inline constexpr size_t kMaxMapEntries = 64;
inline constexpr size_t kMaxMapValueLength = 4096;
inline constexpr size_t kMaxSources = 32;
inline constexpr size_t kMaxTextLength = 16 * 1024;
inline constexpr size_t kMaxRequestIdLength = 128;
// The largest stored entity or statement. Every field is bounded above and
// unknown fields are dropped, so a valid resource stays well below this
// (about 300 KiB at most); the check guards the stored form itself.
inline constexpr size_t kMaxStoredResourceBytes = 512 * 1024;
inline constexpr int kDefaultPageSize = 50;
// The default largest page; servers may configure another
// (CatalogOptions::max_page_size).
inline constexpr int kMaxPageSize = 1000;
inline constexpr size_t kMaxImportRecords = 10000;

inline constexpr absl::string_view kEntityCollection = "entities/";
inline constexpr absl::string_view kStatementCollection = "statements/";
inline constexpr absl::string_view kSourceKind = "source";

// [a-z0-9][a-z0-9-]{0,62}
bool IsValidId(absl::string_view id);
// A lowercase word: [a-z][a-z_]{0,31}.
bool IsValidKind(absl::string_view kind);
// snake_case: [a-z][a-z0-9]*(_[a-z0-9]+)*, at most 64 characters.
bool IsValidPredicate(absl::string_view predicate);

absl::Status ValidateId(absl::string_view field, absl::string_view id);

// Accepts "entities/{id}" or a bare id; returns the id.
absl::StatusOr<std::string> ParseEntityName(absl::string_view field,
                                            absl::string_view name);
// Accepts "statements/{id}" or a bare id; returns the id.
absl::StatusOr<std::string> ParseStatementName(absl::string_view field,
                                               absl::string_view name);

std::string EntityName(absl::string_view id);
std::string StatementName(absl::string_view id);

// Optional request id: empty, or 1-128 printable ASCII characters.
absl::Status ValidateRequestId(absl::string_view field, absl::string_view id);

// 0 means the default (kDefaultPageSize, or `max_page_size` if smaller);
// 1..max_page_size are taken as they are; anything else is INVALID_ARGUMENT
// naming `field` and the range.
absl::StatusOr<int> ValidatePageSize(absl::string_view field, int page_size,
                                     int max_page_size = kMaxPageSize);

// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or
// values past U+10FFFF).
bool IsValidUtf8(absl::string_view text);

// For a request that failed to parse: the path of the first string field of
// `bytes`, a serialized `type`, that is not valid UTF-8, such as
// "records[3].entity.label"; empty when there is none (the message is
// malformed in some other way, or is valid).
std::string FindInvalidUtf8(const google::protobuf::Descriptor& type,
                            absl::string_view bytes);

// A single-line text: valid UTF-8, no control characters, at most
// `max_length` bytes. `required` rejects the empty string.
absl::Status ValidateLine(absl::string_view field, absl::string_view text,
                          size_t max_length, bool required);

// Checks the writable fields of `entity` (kind, label, aliases, description,
// attributes, lifespan, lifespan_sources) and returns a copy with output-only
// fields cleared, aliases and lifespan sources de-duplicated, source names in
// full form, and the lifespan's EDTF in canonical form with its bounds filled
// in. Lifespan sources without a lifespan are refused. Does not look at
// `name`, and does not resolve the cited sources.
absl::StatusOr<v1::Entity> NormalizeEntity(absl::string_view field,
                                           const v1::Entity& entity);

// Checks the writable fields of `statement` (subject, predicate, object,
// valid_time, sources, qualifiers) and returns a normalized copy: names in
// full form ("entities/x"), output-only fields cleared, the valid time's
// EDTF canonical with bounds. References are not resolved here.
absl::StatusOr<v1::Statement> NormalizeStatement(
    absl::string_view field, const v1::Statement& statement);

// Checks source citations (at most kMaxSources; each an entity name and a
// single-line locator) and writes them to `normalized` in full form, in
// order, without repeats of the same source and locator. Errors name
// `field[i].source` or `field[i].locator`; `normalized` is then unspecified.
absl::Status NormalizeSources(
    absl::string_view field,
    const google::protobuf::RepeatedPtrField<v1::SourceCitation>& sources,
    google::protobuf::RepeatedPtrField<v1::SourceCitation>* normalized);

// Parses and canonicalizes an EDTF extent in place (sets bounds).
absl::Status NormalizeExtent(absl::string_view field,
                             ::annals::type::v1::Extent* extent);

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_VALIDATION_H_
