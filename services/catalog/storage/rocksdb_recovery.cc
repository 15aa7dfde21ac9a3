#include "services/catalog/storage/rocksdb_recovery.h"

namespace annals::catalog {
namespace {

class ManualRecovery final : public rocksdb::EventListener {
 public:
  const char* Name() const override { return "annals.ManualRecovery"; }

  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason /*reason*/,
                            rocksdb::Status /*bg_error*/,
                            bool* auto_recovery) override {
    *auto_recovery = false;
  }
};

}  // namespace

std::shared_ptr<rocksdb::EventListener> NewManualRecoveryListener() {
  return std::make_shared<ManualRecovery>();
}

}  // namespace annals::catalog
