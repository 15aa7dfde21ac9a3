// What the catalog derives from a stored revision of an entity or statement:
// its id, its index entries, its writable content, and (for imported
// statements without a name) an id derived from that content. Shared by the
// catalog's write paths and its transaction; not part of any public API.
#ifndef ANNALS_SERVICES_CATALOG_REVISIONS_H_
#define ANNALS_SERVICES_CATALOG_REVISIONS_H_

#include <cstdint>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "annals/catalog/v1/resources.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "services/common/types/resource_content.h"

namespace annals::catalog {

google::protobuf::Timestamp ToProto(absl::Time t);

// The etag of the revision committed at `sequence`.
std::string Etag(int64_t sequence);

// The id of a resource whose name is in full form ("entities/nmi" -> "nmi").
std::string EntityId(const v1::Entity& entity);
std::string StatementId(const v1::Statement& statement);

// Index entries of an entity revision: its kind, label and aliases.
std::set<std::string> EntityIndexKeys(const v1::Entity& entity);
// Index entries of a statement revision: subject, predicate, object entity.
std::set<std::string> StatementIndexKeys(const v1::Statement& statement);

// The writable content of a revision (output-only fields cleared), for "did
// anything change?" (services/common/types/resource_content.h).
using ::annals::EntityContent;
using ::annals::StatementContent;

// The id an imported statement without a name gets: "s-" and 16 hex digits
// of a fingerprint of its content, so that importing the same statement
// again finds it.
std::string DerivedStatementId(const v1::Statement& statement);

// Parses stored bytes into `out`; DATA_LOSS "stored <what> is corrupt" if
// they do not parse. Extent bounds in a stored entity, statement or change
// are recomputed from their EDTF text or bound dates (bounds stored by an
// earlier version may follow an earlier reading).
absl::Status ParseInto(absl::string_view bytes, google::protobuf::Message* out,
                       absl::string_view what);

// Fingerprint of write request `request` of `method`, minus its
// `request_id` field, for telling a retry from a different request that
// reuses the id; kept in the request record. 16 hex digits, stable across
// versions: a copy of the request with the id cleared, serialized
// deterministically, hashed with the method name.
std::string RequestFingerprint(absl::string_view method,
                               const google::protobuf::Message& request);

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_REVISIONS_H_
