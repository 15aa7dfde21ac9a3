// The catalog's key layout. Every key written to Storage is built here, so
// the on-disk format is defined in one place.
//
//   kMeta        "last_sequence" -> decimal; "catalog_id" -> text
//   kEntities    <entity id>
//   kStatements  <statement id>
//   kChanges     <8-byte big-endian sequence>
//   kRequests    <request id>
//   kIndex       'k' 0 <kind> 0 <entity id>                  entities by kind
//                'a' 0 <normalized name> 0 <entity id>       label and aliases
//                's' 0 <subject> 0 <predicate> 0 <stmt id>   statements by
//                subject 'o' 0 <object> 0 <predicate> 0 <stmt id>    by object
//                entity 'p' 0 <predicate> 0 <stmt id>               by
//                predicate
//
// Components never contain a NUL byte (validation rejects control
// characters), so 0 separates them and orders prefixes before extensions.
#ifndef ANNALS_SERVICES_CATALOG_STORAGE_KEYS_H_
#define ANNALS_SERVICES_CATALOG_STORAGE_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace annals::catalog::keys {

inline constexpr absl::string_view kLastSequence = "last_sequence";
inline constexpr absl::string_view kCatalogId = "catalog_id";

// 8-byte big-endian, so byte order is numeric order.
std::string EncodeSequence(uint64_t sequence);
// nullopt unless `key` is exactly 8 bytes.
std::optional<uint64_t> DecodeSequence(absl::string_view key);

// Label/alias normalization for lookups: ASCII letters lower-cased, runs of
// white space folded to one space, leading and trailing space removed.
std::string NormalizeName(absl::string_view name);

std::string KindKey(absl::string_view kind, absl::string_view entity_id);
std::string KindPrefix(absl::string_view kind);
std::string NameKey(absl::string_view normalized_name,
                    absl::string_view entity_id);
std::string NamePrefix(absl::string_view normalized_name);
std::string SubjectKey(absl::string_view subject, absl::string_view predicate,
                       absl::string_view statement_id);
// Prefix of SubjectKey; an empty predicate covers every predicate.
std::string SubjectPrefix(absl::string_view subject,
                          absl::string_view predicate);
std::string ObjectKey(absl::string_view object, absl::string_view predicate,
                      absl::string_view statement_id);
std::string ObjectPrefix(absl::string_view object, absl::string_view predicate);
std::string PredicateKey(absl::string_view predicate,
                         absl::string_view statement_id);
std::string PredicatePrefix(absl::string_view predicate);

// The last NUL-separated component of an index key: the entity or statement
// id the entry points at.
absl::string_view IndexTarget(absl::string_view index_key);

// The smallest key greater than every key with this prefix ("" if none).
std::string PrefixEnd(absl::string_view prefix);

}  // namespace annals::catalog::keys

#endif  // ANNALS_SERVICES_CATALOG_STORAGE_KEYS_H_
