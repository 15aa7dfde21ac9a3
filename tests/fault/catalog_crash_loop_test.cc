// The real annals-catalog SIGKILLed again and again under a write load, and
// restarted each time on the same data folder and port.
//
// Several writers create entities and update them with etags, each write
// with its own request_id; each writer only touches its own entities, so
// every write should succeed. The catalog is killed at a random moment
// (seeded) while the writes flow. After each restart, with the writers
// paused, the test checks:
//
//  - the change feed from the start holds sequences 1..head, each once;
//  - every acknowledged write is in the feed at the sequence it was given,
//    exactly as acknowledged (content, etag, times), and the entity's
//    current state is its last change;
//  - a write whose call broke (outcome unknown) is either absent or intact,
//    and once seen it stays;
//  - the feed holds nothing that no writer wrote, and no write twice.
//
// The writers then retry their unknown writes with the same request_id (the
// retry must succeed, and return the original result if the first attempt
// had committed) and go on; a fresh write's sequence must be above the head
// the catalog restarted with.
//
// Cycles: 10; 100 with ANNALS_FULL=1; ANNALS_CRASH_CYCLES=N overrides both.
// The figures go to stdout and to $ANNALS_REPORT_DIR/crash_loop_catalog.json.
#include <signal.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/fault/fault_testing.h"
#include "tests/ops/lifecycle/service_process.h"
#include "tests/testing/temp_dir.h"

namespace annals::testing {
namespace {

namespace cv1 = ::annals::catalog::v1;
using ::google::protobuf::util::MessageDifferencer;

constexpr int kWriters = 4;
constexpr char kLifespan[] = "2025-03-12";
// Longest random wait, once writes flow again, before the next kill.
constexpr int kMaxKillDelayMs = 150;

// One write of the load: the creation of an entity (revision 0) or an etag
// update of it to the next revision. Only its writer thread touches it while
// the writers run; the test thread reads and annotates it while they are
// paused.
struct Write {
  int writer = 0;
  std::string request_id;
  std::string entity_id;
  int revision = 0;
  cv1::CreateEntityRequest create;
  cv1::UpdateEntityRequest update;

  // Set when a call returned OK, with what it returned and the run (catalog
  // process, counted from 0) that returned it.
  bool acknowledged = false;
  cv1::Entity response;
  int acknowledged_in_run = -1;
  // Calls that ended without an answer: the catalog died under them.
  int unknown_outcomes = 0;
  // The sequence at which a verification found the write in the feed (0:
  // not yet found).
  int64_t found_at = 0;
  // Found in the feed before any call was acknowledged: the retry must then
  // return the original result.
  bool found_while_unknown = false;

  std::string name() const { return "entities/" + entity_id; }
  std::string label() const {
    return absl::StrCat(entity_id, " revision ", revision);
  }
};

// What a catalog should hold for `write`, compared field by field; empty
// when `found` carries it intact.
std::string Mismatch(const Write& write, const cv1::Entity& found) {
  std::vector<std::string> wrong;
  if (found.name() != write.name()) wrong.push_back("name " + found.name());
  if (found.kind() != "event") wrong.push_back("kind " + found.kind());
  if (found.label() != write.label()) wrong.push_back("label " + found.label());
  if (found.lifespan().edtf() != kLifespan) {
    wrong.push_back("lifespan " + found.lifespan().edtf());
  }
  const auto& attributes = found.attributes();
  if (attributes.size() != 2 || attributes.count("revision") != 1 ||
      attributes.at("revision") != absl::StrCat(write.revision) ||
      attributes.count("writer") != 1 ||
      attributes.at("writer") != absl::StrCat("w", write.writer)) {
    wrong.push_back("attributes");
  }
  if (found.etag().empty() || found.sequence() == 0) {
    wrong.push_back("no etag or sequence");
  }
  return absl::StrJoin(wrong, ", ");
}

// The revision a change carries, -1 if none.
int RevisionOf(const cv1::Entity& entity) {
  int revision = -1;
  auto it = entity.attributes().find("revision");
  if (it == entity.attributes().end() ||
      !absl::SimpleAtoi(it->second, &revision)) {
    return -1;
  }
  return revision;
}

bool UnknownOutcome(const grpc::Status& status) {
  // The call broke with the connection (or the catalog was already gone):
  // the write may or may not have committed.
  return status.error_code() == grpc::StatusCode::UNAVAILABLE;
}

// The writer threads, paused between runs of the catalog. Each run: retry
// the write left without an answer (if any), then write new ones until a
// call breaks; then pause. In a draining run, only the retry is made.
class WriterPool {
 public:
  WriterPool(std::string address, uint64_t seed)
      : address_(std::move(address)), seed_(seed) {
    for (int w = 0; w < kWriters; ++w) {
      writes_.emplace_back();
      threads_.emplace_back([this, w] { Run(w); });
    }
  }

  ~WriterPool() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    for (std::thread& thread : threads_) thread.join();
  }

  // Starts run `run` (after the previous one paused); `drain`: retries only.
  void Resume(int run, bool drain) {
    absl::MutexLock lock(&mu_);
    run_ = run;
    drain_ = drain;
    paused_ = 0;
  }

  // Waits until every writer has paused; false after `timeout`.
  bool AwaitPaused(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto all = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return paused_ == kWriters;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&all), timeout);
  }

  int64_t acknowledged() const { return acknowledged_.load(); }

  // Calls that failed otherwise than by losing the catalog.
  std::vector<std::string> unexpected() {
    absl::MutexLock lock(&mu_);
    return unexpected_;
  }

  // Every write ever started; only while the writers are paused.
  std::vector<Write*> AllWrites() {
    std::vector<Write*> all;
    for (auto& writes : writes_) {
      for (auto& write : writes) all.push_back(write.get());
    }
    return all;
  }

 private:
  // The writer's own entities: the last acknowledged revision of each.
  struct Owned {
    std::string entity_id;
    cv1::Entity last;
  };

  void Run(int w) {
    std::mt19937_64 random(seed_ + 7919 * (w + 1));
    int run = -1;
    Write* pending = nullptr;  // left without an answer
    std::vector<Owned> owned;
    int next_op = 0;
    while (true) {
      bool drain = false;
      {
        absl::MutexLock lock(&mu_);
        auto next = [this, run]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
          return stop_ || run_ > run;
        };
        mu_.Await(absl::Condition(&next));
        if (stop_) return;
        run = run_;
        drain = drain_;
      }
      // A channel of this run: the last one saw its catalog die.
      std::unique_ptr<cv1::CatalogService::Stub> stub =
          FreshCatalogStub(address_);
      while (pending != nullptr || !drain) {
        Write* write = pending;
        if (write == nullptr) {
          write = NewWrite(w, next_op++, random, owned);
        }
        cv1::Entity response;
        grpc::ClientContext context;
        context.set_deadline(
            absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
        grpc::Status status =
            write->revision == 0
                ? stub->CreateEntity(&context, write->create, &response)
                : stub->UpdateEntity(&context, write->update, &response);
        if (status.ok()) {
          write->acknowledged = true;
          write->response = response;
          write->acknowledged_in_run = run;
          if (write->revision == 0) {
            owned.push_back({write->entity_id, response});
          } else {
            for (Owned& entity : owned) {
              if (entity.entity_id == write->entity_id) entity.last = response;
            }
          }
          pending = nullptr;
          ++acknowledged_;
          continue;
        }
        if (UnknownOutcome(status)) {
          ++write->unknown_outcomes;
          pending = write;
        } else {
          absl::MutexLock lock(&mu_);
          unexpected_.push_back(
              absl::StrCat(write->request_id, " (", write->name(), " revision ",
                           write->revision, "): ", status.error_code(), " ",
                           status.error_message()));
          pending = nullptr;
        }
        break;
      }
      stub.reset();  // no idle connection to hold up a clean shutdown
      absl::MutexLock lock(&mu_);
      ++paused_;
    }
  }

  Write* NewWrite(int w, int op, std::mt19937_64& random,
                  const std::vector<Owned>& owned) {
    auto write = std::make_unique<Write>();
    write->writer = w;
    write->request_id = absl::StrCat("w", w, "-op", op);
    const bool create =
        owned.empty() || std::uniform_int_distribution<int>(0, 3)(random) == 0;
    if (create) {
      write->entity_id = absl::StrCat("w", w, "-", op);
      write->revision = 0;
      write->create.set_entity_id(write->entity_id);
      write->create.set_request_id(write->request_id);
      cv1::Entity* entity = write->create.mutable_entity();
      entity->set_kind("event");
      entity->set_label(write->label());
      entity->mutable_lifespan()->set_edtf(kLifespan);
      (*entity->mutable_attributes())["revision"] = "0";
      (*entity->mutable_attributes())["writer"] = absl::StrCat("w", w);
    } else {
      const Owned& target = owned[std::uniform_int_distribution<size_t>(
          0, owned.size() - 1)(random)];
      write->entity_id = target.entity_id;
      write->revision = RevisionOf(target.last) + 1;
      write->update.set_request_id(write->request_id);
      cv1::Entity* entity = write->update.mutable_entity();
      entity->set_name(write->name());
      entity->set_etag(target.last.etag());
      entity->set_label(write->label());
      (*entity->mutable_attributes())["revision"] =
          absl::StrCat(write->revision);
      (*entity->mutable_attributes())["writer"] = absl::StrCat("w", w);
      write->update.mutable_update_mask()->add_paths("label");
      write->update.mutable_update_mask()->add_paths("attributes");
    }
    writes_[w].push_back(std::move(write));
    return writes_[w].back().get();
  }

  const std::string address_;
  const uint64_t seed_;
  std::vector<std::vector<std::unique_ptr<Write>>> writes_;
  std::vector<std::thread> threads_;
  std::atomic<int64_t> acknowledged_{0};

  absl::Mutex mu_;
  int run_ ABSL_GUARDED_BY(mu_) = -1;
  bool drain_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  int paused_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> unexpected_ ABSL_GUARDED_BY(mu_);
};

struct Figures {
  int cycles = 0;
  int64_t acknowledged_checks = 0;  // acknowledged writes verified, summed
  int64_t final_head = 0;
};

// Checks the restarted catalog against every write so far (see the file
// comment). `run_heads[r]` is the head the catalog of run r started with.
// `expected_head` is the head the catalog reported when it started (-1: do
// not check).
void Verify(const std::string& address, const std::string& catalog_id,
            const std::vector<int64_t>& run_heads, int64_t expected_head,
            const std::vector<Write*>& writes, Figures* figures) {
  auto stub = FreshCatalogStub(address);
  FeedRead feed = ReadWholeFeed(*stub);
  ASSERT_EQ(feed.problem, "");
  if (expected_head >= 0) {
    ASSERT_EQ(feed.head, expected_head)
        << "the feed's head is not the sequence the catalog started with";
  }
  EXPECT_EQ(feed.catalog_id, catalog_id) << "the catalog's identity changed";

  // (name, revision) -> sequences carrying it; name -> its last change.
  std::map<std::pair<std::string, int>, std::vector<int64_t>> in_feed;
  std::map<std::string, const cv1::Change*> last_change;
  for (const cv1::Change& change : feed.changes) {
    ASSERT_TRUE(change.has_entity()) << "sequence " << change.sequence();
    in_feed[{change.entity().name(), RevisionOf(change.entity())}].push_back(
        change.sequence());
    last_change[change.entity().name()] = &change;
  }

  for (Write* write : writes) {
    auto it = in_feed.find({write->name(), write->revision});
    const std::vector<int64_t> found =
        it == in_feed.end() ? std::vector<int64_t>{} : it->second;
    if (it != in_feed.end()) in_feed.erase(it);
    ASSERT_LE(found.size(), 1u)
        << write->request_id << " applied " << found.size() << " times";
    const cv1::Change* change =
        found.empty() ? nullptr : &feed.changes[found[0] - 1];
    if (write->found_at != 0) {
      ASSERT_NE(change, nullptr) << write->request_id << " was at sequence "
                                 << write->found_at << " and has gone";
      EXPECT_EQ(change->sequence(), write->found_at) << write->request_id;
    }
    if (write->acknowledged) {
      ASSERT_NE(change, nullptr)
          << "acknowledged " << write->request_id << " (sequence "
          << write->response.sequence() << ") is lost";
      EXPECT_TRUE(MessageDifferencer::Equals(change->entity(), write->response))
          << write->request_id << " differs from what was acknowledged:\n"
          << change->entity().DebugString() << "vs\n"
          << write->response.DebugString();
      // A fresh application comes after the head its catalog started with;
      // a replayed one returns the original result.
      if (write->found_while_unknown) {
        EXPECT_EQ(write->response.sequence(), write->found_at)
            << write->request_id << ": the retry did not return the result "
            << "of the attempt that had committed";
      } else {
        EXPECT_GT(write->response.sequence(),
                  run_heads[write->acknowledged_in_run])
            << write->request_id << " got a sequence at or below the head "
            << "its catalog started with";
      }
      ++figures->acknowledged_checks;
    } else if (change != nullptr) {
      // Outcome unknown, and it did commit: it must be whole.
      EXPECT_EQ(Mismatch(*write, change->entity()), "") << write->request_id;
      if (write->found_at == 0) write->found_while_unknown = true;
    }
    if (change != nullptr) write->found_at = change->sequence();
  }
  for (const auto& [key, sequences] : in_feed) {
    ADD_FAILURE() << "no writer wrote " << key.first << " revision "
                  << key.second << " (sequence " << sequences[0] << ")";
  }

  // The current state of each entity is its last change.
  std::string error;
  std::vector<cv1::Entity> entities = ListAllEntities(*stub, &error);
  ASSERT_EQ(error, "");
  EXPECT_EQ(entities.size(), last_change.size());
  for (const cv1::Entity& entity : entities) {
    auto it = last_change.find(entity.name());
    ASSERT_NE(it, last_change.end()) << entity.name() << " is not in the feed";
    EXPECT_TRUE(MessageDifferencer::Equals(entity, it->second->entity()))
        << entity.name() << " is not its last change";
  }
  figures->final_head = feed.head;
}

TEST(CatalogCrashLoopTest, SigkillUnderWritesLosesNothingAndAppliesOnce) {
  const absl::Time start = absl::Now();
  const int cycles = EnvCount("ANNALS_CRASH_CYCLES", FullRun() ? 100 : 10);
  const uint64_t seed = TestSeed("crash-loop catalog");
  std::mt19937_64 random(seed);
  TempDir dir;
  const std::string data_dir = dir.Sub("catalog");

  ServiceProcess catalog = StartCatalog(data_dir);
  ASSERT_TRUE(catalog.ok());
  const std::string address = catalog.address();
  std::string catalog_id;
  {
    auto stub = FreshCatalogStub(address);
    catalog_id = ReadWholeFeed(*stub).catalog_id;
    ASSERT_NE(catalog_id, "");
  }
  std::vector<int64_t> run_heads = {catalog.start_sequence};
  Figures figures;
  int64_t kill_delay_total_ms = 0;
  WriterPool writers(address, seed);

  for (int cycle = 0; cycle < cycles; ++cycle) {
    const int64_t before = writers.acknowledged();
    writers.Resume(cycle, /*drain=*/false);
    // Writes flow (retries are done, new writes acknowledged); kill at a
    // random moment within the next few writes.
    const absl::Time give_up = absl::Now() + absl::Seconds(20);
    while (writers.acknowledged() <= before && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(1));
    }
    ASSERT_GT(writers.acknowledged(), before)
        << "no write acknowledged in run " << cycle;
    const int delay_ms =
        std::uniform_int_distribution<int>(0, kMaxKillDelayMs)(random);
    kill_delay_total_ms += delay_ms;
    absl::SleepFor(absl::Milliseconds(delay_ms));
    catalog.process->Kill(SIGKILL);
    ASSERT_TRUE(writers.AwaitPaused(absl::Seconds(30)))
        << "writers did not notice the kill";
    ASSERT_EQ(writers.unexpected(), std::vector<std::string>{});

    catalog = StartCatalog(data_dir, address, absl::Seconds(1));
    ASSERT_TRUE(catalog.ok())
        << "restart " << cycle + 1 << " failed (port " << address << " taken?)";
    run_heads.push_back(catalog.start_sequence);
    ASSERT_NO_FATAL_FAILURE(Verify(address, catalog_id, run_heads,
                                   catalog.start_sequence, writers.AllWrites(),
                                   &figures))
        << "after kill " << cycle + 1;
    ++figures.cycles;
  }

  // A last run without a kill: the writes left without an answer are
  // retried (on the catalog of the last restart, so a fresh application
  // must come after run_heads[cycles]), and must apply exactly once.
  writers.Resume(cycles, /*drain=*/true);
  ASSERT_TRUE(writers.AwaitPaused(absl::Seconds(30)));
  ASSERT_EQ(writers.unexpected(), std::vector<std::string>{});
  std::vector<Write*> writes = writers.AllWrites();
  ASSERT_NO_FATAL_FAILURE(Verify(address, catalog_id, run_heads,
                                 /*expected_head=*/-1, writes, &figures))
      << "after the final retries";
  int64_t acknowledged = 0, unknown_calls = 0, unknown_writes = 0,
          unknown_committed = 0;
  for (const Write* write : writes) {
    EXPECT_TRUE(write->acknowledged) << write->request_id << " never answered";
    acknowledged += write->acknowledged ? 1 : 0;
    unknown_calls += write->unknown_outcomes;
    unknown_writes += write->unknown_outcomes > 0 ? 1 : 0;
    unknown_committed += write->found_while_unknown ? 1 : 0;
  }

  const double seconds = SecondsSince(start);
  const std::string summary = absl::StrFormat(
      "cycles survived %d of %d; writes acknowledged %d, acknowledged-write "
      "checks %d; calls with unknown outcome %d (%d writes, %d of them had "
      "committed, all retried and applied once); final head %d; mean kill "
      "delay %d ms; %.1f s",
      figures.cycles, cycles, acknowledged, figures.acknowledged_checks,
      unknown_calls, unknown_writes, unknown_committed, figures.final_head,
      cycles > 0 ? kill_delay_total_ms / cycles : 0, seconds);
  std::printf("[crash-loop catalog] %s\n", summary.c_str());
  const std::string json = absl::StrFormat(
      "{\"test\": \"crash_loop_catalog\", \"seed\": %d, \"cycles\": %d, "
      "\"cycles_survived\": %d, \"writers\": %d, \"writes_acknowledged\": %d, "
      "\"acknowledged_write_checks\": %d, \"unknown_outcome_calls\": %d, "
      "\"unknown_outcome_writes\": %d, \"unknown_outcome_committed\": %d, "
      "\"final_head\": %d, \"seconds\": %.2f}",
      seed, cycles, figures.cycles, kWriters, acknowledged,
      figures.acknowledged_checks, unknown_calls, unknown_writes,
      unknown_committed, figures.final_head, seconds);
  EXPECT_TRUE(WriteReport("crash_loop_catalog.json", json));
  EXPECT_TRUE(ExitedZero(catalog.process->Kill(SIGTERM)));
}

}  // namespace
}  // namespace annals::testing
