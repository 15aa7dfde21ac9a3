#include "clients/cli/backup_command.h"

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "annals/catalog/v1/admin_service.grpc.pb.h"
#include "annals/channel.h"
#include "clients/cli/output.h"

namespace annals::cli {
namespace {

namespace cv1 = ::annals::catalog::v1;

// Default --wait: a backup copies what earlier backups in the directory
// lack, which for a first backup of a large catalog takes minutes.
constexpr int64_t kDefaultWaitSeconds = 3600;

std::string Megabytes(int64_t bytes) {
  return absl::StrCat(absl::SixDigits(static_cast<double>(bytes) / 1e6), " MB");
}

}  // namespace

int RunBackup(const Args& args, const std::string& address,
              const ClientOptions& options, bool json, std::ostream& out,
              std::ostream& err) {
  if (args.positionals().size() != 1) {
    err << "annals: backup takes one DIR, an absolute path on the catalog "
           "server (see annals backup --help)\n";
    return 2;
  }
  absl::StatusOr<int64_t> keep = args.GetInt("keep", 0);
  absl::StatusOr<int64_t> wait = args.GetInt("wait", kDefaultWaitSeconds);
  if (!keep.ok() || !wait.ok() || *keep < 0 || *keep > 1000000 || *wait <= 0) {
    err << "annals: backup: --keep must be a number from 0 (keep all) and "
           "--wait a number of seconds above 0\n";
    return 2;
  }
  cv1::CreateBackupRequest request;
  request.set_directory(args.positionals()[0]);
  request.set_keep_backups(static_cast<int32_t>(*keep));
  auto stub =
      cv1::CatalogAdminService::NewStub(CreateChannel(address, options));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(*wait)));
  cv1::Backup backup;
  grpc::Status status = stub->CreateBackup(&context, request, &backup);
  if (!status.ok()) {
    err << "annals: backup into " << request.directory() << " on " << address
        << ": "
        << absl::StatusCodeToString(
               static_cast<absl::StatusCode>(status.error_code()))
        << ": " << status.error_message() << "\n";
    return 1;
  }
  if (json) {
    out << Json(backup) << "\n";
    return 0;
  }
  out << "backup " << backup.backup_id() << " of catalog "
      << backup.catalog_id() << " at sequence " << backup.last_sequence()
      << " in " << backup.directory() << " on the catalog server ("
      << Megabytes(backup.size_bytes()) << " in " << backup.file_count()
      << " files); the directory keeps backups "
      << absl::StrJoin(backup.retained_backup_ids(), ", ") << "\n";
  return 0;
}

}  // namespace annals::cli
