// Reactors that end a callback-API call at once with an error, before the
// handler runs: nothing of the request is read or acted on. For services
// that refuse calls (bad token, too many streams) ahead of their handlers.
//
//   if (absl::Status s = authorizer.Authorize(*context, ...); !s.ok())
//     return RejectUnary(context, s);
#ifndef ANNALS_SERVICES_COMMON_SECURITY_REJECT_H_
#define ANNALS_SERVICES_COMMON_SECURITY_REJECT_H_

#include <grpcpp/support/server_callback.h>

#include "absl/status/status.h"
#include "services/common/status/grpc_status.h"

namespace annals::security {

// Finishes a unary call with `status` (not OK).
inline grpc::ServerUnaryReactor* RejectUnary(
    grpc::CallbackServerContext* context, const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

// Finishes a client-streaming call with `status` without reading a message.
template <typename Request>
grpc::ServerReadReactor<Request>* RejectReader(const absl::Status& status) {
  class Rejected final : public grpc::ServerReadReactor<Request> {
   public:
    explicit Rejected(const absl::Status& status) {
      this->Finish(ToGrpcStatus(status));
    }
    void OnDone() override { delete this; }
  };
  return new Rejected(status);
}

// Finishes a server-streaming call with `status` without writing a message.
template <typename Response>
grpc::ServerWriteReactor<Response>* RejectWriter(const absl::Status& status) {
  class Rejected final : public grpc::ServerWriteReactor<Response> {
   public:
    explicit Rejected(const absl::Status& status) {
      this->Finish(ToGrpcStatus(status));
    }
    void OnDone() override { delete this; }
  };
  return new Rejected(status);
}

// Finishes a bidirectional-streaming call with `status` without reading or
// writing a message.
template <typename Request, typename Response>
grpc::ServerBidiReactor<Request, Response>* RejectBidi(
    const absl::Status& status) {
  class Rejected final : public grpc::ServerBidiReactor<Request, Response> {
   public:
    explicit Rejected(const absl::Status& status) {
      this->Finish(ToGrpcStatus(status));
    }
    void OnDone() override { delete this; }
  };
  return new Rejected(status);
}

}  // namespace annals::security

#endif  // ANNALS_SERVICES_COMMON_SECURITY_REJECT_H_
