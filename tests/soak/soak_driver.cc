// annals_soak: a fixed-rate mixed load against real annals-catalog and
// annals-timeline processes on 127.0.0.1, with latency and memory figures.
//
// It starts both binaries on a fresh data folder, imports data/nmi and a
// generated base dataset (--statements statements about generated units,
// people and events), waits for the timeline to catch up, then runs
// --threads client threads that together issue --rate requests per second:
// timeline reads (GetSnapshot, QueryWindow, ListHistory, CountActive),
// catalog reads (GetEntity, ListEntities, ListStatements) and, at
// --write_rate per second, writes (CreateStatement, UpdateEntity and
// RetractStatement with etags and request ids). Each thread's requests are
// scheduled at fixed times, bounded in number, and stop at the end of the
// run. Timeline reads carry the thread's last write sequence as
// min_sequence, as a session would.
//
// Every second it samples VmRSS of both processes from /proc/<pid>/status.
// After the warm-up (--warmup, a fraction of the run), resident memory may
// not grow by --max_growth or more. The timeline keeps every revision in
// memory (for known_at queries), so it grows with each write by design; the
// summary reports that growth per write so that it is explained rather than
// hidden, and the base dataset is large enough that the bound still catches
// leaks.
//
// Usage:
//   annals_soak [--seconds=30] [--rate=200] [--write_rate=4] [--threads=4]
//               [--statements=50000] [--warmup=0.2] [--max_growth=0.10]
//               [--report_dir=DIR]
//
// --seconds defaults to 30 and --statements to 50000; ANNALS_FULL=1 makes
// them 600 and 100000, and ANNALS_SOAK_SECONDS=N sets the seconds. --report_dir
// defaults to $ANNALS_REPORT_DIR; when set, soak.json (settings, counts,
// latencies and the memory curve) is written there. Exit status: 0 when every
// call succeeded, the timeline caught up at the end, both services stopped
// cleanly and memory stayed within bounds; 1 otherwise; 2 for a usage error.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "annals/catalog/v1/catalog_service.grpc.pb.h"
#include "annals/timeline/v1/timeline_service.grpc.pb.h"
#include "google/protobuf/text_format.h"
#include "tests/ops/lifecycle/service_process.h"
#include "tests/testing/temp_dir.h"

namespace annals::soak {
namespace {

namespace cv1 = ::annals::catalog::v1;
namespace tv1 = ::annals::timeline::v1;
using Rng = std::mt19937_64;

constexpr absl::Duration kCallTimeout = absl::Seconds(10);
constexpr int kImportBatchRecords = 5000;

struct Options {
  double seconds = 30;
  double rate = 200;
  double write_rate = 4;
  int threads = 4;
  int statements = 50000;
  double warmup = 0.2;
  double max_growth = 0.10;
  std::string report_dir;
};

// Parses --name=value flags over the environment's defaults; false (after
// printing why) on a usage error.
bool ParseOptions(int argc, char** argv, Options& options) {
  if (const char* full = std::getenv("ANNALS_FULL");
      full != nullptr && std::string(full) == "1") {
    options.seconds = 600;
    options.statements = 100000;
  }
  if (const char* seconds = std::getenv("ANNALS_SOAK_SECONDS");
      seconds != nullptr && !absl::SimpleAtod(seconds, &options.seconds)) {
    std::cerr << "annals_soak: ANNALS_SOAK_SECONDS is not a number\n";
    return false;
  }
  if (const char* dir = std::getenv("ANNALS_REPORT_DIR"); dir != nullptr) {
    options.report_dir = dir;
  }
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    const size_t equals = arg.find('=');
    const std::string name = arg.substr(0, equals);
    const std::string value =
        equals == std::string::npos ? "" : arg.substr(equals + 1);
    bool ok = equals != std::string::npos;
    if (!ok) {
    } else if (name == "--seconds") {
      ok = absl::SimpleAtod(value, &options.seconds);
    } else if (name == "--rate") {
      ok = absl::SimpleAtod(value, &options.rate);
    } else if (name == "--write_rate") {
      ok = absl::SimpleAtod(value, &options.write_rate);
    } else if (name == "--threads") {
      ok = absl::SimpleAtoi(value, &options.threads);
    } else if (name == "--statements") {
      ok = absl::SimpleAtoi(value, &options.statements);
    } else if (name == "--warmup") {
      ok = absl::SimpleAtod(value, &options.warmup);
    } else if (name == "--max_growth") {
      ok = absl::SimpleAtod(value, &options.max_growth);
    } else if (name == "--report_dir") {
      options.report_dir = value;
    } else {
      ok = false;
    }
    if (!ok) {
      std::cerr << "annals_soak: bad flag " << arg
                << " (see the top of tests/soak/soak_driver.cc)\n";
      return false;
    }
  }
  if (options.seconds <= 0 || options.rate <= 0 || options.threads < 1 ||
      options.write_rate < 0 || options.write_rate > options.rate ||
      options.statements < 0 || options.warmup < 0 || options.warmup >= 1) {
    std::cerr << "annals_soak: a flag is out of range\n";
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// The base dataset.

// Generated entities, by kind; ids are "soak-<kind>-<n>".
struct DataSet {
  int sources = 20;
  int units = 2000;
  int people = 8000;
  int events = 500;

  static std::string Id(absl::string_view kind, int n) {
    return absl::StrCat("soak-", kind, "-", n);
  }
  static std::string Name(absl::string_view kind, int n) {
    return absl::StrCat("entities/", Id(kind, n));
  }
};

int Uniform(Rng& rng, int lo, int hi) {  // [lo, hi]
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

std::string Day(absl::CivilDay d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}
std::string Month(absl::CivilDay d) {
  return absl::StrFormat("%04d-%02d", d.year(), d.month());
}

absl::CivilDay RandomDay(Rng& rng, int first_year = 1990,
                         int last_year = 2023) {
  return absl::CivilDay(Uniform(rng, first_year, last_year),
                        Uniform(rng, 1, 12), Uniform(rng, 1, 28));
}

// A valid time of the kinds the NATO data has: exact tenures, month or year
// precision, open ends, uncertain and approximate dates, single days.
std::string RandomExtent(Rng& rng) {
  const absl::CivilDay start = RandomDay(rng);
  const int kind = Uniform(rng, 0, 99);
  if (kind < 45) return Day(start) + "/" + Day(start + Uniform(rng, 20, 1800));
  if (kind < 65) {
    return Month(start) + "/" + Month(start + Uniform(rng, 62, 1800));
  }
  if (kind < 75) {
    return absl::StrCat(start.year(), "/", start.year() + Uniform(rng, 1, 5));
  }
  if (kind < 83) return Day(start) + "/..";
  if (kind < 90) {
    return Day(start) + "?/" + Day(start + Uniform(rng, 20, 900));
  }
  if (kind < 97) return Day(start);
  return absl::StrCat(start.year(), "~");
}

cv1::ImportRecord EntityRecord(const std::string& name, const std::string& kind,
                               const std::string& label,
                               const std::string& lifespan) {
  cv1::ImportRecord record;
  cv1::Entity* entity = record.mutable_entity();
  entity->set_name(name);
  entity->set_kind(kind);
  entity->set_label(label);
  if (!lifespan.empty()) entity->mutable_lifespan()->set_edtf(lifespan);
  return record;
}

// Statement `n` of the base dataset: a claim about a unit or a person.
cv1::ImportRecord StatementRecord(const DataSet& data, int n, Rng& rng) {
  cv1::ImportRecord record;
  cv1::Statement* s = record.mutable_statement();
  s->set_name(absl::StrCat("statements/soak-st-", n));
  const int unit = Uniform(rng, 0, data.units - 1);
  const int person = Uniform(rng, 0, data.people - 1);
  const int kind = Uniform(rng, 0, 99);
  if (kind < 20) {
    s->set_subject(DataSet::Name("unit", unit));
    s->set_predicate("commander");
    s->mutable_object()->set_entity(DataSet::Name("person", person));
  } else if (kind < 55) {
    s->set_subject(DataSet::Name("person", person));
    s->set_predicate("member_of");
    s->mutable_object()->set_entity(DataSet::Name("unit", unit));
  } else if (kind < 65) {
    s->set_subject(DataSet::Name("unit", unit));
    s->set_predicate("partner_of");
    s->mutable_object()->set_entity(
        DataSet::Name("unit", Uniform(rng, 0, data.units - 1)));
  } else if (kind < 80) {
    s->set_subject(DataSet::Name("unit", unit));
    s->set_predicate("personnel");
    cv1::Quantity* quantity = s->mutable_object()->mutable_quantity();
    quantity->set_amount(absl::StrCat(Uniform(rng, 10, 5000)));
    quantity->set_unit("personnel");
  } else if (kind < 90) {
    s->set_subject(DataSet::Name("unit", unit));
    s->set_predicate("located_in");
    s->mutable_object()->set_text(absl::StrCat("Camp ", Uniform(rng, 1, 300)));
  } else {
    s->set_subject(DataSet::Name("person", person));
    s->set_predicate("rank");
    s->mutable_object()->set_text(Uniform(rng, 0, 1) == 0 ? "Lieutenant General"
                                                          : "Major General");
  }
  s->mutable_valid_time()->set_edtf(RandomExtent(rng));
  const int citations = Uniform(rng, 1, 2);
  for (int i = 0; i < citations; ++i) {
    cv1::SourceCitation* citation = s->add_sources();
    citation->set_source(
        DataSet::Name("source", Uniform(rng, 0, data.sources - 1)));
    citation->set_locator(absl::StrCat("p. ", Uniform(rng, 1, 400)));
  }
  if (Uniform(rng, 0, 9) == 0) (*s->mutable_qualifiers())["role"] = "acting";
  return record;
}

// The generated dataset as import batches: entities first, then statements.
std::vector<cv1::ImportRecordsRequest> GenerateBatches(const DataSet& data,
                                                       int statements) {
  Rng rng(20180701);
  std::vector<cv1::ImportRecord> records;
  for (int i = 0; i < data.sources; ++i) {
    records.push_back(EntityRecord(DataSet::Name("source", i), "source",
                                   absl::StrCat("Soak source ", i), ""));
  }
  for (int i = 0; i < data.units; ++i) {
    const absl::CivilDay start = RandomDay(rng, 1950, 2015);
    records.push_back(EntityRecord(
        DataSet::Name("unit", i), "organization", absl::StrCat("Unit ", i),
        Uniform(rng, 0, 3) == 0
            ? Day(start) + "/.."
            : Day(start) + "/" + Day(start + Uniform(rng, 365, 20000))));
  }
  for (int i = 0; i < data.people; ++i) {
    records.push_back(EntityRecord(
        DataSet::Name("person", i), "person", absl::StrCat("Person ", i),
        absl::StrCat(Uniform(rng, 1940, 1990), "/")));
  }
  for (int i = 0; i < data.events; ++i) {
    records.push_back(EntityRecord(DataSet::Name("event", i), "event",
                                   absl::StrCat("Event ", i),
                                   Day(RandomDay(rng))));
  }
  for (int i = 0; i < statements; ++i) {
    records.push_back(StatementRecord(data, i, rng));
  }
  std::vector<cv1::ImportRecordsRequest> batches;
  for (size_t i = 0; i < records.size(); ++i) {
    if (i % kImportBatchRecords == 0) batches.emplace_back();
    *batches.back().add_records() = std::move(records[i]);
  }
  return batches;
}

// data/nmi, one batch per file, in name order.
bool LoadNmiBatches(std::vector<cv1::ImportRecordsRequest>& batches) {
  std::vector<std::string> paths;
  for (const auto& entry :
       std::filesystem::directory_iterator(ANNALS_DATA_DIR)) {
    if (entry.path().extension() == ".textproto") {
      paths.push_back(entry.path().string());
    }
  }
  std::sort(paths.begin(), paths.end());
  for (const std::string& path : paths) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    cv1::ImportRecordsRequest batch;
    if (!google::protobuf::TextFormat::ParseFromString(text.str(), &batch)) {
      std::cerr << "annals_soak: cannot parse " << path << "\n";
      return false;
    }
    batches.push_back(std::move(batch));
  }
  return !batches.empty();
}

void SetDeadline(grpc::ClientContext& context, absl::Duration timeout) {
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
}

// Streams `batches` in one ImportRecords call; returns its last sequence.
absl::StatusOr<int64_t> Import(
    cv1::CatalogService::Stub& catalog,
    const std::vector<cv1::ImportRecordsRequest>& batches) {
  grpc::ClientContext context;
  SetDeadline(context, absl::Minutes(10));
  cv1::ImportRecordsResponse summary;
  auto writer = catalog.ImportRecords(&context, &summary);
  for (const cv1::ImportRecordsRequest& batch : batches) {
    if (!writer->Write(batch)) break;
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("import failed: ", status.error_message()));
  }
  if (summary.batches() != static_cast<int64_t>(batches.size())) {
    return absl::InternalError(absl::StrCat("import committed ",
                                            summary.batches(), " of ",
                                            batches.size(), " batches"));
  }
  return summary.last_sequence();
}

// The catalog's head sequence, from the first WatchChanges message.
int64_t CatalogHead(cv1::CatalogService::Stub& catalog) {
  grpc::ClientContext context;
  SetDeadline(context, kCallTimeout);
  cv1::WatchChangesRequest request;
  request.set_after_sequence(int64_t{1} << 40);
  auto reader = catalog.WatchChanges(&context, request);
  cv1::WatchChangesResponse header;
  const int64_t head = reader->Read(&header) ? header.head_sequence() : -1;
  context.TryCancel();
  reader->Finish();
  return head;
}

// Waits (within `timeout`) until the timeline has applied `sequence`.
bool AwaitTimeline(tv1::TimelineService::Stub& timeline, int64_t sequence,
                   absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    grpc::ClientContext context;
    SetDeadline(context, absl::Seconds(10));
    tv1::CountActiveRequest request;
    request.set_bucket(tv1::BUCKET_YEAR);
    request.set_from("2018-01-01");
    request.set_to("2019-01-01");
    request.set_min_sequence(sequence);
    tv1::CountActiveResponse response;
    if (timeline.CountActive(&context, request, &response).ok()) return true;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return false;
}

// ---------------------------------------------------------------------------
// The load.

enum Op {
  kGetSnapshot,
  kQueryWindow,
  kListHistory,
  kCountActive,
  kGetEntity,
  kListEntities,
  kListStatements,
  kCreateStatement,
  kUpdateEntity,
  kRetractStatement,
  kOpCount
};

constexpr const char* kOpNames[kOpCount] = {
    "GetSnapshot",  "QueryWindow",     "ListHistory",    "CountActive",
    "GetEntity",    "ListEntities",    "ListStatements", "CreateStatement",
    "UpdateEntity", "RetractStatement"};

// Relative weights of the reads.
constexpr int kReadWeights[kCreateStatement] = {25, 15, 15, 10, 15, 5, 15};

constexpr const char* kPredicates[] = {"commander", "member_of",  "partner_of",
                                       "personnel", "located_in", "rank"};

// Shared progress, read by the memory sampler.
struct Progress {
  std::atomic<int64_t> requests{0};
  std::atomic<int64_t> writes{0};
};

// One client thread: its own channels, schedule, and figures.
class Client {
 public:
  Client(int index, const Options& options, const DataSet& data,
         const std::string& catalog_address,
         const std::string& timeline_address, Progress* progress)
      : index_(index),
        options_(options),
        data_(data),
        rng_(1000 + index),
        progress_(progress),
        catalog_(testing::CatalogStub(catalog_address)),
        timeline_(testing::TimelineStub(timeline_address)) {}

  // Issues requests at this thread's share of the rate, from `start` until
  // `end`, at most `max_requests`.
  void Run(absl::Time start, absl::Time end) {
    const absl::Duration interval =
        absl::Seconds(options_.threads / options_.rate);
    // Stagger the threads over one interval.
    const absl::Time first = start + interval * index_ / options_.threads;
    const int64_t max_requests =
        static_cast<int64_t>(
            std::ceil(options_.seconds * options_.rate / options_.threads)) +
        1;
    const double write_share = options_.write_rate / options_.rate;
    std::uniform_real_distribution<double> unit(0, 1);
    for (int64_t i = 0; i < max_requests; ++i) {
      const absl::Time planned = first + interval * i;
      if (planned >= end) break;
      const absl::Time now = absl::Now();
      if (planned > now) {
        absl::SleepFor(planned - now);
      } else if (now - planned > interval) {
        ++late_;  // the schedule slipped by more than one request
      }
      if (unit(rng_) < write_share) {
        Write();
      } else {
        Read();
      }
      progress_->requests.fetch_add(1);
    }
  }

  int64_t count(int op) const { return latencies_[op].size(); }
  int64_t errors(int op) const { return errors_[op]; }
  const std::vector<double>& latencies(int op) const { return latencies_[op]; }
  int64_t late() const { return late_; }
  const std::vector<std::string>& error_samples() const {
    return error_samples_;
  }

 private:
  template <typename Call>
  bool Timed(int op, Call&& call) {
    grpc::ClientContext context;
    SetDeadline(context, kCallTimeout);
    const absl::Time begin = absl::Now();
    const grpc::Status status = call(context);
    latencies_[op].push_back(absl::ToDoubleMilliseconds(absl::Now() - begin));
    if (!status.ok()) {
      ++errors_[op];
      if (error_samples_.size() < 10) {
        error_samples_.push_back(absl::StrCat(kOpNames[op], ": ",
                                              status.error_code(), " ",
                                              status.error_message()));
      }
    }
    return status.ok();
  }

  int Pick(int n) { return Uniform(rng_, 0, n - 1); }
  std::string RandomEntity() {
    switch (Pick(3)) {
      case 0:
        return DataSet::Id("unit", Pick(data_.units));
      case 1:
        return DataSet::Id("person", Pick(data_.people));
      default:
        return DataSet::Id("event", Pick(data_.events));
    }
  }
  const char* RandomPredicate() {
    return kPredicates[Pick(std::size(kPredicates))];
  }

  void Read() {
    int pick = Pick(100);
    int op = 0;
    while (pick >= kReadWeights[op]) pick -= kReadWeights[op++];
    switch (op) {
      case kGetSnapshot: {
        tv1::GetSnapshotRequest request;
        request.set_entity(RandomEntity());
        request.set_at(Day(RandomDay(rng_)));
        request.set_min_sequence(last_write_);
        tv1::GetSnapshotResponse response;
        Timed(op, [&](grpc::ClientContext& c) {
          return timeline_->GetSnapshot(&c, request, &response);
        });
        break;
      }
      case kQueryWindow: {
        const absl::CivilDay from = RandomDay(rng_);
        tv1::QueryWindowRequest request;
        request.set_from(Day(from));
        request.set_to(Day(from + Uniform(rng_, 7, 120)));
        if (Pick(2) == 0) request.set_predicate(RandomPredicate());
        request.set_page_size(50);
        request.set_min_sequence(last_write_);
        tv1::QueryWindowResponse response;
        Timed(op, [&](grpc::ClientContext& c) {
          return timeline_->QueryWindow(&c, request, &response);
        });
        break;
      }
      case kListHistory: {
        tv1::ListHistoryRequest request;
        request.set_entity(DataSet::Id("unit", Pick(data_.units)));
        if (Pick(2) == 0) request.set_predicate("commander");
        request.set_page_size(50);
        request.set_min_sequence(last_write_);
        tv1::ListHistoryResponse response;
        Timed(op, [&](grpc::ClientContext& c) {
          return timeline_->ListHistory(&c, request, &response);
        });
        break;
      }
      case kCountActive: {
        tv1::CountActiveRequest request;
        const int year = Uniform(rng_, 1990, 2014);
        if (Pick(2) == 0) {
          request.set_bucket(tv1::BUCKET_YEAR);
          request.set_from(absl::StrCat(year, "-01-01"));
          request.set_to(absl::StrCat(year + 10, "-01-01"));
        } else {
          request.set_bucket(tv1::BUCKET_MONTH);
          request.set_from(absl::StrCat(year, "-01-01"));
          request.set_to(absl::StrCat(year + 2, "-01-01"));
        }
        if (Pick(2) == 0) request.set_predicate(RandomPredicate());
        request.set_min_sequence(last_write_);
        tv1::CountActiveResponse response;
        Timed(op, [&](grpc::ClientContext& c) {
          return timeline_->CountActive(&c, request, &response);
        });
        break;
      }
      case kGetEntity: {
        cv1::GetEntityRequest request;
        if (Pick(10) == 0) {  // by label
          request.set_name(absl::StrCat("Unit ", Pick(data_.units)));
        } else {
          request.set_name(RandomEntity());
        }
        cv1::Entity response;
        Timed(op, [&](grpc::ClientContext& c) {
          return catalog_->GetEntity(&c, request, &response);
        });
        break;
      }
      case kListEntities: {
        static constexpr const char* kKinds[] = {"organization", "person",
                                                 "event"};
        static constexpr const char* kPrefixes[] = {
            "soak-unit-", "soak-person-", "soak-event-"};
        const int kind = Pick(3);
        cv1::ListEntitiesRequest request;
        request.set_kind(kKinds[kind]);
        request.set_id_prefix(absl::StrCat(kPrefixes[kind], 1 + Pick(9)));
        request.set_page_size(50);
        cv1::ListEntitiesResponse response;
        Timed(op, [&](grpc::ClientContext& c) {
          return catalog_->ListEntities(&c, request, &response);
        });
        break;
      }
      case kListStatements: {
        cv1::ListStatementsRequest request;
        request.set_subject(DataSet::Id("unit", Pick(data_.units)));
        request.set_page_size(50);
        cv1::ListStatementsResponse response;
        Timed(op, [&](grpc::ClientContext& c) {
          return catalog_->ListStatements(&c, request, &response);
        });
        break;
      }
    }
  }

  // A person this thread owns: threads update disjoint entities, so etag
  // conflicts between them cannot happen and any ABORTED is a bug.
  int OwnedPerson() {
    const int owned =
        (data_.people - index_ + options_.threads - 1) / options_.threads;
    return index_ + options_.threads * Pick(owned);
  }

  std::string RequestId() {
    return absl::StrCat("soak-", getpid(), "-", index_, "-", ++writes_);
  }

  void Write() {
    const int pick = Pick(10);
    if (pick < 3) {
      UpdateEntity();
    } else if (pick < 4 && !created_.empty()) {
      Retract();
    } else {
      CreateStatement();
    }
    progress_->writes.fetch_add(1);
  }

  void CreateStatement() {
    cv1::CreateStatementRequest request;
    request.set_statement_id(
        absl::StrCat("soak-w-", getpid(), "-", index_, "-", writes_ + 1));
    request.set_request_id(RequestId());
    cv1::Statement* s = request.mutable_statement();
    s->set_subject(DataSet::Name("person", OwnedPerson()));
    s->set_predicate("member_of");
    s->mutable_object()->set_entity(DataSet::Name("unit", Pick(data_.units)));
    s->mutable_valid_time()->set_edtf(RandomExtent(rng_));
    s->add_sources()->set_source(DataSet::Name("source", Pick(data_.sources)));
    cv1::Statement response;
    if (Timed(kCreateStatement, [&](grpc::ClientContext& c) {
          return catalog_->CreateStatement(&c, request, &response);
        })) {
      last_write_ = response.sequence();
      created_.emplace_back(response.name(), response.etag());
    }
  }

  void UpdateEntity() {
    cv1::GetEntityRequest get;
    get.set_name(DataSet::Id("person", OwnedPerson()));
    cv1::Entity current;
    if (!Timed(kGetEntity, [&](grpc::ClientContext& c) {
          return catalog_->GetEntity(&c, get, &current);
        })) {
      return;
    }
    cv1::UpdateEntityRequest request;
    request.mutable_entity()->set_name(current.name());
    request.mutable_entity()->set_etag(current.etag());
    request.mutable_entity()->set_description(
        absl::StrCat("Revision ", writes_ + 1, " by soak client ", index_));
    request.mutable_update_mask()->add_paths("description");
    request.set_request_id(RequestId());
    cv1::Entity response;
    if (Timed(kUpdateEntity, [&](grpc::ClientContext& c) {
          return catalog_->UpdateEntity(&c, request, &response);
        })) {
      last_write_ = response.sequence();
    }
  }

  void Retract() {
    auto [name, etag] = created_.back();
    created_.pop_back();
    cv1::RetractStatementRequest request;
    request.set_name(name);
    request.set_etag(etag);
    request.set_reason("soak: superseded");
    request.set_request_id(RequestId());
    cv1::Statement response;
    if (Timed(kRetractStatement, [&](grpc::ClientContext& c) {
          return catalog_->RetractStatement(&c, request, &response);
        })) {
      last_write_ = response.sequence();
    }
  }

  const int index_;
  const Options& options_;
  const DataSet& data_;
  Rng rng_;
  Progress* const progress_;
  std::unique_ptr<cv1::CatalogService::Stub> catalog_;
  std::unique_ptr<tv1::TimelineService::Stub> timeline_;
  int64_t last_write_ = 0;  // sequence of this thread's last write
  int64_t writes_ = 0;
  std::vector<std::pair<std::string, std::string>> created_;  // name, etag
  std::vector<double> latencies_[kOpCount];
  int64_t errors_[kOpCount] = {};
  int64_t late_ = 0;
  std::vector<std::string> error_samples_;
};

// ---------------------------------------------------------------------------
// Memory.

// The number after `key` (such as "VmRSS:", in KiB) in /proc/<pid>/status,
// or -1.
int64_t ProcStatus(pid_t pid, absl::string_view key) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (absl::StartsWith(line, key)) {
      std::istringstream fields(line.substr(key.size()));
      int64_t value = -1;
      fields >> value;
      return value;
    }
  }
  return -1;
}

struct Sample {
  double seconds;  // since the load started
  int64_t catalog_kib;
  int64_t timeline_kib;
  // Threads, which gRPC adds under load: each brings a stack and possibly
  // a malloc arena, so RSS steps up with them.
  int64_t catalog_threads;
  int64_t timeline_threads;
  int64_t requests;
  int64_t writes;
};

struct Growth {
  int64_t baseline_kib = 0;
  int64_t final_kib = 0;
  int64_t peak_kib = 0;
  double growth = 0;           // (final - baseline) / baseline
  double bytes_per_write = 0;  // (final - baseline) / writes after warm-up
};

Growth MeasureGrowth(const std::vector<Sample>& samples, double warmup_seconds,
                     int64_t Sample::*kib) {
  Growth growth;
  const Sample* baseline = nullptr;
  for (const Sample& sample : samples) {
    if (sample.seconds >= warmup_seconds) {
      if (baseline == nullptr) baseline = &sample;
      growth.peak_kib = std::max(growth.peak_kib, sample.*kib);
    }
  }
  if (baseline == nullptr) return growth;
  const Sample& last = samples.back();
  growth.baseline_kib = baseline->*kib;
  growth.final_kib = last.*kib;
  growth.growth = static_cast<double>(growth.final_kib - growth.baseline_kib) /
                  static_cast<double>(growth.baseline_kib);
  const int64_t writes = last.writes - baseline->writes;
  if (writes > 0) {
    growth.bytes_per_write =
        (growth.final_kib - growth.baseline_kib) * 1024.0 / writes;
  }
  return growth;
}

std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppendFormat(&out, "\\u%04x", c);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t rank =
      static_cast<size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)];
}

// ---------------------------------------------------------------------------
// The run.

// The services' process ids, for the watchdog.
volatile sig_atomic_t catalog_pid = 0;
volatile sig_atomic_t timeline_pid = 0;

// However the services behave, the driver ends, and takes them with it.
void OnWatchdog(int) {
  if (timeline_pid > 0) kill(timeline_pid, SIGKILL);
  if (catalog_pid > 0) kill(catalog_pid, SIGKILL);
  static const char kMessage[] = "annals_soak: FAILED: watchdog expired\n";
  (void)!write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
  _exit(1);
}

int Main(int argc, char** argv) {
  Options options;
  if (!ParseOptions(argc, argv, options)) return 2;
  signal(SIGALRM, OnWatchdog);
  alarm(static_cast<unsigned>(options.seconds) + 600);

  testing::TempDir dir;
  testing::ServiceProcess catalog = testing::StartCatalog(dir.Sub("catalog"));
  if (!catalog.ok()) {
    std::cerr << "annals_soak: the catalog did not start\n";
    return 1;
  }
  catalog_pid = catalog.process->pid();
  testing::ServiceProcess timeline = testing::StartTimeline(catalog.address());
  if (!timeline.ok()) {
    std::cerr << "annals_soak: the timeline did not start\n";
    return 1;
  }
  timeline_pid = timeline.process->pid();
  auto catalog_stub = testing::CatalogStub(catalog.address());
  auto timeline_stub = testing::TimelineStub(timeline.address());

  // The base dataset.
  const DataSet data;
  const absl::Time preload_start = absl::Now();
  std::vector<cv1::ImportRecordsRequest> nmi;
  if (!LoadNmiBatches(nmi)) return 1;
  absl::StatusOr<int64_t> imported = Import(*catalog_stub, nmi);
  if (imported.ok()) {
    imported = Import(*catalog_stub, GenerateBatches(data, options.statements));
  }
  if (!imported.ok()) {
    std::cerr << "annals_soak: " << imported.status() << "\n";
    return 1;
  }
  const double preload_seconds =
      absl::ToDoubleSeconds(absl::Now() - preload_start);
  const absl::Time catch_up_start = absl::Now();
  if (!AwaitTimeline(*timeline_stub, *imported, absl::Minutes(5))) {
    std::cerr << "annals_soak: the timeline did not reach sequence "
              << *imported << "\n";
    return 1;
  }
  const double catch_up_seconds =
      absl::ToDoubleSeconds(absl::Now() - catch_up_start);
  const int64_t base_sequence = *imported;
  std::cout << absl::StrFormat(
      "annals_soak: imported %d sequences (data/nmi + %d generated "
      "statements) in %.1f s; timeline caught up %.1f s later\n",
      base_sequence, options.statements, preload_seconds, catch_up_seconds);
  std::cout << absl::StrFormat(
      "annals_soak: %.0f s at %.0f requests/s (%.1f writes/s) from %d "
      "threads\n",
      options.seconds, options.rate, options.write_rate, options.threads);
  std::cout.flush();

  // The load, with the memory sampler alongside.
  Progress progress;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < options.threads; ++i) {
    clients.push_back(std::make_unique<Client>(
        i, options, data, catalog.address(), timeline.address(), &progress));
  }
  const absl::Time start = absl::Now() + absl::Milliseconds(100);
  const absl::Time end = start + absl::Seconds(options.seconds);
  std::vector<Sample> samples;
  absl::Mutex samples_mu;
  std::atomic<bool> done{false};
  auto sample = [&](absl::Time at) {
    const pid_t catalog_id = catalog.process->pid();
    const pid_t timeline_id = timeline.process->pid();
    Sample s{absl::ToDoubleSeconds(at - start),
             ProcStatus(catalog_id, "VmRSS:"),
             ProcStatus(timeline_id, "VmRSS:"),
             ProcStatus(catalog_id, "Threads:"),
             ProcStatus(timeline_id, "Threads:"),
             progress.requests.load(),
             progress.writes.load()};
    absl::MutexLock lock(&samples_mu);
    samples.push_back(s);
  };
  std::thread sampler([&] {
    for (int64_t i = 0;; ++i) {
      const absl::Time at = start + absl::Seconds(i);
      absl::SleepFor(at - absl::Now());
      if (done.load() || at > end) break;
      sample(at);
    }
  });
  std::vector<std::thread> threads;
  for (auto& client : clients) {
    threads.emplace_back([&client, start, end] { client->Run(start, end); });
  }
  for (std::thread& thread : threads) thread.join();
  const absl::Time finished = absl::Now();
  sample(finished);
  done.store(true);
  sampler.join();

  // The timeline must have applied everything written.
  std::vector<std::string> failures;
  const int64_t head = CatalogHead(*catalog_stub);
  if (head < 0 || !AwaitTimeline(*timeline_stub, head, absl::Seconds(30))) {
    failures.push_back(absl::StrCat(
        "the timeline did not apply the catalog head ", head, " in 30 s"));
  }

  // Figures.
  struct Figures {
    int64_t count = 0;
    int64_t errors = 0;
    double p50 = 0, p99 = 0, max = 0;
  };
  Figures figures[kOpCount];
  int64_t total = 0, errors = 0, late = 0;
  std::vector<std::string> error_samples;
  for (int op = 0; op < kOpCount; ++op) {
    std::vector<double> all;
    for (const auto& client : clients) {
      all.insert(all.end(), client->latencies(op).begin(),
                 client->latencies(op).end());
      figures[op].errors += client->errors(op);
    }
    figures[op].count = all.size();
    figures[op].p50 = Percentile(all, 0.50);
    figures[op].p99 = Percentile(all, 0.99);
    figures[op].max =
        all.empty() ? 0 : *std::max_element(all.begin(), all.end());
    total += figures[op].count;
    errors += figures[op].errors;
    if (figures[op].count == 0) {
      failures.push_back(absl::StrCat("no ", kOpNames[op], " call was made"));
    }
  }
  for (const auto& client : clients) {
    late += client->late();
    error_samples.insert(error_samples.end(), client->error_samples().begin(),
                         client->error_samples().end());
  }
  if (errors > 0) {
    failures.push_back(absl::StrCat(errors, " calls failed, e.g. ",
                                    absl::StrJoin(error_samples, "; ")));
  }
  const double load_seconds = absl::ToDoubleSeconds(finished - start);
  const double warmup_seconds = options.warmup * options.seconds;
  const Growth catalog_growth =
      MeasureGrowth(samples, warmup_seconds, &Sample::catalog_kib);
  const Growth timeline_growth =
      MeasureGrowth(samples, warmup_seconds, &Sample::timeline_kib);
  for (const auto& [name, growth] :
       {std::pair<const char*, Growth>("catalog", catalog_growth),
        std::pair<const char*, Growth>("timeline", timeline_growth)}) {
    if (growth.baseline_kib <= 0) {
      failures.push_back(
          absl::StrCat("no memory sample of the ", name, " after the warm-up"));
    } else if (growth.growth >= options.max_growth) {
      failures.push_back(absl::StrFormat(
          "the %s's resident memory grew by %.1f%% after the warm-up (limit "
          "%.0f%%)",
          name, 100 * growth.growth, 100 * options.max_growth));
    }
  }

  // Both services stop cleanly after the load. Idle client connections
  // would hold up the graceful shutdown, so they go first.
  clients.clear();
  catalog_stub.reset();
  timeline_stub.reset();
  for (testing::ServiceProcess* service : {&timeline, &catalog}) {
    if (!testing::ExitedZero(service->process->Kill(SIGTERM))) {
      failures.push_back(absl::StrCat("a service (port ", service->port,
                                      ") did not exit 0 on SIGTERM"));
    }
  }

  // The summary.
  std::cout << absl::StrFormat(
      "annals_soak: %d requests in %.1f s (%.1f/s), %d errors, %d late "
      "(schedule slipped by over one interval)\n",
      total, load_seconds, total / load_seconds, errors, late);
  std::cout << absl::StrFormat("  %-17s %8s %7s %9s %9s %9s\n", "rpc", "count",
                               "errors", "p50 ms", "p99 ms", "max ms");
  for (int op = 0; op < kOpCount; ++op) {
    std::cout << absl::StrFormat(
        "  %-17s %8d %7d %9.2f %9.2f %9.2f\n", kOpNames[op], figures[op].count,
        figures[op].errors, figures[op].p50, figures[op].p99, figures[op].max);
  }
  const int64_t writes = progress.writes.load();
  for (const auto& [name, growth] :
       {std::pair<const char*, Growth>("catalog", catalog_growth),
        std::pair<const char*, Growth>("timeline", timeline_growth)}) {
    std::cout << absl::StrFormat(
        "  %-8s VmRSS after %.0f s warm-up %.1f MiB, at the end %.1f MiB "
        "(%+.2f%%), peak %.1f MiB; %+.0f bytes per write after the warm-up\n",
        name, warmup_seconds, growth.baseline_kib / 1024.0,
        growth.final_kib / 1024.0, 100 * growth.growth,
        growth.peak_kib / 1024.0, growth.bytes_per_write);
  }
  std::cout << "  memory curve (s: catalog MiB/threads, timeline "
               "MiB/threads):";
  for (size_t i = 0; i < samples.size();
       i += std::max<size_t>(1, samples.size() / 12)) {
    std::cout << absl::StrFormat(
        " %.0f: %.1f/%d, %.1f/%d;", samples[i].seconds,
        samples[i].catalog_kib / 1024.0, samples[i].catalog_threads,
        samples[i].timeline_kib / 1024.0, samples[i].timeline_threads);
  }
  std::cout << "\n";

  if (!options.report_dir.empty()) {
    std::filesystem::create_directories(options.report_dir);
    const std::string path = options.report_dir + "/soak.json";
    std::ofstream json(path);
    json << "{\n";
    json << absl::StrFormat(
        "  \"seconds\": %.1f, \"rate\": %.1f, \"write_rate\": %.1f, "
        "\"threads\": %d, \"base_statements\": %d, \"base_sequence\": %d,\n",
        options.seconds, options.rate, options.write_rate, options.threads,
        options.statements, base_sequence);
    json << absl::StrFormat(
        "  \"preload_seconds\": %.2f, \"catch_up_seconds\": %.2f, "
        "\"load_seconds\": %.2f,\n",
        preload_seconds, catch_up_seconds, load_seconds);
    json << absl::StrFormat(
        "  \"requests\": %d, \"writes\": %d, \"errors\": %d, \"late\": %d,\n",
        total, writes, errors, late);
    json << "  \"rpcs\": {\n";
    for (int op = 0; op < kOpCount; ++op) {
      json << absl::StrFormat(
          "    \"%s\": {\"count\": %d, \"errors\": %d, \"p50_ms\": %.3f, "
          "\"p99_ms\": %.3f, \"max_ms\": %.3f}%s\n",
          kOpNames[op], figures[op].count, figures[op].errors, figures[op].p50,
          figures[op].p99, figures[op].max, op + 1 < kOpCount ? "," : "");
    }
    json << "  },\n  \"memory\": {\n";
    json << absl::StrFormat("    \"warmup_seconds\": %.1f,\n", warmup_seconds);
    for (const auto& [name, growth, comma] :
         {std::tuple<const char*, Growth, const char*>("catalog",
                                                       catalog_growth, ","),
          std::tuple<const char*, Growth, const char*>("timeline",
                                                       timeline_growth, "")}) {
      json << absl::StrFormat(
          "    \"%s\": {\"baseline_kib\": %d, \"final_kib\": %d, "
          "\"peak_kib\": %d, \"growth\": %.4f, \"bytes_per_write\": %.1f}%s\n",
          name, growth.baseline_kib, growth.final_kib, growth.peak_kib,
          growth.growth, growth.bytes_per_write, comma);
    }
    json << "  },\n  \"samples\": [\n";
    for (size_t i = 0; i < samples.size(); ++i) {
      json << absl::StrFormat(
          "    {\"t\": %.1f, \"catalog_kib\": %d, \"timeline_kib\": %d, "
          "\"catalog_threads\": %d, \"timeline_threads\": %d, "
          "\"requests\": %d, \"writes\": %d}%s\n",
          samples[i].seconds, samples[i].catalog_kib, samples[i].timeline_kib,
          samples[i].catalog_threads, samples[i].timeline_threads,
          samples[i].requests, samples[i].writes,
          i + 1 < samples.size() ? "," : "");
    }
    json << "  ],\n  \"failures\": [";
    for (size_t i = 0; i < failures.size(); ++i) {
      json << (i > 0 ? ", " : "") << JsonString(failures[i]);
    }
    json << "]\n}\n";
    std::cout << "annals_soak: wrote " << path << "\n";
  }

  for (const std::string& failure : failures) {
    std::cout << "annals_soak: FAILED: " << failure << "\n";
  }
  if (failures.empty()) std::cout << "annals_soak: PASSED\n";
  return failures.empty() ? 0 : 1;
}

}  // namespace
}  // namespace annals::soak

int main(int argc, char** argv) { return annals::soak::Main(argc, argv); }
