#include "services/catalog/storage/rocksdb_info_log.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace annals::catalog {
namespace {

class InfoLog final : public rocksdb::Logger {
 public:
  // Takes ownership of `fd` (-1: drop every line).
  explicit InfoLog(int fd) : fd_(fd) {}
  ~InfoLog() override { CloseImpl().PermitUncheckedError(); }

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    if (fd_ < 0) return;
    // "2024/05/01-10:00:00.123456 7f1c2a  message", as RocksDB writes it.
    std::string line = absl::FormatTime("%Y/%m/%d-%H:%M:%E6S ", absl::Now(),
                                        absl::LocalTimeZone());
    absl::StrAppend(&line, absl::Hex(static_cast<uint64_t>(pthread_self())),
                    " ");
    char buffer[1024];
    va_list copy;
    va_copy(copy, ap);
    const int size = std::vsnprintf(buffer, sizeof(buffer), format, copy);
    va_end(copy);
    if (size < 0) return;
    if (static_cast<size_t>(size) < sizeof(buffer)) {
      line.append(buffer, size);
    } else {
      std::string long_text(size + 1, '\0');
      std::vsnprintf(long_text.data(), long_text.size(), format, ap);
      long_text.resize(size);
      line += long_text;
    }
    if (line.back() != '\n') line += '\n';
    // One write with O_APPEND: lines do not interleave. A refused or short
    // write loses (part of) the line, and nothing else.
    if (::write(fd_, line.data(), line.size()) < 0) {
      // Dropped: the disk is full or failing, which the storage reports.
    }
  }

 protected:
  rocksdb::Status CloseImpl() override {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    return rocksdb::Status::OK();
  }

 private:
  int fd_;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewRocksDbInfoLog(const std::string& folder) {
  const std::string path = folder + "/LOG";
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (std::filesystem::exists(path, error)) {
    std::filesystem::rename(
        path,
        absl::StrCat(folder, "/LOG.old.", absl::ToUnixMicros(absl::Now())),
        error);
  }
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  return std::make_shared<InfoLog>(fd);
}

}  // namespace annals::catalog
