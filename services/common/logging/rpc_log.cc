#include "services/common/logging/rpc_log.h"

#include <grpcpp/server_context.h>

#include <chrono>
#include <string>
#include <utility>

#include "absl/status/status.h"

namespace annals::logging {
namespace {

class RpcLogInterceptor final : public grpc::experimental::Interceptor {
 public:
  RpcLogInterceptor(const Logger* logger,
                    grpc::experimental::ServerRpcInfo* info)
      : logger_(logger),
        method_(info->method() != nullptr ? info->method() : ""),
        peer_(info->server_context() != nullptr ? info->server_context()->peer()
                                                : std::string()),
        start_(std::chrono::steady_clock::now()) {}

  ~RpcLogInterceptor() override {
    if (!logged_) Write(grpc::StatusCode::CANCELLED);
  }

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      Write(methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  void Write(grpc::StatusCode code) {
    logged_ = true;
    const double latency_ms = std::chrono::duration<double, std::milli>(
                                  std::chrono::steady_clock::now() - start_)
                                  .count();
    logger_->Debug("rpc", {{"method", method_},
                           {"code", absl::StatusCodeToString(
                                        static_cast<absl::StatusCode>(code))},
                           {"latency_ms", latency_ms},
                           {"peer", peer_}});
  }

  const Logger* const logger_;
  const std::string method_;
  const std::string peer_;
  const std::chrono::steady_clock::time_point start_;
  bool logged_ = false;
};

class RpcLogInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RpcLogInterceptorFactory(std::shared_ptr<const Logger> logger)
      : logger_(std::move(logger)) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    // gRPC skips a factory that returns null.
    if (logger_ == nullptr || !logger_->Enabled(Level::kDebug)) return nullptr;
    return new RpcLogInterceptor(logger_.get(), info);
  }

 private:
  // The factory lives as long as the server; so do the calls it sees.
  const std::shared_ptr<const Logger> logger_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewRpcLogInterceptorFactory(std::shared_ptr<const Logger> logger) {
  return std::make_unique<RpcLogInterceptorFactory>(std::move(logger));
}

}  // namespace annals::logging
