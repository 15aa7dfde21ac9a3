// annals.catalog.v1.CatalogService over gRPC's callback API: a thin layer
// that validates nothing itself, calls Catalog, and translates statuses.
#ifndef ANNALS_SERVICES_CATALOG_CATALOG_SERVICE_H_
#define ANNALS_SERVICES_CATALOG_CATALOG_SERVICE_H_

#include <atomic>

#include "annals/catalog/v1/catalog_service.grpc.pb.h"
#include "services/catalog/catalog.h"

namespace annals::catalog {

// ImportRecords is served in its raw form (grpc::ByteBuffer batches) so
// that the service parses each batch itself. With the typed API a batch that
// fails to parse (proto3 rejects a string field holding invalid UTF-8) ends
// the read loop exactly like the client finishing, and the import would
// report success without it or anything after it; parsing here fails the
// stream with INVALID_ARGUMENT naming the field instead.
//
// Thread safety: safe for concurrent calls. `catalog` must outlive the
// service and every call in flight.
class CatalogService final
    : public v1::CatalogService::WithRawCallbackMethod_ImportRecords<
          v1::CatalogService::CallbackService> {
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
  // Batches are serialized v1::ImportRecordsRequest messages; the response
  // is a serialized v1::ImportRecordsResponse.
  grpc::ServerReadReactor<grpc::ByteBuffer>* ImportRecords(
      grpc::CallbackServerContext* context,
      grpc::ByteBuffer* response) override;
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
