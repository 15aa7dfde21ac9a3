// annals_bench_load: closed-loop load on an annals-timeline holding the
// benchmark dataset (bench_data.h), like pgbench on the PostgreSQL side.
//
//   annals_bench_load --timeline=127.0.0.1:7402 --workload=point
//       --clients=4 --seconds=10 --statements=100000 --seed=1
//
// --timeline may be a Unix domain socket, "unix:/path".
//
// --clients threads, each with its own connection, send one request after
// another for --warmup_seconds (not counted) and then --seconds. Query
// parameters are uniform: subject i in [0, S), day in [1950-01-01,
// 2025-12-31], from a seeded generator per thread. Workloads:
//
//   point        GetSnapshot(entities/e<i>, at=day)
//   point_batch  BatchGetSnapshots of --batch such lookups per call
//   point_stream StreamSnapshots: one stream per client, --in_flight
//                messages of --batch lookups each outstanding; an op is a
//                message, timed from its sending to its answer
//   stab         CountActive(BUCKET_MONTH, from=to=day, statements): how
//                many statements hold on a day
//   window       QueryWindow(from=day, to=day+29, statements,
//                page_size=100): 30 days, both ends included
//   history      ListHistory(entities/e<i>, page_size=1000)
//   ping         grpc.health.v1.Health/Check: the gRPC round-trip floor
//
// Before the run it waits for the timeline to report SERVING, for
// --min_sequence (or the head of --catalog) to be applied, and for a sample
// of subjects to hold exactly the statements the dataset gives them, so
// that a half-loaded or different dataset is never measured.
//
// Prints one JSON line; exit status 1 if any call failed (the first error
// goes to stderr), 2 for bad flags.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/barrier.h"
#include "absl/synchronization/mutex.h"
#include "annals/timeline_client.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/common/temporal/day.h"
#include "tests/bench/bench_data.h"
#include "tests/bench/bench_tool.h"

namespace annals::bench {
namespace {

namespace tv1 = ::annals::timeline::v1;
using Clock = std::chrono::steady_clock;

constexpr char kProgram[] = "annals_bench_load";
constexpr char kTimelineService[] = "annals.timeline.v1.TimelineService";

enum class Workload {
  kPoint,
  kPointBatch,
  kPointStream,
  kStab,
  kWindow,
  kHistory,
  kPing
};

struct WorkloadName {
  const char* name;
  Workload workload;
};
constexpr WorkloadName kWorkloads[] = {
    {"point", Workload::kPoint},
    {"point_batch", Workload::kPointBatch},
    {"point_stream", Workload::kPointStream},
    {"stab", Workload::kStab},
    {"window", Workload::kWindow},
    {"history", Workload::kHistory},
    {"ping", Workload::kPing},
};

// Query parameters for one thread.
class Parameters {
 public:
  Parameters(const Dataset& data, uint64_t seed, int thread)
      : random_(seed, 1000 + static_cast<uint64_t>(thread)),
        subjects_(data.subjects()),
        day_min_(QueryDayMin()),
        days_(QueryDayMax() - QueryDayMin() + 1) {}

  std::string Subject() { return SubjectName(random_.Uniform(subjects_)); }
  temporal::Day Day() {
    return day_min_ + static_cast<temporal::Day>(random_.Uniform(days_));
  }

 private:
  Random random_;
  const int64_t subjects_;
  const temporal::Day day_min_;
  const int64_t days_;
};

// What one thread measured.
struct ThreadResult {
  std::vector<int64_t> nanos;
  int64_t ops = 0;
  int64_t rows = 0;
  int64_t errors = 0;
  std::string first_error;
};

// Calls fail at the first error (no retries, which would hide it) after
// `timeout`.
ClientOptions Options(absl::Duration timeout, int attempts) {
  ClientOptions options;
  options.timeout = timeout;
  options.max_attempts = attempts;
  return options;
}

// One call of the workload; returns its status and adds what it returned
// (statements, items, entries, or the count) to *rows.
class Caller {
 public:
  Caller(const std::string& address, int id, Workload workload, int batch,
         int in_flight, const Dataset& data, uint64_t seed)
      : workload_(workload),
        batch_(batch),
        in_flight_(in_flight),
        parameters_(data, seed, id),
        channel_(ConnectedChannel(address, id)),
        client_(timeline::v1::TimelineService::NewStub(channel_),
                Options(absl::Seconds(30), 1)),
        health_(grpc::health::v1::Health::NewStub(channel_)) {}

  absl::Status Call(int64_t* rows) {
    switch (workload_) {
      case Workload::kPoint: {
        tv1::GetSnapshotRequest request;
        request.set_entity(parameters_.Subject());
        request.set_at(temporal::FormatDay(parameters_.Day()));
        absl::StatusOr<tv1::GetSnapshotResponse> response =
            client_.GetSnapshot(std::move(request));
        if (!response.ok()) return response.status();
        *rows += response->statements_size();
        return absl::OkStatus();
      }
      case Workload::kPointStream:
        return absl::InternalError("point_stream runs in Stream()");
      case Workload::kPointBatch: {
        tv1::BatchGetSnapshotsRequest request;
        for (int b = 0; b < batch_; ++b) {
          tv1::GetSnapshotRequest* lookup = request.add_requests();
          lookup->set_entity(parameters_.Subject());
          lookup->set_at(temporal::FormatDay(parameters_.Day()));
        }
        absl::StatusOr<tv1::BatchGetSnapshotsResponse> response =
            client_.BatchGetSnapshots(std::move(request));
        if (!response.ok()) return response.status();
        for (const tv1::GetSnapshotResponse& snapshot : response->snapshots()) {
          *rows += snapshot.statements_size();
        }
        return absl::OkStatus();
      }
      case Workload::kStab: {
        const temporal::Day day = parameters_.Day();
        tv1::CountActiveRequest request;
        request.set_bucket(tv1::BUCKET_MONTH);
        // A window of one day: `to` is its last day, included.
        request.set_from(temporal::FormatDay(day));
        request.set_to(temporal::FormatDay(day));
        request.set_item_type(tv1::ITEM_TYPE_STATEMENT);
        absl::StatusOr<tv1::CountActiveResponse> response =
            client_.CountActive(std::move(request));
        if (!response.ok()) return response.status();
        if (response->buckets_size() != 1) {
          return absl::InternalError("CountActive of one day gave " +
                                     std::to_string(response->buckets_size()) +
                                     " buckets");
        }
        *rows +=
            response->buckets(0).definite() + response->buckets(0).possible();
        return absl::OkStatus();
      }
      case Workload::kWindow: {
        const temporal::Day day = parameters_.Day();
        tv1::QueryWindowRequest request;
        // 30 days, as PostgreSQL's daterange(day, day + 30) in window.sql:
        // `to` is the last day, included.
        request.set_from(temporal::FormatDay(day));
        request.set_to(temporal::FormatDay(day + 29));
        request.set_item_type(tv1::ITEM_TYPE_STATEMENT);
        request.set_page_size(100);
        absl::StatusOr<tv1::QueryWindowResponse> response =
            client_.QueryWindow(std::move(request));
        if (!response.ok()) return response.status();
        *rows += response->items_size();
        return absl::OkStatus();
      }
      case Workload::kHistory: {
        tv1::ListHistoryRequest request;
        request.set_entity(parameters_.Subject());
        request.set_page_size(1000);
        absl::StatusOr<tv1::ListHistoryResponse> response =
            client_.ListHistory(std::move(request));
        if (!response.ok()) return response.status();
        *rows += response->entries_size();
        return absl::OkStatus();
      }
      case Workload::kPing: {
        grpc::health::v1::HealthCheckRequest request;
        grpc::health::v1::HealthCheckResponse response;
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::seconds(30));
        const grpc::Status status =
            health_->Check(&context, request, &response);
        if (!status.ok()) {
          return absl::Status(
              static_cast<absl::StatusCode>(status.error_code()),
              status.error_message());
        }
        return absl::OkStatus();
      }
    }
    return absl::InternalError("unknown workload");
  }

  // point_stream: keeps in_flight_ messages of batch_ lookups outstanding on
  // one stream until `until`; records, for each message sent at or after
  // `from`, the time to its answer.
  void Stream(Clock::time_point from, Clock::time_point until,
              ThreadResult& result) {
    std::unique_ptr<SnapshotStream> stream = client_.StreamSnapshots();
    struct Sent {
      int64_t tag;
      Clock::time_point at;
    };
    std::deque<Sent> sent;
    int64_t next_tag = 0;
    auto send = [&] {
      tv1::StreamSnapshotsRequest request;
      request.set_tag(next_tag);
      for (int b = 0; b < batch_; ++b) {
        tv1::GetSnapshotRequest* lookup = request.add_requests();
        lookup->set_entity(parameters_.Subject());
        lookup->set_at(temporal::FormatDay(parameters_.Day()));
      }
      sent.push_back(Sent{next_tag++, Clock::now()});
      return stream->Send(std::move(request));
    };
    auto fail = [&](const std::string& error) {
      if (result.errors++ == 0) result.first_error = error;
    };
    bool open = true;
    for (int m = 0; m < in_flight_ && open; ++m) open = send();
    tv1::StreamSnapshotsResponse answer;
    while (!sent.empty() && stream->Receive(&answer)) {
      const Clock::time_point t1 = Clock::now();
      const Sent first = sent.front();
      sent.pop_front();
      if (answer.tag() != first.tag) {
        fail(absl::StrCat("answer tagged ", answer.tag(), " where ", first.tag,
                          " was due"));
      }
      int64_t rows = 0;
      for (const tv1::SnapshotResult& item : answer.results()) {
        if (item.has_error()) {
          fail(absl::StrCat("lookup failed: ", item.error().message()));
        }
        rows += item.snapshot().statements_size();
      }
      if (first.at >= from && first.at < until) {
        result.nanos.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - first.at)
                .count());
        ++result.ops;
        result.rows += rows;
      }
      if (open && t1 < until) open = send();
    }
    const absl::Status status = stream->Finish();
    if (!status.ok()) fail(status.ToString());
  }

 private:
  const Workload workload_;
  const int batch_;
  const int in_flight_;
  Parameters parameters_;
  std::shared_ptr<grpc::Channel> channel_;
  TimelineClient client_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

// Every statement of `subject` in the timeline, through ListHistory.
absl::StatusOr<int64_t> HistorySize(TimelineClient& client,
                                    const std::string& subject) {
  int64_t size = 0;
  std::string token;
  do {
    tv1::ListHistoryRequest request;
    request.set_entity(subject);
    request.set_page_size(1000);
    request.set_page_token(token);
    absl::StatusOr<tv1::ListHistoryResponse> page =
        client.ListHistory(std::move(request));
    if (!page.ok()) return page.status();
    size += page->entries_size();
    token = page->next_page_token();
  } while (!token.empty());
  return size;
}

// Waits until sampled subjects hold the statements the dataset gives them:
// the subject of the last statement, of the last retractions, and a few
// random ones. Fails at once if a subject holds more (another dataset).
void AwaitDataset(const std::string& address, const Dataset& data,
                  absl::Duration timeout) {
  std::vector<int64_t> sample;
  sample.push_back(data.SubjectOf(data.statements() - 1));
  const std::vector<int64_t> retracted = data.Retracted();
  for (size_t r = 0; r < std::min<size_t>(3, retracted.size()); ++r) {
    sample.push_back(data.SubjectOf(retracted[retracted.size() - 1 - r]));
  }
  Random random(data.seed(), 999);
  for (int k = 0; k < 4; ++k) sample.push_back(random.Uniform(data.subjects()));
  std::sort(sample.begin(), sample.end());
  sample.erase(std::unique(sample.begin(), sample.end()), sample.end());

  std::vector<int64_t> expected(sample.size(), 0);
  for (int64_t j = 0; j < data.statements(); ++j) {
    const int64_t subject = data.SubjectOf(j);
    auto it = std::lower_bound(sample.begin(), sample.end(), subject);
    if (it != sample.end() && *it == subject && !data.IsRetracted(j)) {
      ++expected[it - sample.begin()];
    }
  }

  TimelineClient client(
      timeline::v1::TimelineService::NewStub(OwnChannel(address, -4)),
      Options(absl::Seconds(30), 4));
  const absl::Time deadline = absl::Now() + timeout;
  std::string mismatch;
  while (true) {
    mismatch.clear();
    for (size_t s = 0; s < sample.size() && mismatch.empty(); ++s) {
      const std::string subject = SubjectName(sample[s]);
      absl::StatusOr<int64_t> size = HistorySize(client, subject);
      if (!size.ok() && size.status().code() != absl::StatusCode::kNotFound) {
        RunFailed(kProgram, absl::StrCat("ListHistory(", subject,
                                         "): ", size.status().message()));
      }
      const int64_t held = size.ok() ? *size : 0;
      if (held > expected[s]) {
        RunFailed(kProgram,
                  absl::StrCat("the timeline holds ", held,
                               " statements about ", subject,
                               " where dataset (statements=", data.statements(),
                               ", seed=", data.seed(), ") has ", expected[s],
                               ": it was loaded with other data"));
      }
      if (held != expected[s]) {
        mismatch = absl::StrCat(subject, " has ", held, " of ", expected[s],
                                " statements");
      }
    }
    if (mismatch.empty()) return;
    if (absl::Now() >= deadline) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  RunFailed(kProgram,
            absl::StrCat("the timeline does not hold dataset (statements=",
                         data.statements(), ", seed=", data.seed(), ") after ",
                         absl::FormatDuration(timeout), ": ", mismatch,
                         " (was it loaded with annals_bench_gen?)"));
}

int Main(int argc, char** argv) {
  std::vector<std::string> names;
  for (const WorkloadName& w : kWorkloads) names.push_back(w.name);
  ToolFlags flags(
      kProgram,
      "annals_bench_load: closed-loop load on an annals-timeline holding the "
      "benchmark\ndataset; prints one JSON line.\n\n"
      "  annals_bench_load --timeline=HOST:PORT --workload=W --clients=K "
      "--seconds=T\n      --statements=N --seed=S [--batch=100] "
      "[--warmup_seconds=1]",
      {
          {"timeline", "", "The annals-timeline, HOST:PORT or unix:PATH.",
           true},
          {"workload", "",
           absl::StrCat("One of ", absl::StrJoin(names, ", "), "."), true},
          {"clients", "1",
           "Client threads, each with its own connection (1-1024)."},
          {"seconds", "10", "Measured seconds (> 0)."},
          {"statements", "",
           "N of the dataset the timeline holds (annals_bench_gen).", true},
          {"seed", "1", "Seed of that dataset; also seeds the parameters."},
          {"batch", "100",
           "Lookups per BatchGetSnapshots call or StreamSnapshots message "
           "(1-1000)."},
          {"in_flight", "4",
           "point_stream: messages outstanding on each stream (1-64)."},
          {"warmup_seconds", "1", "Seconds of load before measuring (>= 0)."},
          {"min_sequence", "0",
           "Wait until the timeline has applied this catalog sequence "
           "(annals_bench_gen's last_sequence)."},
          {"catalog", "",
           "The annals-catalog, HOST:PORT: wait until the timeline has "
           "applied its head."},
          {"check_data", "true",
           "Before measuring, wait until sampled subjects hold the dataset's "
           "statements (true or false)."},
          {"ready_timeout", "600",
           "Seconds to wait for the timeline to be ready and caught up."},
      });
  flags.ParseOrExit(argc, argv);
  const std::string address = flags.Address("timeline");
  const std::string workload_name = flags.String("workload");
  Workload workload = Workload::kPing;
  bool known = false;
  for (const WorkloadName& w : kWorkloads) {
    if (workload_name == w.name) {
      workload = w.workload;
      known = true;
    }
  }
  if (!known) {
    flags.UsageError(absl::StrCat("--workload=", workload_name,
                                  ": must be one of ",
                                  absl::StrJoin(names, ", ")));
  }
  const int clients = static_cast<int>(flags.Int("clients", 1, 1024));
  const double seconds = flags.Double("seconds", 0.001, 86400);
  const int64_t statements = flags.Int("statements", 1, int64_t{1} << 40);
  const int64_t seed = flags.Int("seed", 0, INT64_MAX);
  const int batch = static_cast<int>(flags.Int("batch", 1, 1000));
  const int in_flight = static_cast<int>(flags.Int("in_flight", 1, 64));
  const double warmup = flags.Double("warmup_seconds", 0, 86400);
  const int64_t min_sequence = flags.Int("min_sequence", 0, INT64_MAX);
  const std::string catalog = flags.Address("catalog");
  const bool check_data = flags.Bool("check_data");
  const absl::Duration ready_timeout =
      absl::Seconds(flags.Double("ready_timeout", 0, 86400));

  const Dataset data(statements, static_cast<uint64_t>(seed));
  if (absl::Status s = AwaitServing(address, kTimelineService, ready_timeout);
      !s.ok()) {
    RunFailed(kProgram, s.message());
  }
  int64_t target = min_sequence;
  if (!catalog.empty()) {
    absl::StatusOr<int64_t> head = CatalogHead(catalog, absl::Seconds(30));
    if (!head.ok()) RunFailed(kProgram, head.status().message());
    target = std::max(target, *head);
  }
  if (target > 0) {
    absl::StatusOr<int64_t> reached =
        AwaitTimelineSequence(address, target, ready_timeout);
    if (!reached.ok()) RunFailed(kProgram, reached.status().message());
  }
  if (check_data) AwaitDataset(address, data, ready_timeout);

  // Threads start together; each stops issuing at `end`.
  std::vector<std::unique_ptr<Caller>> callers;
  for (int k = 0; k < clients; ++k) {
    callers.push_back(std::make_unique<Caller>(
        address, k, workload, batch, in_flight, data,
        static_cast<uint64_t>(seed) ^ static_cast<uint64_t>(workload)));
  }
  std::vector<ThreadResult> results(clients);
  absl::Barrier* start = new absl::Barrier(clients + 1);
  Clock::time_point measure_from;
  Clock::time_point end;
  absl::Mutex mu;  // guards measure_from and end until the barrier
  std::vector<std::thread> threads;
  for (int k = 0; k < clients; ++k) {
    threads.emplace_back([&, k] {
      ThreadResult& result = results[k];
      result.nanos.reserve(1 << 16);
      if (start->Block()) delete start;
      Clock::time_point from, until;
      {
        absl::MutexLock lock(&mu);
        from = measure_from;
        until = end;
      }
      if (workload == Workload::kPointStream) {
        // Its warm-up is the same stream's first messages.
        callers[k]->Stream(from, until, result);
        return;
      }
      while (true) {
        const Clock::time_point t0 = Clock::now();
        if (t0 >= until) break;
        int64_t rows = 0;
        const absl::Status status = callers[k]->Call(&rows);
        const Clock::time_point t1 = Clock::now();
        if (!status.ok()) {
          if (result.errors++ == 0) result.first_error = status.ToString();
          continue;
        }
        if (t0 < from) continue;  // warm-up
        result.nanos.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0)
                .count());
        ++result.ops;
        result.rows += rows;
      }
    });
  }
  {
    absl::MutexLock lock(&mu);
    const Clock::time_point now = Clock::now();
    measure_from = now + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(warmup));
    end = measure_from + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(seconds));
  }
  if (start->Block()) delete start;
  for (std::thread& thread : threads) thread.join();

  std::vector<int64_t> nanos;
  int64_t ops = 0;
  int64_t rows = 0;
  int64_t errors = 0;
  std::string first_error;
  for (ThreadResult& result : results) {
    nanos.insert(nanos.end(), result.nanos.begin(), result.nanos.end());
    ops += result.ops;
    rows += result.rows;
    errors += result.errors;
    if (first_error.empty()) first_error = result.first_error;
  }
  const Latency latency = Summarize(nanos);
  const int64_t per_call =
      workload == Workload::kPointBatch || workload == Workload::kPointStream
          ? batch
          : 1;
  const double qps = static_cast<double>(ops) / seconds;
  JsonLine json;
  json.Text("system", "annals")
      .Text("workload", workload_name)
      .Int("clients", clients)
      .Int("ops", ops)
      .Number("qps", qps)
      .Number("lookups_per_second", qps * static_cast<double>(per_call))
      .Number("p50_us", latency.p50_us)
      .Number("p99_us", latency.p99_us)
      .Int("errors", errors)
      .Number("p90_us", latency.p90_us)
      .Number("p999_us", latency.p999_us)
      .Number("max_us", latency.max_us)
      .Number("mean_us", latency.mean_us)
      .Number(
          "rows_per_op",
          ops > 0 ? static_cast<double>(rows) / static_cast<double>(ops) : 0.0,
          3)
      .Int("batch", per_call)
      .Int("in_flight", workload == Workload::kPointStream ? in_flight : 1)
      .Text("transport", absl::StartsWith(address, "unix:") ? "unix" : "tcp")
      .Number("seconds", seconds, 3)
      .Number("warmup_seconds", warmup, 3)
      .Int("statements", statements)
      .Int("subjects", data.subjects())
      .Int("seed", seed);
  std::printf("%s\n", json.str().c_str());
  std::fflush(stdout);
  if (errors > 0) {
    RunFailed(kProgram,
              absl::StrCat(errors, " calls failed; first: ", first_error));
  }
  return 0;
}

}  // namespace
}  // namespace annals::bench

int main(int argc, char** argv) { return annals::bench::Main(argc, argv); }
