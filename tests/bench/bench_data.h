// Deterministic synthetic data for the issue 6 benchmarks, shared by the
// Annals tools (annals_bench_gen, annals_bench_load, timeline_scale_bench)
// and, through the CSV that annals_bench_gen writes, by the PostgreSQL side
// (tests/bench/run, tests/bench/pg/).
//
// THE CONTRACT WITH THE POSTGRESQL SIDE
//
// 1. Data. Dataset(N, seed) is a pure function of N (statements) and seed:
//    - S = max(1, N / 10) subject entities "entities/e<i>", i in [0, S),
//      kind "organization" when i % 3 == 0, else "person"; no lifespans.
//      Plus kSourceCount source entities "entities/source-<k>" (kind
//      "source"), which statements cite.
//    - Statement j in [0, N) is "statements/s<j>": subject e<i> with i
//      uniform over [0, S); one of the kPredicateCount predicates; an object
//      that is always a LITERAL (text, integer or quantity, never an entity),
//      so GetSnapshot(entities/e<i>) returns exactly the statements whose
//      subject is e<i> (the timeline matches an entity as subject or as
//      object entity; sources do not count) -- PostgreSQL's `subject = $1`.
//    - A valid time in EDTF between 1950-01-01 and 2025-12-31: ~60%
//      day-precision bounds ("2011-04-03/2013-07-21"), ~25% month precision
//      ("2011-04/2013-07"), ~10% year precision ("2011/2013"); a tenth of
//      those are single dates (one-day events: "2011-04-03", "2011-04",
//      "2011"); ~3% are ongoing ("2015-03-02/..") and ~2% have an unknown
//      start ("/2015-03-02").
//    - ~2% of statements are retracted after the import (Annals:
//      RetractStatement; PostgreSQL: the rows are absent from the CSV).
// 2. The question both systems answer. Statement j holds, possibly or
//    definitely, on day D iff lower <= D < upper, where lower is the
//    extent's earliest start and upper the day after its latest last day
//    (the library's exclusive latest_end) as the temporal library computes them
//    (docs/temporal-semantics.md). annals_bench_gen writes them as the
//    half-open daterange [lower, upper) of statements.csv: columns
//    `id,subject,predicate,object,lower,upper` (no header), id and subject
//    the integers j and i, an empty lower or upper unbounded. Annals'
//    GetSnapshot(entities/e<i>, at=D) returns the same statements, each
//    DEFINITE or POSSIBLE.
// 3. Query parameters, on both sides: subject uniform over [0, S) (pgbench
//    `random(0, S-1)`), day uniform over [kQueryDayMin, kQueryDayMax]
//    (1950-01-01 .. 2025-12-31, written to meta.json as day_min / day_max).
// 4. A dataset goes into an empty catalog: the same j with another N or
//    seed is another statement, and re-importing it would correct, not add.
// 5. The tools (each prints ONE JSON line on stdout; exit 1 when a call
//    fails, 2 for bad flags; --help lists every flag):
//    - annals_bench_gen --statements=N --seed=S --csv_dir=DIR: DIR/
//      statements.csv as above and DIR/meta.json {statements, subjects,
//      day_min, day_max, avg_value_bytes (the Statement as the catalog
//      stores it), avg_key_bytes (its key, "s<j>"), ...}.
//    - annals_bench_gen --statements=N --seed=S --catalog=HOST:PORT
//      [--batch=1000] [--clients=1] [--timeline=HOST:PORT]: entities, then
//      statements through ImportRecords (only these are timed), then the
//      retractions: {"statements", "seconds", "statements_per_second",
//      "batches", ..., "last_sequence", "timeline_catchup_seconds"}.
//    - annals_bench_load --timeline=HOST:PORT --workload=W --clients=K
//      --seconds=T --statements=N --seed=S [--batch=100]
//      [--warmup_seconds=1]: W in point, point_batch, stab, window, history,
//      ping; {"system":"annals", "workload", "clients", "ops", "qps",
//      "lookups_per_second", "p50_us", "p99_us", "errors", ...}.
//    - annals_bench_feed_lag --catalog=HOST:PORT --timeline=HOST:PORT
//      [--rate=1000] [--seconds=10] [--writers=4]: {"rate_target",
//      "rate_achieved", "writes", "lag_p50_us", "lag_p99_us", "lag_max_us",
//      "write_p50_us", "write_p99_us", "floor_p50_us", ...}.
//    - annals_bench_rss --pid=P: {"pid", "vm_rss_bytes", "vm_hwm_bytes"}.
//    Each tool's file header says exactly what it measures.
//
// Thread safety: Dataset is immutable after construction and safe to share.
//
//   annals::bench::Dataset data(100000, 1);
//   for (int64_t j = 0; j < data.statements(); ++j) {
//     const annals::bench::StatementRecord s = data.Statement(j);
//     ... s.subject, s.edtf, s.lower, s.upper, s.retracted ...
//   }
#ifndef ANNALS_TESTS_BENCH_BENCH_DATA_H_
#define ANNALS_TESTS_BENCH_BENCH_DATA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "annals/catalog/v1/catalog_service.pb.h"
#include "annals/catalog/v1/resources.pb.h"
#include "services/common/temporal/day.h"

namespace annals::bench {

inline constexpr int kPredicateCount = 8;
inline constexpr int kSourceCount = 8;

// The inclusive range of query days, and of every finite bound.
inline constexpr char kQueryDayMinText[] = "1950-01-01";
inline constexpr char kQueryDayMaxText[] = "2025-12-31";
temporal::Day QueryDayMin();
temporal::Day QueryDayMax();

// The predicates, in a fixed order: "member_of", "role", ...
const std::vector<std::string>& Predicates();

// "entities/e<i>", "entities/source-<k>", "statements/s<j>".
std::string SubjectName(int64_t i);
std::string SourceName(int k);
std::string StatementName(int64_t j);

// max(1, statements / 10).
int64_t SubjectCount(int64_t statements);

// One statement of a dataset.
struct StatementRecord {
  int64_t index = 0;    // j
  int64_t subject = 0;  // i
  int predicate = 0;    // index into Predicates()
  catalog::v1::Value object;
  // The EDTF as written (already canonical).
  std::string edtf;
  // The outer extent [lower, upper): earliest start and latest end.
  // temporal::kMinusInfinity / kPlusInfinity when unbounded.
  temporal::Day lower = 0;
  temporal::Day upper = 0;
  int source = 0;  // the cited source, SourceName(source)
  bool retracted = false;
};

class Dataset {
 public:
  // Requires statements >= 1.
  Dataset(int64_t statements, uint64_t seed);

  int64_t statements() const { return statements_; }
  int64_t subjects() const { return subjects_; }
  uint64_t seed() const { return seed_; }

  // Sources first, then subjects in index order, as an import sends them.
  std::vector<catalog::v1::Entity> Entities() const;

  // Statement j (0 <= j < statements()): a pure function of (N, seed, j),
  // so any statement can be made without the others.
  StatementRecord Statement(int64_t j) const;

  // The statement as sent to the catalog (name, subject, predicate, object,
  // valid_time.edtf, one source citation).
  catalog::v1::Statement ToProto(const StatementRecord& record) const;

  // Statement(j).subject and .retracted, without making the rest of it.
  int64_t SubjectOf(int64_t j) const;
  bool IsRetracted(int64_t j) const;

  // The indexes j of the retracted statements, ascending.
  std::vector<int64_t> Retracted() const;

 private:
  int64_t statements_;
  int64_t subjects_;
  uint64_t seed_;
};

// The catalog's change feed after importing `data` and retracting its ~2%:
// the entities, the statements, then the retractions, with sequences from 1
// and a commit time that advances one second per 1,000 changes. For
// building a timeline without a catalog.
void ForEachChange(const Dataset& data,
                   absl::FunctionRef<void(catalog::v1::Change)> emit);

// The object as one CSV/SQL text value: the text, the integer, or
// "<amount> <unit>".
std::string ObjectText(const catalog::v1::Value& object);

// One line of statements.csv (with the trailing newline), quoted per RFC
// 4180 where needed.
std::string CsvRow(const StatementRecord& record);

// A day bound as CSV/ISO text: "" for an unbounded side.
std::string BoundText(temporal::Day day);

// Deterministic pseudo-random numbers (SplitMix64): the same sequence on
// every platform, unlike the std:: distributions. Not thread-safe; use one
// per thread.
class Random {
 public:
  // `stream` separates independent sequences of the same seed.
  Random(uint64_t seed, uint64_t stream);
  uint64_t Next();
  // Uniform over [0, n), n >= 1.
  int64_t Uniform(int64_t n);
  // Uniform over [0, 1).
  double Unit();

 private:
  uint64_t state_;
};

}  // namespace annals::bench

#endif  // ANNALS_TESTS_BENCH_BENCH_DATA_H_
