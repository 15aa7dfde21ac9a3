#include "services/common/logging/grpc_log.h"

#include <grpc/support/log.h>

#include <atomic>
#include <utility>

#include "absl/strings/str_cat.h"

namespace annals::logging {
namespace {

// Never freed: gRPC may log from its threads until the process exits.
std::atomic<std::shared_ptr<const Logger>*> grpc_logger{nullptr};

void LogFromGrpc(gpr_log_func_args* args) {
  const std::shared_ptr<const Logger>* logger = grpc_logger.load();
  if (logger == nullptr || *logger == nullptr) return;
  Level level = Level::kError;
  if (args->severity == GPR_LOG_SEVERITY_DEBUG) level = Level::kDebug;
  if (args->severity == GPR_LOG_SEVERITY_INFO) level = Level::kInfo;
  (*logger)->Log(level, absl::StrCat("grpc: ", args->message),
                 {{"source", absl::StrCat(args->file, ":", args->line)}});
}

}  // namespace

void RouteGrpcLogs(std::shared_ptr<const Logger> logger) {
  grpc_logger.store(new std::shared_ptr<const Logger>(std::move(logger)));
  gpr_set_log_function(LogFromGrpc);
}

}  // namespace annals::logging
