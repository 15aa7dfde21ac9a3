// annals_bench_timeline_state: the timeline's state on its folder, in
// process and without a catalog, at any N: how fast it is built from the
// feed, how much memory it then holds, and how fast a restart loads it.
//
//   annals_bench_timeline_state --statements=N --data_dir=DIR --mode=build
//   annals_bench_timeline_state --statements=N --data_dir=DIR --mode=reopen
//   annals_bench_timeline_state --statements=N --data_dir=DIR \
//       --mode=reopen --without_saved_indexes=true
//
// build: applies the benchmark data set's whole change feed (bench_data.h:
// ForEachChange, batches of 1,000) to a state on an empty DIR, as a cold
// timeline does (minus the catalog and the network), then compacts its
// indexes (as a timeline does once caught up) and saves them (as a clean
// stop does). Prints the changes applied per second and the resident
// memory before and after: rss_per_statement = (RSS after - RSS of the
// empty state) / N, the figure of docs/benchmarks.md.
// reopen: opens DIR as a restarted timeline does and answers one lookup;
// prints how long that took and the RSS, then saves the indexes as a clean
// stop does. --without_saved_indexes=true removes the saved indexes first:
// the restart after a crash.
#include <malloc.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/timeline/timeline_state.h"
#include "tests/bench/bench_data.h"
#include "tests/bench/bench_tool.h"

namespace annals::bench {
namespace {

namespace cv1 = ::annals::catalog::v1;
using timeline::TimelineState;

constexpr char kProgram[] = "annals_bench_timeline_state";

// This process's VmRSS in bytes.
int64_t ResidentBytes() {
  std::ifstream file("/proc/self/status");
  const std::string status((std::istreambuf_iterator<char>(file)),
                           std::istreambuf_iterator<char>());
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    if (!absl::ConsumePrefix(&line, "VmRSS:")) continue;
    line = absl::StripAsciiWhitespace(line);
    absl::ConsumeSuffix(&line, "kB");
    int64_t kilobytes = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &kilobytes)) {
      return kilobytes * 1024;
    }
  }
  return -1;
}

std::unique_ptr<TimelineState> OpenOrExit(const std::string& path,
                                          int64_t cache_mb) {
  absl::StatusOr<std::unique_ptr<TimelineState>> state =
      TimelineState::Open(timeline::TimelineLimits(),
                          {.path = path, .block_cache_bytes = cache_mb << 20});
  if (!state.ok()) RunFailed(kProgram, state.status().ToString());
  return *std::move(state);
}

void Lookup(const TimelineState& state) {
  timeline::v1::GetSnapshotRequest request;
  request.set_entity("entities/e0");
  request.set_at("2000-01-01");
  absl::StatusOr<timeline::v1::GetSnapshotResponse> snapshot =
      state.GetSnapshot(request);
  if (!snapshot.ok()) RunFailed(kProgram, snapshot.status().ToString());
}

int Main(int argc, char** argv) {
  ToolFlags flags(
      kProgram,
      "annals_bench_timeline_state: builds the timeline's state of the "
      "benchmark data set on a folder, or reopens it; prints one JSON "
      "line.\n\n  annals_bench_timeline_state --statements=N --data_dir=DIR "
      "--mode=build|reopen",
      {{"statements", "", "Statements in the data set (N >= 1).", true},
       {"seed", "1", "Seed of the data set.", false},
       {"data_dir", "", "The state's folder (empty for build).", true},
       {"mode", "build", "build or reopen.", false},
       {"block_cache_mb", "64", "The folder's block cache, in MiB.", false},
       {"without_saved_indexes", "false",
        "reopen: remove the indexes a clean stop saved (a crash).", false}});
  flags.ParseOrExit(argc, argv);
  const int64_t n = flags.Int("statements", 1, int64_t{1} << 32);
  const std::string path = flags.String("data_dir");
  const std::string mode = flags.String("mode");
  const int64_t cache_mb = flags.Int("block_cache_mb", 1, 1 << 20);
  JsonLine json;
  json.Text("mode", mode).Int("statements", n);
  if (mode == "build") {
    const Dataset data(n, static_cast<uint64_t>(flags.Int("seed", 0, 1 << 30)));
    std::unique_ptr<TimelineState> state = OpenOrExit(path, cache_mb);
    const int64_t empty = ResidentBytes();
    const absl::Time start = absl::Now();
    std::vector<cv1::Change> batch;
    int64_t changes = 0;
    auto flush = [&] {
      absl::Status applied = state->Apply(batch);
      if (!applied.ok()) RunFailed(kProgram, applied.ToString());
      changes += static_cast<int64_t>(batch.size());
      batch.clear();
    };
    ForEachChange(data, [&](cv1::Change change) {
      batch.push_back(std::move(change));
      if (batch.size() == 1000) flush();
    });
    flush();
    state->MarkCaughtUp();
    state->CompactIndexes();
    // As the timeline does once caught up (MemoryReturner): the heap the
    // index rebuilds left behind goes back to the system.
    malloc_trim(0);
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    Lookup(*state);
    const int64_t after = ResidentBytes();
    const timeline::TimelineMemory memory = state->Memory();
    const absl::Time save_start = absl::Now();
    absl::Status saved = state->SaveIndexes();
    if (!saved.ok()) RunFailed(kProgram, saved.ToString());
    json.Int("changes", changes)
        .Number("seconds", seconds, 2)
        .Number("changes_per_second", changes / seconds, 0)
        .Int("rss_empty_bytes", empty)
        .Int("rss_bytes", after)
        .Number("rss_per_statement",
                static_cast<double>(after - empty) / static_cast<double>(n), 1)
        .Number("index_bytes_per_statement",
                static_cast<double>(memory.index_bytes) / n, 1)
        .Number("entity_bytes_per_statement",
                static_cast<double>(memory.entity_bytes) / n, 1)
        .Int("store_memory_bytes", static_cast<int64_t>(memory.store_bytes))
        .Number("save_seconds", absl::ToDoubleSeconds(absl::Now() - save_start),
                2);
  } else if (mode == "reopen") {
    if (flags.Bool("without_saved_indexes")) {
      std::filesystem::remove(path + "/annals-timeline-indexes");
    }
    const int64_t before = ResidentBytes();
    const absl::Time start = absl::Now();
    std::unique_ptr<TimelineState> state = OpenOrExit(path, cache_mb);
    Lookup(*state);
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    const int64_t after = ResidentBytes();
    // A clean stop, so that the next reopen finds the indexes saved.
    const absl::Time save_start = absl::Now();
    absl::Status saved = state->SaveIndexes();
    if (!saved.ok()) RunFailed(kProgram, saved.ToString());
    json.Number("seconds", seconds, 2)
        .Bool("from_saved_indexes", state->store_load().from_saved_indexes)
        .Int("records", static_cast<int64_t>(state->store_load().records))
        .Int("rss_bytes", after)
        .Int("rss_before_bytes", before)
        .Number("rss_per_statement",
                static_cast<double>(after - before) / static_cast<double>(n), 1)
        .Number("save_seconds", absl::ToDoubleSeconds(absl::Now() - save_start),
                2);
  } else {
    flags.UsageError("--mode: build or reopen");
  }
  std::printf("%s\n", json.str().c_str());
  return 0;
}

}  // namespace
}  // namespace annals::bench

int main(int argc, char** argv) { return annals::bench::Main(argc, argv); }
