#include "services/common/metrics/grpc_server_metrics.h"

#include <google/protobuf/descriptor.h>

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"

namespace annals::metrics {
namespace {

using ::grpc::experimental::ServerRpcInfo;

constexpr std::array<absl::string_view, 17> kCodeNames = {"OK",
                                                          "CANCELLED",
                                                          "UNKNOWN",
                                                          "INVALID_ARGUMENT",
                                                          "DEADLINE_EXCEEDED",
                                                          "NOT_FOUND",
                                                          "ALREADY_EXISTS",
                                                          "PERMISSION_DENIED",
                                                          "RESOURCE_EXHAUSTED",
                                                          "FAILED_PRECONDITION",
                                                          "ABORTED",
                                                          "OUT_OF_RANGE",
                                                          "UNIMPLEMENTED",
                                                          "INTERNAL",
                                                          "UNAVAILABLE",
                                                          "DATA_LOSS",
                                                          "UNAUTHENTICATED"};

absl::string_view TypeLabel(ServerRpcInfo::Type type) {
  switch (type) {
    case ServerRpcInfo::Type::UNARY:
      return "unary";
    case ServerRpcInfo::Type::CLIENT_STREAMING:
      return "client_stream";
    case ServerRpcInfo::Type::SERVER_STREAMING:
      return "server_stream";
    case ServerRpcInfo::Type::BIDI_STREAMING:
      return "bidi_stream";
  }
  return "unknown";
}

// Whether `service`/`method` is a method this binary knows: one compiled
// into it (its descriptor is in the generated pool), or gRPC's health
// service (which gRPC implements without protobuf descriptors).
bool IsKnownMethod(absl::string_view service, absl::string_view method) {
  if (service == "grpc.health.v1.Health") {
    return method == "Check" || method == "Watch";
  }
  const google::protobuf::ServiceDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          std::string(service));
  return descriptor != nullptr &&
         descriptor->FindMethodByName(std::string(method)) != nullptr;
}

class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit MetricsInterceptor(GrpcServerMetrics::Method* method)
      : method_(method), start_(std::chrono::steady_clock::now()) {
    method_->Started();
  }

  // A call that ended without sending a status: the client went away.
  ~MetricsInterceptor() override {
    if (!handled_) Record(grpc::StatusCode::CANCELLED);
  }

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (!handled_ &&
        methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      handled_ = true;
      Record(methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  void Record(grpc::StatusCode code) {
    std::chrono::duration<double> elapsed =
        std::chrono::steady_clock::now() - start_;
    method_->Handled(code, elapsed.count());
  }

  GrpcServerMetrics::Method* const method_;
  const std::chrono::steady_clock::time_point start_;
  bool handled_ = false;
};

class MetricsInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(GrpcServerMetrics* metrics)
      : metrics_(metrics) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      ServerRpcInfo* info) override {
    const char* method = info->method();
    return new MetricsInterceptor(
        &metrics_->ForMethod(method != nullptr ? method : "", info->type()));
  }

 private:
  GrpcServerMetrics* const metrics_;
};

}  // namespace

std::string GrpcCodeName(grpc::StatusCode code) {
  int number = static_cast<int>(code);
  if (number >= 0 && number < static_cast<int>(kCodeNames.size())) {
    return std::string(kCodeNames[number]);
  }
  return absl::StrCat(number);
}

GrpcServerMetrics::GrpcServerMetrics(Registry* registry)
    : started_(registry->AddCounter(
          "grpc_server_started_total", "RPCs started on the server.",
          {"grpc_service", "grpc_method", "grpc_type"})),
      handled_(registry->AddCounter(
          "grpc_server_handled_total",
          "RPCs completed on the server, by status code.",
          {"grpc_service", "grpc_method", "grpc_type", "grpc_code"})),
      latency_(registry->AddHistogram(
          "grpc_server_handling_seconds",
          "Time from an RPC's arrival to its status, in seconds.",
          LatencyBuckets(), {"grpc_service", "grpc_method", "grpc_type"})) {}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
GrpcServerMetrics::NewInterceptorFactory() {
  return std::make_unique<MetricsInterceptorFactory>(this);
}

GrpcServerMetrics::Method::Method(GrpcServerMetrics* owner,
                                  std::vector<std::string> labels)
    : owner_(owner),
      labels_(std::move(labels)),
      started_(&owner->started_.WithLabels(labels_)),
      latency_(&owner->latency_.WithLabels(labels_)) {}

void GrpcServerMetrics::Method::Handled(grpc::StatusCode code, double seconds) {
  int number = static_cast<int>(code);
  Counter* counter = nullptr;
  if (number >= 0 && number < static_cast<int>(handled_.size())) {
    counter = handled_[number].load(std::memory_order_acquire);
    if (counter == nullptr) {
      std::vector<std::string> labels = labels_;
      labels.push_back(GrpcCodeName(code));
      // Racing callers get the same counter from the family.
      counter = &owner_->handled_.WithLabels(labels);
      handled_[number].store(counter, std::memory_order_release);
    }
  } else {
    std::vector<std::string> labels = labels_;
    labels.push_back(GrpcCodeName(code));
    counter = &owner_->handled_.WithLabels(labels);
  }
  counter->Increment();
  latency_->Observe(seconds);
}

GrpcServerMetrics::Method& GrpcServerMetrics::ForMethod(
    absl::string_view full_method, ServerRpcInfo::Type type) {
  std::string key = absl::StrCat(static_cast<int>(type), full_method);
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = methods_.find(key);
    if (it != methods_.end()) return *it->second;
  }
  // "/package.Service/Method". Only known methods get an entry of their
  // own, so the map stays as small as the set of methods compiled in.
  absl::string_view service = "unknown";
  absl::string_view method = "unknown";
  absl::string_view path = full_method;
  if (!path.empty() && path[0] == '/') path.remove_prefix(1);
  size_t slash = path.find('/');
  if (slash != absl::string_view::npos &&
      IsKnownMethod(path.substr(0, slash), path.substr(slash + 1))) {
    service = path.substr(0, slash);
    method = path.substr(slash + 1);
  } else {
    key = absl::StrCat(static_cast<int>(type), " unknown");
  }
  absl::MutexLock lock(&mu_);
  std::unique_ptr<Method>& entry = methods_[key];
  if (entry == nullptr) {
    entry = std::make_unique<Method>(
        this,
        std::vector<std::string>{std::string(service), std::string(method),
                                 std::string(TypeLabel(type))});
  }
  return *entry;
}

}  // namespace annals::metrics
