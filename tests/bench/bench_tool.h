// What the annals_bench_* command-line tools share: flag parsing with exit
// status 2 on a usage error, one JSON line of results, latency percentiles,
// per-client channels, and waiting for the services to be ready.
//
// The tools are driven by tests/bench/run (see bench_data.h for the
// contract) and smoke-tested by bench_tools_test.cc.
#ifndef ANNALS_TESTS_BENCH_BENCH_TOOL_H_
#define ANNALS_TESTS_BENCH_BENCH_TOOL_H_

#include <grpcpp/channel.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace annals::bench {

// Exit statuses: a failed run (a server error, a timeout) and a usage error.
inline constexpr int kRunFailedExit = 1;
inline constexpr int kUsageExit = 2;

// The flags of one tool, all written --name=value.
//
//   ToolFlags flags("annals_bench_rss", "Prints ...", {
//       {"pid", "", "Process id to inspect.", /*required=*/true}});
//   flags.ParseOrExit(argc, argv);
//   const int64_t pid = flags.Int("pid", 1, INT32_MAX);
class ToolFlags {
 public:
  struct Flag {
    std::string name;
    // Used when the flag is not given; empty for "none".
    std::string default_value;
    std::string help;
    bool required = false;
  };

  ToolFlags(std::string program, std::string summary, std::vector<Flag> flags);

  // Reads argv. --help prints every flag and exits 0; an unknown flag, a
  // positional argument, a repeated flag or a missing required flag prints
  // one line to stderr and exits kUsageExit.
  void ParseOrExit(int argc, char** argv);

  // True if the flag was given on the command line.
  bool Given(absl::string_view name) const;
  // The flag's value, or its default.
  std::string String(absl::string_view name) const;
  // The value as an integer in [min, max]; otherwise exits kUsageExit
  // naming the flag.
  int64_t Int(absl::string_view name, int64_t min, int64_t max) const;
  // The value as a number in [min, max]; otherwise exits kUsageExit.
  double Double(absl::string_view name, double min, double max) const;
  // The value as "true" or "false"; otherwise exits kUsageExit.
  bool Bool(absl::string_view name) const;
  // A "HOST:PORT" address with a port in 1-65535, or a Unix domain socket
  // "unix:PATH"; otherwise exits kUsageExit. Empty when the flag is optional,
  // not given and has no default.
  std::string Address(absl::string_view name) const;

  // Prints "<program>: <message>" to stderr and exits kUsageExit.
  [[noreturn]] void UsageError(absl::string_view message) const;
  const std::string& program() const { return program_; }

 private:
  const Flag* Find(absl::string_view name) const;

  std::string program_;
  std::string summary_;
  std::vector<Flag> flags_;
  std::map<std::string, std::string, std::less<>> given_;
};

// Prints "<program>: <message>" to stderr and exits kRunFailedExit.
[[noreturn]] void RunFailed(absl::string_view program,
                            absl::string_view message);

// One JSON object on one line, keys in the order added.
class JsonLine {
 public:
  JsonLine& Int(absl::string_view key, int64_t value);
  // Written with up to `decimals` decimals (no exponent).
  JsonLine& Number(absl::string_view key, double value, int decimals = 1);
  JsonLine& Text(absl::string_view key, absl::string_view value);
  JsonLine& Bool(absl::string_view key, bool value);
  // "{...}" without a newline.
  std::string str() const;

 private:
  void Key(absl::string_view key);
  std::string body_;
};

// Latency figures, in microseconds, of a set of samples in nanoseconds.
struct Latency {
  int64_t count = 0;
  double mean_us = 0;
  double p50_us = 0;
  double p90_us = 0;
  double p99_us = 0;
  double p999_us = 0;
  double max_us = 0;
};
// Sorts `nanos` (nearest-rank percentiles). All zero when empty.
Latency Summarize(std::vector<int64_t>& nanos);

// A channel with a TCP connection of its own: gRPC otherwise shares one
// connection between channels to the same address, so clients made with
// separate channels would still queue on one socket (unlike pgbench's
// separate connections). `id` only makes the channel distinct. Messages up
// to 64 MiB are accepted (a batch of snapshots can be large).
std::shared_ptr<grpc::Channel> OwnChannel(const std::string& address, int id);

// OwnChannel(), connected: waits up to 10 seconds for the connection, so
// that setting it up is not timed as part of the first call. (If it does
// not connect, the first call reports why.)
std::shared_ptr<grpc::Channel> ConnectedChannel(const std::string& address,
                                                int id);

// Polls grpc.health.v1.Health/Check for `service` at `address` until it
// answers SERVING. DEADLINE_EXCEEDED with the last answer or error when
// `timeout` passes first. Rides out UNAVAILABLE (the server still
// starting).
absl::Status AwaitServing(const std::string& address,
                          const std::string& service, absl::Duration timeout);

// The catalog's head sequence, from the first message of a change feed.
absl::StatusOr<int64_t> CatalogHead(const std::string& catalog_address,
                                    absl::Duration timeout);

// Waits until the timeline at `address` has applied `sequence`, by repeating
// a cheap query (Relate of two literal dates) with min_sequence =
// `sequence`: the timeline answers as soon as it is reached. Returns the
// sequence its answer reflects; DEADLINE_EXCEEDED after `timeout`.
absl::StatusOr<int64_t> AwaitTimelineSequence(const std::string& address,
                                              int64_t sequence,
                                              absl::Duration timeout);

}  // namespace annals::bench

#endif  // ANNALS_TESTS_BENCH_BENCH_TOOL_H_
