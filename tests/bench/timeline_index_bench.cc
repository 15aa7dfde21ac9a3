// The timeline's index at scale: 1,000,000 statements (20 predicates, about
// 150,000 entities) with tenure-like valid times between 1900 and 2030, in
// the memory of this process.
//
// Targets (issue 3): GetSnapshot of one entity in microseconds; a stabbing
// count over all statements well under 1 ms; under 64 bytes of index per
// indexed extent (reported as the counter "index_B/extent").
//
//   build/tests/bench/timeline_index_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/common/temporal/day.h"
#include "services/common/temporal/extent.h"
#include "services/timeline/interval_index.h"
#include "services/timeline/timeline_state.h"

namespace annals::timeline {
namespace {

namespace cv1 = ::annals::catalog::v1;
using temporal::Day;

constexpr int kStatements = 1000000;
constexpr int kMissions = 100000;
constexpr int kPeople = 50000;
constexpr int kPredicates = 20;

// A tenure-like valid time: starts between 1900 and 2030 at day, month or
// year precision, lasts 30 days to 5 years; 2% are ongoing ("/..").
std::string RandomTenure(std::mt19937& random) {
  auto pick = [&](int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(random);
  };
  const Day start = temporal::DayFromCivil(1900, 1, 1) + pick(130 * 365);
  const Day end = start + 30 + pick(5 * 365);
  auto format = [&](Day day) {
    const absl::CivilDay civil = temporal::CivilFromDay(day);
    switch (pick(3)) {
      case 0:
        return absl::StrFormat("%04d", civil.year());
      case 1:
        return absl::StrFormat("%04d-%02d", civil.year(), civil.month());
      default:
        return absl::StrFormat("%04d-%02d-%02d", civil.year(), civil.month(),
                               civil.day());
    }
  };
  const std::string from = format(start);
  std::string to = pick(50) == 0 ? ".." : format(end);
  std::string edtf = from + "/" + to;
  if (!temporal::Extent::Parse(edtf).ok()) edtf = from + "/..";
  return edtf;
}

class World {
 public:
  static World& Get() {
    static World* world = new World();
    return *world;
  }

  TimelineState state;
  std::vector<Day> days;  // query days, 1900-2030

 private:
  World() {
    state.MarkCaughtUp();  // built without a catalog: queries answer
    std::mt19937 random(20181026);
    int64_t sequence = 0;
    std::vector<cv1::Change> batch;
    auto flush = [&] {
      if (!state.Apply(batch).ok()) std::abort();
      batch.clear();
    };
    auto emit = [&](cv1::Change change) {
      change.set_sequence(++sequence);
      change.set_type(cv1::CHANGE_TYPE_CREATED);
      change.mutable_commit_time()->set_seconds(1700000000 + sequence / 1000);
      batch.push_back(std::move(change));
      if (batch.size() == 1000) flush();
    };
    for (int i = 0; i < kMissions + kPeople; ++i) {
      cv1::Change change;
      cv1::Entity* entity = change.mutable_entity();
      const bool mission = i < kMissions;
      entity->set_name(absl::StrCat("entities/", mission ? "m" : "p", i));
      entity->set_kind(mission ? "mission" : "person");
      entity->set_label(absl::StrCat("Entity ", i));
      if (mission) entity->mutable_lifespan()->set_edtf(RandomTenure(random));
      emit(std::move(change));
    }
    for (int i = 0; i < kStatements; ++i) {
      cv1::Change change;
      cv1::Statement* statement = change.mutable_statement();
      statement->set_name(absl::StrCat("statements/s", i));
      statement->set_subject(absl::StrCat("entities/m", random() % kMissions));
      statement->set_predicate(
          absl::StrCat("predicate_", random() % kPredicates));
      statement->mutable_object()->set_entity(
          absl::StrCat("entities/p", kMissions + random() % kPeople));
      statement->mutable_valid_time()->set_edtf(RandomTenure(random));
      statement->add_sources()->set_source("entities/m0");
      emit(std::move(change));
    }
    flush();
    state.CompactIndexes();
    for (int i = 0; i < 4096; ++i) {
      days.push_back(temporal::DayFromCivil(1900, 1, 1) +
                     static_cast<Day>(random() % (int64_t{130} * 365)));
    }
  }
};

void ReportMemory(benchmark::State& state) {
  const TimelineMemory memory = World::Get().state.Memory();
  const auto per_extent = [&](size_t bytes) {
    return static_cast<double>(bytes) /
           static_cast<double>(memory.indexed_extents);
  };
  state.counters["index_B/extent"] = per_extent(memory.index_bytes);
  state.counters["entities_B/extent"] = per_extent(memory.entity_bytes);
  state.counters["store_B/extent"] = per_extent(memory.store_bytes);
  state.counters["all_B/extent"] =
      per_extent(memory.index_bytes + memory.entity_bytes + memory.store_bytes);
  state.counters["extents"] = static_cast<double>(memory.indexed_extents);
}

void BM_GetSnapshot(benchmark::State& state) {
  World& world = World::Get();
  v1::GetSnapshotRequest request;
  int64_t i = 0;
  int64_t statements = 0;
  for (auto _ : state) {
    request.set_entity(absl::StrCat("m", (i * 7919) % kMissions));
    request.set_at(temporal::FormatDay(world.days[i % world.days.size()]));
    auto snapshot = world.state.GetSnapshot(request);
    if (!snapshot.ok()) state.SkipWithError("GetSnapshot failed");
    statements += snapshot->statements_size();
    benchmark::DoNotOptimize(snapshot);
    ++i;
  }
  state.counters["statements/call"] =
      static_cast<double>(statements) / static_cast<double>(i);
  ReportMemory(state);
}
BENCHMARK(BM_GetSnapshot)->Unit(benchmark::kMicrosecond);

// How many of the 1,000,000 statements hold on one day, definitely and
// possibly: CountActive with a one-day window, through the whole request
// path (parsing, every predicate's index, the count).
void BM_StabCountAllStatements(benchmark::State& state) {
  World& world = World::Get();
  v1::CountActiveRequest request;
  request.set_bucket(v1::BUCKET_MONTH);
  request.set_item_type(v1::ITEM_TYPE_STATEMENT);
  int64_t i = 0;
  int64_t active = 0;
  for (auto _ : state) {
    const Day day = world.days[i % world.days.size()];
    request.set_from(temporal::FormatDay(day));
    request.set_to(temporal::FormatDay(day));  // one day, included
    auto counts = world.state.CountActive(request);
    if (!counts.ok()) state.SkipWithError("CountActive failed");
    active += counts->buckets(0).definite() + counts->buckets(0).possible();
    ++i;
  }
  state.counters["active/day"] =
      static_cast<double>(active) / static_cast<double>(i);
  ReportMemory(state);
}
BENCHMARK(BM_StabCountAllStatements)->Unit(benchmark::kMicrosecond);

// Statements per month over ten years (120 buckets).
void BM_CountActiveByMonthTenYears(benchmark::State& state) {
  World& world = World::Get();
  v1::CountActiveRequest request;
  request.set_bucket(v1::BUCKET_MONTH);
  request.set_item_type(v1::ITEM_TYPE_STATEMENT);
  request.set_from("1990");
  request.set_to("1999");
  for (auto _ : state) {
    auto counts = world.state.CountActive(request);
    benchmark::DoNotOptimize(counts);
  }
}
BENCHMARK(BM_CountActiveByMonthTenYears)->Unit(benchmark::kMillisecond);

// The first page (50 items) of one predicate's statements overlapping a
// month.
void BM_QueryWindowOneMonthOnePredicate(benchmark::State& state) {
  World& world = World::Get();
  v1::QueryWindowRequest request;
  request.set_predicate("predicate_3");
  int64_t i = 0;
  for (auto _ : state) {
    const Day day = world.days[i % world.days.size()];
    request.set_from(temporal::FormatDay(day));
    request.set_to(temporal::FormatDay(day + 29));  // 30 days
    auto window = world.state.QueryWindow(request);
    benchmark::DoNotOptimize(window);
    ++i;
  }
}
BENCHMARK(BM_QueryWindowOneMonthOnePredicate)->Unit(benchmark::kMicrosecond);

// The bare interval index: 1,000,000 extents, definite and possible counts
// on one day.
void BM_IndexStabCount(benchmark::State& state) {
  static IntervalIndex* index = [] {
    auto* built = new IntervalIndex();
    std::mt19937 random(7);
    for (uint32_t id = 0; id < kStatements; ++id) {
      built->Insert(*temporal::Extent::Parse(RandomTenure(random)), id);
    }
    built->Compact();
    return built;
  }();
  World& world = World::Get();
  int64_t i = 0;
  int64_t hits = 0;
  for (auto _ : state) {
    const Day day = world.days[i % world.days.size()];
    int64_t definite = 0;
    int64_t possible = 0;
    index->ForEachOverlapping(day, day + 1, [&](const IndexedExtent& e) {
      switch (e.HoldsOn(day)) {
        case temporal::Certainty::kDefinite:
          ++definite;
          break;
        case temporal::Certainty::kPossible:
          ++possible;
          break;
        default:
          break;
      }
    });
    hits += definite + possible;
    benchmark::DoNotOptimize(definite);
    ++i;
  }
  state.counters["hits/day"] =
      static_cast<double>(hits) / static_cast<double>(i);
  state.counters["index_B/extent"] = static_cast<double>(index->MemoryBytes()) /
                                     static_cast<double>(index->size());
}
BENCHMARK(BM_IndexStabCount)->Unit(benchmark::kMicrosecond);

// Live ingest: one new statement per Apply call on top of the million.
void BM_ApplyOneStatement(benchmark::State& state) {
  World& world = World::Get();
  std::mt19937 random(99);
  int64_t next = world.state.applied_sequence();
  int64_t id = 0;
  for (auto _ : state) {
    state.PauseTiming();
    cv1::Change change;
    change.set_sequence(++next);
    change.set_type(cv1::CHANGE_TYPE_CREATED);
    change.mutable_commit_time()->set_seconds(1800000000);
    cv1::Statement* statement = change.mutable_statement();
    statement->set_name(absl::StrCat("statements/live", id++));
    statement->set_subject(absl::StrCat("entities/m", random() % kMissions));
    statement->set_predicate(
        absl::StrCat("predicate_", random() % kPredicates));
    statement->mutable_object()->set_text("x");
    statement->mutable_valid_time()->set_edtf(RandomTenure(random));
    state.ResumeTiming();
    if (!world.state.Apply({change}).ok()) state.SkipWithError("Apply failed");
  }
}
BENCHMARK(BM_ApplyOneStatement)
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(20000);

}  // namespace
}  // namespace annals::timeline

BENCHMARK_MAIN();
