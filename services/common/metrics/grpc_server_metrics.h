// GrpcServerMetrics: per-method call counts, status codes and latencies of a
// gRPC server, recorded by a server interceptor into a Registry.
//
// Metric names and labels follow go-grpc-prometheus, so that existing
// dashboards apply:
//
//   grpc_server_started_total{grpc_service,grpc_method,grpc_type}
//   grpc_server_handled_total{grpc_service,grpc_method,grpc_type,grpc_code}
//   grpc_server_handling_seconds{grpc_service,grpc_method,grpc_type}
//     (histogram, LatencyBuckets())
//
// grpc_type is unary, client_stream, server_stream or bidi_stream;
// grpc_code is the canonical code name (OK, NOT_FOUND, ...). A call is
// handled when its status is sent; a call that ends without one (the
// client went away first) counts as CANCELLED. Latency runs from the call's
// arrival to its status, so for a stream it is the stream's lifetime.
// Methods that this binary does not implement are counted under
// grpc_service="unknown", grpc_method="unknown", so clients cannot create
// labels at will.
//
//   metrics::GrpcServerMetrics grpc_metrics(&registry);
//   std::vector<std::unique_ptr<
//       grpc::experimental::ServerInterceptorFactoryInterface>> creators;
//   creators.push_back(grpc_metrics.NewInterceptorFactory());
//   builder.experimental().SetInterceptorCreators(std::move(creators));
//
// Thread safety: safe for concurrent use; recording a call is a lookup
// under a reader lock plus relaxed atomic increments.
#ifndef ANNALS_SERVICES_COMMON_METRICS_GRPC_SERVER_METRICS_H_
#define ANNALS_SERVICES_COMMON_METRICS_GRPC_SERVER_METRICS_H_

#include <grpcpp/support/server_interceptor.h>
#include <grpcpp/support/status.h>

#include <array>
#include <atomic>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "services/common/metrics/registry.h"

namespace annals::metrics {

// The canonical name of a gRPC status code ("NOT_FOUND"), or its number
// for a code outside the canonical set.
std::string GrpcCodeName(grpc::StatusCode code);

class GrpcServerMetrics {
 public:
  // Registers the three families in `registry`, which must outlive this.
  explicit GrpcServerMetrics(Registry* registry);

  GrpcServerMetrics(const GrpcServerMetrics&) = delete;
  GrpcServerMetrics& operator=(const GrpcServerMetrics&) = delete;

  // A factory for ServerBuilder::experimental().SetInterceptorCreators().
  // Its interceptors record into this object, which must outlive the
  // server that owns the factory.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
  NewInterceptorFactory();

  // The metrics of one method, created on first use and kept for the life
  // of this object.
  class Method {
   public:
    Method(GrpcServerMetrics* owner, std::vector<std::string> labels);
    void Started() { started_->Increment(); }
    // Records a call's end: its code and how long it took.
    void Handled(grpc::StatusCode code, double seconds);

   private:
    GrpcServerMetrics* const owner_;
    const std::vector<std::string> labels_;  // service, method, type
    Counter* const started_;
    Histogram* const latency_;
    // Per canonical code, filled on first use.
    std::array<std::atomic<Counter*>, 17> handled_{};
  };
  // `full_method` is "/package.Service/Method".
  Method& ForMethod(absl::string_view full_method,
                    grpc::experimental::ServerRpcInfo::Type type);

 private:
  CounterFamily& started_;
  CounterFamily& handled_;
  HistogramFamily& latency_;

  absl::Mutex mu_;
  // Keyed by type and full method name.
  absl::flat_hash_map<std::string, std::unique_ptr<Method>> methods_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace annals::metrics

#endif  // ANNALS_SERVICES_COMMON_METRICS_GRPC_SERVER_METRICS_H_
