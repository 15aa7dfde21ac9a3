// CatalogAdminService: administration of a running catalog over gRPC
// (proto/annals/catalog/v1/admin_service.proto), served beside
// CatalogService. Every method is a write for the bearer-token check.
#ifndef ANNALS_SERVICES_CATALOG_ADMIN_SERVICE_H_
#define ANNALS_SERVICES_CATALOG_ADMIN_SERVICE_H_

#include "annals/catalog/v1/admin_service.grpc.pb.h"
#include "services/catalog/catalog.h"
#include "services/common/security/bearer_token.h"

namespace annals::catalog {

// Thread safety: safe for concurrent calls. `catalog` and `authorizer` must
// outlive the service and every call in flight.
//
// CreateBackup runs on the gRPC thread that received it, for as long as the
// backup takes (it copies only what earlier backups in the directory lack);
// backups run one at a time, so a second call waits for the first.
class CatalogAdminService final
    : public v1::CatalogAdminService::CallbackService {
 public:
  CatalogAdminService(const Catalog* catalog,
                      const security::CallAuthorizer* authorizer)
      : catalog_(catalog), authorizer_(authorizer) {}

  grpc::ServerUnaryReactor* CreateBackup(grpc::CallbackServerContext* context,
                                         const v1::CreateBackupRequest* request,
                                         v1::Backup* response) override;

 private:
  const Catalog* const catalog_;
  const security::CallAuthorizer* const authorizer_;
};

}  // namespace annals::catalog

#endif  // ANNALS_SERVICES_CATALOG_ADMIN_SERVICE_H_
