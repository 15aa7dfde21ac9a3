// Many writers doing read-modify-write with etags on the same few entities
// and statements of the real annals-catalog, over real gRPC: no update is
// lost, every refused one is ABORTED, and the change feed and the timeline
// hold exactly the updates that succeeded.
//
// Each entity carries a counter; an update reads it and writes counter + 1
// with the etag it read. If two updates from the same read both succeeded,
// two changes would carry the same counter (a lost update).
//
//  - Rounds: every writer reads the same entity, waits for the others, then
//    all write at once: exactly one wins each round, the rest are ABORTED.
//  - Free for all: the writers read and write as fast as they can.
//  - Retractions: every writer reads the same statement, then all retract
//    it with that etag: exactly one wins.
#include <signal.h>

#include <algorithm>
#include <barrier>
#include <climits>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "tests/fault/fault_testing.h"
#include "tests/ops/lifecycle/service_process.h"
#include "tests/testing/temp_dir.h"

namespace annals::testing {
namespace {

namespace cv1 = ::annals::catalog::v1;
namespace tv1 = ::annals::timeline::v1;
using ::google::protobuf::util::MessageDifferencer;
using ::google::protobuf::util::TimeUtil;

constexpr int kWriters = 8;
constexpr int kEntities = 3;
constexpr int kRounds = 20;
constexpr int kFreeAttemptsPerWriter = 100;
constexpr int kStatements = 4;

absl::Duration Patience() { return absl::Seconds(30); }

std::string EntityId(int i) { return absl::StrCat("hot-", i); }

template <typename Call>
grpc::Status WithDeadline(Call call) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + Patience()));
  return call(&context);
}

int CounterOf(const cv1::Entity& entity) {
  int counter = -1;
  auto it = entity.attributes().find("counter");
  if (it != entity.attributes().end()) {
    (void)absl::SimpleAtoi(it->second, &counter);
  }
  return counter;
}

// What the writers saw, shared under a lock.
struct Results {
  absl::Mutex mu;
  int attempts ABSL_GUARDED_BY(mu) = 0;
  int aborted ABSL_GUARDED_BY(mu) = 0;
  // Successful entity updates, by entity name.
  std::map<std::string, std::vector<cv1::Entity>> updated ABSL_GUARDED_BY(mu);
  // Successful retractions.
  std::vector<cv1::Statement> retracted ABSL_GUARDED_BY(mu);
  // Anything other than OK or ABORTED.
  std::vector<std::string> unexpected ABSL_GUARDED_BY(mu);

  void Record(const std::string& what, const grpc::Status& status) {
    absl::MutexLock lock(&mu);
    ++attempts;
    if (status.error_code() == grpc::StatusCode::ABORTED) {
      ++aborted;
    } else if (!status.ok()) {
      unexpected.push_back(absl::StrCat(what, ": ", status.error_code(), " ",
                                        status.error_message()));
    }
  }
};

// Reads entity `id`, then (after `before_write`, if any) writes counter + 1
// with the etag read. Returns whether the write succeeded.
bool ReadModifyWrite(cv1::CatalogService::Stub& stub, const std::string& id,
                     const std::string& request_id, Results& results,
                     std::barrier<>* before_write) {
  cv1::GetEntityRequest get;
  get.set_name(id);
  cv1::Entity current;
  // A read that could not connect is retried, as every client does
  // (UNAVAILABLE before the call was sent changes nothing): what this test
  // judges is the writes. A fresh connection from many workers at once was
  // seen to fail now and then under ctest ("failed to connect to all
  // addresses"), which the closing note of issue 12 records.
  grpc::Status read;
  for (int attempt = 0; attempt < 5; ++attempt) {
    read = WithDeadline([&](grpc::ClientContext* context) {
      return stub.GetEntity(context, get, &current);
    });
    if (read.error_code() != grpc::StatusCode::UNAVAILABLE) break;
    absl::SleepFor(absl::Milliseconds(50 << attempt));
  }
  if (before_write != nullptr) before_write->arrive_and_wait();
  if (!read.ok()) {
    absl::MutexLock lock(&results.mu);
    results.unexpected.push_back(
        absl::StrCat("GetEntity ", id, ": ", read.error_message()));
    return false;
  }
  cv1::UpdateEntityRequest update;
  update.set_request_id(request_id);
  update.mutable_entity()->set_name(current.name());
  update.mutable_entity()->set_etag(current.etag());
  const int counter = CounterOf(current) + 1;
  (*update.mutable_entity()->mutable_attributes())["counter"] =
      absl::StrCat(counter);
  (*update.mutable_entity()->mutable_attributes())["by"] = request_id;
  update.mutable_entity()->set_label(absl::StrCat(id, " #", counter));
  update.mutable_update_mask()->add_paths("attributes");
  update.mutable_update_mask()->add_paths("label");
  cv1::Entity updated;
  grpc::Status status = WithDeadline([&](grpc::ClientContext* context) {
    return stub.UpdateEntity(context, update, &updated);
  });
  results.Record(request_id, status);
  if (status.ok()) {
    absl::MutexLock lock(&results.mu);
    results.updated[updated.name()].push_back(updated);
  }
  return status.ok();
}

TEST(EtagContentionTest, ConcurrentReadModifyWriteLosesNoUpdate) {
  const absl::Time start = absl::Now();
  const uint64_t seed = TestSeed("etag contention");
  TempDir dir;
  ServiceProcess catalog = StartCatalog(dir.Sub("catalog"));
  ASSERT_TRUE(catalog.ok());
  ServiceProcess timeline = StartTimeline(catalog.address());
  ASSERT_TRUE(timeline.ok());
  auto stub = FreshCatalogStub(catalog.address());

  // The contended resources: entities with a counter, statements about the
  // first one.
  for (int i = 0; i < kEntities; ++i) {
    cv1::CreateEntityRequest request;
    request.set_entity_id(EntityId(i));
    request.mutable_entity()->set_kind("organization");
    request.mutable_entity()->set_label(absl::StrCat(EntityId(i), " #0"));
    request.mutable_entity()->mutable_lifespan()->set_edtf("2001/..");
    (*request.mutable_entity()->mutable_attributes())["counter"] = "0";
    cv1::Entity created;
    ASSERT_TRUE(WithDeadline([&](grpc::ClientContext* context) {
                  return stub->CreateEntity(context, request, &created);
                }).ok());
  }
  std::vector<std::string> statements;
  for (int i = 0; i < kStatements; ++i) {
    cv1::CreateStatementRequest request;
    request.set_statement_id(absl::StrCat("hot-status-", i));
    request.mutable_statement()->set_subject("entities/hot-0");
    request.mutable_statement()->set_predicate("status");
    request.mutable_statement()->mutable_object()->set_text(
        absl::StrCat("status ", i));
    request.mutable_statement()->mutable_valid_time()->set_edtf(
        absl::StrCat(2010 + i, "/", 2011 + i));
    cv1::Statement created;
    ASSERT_TRUE(WithDeadline([&](grpc::ClientContext* context) {
                  return stub->CreateStatement(context, request, &created);
                }).ok());
    statements.push_back(created.name());
  }

  Results results;
  std::barrier<> read_done(kWriters);
  std::barrier<> round_done(kWriters);
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto own = FreshCatalogStub(catalog.address());
      // Rounds: all read, then all write.
      for (int round = 0; round < kRounds; ++round) {
        ReadModifyWrite(*own, EntityId(round % kEntities),
                        absl::StrCat("round", round, "-w", w), results,
                        &read_done);
        round_done.arrive_and_wait();
      }
      // Free for all.
      std::mt19937_64 random(seed + w);
      for (int i = 0; i < kFreeAttemptsPerWriter; ++i) {
        ReadModifyWrite(*own,
                        EntityId(std::uniform_int_distribution<int>(
                            0, kEntities - 1)(random)),
                        absl::StrCat("free-w", w, "-", i), results, nullptr);
      }
      round_done.arrive_and_wait();
      // Retractions: all read the statement, then all retract it.
      for (const std::string& name : statements) {
        cv1::GetStatementRequest get;
        get.set_name(name);
        cv1::Statement current;
        grpc::Status read = WithDeadline([&](grpc::ClientContext* context) {
          return own->GetStatement(context, get, &current);
        });
        read_done.arrive_and_wait();
        cv1::RetractStatementRequest retract;
        retract.set_name(name);
        retract.set_etag(current.etag());
        retract.set_reason(absl::StrCat("w", w));
        retract.set_request_id(
            absl::StrCat("retract-", name.substr(11), "-w", w));
        cv1::Statement retracted;
        grpc::Status status = WithDeadline([&](grpc::ClientContext* context) {
          return own->RetractStatement(context, retract, &retracted);
        });
        if (!read.ok()) status = read;
        results.Record(retract.request_id(), status);
        if (status.ok()) {
          absl::MutexLock lock(&results.mu);
          results.retracted.push_back(retracted);
        }
        round_done.arrive_and_wait();
      }
    });
  }
  for (std::thread& writer : writers) writer.join();

  absl::MutexLock lock(&results.mu);
  ASSERT_EQ(results.unexpected, std::vector<std::string>{});
  const int expected_attempts =
      kWriters * (kRounds + kFreeAttemptsPerWriter + kStatements);
  int succeeded = static_cast<int>(results.retracted.size());
  for (const auto& [name, updates] : results.updated) {
    succeeded += static_cast<int>(updates.size());
  }
  // Every attempt ended OK or ABORTED.
  EXPECT_EQ(results.attempts, expected_attempts);
  EXPECT_EQ(succeeded + results.aborted, expected_attempts);
  // Each lockstep round and each retraction had exactly one winner.
  EXPECT_GE(results.aborted, (kRounds + kStatements) * (kWriters - 1));
  ASSERT_EQ(results.retracted.size(), static_cast<size_t>(kStatements));

  // No lost update: each entity's successful updates carry the counters
  // 1..n, each once.
  for (auto& [name, updates] : results.updated) {
    std::sort(updates.begin(), updates.end(),
              [](const cv1::Entity& a, const cv1::Entity& b) {
                return a.sequence() < b.sequence();
              });
    for (size_t i = 0; i < updates.size(); ++i) {
      ASSERT_EQ(CounterOf(updates[i]), static_cast<int>(i) + 1)
          << name << ": update " << i + 1 << " by "
          << updates[i].attributes().at("by") << " (a lost update)";
    }
  }

  // The feed holds exactly the successful writes, each once, as returned.
  FeedRead feed = ReadWholeFeed(*stub);
  ASSERT_EQ(feed.problem, "");
  std::map<int64_t, const cv1::Change*> by_sequence;
  for (const cv1::Change& change : feed.changes) {
    by_sequence[change.sequence()] = &change;
  }
  const size_t setup = kEntities + kStatements;
  EXPECT_EQ(feed.changes.size(), setup + static_cast<size_t>(succeeded));
  for (const auto& [name, updates] : results.updated) {
    for (const cv1::Entity& update : updates) {
      ASSERT_TRUE(by_sequence.count(update.sequence()));
      EXPECT_TRUE(MessageDifferencer::Equals(
          by_sequence[update.sequence()]->entity(), update))
          << update.attributes().at("by");
    }
  }
  for (const cv1::Statement& retracted : results.retracted) {
    ASSERT_TRUE(by_sequence.count(retracted.sequence()));
    const cv1::Change& change = *by_sequence[retracted.sequence()];
    EXPECT_EQ(change.type(), cv1::CHANGE_TYPE_RETRACTED);
    EXPECT_TRUE(MessageDifferencer::Equals(change.statement(), retracted));
  }

  // The final state is the last successful update.
  for (int i = 0; i < kEntities; ++i) {
    cv1::GetEntityRequest get;
    get.set_name(EntityId(i));
    cv1::Entity entity;
    ASSERT_TRUE(WithDeadline([&](grpc::ClientContext* context) {
                  return stub->GetEntity(context, get, &entity);
                }).ok());
    const std::vector<cv1::Entity>& updates =
        results.updated["entities/" + EntityId(i)];
    ASSERT_FALSE(updates.empty());
    EXPECT_TRUE(MessageDifferencer::Equals(entity, updates.back()))
        << entity.name();
  }

  // The timeline holds every successful revision: as known at its commit
  // time, the entity is that revision (when the next one was committed
  // later), and the retracted statements are gone from the history now but
  // there just before their retraction.
  auto timeline_stub =
      tv1::TimelineService::NewStub(FreshChannel(timeline.address()));
  int revisions_checked = 0;
  for (const auto& [name, updates] : results.updated) {
    for (size_t i = 0; i < updates.size(); ++i) {
      tv1::GetSnapshotRequest request;
      request.set_entity(name);
      request.set_at("2020-01-01");
      request.set_min_sequence(feed.head);
      const bool last = i + 1 == updates.size();
      if (!last) {
        if (TimeUtil::TimestampToNanoseconds(updates[i].update_time()) >=
            TimeUtil::TimestampToNanoseconds(updates[i + 1].update_time())) {
          continue;  // committed in the same nanosecond: not told apart
        }
        *request.mutable_known_at() = updates[i].update_time();
      }
      tv1::GetSnapshotResponse snapshot;
      grpc::Status status = WithDeadline([&](grpc::ClientContext* context) {
        return timeline_stub->GetSnapshot(context, request, &snapshot);
      });
      ASSERT_TRUE(status.ok()) << status.error_message();
      EXPECT_EQ(snapshot.sequence(), feed.head);
      EXPECT_TRUE(MessageDifferencer::Equals(snapshot.entity(), updates[i]))
          << name << " revision " << i + 1;
      ++revisions_checked;
    }
  }
  for (int known = 0; known < 2; ++known) {
    tv1::ListHistoryRequest request;
    request.set_entity("hot-0");
    request.set_predicate("status");
    request.set_min_sequence(feed.head);
    if (known == 1) {
      // Just before the first retraction: all still there.
      int64_t first = INT64_MAX;
      for (const cv1::Statement& retracted : results.retracted) {
        first = std::min(
            first, TimeUtil::TimestampToNanoseconds(retracted.retract_time()));
      }
      *request.mutable_known_at() = TimeUtil::NanosecondsToTimestamp(first - 1);
    }
    tv1::ListHistoryResponse history;
    ASSERT_TRUE(WithDeadline([&](grpc::ClientContext* context) {
                  return timeline_stub->ListHistory(context, request, &history);
                }).ok());
    EXPECT_EQ(history.entries_size(), known == 1 ? kStatements : 0);
  }
  std::printf(
      "[etag contention] %d writers, %d attempts: %d OK, %d ABORTED, 0 other; "
      "no lost update; %d revisions checked in the timeline; %.1f s\n",
      kWriters, results.attempts, succeeded, results.aborted, revisions_checked,
      SecondsSince(start));

  timeline_stub.reset();
  stub.reset();
  EXPECT_TRUE(ExitedZero(timeline.process->Kill(SIGTERM)));
  EXPECT_TRUE(ExitedZero(catalog.process->Kill(SIGTERM)));
}

}  // namespace
}  // namespace annals::testing
