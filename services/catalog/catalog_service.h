// annals.catalog.v1.CatalogService over gRPC's callback API: a thin layer
// that validates nothing itself, calls Catalog, and translates statuses.
#ifndef ANNALS_SERVICES_CATALOG_CATALOG_SERVICE_H_
#define ANNALS_SERVICES_CATALOG_CATALOG_SERVICE_H_

#include <atomic>

#include "annals/catalog/v1/catalog_service.grpc.pb.h"
#include "services/catalog/catalog.h"

namespace annals::catalog {

// Thread safety: safe for concurrent calls. `catalog` must outlive the
// service and every call in flight.
class CatalogService final : public v1::CatalogService::CallbackService {
 public:
  // At most `max_streams` WatchChanges streams are open at once (0: no
  // limit); another fails with RESOURCE_EXHAUSTED "too many change-feed
  // streams (N); try later".
  explicit CatalogService(Catalog* catalog, int max_streams = 0)
      : catalog_(catalog), max_streams_(max_streams) {}

  // WatchChanges streams open now.
  int open_streams() const { return open_streams_.load(); }

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
  grpc::ServerReadReactor<v1::ImportRecordsRequest>* ImportRecords(
      grpc::CallbackServerContext* context,
      v1::ImportRecordsResponse* response) override;
  grpc::ServerWriteReactor<v1::WatchChangesResponse>* WatchChanges(
      grpc::CallbackServerContext* context,
      const v1::WatchChangesRequest* request) override;

 private:
  Catalog* const catalog_;
  const int max_streams_;
  std::atomic<int> open_streams_{0};
};

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_CATALOG_SERVICE_H_
