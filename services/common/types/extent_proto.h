// Conversions between the temporal library and annals.type.v1 messages.
#ifndef ANNALS_SERVICES_COMMON_TYPES_EXTENT_PROTO_H_
#define ANNALS_SERVICES_COMMON_TYPES_EXTENT_PROTO_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "annals/type/v1/extent.pb.h"
#include "services/common/temporal/extent.h"

namespace annals {

// The message for `extent`: canonical EDTF and its day bounds (unbounded
// sides are empty strings).
type::v1::Extent ToExtentProto(const temporal::Extent& extent);

// Parses EDTF text into a message as ToExtentProto() makes it. Fails with
// INVALID_ARGUMENT (the temporal library's reason) on malformed text.
absl::StatusOr<type::v1::Extent> ParseExtentProto(absl::string_view edtf);

// Parses the `edtf` of a message (its bounds are ignored).
absl::StatusOr<temporal::Extent> FromExtentProto(
    const type::v1::Extent& extent);

}  // namespace annals

#endif  // ANNALS_SERVICES_COMMON_TYPES_EXTENT_PROTO_H_
