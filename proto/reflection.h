// Descriptors that server reflection serves beyond the services' own.
//
// gRPC's reflection service answers from the protobuf generated pool, which
// holds only the .proto files whose generated code is linked into the
// binary. Debian's libgrpc++ serves health checking without the generated
// code of grpc/health/v1/health.proto, and the google.rpc error detail types
// are linked only where some code happens to use them. A server that calls
// LinkReflectedDescriptors() lets reflection clients (grpcurl, buf curl)
// describe and call grpc.health.v1.Health and decode the google.rpc details
// of its errors without .proto files.
//
//   annals::LinkReflectedDescriptors();
//   grpc::reflection::InitProtoReflectionServerBuilderPlugin();
#ifndef ANNALS_PROTO_REFLECTION_H_
#define ANNALS_PROTO_REFLECTION_H_

namespace annals {

// Links the generated code of grpc/health/v1/health.proto and
// google/rpc/{status,error_details}.proto into the calling binary and
// registers their descriptors in the generated pool. Cheap; safe to call
// more than once and from any thread.
void LinkReflectedDescriptors();

}  // namespace annals

#endif  // ANNALS_PROTO_REFLECTION_H_
