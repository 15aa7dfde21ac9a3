// annals_bench_gen: writes the benchmark dataset (bench_data.h) as CSV for
// PostgreSQL, and/or loads it into a running annals-catalog.
//
//   annals_bench_gen --statements=100000 --seed=1 --csv_dir=/tmp/pg
//   annals_bench_gen --statements=100000 --seed=1 --catalog=127.0.0.1:7401
//
// CSV mode writes DIR/statements.csv (the non-retracted statements: id,
// subject, predicate, object, lower, upper; no header) and DIR/meta.json.
// Catalog mode imports the entities, then the statements (timed alone),
// through ImportRecords in batches of --batch records over --clients
// concurrent streams, then retracts ~2% of the statements. Either mode
// prints one JSON line on stdout; both may be given at once.
//
// Exit status: 0, 1 when a server call fails, 2 for bad flags.
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "annals/catalog_client.h"
#include "services/catalog/validation.h"
#include "tests/bench/bench_data.h"
#include "tests/bench/bench_tool.h"

namespace annals::bench {
namespace {

namespace cv1 = ::annals::catalog::v1;

constexpr char kProgram[] = "annals_bench_gen";
constexpr char kCatalogService[] = "annals.catalog.v1.CatalogService";
constexpr char kTimelineService[] = "annals.timeline.v1.TimelineService";

// Statements sampled for avg_value_bytes (evenly spread).
constexpr int64_t kValueSizeSamples = 100000;

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// Creates `dir` and its parents if missing.
bool MakeDirs(const std::string& dir) {
  for (size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
    const std::string prefix = dir.substr(0, slash);
    if (!prefix.empty() && mkdir(prefix.c_str(), 0755) != 0 &&
        errno != EEXIST) {
      return false;
    }
    if (slash == std::string::npos) break;
  }
  struct stat info;
  return stat(dir.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

// The statement as the catalog stores it (validation's normal form plus the
// output fields a commit stamps on it), for the size db_bench should write.
size_t StoredSize(const Dataset& data, const StatementRecord& record,
                  int64_t sequence) {
  absl::StatusOr<cv1::Statement> stored =
      catalog::NormalizeStatement("statement.", data.ToProto(record));
  if (!stored.ok()) {
    RunFailed(kProgram,
              absl::StrCat("statement ", record.index,
                           " is invalid: ", stored.status().message()));
  }
  stored->set_name(StatementName(record.index));
  stored->mutable_create_time()->set_seconds(1763800000);
  stored->mutable_create_time()->set_nanos(123456789);
  *stored->mutable_update_time() = stored->create_time();
  stored->set_etag(absl::StrCat(sequence));
  stored->set_sequence(sequence);
  return stored->ByteSizeLong();
}

// Returns the number of rows written.
int64_t WriteCsv(const Dataset& data, const std::string& dir, JsonLine& json) {
  if (!MakeDirs(dir)) {
    RunFailed(kProgram, absl::StrCat("cannot create directory ", dir));
  }
  const std::string csv_path = absl::StrCat(dir, "/statements.csv");
  std::FILE* csv = std::fopen(csv_path.c_str(), "w");
  if (csv == nullptr)
    RunFailed(kProgram, absl::StrCat("cannot write ", csv_path));
  const int64_t n = data.statements();
  const int64_t stride = std::max<int64_t>(1, n / kValueSizeSamples);
  int64_t rows = 0;
  double value_bytes = 0;
  int64_t value_samples = 0;
  double key_bytes = 0;
  for (int64_t j = 0; j < n; ++j) {
    const StatementRecord record = data.Statement(j);
    // The catalog keys a statement by its id, "s<j>".
    key_bytes += static_cast<double>(StatementName(j).size() -
                                     std::string("statements/").size());
    if (j % stride == 0) {
      const int64_t sequence = kSourceCount + data.subjects() + j + 1;
      value_bytes += static_cast<double>(StoredSize(data, record, sequence));
      ++value_samples;
    }
    if (record.retracted) continue;
    const std::string row = CsvRow(record);
    std::fwrite(row.data(), 1, row.size(), csv);
    ++rows;
  }
  if (std::fclose(csv) != 0) {
    RunFailed(kProgram, absl::StrCat("cannot write ", csv_path));
  }

  const std::string meta_path = absl::StrCat(dir, "/meta.json");
  JsonLine meta;
  meta.Int("statements", n)
      .Int("subjects", data.subjects())
      .Text("day_min", kQueryDayMinText)
      .Text("day_max", kQueryDayMaxText)
      .Number("avg_value_bytes",
              value_bytes / static_cast<double>(value_samples))
      .Number("avg_key_bytes", key_bytes / static_cast<double>(n))
      .Int("seed", static_cast<int64_t>(data.seed()))
      .Int("rows", rows)
      .Int("retracted", n - rows)
      .Int("predicates", kPredicateCount)
      .Int("sources", kSourceCount);
  std::FILE* file = std::fopen(meta_path.c_str(), "w");
  if (file == nullptr || std::fprintf(file, "%s\n", meta.str().c_str()) < 0 ||
      std::fclose(file) != 0) {
    RunFailed(kProgram, absl::StrCat("cannot write ", meta_path));
  }
  json.Text("csv", csv_path).Int("rows", rows);
  return rows;
}

// ImportRecords batches of `batch` records each.
std::vector<cv1::ImportRecordsRequest> EntityBatches(const Dataset& data,
                                                     int batch) {
  std::vector<cv1::ImportRecordsRequest> batches;
  for (cv1::Entity& entity : data.Entities()) {
    if (batches.empty() || batches.back().records_size() == batch) {
      batches.emplace_back();
    }
    *batches.back().add_records()->mutable_entity() = std::move(entity);
  }
  return batches;
}

// Batch b of the statements: [b * batch, (b + 1) * batch), with a request
// id, as CatalogClient gives every batch (so the catalog does the same work
// as for a client-library import).
cv1::ImportRecordsRequest StatementBatch(const Dataset& data, int batch,
                                         int64_t b) {
  cv1::ImportRecordsRequest request;
  const int64_t end = std::min(data.statements(), (b + 1) * batch);
  for (int64_t j = b * batch; j < end; ++j) {
    *request.add_records()->mutable_statement() =
        data.ToProto(data.Statement(j));
  }
  request.set_request_id(absl::StrCat("bench-", data.statements(), "-",
                                      data.seed(), "-", batch, "-", b));
  return request;
}

// The batches of one import stream, made by a producer thread at most
// kAhead batches ahead of the stream, so that memory stays bounded whatever
// N is (a prebuilt 1M-statement import took ~1 GB).
//
// Thread safety: one producer (Push, Close) and one consumer (Pop,
// Abandon).
class BatchQueue {
 public:
  static constexpr size_t kAhead = 8;

  // Waits for room; false if the consumer has abandoned the queue.
  bool Push(cv1::ImportRecordsRequest request) {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &BatchQueue::HasRoom));
    if (abandoned_) return false;
    queue_.push_back(std::move(request));
    return true;
  }
  void Close() {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }
  // The next batch; nullopt once the producer is done.
  std::optional<cv1::ImportRecordsRequest> Pop() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &BatchQueue::Readable));
    if (queue_.empty()) return std::nullopt;
    cv1::ImportRecordsRequest request = std::move(queue_.front());
    queue_.pop_front();
    return request;
  }
  void Abandon() {
    absl::MutexLock lock(&mu_);
    abandoned_ = true;
  }
  // Waits until the queue is full or the producer is done.
  void AwaitFull() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &BatchQueue::Full));
  }

 private:
  bool HasRoom() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return abandoned_ || queue_.size() < kAhead;
  }
  bool Readable() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return closed_ || !queue_.empty();
  }
  bool Full() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return closed_ || queue_.size() >= kAhead;
  }

  absl::Mutex mu_;
  std::deque<cv1::ImportRecordsRequest> queue_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  bool abandoned_ ABSL_GUARDED_BY(mu_) = false;
};

// Streams the batches of `queue` in one ImportRecords call. No retry: a
// failed stream fails the run.
absl::StatusOr<cv1::ImportRecordsResponse> StreamBatches(
    cv1::CatalogService::Stub& stub, BatchQueue& queue) {
  grpc::ClientContext context;
  cv1::ImportRecordsResponse response;
  std::unique_ptr<grpc::ClientWriter<cv1::ImportRecordsRequest>> writer =
      stub.ImportRecords(&context, &response);
  while (std::optional<cv1::ImportRecordsRequest> batch = queue.Pop()) {
    // A failed write means the server ended the stream; Finish() says why.
    if (!writer->Write(*batch)) break;
  }
  queue.Abandon();
  writer->WritesDone();
  const grpc::Status status = writer->Finish();
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        status.error_message());
  }
  return response;
}

CatalogClient Client(const std::string& address, int id) {
  ClientOptions options;
  // One attempt of ImportRecords is the whole stream.
  options.timeout = absl::Hours(24);
  return CatalogClient::Connect(ConnectedChannel(address, id), options);
}

void LoadCatalog(const Dataset& data, const std::string& address, int batch,
                 int clients, absl::Duration ready_timeout, JsonLine& json,
                 int64_t* last_sequence) {
  if (absl::Status s = AwaitServing(address, kCatalogService, ready_timeout);
      !s.ok()) {
    RunFailed(kProgram, s.message());
  }

  // Entities, in one stream.
  std::vector<cv1::ImportRecordsRequest> entity_batches =
      EntityBatches(data, batch);
  const int64_t entity_count = kSourceCount + data.subjects();
  const auto entities_start = std::chrono::steady_clock::now();
  absl::StatusOr<cv1::ImportRecordsResponse> entities =
      Client(address, 0).ImportRecords(std::move(entity_batches));
  const double entity_seconds =
      Seconds(std::chrono::steady_clock::now() - entities_start);
  if (!entities.ok()) {
    RunFailed(kProgram, absl::StrCat("importing entities: ",
                                     entities.status().message()));
  }

  // Statements: batch b goes to stream b % clients. Each stream's producer
  // fills its queue before the clock starts.
  const int64_t batch_count = (data.statements() + batch - 1) / batch;
  std::vector<std::unique_ptr<BatchQueue>> queues;
  std::vector<std::thread> producers;
  for (int k = 0; k < clients; ++k) {
    queues.push_back(std::make_unique<BatchQueue>());
    producers.emplace_back(
        [&data, batch, batch_count, clients, k, queue = queues.back().get()] {
          for (int64_t b = k; b < batch_count; b += clients) {
            if (!queue->Push(StatementBatch(data, batch, b))) break;
          }
          queue->Close();
        });
  }
  std::vector<std::unique_ptr<cv1::CatalogService::Stub>> stubs;
  for (int k = 0; k < clients; ++k) {
    stubs.push_back(
        cv1::CatalogService::NewStub(ConnectedChannel(address, k + 1)));
    queues[k]->AwaitFull();
  }
  std::vector<absl::StatusOr<cv1::ImportRecordsResponse>> results(
      clients, absl::UnknownError("not run"));
  const auto import_start = std::chrono::steady_clock::now();
  {
    std::vector<std::thread> threads;
    for (int k = 0; k < clients; ++k) {
      threads.emplace_back(
          [&, k] { results[k] = StreamBatches(*stubs[k], *queues[k]); });
    }
    for (std::thread& thread : threads) thread.join();
  }
  const double import_seconds =
      Seconds(std::chrono::steady_clock::now() - import_start);
  for (std::thread& producer : producers) producer.join();
  int64_t created = 0;
  int64_t unchanged = 0;
  int64_t updated = 0;
  for (int k = 0; k < clients; ++k) {
    if (!results[k].ok()) {
      RunFailed(kProgram, absl::StrCat("importing statements (stream ", k,
                                       "): ", results[k].status().message()));
    }
    created += results[k]->statements_created();
    updated += results[k]->statements_updated();
    unchanged += results[k]->unchanged();
    *last_sequence = std::max(*last_sequence, results[k]->last_sequence());
  }

  // Retractions, spread over the clients.
  std::vector<CatalogClient> writers;
  for (int k = 0; k < clients; ++k) writers.push_back(Client(address, k + 1));
  const std::vector<int64_t> retracted = data.Retracted();
  absl::Mutex mu;
  std::string retract_error;
  int64_t already_retracted = 0;
  const auto retract_start = std::chrono::steady_clock::now();
  {
    std::vector<std::thread> threads;
    for (int k = 0; k < clients; ++k) {
      threads.emplace_back([&, k] {
        int64_t already = 0;
        int64_t sequence = 0;
        for (size_t r = k; r < retracted.size(); r += clients) {
          cv1::RetractStatementRequest request;
          request.set_name(StatementName(retracted[r]));
          request.set_reason("benchmark retraction");
          absl::StatusOr<cv1::Statement> result =
              writers[k].RetractStatement(request);
          if (result.ok()) {
            sequence = std::max(sequence, result->sequence());
          } else if (result.status().code() ==
                         absl::StatusCode::kFailedPrecondition &&
                     absl::StrContains(result.status().message(),
                                       "already retracted")) {
            ++already;  // a re-run over the same catalog
          } else {
            absl::MutexLock lock(&mu);
            retract_error = absl::StrCat(StatementName(retracted[r]), ": ",
                                         result.status().message());
            return;
          }
        }
        absl::MutexLock lock(&mu);
        already_retracted += already;
        *last_sequence = std::max(*last_sequence, sequence);
      });
    }
    for (std::thread& thread : threads) thread.join();
  }
  const double retract_seconds =
      Seconds(std::chrono::steady_clock::now() - retract_start);
  if (!retract_error.empty()) {
    RunFailed(kProgram, absl::StrCat("retracting ", retract_error));
  }
  absl::StatusOr<int64_t> head = CatalogHead(address, absl::Seconds(30));
  if (!head.ok()) RunFailed(kProgram, head.status().message());
  *last_sequence = std::max(*last_sequence, *head);

  const int64_t n = data.statements();
  json.Int("statements", n)
      .Number("seconds", import_seconds, 3)
      .Number("statements_per_second", static_cast<double>(n) / import_seconds)
      .Int("batches", batch_count)
      .Int("batch", batch)
      .Int("clients", clients)
      .Int("statements_created", created)
      .Int("statements_updated", updated)
      .Int("unchanged", unchanged)
      .Int("entities", entity_count)
      .Number("entity_seconds", entity_seconds, 3)
      .Number("entities_per_second",
              static_cast<double>(entity_count) / entity_seconds)
      .Int("retracted", static_cast<int64_t>(retracted.size()))
      .Int("already_retracted", already_retracted)
      .Number("retract_seconds", retract_seconds, 3)
      .Number("retractions_per_second",
              static_cast<double>(retracted.size()) / retract_seconds)
      .Int("last_sequence", *last_sequence);
}

int Main(int argc, char** argv) {
  ToolFlags flags(
      kProgram,
      "annals_bench_gen: writes the benchmark dataset (tests/bench/"
      "bench_data.h) as CSV\nfor PostgreSQL and/or imports it into an "
      "annals-catalog; prints one JSON line.\n\n"
      "  annals_bench_gen --statements=N [--seed=S] --csv_dir=DIR\n"
      "  annals_bench_gen --statements=N [--seed=S] --catalog=HOST:PORT "
      "[--batch=1000] [--clients=1] [--timeline=HOST:PORT]",
      {
          {"statements", "", "Statements in the dataset (N >= 1).", true},
          {"seed", "1", "Seed of the dataset (0 or more)."},
          {"csv_dir", "",
           "Write statements.csv (non-retracted statements) and meta.json "
           "here; created if missing."},
          {"catalog", "",
           "Import the dataset into the annals-catalog at HOST:PORT (an "
           "empty catalog), then retract ~2% of the statements."},
          {"batch", "1000", "Records per ImportRecords batch (1-10000)."},
          {"clients", "1",
           "Concurrent ImportRecords streams, and retraction writers, each "
           "on its own connection (1-64)."},
          {"timeline", "",
           "After loading, wait until the annals-timeline at HOST:PORT has "
           "applied the catalog's last sequence, and report how long it "
           "took (timeline_catchup_seconds)."},
          {"ready_timeout", "600",
           "Seconds to wait for the services to become ready, and for the "
           "timeline to catch up."},
      });
  flags.ParseOrExit(argc, argv);
  const int64_t statements = flags.Int("statements", 1, int64_t{1} << 40);
  const int64_t seed = flags.Int("seed", 0, INT64_MAX);
  const std::string csv_dir = flags.String("csv_dir");
  const std::string catalog = flags.Address("catalog");
  const int batch = static_cast<int>(
      flags.Int("batch", 1, static_cast<int64_t>(catalog::kMaxImportRecords)));
  const int clients = static_cast<int>(flags.Int("clients", 1, 64));
  const std::string timeline = flags.Address("timeline");
  const absl::Duration ready_timeout =
      absl::Seconds(flags.Double("ready_timeout", 0, 86400));
  if (csv_dir.empty() && catalog.empty()) {
    flags.UsageError("give --csv_dir, --catalog or both (see --help)");
  }
  if (!timeline.empty() && catalog.empty()) {
    flags.UsageError("--timeline needs --catalog");
  }

  const Dataset data(statements, static_cast<uint64_t>(seed));
  JsonLine json;
  int64_t last_sequence = 0;
  if (!catalog.empty()) {
    LoadCatalog(data, catalog, batch, clients, ready_timeout, json,
                &last_sequence);
    if (!timeline.empty()) {
      const auto start = std::chrono::steady_clock::now();
      if (absl::Status s =
              AwaitServing(timeline, kTimelineService, ready_timeout);
          !s.ok()) {
        RunFailed(kProgram, s.message());
      }
      absl::StatusOr<int64_t> reached =
          AwaitTimelineSequence(timeline, last_sequence, ready_timeout);
      if (!reached.ok()) RunFailed(kProgram, reached.status().message());
      json.Number("timeline_catchup_seconds",
                  Seconds(std::chrono::steady_clock::now() - start), 3);
    }
  } else {
    json.Int("statements", statements);
  }
  if (!csv_dir.empty()) {
    const int64_t rows = WriteCsv(data, csv_dir, json);
    if (catalog.empty()) json.Int("retracted", statements - rows);
  }
  json.Int("subjects", data.subjects()).Int("seed", seed);
  std::printf("%s\n", json.str().c_str());
  return 0;
}

}  // namespace
}  // namespace annals::bench

int main(int argc, char** argv) { return annals::bench::Main(argc, argv); }
