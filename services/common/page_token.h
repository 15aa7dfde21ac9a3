// Page tokens shared by the catalog's and the timeline's List-style RPCs.
//
// A token is web-safe base64 of (checksum, position). The position is
// whatever the list needs to resume after its last item (a storage key, a
// sort key); the checksum covers a server secret, the request's filters and
// the position, so a token edited by hand, taken from another catalog, or
// reused with other filters is rejected instead of returning wrong pages.
//
//   std::string filters = ...;  // every filter of the request, length-prefixed
//   std::string next = EncodePageToken(secret, filters, last_key);
//   absl::StatusOr<std::string> resume = DecodePageToken(secret, filters,
//   token);
#ifndef ANNALS_SERVICES_COMMON_PAGE_TOKEN_H_
#define ANNALS_SERVICES_COMMON_PAGE_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace annals {

// The token for resuming after `position`.
std::string EncodePageToken(absl::string_view secret, absl::string_view filters,
                            absl::string_view position);

// The position in `token`, or INVALID_ARGUMENT naming page_token if the token
// is malformed, over 4 KiB, or was not made with this secret and filters.
absl::StatusOr<std::string> DecodePageToken(absl::string_view secret,
                                            absl::string_view filters,
                                            absl::string_view token);

}  // namespace annals

#endif  // ANNALS_SERVICES_COMMON_PAGE_TOKEN_H_
