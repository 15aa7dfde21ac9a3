// Conversions between the temporal library and annals.type.v1 messages.
#ifndef ANNALS_SERVICES_COMMON_TYPES_EXTENT_PROTO_H_
#define ANNALS_SERVICES_COMMON_TYPES_EXTENT_PROTO_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "annals/type/v1/extent.pb.h"
#include "services/common/temporal/extent.h"

namespace annals {

// Fills `proto->bounds` from `extent` (unbounded sides are empty strings);
// leaves `edtf` and `bound_dates` alone.
void SetBounds(const temporal::Extent& extent, type::v1::Extent* proto);

// The message for `extent`: canonical EDTF (empty for an extent without
// EDTF text) and its bounds.
type::v1::Extent ToExtentProto(const temporal::Extent& extent);

// Parses EDTF text into a message as ToExtentProto() makes it, except that
// text holding a date-time is kept as written. Fails with INVALID_ARGUMENT
// (the temporal library's reason) on malformed text.
absl::StatusOr<type::v1::Extent> ParseExtentProto(absl::string_view edtf);

// The extent a message denotes: its `edtf` when set, else its
// `bound_dates`; the output-only `bounds` are ignored. INVALID_ARGUMENT when
// neither or both are given, or they do not parse; the message names the
// offending part relative to the extent ("edtf: ...",
// "bound_dates.latest_end: ...").
absl::StatusOr<temporal::Extent> FromExtentProto(
    const type::v1::Extent& extent);

// Validates `extent` as FromExtentProto does and rewrites it in canonical
// form: canonical EDTF (or the bound dates as given) with fresh bounds.
// Used on input, and on every extent read back from storage, so that bounds
// written under an earlier reading are never served. On failure `extent` is
// unchanged; with `field`, *field names the offending part ("edtf",
// "bound_dates.latest_end") and the message is the bare reason; without it
// the message starts with that name.
absl::Status NormalizeExtentProto(type::v1::Extent* extent,
                                  std::string* field = nullptr);

}  // namespace annals

#endif  // ANNALS_SERVICES_COMMON_TYPES_EXTENT_PROTO_H_
