// What the timeline's index buys: its queries against a linear scan of the
// same extents, on the benchmark dataset (bench_data.h, seed 1) at
// N = 10k, 100k and 1M statements (and 10M with ANNALS_BENCH_10M=1), in the
// memory of this process (no gRPC).
//
//   StabCount/index/N   TimelineState::CountActive of one day over every
//                       statement (the whole in-process request path)
//   StabCount/scan/N    Extent::HoldsOn over every live extent, counting
//                       definite and possible
//   PointAsOf/index/N   TimelineState::GetSnapshot(entities/e<i>, day),
//                       response protos included
//   PointAsOf/scan/N    every live extent whose subject is e<i> and that
//                       holds on the day (ids only: the scan does less work
//                       per match than the index path)
//   Window/index/N      TimelineState::QueryWindow of 30 days, the first
//                       100 statements in chronological order
//
// Parameters are uniform, as in annals_bench_load. Before measuring, each
// world checks that index and scan agree on sampled questions, and aborts
// if not.
//
//   build/tests/bench/timeline_scale_bench --benchmark_format=json
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/common/temporal/day.h"
#include "services/common/temporal/extent.h"
#include "services/timeline/timeline_state.h"
#include "tests/bench/bench_data.h"

namespace annals::bench {
namespace {

namespace cv1 = ::annals::catalog::v1;
namespace tv1 = ::annals::timeline::v1;
using temporal::Certainty;
using temporal::Day;
using temporal::Extent;

constexpr uint64_t kSeed = 1;
constexpr int kParameters = 4096;

// A live (not retracted) statement, as the scan sees it.
struct ScanRow {
  int64_t subject;
  int64_t index;  // j
  Extent extent;
};

class World {
 public:
  // The world of n statements; building one frees the previous.
  static World& For(int64_t n) {
    static World* world = nullptr;
    if (world == nullptr || world->data_.statements() != n) {
      delete world;
      world = nullptr;
      world = new World(n);
    }
    return *world;
  }

  const Dataset& data() const { return data_; }
  const timeline::TimelineState& state() const { return state_; }
  const std::vector<ScanRow>& rows() const { return rows_; }
  Day day(int64_t i) const { return days_[i % days_.size()]; }
  int64_t subject(int64_t i) const { return subjects_[i % subjects_.size()]; }

  int64_t ScanCount(Day day) const {
    int64_t active = 0;
    for (const ScanRow& row : rows_) {
      if (row.extent.HoldsOn(day) != Certainty::kNo) ++active;
    }
    return active;
  }

  void ScanPoint(int64_t subject, Day day, std::vector<int64_t>& out) const {
    out.clear();
    for (const ScanRow& row : rows_) {
      if (row.subject == subject && row.extent.HoldsOn(day) != Certainty::kNo) {
        out.push_back(row.index);
      }
    }
  }

 private:
  explicit World(int64_t n) : data_(n, kSeed) {
    std::fprintf(stderr, "building the world of %lld statements...\n",
                 static_cast<long long>(n));
    std::vector<cv1::Change> batch;
    auto flush = [&] {
      if (!state_.Apply(batch).ok()) {
        std::fprintf(stderr, "Apply failed\n");
        std::abort();
      }
      batch.clear();
    };
    ForEachChange(data_, [&](cv1::Change change) {
      batch.push_back(std::move(change));
      if (batch.size() == 1000) flush();
    });
    rows_.reserve(n);
    for (int64_t j = 0; j < n; ++j) {
      const StatementRecord record = data_.Statement(j);
      if (!record.retracted) {
        rows_.push_back(
            ScanRow{record.subject, j, *Extent::Parse(record.edtf)});
      }
    }
    flush();
    state_.MarkCaughtUp();  // built without a catalog: queries answer
    state_.CompactIndexes();

    Random random(kSeed, 77);
    const Day day_min = QueryDayMin();
    const int64_t days = QueryDayMax() - day_min + 1;
    for (int i = 0; i < kParameters; ++i) {
      days_.push_back(day_min + static_cast<Day>(random.Uniform(days)));
      subjects_.push_back(random.Uniform(data_.subjects()));
    }
    CheckAgreement();
  }

  // The index and the scan answer sampled questions alike.
  void CheckAgreement() const {
    std::vector<int64_t> expected;
    for (int i = 0; i < 16; ++i) {
      tv1::CountActiveRequest request;
      request.set_bucket(tv1::BUCKET_MONTH);
      request.set_item_type(tv1::ITEM_TYPE_STATEMENT);
      request.set_from(temporal::FormatDay(day(i)));
      request.set_to(temporal::FormatDay(day(i)));  // one day
      auto counts = state_.CountActive(request);
      if (!counts.ok() ||
          counts->buckets(0).definite() + counts->buckets(0).possible() !=
              ScanCount(day(i))) {
        std::fprintf(stderr, "stab count disagrees on %s\n",
                     temporal::FormatDay(day(i)).c_str());
        std::abort();
      }
    }
    for (int i = 0; i < 256; ++i) {
      ScanPoint(subject(i), day(i), expected);
      tv1::GetSnapshotRequest request;
      request.set_entity(SubjectName(subject(i)));
      request.set_at(temporal::FormatDay(day(i)));
      auto snapshot = state_.GetSnapshot(request);
      std::vector<std::string> names;
      if (snapshot.ok()) {
        for (const auto& held : snapshot->statements()) {
          names.push_back(held.statement().name());
        }
      }
      std::vector<std::string> wanted;
      for (int64_t j : expected) wanted.push_back(StatementName(j));
      std::sort(names.begin(), names.end());
      std::sort(wanted.begin(), wanted.end());
      if (!snapshot.ok() || names != wanted) {
        std::fprintf(stderr, "snapshot of %s on %s disagrees with the scan\n",
                     SubjectName(subject(i)).c_str(),
                     temporal::FormatDay(day(i)).c_str());
        std::abort();
      }
    }
  }

  const Dataset data_;
  timeline::TimelineState state_;
  std::vector<ScanRow> rows_;
  std::vector<Day> days_;
  std::vector<int64_t> subjects_;
};

void SetCounters(benchmark::State& state, const World& world, int64_t found,
                 int64_t calls) {
  state.counters["N"] = static_cast<double>(world.data().statements());
  state.counters["found/op"] =
      calls > 0 ? static_cast<double>(found) / static_cast<double>(calls) : 0;
  state.SetItemsProcessed(calls);
}

void StabIndex(benchmark::State& state) {
  const World& world = World::For(state.range(0));
  tv1::CountActiveRequest request;
  request.set_bucket(tv1::BUCKET_MONTH);
  request.set_item_type(tv1::ITEM_TYPE_STATEMENT);
  int64_t i = 0;
  int64_t found = 0;
  for (auto _ : state) {
    const Day day = world.day(i++);
    request.set_from(temporal::FormatDay(day));
    request.set_to(temporal::FormatDay(day));  // one day, included
    auto counts = world.state().CountActive(request);
    if (!counts.ok()) {
      state.SkipWithError("CountActive failed");
      break;
    }
    found += counts->buckets(0).definite() + counts->buckets(0).possible();
  }
  SetCounters(state, world, found, i);
}

void StabScan(benchmark::State& state) {
  const World& world = World::For(state.range(0));
  int64_t i = 0;
  int64_t found = 0;
  for (auto _ : state) {
    const int64_t active = world.ScanCount(world.day(i++));
    benchmark::DoNotOptimize(active);
    found += active;
  }
  SetCounters(state, world, found, i);
}

void PointIndex(benchmark::State& state) {
  const World& world = World::For(state.range(0));
  tv1::GetSnapshotRequest request;
  int64_t i = 0;
  int64_t found = 0;
  for (auto _ : state) {
    request.set_entity(SubjectName(world.subject(i)));
    request.set_at(temporal::FormatDay(world.day(i)));
    ++i;
    auto snapshot = world.state().GetSnapshot(request);
    if (!snapshot.ok()) {
      state.SkipWithError("GetSnapshot failed");
      break;
    }
    found += snapshot->statements_size();
  }
  SetCounters(state, world, found, i);
}

void WindowIndex(benchmark::State& state) {
  const World& world = World::For(state.range(0));
  tv1::QueryWindowRequest request;
  request.set_item_type(tv1::ITEM_TYPE_STATEMENT);
  request.set_page_size(100);
  int64_t i = 0;
  int64_t found = 0;
  for (auto _ : state) {
    const Day day = world.day(i++);
    request.set_from(temporal::FormatDay(day));
    request.set_to(temporal::FormatDay(day + 29));  // 30 days
    auto page = world.state().QueryWindow(request);
    if (!page.ok()) {
      state.SkipWithError("QueryWindow failed");
      break;
    }
    found += page->items_size();
  }
  SetCounters(state, world, found, i);
}

void PointScan(benchmark::State& state) {
  const World& world = World::For(state.range(0));
  std::vector<int64_t> held;
  int64_t i = 0;
  int64_t found = 0;
  for (auto _ : state) {
    world.ScanPoint(world.subject(i), world.day(i), held);
    ++i;
    benchmark::DoNotOptimize(held.data());
    found += static_cast<int64_t>(held.size());
  }
  SetCounters(state, world, found, i);
}

void Register() {
  std::vector<int64_t> sizes = {10000, 100000, 1000000};
  const char* big = std::getenv("ANNALS_BENCH_10M");
  if (big != nullptr && std::string(big) == "1") sizes.push_back(10000000);
  // By size first, so that each world is built once.
  for (int64_t n : sizes) {
    benchmark::RegisterBenchmark("StabCount/index", StabIndex)
        ->Arg(n)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("StabCount/scan", StabScan)
        ->Arg(n)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("PointAsOf/index", PointIndex)
        ->Arg(n)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("PointAsOf/scan", PointScan)
        ->Arg(n)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("Window/index", WindowIndex)
        ->Arg(n)
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace
}  // namespace annals::bench

int main(int argc, char** argv) {
  annals::bench::Register();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
