#include "services/catalog/admin_service.h"

#include "services/catalog/backup.h"
#include "services/common/security/reject.h"
#include "services/common/status/grpc_status.h"

namespace annals::catalog {

grpc::ServerUnaryReactor* CatalogAdminService::CreateBackup(
    grpc::CallbackServerContext* context,
    const v1::CreateBackupRequest* request, v1::Backup* response) {
  absl::Status allowed = authorizer_->Authorize(
      *context, security::Access::kWrite, "CreateBackup");
  if (!allowed.ok()) return security::RejectUnary(context, allowed);
  absl::StatusOr<CatalogBackup> backup =
      BackupCatalog(*catalog_, request->directory(), request->keep_backups());
  if (backup.ok()) *response = ToProto(*backup);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(backup.status()));
  return reactor;
}

}  // namespace annals::catalog
