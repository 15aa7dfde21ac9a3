// Canonical errors with machine-readable details.
//
// Domain code builds errors with these functions; they attach google.rpc
// error details (BadRequest, ResourceInfo, ErrorInfo, PreconditionFailure)
// as absl::Status payloads keyed by their type URL. ToGrpcStatus()
// (grpc_status.h) turns them into the "grpc-status-details-bin" trailer, so
// clients in any language can read which field was wrong and why.
//
//   if (!IsValidId(id)) return InvalidArgumentError("entity_id", "...");
#ifndef ANNALS_SERVICES_COMMON_STATUS_ERRORS_H_
#define ANNALS_SERVICES_COMMON_STATUS_ERRORS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace annals {

// The error domain reported in google.rpc.ErrorInfo.
inline constexpr absl::string_view kErrorDomain = "annals.dev";

// INVALID_ARGUMENT naming the request field (a dotted path such as
// "statement.valid_time.edtf") and the reason. Message: "<field>: <reason>".
absl::Status InvalidArgumentError(absl::string_view field,
                                  absl::string_view reason);

// NOT_FOUND for a resource ("entities/nmi"). `field`, when not empty, names
// the request field that referred to it and is reported as a BadRequest
// violation too.
absl::Status NotFoundError(absl::string_view resource_name,
                           absl::string_view field = "");

// ALREADY_EXISTS for a resource name.
absl::Status AlreadyExistsError(absl::string_view resource_name,
                                absl::string_view field = "");

// ABORTED: the etag given does not match the resource's current etag.
absl::Status EtagMismatchError(absl::string_view resource_name,
                               absl::string_view given,
                               absl::string_view current);

// FAILED_PRECONDITION with a google.rpc.PreconditionFailure violation of
// `type` (a short upper-case word such as "DELETED") about `subject`.
absl::Status FailedPreconditionError(absl::string_view type,
                                     absl::string_view subject,
                                     absl::string_view description);

// Returns `status` with every BadRequest field path and the message prefixed
// by `prefix` ("records[3]."), for errors raised inside a nested message.
absl::Status PrefixFields(const absl::Status& status, absl::string_view prefix);

// Returns `status` with `prefix` put before its message; details are kept.
absl::Status PrefixMessage(const absl::Status& status,
                           absl::string_view prefix);

// The field paths of the BadRequest violations attached to `status`, in
// order; empty when there are none. Mostly for tests and clients.
std::vector<std::string> ViolatedFields(const absl::Status& status);

// The ErrorInfo reason attached to `status`, or "" when there is none.
std::string ErrorReason(const absl::Status& status);

}  // namespace annals

#endif  // ANNALS_SERVICES_COMMON_STATUS_ERRORS_H_
