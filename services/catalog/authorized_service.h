// AuthorizedCatalogService: CatalogService behind a bearer-token check.
//
// Each call is checked (security::CallAuthorizer) before the wrapped
// service sees it: CreateEntity, UpdateEntity, DeleteEntity,
// CreateStatement, RetractStatement and ImportRecords are writes; the other
// methods are reads. A refused call ends with UNAUTHENTICATED before its
// request is read or acted on, so it writes nothing. Health checking and
// reflection are separate services and never checked.
#ifndef ANNALS_SERVICES_CATALOG_AUTHORIZED_SERVICE_H_
#define ANNALS_SERVICES_CATALOG_AUTHORIZED_SERVICE_H_

#include "annals/catalog/v1/catalog_service.grpc.pb.h"
#include "services/catalog/catalog_service.h"
#include "services/common/security/bearer_token.h"

namespace annals::catalog {

// Thread safety: safe for concurrent calls. `service` and `authorizer` must
// outlive this service and every call in flight.
//
// ImportRecords is raw, as in CatalogService, which it forwards to.
class AuthorizedCatalogService final
    : public v1::CatalogService::WithRawCallbackMethod_ImportRecords<
          v1::CatalogService::CallbackService> {
 public:
  AuthorizedCatalogService(CatalogService* service,
                           const security::CallAuthorizer* authorizer)
      : service_(service), authorizer_(authorizer) {}

  grpc::ServerUnaryReactor* CreateEntity(grpc::CallbackServerContext* context,
                                         const v1::CreateEntityRequest* request,
                                         v1::Entity* response) override;
  grpc::ServerUnaryReactor* GetEntity(grpc::CallbackServerContext* context,
                                      const v1::GetEntityRequest* request,
                                      v1::Entity* response) override;
  grpc::ServerUnaryReactor* ListEntities(
      grpc::CallbackServerContext* context,
      const v1::ListEntitiesRequest* request,
      v1::ListEntitiesResponse* response) override;
  grpc::ServerUnaryReactor* UpdateEntity(grpc::CallbackServerContext* context,
                                         const v1::UpdateEntityRequest* request,
                                         v1::Entity* response) override;
  grpc::ServerUnaryReactor* DeleteEntity(grpc::CallbackServerContext* context,
                                         const v1::DeleteEntityRequest* request,
                                         v1::Entity* response) override;
  grpc::ServerUnaryReactor* CreateStatement(
      grpc::CallbackServerContext* context,
      const v1::CreateStatementRequest* request,
      v1::Statement* response) override;
  grpc::ServerUnaryReactor* GetStatement(grpc::CallbackServerContext* context,
                                         const v1::GetStatementRequest* request,
                                         v1::Statement* response) override;
  grpc::ServerUnaryReactor* ListStatements(
      grpc::CallbackServerContext* context,
      const v1::ListStatementsRequest* request,
      v1::ListStatementsResponse* response) override;
  grpc::ServerUnaryReactor* RetractStatement(
      grpc::CallbackServerContext* context,
      const v1::RetractStatementRequest* request,
      v1::Statement* response) override;
  grpc::ServerReadReactor<grpc::ByteBuffer>* ImportRecords(
      grpc::CallbackServerContext* context,
      grpc::ByteBuffer* response) override;
  grpc::ServerWriteReactor<v1::WatchChangesResponse>* WatchChanges(
      grpc::CallbackServerContext* context,
      const v1::WatchChangesRequest* request) override;

 private:
  template <typename Request, typename Response>
  grpc::ServerUnaryReactor* Unary(
      grpc::CallbackServerContext* context, const Request* request,
      Response* response, security::Access access, absl::string_view method,
      grpc::ServerUnaryReactor* (CatalogService::*handler)(
          grpc::CallbackServerContext*, const Request*, Response*));

  CatalogService* const service_;
  const security::CallAuthorizer* const authorizer_;
};

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_AUTHORIZED_SERVICE_H_
