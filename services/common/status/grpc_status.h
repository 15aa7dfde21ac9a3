// The one place absl::Status and grpc::Status meet.
#ifndef ANNALS_SERVICES_COMMON_STATUS_GRPC_STATUS_H_
#define ANNALS_SERVICES_COMMON_STATUS_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "google/rpc/status.pb.h"

namespace annals {

// Converts to a grpc::Status with the same code and message. Error-detail
// payloads created by errors.h travel as a serialized google.rpc.Status in
// the binary error details.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The inverse: restores the code, message and error-detail payloads.
absl::Status FromGrpcStatus(const grpc::Status& status);

// The same google.rpc.Status that ToGrpcStatus() puts in the error details
// (code, message, details), for errors carried inside a message rather than
// as a call's status (StreamSnapshots' per-lookup errors). OK gives code 0.
google::rpc::Status ToRpcStatus(const absl::Status& status);

// The inverse of ToRpcStatus(): code, message and detail payloads.
absl::Status FromRpcStatus(const google::rpc::Status& status);

}  // namespace annals

#endif  // ANNALS_SERVICES_COMMON_STATUS_GRPC_STATUS_H_
