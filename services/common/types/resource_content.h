// The writable content of a catalog resource: what a writer gives and an
// import can reproduce, without the fields the catalog records itself.
// Shared by the catalog (did an import change anything?) and the `annals`
// tool (what an export writes).
#ifndef ANNALS_SERVICES_COMMON_TYPES_RESOURCE_CONTENT_H_
#define ANNALS_SERVICES_COMMON_TYPES_RESOURCE_CONTENT_H_

#include "annals/catalog/v1/resources.pb.h"

namespace annals {

// `entity` without create_time, update_time, delete_time, etag and
// sequence. Extent bounds are kept: they follow from the extent.
catalog::v1::Entity EntityContent(catalog::v1::Entity entity);

// `statement` without create_time, update_time, retract_time,
// retract_reason, etag and sequence. Extent bounds are kept.
catalog::v1::Statement StatementContent(catalog::v1::Statement statement);

}  // namespace annals

#endif  // ANNALS_SERVICES_COMMON_TYPES_RESOURCE_CONTENT_H_
