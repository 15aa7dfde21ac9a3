#include "annals/catalog_client.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <utility>

#include "annals/channel.h"
#include "clients/cpp/src/call.h"
#include "services/common/status/grpc_status.h"

namespace annals {

namespace v1 = ::annals::catalog::v1;
using internal::CallWithRetry;
using internal::NewRequestId;

CatalogClient::CatalogClient(
    std::shared_ptr<v1::CatalogService::StubInterface> stub,
    ClientOptions options, std::shared_ptr<Session> session)
    : stub_(std::move(stub)),
      options_(std::move(options)),
      session_(session != nullptr ? std::move(session)
                                  : std::make_shared<Session>()) {}

CatalogClient CatalogClient::Connect(const std::string& address,
                                     ClientOptions options,
                                     std::shared_ptr<Session> session) {
  std::shared_ptr<grpc::Channel> channel = CreateChannel(address, options);
  return Connect(std::move(channel), std::move(options), std::move(session));
}

CatalogClient CatalogClient::Connect(
    std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options,
    std::shared_ptr<Session> session) {
  return CatalogClient(v1::CatalogService::NewStub(channel), std::move(options),
                       std::move(session));
}

namespace {

template <typename Request>
void EnsureRequestId(Request& request) {
  if (request.request_id().empty()) request.set_request_id(NewRequestId());
}

}  // namespace

absl::StatusOr<v1::Entity> CatalogClient::CreateEntity(
    v1::CreateEntityRequest request) {
  EnsureRequestId(request);
  auto result = CallWithRetry<v1::Entity>(
      options_, [&](grpc::ClientContext* context, v1::Entity* response) {
        return stub_->CreateEntity(context, request, response);
      });
  if (result.ok()) session_->ObserveWrite(result->sequence());
  return result;
}

absl::StatusOr<v1::Entity> CatalogClient::GetEntity(absl::string_view name) {
  v1::GetEntityRequest request;
  request.set_name(std::string(name));
  return CallWithRetry<v1::Entity>(
      options_, [&](grpc::ClientContext* context, v1::Entity* response) {
        return stub_->GetEntity(context, request, response);
      });
}

absl::StatusOr<v1::ListEntitiesResponse> CatalogClient::ListEntities(
    const v1::ListEntitiesRequest& request) {
  return CallWithRetry<v1::ListEntitiesResponse>(
      options_,
      [&](grpc::ClientContext* context, v1::ListEntitiesResponse* response) {
        return stub_->ListEntities(context, request, response);
      });
}

absl::StatusOr<v1::Entity> CatalogClient::UpdateEntity(
    v1::UpdateEntityRequest request) {
  EnsureRequestId(request);
  auto result = CallWithRetry<v1::Entity>(
      options_, [&](grpc::ClientContext* context, v1::Entity* response) {
        return stub_->UpdateEntity(context, request, response);
      });
  if (result.ok()) session_->ObserveWrite(result->sequence());
  return result;
}

absl::StatusOr<v1::Entity> CatalogClient::DeleteEntity(
    v1::DeleteEntityRequest request) {
  EnsureRequestId(request);
  auto result = CallWithRetry<v1::Entity>(
      options_, [&](grpc::ClientContext* context, v1::Entity* response) {
        return stub_->DeleteEntity(context, request, response);
      });
  if (result.ok()) session_->ObserveWrite(result->sequence());
  return result;
}

absl::StatusOr<v1::Statement> CatalogClient::CreateStatement(
    v1::CreateStatementRequest request) {
  EnsureRequestId(request);
  auto result = CallWithRetry<v1::Statement>(
      options_, [&](grpc::ClientContext* context, v1::Statement* response) {
        return stub_->CreateStatement(context, request, response);
      });
  if (result.ok()) session_->ObserveWrite(result->sequence());
  return result;
}

absl::StatusOr<v1::Statement> CatalogClient::GetStatement(
    absl::string_view name) {
  v1::GetStatementRequest request;
  request.set_name(std::string(name));
  return CallWithRetry<v1::Statement>(
      options_, [&](grpc::ClientContext* context, v1::Statement* response) {
        return stub_->GetStatement(context, request, response);
      });
}

absl::StatusOr<v1::ListStatementsResponse> CatalogClient::ListStatements(
    const v1::ListStatementsRequest& request) {
  return CallWithRetry<v1::ListStatementsResponse>(
      options_,
      [&](grpc::ClientContext* context, v1::ListStatementsResponse* response) {
        return stub_->ListStatements(context, request, response);
      });
}

absl::StatusOr<v1::Statement> CatalogClient::RetractStatement(
    v1::RetractStatementRequest request) {
  EnsureRequestId(request);
  auto result = CallWithRetry<v1::Statement>(
      options_, [&](grpc::ClientContext* context, v1::Statement* response) {
        return stub_->RetractStatement(context, request, response);
      });
  if (result.ok()) session_->ObserveWrite(result->sequence());
  return result;
}

absl::StatusOr<v1::ImportRecordsResponse> CatalogClient::ImportRecords(
    std::vector<v1::ImportRecordsRequest> batches) {
  for (v1::ImportRecordsRequest& batch : batches) EnsureRequestId(batch);
  auto result = CallWithRetry<v1::ImportRecordsResponse>(
      options_,
      [&](grpc::ClientContext* context, v1::ImportRecordsResponse* response) {
        std::unique_ptr<grpc::ClientWriterInterface<v1::ImportRecordsRequest>>
            writer = stub_->ImportRecords(context, response);
        for (const v1::ImportRecordsRequest& batch : batches) {
          // A failed write means the server ended the stream; Finish() says
          // why.
          if (!writer->Write(batch)) break;
        }
        writer->WritesDone();
        return writer->Finish();
      });
  if (result.ok()) session_->ObserveWrite(result->last_sequence());
  return result;
}

absl::Status CatalogClient::WatchChanges(
    int64_t after_sequence,
    const std::function<bool(const v1::WatchChangesResponse&)>& on_message) {
  grpc::ClientContext context;
  v1::WatchChangesRequest request;
  request.set_after_sequence(after_sequence);
  std::unique_ptr<grpc::ClientReaderInterface<v1::WatchChangesResponse>>
      reader = stub_->WatchChanges(&context, request);
  v1::WatchChangesResponse message;
  while (reader->Read(&message)) {
    if (!on_message(message)) {
      context.TryCancel();
      while (reader->Read(&message)) {
      }
      reader->Finish().IgnoreError();
      return absl::OkStatus();
    }
  }
  return FromGrpcStatus(reader->Finish());
}

}  // namespace annals
