// The catalog's storage failing under the real annals-catalog binary (issue
// 12, items 2 and 11): a full disk (a small tmpfs filled up), a file system
// turned read-only (ext4 on a loop device, errors=remount-ro, made to fail
// through /sys/fs/ext4/*/trigger_fs_error), I/O errors (ext4 on a loop
// device whose backing tmpfs is full), and a data folder deleted under the
// running process.
//
// Each fault must leave the process alive: writes fail with UNAVAILABLE
// naming the cause, reads keep being served, health reports the service
// name "annals.catalog.v1.CatalogService" NOT_SERVING (writes) while ""
// stays SERVING (the process answers), the failure is logged once, and
// nothing acknowledged is lost. Before issue 12 the catalog aborted on
// RocksDB's `sync_without_flush_called_` assertion (exit 134) or kept
// acknowledging writes into a deleted folder.
//
// The tests that mount file systems need root and skip (GTEST_SKIP, with
// the reason) where mounting is refused; their mounts are undone however a
// test ends.
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/fault/fault_testing.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace annals {
namespace {

using ::annals::testing::Subprocess;
using ::annals::testing::TempDir;
using ::grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;

constexpr char kWriteService[] = "annals.catalog.v1.CatalogService";

// Runs a shell command; returns its exit status (-1 if it did not exit).
int Shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A file system mounted on a folder for one test, unmounted (lazily, so a
// process still using it cannot keep it) when the object goes away, also
// when the test fails part way.
class ScratchMount {
 public:
  // A tmpfs of `size` ("16m") on `dir`; nullptr and *why_not when the
  // machine refuses (not root, no mount permission in a container).
  static std::unique_ptr<ScratchMount> Tmpfs(const std::string& dir,
                                             const std::string& size,
                                             std::string* why_not) {
    if (geteuid() != 0) {
      *why_not = "mounting a tmpfs needs root";
      return nullptr;
    }
    std::filesystem::create_directories(dir);
    const std::string options = absl::StrCat("size=", size, ",mode=0755");
    if (mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      *why_not = absl::StrCat("mount -t tmpfs refused: ", std::strerror(errno));
      return nullptr;
    }
    return std::unique_ptr<ScratchMount>(new ScratchMount(dir, ""));
  }

  // An ext4 file system in `image_dir`/ext4.img (made fresh, of
  // `megabytes`, unless that is 0) on a loop device, mounted on `dir` with
  // errors=remount-ro; nullptr and *why_not when the machine refuses.
  static std::unique_ptr<ScratchMount> Ext4(const std::string& image_dir,
                                            const std::string& dir,
                                            int megabytes,
                                            std::string* why_not) {
    if (geteuid() != 0) {
      *why_not = "mounting an ext4 loop device needs root";
      return nullptr;
    }
    const std::string image = image_dir + "/ext4.img";
    std::filesystem::create_directories(dir);
    if (megabytes > 0 && Shell(absl::StrCat("truncate -s ", megabytes, "M ",
                                            image, " && mkfs.ext4 -q -F ",
                                            image, " >/dev/null 2>&1")) != 0) {
      *why_not = "mkfs.ext4 is missing or failed";
      return nullptr;
    }
    if (Shell(absl::StrCat("mount -o loop,errors=remount-ro ", image, " ", dir,
                           " >/dev/null 2>&1")) != 0) {
      *why_not = "mount -o loop refused (no loop devices here?)";
      return nullptr;
    }
    return std::unique_ptr<ScratchMount>(new ScratchMount(dir, image));
  }

  ~ScratchMount() { Unmount(); }
  ScratchMount(const ScratchMount&) = delete;
  ScratchMount& operator=(const ScratchMount&) = delete;

  // Unmounts now; safe to call twice. A loop device is detached with its
  // last user (mount -o loop sets autoclear).
  void Unmount() {
    if (unmounted_) return;
    unmounted_ = true;
    umount2(dir_.c_str(), MNT_DETACH);
  }

  // For ext4 mounts: the name under /sys/fs/ext4 ("loop3"), or empty.
  std::string Ext4SysName() const {
    struct stat info {};
    if (stat(dir_.c_str(), &info) != 0) return "";
    std::ifstream uevent(absl::StrCat("/sys/dev/block/", major(info.st_dev),
                                      ":", minor(info.st_dev), "/uevent"));
    std::string line;
    while (std::getline(uevent, line)) {
      absl::string_view rest = line;
      if (absl::ConsumePrefix(&rest, "DEVNAME=")) return std::string(rest);
    }
    return "";
  }

 private:
  ScratchMount(std::string dir, std::string image)
      : dir_(std::move(dir)), image_(std::move(image)) {}

  std::string dir_;
  std::string image_;
  bool unmounted_ = false;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Fills the file system of `dir` with a file of zeros until a write fails
// with ENOSPC; returns its path, or empty if something else failed.
std::string FillUp(const std::string& dir) {
  const std::string path = dir + "/filler";
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return "";
  std::vector<char> block(64 << 10, '\0');
  bool full = false;
  while (!full) {
    const ssize_t written = write(fd, block.data(), block.size());
    if (written < 0) {
      full = errno == ENOSPC;
      break;
    }
  }
  // The last bytes: tmpfs fills page by page.
  while (full && write(fd, block.data(), 1) == 1) {
  }
  fsync(fd);
  close(fd);
  return full ? path : "";
}

// A catalog process whose stdout the test reads (for its port) and whose
// stderr (its log) goes to a file the test reads at the end.
struct Catalog {
  std::unique_ptr<Subprocess> process;
  int port = 0;
  int metrics_port = 0;  // with --metrics_listen=127.0.0.1:0 only
  std::string log_path;
  std::string address() const { return absl::StrCat("127.0.0.1:", port); }
};

Catalog StartCatalog(const std::string& data_dir, const std::string& log_path,
                     std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {"/bin/bash",
                                   "-c",
                                   "exec \"$0\" \"$@\" 2>>\"$LOG\"",
                                   ANNALS_CATALOG_BINARY,
                                   "--listen=127.0.0.1:0",
                                   "--data_dir=" + data_dir,
                                   "--metrics_listen=off"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  setenv("LOG", log_path.c_str(), 1);
  Catalog catalog;
  catalog.log_path = log_path;
  catalog.process = std::make_unique<Subprocess>(argv);
  std::optional<std::string> port =
      catalog.process->WaitForLine(R"(listening on \S+ \(port (\d+)\))");
  if (port.has_value()) catalog.port = std::stoi(*port);
  if (port.has_value() &&
      std::find(extra.begin(), extra.end(), "--metrics_listen=127.0.0.1:0") !=
          extra.end()) {
    std::optional<std::string> metrics =
        catalog.process->WaitForLine(R"(metrics on http://[^:]+:(\d+)/)");
    if (metrics.has_value()) catalog.metrics_port = std::stoi(*metrics);
  }
  return catalog;
}

// The value of the gauge `name` on the catalog's /metrics page, or empty.
std::string ScrapeGauge(int metrics_port, const std::string& name) {
  const std::string command = absl::StrCat(
      "curl -s --max-time 5 http://127.0.0.1:", metrics_port, "/metrics");
  std::string page;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "";
  char buffer[4096];
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) page += buffer;
  pclose(pipe);
  for (absl::string_view line : absl::StrSplit(page, '\n')) {
    if (absl::ConsumePrefix(&line, name + " ")) return std::string(line);
  }
  return "";
}

// How many lines of `text` contain `needle`.
int CountLines(const std::string& text, const std::string& needle) {
  int count = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StrContains(line, needle)) ++count;
  }
  return count;
}

// The exit of a process that ended: "exit N" or "signal N".
std::string Describe(int wait_status) {
  if (WIFEXITED(wait_status)) {
    return absl::StrCat("exit ", WEXITSTATUS(wait_status));
  }
  if (WIFSIGNALED(wait_status)) {
    return absl::StrCat("signal ", WTERMSIG(wait_status));
  }
  return absl::StrCat("wait status ", wait_status);
}

// Whether the child is still running. One that ended stays a zombie (state
// Z) until Subprocess::Wait() reaps it and reports how it ended.
bool Alive(Subprocess& process) {
  if (!process.running()) return false;
  const std::string stat =
      ReadFile(absl::StrCat("/proc/", process.pid(), "/stat"));
  const size_t end = stat.rfind(") ");
  if (end != std::string::npos && stat.size() > end + 2 &&
      stat[end + 2] != 'Z') {
    return true;
  }
  ADD_FAILURE() << "the catalog ended: " << Describe(process.Wait());
  return false;
}

HealthCheckResponse::ServingStatus Health(const std::string& address,
                                          const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(testing::FreshChannel(address));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) return HealthCheckResponse::UNKNOWN;
  return response.status();
}

grpc::Status CreateEntity(catalog::v1::CatalogService::Stub& stub,
                          const std::string& id) {
  catalog::v1::CreateEntityRequest request;
  request.set_entity_id(id);
  request.mutable_entity()->set_kind("person");
  request.mutable_entity()->set_label(absl::StrCat("Person ", id));
  catalog::v1::Entity entity;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  return stub.CreateEntity(&context, request, &entity);
}

grpc::Status GetEntity(catalog::v1::CatalogService::Stub& stub,
                       const std::string& id) {
  catalog::v1::GetEntityRequest request;
  request.set_name("entities/" + id);
  catalog::v1::Entity entity;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  return stub.GetEntity(&context, request, &entity);
}

// Writes entities "{prefix}-N" until one fails or `limit` succeeded; adds
// the acknowledged ids to `acknowledged` and returns the failure (OK if
// none failed).
grpc::Status WriteUntilFailure(catalog::v1::CatalogService::Stub& stub,
                               const std::string& prefix, int limit,
                               std::vector<std::string>& acknowledged) {
  for (int i = 0; i < limit; ++i) {
    const std::string id = absl::StrCat(prefix, "-", acknowledged.size());
    grpc::Status status = CreateEntity(stub, id);
    if (!status.ok()) return status;
    acknowledged.push_back(id);
  }
  return grpc::Status::OK;
}

// Every acknowledged entity is readable, and the change feed from 1 is
// gap-free and holds each of them.
void ExpectNothingAcknowledgedLost(
    catalog::v1::CatalogService::Stub& stub,
    const std::vector<std::string>& acknowledged) {
  for (const std::string& id : acknowledged) {
    grpc::Status status = GetEntity(stub, id);
    EXPECT_TRUE(status.ok()) << id << ": " << status.error_message();
  }
  testing::FeedRead feed = testing::ReadWholeFeed(stub, absl::Seconds(30));
  EXPECT_EQ(feed.problem, "");
  std::set<std::string> fed;
  for (const catalog::v1::Change& change : feed.changes) {
    fed.insert(change.entity().name());
  }
  for (const std::string& id : acknowledged) {
    EXPECT_TRUE(fed.count("entities/" + id)) << id << " is not in the feed";
  }
}

// Waits up to `timeout` for a write to succeed again; returns whether one
// did, adding it to `acknowledged`.
bool WaitForWritesToResume(catalog::v1::CatalogService::Stub& stub,
                           std::vector<std::string>& acknowledged,
                           absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (WriteUntilFailure(stub, "after", 1, acknowledged).ok()) return true;
    absl::SleepFor(absl::Milliseconds(200));
  }
  return false;
}

// For three seconds after writes began to fail (RocksDB's failed writer
// used to abort the process a short time after the first failure): the
// catalog stays up, every write fails with UNAVAILABLE, everything
// acknowledged is read back, and health says which half works.
void ExpectWritesRefusedAndReadsServed(
    Catalog& catalog, catalog::v1::CatalogService::Stub& stub,
    const std::vector<std::string>& acknowledged) {
  const absl::Time until = absl::Now() + absl::Seconds(3);
  while (absl::Now() < until) {
    ASSERT_TRUE(Alive(*catalog.process)) << ReadFile(catalog.log_path);
    grpc::Status again = CreateEntity(stub, "refused");
    EXPECT_EQ(again.error_code(), grpc::StatusCode::UNAVAILABLE)
        << again.error_message();
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(Alive(*catalog.process)) << ReadFile(catalog.log_path);
  for (const std::string& id : acknowledged) {
    EXPECT_TRUE(GetEntity(stub, id).ok()) << id;
  }
  EXPECT_EQ(Health(catalog.address(), ""), HealthCheckResponse::SERVING);
  EXPECT_EQ(Health(catalog.address(), kWriteService),
            HealthCheckResponse::NOT_SERVING);
}

// SIGTERM to a catalog that cannot write: it cannot sync anything more,
// but must not abort; and the failure was logged once, not once per call.
void ExpectStopsWithoutAbortLoggingOnce(Catalog& catalog) {
  const int status = catalog.process->Kill(SIGTERM);
  EXPECT_FALSE(WIFSIGNALED(status)) << Describe(status);
  const std::string log = ReadFile(catalog.log_path);
  EXPECT_EQ(CountLines(log, "cannot write"), 1) << log;
}

class DiskFaultTest : public ::testing::Test {
 protected:
  TempDir dir_;
};

// --- A full disk ---------------------------------------------------------

TEST_F(DiskFaultTest, FullDiskFailsWritesRetryablyAndTheyResumeWhenFreed) {
  std::string why_not;
  const std::string mount_dir = dir_.Sub("disk");
  std::unique_ptr<ScratchMount> disk =
      ScratchMount::Tmpfs(mount_dir, "16m", &why_not);
  if (disk == nullptr) GTEST_SKIP() << why_not;
  const std::string data_dir = mount_dir + "/catalog";
  Catalog catalog = StartCatalog(data_dir, dir_.Sub("catalog.log"));
  ASSERT_NE(catalog.port, 0) << ReadFile(catalog.log_path);
  auto stub = testing::FreshCatalogStub(catalog.address());
  std::vector<std::string> acknowledged;
  ASSERT_TRUE(WriteUntilFailure(*stub, "before", 20, acknowledged).ok());
  EXPECT_EQ(Health(catalog.address(), kWriteService),
            HealthCheckResponse::SERVING);

  const std::string filler = FillUp(mount_dir);
  ASSERT_NE(filler, "") << "could not fill " << mount_dir;
  // The last page of the WAL may still take a few writes.
  grpc::Status failed = WriteUntilFailure(*stub, "full", 500, acknowledged);
  ASSERT_FALSE(failed.ok()) << "500 writes acknowledged on a full disk";
  EXPECT_EQ(failed.error_code(), grpc::StatusCode::UNAVAILABLE)
      << failed.error_message();
  EXPECT_THAT(failed.error_message(), HasSubstr("no space left on device"));
  EXPECT_THAT(failed.error_message(), HasSubstr(data_dir));

  ExpectWritesRefusedAndReadsServed(catalog, *stub, acknowledged);
  if (HasFatalFailure()) return;

  // Space returns: writes resume by themselves, health with them.
  ASSERT_EQ(unlink(filler.c_str()), 0);
  const absl::Time freed = absl::Now();
  EXPECT_TRUE(WaitForWritesToResume(*stub, acknowledged, absl::Seconds(20)))
      << ReadFile(catalog.log_path) << "\nRocksDB's LOG:\n"
      << ReadFile(data_dir + "/LOG");
  std::printf("writes resumed %.1f s after space was freed\n",
              testing::SecondsSince(freed));
  EXPECT_EQ(Health(catalog.address(), kWriteService),
            HealthCheckResponse::SERVING);
  ASSERT_TRUE(WriteUntilFailure(*stub, "after", 20, acknowledged).ok());
  ExpectNothingAcknowledgedLost(*stub, acknowledged);

  // Logged once as it began and once as it ended, not once per call.
  const int status = catalog.process->Kill(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << Describe(status);
  const std::string log = ReadFile(catalog.log_path);
  EXPECT_EQ(CountLines(log, "cannot write"), 1) << log;
  EXPECT_EQ(CountLines(log, "writes resumed"), 1) << log;

  // Everything acknowledged is there after a restart too.
  Catalog again = StartCatalog(data_dir, dir_.Sub("again.log"));
  ASSERT_NE(again.port, 0) << ReadFile(again.log_path);
  auto again_stub = testing::FreshCatalogStub(again.address());
  ExpectNothingAcknowledgedLost(*again_stub, acknowledged);
}

TEST_F(DiskFaultTest, RestartOnAFullDiskServesReadsAndNeverAborts) {
  std::string why_not;
  const std::string mount_dir = dir_.Sub("disk");
  std::unique_ptr<ScratchMount> disk =
      ScratchMount::Tmpfs(mount_dir, "16m", &why_not);
  if (disk == nullptr) GTEST_SKIP() << why_not;
  const std::string data_dir = mount_dir + "/catalog";
  std::vector<std::string> acknowledged;
  {
    Catalog catalog = StartCatalog(data_dir, dir_.Sub("first.log"));
    ASSERT_NE(catalog.port, 0) << ReadFile(catalog.log_path);
    auto stub = testing::FreshCatalogStub(catalog.address());
    ASSERT_TRUE(WriteUntilFailure(*stub, "before", 20, acknowledged).ok());
    const int status = catalog.process->Kill(SIGTERM);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << Describe(status);
  }
  const std::string filler = FillUp(mount_dir);
  ASSERT_NE(filler, "");

  // Started on the full disk, three times: never an abort. It either serves
  // reads (writes failing) or exits 1 with a message.
  for (int attempt = 0; attempt < 3; ++attempt) {
    SCOPED_TRACE(absl::StrCat("start ", attempt + 1, " on the full disk"));
    const std::string log_path = dir_.Sub(absl::StrCat("full", attempt));
    Catalog catalog = StartCatalog(data_dir, log_path);
    if (catalog.port == 0) {
      const int status = catalog.process->Wait();
      std::printf("start %d on the full disk: %s\n", attempt + 1,
                  Describe(status).c_str());
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1)
          << Describe(status) << "\n"
          << ReadFile(log_path);
      EXPECT_THAT(ReadFile(log_path), HasSubstr("annals-catalog: "));
      continue;
    }
    std::printf("start %d on the full disk: serving reads\n", attempt + 1);
    auto stub = testing::FreshCatalogStub(catalog.address());
    for (const std::string& id : acknowledged) {
      EXPECT_TRUE(GetEntity(*stub, id).ok()) << id;
    }
    std::vector<std::string> refused;
    grpc::Status failed = WriteUntilFailure(*stub, "full", 500, refused);
    EXPECT_EQ(failed.error_code(), grpc::StatusCode::UNAVAILABLE)
        << failed.error_message();
    EXPECT_THAT(failed.error_message(), HasSubstr("no space left on device"));
    acknowledged.insert(acknowledged.end(), refused.begin(), refused.end());
    absl::SleepFor(absl::Seconds(1));
    ASSERT_TRUE(Alive(*catalog.process)) << ReadFile(log_path);
    EXPECT_EQ(Health(catalog.address(), ""), HealthCheckResponse::SERVING);
    EXPECT_EQ(Health(catalog.address(), kWriteService),
              HealthCheckResponse::NOT_SERVING);
    const int status = catalog.process->Kill(SIGTERM);
    EXPECT_FALSE(WIFSIGNALED(status)) << Describe(status) << "\n"
                                      << ReadFile(log_path);
  }

  // Space freed: the next start writes again and lost nothing.
  ASSERT_EQ(unlink(filler.c_str()), 0);
  Catalog catalog = StartCatalog(data_dir, dir_.Sub("freed.log"));
  ASSERT_NE(catalog.port, 0) << ReadFile(catalog.log_path);
  auto stub = testing::FreshCatalogStub(catalog.address());
  EXPECT_TRUE(WaitForWritesToResume(*stub, acknowledged, absl::Seconds(20)));
  ExpectNothingAcknowledgedLost(*stub, acknowledged);
}

// --- A file system turned read-only --------------------------------------

TEST_F(DiskFaultTest, ReadOnlyFileSystemFailsWritesAndKeepsServingReads) {
  std::string why_not;
  const std::string mount_dir = dir_.Sub("disk");
  std::unique_ptr<ScratchMount> disk =
      ScratchMount::Ext4(dir_.path(), mount_dir, 256, &why_not);
  if (disk == nullptr) GTEST_SKIP() << why_not;
  const std::string sys_name = disk->Ext4SysName();
  const std::string trigger =
      absl::StrCat("/sys/fs/ext4/", sys_name, "/trigger_fs_error");
  if (sys_name.empty() || access(trigger.c_str(), W_OK) != 0) {
    GTEST_SKIP() << "no writable " << trigger
                 << " to turn the file system read-only";
  }
  const std::string data_dir = mount_dir + "/catalog";
  std::vector<std::string> acknowledged;
  {
    Catalog catalog = StartCatalog(data_dir, dir_.Sub("catalog.log"));
    ASSERT_NE(catalog.port, 0) << ReadFile(catalog.log_path);
    auto stub = testing::FreshCatalogStub(catalog.address());
    ASSERT_TRUE(WriteUntilFailure(*stub, "before", 20, acknowledged).ok());

    // What ext4 does on an error with errors=remount-ro: the file system
    // turns read-only under the open files.
    ASSERT_EQ(Shell(absl::StrCat("echo 1 > ", trigger)), 0);
    grpc::Status failed = WriteUntilFailure(*stub, "ro", 500, acknowledged);
    ASSERT_FALSE(failed.ok()) << "500 writes acknowledged on a read-only fs";
    EXPECT_EQ(failed.error_code(), grpc::StatusCode::UNAVAILABLE)
        << failed.error_message();
    EXPECT_THAT(failed.error_message(), HasSubstr("read-only"));
    ExpectWritesRefusedAndReadsServed(catalog, *stub, acknowledged);
    if (HasFatalFailure()) return;
    ExpectStopsWithoutAbortLoggingOnce(catalog);
  }

  // The operator's repair: unmount, fsck, mount again. Nothing acknowledged
  // was lost.
  disk->Unmount();
  ASSERT_EQ(Shell(absl::StrCat("e2fsck -fy ", dir_.path(),
                               "/ext4.img >/dev/null 2>&1; true")),
            0);
  disk = ScratchMount::Ext4(dir_.path(), mount_dir, /*megabytes=*/0, &why_not);
  ASSERT_NE(disk, nullptr) << why_not;
  Catalog catalog = StartCatalog(data_dir, dir_.Sub("again.log"));
  ASSERT_NE(catalog.port, 0) << ReadFile(catalog.log_path);
  auto stub = testing::FreshCatalogStub(catalog.address());
  ExpectNothingAcknowledgedLost(*stub, acknowledged);
  catalog.process->Kill(SIGTERM);
}

// --- A disk that returns EIO ---------------------------------------------

// No device-mapper here (dm-error), so the I/O errors come from a loop
// device whose backing file lives on a full tmpfs: the loop driver fails
// the writes it cannot store with EIO, fsync() reports it, and ext4 then
// aborts its journal and turns read-only.
TEST_F(DiskFaultTest, IoErrorsFailWritesAndKeepServingReads) {
  std::string why_not;
  const std::string backing_dir = dir_.Sub("backing");
  std::unique_ptr<ScratchMount> backing =
      ScratchMount::Tmpfs(backing_dir, "48m", &why_not);
  if (backing == nullptr) GTEST_SKIP() << why_not;
  const std::string mount_dir = dir_.Sub("disk");
  // A sparse 256 MiB image on the 48 MiB tmpfs: ext4 sees free space the
  // device cannot store.
  std::unique_ptr<ScratchMount> disk =
      ScratchMount::Ext4(backing_dir, mount_dir, 256, &why_not);
  if (disk == nullptr) GTEST_SKIP() << why_not;
  const std::string data_dir = mount_dir + "/catalog";
  Catalog catalog = StartCatalog(data_dir, dir_.Sub("catalog.log"));
  ASSERT_NE(catalog.port, 0) << ReadFile(catalog.log_path);
  auto stub = testing::FreshCatalogStub(catalog.address());
  std::vector<std::string> acknowledged;
  ASSERT_TRUE(WriteUntilFailure(*stub, "before", 20, acknowledged).ok());

  ASSERT_NE(FillUp(backing_dir), "") << "could not fill " << backing_dir;
  grpc::Status failed = WriteUntilFailure(*stub, "eio", 500, acknowledged);
  ASSERT_FALSE(failed.ok()) << "500 writes acknowledged on a failing disk";
  EXPECT_EQ(failed.error_code(), grpc::StatusCode::UNAVAILABLE)
      << failed.error_message();
  EXPECT_THAT(failed.error_message(), HasSubstr("the catalog cannot write"));
  EXPECT_THAT(failed.error_message(), HasSubstr(data_dir));
  std::printf("first failure: %s\n", failed.error_message().c_str());
  ExpectWritesRefusedAndReadsServed(catalog, *stub, acknowledged);
  if (HasFatalFailure()) return;
  ExpectStopsWithoutAbortLoggingOnce(catalog);
}

// --- A data folder deleted under the running catalog ---------------------

TEST_F(DiskFaultTest, DeletedDataFolderStopsWrites) {
  const std::string data_dir = dir_.Sub("catalog");
  Catalog catalog = StartCatalog(data_dir, dir_.Sub("catalog.log"),
                                 {"--metrics_listen=127.0.0.1:0"});
  ASSERT_NE(catalog.port, 0) << ReadFile(catalog.log_path);
  ASSERT_NE(catalog.metrics_port, 0);
  EXPECT_EQ(ScrapeGauge(catalog.metrics_port, "annals_catalog_writable"), "1");
  auto stub = testing::FreshCatalogStub(catalog.address());
  std::vector<std::string> acknowledged;
  ASSERT_TRUE(WriteUntilFailure(*stub, "before", 10, acknowledged).ok());

  std::filesystem::remove_all(data_dir);
  // Noticed without a write coming (the storage checks every second), so
  // health says so in time for the next probe.
  const absl::Time deleted = absl::Now();
  while (absl::Now() < deleted + absl::Seconds(5) &&
         Health(catalog.address(), kWriteService) !=
             HealthCheckResponse::NOT_SERVING) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(Health(catalog.address(), kWriteService),
            HealthCheckResponse::NOT_SERVING);
  std::printf("write health NOT_SERVING %.1f s after the folder was deleted\n",
              testing::SecondsSince(deleted));
  // No write is acknowledged into files nobody will ever read again.
  grpc::Status failed = CreateEntity(*stub, "into-the-void");
  EXPECT_EQ(failed.error_code(), grpc::StatusCode::UNAVAILABLE)
      << failed.error_message();
  EXPECT_THAT(failed.error_message(), HasSubstr(data_dir));
  EXPECT_THAT(failed.error_message(), HasSubstr("deleted"));
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(CreateEntity(*stub, absl::StrCat("void-", i)).error_code(),
              grpc::StatusCode::UNAVAILABLE);
  }
  EXPECT_EQ(Health(catalog.address(), ""), HealthCheckResponse::SERVING);
  EXPECT_EQ(ScrapeGauge(catalog.metrics_port, "annals_catalog_writable"), "0");
  // What it acknowledged before is still served from the open files.
  EXPECT_TRUE(GetEntity(*stub, acknowledged.back()).ok());
  ASSERT_TRUE(Alive(*catalog.process));
  ExpectStopsWithoutAbortLoggingOnce(catalog);
}

// A folder recreated under the same name (a restore gone wrong, a volume
// remounted) is not the folder the catalog opened either.
TEST_F(DiskFaultTest, ReplacedDataFolderStopsWrites) {
  const std::string data_dir = dir_.Sub("catalog");
  Catalog catalog = StartCatalog(data_dir, dir_.Sub("catalog.log"));
  ASSERT_NE(catalog.port, 0) << ReadFile(catalog.log_path);
  auto stub = testing::FreshCatalogStub(catalog.address());
  std::vector<std::string> acknowledged;
  ASSERT_TRUE(WriteUntilFailure(*stub, "before", 10, acknowledged).ok());

  std::filesystem::rename(data_dir, dir_.Sub("moved-away"));
  std::filesystem::create_directories(data_dir);
  // At once, before the storage's periodic check: the check before each
  // commit refuses it.
  grpc::Status failed = CreateEntity(*stub, "elsewhere");
  EXPECT_EQ(failed.error_code(), grpc::StatusCode::UNAVAILABLE)
      << failed.error_message();
  EXPECT_THAT(failed.error_message(), HasSubstr(data_dir));
  ASSERT_TRUE(Alive(*catalog.process));
}

}  // namespace
}  // namespace annals
