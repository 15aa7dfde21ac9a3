// annals.catalog.v1.CatalogService over gRPC's callback API: a thin layer
// that validates nothing itself, calls Catalog, and translates statuses.
#ifndef ANNALS_SERVICES_CATALOG_CATALOG_SERVICE_H_
#define ANNALS_SERVICES_CATALOG_CATALOG_SERVICE_H_

#include "annals/catalog/v1/catalog_service.grpc.pb.h"
#include "services/catalog/catalog.h"
#include "services/catalog/feed_slots.h"

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
  // WatchChanges streams take slots within `feed_limits` (see FeedSlots;
  // `tokens`: whether the server checks bearer tokens); a stream refused a
  // slot fails with RESOURCE_EXHAUSTED naming the flag. Default: no limits.
  explicit CatalogService(
      Catalog* catalog,
      FeedSlotLimits feed_limits = {.max_streams = 0,
                                    .max_streams_per_peer = 0,
                                    .reserved_streams = 0},
      bool tokens = false)
      : catalog_(catalog), slots_(feed_limits, tokens) {}

  // WatchChanges streams open now.
  int open_streams() const { return slots_.open(); }

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
  // WatchChanges for a caller that presented the bearer token
  // (`authenticated`) or not, which decides the slots it may take.
  // WatchChanges() is Watch(..., false).
  grpc::ServerWriteReactor<v1::WatchChangesResponse>* Watch(
      grpc::CallbackServerContext* context,
      const v1::WatchChangesRequest* request, bool authenticated);

 private:
  Catalog* const catalog_;
  FeedSlots slots_;
};

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_CATALOG_SERVICE_H_
