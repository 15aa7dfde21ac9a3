#include "services/catalog/authorized_service.h"

#include "services/common/security/reject.h"

namespace annals::catalog {

using security::Access;

template <typename Request, typename Response>
grpc::ServerUnaryReactor* AuthorizedCatalogService::Unary(
    grpc::CallbackServerContext* context, const Request* request,
    Response* response, Access access, absl::string_view method,
    grpc::ServerUnaryReactor* (CatalogService::*handler)(
        grpc::CallbackServerContext*, const Request*, Response*)) {
  absl::Status allowed = authorizer_->Authorize(*context, access, method);
  if (!allowed.ok()) return security::RejectUnary(context, allowed);
  return (service_->*handler)(context, request, response);
}

grpc::ServerUnaryReactor* AuthorizedCatalogService::CreateEntity(
    grpc::CallbackServerContext* context,
    const v1::CreateEntityRequest* request, v1::Entity* response) {
  return Unary(context, request, response, Access::kWrite, "CreateEntity",
               &CatalogService::CreateEntity);
}

grpc::ServerUnaryReactor* AuthorizedCatalogService::GetEntity(
    grpc::CallbackServerContext* context, const v1::GetEntityRequest* request,
    v1::Entity* response) {
  return Unary(context, request, response, Access::kRead, "GetEntity",
               &CatalogService::GetEntity);
}

grpc::ServerUnaryReactor* AuthorizedCatalogService::ListEntities(
    grpc::CallbackServerContext* context,
    const v1::ListEntitiesRequest* request,
    v1::ListEntitiesResponse* response) {
  return Unary(context, request, response, Access::kRead, "ListEntities",
               &CatalogService::ListEntities);
}

grpc::ServerUnaryReactor* AuthorizedCatalogService::UpdateEntity(
    grpc::CallbackServerContext* context,
    const v1::UpdateEntityRequest* request, v1::Entity* response) {
  return Unary(context, request, response, Access::kWrite, "UpdateEntity",
               &CatalogService::UpdateEntity);
}

grpc::ServerUnaryReactor* AuthorizedCatalogService::DeleteEntity(
    grpc::CallbackServerContext* context,
    const v1::DeleteEntityRequest* request, v1::Entity* response) {
  return Unary(context, request, response, Access::kWrite, "DeleteEntity",
               &CatalogService::DeleteEntity);
}

grpc::ServerUnaryReactor* AuthorizedCatalogService::CreateStatement(
    grpc::CallbackServerContext* context,
    const v1::CreateStatementRequest* request, v1::Statement* response) {
  return Unary(context, request, response, Access::kWrite, "CreateStatement",
               &CatalogService::CreateStatement);
}

grpc::ServerUnaryReactor* AuthorizedCatalogService::GetStatement(
    grpc::CallbackServerContext* context,
    const v1::GetStatementRequest* request, v1::Statement* response) {
  return Unary(context, request, response, Access::kRead, "GetStatement",
               &CatalogService::GetStatement);
}

grpc::ServerUnaryReactor* AuthorizedCatalogService::ListStatements(
    grpc::CallbackServerContext* context,
    const v1::ListStatementsRequest* request,
    v1::ListStatementsResponse* response) {
  return Unary(context, request, response, Access::kRead, "ListStatements",
               &CatalogService::ListStatements);
}

grpc::ServerUnaryReactor* AuthorizedCatalogService::RetractStatement(
    grpc::CallbackServerContext* context,
    const v1::RetractStatementRequest* request, v1::Statement* response) {
  return Unary(context, request, response, Access::kWrite, "RetractStatement",
               &CatalogService::RetractStatement);
}

grpc::ServerReadReactor<grpc::ByteBuffer>*
AuthorizedCatalogService::ImportRecords(grpc::CallbackServerContext* context,
                                        grpc::ByteBuffer* response) {
  absl::Status allowed =
      authorizer_->Authorize(*context, Access::kWrite, "ImportRecords");
  if (!allowed.ok()) {
    return security::RejectReader<grpc::ByteBuffer>(allowed);
  }
  return service_->ImportRecords(context, response);
}

grpc::ServerWriteReactor<v1::WatchChangesResponse>*
AuthorizedCatalogService::WatchChanges(grpc::CallbackServerContext* context,
                                       const v1::WatchChangesRequest* request) {
  absl::Status allowed =
      authorizer_->Authorize(*context, Access::kRead, "WatchChanges");
  if (!allowed.ok()) {
    return security::RejectWriter<v1::WatchChangesResponse>(allowed);
  }
  // Callers presenting the token may use the slots kept for followers.
  return service_->Watch(context, request,
                         authorizer_->Authenticated(*context));
}

}  // namespace annals::catalog
