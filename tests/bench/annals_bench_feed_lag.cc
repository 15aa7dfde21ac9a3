// annals_bench_feed_lag: how long after the catalog acknowledges a write the
// timeline reflects it.
//
//   annals_bench_feed_lag --catalog=127.0.0.1:7401
//       --timeline=127.0.0.1:7402 --rate=1000 --seconds=10 --writers=4
//
// Writes. Open loop: write k is due at start + k / rate, whatever happened to
// earlier writes; --writers threads take the next due write in turn, each on
// its own connection. A write is UpdateEntity of the description of a probe
// entity (one per writer, created first, of kind "probe"): a small durable
// catalog write that adds nothing to the statement indexes the query
// benchmarks measure.
//
// Lag. When write k is acknowledged with sequence s, its writer at once
// starts (asynchronously, without waiting) a Relate of two literal dates
// with min_sequence = s on a connection of its own to the timeline. The
// timeline holds that call until it has applied s and then answers (see
// `min_sequence` in timeline_service.proto; the wait is event-driven, not
// polled). The lag of k is from the acknowledgement to the answer's
// arrival. It therefore includes the return trip of the answer, and cannot
// fall below one round trip of the same call when nothing needs waiting
// for: that floor is measured before the run (floor_p50_us, floor_p99_us)
// and reported alongside, not subtracted.
//
// Prints one JSON line; exit status 1 if a write or a probe failed, 2 for
// bad flags.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "annals/catalog/v1/catalog_service.grpc.pb.h"
#include "annals/timeline/v1/timeline_service.grpc.pb.h"
#include "tests/bench/bench_tool.h"

namespace annals::bench {
namespace {

namespace cv1 = ::annals::catalog::v1;
namespace tv1 = ::annals::timeline::v1;
using Clock = std::chrono::steady_clock;

constexpr char kProgram[] = "annals_bench_feed_lag";
constexpr char kCatalogService[] = "annals.catalog.v1.CatalogService";
constexpr char kTimelineService[] = "annals.timeline.v1.TimelineService";

int64_t Nanos(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

std::chrono::system_clock::time_point DeadlineIn(int seconds) {
  return std::chrono::system_clock::now() + std::chrono::seconds(seconds);
}

tv1::RelateRequest ProbeRequest(int64_t min_sequence) {
  tv1::RelateRequest request;
  request.mutable_a()->set_edtf("2000");
  request.mutable_b()->set_edtf("2001");
  request.set_min_sequence(min_sequence);
  return request;
}

// One asynchronous probe in flight: freed by the completion thread.
struct Probe {
  grpc::ClientContext context;
  tv1::RelateResponse response;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<tv1::RelateResponse>> reader;
  Clock::time_point acknowledged;
  bool measured = false;  // past the warm-up
};

// Probes on one connection; a thread collects their answers.
class Prober {
 public:
  explicit Prober(const std::string& timeline)
      : stub_(tv1::TimelineService::NewStub(ConnectedChannel(timeline, 1000))),
        thread_([this] { Collect(); }) {}

  ~Prober() {
    queue_.Shutdown();
    thread_.join();
  }

  // Starts a probe for `sequence`, acknowledged at `acknowledged`.
  void Start(int64_t sequence, Clock::time_point acknowledged, bool measured) {
    auto* probe = new Probe;
    probe->acknowledged = acknowledged;
    probe->measured = measured;
    probe->context.set_deadline(DeadlineIn(60));
    pending_.fetch_add(1);
    probe->reader =
        stub_->AsyncRelate(&probe->context, ProbeRequest(sequence), &queue_);
    probe->reader->Finish(&probe->response, &probe->status, probe);
  }

  // Waits until every started probe has answered.
  void Drain() {
    while (pending_.load() > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  std::vector<int64_t> lags() {
    absl::MutexLock lock(&mu_);
    return lags_;
  }
  int64_t errors() {
    absl::MutexLock lock(&mu_);
    return errors_;
  }
  std::string first_error() {
    absl::MutexLock lock(&mu_);
    return first_error_;
  }

 private:
  void Collect() {
    void* tag;
    bool ok;
    while (queue_.Next(&tag, &ok)) {
      const Clock::time_point answered = Clock::now();
      std::unique_ptr<Probe> probe(static_cast<Probe*>(tag));
      {
        absl::MutexLock lock(&mu_);
        if (!ok || !probe->status.ok()) {
          if (errors_++ == 0) {
            first_error_ =
                absl::StrCat("probe: ", probe->status.error_message());
          }
        } else if (probe->measured) {
          lags_.push_back(Nanos(answered - probe->acknowledged));
        }
      }
      pending_.fetch_sub(1);
    }
  }

  std::unique_ptr<tv1::TimelineService::Stub> stub_;
  grpc::CompletionQueue queue_;
  std::atomic<int64_t> pending_{0};
  absl::Mutex mu_;
  std::vector<int64_t> lags_ ABSL_GUARDED_BY(mu_);
  int64_t errors_ ABSL_GUARDED_BY(mu_) = 0;
  std::string first_error_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;  // last: starts after the members it uses
};

// Round trips of the probe call when the sequence is already applied.
std::vector<int64_t> MeasureFloor(const std::string& timeline, int calls) {
  auto stub = tv1::TimelineService::NewStub(ConnectedChannel(timeline, 1001));
  std::vector<int64_t> nanos;
  for (int i = 0; i < calls; ++i) {
    grpc::ClientContext context;
    context.set_deadline(DeadlineIn(30));
    tv1::RelateResponse response;
    const Clock::time_point t0 = Clock::now();
    const grpc::Status status =
        stub->Relate(&context, ProbeRequest(1), &response);
    const Clock::time_point t1 = Clock::now();
    if (!status.ok()) {
      RunFailed(kProgram, absl::StrCat("Relate on the timeline: ",
                                       status.error_message()));
    }
    if (i >= calls / 10) nanos.push_back(Nanos(t1 - t0));  // skip warm-up
  }
  return nanos;
}

int Main(int argc, char** argv) {
  ToolFlags flags(
      kProgram,
      "annals_bench_feed_lag: open-loop writes to an annals-catalog at a "
      "fixed rate, and\nfor each acknowledged write the time until the "
      "annals-timeline reflects it;\nprints one JSON line.\n\n"
      "  annals_bench_feed_lag --catalog=HOST:PORT --timeline=HOST:PORT "
      "[--rate=1000]\n      [--seconds=10] [--writers=4]",
      {
          {"catalog", "", "The annals-catalog, HOST:PORT.", true},
          {"timeline", "", "The annals-timeline following it, HOST:PORT.",
           true},
          {"rate", "1000", "Writes per second to attempt (1-1000000)."},
          {"seconds", "10", "Measured seconds (> 0)."},
          {"writers", "4",
           "Writer threads, each with its own connection (1-256)."},
          {"warmup_seconds", "1", "Seconds of writes before measuring (>= 0)."},
          {"ready_timeout", "120",
           "Seconds to wait for both services to be ready."},
      });
  flags.ParseOrExit(argc, argv);
  const std::string catalog = flags.Address("catalog");
  const std::string timeline = flags.Address("timeline");
  const double rate = flags.Double("rate", 1, 1e6);
  const double seconds = flags.Double("seconds", 0.001, 86400);
  const int writers = static_cast<int>(flags.Int("writers", 1, 256));
  const double warmup = flags.Double("warmup_seconds", 0, 86400);
  const absl::Duration ready_timeout =
      absl::Seconds(flags.Double("ready_timeout", 0, 86400));

  for (const auto& [address, service] :
       {std::pair{catalog, kCatalogService},
        std::pair{timeline, kTimelineService}}) {
    if (absl::Status s = AwaitServing(address, service, ready_timeout);
        !s.ok()) {
      RunFailed(kProgram, s.message());
    }
  }

  // One probe entity per writer, with an id no earlier run used.
  const std::string run = absl::StrFormat(
      "%x-%x", static_cast<unsigned>(getpid()),
      static_cast<unsigned>(
          std::chrono::system_clock::now().time_since_epoch().count() &
          0xffffffff));
  std::vector<std::unique_ptr<cv1::CatalogService::Stub>> stubs;
  std::vector<std::string> probes;
  int64_t created = 0;
  for (int w = 0; w < writers; ++w) {
    stubs.push_back(cv1::CatalogService::NewStub(ConnectedChannel(catalog, w)));
    cv1::CreateEntityRequest request;
    request.set_entity_id(absl::StrCat("lag-probe-", run, "-", w));
    request.mutable_entity()->set_kind("probe");
    request.mutable_entity()->set_label(
        absl::StrCat("Feed lag probe ", run, " ", w));
    cv1::Entity entity;
    grpc::ClientContext context;
    context.set_deadline(DeadlineIn(30));
    const grpc::Status status =
        stubs.back()->CreateEntity(&context, request, &entity);
    if (!status.ok()) {
      RunFailed(kProgram,
                absl::StrCat("CreateEntity: ", status.error_message()));
    }
    probes.push_back(entity.name());
    created = std::max(created, entity.sequence());
  }
  absl::StatusOr<int64_t> reached =
      AwaitTimelineSequence(timeline, created, ready_timeout);
  if (!reached.ok()) RunFailed(kProgram, reached.status().message());

  std::vector<int64_t> floor = MeasureFloor(timeline, 220);
  const Latency floor_latency = Summarize(floor);

  // The schedule: write k is due at start + k / rate.
  Prober prober(timeline);
  const Clock::time_point start = Clock::now() + std::chrono::milliseconds(20);
  const auto offset = [&](double s) {
    return std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(s));
  };
  const Clock::time_point measure_from = start + offset(warmup);
  const Clock::time_point end = measure_from + offset(seconds);
  std::atomic<int64_t> next{0};
  absl::Mutex mu;
  std::vector<int64_t> write_nanos;
  int64_t writes = 0;
  int64_t late = 0;
  int64_t errors = 0;
  std::string first_error;
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      std::vector<int64_t> nanos;
      int64_t my_writes = 0;
      int64_t my_late = 0;
      int64_t my_errors = 0;
      std::string my_error;
      while (true) {
        const int64_t k = next.fetch_add(1);
        const Clock::time_point due =
            start + offset(static_cast<double>(k) / rate);
        if (due >= end) break;
        std::this_thread::sleep_until(due);
        const bool measured = due >= measure_from;
        cv1::UpdateEntityRequest request;
        request.mutable_entity()->set_name(probes[w]);
        request.mutable_entity()->set_description(absl::StrCat("write ", k));
        request.mutable_update_mask()->add_paths("description");
        cv1::Entity entity;
        grpc::ClientContext context;
        context.set_deadline(DeadlineIn(30));
        const Clock::time_point sent = Clock::now();
        const grpc::Status status =
            stubs[w]->UpdateEntity(&context, request, &entity);
        const Clock::time_point acknowledged = Clock::now();
        if (!status.ok()) {
          if (my_errors++ == 0) {
            my_error = absl::StrCat("UpdateEntity: ", status.error_message());
          }
          continue;
        }
        prober.Start(entity.sequence(), acknowledged, measured);
        if (!measured) continue;
        ++my_writes;
        // Sent more than a millisecond after it was due: the writers could
        // not keep up with the rate.
        if (sent - due > std::chrono::milliseconds(1)) ++my_late;
        nanos.push_back(Nanos(acknowledged - sent));
      }
      absl::MutexLock lock(&mu);
      write_nanos.insert(write_nanos.end(), nanos.begin(), nanos.end());
      writes += my_writes;
      late += my_late;
      errors += my_errors;
      if (first_error.empty()) first_error = my_error;
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double elapsed =
      std::chrono::duration<double>(Clock::now() - measure_from).count();
  prober.Drain();

  std::vector<int64_t> lags = prober.lags();
  errors += prober.errors();
  if (first_error.empty()) first_error = prober.first_error();
  const Latency lag = Summarize(lags);
  const Latency write = Summarize(write_nanos);
  JsonLine json;
  json.Number("rate_target", rate)
      .Number("rate_achieved",
              static_cast<double>(writes) / std::max(elapsed, seconds))
      .Int("writes", writes)
      .Number("lag_p50_us", lag.p50_us)
      .Number("lag_p99_us", lag.p99_us)
      .Number("lag_max_us", lag.max_us)
      .Number("write_p50_us", write.p50_us)
      .Number("write_p99_us", write.p99_us)
      .Number("lag_p90_us", lag.p90_us)
      .Number("lag_mean_us", lag.mean_us)
      .Number("write_max_us", write.max_us)
      .Number("floor_p50_us", floor_latency.p50_us)
      .Number("floor_p99_us", floor_latency.p99_us)
      .Int("late_writes", late)
      .Int("writers", writers)
      .Number("seconds", seconds, 3)
      .Int("errors", errors)
      .Text("method",
            "lag = acknowledgement of a catalog write (UpdateEntity) to the "
            "answer of a timeline Relate call sent at once with "
            "min_sequence = the write's sequence; includes the answer's "
            "trip; floor = round trip of that call with nothing to wait "
            "for");
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
