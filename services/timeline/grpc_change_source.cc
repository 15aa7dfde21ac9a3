#include "services/timeline/grpc_change_source.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "annals/catalog/v1/catalog_service.grpc.pb.h"
#include "services/common/status/grpc_status.h"

namespace annals::timeline {
namespace {

std::shared_ptr<grpc::Channel> MakeChannel(
    const std::string& target, const CatalogConnection& connection) {
  const std::shared_ptr<grpc::ChannelCredentials>& credentials =
      connection.credentials;
  grpc::ChannelArguments args;
  // Keepalive (see CatalogConnection::stall_timeout): a ping every quarter
  // of the stall timeout, answered within half of it, even between streams
  // and however many pings go without data.
  const int64_t stall_ms = absl::ToInt64Milliseconds(connection.stall_timeout);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS,
              static_cast<int>(std::max<int64_t>(stall_ms / 4, 1000)));
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
              static_cast<int>(std::max<int64_t>(stall_ms / 2, 1000)));
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  // A catalog that restarts should be found again within a couple of
  // seconds, not gRPC's default of up to two minutes.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(
      target,
      credentials != nullptr ? credentials : grpc::InsecureChannelCredentials(),
      args);
}

class GrpcChangeStream final : public ChangeStream {
 public:
  GrpcChangeStream(const std::shared_ptr<grpc::Channel>& channel,
                   int64_t after_sequence, const std::string& token)
      : stub_(catalog::v1::CatalogService::NewStub(channel)) {
    if (!token.empty()) {
      context_.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    }
    catalog::v1::WatchChangesRequest request;
    request.set_after_sequence(after_sequence);
    reader_ = stub_->WatchChanges(&context_, request);
  }

  bool Read(catalog::v1::WatchChangesResponse* message) override {
    return reader_->Read(message);
  }

  void Cancel() override { context_.TryCancel(); }

  absl::Status Finish() override { return FromGrpcStatus(reader_->Finish()); }

 private:
  std::unique_ptr<catalog::v1::CatalogService::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<catalog::v1::WatchChangesResponse>>
      reader_;
};

}  // namespace

GrpcChangeSource::GrpcChangeSource(absl::string_view target,
                                   CatalogConnection connection)
    : connection_(std::move(connection)),
      target_(target),
      channel_(MakeChannel(target_, connection_)) {}

absl::StatusOr<std::unique_ptr<ChangeStream>> GrpcChangeSource::Watch(
    int64_t after_sequence) {
  std::shared_ptr<grpc::Channel> channel;
  {
    absl::MutexLock lock(&mu_);
    channel = channel_;
  }
  return std::make_unique<GrpcChangeStream>(channel, after_sequence,
                                            connection_.token);
}

void GrpcChangeSource::SetTarget(absl::string_view target) {
  absl::MutexLock lock(&mu_);
  if (target == target_) return;
  target_ = std::string(target);
  channel_ = MakeChannel(target_, connection_);
}

std::string GrpcChangeSource::target() const {
  absl::MutexLock lock(&mu_);
  return target_;
}

}  // namespace annals::timeline
