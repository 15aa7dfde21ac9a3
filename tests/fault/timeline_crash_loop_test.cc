// The real annals-timeline SIGKILLed again and again while the catalog takes
// writes, then compared with a fresh timeline on 10,000 random queries.
//
// The catalog holds data/nmi plus random writes (entities with random EDTF
// lifespans, statements, etag updates, retractions, deletions) that keep
// flowing while the timeline is killed at random moments (seeded) and
// restarted on its folder (--data_dir), which it reloads; each restart must
// serve (SERVING) and read the latest write through min_sequence. The last
// restart therefore built its state partly from the backlog and partly from
// live changes. Once the writes stop, a fresh timeline is started on the same
// catalog; with both at the same sequence, random GetSnapshot, ListHistory
// (paged), QueryWindow (paged), Relate, FindGaps and CountActive requests, over
// random entities, statements, predicates, days and windows, with and without
// known_at (including exact commit times), must get identical answers (status
// and message, or the whole response) from both.
//
// Cycles: 5; 100 with ANNALS_FULL=1; ANNALS_TIMELINE_CRASH_CYCLES=N overrides
// both. ANNALS_COMPARE_QUERIES=N changes the 10,000. The figures go to stdout
// and to $ANNALS_REPORT_DIR/crash_loop_timeline.json.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "services/common/temporal/day.h"
#include "tests/fault/fault_testing.h"
#include "tests/ops/lifecycle/service_process.h"
#include "tests/testing/annals_world.h"
#include "tests/testing/temp_dir.h"
#include "tests/timeline/random_extents.h"

namespace annals::testing {
namespace {

namespace cv1 = ::annals::catalog::v1;
namespace tv1 = ::annals::timeline::v1;
using ::google::protobuf::util::MessageDifferencer;
using ::google::protobuf::util::TimeUtil;

constexpr int kWriters = 2;

absl::Duration Patience() { return absl::Seconds(30); }

// Random writes from several threads until stopped; every one must succeed
// (nothing here competes for the same resource). Entities and statements
// refer to the data set's entities and to the writer's own.
class RandomWriters {
 public:
  RandomWriters(const std::string& address, uint64_t seed,
                std::vector<std::string> entities,
                std::vector<std::string> sources)
      : entities_(std::move(entities)), sources_(std::move(sources)) {
    for (int w = 0; w < kWriters; ++w) {
      threads_.emplace_back([this, address, seed, w] {
        Run(address, seed + 104729 * (w + 1), w);
      });
    }
  }
  ~RandomWriters() { Stop(); }

  void Stop() {
    stop_ = true;
    for (std::thread& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }

  int64_t last_sequence() const { return last_sequence_.load(); }
  int64_t writes() const { return writes_.load(); }
  std::vector<std::string> failures() {
    absl::MutexLock lock(&mu_);
    return failures_;
  }

 private:
  struct Resource {
    std::string name;
    std::string etag;
  };

  void Run(const std::string& address, uint64_t seed, int w) {
    std::mt19937_64 random(seed);
    RandomExtents extents(static_cast<uint32_t>(seed));
    auto stub = FreshCatalogStub(address);
    std::vector<Resource> own_entities;
    std::vector<Resource> own_statements;
    auto pick = [&random](size_t n) {
      return std::uniform_int_distribution<size_t>(0, n - 1)(random);
    };
    static const char* const kKinds[] = {"mission", "person", "organization",
                                         "place",   "event",  "program"};
    static const char* const kPredicates[] = {
        "focus_area", "advises",   "member_of", "participant", "part_of",
        "based_in",   "personnel", "status",    "partner"};
    for (int op = 0; !stop_.load(); ++op) {
      const std::string request_id = absl::StrCat("tw", w, "-", op);
      const int choice = static_cast<int>(pick(100));
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + Patience()));
      grpc::Status status;
      int64_t sequence = 0;
      if (choice < 25 || own_entities.empty()) {
        cv1::CreateEntityRequest request;
        request.set_entity_id(absl::StrCat("tw", w, "-", op));
        request.set_request_id(request_id);
        cv1::Entity* entity = request.mutable_entity();
        entity->set_kind(kKinds[pick(6)]);
        entity->set_label(absl::StrCat("Random ", w, "-", op));
        if (pick(5) != 0)
          entity->mutable_lifespan()->set_edtf(extents.NextEdtf());
        cv1::Entity response;
        status = stub->CreateEntity(&context, request, &response);
        if (status.ok()) {
          own_entities.push_back({response.name(), response.etag()});
          sequence = response.sequence();
        }
      } else if (choice < 65) {
        cv1::CreateStatementRequest request;
        request.set_request_id(request_id);
        cv1::Statement* statement = request.mutable_statement();
        statement->set_subject(
            pick(2) == 0 ? entities_[pick(entities_.size())]
                         : own_entities[pick(own_entities.size())].name);
        statement->set_predicate(kPredicates[pick(9)]);
        switch (pick(4)) {
          case 0:
            statement->mutable_object()->set_text(absl::StrCat("text ", op));
            break;
          case 1:
            statement->mutable_object()->set_integer(
                static_cast<int64_t>(pick(1000)));
            break;
          default:
            statement->mutable_object()->set_entity(
                pick(2) == 0 ? entities_[pick(entities_.size())]
                             : own_entities[pick(own_entities.size())].name);
        }
        statement->mutable_valid_time()->set_edtf(extents.NextEdtf());
        if (pick(2) == 0) {
          cv1::SourceCitation* citation = statement->add_sources();
          citation->set_source(sources_[pick(sources_.size())]);
          citation->set_locator(absl::StrCat("p. ", pick(300)));
        }
        cv1::Statement response;
        status = stub->CreateStatement(&context, request, &response);
        if (status.ok()) {
          own_statements.push_back({response.name(), response.etag()});
          sequence = response.sequence();
        }
      } else if (choice < 85) {
        Resource& target = own_entities[pick(own_entities.size())];
        cv1::UpdateEntityRequest request;
        request.set_request_id(request_id);
        request.mutable_entity()->set_name(target.name);
        request.mutable_entity()->set_etag(target.etag);
        request.mutable_entity()->set_label(
            absl::StrCat("Updated ", w, "-", op));
        request.mutable_entity()->mutable_lifespan()->set_edtf(
            extents.NextEdtf());
        request.mutable_update_mask()->add_paths("label");
        request.mutable_update_mask()->add_paths("lifespan");
        cv1::Entity response;
        status = stub->UpdateEntity(&context, request, &response);
        if (status.ok()) {
          target.etag = response.etag();
          sequence = response.sequence();
        }
      } else if (choice < 96 && !own_statements.empty()) {
        const size_t i = pick(own_statements.size());
        cv1::RetractStatementRequest request;
        request.set_request_id(request_id);
        request.set_name(own_statements[i].name);
        request.set_etag(own_statements[i].etag);
        request.set_reason(absl::StrCat("retracted by ", w));
        cv1::Statement response;
        status = stub->RetractStatement(&context, request, &response);
        if (status.ok()) {
          own_statements.erase(own_statements.begin() + i);
          sequence = response.sequence();
        }
      } else {
        const size_t i = pick(own_entities.size());
        cv1::DeleteEntityRequest request;
        request.set_request_id(request_id);
        request.set_name(own_entities[i].name);
        request.set_etag(own_entities[i].etag);
        cv1::Entity response;
        status = stub->DeleteEntity(&context, request, &response);
        if (status.ok()) {
          own_entities.erase(own_entities.begin() + i);
          sequence = response.sequence();
        }
      }
      if (!status.ok()) {
        absl::MutexLock lock(&mu_);
        failures_.push_back(absl::StrCat(request_id, ": ", status.error_code(),
                                         " ", status.error_message()));
        return;
      }
      ++writes_;
      int64_t last = last_sequence_.load();
      while (sequence > last &&
             !last_sequence_.compare_exchange_weak(last, sequence)) {
      }
    }
  }

  const std::vector<std::string> entities_;
  const std::vector<std::string> sources_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> last_sequence_{0};
  std::atomic<int64_t> writes_{0};
  absl::Mutex mu_;
  std::vector<std::string> failures_ ABSL_GUARDED_BY(mu_);
};

// What the queries draw from: the catalog's whole history.
struct QueryPools {
  std::vector<std::string> entities;    // every id, deleted ones too
  std::vector<std::string> statements;  // every name, retracted ones too
  std::vector<std::string> predicates;
  std::vector<std::string> kinds;
  std::vector<absl::Time> commit_times;
};

QueryPools PoolsFromFeed(const FeedRead& feed) {
  std::set<std::string> entities, statements, predicates, kinds;
  QueryPools pools;
  for (const cv1::Change& change : feed.changes) {
    if (change.has_entity()) {
      // Bare ids and full names both name an entity.
      const std::string& name = change.entity().name();
      entities.insert(change.sequence() % 2 == 0
                          ? name
                          : name.substr(std::string("entities/").size()));
      kinds.insert(change.entity().kind());
    } else {
      statements.insert(change.statement().name());
      predicates.insert(change.statement().predicate());
    }
    pools.commit_times.push_back(absl::FromUnixNanos(
        TimeUtil::TimestampToNanoseconds(change.commit_time())));
  }
  entities.insert("entities/no-such-entity");
  statements.insert("statements/no-such-statement");
  predicates.insert("no_such_predicate");
  kinds.insert("no-such-kind");
  pools.entities.assign(entities.begin(), entities.end());
  pools.statements.assign(statements.begin(), statements.end());
  pools.predicates.assign(predicates.begin(), predicates.end());
  pools.kinds.assign(kinds.begin(), kinds.end());
  return pools;
}

// Sends the same requests to two timelines and compares the answers.
class QueryComparer {
 public:
  QueryComparer(const std::string& a, const std::string& b,
                const QueryPools& pools, int64_t sequence, uint64_t seed)
      : a_(tv1::TimelineService::NewStub(FreshChannel(a))),
        b_(tv1::TimelineService::NewStub(FreshChannel(b))),
        pools_(pools),
        sequence_(sequence),
        random_(seed),
        extents_(static_cast<uint32_t>(seed)) {}

  // Runs `count` comparisons (a page of a paged query counts as one).
  void Run(int count) {
    while (compared_ < count) {
      switch (Pick(100) / 10) {
        case 0:
        case 1:
        case 2:
          Snapshot();
          break;
        case 3:
        case 4:
          History();
          break;
        case 5:
        case 6:
          WindowQuery();
          break;
        case 7:
          RelateTwo();
          break;
        case 8:
          Gaps();
          break;
        default:
          Count();
      }
    }
  }

  int compared() const { return compared_; }
  int mismatches() const { return mismatches_; }
  const std::vector<std::string>& examples() const { return examples_; }
  // "Method CODE" -> count, over the answers of the first timeline.
  const std::map<std::string, int>& outcomes() const { return outcomes_; }

 private:
  using Stub = tv1::TimelineService::Stub;

  size_t Pick(size_t n) {
    return std::uniform_int_distribution<size_t>(0, n - 1)(random_);
  }
  template <typename T>
  const T& PickFrom(const std::vector<T>& items) {
    return items[Pick(items.size())];
  }

  std::string Day() { return temporal::FormatDay(extents_.RandomDay()); }

  // [from, to) with to after from; an empty side (unbounded) when `open`.
  std::pair<std::string, std::string> RandomWindow(bool open, int max_days) {
    const temporal::Day from = extents_.RandomDay();
    const temporal::Day to = from + 1 + static_cast<int>(Pick(max_days));
    std::pair<std::string, std::string> window = {temporal::FormatDay(from),
                                                  temporal::FormatDay(to)};
    if (open && Pick(10) == 0) window.first.clear();
    if (open && Pick(10) == 0) window.second.clear();
    return window;
  }

  // Unset half the time; else a random instant around the history, or
  // exactly at (or a nanosecond either side of) a commit.
  template <typename Request>
  void MaybeKnownAt(Request& request) {
    if (Pick(2) == 0 || pools_.commit_times.empty()) return;
    absl::Time at;
    switch (Pick(3)) {
      case 0: {
        const absl::Time first = pools_.commit_times.front() - absl::Seconds(1);
        const absl::Time last = pools_.commit_times.back() + absl::Seconds(1);
        at = first + absl::Nanoseconds(std::uniform_int_distribution<int64_t>(
                         0, absl::ToInt64Nanoseconds(last - first))(random_));
        break;
      }
      case 1:
        at = PickFrom(pools_.commit_times);
        break;
      default:
        at = PickFrom(pools_.commit_times) +
             absl::Nanoseconds(Pick(2) == 0 ? -1 : 1);
    }
    *request.mutable_known_at() =
        TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(at));
  }

  std::string MaybePredicate(int percent) {
    return static_cast<int>(Pick(100)) < percent ? PickFrom(pools_.predicates)
                                                 : "";
  }

  // Sends `request` to both; compares. Returns whether both answered OK
  // (and identically), with the first answer in *response.
  template <typename Request, typename Response, typename Call>
  bool Compare(const char* method, const Request& request, Call call,
               Response* response) {
    Response answers[2];
    grpc::Status statuses[2];
    Stub* stubs[2] = {a_.get(), b_.get()};
    for (int i = 0; i < 2; ++i) {
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + Patience()));
      statuses[i] = call(*stubs[i], &context, request, &answers[i]);
    }
    ++compared_;
    ++outcomes_[absl::StrCat(method, " ", statuses[0].error_code())];
    std::string difference;
    if (statuses[0].error_code() != statuses[1].error_code() ||
        statuses[0].error_message() != statuses[1].error_message()) {
      difference = absl::StrCat("status ", statuses[0].error_code(), " \"",
                                statuses[0].error_message(), "\" vs ",
                                statuses[1].error_code(), " \"",
                                statuses[1].error_message(), "\"");
    } else if (statuses[0].ok()) {
      MessageDifferencer differencer;
      differencer.ReportDifferencesToString(&difference);
      differencer.Compare(answers[0], answers[1]);
      if (difference.empty() && answers[0].sequence() != sequence_) {
        difference = absl::StrCat("sequence ", answers[0].sequence(),
                                  ", expected ", sequence_);
      }
    }
    if (!difference.empty()) {
      ++mismatches_;
      if (examples_.size() < 5) {
        examples_.push_back(absl::StrCat(method, " ",
                                         request.ShortDebugString(), ": ",
                                         difference.substr(0, 2000)));
      }
      return false;
    }
    if (!statuses[0].ok()) return false;
    *response = std::move(answers[0]);
    return true;
  }

  void Snapshot() {
    tv1::GetSnapshotRequest request;
    request.set_entity(PickFrom(pools_.entities));
    request.set_at(Day());
    request.set_predicate(MaybePredicate(30));
    MaybeKnownAt(request);
    request.set_min_sequence(sequence_);
    tv1::GetSnapshotResponse response;
    Compare(
        "GetSnapshot", request,
        [](Stub& s, grpc::ClientContext* c, const auto& r, auto* p) {
          return s.GetSnapshot(c, r, p);
        },
        &response);
  }

  void History() {
    tv1::ListHistoryRequest request;
    request.set_entity(PickFrom(pools_.entities));
    request.set_predicate(MaybePredicate(40));
    request.set_page_size(1 + static_cast<int>(Pick(60)));
    MaybeKnownAt(request);
    request.set_min_sequence(sequence_);
    for (int page = 0; page < 3; ++page) {
      tv1::ListHistoryResponse response;
      if (!Compare(
              "ListHistory", request,
              [](Stub& s, grpc::ClientContext* c, const auto& r, auto* p) {
                return s.ListHistory(c, r, p);
              },
              &response) ||
          response.next_page_token().empty()) {
        return;
      }
      request.set_page_token(response.next_page_token());
    }
  }

  void WindowQuery() {
    tv1::QueryWindowRequest request;
    auto [from, to] = RandomWindow(/*open=*/true, 3650);
    request.set_from(from);
    request.set_to(to);
    request.set_item_type(static_cast<tv1::ItemType>(Pick(4)));
    if (Pick(5) == 0) request.set_kind(PickFrom(pools_.kinds));
    request.set_predicate(MaybePredicate(20));
    if (Pick(10) < 3) request.set_entity(PickFrom(pools_.entities));
    request.set_page_size(1 + static_cast<int>(Pick(100)));
    MaybeKnownAt(request);
    request.set_min_sequence(sequence_);
    for (int page = 0; page < 2; ++page) {
      tv1::QueryWindowResponse response;
      if (!Compare(
              "QueryWindow", request,
              [](Stub& s, grpc::ClientContext* c, const auto& r, auto* p) {
                return s.QueryWindow(c, r, p);
              },
              &response) ||
          response.next_page_token().empty()) {
        return;
      }
      request.set_page_token(response.next_page_token());
    }
  }

  void Reference(tv1::ExtentReference* reference) {
    switch (Pick(3)) {
      case 0:
        reference->set_lifespan(PickFrom(pools_.entities));
        break;
      case 1:
        reference->set_statement(PickFrom(pools_.statements));
        break;
      default:
        reference->set_edtf(extents_.NextEdtf());
    }
  }

  void RelateTwo() {
    tv1::RelateRequest request;
    Reference(request.mutable_a());
    Reference(request.mutable_b());
    MaybeKnownAt(request);
    request.set_min_sequence(sequence_);
    tv1::RelateResponse response;
    Compare(
        "Relate", request,
        [](Stub& s, grpc::ClientContext* c, const auto& r, auto* p) {
          return s.Relate(c, r, p);
        },
        &response);
  }

  void Gaps() {
    tv1::FindGapsRequest request;
    request.set_subject(PickFrom(pools_.entities));
    request.set_predicate(MaybePredicate(50));
    auto [from, to] = RandomWindow(/*open=*/true, 7300);
    request.set_from(from);
    request.set_to(to);
    MaybeKnownAt(request);
    request.set_min_sequence(sequence_);
    tv1::FindGapsResponse response;
    Compare(
        "FindGaps", request,
        [](Stub& s, grpc::ClientContext* c, const auto& r, auto* p) {
          return s.FindGaps(c, r, p);
        },
        &response);
  }

  void Count() {
    tv1::CountActiveRequest request;
    const bool years = Pick(5) < 3;
    request.set_bucket(years ? tv1::BUCKET_YEAR : tv1::BUCKET_MONTH);
    auto [from, to] = RandomWindow(/*open=*/false, years ? 14600 : 3650);
    request.set_from(from);
    request.set_to(to);
    request.set_item_type(static_cast<tv1::ItemType>(Pick(4)));
    if (Pick(5) == 0) request.set_kind(PickFrom(pools_.kinds));
    request.set_predicate(MaybePredicate(20));
    if (Pick(5) == 0) request.set_entity(PickFrom(pools_.entities));
    MaybeKnownAt(request);
    request.set_min_sequence(sequence_);
    tv1::CountActiveResponse response;
    Compare(
        "CountActive", request,
        [](Stub& s, grpc::ClientContext* c, const auto& r, auto* p) {
          return s.CountActive(c, r, p);
        },
        &response);
  }

  std::unique_ptr<Stub> a_;
  std::unique_ptr<Stub> b_;
  const QueryPools& pools_;
  const int64_t sequence_;
  std::mt19937_64 random_;
  RandomExtents extents_;
  int compared_ = 0;
  int mismatches_ = 0;
  std::vector<std::string> examples_;
  std::map<std::string, int> outcomes_;
};

// The timeline at `address` has applied `sequence` and answers from the
// data set: NMI's seven commanders.
void ExpectCaughtUp(const std::string& address, int64_t sequence) {
  auto stub = tv1::TimelineService::NewStub(FreshChannel(address));
  tv1::ListHistoryRequest request;
  request.set_entity("nmi");
  request.set_predicate("commander");
  request.set_min_sequence(sequence);
  tv1::ListHistoryResponse response;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + Patience()));
  grpc::Status status = stub->ListHistory(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_code() << " "
                           << status.error_message();
  EXPECT_GE(response.sequence(), sequence);
  EXPECT_EQ(response.entries_size(), 7);
}

TEST(TimelineCrashLoopTest, RestartedTimelineAnswersExactlyAsAFreshOne) {
  const absl::Time start = absl::Now();
  const int cycles =
      EnvCount("ANNALS_TIMELINE_CRASH_CYCLES", FullRun() ? 100 : 5);
  const int queries = EnvCount("ANNALS_COMPARE_QUERIES", 10000);
  const uint64_t seed = TestSeed("crash-loop timeline");
  std::mt19937_64 random(seed);
  TempDir dir;

  ServiceProcess catalog = StartCatalog(dir.Sub("catalog"));
  ASSERT_TRUE(catalog.ok());
  const std::string address = catalog.address();
  std::vector<std::string> entities, sources;
  for (const cv1::ImportRecordsRequest& batch : LoadNmiData(ANNALS_DATA_DIR)) {
    for (const cv1::ImportRecord& record : batch.records()) {
      if (!record.has_entity()) continue;
      entities.push_back(record.entity().name());
      if (record.entity().kind() == "source") {
        sources.push_back(record.entity().name());
      }
    }
  }
  ASSERT_FALSE(sources.empty());
  std::string error;
  const int64_t imported = ImportNmi(*FreshCatalogStub(address), &error);
  ASSERT_GT(imported, 0) << error;

  // The timeline keeps its state in a folder, so each restart reloads what
  // the killed one had written and resumes the feed from there; the fresh
  // timeline it is compared with builds everything from the feed.
  const std::vector<std::string> folder = {"--data_dir=" + dir.Sub("timeline")};
  ServiceProcess timeline = StartTimeline(address, folder);
  ASSERT_TRUE(timeline.ok());
  ASSERT_NO_FATAL_FAILURE(ExpectCaughtUp(timeline.address(), imported));

  int64_t caught_up_total_ms = 0;
  int64_t random_writes = 0;
  {
    RandomWriters writers(address, seed, entities, sources);
    for (int cycle = 0; cycle < cycles; ++cycle) {
      absl::SleepFor(absl::Milliseconds(
          std::uniform_int_distribution<int>(50, 400)(random)));
      timeline.process->Kill(SIGKILL);
      const absl::Time restart = absl::Now();
      timeline = StartTimeline(address, folder);
      ASSERT_TRUE(timeline.ok()) << "restart " << cycle + 1;
      ASSERT_TRUE(AwaitHealth(timeline.address(), kTimelineService,
                              ::grpc::health::v1::HealthCheckResponse::SERVING,
                              Patience()))
          << "restart " << cycle + 1 << " did not catch up";
      caught_up_total_ms += absl::ToInt64Milliseconds(absl::Now() - restart);
      // Reads its writers' latest write.
      ASSERT_NO_FATAL_FAILURE(
          ExpectCaughtUp(timeline.address(), writers.last_sequence()))
          << "restart " << cycle + 1;
      ASSERT_EQ(writers.failures(), std::vector<std::string>{});
    }
    writers.Stop();
    ASSERT_EQ(writers.failures(), std::vector<std::string>{});
    random_writes = writers.writes();
  }

  // The whole history, gap-free, for the queries to draw from.
  FeedRead feed = ReadWholeFeed(*FreshCatalogStub(address));
  ASSERT_EQ(feed.problem, "");
  const int64_t head = feed.head;
  const QueryPools pools = PoolsFromFeed(feed);

  const absl::Time fresh_start = absl::Now();
  ServiceProcess fresh = StartTimeline(address);
  ASSERT_TRUE(fresh.ok());
  ASSERT_NO_FATAL_FAILURE(ExpectCaughtUp(fresh.address(), head));
  const double fresh_catch_up = SecondsSince(fresh_start);
  ASSERT_NO_FATAL_FAILURE(ExpectCaughtUp(timeline.address(), head));

  // Two threads, each with its own seeded stream of queries.
  const absl::Time compare_start = absl::Now();
  std::vector<std::unique_ptr<QueryComparer>> comparers;
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    comparers.push_back(std::make_unique<QueryComparer>(
        timeline.address(), fresh.address(), pools, head, seed + 31 * (t + 1)));
    threads.emplace_back([&comparers, t, queries] {
      comparers[t]->Run(queries / 2 + (t == 0 ? queries % 2 : 0));
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double compare_seconds = SecondsSince(compare_start);

  int compared = 0, mismatches = 0;
  std::map<std::string, int> outcomes;
  for (const auto& comparer : comparers) {
    compared += comparer->compared();
    mismatches += comparer->mismatches();
    for (const std::string& example : comparer->examples()) {
      ADD_FAILURE() << "the timelines differ: " << example;
    }
    for (const auto& [outcome, count] : comparer->outcomes()) {
      outcomes[outcome] += count;
    }
  }
  comparers.clear();
  EXPECT_EQ(mismatches, 0);
  EXPECT_GE(compared, queries);
  // The mix is meaningful: most queries find something.
  int ok = 0;
  std::string mix;
  for (const auto& [outcome, count] : outcomes) {
    if (absl::EndsWith(outcome, " 0")) ok += count;
    absl::StrAppend(&mix, mix.empty() ? "" : ", ", outcome, ": ", count);
  }
  EXPECT_GT(ok, compared / 2) << mix;

  const double seconds = SecondsSince(start);
  std::printf(
      "[crash-loop timeline] timeline kills survived %d; catalog head %lld "
      "(%lld imported + %lld random writes); restart to SERVING mean %lld ms; "
      "fresh timeline caught up in %.2f s; queries compared %d, mismatches "
      "%d, %.1f s; total %.1f s\n[crash-loop timeline] answers (method "
      "code: count): %s\n",
      cycles, static_cast<long long>(head), static_cast<long long>(imported),
      static_cast<long long>(random_writes),
      static_cast<long long>(cycles > 0 ? caught_up_total_ms / cycles : 0),
      fresh_catch_up, compared, mismatches, compare_seconds, seconds,
      mix.c_str());
  EXPECT_TRUE(WriteReport(
      "crash_loop_timeline.json",
      absl::StrFormat(
          "{\"test\": \"crash_loop_timeline\", \"seed\": %d, \"cycles\": %d, "
          "\"catalog_head\": %d, \"imported\": %d, \"random_writes\": %d, "
          "\"mean_restart_to_serving_ms\": %d, \"fresh_catch_up_seconds\": "
          "%.3f, \"queries_compared\": %d, \"mismatches\": %d, "
          "\"queries_ok\": %d, \"compare_seconds\": %.2f, \"seconds\": %.2f}",
          seed, cycles, head, imported, random_writes,
          cycles > 0 ? caught_up_total_ms / cycles : 0, fresh_catch_up,
          compared, mismatches, ok, compare_seconds, seconds)));

  EXPECT_TRUE(ExitedZero(fresh.process->Kill(SIGTERM)));
  EXPECT_TRUE(ExitedZero(timeline.process->Kill(SIGTERM)));
  EXPECT_TRUE(ExitedZero(catalog.process->Kill(SIGTERM)));
}

}  // namespace
}  // namespace annals::testing
