// Faults at the listening sockets of the real service binaries (issue 12):
// a second service on an address already served, descriptor exhaustion,
// and idle connections.
#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace annals {
namespace {

using ::annals::testing::Subprocess;
using ::annals::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::SizeIs;

using Outcome = ::annals::testing::RunOutcome;

// Runs `argv` to its end, for at most `timeout`.
Outcome RunToExit(const std::vector<std::string>& argv,
                  absl::Duration timeout = absl::Seconds(20)) {
  return ::annals::testing::RunToExit(
      argv, static_cast<int>(absl::ToInt64Seconds(timeout)));
}

// The lines of `output` that start with "<program>: " (the binaries' own
// one-line messages, not log events).
std::vector<std::string> MessageLines(const std::string& output,
                                      const std::string& program) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (absl::StartsWith(line, program + ": ")) lines.emplace_back(line);
  }
  return lines;
}

// A service binary started through bash, with its stderr on the same pipe
// as its stdout, optionally with a lower open-files limit.
struct Service {
  std::unique_ptr<Subprocess> process;
  int port = 0;
  int metrics_port = 0;
};

Service StartService(const std::string& binary, std::vector<std::string> args,
                     std::optional<int> open_files = std::nullopt) {
  std::string script = "exec \"$0\" \"$@\" 2>&1";
  if (open_files.has_value()) {
    script = absl::StrCat("ulimit -n ", *open_files, " && ", script);
  }
  std::vector<std::string> argv = {"/bin/bash", "-c", script, binary};
  argv.insert(argv.end(), args.begin(), args.end());
  Service service;
  service.process = std::make_unique<Subprocess>(argv);
  std::optional<std::string> port =
      service.process->WaitForLine(R"(listening on \S+ \(port (\d+)\))");
  if (port.has_value()) service.port = std::stoi(*port);
  if (port.has_value() && std::find(args.begin(), args.end(),
                                    "--metrics_listen=off") == args.end()) {
    std::optional<std::string> metrics =
        service.process->WaitForLine(R"(metrics on http://[^:]+:(\d+)/)");
    if (metrics.has_value()) service.metrics_port = std::stoi(*metrics);
  }
  return service;
}

Service StartCatalog(const std::string& data_dir,
                     std::vector<std::string> extra = {},
                     std::optional<int> open_files = std::nullopt) {
  std::vector<std::string> args = {"--listen=127.0.0.1:0",
                                   "--data_dir=" + data_dir};
  args.insert(args.end(), extra.begin(), extra.end());
  return StartService(ANNALS_CATALOG_BINARY, args, open_files);
}

// The timeline follows a catalog that is not there (port 1 refuses).
Service StartTimeline(std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--listen=127.0.0.1:0",
                                   "--catalog=127.0.0.1:1"};
  args.insert(args.end(), extra.begin(), extra.end());
  return StartService(ANNALS_TIMELINE_BINARY, args);
}

std::shared_ptr<grpc::Channel> OwnChannel(int port) {
  // A channel of its own: channels to one address otherwise share one
  // connection.
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::InsecureChannelCredentials(),
                                   arguments);
}

// Whether a health check of the whole server, on a new connection, is
// answered within `timeout`.
grpc::Status HealthCheck(int port, absl::Duration timeout) {
  auto stub = grpc::health::v1::Health::NewStub(OwnChannel(port));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  return stub->Check(&context, request, &response);
}

// Plain TCP connections to 127.0.0.1:`port` that send nothing.
std::vector<int> OpenIdleSockets(int port, int count) {
  std::vector<int> sockets;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < count; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) break;
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
        0) {
      close(fd);
      break;
    }
    sockets.push_back(fd);
  }
  return sockets;
}

int OpenDescriptors(pid_t pid) {
  std::error_code error;
  int count = 0;
  for (auto it = std::filesystem::directory_iterator(
           absl::StrCat("/proc/", pid, "/fd"), error);
       !error && it != std::filesystem::directory_iterator(); ++it) {
    ++count;
  }
  return count;
}

// --- No port sharing -----------------------------------------------------

TEST(ListenerTest, SecondCatalogOnAnAddressInUseExitsOneNamingIt) {
  TempDir dir;
  Service first = StartCatalog(dir.Sub("first"), {"--metrics_listen=off"});
  ASSERT_NE(first.port, 0);
  const std::string address = absl::StrCat("127.0.0.1:", first.port);
  Outcome second =
      RunToExit({ANNALS_CATALOG_BINARY, "--listen=" + address,
                 "--data_dir=" + dir.Sub("second"), "--metrics_listen=off"});
  EXPECT_EQ(second.exit_code, 1) << second.output;
  EXPECT_THAT(MessageLines(second.output, "annals-catalog"), SizeIs(1))
      << second.output;
  EXPECT_THAT(second.output,
              HasSubstr(absl::StrCat("cannot listen on ", address)));
  // The first one still serves.
  EXPECT_TRUE(HealthCheck(first.port, absl::Seconds(5)).ok());
}

TEST(ListenerTest, SecondTimelineOnAnAddressInUseExitsOneNamingIt) {
  Service first = StartTimeline({"--metrics_listen=off"});
  ASSERT_NE(first.port, 0);
  const std::string address = absl::StrCat("127.0.0.1:", first.port);
  Outcome second = RunToExit({ANNALS_TIMELINE_BINARY, "--listen=" + address,
                              "--catalog=127.0.0.1:1", "--metrics_listen=off"});
  EXPECT_EQ(second.exit_code, 1) << second.output;
  EXPECT_THAT(MessageLines(second.output, "annals-timeline"), SizeIs(1))
      << second.output;
  EXPECT_THAT(second.output,
              HasSubstr(absl::StrCat("cannot listen on ", address)));
}

TEST(ListenerTest, MetricsAddressInUseExitsOneNamingIt) {
  TempDir dir;
  Service first =
      StartCatalog(dir.Sub("first"), {"--metrics_listen=127.0.0.1:0"});
  ASSERT_NE(first.metrics_port, 0);
  const std::string address = absl::StrCat("127.0.0.1:", first.metrics_port);
  Outcome catalog = RunToExit({ANNALS_CATALOG_BINARY, "--listen=127.0.0.1:0",
                               "--data_dir=" + dir.Sub("second"),
                               "--metrics_listen=" + address});
  EXPECT_EQ(catalog.exit_code, 1) << catalog.output;
  EXPECT_THAT(MessageLines(catalog.output, "annals-catalog"), SizeIs(1))
      << catalog.output;
  EXPECT_THAT(catalog.output,
              HasSubstr(absl::StrCat("cannot serve metrics on ", address)));
  Outcome timeline =
      RunToExit({ANNALS_TIMELINE_BINARY, "--listen=127.0.0.1:0",
                 "--catalog=127.0.0.1:1", "--metrics_listen=" + address});
  EXPECT_EQ(timeline.exit_code, 1) << timeline.output;
  EXPECT_THAT(timeline.output,
              HasSubstr(absl::StrCat("cannot serve metrics on ", address)));
}

// --- File descriptors ----------------------------------------------------

TEST(ListenerTest, ServesAgainAfterRunningOutOfDescriptors) {
  TempDir dir;
  // 64 open files: RocksDB, gRPC and the process take about 25; 200 idle
  // connections exhaust the rest.
  Service catalog = StartCatalog(dir.Sub("catalog"), {"--metrics_listen=off"},
                                 /*open_files=*/64);
  ASSERT_NE(catalog.port, 0);
  ASSERT_TRUE(HealthCheck(catalog.port, absl::Seconds(5)).ok());
  std::vector<int> idle = OpenIdleSockets(catalog.port, 200);
  ASSERT_THAT(idle, SizeIs(200));
  // Let the server accept what it can and fail on the rest.
  absl::SleepFor(absl::Seconds(1));
  EXPECT_GE(OpenDescriptors(catalog.process->pid()), 50);
  for (int fd : idle) close(fd);
  absl::SleepFor(absl::Milliseconds(500));
  // A new client is served: the listener survived EMFILE.
  grpc::Status status = HealthCheck(catalog.port, absl::Seconds(10));
  EXPECT_TRUE(status.ok()) << status.error_message();
  // What it printed up to its exit includes the warning.
  catalog.process->Kill(SIGTERM);
  EXPECT_TRUE(catalog.process->WaitForLine("out of file descriptors"))
      << "the shed connections are logged";
}

TEST(ListenerTest, KeepsDescriptorsForItsOwnFilesWhileClientsFloodIt) {
  TempDir dir;
  Service catalog = StartCatalog(dir.Sub("catalog"), {"--metrics_listen=off"},
                                 /*open_files=*/64);
  ASSERT_NE(catalog.port, 0);
  std::vector<int> idle = OpenIdleSockets(catalog.port, 200);
  ASSERT_THAT(idle, SizeIs(200));
  absl::SleepFor(absl::Seconds(1));
  // An eighth of the limit (8 of 64) stays free for RocksDB and gRPC's own
  // use, less the guard's spare descriptor; before, clients could take
  // every descriptor.
  EXPECT_LE(OpenDescriptors(catalog.process->pid()), 64 - 8 + 1);
  EXPECT_GE(OpenDescriptors(catalog.process->pid()), 64 - 8 - 2);
  for (int fd : idle) close(fd);
}

TEST(ListenerTest, RaisesTheSoftOpenFilesLimitToTheHardLimit) {
  TempDir dir;
  std::vector<std::string> argv = {
      "/bin/bash",
      "-c",
      "ulimit -S -n 64 && ulimit -H -n 4096 && exec \"$0\" \"$@\" 2>&1",
      ANNALS_CATALOG_BINARY,
      "--listen=127.0.0.1:0",
      "--data_dir=" + dir.Sub("catalog"),
      "--metrics_listen=off"};
  Subprocess catalog(argv);
  std::optional<std::string> line =
      catalog.WaitForLine("(open files.*|listening on)");
  ASSERT_TRUE(line.has_value());
  EXPECT_THAT(*line, HasSubstr("soft_limit_before=64 soft_limit=4096 "
                               "hard_limit=4096"));
}

TEST(ListenerTest, IdleConnectionsAreClosedAfterMaxConnectionIdle) {
  TempDir dir;
  Service catalog = StartCatalog(
      dir.Sub("catalog"), {"--metrics_listen=off", "--max_connection_idle=1s"});
  ASSERT_NE(catalog.port, 0);
  const int before = OpenDescriptors(catalog.process->pid());
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < 20; ++i) {
    channels.push_back(OwnChannel(catalog.port));
    auto stub = grpc::health::v1::Health::NewStub(channels.back());
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    grpc::health::v1::HealthCheckResponse response;
    ASSERT_TRUE(stub->Check(&context, {}, &response).ok());
  }
  EXPECT_GE(OpenDescriptors(catalog.process->pid()), before + 20);
  // Idle for more than a second: the server closes every connection
  // (GOAWAY) and the descriptors are freed.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline &&
         OpenDescriptors(catalog.process->pid()) >= before + 5) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_LT(OpenDescriptors(catalog.process->pid()), before + 5);
  // A channel whose connection was closed reconnects on its next call. A
  // call that meets the GOAWAY in flight fails with UNAVAILABLE, and is
  // retried, as clients do with UNAVAILABLE; the service must answer within
  // three tries.
  auto stub = grpc::health::v1::Health::NewStub(channels.front());
  grpc::Status status;
  for (int attempt = 0; attempt < 3; ++attempt) {
    grpc::ClientContext context;
    context.set_wait_for_ready(true);
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    grpc::health::v1::HealthCheckResponse response;
    status = stub->Check(&context, {}, &response);
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE) break;
  }
  EXPECT_TRUE(status.ok()) << status.error_code() << ": "
                           << status.error_message();
}

TEST(ListenerTest, NegativeMaxConnectionIdleIsAConfigurationError) {
  TempDir dir;
  Outcome outcome = RunToExit({ANNALS_CATALOG_BINARY, "--listen=127.0.0.1:0",
                               "--data_dir=" + dir.Sub("catalog"),
                               "--max_connection_idle=-1s"});
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_THAT(outcome.output, HasSubstr("--max_connection_idle"));
}

}  // namespace
}  // namespace annals
