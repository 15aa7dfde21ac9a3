// echo_bench: the floor under every unary call, for each way this gRPC
// (Debian's 1.51) can serve one. A minimal unary service (gRPC health
// Check: an empty request, a two-byte answer) is served by a child process
// with the synchronous, callback or completion-queue server API and the
// settings below, and loaded from this process by closed-loop clients with
// blocking stubs, over loopback TCP and over a Unix domain socket.
//
//   echo_bench [--seconds=2] [--clients=1,2,8] [--configs=NAME,...]
//              [--transports=tcp,unix] [--rounds=1] [--json=FILE]
//
// Prints a Markdown table (calls/s, p50 and mean µs per configuration,
// transport and client count; with --rounds, each cell's best round) and,
// with --json, one JSON line per cell and round.
// The configurations, by name (--configs=list prints them):
//
//   callback          the callback API (what the timeline served with)
//   callback+icpt     the same with a no-op server interceptor (the
//                     timeline's metrics interceptor is one)
//   callback+nullicpt an interceptor factory that makes no interceptor
//                     (the timeline's RPC log with debug logging off)
//   callback+minimal  grpc.minimal_stack on server and client channels
//   callback+streams  GRPC_ARG_MAX_CONCURRENT_STREAMS = 1000
//   callback/shared   one channel shared by every client thread
//   callback/pool     clients without GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL
//                     (gRPC then shares one connection between them)
//   callback/poll     the server process with GRPC_POLL_STRATEGY=poll
//   callback+nobdp    GRPC_ARG_HTTP2_BDP_PROBE = 0 on both sides (no
//                     bandwidth-probing PINGs after data)
//   callback/noretry  clients with GRPC_ARG_ENABLE_RETRIES = 0
//   sync              the synchronous API, gRPC's default pollers
//   sync/1cq          SetSyncServerOption NUM_CQS=1
//   sync/pollers=1-2  MIN_POLLERS=1, MAX_POLLERS=2
//   sync/quota=4      a ResourceQuota of at most 4 threads
//   async/1cq         the completion-queue API, 1 queue, 1 thread
//   async/2cq         2 queues, a thread each
//   async/4cq         4 queues, a thread each
//   async/1cq+cb      async/1cq in a server that also has a callback
//                     service (an unimplemented TimelineService)
//
// Run with --seconds=0.2 it is a smoke test (bench_tools_test does).
// Exit status 1 if a server did not start or any call failed; 2 for bad
// flags.
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/support/server_interceptor.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/barrier.h"
#include "annals/timeline/v1/timeline_service.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/bench/bench_tool.h"

extern char** environ;

namespace annals::bench {
namespace {

using Clock = std::chrono::steady_clock;
using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

constexpr char kProgram[] = "echo_bench";

enum class Api { kSync, kCallback, kAsync };

// How the server is built, and how clients connect to it.
struct Config {
  const char* name;
  Api api;
  // Async: completion queues, one thread each. Sync: NUM_CQS (0: default).
  int queues = 0;
  // Sync: MIN_POLLERS and MAX_POLLERS (0: default).
  int min_pollers = 0;
  int max_pollers = 0;
  // Sync: ResourceQuota::SetMaxThreads (0: no quota).
  int max_threads = 0;
  // 0: none; 1: a factory whose interceptor does nothing; 2: a factory that
  // returns no interceptor.
  int interceptor = 0;
  bool minimal_stack = false;
  int max_streams = 0;
  // GRPC_POLL_STRATEGY for the server process; empty: gRPC's default.
  const char* poll_strategy = "";
  // Clients: one channel for all threads, and whether each channel has a
  // subchannel pool of its own (a connection per channel).
  bool shared_channel = false;
  bool local_pool = true;
  // GRPC_ARG_HTTP2_BDP_PROBE = 0 on the server and the clients.
  bool no_bdp = false;
  // Clients: GRPC_ARG_ENABLE_RETRIES = 0.
  bool no_retries = false;
  // Also register a callback service (none of whose methods is called).
  bool with_callback_service = false;
};

constexpr Config kConfigs[] = {
    {"callback", Api::kCallback},
    {"callback+icpt", Api::kCallback, 0, 0, 0, 0, /*interceptor=*/1},
    {"callback+nullicpt", Api::kCallback, 0, 0, 0, 0, /*interceptor=*/2},
    {"callback+minimal", Api::kCallback, 0, 0, 0, 0, 0,
     /*minimal_stack=*/true},
    {"callback+streams", Api::kCallback, 0, 0, 0, 0, 0, false,
     /*max_streams=*/1000},
    {"callback/shared", Api::kCallback, 0, 0, 0, 0, 0, false, 0, "",
     /*shared_channel=*/true},
    {"callback/pool", Api::kCallback, 0, 0, 0, 0, 0, false, 0, "", false,
     /*local_pool=*/false},
    {"callback/poll", Api::kCallback, 0, 0, 0, 0, 0, false, 0, "poll"},
    {"callback+nobdp", Api::kCallback, 0, 0, 0, 0, 0, false, 0, "", false, true,
     /*no_bdp=*/true},
    {"callback/noretry", Api::kCallback, 0, 0, 0, 0, 0, false, 0, "", false,
     true, false, /*no_retries=*/true},
    {"sync", Api::kSync},
    {"sync/1cq", Api::kSync, /*queues=*/1},
    {"sync/pollers=1-2", Api::kSync, 0, /*min_pollers=*/1, /*max_pollers=*/2},
    {"sync/quota=4", Api::kSync, 0, 0, 0, /*max_threads=*/4},
    {"async/1cq", Api::kAsync, /*queues=*/1},
    {"async/2cq", Api::kAsync, 2},
    {"async/4cq", Api::kAsync, 4},
    {"async/1cq+cb", Api::kAsync, 1, 0, 0, 0, 0, false, 0, "", false, true,
     false, false, /*with_callback_service=*/true},
};

const Config* FindConfig(absl::string_view name) {
  for (const Config& config : kConfigs) {
    if (name == config.name) return &config;
  }
  return nullptr;
}

// --- The server (child process) ---------------------------------------------

class SyncEcho final : public Health::Service {
  grpc::Status Check(grpc::ServerContext* /*context*/,
                     const HealthCheckRequest* /*request*/,
                     HealthCheckResponse* response) override {
    response->set_status(HealthCheckResponse::SERVING);
    return grpc::Status::OK;
  }
};

class CallbackEcho final : public Health::CallbackService {
  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const HealthCheckRequest* /*request*/,
                                  HealthCheckResponse* response) override {
    response->set_status(HealthCheckResponse::SERVING);
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

// One call of the completion-queue API, from request to finish; it asks for
// the next call as soon as it has one, and deletes itself when finished.
class AsyncCall {
 public:
  AsyncCall(Health::AsyncService* service, grpc::ServerCompletionQueue* queue)
      : service_(service), queue_(queue), responder_(&context_) {
    service_->RequestCheck(&context_, &request_, &responder_, queue_, queue_,
                           this);
  }

  // The queue returned this call's tag.
  void Proceed(bool ok) {
    if (finishing_ || !ok) {
      delete this;
      return;
    }
    new AsyncCall(service_, queue_);
    finishing_ = true;
    response_.set_status(HealthCheckResponse::SERVING);
    responder_.Finish(response_, grpc::Status::OK, this);
  }

 private:
  Health::AsyncService* const service_;
  grpc::ServerCompletionQueue* const queue_;
  grpc::ServerContext context_;
  HealthCheckRequest request_;
  HealthCheckResponse response_;
  grpc::ServerAsyncResponseWriter<HealthCheckResponse> responder_;
  bool finishing_ = false;
};

class NoopInterceptor final : public grpc::experimental::Interceptor {
 public:
  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    methods->Proceed();
  }
};

class NoopInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit NoopInterceptorFactory(bool make) : make_(make) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* /*info*/) override {
    return make_ ? new NoopInterceptor() : nullptr;
  }

 private:
  const bool make_;
};

// Serves `config` on `listen`, prints "PORT <n>" and serves until stdin
// closes.
int Serve(const Config& config, const std::string& listen) {
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  if (config.minimal_stack) builder.AddChannelArgument("grpc.minimal_stack", 1);
  if (config.no_bdp) builder.AddChannelArgument(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  if (config.max_streams > 0) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                               config.max_streams);
  }
  if (config.interceptor != 0) {
    std::vector<
        std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
        creators;
    creators.push_back(
        std::make_unique<NoopInterceptorFactory>(config.interceptor == 1));
    builder.experimental().SetInterceptorCreators(std::move(creators));
  }
  SyncEcho sync_echo;
  CallbackEcho callback_echo;
  Health::AsyncService async_echo;
  annals::timeline::v1::TimelineService::CallbackService bystander;
  if (config.with_callback_service) builder.RegisterService(&bystander);
  std::vector<std::unique_ptr<grpc::ServerCompletionQueue>> queues;
  grpc::ResourceQuota quota("echo_bench");
  switch (config.api) {
    case Api::kSync:
      builder.RegisterService(&sync_echo);
      if (config.queues > 0) {
        builder.SetSyncServerOption(grpc::ServerBuilder::NUM_CQS,
                                    config.queues);
      }
      if (config.min_pollers > 0) {
        builder.SetSyncServerOption(grpc::ServerBuilder::MIN_POLLERS,
                                    config.min_pollers);
      }
      if (config.max_pollers > 0) {
        builder.SetSyncServerOption(grpc::ServerBuilder::MAX_POLLERS,
                                    config.max_pollers);
      }
      if (config.max_threads > 0) {
        quota.SetMaxThreads(config.max_threads);
        builder.SetResourceQuota(quota);
      }
      break;
    case Api::kCallback:
      builder.RegisterService(&callback_echo);
      break;
    case Api::kAsync:
      builder.RegisterService(&async_echo);
      for (int q = 0; q < config.queues; ++q) {
        queues.push_back(builder.AddCompletionQueue());
      }
      break;
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "%s: cannot serve %s on %s\n", kProgram, config.name,
                 listen.c_str());
    return kRunFailedExit;
  }
  std::vector<std::thread> threads;
  for (auto& queue : queues) {
    grpc::ServerCompletionQueue* q = queue.get();
    // Enough calls asked for that every client finds one waiting.
    for (int k = 0; k < 16; ++k) new AsyncCall(&async_echo, q);
    threads.emplace_back([q] {
      void* tag = nullptr;
      bool ok = false;
      while (q->Next(&tag, &ok)) static_cast<AsyncCall*>(tag)->Proceed(ok);
    });
  }
  std::printf("PORT %d\n", port);
  std::fflush(stdout);
  char byte;
  while (read(STDIN_FILENO, &byte, 1) > 0) {
  }
  server->Shutdown(std::chrono::system_clock::now());
  for (auto& queue : queues) queue->Shutdown();
  for (std::thread& thread : threads) thread.join();
  server->Wait();
  return 0;
}

// --- The driver
// ---------------------------------------------------------------

// A server child process; stops it (closes its stdin, waits) on destruction.
class ServerProcess {
 public:
  // Starts `config` on `listen`; the address clients use, or an error.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(
      const Config& config, const std::string& listen) {
    int to_child[2];
    int from_child[2];
    if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(from_child, O_CLOEXEC) != 0) {
      return absl::InternalError("pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
    std::string self = "/proc/self/exe";
    std::string serve = absl::StrCat("--serve=", config.name);
    std::string at = absl::StrCat("--listen=", listen);
    char* argv[] = {self.data(), serve.data(), at.data(), nullptr};
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
      if (absl::StartsWith(*e, "GRPC_POLL_STRATEGY=")) continue;
      env_strings.push_back(*e);
    }
    if (config.poll_strategy[0] != '\0') {
      env_strings.push_back(
          absl::StrCat("GRPC_POLL_STRATEGY=", config.poll_strategy));
    }
    std::vector<char*> env;
    for (std::string& e : env_strings) env.push_back(e.data());
    env.push_back(nullptr);
    auto process = std::unique_ptr<ServerProcess>(new ServerProcess());
    const int spawned = posix_spawn(&process->pid_, self.c_str(), &actions,
                                    nullptr, argv, env.data());
    posix_spawn_file_actions_destroy(&actions);
    close(to_child[0]);
    close(from_child[1]);
    process->stdin_ = to_child[1];
    if (spawned != 0) {
      close(from_child[0]);
      process->pid_ = 0;
      return absl::InternalError("posix_spawn failed");
    }
    std::string line;
    char c;
    while (read(from_child[0], &c, 1) == 1 && c != '\n') line.push_back(c);
    close(from_child[0]);
    int port = 0;
    if (!absl::StartsWith(line, "PORT ") ||
        !absl::SimpleAtoi(line.substr(5), &port)) {
      return absl::UnavailableError(absl::StrCat("server ", config.name, " on ",
                                                 listen, " did not start"));
    }
    process->address_ = absl::StartsWith(listen, "unix:")
                            ? listen
                            : absl::StrCat("127.0.0.1:", port);
    return process;
  }

  ~ServerProcess() {
    if (stdin_ >= 0) close(stdin_);
    if (pid_ > 0) waitpid(pid_, nullptr, 0);
  }

  const std::string& address() const { return address_; }

 private:
  ServerProcess() = default;
  pid_t pid_ = 0;
  int stdin_ = -1;
  std::string address_;
};

std::shared_ptr<grpc::Channel> EchoChannel(const Config& config,
                                           const std::string& address, int id) {
  grpc::ChannelArguments args;
  if (config.local_pool) args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  if (config.minimal_stack) args.SetInt("grpc.minimal_stack", 1);
  if (config.no_bdp) args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  if (config.no_retries) args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  args.SetInt("annals.bench.channel", id);
  std::shared_ptr<grpc::Channel> channel = grpc::CreateCustomChannel(
      address, grpc::InsecureChannelCredentials(), args);
  channel->WaitForConnected(std::chrono::system_clock::now() +
                            std::chrono::seconds(10));
  return channel;
}

struct Cell {
  double qps = 0;
  Latency latency;
  int64_t errors = 0;
  std::string first_error;
};

// `clients` threads call Check one after another for `seconds` (after a
// quarter of that, at most 0.5 s, of warm-up).
Cell Measure(const Config& config, const std::string& address, int clients,
             double seconds) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int k = 0; k < clients; ++k) {
    if (config.shared_channel && k > 0) {
      channels.push_back(channels[0]);
    } else {
      channels.push_back(EchoChannel(config, address, k));
    }
  }
  const double warmup = std::min(0.5, seconds / 4);
  std::vector<std::vector<int64_t>> nanos(clients);
  std::vector<int64_t> errors(clients, 0);
  std::vector<std::string> first_error(clients);
  absl::Barrier* start = new absl::Barrier(clients);
  std::vector<std::thread> threads;
  for (int k = 0; k < clients; ++k) {
    threads.emplace_back([&, k] {
      std::unique_ptr<Health::Stub> stub = Health::NewStub(channels[k]);
      nanos[k].reserve(1 << 18);
      if (start->Block()) delete start;
      const Clock::time_point from =
          Clock::now() + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(warmup));
      const Clock::time_point until =
          from + std::chrono::duration_cast<Clock::duration>(
                     std::chrono::duration<double>(seconds));
      HealthCheckRequest request;
      while (true) {
        const Clock::time_point t0 = Clock::now();
        if (t0 >= until) break;
        grpc::ClientContext context;
        HealthCheckResponse response;
        const grpc::Status status = stub->Check(&context, request, &response);
        const Clock::time_point t1 = Clock::now();
        if (!status.ok()) {
          if (errors[k]++ == 0) first_error[k] = status.error_message();
          continue;
        }
        if (t0 < from) continue;
        nanos[k].push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0)
                .count());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  Cell cell;
  std::vector<int64_t> all;
  for (int k = 0; k < clients; ++k) {
    all.insert(all.end(), nanos[k].begin(), nanos[k].end());
    cell.errors += errors[k];
    if (cell.first_error.empty()) cell.first_error = first_error[k];
  }
  cell.qps = static_cast<double>(all.size()) / seconds;
  cell.latency = Summarize(all);
  return cell;
}

int Main(int argc, char** argv) {
  std::vector<std::string> names;
  for (const Config& config : kConfigs) names.push_back(config.name);
  ToolFlags flags(
      kProgram,
      "echo_bench: the bare unary gRPC call for each server API and "
      "setting, over\nloopback TCP and a Unix domain socket; prints a "
      "Markdown table.\n\n"
      "  echo_bench [--seconds=2] [--clients=1,2,8] [--configs=NAME,...] "
      "[--transports=tcp,unix]",
      {
          {"seconds", "2", "Measured seconds per cell (> 0)."},
          {"clients", "1,2,8", "Client thread counts, comma-separated."},
          {"configs", "all",
           "Configurations, comma-separated, \"all\", or \"list\" to print "
           "them."},
          {"transports", "tcp,unix", "tcp, unix, or both."},
          {"rounds", "1",
           "Runs of the whole matrix, in turn; the table shows each cell's "
           "best (1-100)."},
          {"json", "",
           "Also write one JSON line per cell and round to this "
           "file."},
          {"serve", "", "(internal) serve this configuration."},
          {"listen", "", "(internal) the address to serve on."},
      });
  flags.ParseOrExit(argc, argv);
  if (flags.Given("serve")) {
    const Config* config = FindConfig(flags.String("serve"));
    if (config == nullptr) flags.UsageError("--serve: unknown configuration");
    return Serve(*config, flags.String("listen"));
  }
  const double seconds = flags.Double("seconds", 0.001, 3600);
  const int rounds = static_cast<int>(flags.Int("rounds", 1, 100));
  std::vector<int> client_counts;
  for (absl::string_view part :
       absl::StrSplit(flags.String("clients"), ',', absl::SkipEmpty())) {
    int k = 0;
    if (!absl::SimpleAtoi(part, &k) || k < 1 || k > 256) {
      flags.UsageError("--clients: counts must be 1-256");
    }
    client_counts.push_back(k);
  }
  std::vector<const Config*> configs;
  const std::string config_names = flags.String("configs");
  if (config_names == "list") {
    std::printf("%s\n", absl::StrJoin(names, "\n").c_str());
    return 0;
  }
  if (config_names == "all") {
    for (const Config& config : kConfigs) configs.push_back(&config);
  } else {
    for (absl::string_view part :
         absl::StrSplit(config_names, ',', absl::SkipEmpty())) {
      const Config* config = FindConfig(part);
      if (config == nullptr) {
        flags.UsageError(absl::StrCat("--configs: unknown \"", part,
                                      "\" (--configs=list names them)"));
      }
      configs.push_back(config);
    }
  }
  std::vector<std::string> transports =
      absl::StrSplit(flags.String("transports"), ',', absl::SkipEmpty());
  for (const std::string& t : transports) {
    if (t != "tcp" && t != "unix") {
      flags.UsageError("--transports: tcp, unix or both");
    }
  }
  FILE* json = nullptr;
  if (!flags.String("json").empty()) {
    json = std::fopen(flags.String("json").c_str(), "w");
    if (json == nullptr) RunFailed(kProgram, "cannot write --json");
  }
  char dir_template[] = "/tmp/echo_bench.XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (dir == nullptr) RunFailed(kProgram, "mkdtemp failed");

  // Rounds run the whole matrix in turn, so that drift in the machine's
  // load touches every configuration alike; each cell keeps its best round
  // (other processes can only slow a run down).
  std::map<std::tuple<std::string, std::string, int>, Cell> best;
  int64_t failures = 0;
  for (int round = 1; round <= rounds; ++round) {
    for (const Config* config : configs) {
      for (const std::string& transport : transports) {
        const std::string listen =
            transport == "unix"
                ? absl::StrCat("unix:", dir, "/",
                               absl::StrReplaceAll(config->name, {{"/", "_"}}))
                : "127.0.0.1:0";
        absl::StatusOr<std::unique_ptr<ServerProcess>> server =
            ServerProcess::Start(*config, listen);
        if (!server.ok()) RunFailed(kProgram, server.status().message());
        for (int k : client_counts) {
          const Cell cell = Measure(*config, (*server)->address(), k, seconds);
          failures += cell.errors;
          if (cell.errors > 0) {
            std::fprintf(stderr,
                         "%s: %s over %s, %d clients: %lld calls "
                         "failed; first: %s\n",
                         kProgram, config->name, transport.c_str(), k,
                         static_cast<long long>(cell.errors),
                         cell.first_error.c_str());
          }
          Cell& kept = best[{config->name, transport, k}];
          if (cell.qps > kept.qps) kept = cell;
          if (json != nullptr) {
            JsonLine line;
            line.Text("system", "grpc")
                .Text("workload", "echo")
                .Text("config", config->name)
                .Text("transport", transport)
                .Int("clients", k)
                .Int("round", round)
                .Number("qps", cell.qps)
                .Number("p50_us", cell.latency.p50_us)
                .Number("p99_us", cell.latency.p99_us)
                .Number("mean_us", cell.latency.mean_us)
                .Int("errors", cell.errors)
                .Number("seconds", seconds, 3);
            std::fprintf(json, "%s\n", line.str().c_str());
            std::fflush(json);
          }
        }
        server->reset();
        if (transport == "unix") unlink(listen.substr(5).c_str());
      }
    }
  }

  std::printf("| configuration | transport |");
  for (int k : client_counts) {
    std::printf(" %d client%s calls/s | p50 µs | mean µs |", k,
                k == 1 ? "" : "s");
  }
  std::printf("\n|:---|:---|");
  for (size_t i = 0; i < client_counts.size(); ++i) {
    std::printf("---:|---:|---:|");
  }
  std::printf("\n");
  for (const Config* config : configs) {
    for (const std::string& transport : transports) {
      std::printf("| %s | %s |", config->name, transport.c_str());
      for (int k : client_counts) {
        const Cell& cell = best[{config->name, transport, k}];
        std::printf(" %.0f | %.0f | %.0f |", cell.qps, cell.latency.p50_us,
                    cell.latency.mean_us);
      }
      std::printf("\n");
    }
  }
  if (json != nullptr) std::fclose(json);
  rmdir(dir);
  if (failures > 0) RunFailed(kProgram, "some calls failed");
  return 0;
}

}  // namespace
}  // namespace annals::bench

int main(int argc, char** argv) { return annals::bench::Main(argc, argv); }
