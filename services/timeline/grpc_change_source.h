// GrpcChangeSource: a ChangeSource that follows CatalogService.WatchChanges
// over gRPC.
//
// The channel reconnects by itself with a short backoff (100 ms to 2 s), so
// a restarted catalog is found again quickly. SetTarget() points later
// streams at another address (a catalog that came back on another port).
//
// Thread safety: all methods are safe to call concurrently.
#ifndef ANNALS_SERVICES_TIMELINE_GRPC_CHANGE_SOURCE_H_
#define ANNALS_SERVICES_TIMELINE_GRPC_CHANGE_SOURCE_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/timeline/change_source.h"

namespace grpc {
class Channel;
class ChannelCredentials;
}  // namespace grpc

namespace annals::timeline {

// How to reach a catalog that requires TLS or a bearer token.
struct CatalogConnection {
  // Channel credentials (see security::MakeChannelCredentials). Null:
  // plaintext. Default: null.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // Sent as "authorization: Bearer <token>" on every stream when not empty
  // (for a catalog that requires it for reads). Default: empty.
  std::string token;
  // How long the catalog may leave the feed's connection unanswered before
  // the timeline gives up on it: HTTP/2 keepalive pings go out every
  // quarter of it, with or without a stream open, and one unanswered for
  // half of it closes the connection, which ends the stream (UNAVAILABLE)
  // and so marks the timeline out of sync. A frozen or unreachable catalog
  // (SIGSTOP, a dead host, a dropped route) is noticed within this time.
  // At least 4 s (the catalog accepts a ping every 500 ms). Default: 20 s.
  absl::Duration stall_timeout = absl::Seconds(20);
};

class GrpcChangeSource final : public ChangeSource {
 public:
  // `target` is a gRPC target such as "127.0.0.1:7401".
  explicit GrpcChangeSource(absl::string_view target,
                            CatalogConnection connection = {});

  absl::StatusOr<std::unique_ptr<ChangeStream>> Watch(
      int64_t after_sequence) override;

  // Streams opened from now on connect to `target`.
  void SetTarget(absl::string_view target);
  std::string target() const;

 private:
  const CatalogConnection connection_;
  mutable absl::Mutex mu_;
  std::string target_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<grpc::Channel> channel_ ABSL_GUARDED_BY(mu_);
};

}  // namespace annals::timeline

#endif  // ANNALS_SERVICES_TIMELINE_GRPC_CHANGE_SOURCE_H_
