// annals::CatalogClient: a typed client of annals.catalog.v1.CatalogService.
//
//   auto session = std::make_shared<annals::Session>();
//   annals::CatalogClient catalog =
//       annals::CatalogClient::Connect("127.0.0.1:7401", {}, session);
//   absl::StatusOr<annals::catalog::v1::Entity> nmi = catalog.GetEntity("NMI");
//   if (!nmi.ok()) { ... nmi.status() ... }
//
// Every call returns absl::Status or absl::StatusOr<T> (never throws), with
// the server's code, message and google.rpc error details as payloads (see
// ViolatedFields() in services/common/status/errors.h). Calls have a
// deadline; reads, and writes (which always carry a request id, generated
// when the caller sets none), are retried with backoff on UNAVAILABLE. Each
// successful write records its sequence in the Session.
//
// Thread safety: a CatalogClient may be used from several threads at once.
// Tests can pass a MockCatalogServiceStub (catalog_service_mock.grpc.pb.h)
// to the constructor.
#ifndef ANNALS_CLIENTS_CPP_INCLUDE_ANNALS_CATALOG_CLIENT_H_
#define ANNALS_CLIENTS_CPP_INCLUDE_ANNALS_CATALOG_CLIENT_H_

#include <grpcpp/channel.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "annals/catalog/v1/catalog_service.grpc.pb.h"
#include "annals/options.h"
#include "annals/session.h"

namespace annals {

class CatalogClient {
 public:
  // A client over `stub`. A null `session` gets a session of its own.
  CatalogClient(
      std::shared_ptr<catalog::v1::CatalogService::StubInterface> stub,
      ClientOptions options = {}, std::shared_ptr<Session> session = nullptr);

  // A client of the catalog at `address` ("host:port") over
  // CreateChannel(address, options) (channel.h): TLS when options.tls is
  // set, plaintext otherwise, and options.bearer_token on every call.
  // Connecting is lazy: an unreachable address or a failed TLS handshake
  // shows up as UNAVAILABLE on the first call.
  static CatalogClient Connect(const std::string& address,
                               ClientOptions options = {},
                               std::shared_ptr<Session> session = nullptr);

  // A client over an existing channel (TLS, tokens: see grpc::Channel).
  static CatalogClient Connect(std::shared_ptr<grpc::ChannelInterface> channel,
                               ClientOptions options = {},
                               std::shared_ptr<Session> session = nullptr);

  const std::shared_ptr<Session>& session() const { return session_; }

  absl::StatusOr<catalog::v1::Entity> CreateEntity(
      catalog::v1::CreateEntityRequest request);
  // By name, bare id, label or alias.
  absl::StatusOr<catalog::v1::Entity> GetEntity(absl::string_view name);
  absl::StatusOr<catalog::v1::ListEntitiesResponse> ListEntities(
      const catalog::v1::ListEntitiesRequest& request);
  absl::StatusOr<catalog::v1::Entity> UpdateEntity(
      catalog::v1::UpdateEntityRequest request);
  absl::StatusOr<catalog::v1::Entity> DeleteEntity(
      catalog::v1::DeleteEntityRequest request);
  absl::StatusOr<catalog::v1::Statement> CreateStatement(
      catalog::v1::CreateStatementRequest request);
  absl::StatusOr<catalog::v1::Statement> GetStatement(absl::string_view name);
  absl::StatusOr<catalog::v1::ListStatementsResponse> ListStatements(
      const catalog::v1::ListStatementsRequest& request);
  absl::StatusOr<catalog::v1::Statement> RetractStatement(
      catalog::v1::RetractStatementRequest request);

  // Streams `batches` in one ImportRecords call (each batch all or nothing)
  // and returns the summary. Batches without a request id get one, so the
  // whole stream is retried safely on UNAVAILABLE.
  absl::StatusOr<catalog::v1::ImportRecordsResponse> ImportRecords(
      std::vector<catalog::v1::ImportRecordsRequest> batches);

  // Follows the change feed from `after_sequence`, calling `on_message` for
  // each message (the first reports head_sequence and catalog_id) until it
  // returns false (then OK) or the stream fails. No deadline: cancel by
  // returning false.
  absl::Status WatchChanges(
      int64_t after_sequence,
      const std::function<bool(const catalog::v1::WatchChangesResponse&)>&
          on_message);

 private:
  std::shared_ptr<catalog::v1::CatalogService::StubInterface> stub_;
  ClientOptions options_;
  std::shared_ptr<Session> session_;
};

}  // namespace annals

#endif  // ANNALS_CLIENTS_CPP_INCLUDE_ANNALS_CATALOG_CLIENT_H_
