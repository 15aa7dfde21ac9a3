#include "proto/reflection.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.pb.h"

namespace annals {

void LinkReflectedDescriptors() {
  // Asking for a descriptor references the generated file, so the linker
  // keeps it, and builds the file's descriptor in the generated pool.
  grpc::health::v1::HealthCheckRequest::descriptor();
  google::rpc::Status::descriptor();
  google::rpc::ErrorInfo::descriptor();
}

}  // namespace annals
