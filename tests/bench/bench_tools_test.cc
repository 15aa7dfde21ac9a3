// Smoke tests of the annals_bench_* tools against real annals-catalog and
// annals-timeline processes, so that the benchmark tools cannot rot: a small
// dataset (N = 2000) is generated, loaded and queried with every workload,
// and the Annals answers are checked against the CSV the PostgreSQL side
// loads -- both systems must answer the same question.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "services/common/temporal/day.h"
#include "tests/bench/bench_data.h"
#include "tests/ops/lifecycle/service_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace annals::testing {
namespace {

using ::annals::bench::Dataset;
using ::google::protobuf::Struct;

constexpr int64_t kStatements = 2000;
constexpr int64_t kSeed = 7;

struct ToolRun {
  int exit_code = -1;
  // The JSON line printed, parsed; nullopt if there was none.
  std::optional<Struct> json;
  std::string line;
};

// Runs a tool to completion and parses the JSON line it prints.
ToolRun RunTool(const std::vector<std::string>& argv) {
  Subprocess process(argv);
  ToolRun run;
  std::optional<std::string> line = process.WaitForLine(R"(^(\{.*\})\s*$)");
  while (process.WaitForLine("^$").has_value()) {
  }
  const int status = process.Wait();
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (line.has_value()) {
    run.line = *line;
    Struct parsed;
    if (google::protobuf::util::JsonStringToMessage(*line, &parsed).ok()) {
      run.json = parsed;
    }
  }
  return run;
}

double Number(const Struct& json, const std::string& key) {
  auto it = json.fields().find(key);
  return it == json.fields().end() ? -1 : it->second.number_value();
}

std::string Text(const Struct& json, const std::string& key) {
  auto it = json.fields().find(key);
  return it == json.fields().end() ? "" : it->second.string_value();
}

// A row of statements.csv.
struct CsvRow {
  int64_t id;
  int64_t subject;
  std::string predicate;
  std::string object;
  std::string lower;  // "" unbounded
  std::string upper;
};

std::vector<CsvRow> ReadCsv(const std::string& path) {
  std::ifstream file(path);
  std::vector<CsvRow> rows;
  std::string line;
  while (std::getline(file, line)) {
    // The generated objects never need quoting, so a plain split is exact.
    std::vector<std::string> fields = absl::StrSplit(line, ',');
    EXPECT_EQ(fields.size(), 6u) << line;
    if (fields.size() != 6) continue;
    rows.push_back(CsvRow{std::stoll(fields[0]), std::stoll(fields[1]),
                          fields[2], fields[3], fields[4], fields[5]});
  }
  return rows;
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

ToolRun Gen(const std::vector<std::string>& flags) {
  std::vector<std::string> argv = {ANNALS_BENCH_GEN_BINARY};
  argv.insert(argv.end(), flags.begin(), flags.end());
  return RunTool(argv);
}

TEST(BenchGenTest, CsvHasOneRowPerLiveStatementWithItsPossibleExtent) {
  TempDir dir;
  ToolRun run =
      Gen({"--statements=2000", "--seed=7", "--csv_dir=" + dir.Sub("pg")});
  ASSERT_EQ(run.exit_code, 0) << run.line;
  ASSERT_TRUE(run.json.has_value()) << run.line;

  const Dataset data(kStatements, kSeed);
  const int64_t retracted = static_cast<int64_t>(data.Retracted().size());
  EXPECT_GT(retracted, 0);
  std::vector<CsvRow> rows = ReadCsv(dir.Sub("pg/statements.csv"));
  ASSERT_EQ(static_cast<int64_t>(rows.size()), kStatements - retracted);
  EXPECT_EQ(Number(*run.json, "rows"), kStatements - retracted);

  std::set<int64_t> ids;
  int64_t unbounded_lower = 0;
  int64_t unbounded_upper = 0;
  for (const CsvRow& row : rows) {
    ids.insert(row.id);
    EXPECT_FALSE(data.IsRetracted(row.id)) << row.id;
    EXPECT_GE(row.subject, 0);
    EXPECT_LT(row.subject, data.subjects());
    if (row.lower.empty()) ++unbounded_lower;
    if (row.upper.empty()) ++unbounded_upper;
    if (!row.lower.empty() && !row.upper.empty()) {
      EXPECT_LT(row.lower, row.upper) << row.id;
    }
    if (!row.lower.empty()) {
      EXPECT_GE(row.lower, "1950-01-01");
    }
    if (!row.upper.empty()) {
      EXPECT_LE(row.upper, "2026-01-01");
    }
  }
  EXPECT_EQ(ids.size(), rows.size());
  // The mix includes ongoing statements and unknown starts.
  EXPECT_GT(unbounded_lower, 0);
  EXPECT_GT(unbounded_upper, 0);

  Struct meta;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  ReadFile(dir.Sub("pg/meta.json")), &meta)
                  .ok());
  EXPECT_EQ(Number(meta, "statements"), kStatements);
  EXPECT_EQ(Number(meta, "subjects"), data.subjects());
  EXPECT_EQ(Text(meta, "day_min"), "1950-01-01");
  EXPECT_EQ(Text(meta, "day_max"), "2025-12-31");
  EXPECT_GT(Number(meta, "avg_value_bytes"), 50);
  EXPECT_GT(Number(meta, "avg_key_bytes"), 1);
}

TEST(BenchGenTest, SameSeedGivesTheSameCsvAndAnotherSeedDoesNot) {
  TempDir dir;
  ASSERT_EQ(Gen({"--statements=500", "--seed=3", "--csv_dir=" + dir.Sub("a")})
                .exit_code,
            0);
  ASSERT_EQ(Gen({"--statements=500", "--seed=3", "--csv_dir=" + dir.Sub("b")})
                .exit_code,
            0);
  ASSERT_EQ(Gen({"--statements=500", "--seed=4", "--csv_dir=" + dir.Sub("c")})
                .exit_code,
            0);
  const std::string a = ReadFile(dir.Sub("a/statements.csv"));
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, ReadFile(dir.Sub("b/statements.csv")));
  EXPECT_EQ(ReadFile(dir.Sub("a/meta.json")), ReadFile(dir.Sub("b/meta.json")));
  EXPECT_NE(a, ReadFile(dir.Sub("c/statements.csv")));
}

TEST(BenchToolsTest, BadFlagsExitWithStatusTwo) {
  const std::vector<std::vector<std::string>> bad = {
      {ANNALS_BENCH_GEN_BINARY, "--statements=10"},  // neither csv nor catalog
      {ANNALS_BENCH_GEN_BINARY, "--statements=0", "--csv_dir=/tmp/x"},
      {ANNALS_BENCH_GEN_BINARY, "--statements=10", "--catalog=nohost"},
      {ANNALS_BENCH_GEN_BINARY, "--statements=10", "--csv_dir=/tmp/x",
       "--frobnicate=1"},
      {ANNALS_BENCH_LOAD_BINARY, "--timeline=127.0.0.1:1", "--workload=bogus",
       "--statements=10"},
      {ANNALS_BENCH_LOAD_BINARY, "--timeline=127.0.0.1:1", "--workload=point"},
      {ANNALS_BENCH_LOAD_BINARY, "--timeline=127.0.0.1:1", "--workload=point",
       "--statements=10", "--batch=1001"},
      {ANNALS_BENCH_FEED_LAG_BINARY, "--timeline=127.0.0.1:1"},
      {ANNALS_BENCH_FEED_LAG_BINARY, "--timeline=127.0.0.1:1",
       "--catalog=127.0.0.1:2", "--rate=0"},
      {ANNALS_BENCH_RSS_BINARY, "--pid=abc"},
      {ANNALS_BENCH_RSS_BINARY, "positional"},
  };
  for (const std::vector<std::string>& argv : bad) {
    ToolRun run = RunTool(argv);
    EXPECT_EQ(run.exit_code, 2) << argv[0] << " " << argv[1];
    EXPECT_FALSE(run.json.has_value()) << run.line;
  }
}

TEST(BenchToolsTest, RssReportsTheResidentMemoryOfAProcess) {
  ToolRun run =
      RunTool({ANNALS_BENCH_RSS_BINARY, absl::StrCat("--pid=", getpid())});
  ASSERT_EQ(run.exit_code, 0);
  ASSERT_TRUE(run.json.has_value()) << run.line;
  EXPECT_EQ(Number(*run.json, "pid"), getpid());
  EXPECT_GT(Number(*run.json, "vm_rss_bytes"), 1 << 20);
  EXPECT_GE(Number(*run.json, "vm_hwm_bytes"),
            Number(*run.json, "vm_rss_bytes"));

  // A process that has gone away.
  const pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  waitpid(child, nullptr, 0);
  EXPECT_EQ(RunTool({ANNALS_BENCH_RSS_BINARY, absl::StrCat("--pid=", child)})
                .exit_code,
            1);
}

// A catalog and a timeline holding the dataset (N = 2000, seed 7), and its
// CSV.
class BenchServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_ = StartCatalog(dir_.Sub("catalog"));
    ASSERT_TRUE(catalog_.ok());
    timeline_ = StartTimeline(catalog_.address());
    ASSERT_TRUE(timeline_.ok());
    import_ =
        Gen({"--statements=2000", "--seed=7", "--catalog=" + catalog_.address(),
             "--batch=1000", "--clients=2", "--timeline=" + timeline_.address(),
             "--csv_dir=" + dir_.Sub("pg")});
    ASSERT_EQ(import_.exit_code, 0) << import_.line;
    ASSERT_TRUE(import_.json.has_value()) << import_.line;
  }

  ToolRun Load(const std::string& workload,
               const std::string& timeline_address = "") {
    return RunTool(
        {ANNALS_BENCH_LOAD_BINARY,
         "--timeline=" + (timeline_address.empty() ? timeline_.address()
                                                   : timeline_address),
         "--workload=" + workload, "--clients=2", "--seconds=1",
         "--warmup_seconds=0.2", "--statements=2000", "--seed=7", "--batch=50",
         "--catalog=" + catalog_.address()});
  }

  TempDir dir_;
  ServiceProcess catalog_;
  ServiceProcess timeline_;
  ToolRun import_;
};

TEST_F(BenchServicesTest, ImportReportsEveryStatementAndRetraction) {
  const Struct& json = *import_.json;
  const Dataset data(kStatements, kSeed);
  EXPECT_EQ(Number(json, "statements"), kStatements);
  EXPECT_EQ(Number(json, "statements_created"), kStatements);
  EXPECT_EQ(Number(json, "batches"), 2);
  EXPECT_GT(Number(json, "seconds"), 0);
  EXPECT_GT(Number(json, "statements_per_second"), 0);
  EXPECT_EQ(Number(json, "entities"), bench::kSourceCount + data.subjects());
  EXPECT_EQ(Number(json, "retracted"),
            static_cast<double>(data.Retracted().size()));
  // Every entity, statement and retraction is one change.
  EXPECT_EQ(Number(json, "last_sequence"),
            bench::kSourceCount + data.subjects() + kStatements +
                static_cast<double>(data.Retracted().size()));
  EXPECT_GE(Number(json, "timeline_catchup_seconds"), 0);
  EXPECT_EQ(Number(json, "rows"),
            kStatements - static_cast<double>(data.Retracted().size()));
}

TEST_F(BenchServicesTest, EveryWorkloadRunsWithoutErrors) {
  for (const char* workload : {"point", "point_batch", "point_stream", "stab",
                               "window", "history", "ping"}) {
    SCOPED_TRACE(workload);
    ToolRun run = Load(workload);
    EXPECT_EQ(run.exit_code, 0) << run.line;
    ASSERT_TRUE(run.json.has_value()) << run.line;
    const Struct& json = *run.json;
    EXPECT_EQ(Text(json, "system"), "annals");
    EXPECT_EQ(Text(json, "workload"), workload);
    EXPECT_EQ(Number(json, "clients"), 2);
    EXPECT_GT(Number(json, "ops"), 0);
    EXPECT_GT(Number(json, "qps"), 0);
    EXPECT_EQ(Number(json, "errors"), 0);
    EXPECT_GT(Number(json, "p50_us"), 0);
    EXPECT_GE(Number(json, "p99_us"), Number(json, "p50_us"));
    const bool batched = std::string(workload) == "point_batch" ||
                         std::string(workload) == "point_stream";
    const double batch = batched ? 50 : 1;
    EXPECT_EQ(Text(json, "transport"), "tcp");
    EXPECT_NEAR(Number(json, "lookups_per_second"), Number(json, "qps") * batch,
                0.1 * batch);
    if (std::string(workload) != "ping" && std::string(workload) != "point") {
      // Every query finds something (a single point lookup may not).
      EXPECT_GT(Number(json, "rows_per_op"), 0);
    }
  }
}

// For sampled (subject, day) pairs, GetSnapshot returns exactly the CSV rows
// with that subject and lower <= day < upper: what PostgreSQL's
// `subject = $1 AND valid @> $2::date` returns.
TEST_F(BenchServicesTest, SnapshotsAreTheStatementsWhoseCsvRangeHoldsTheDay) {
  const std::vector<CsvRow> rows = ReadCsv(dir_.Sub("pg/statements.csv"));
  ASSERT_FALSE(rows.empty());
  auto expected = [&](int64_t subject, const std::string& day) {
    std::set<std::string> names;
    for (const CsvRow& row : rows) {
      if (row.subject == subject && (row.lower.empty() || row.lower <= day) &&
          (row.upper.empty() || day < row.upper)) {
        names.insert(bench::StatementName(row.id));
      }
    }
    return names;
  };

  // Days on the edges of ranges, where an off-by-one would show, and
  // random ones.
  std::vector<std::pair<int64_t, std::string>> questions;
  bench::Random random(11, 0);
  for (int k = 0; k < 30; ++k) {
    const CsvRow& row = rows[random.Uniform(static_cast<int64_t>(rows.size()))];
    for (const std::string& bound : {row.lower, row.upper}) {
      if (bound.empty()) continue;
      const temporal::Day day = *temporal::ParseDay(bound);
      questions.push_back({row.subject, temporal::FormatDay(day - 1)});
      questions.push_back({row.subject, temporal::FormatDay(day)});
    }
  }
  const temporal::Day first = bench::QueryDayMin();
  for (int k = 0; k < 40; ++k) {
    questions.push_back(
        {random.Uniform(bench::SubjectCount(kStatements)),
         temporal::FormatDay(first + static_cast<temporal::Day>(random.Uniform(
                                         bench::QueryDayMax() - first + 1)))});
  }

  auto stub = TimelineStub(timeline_.address());
  int64_t nonempty = 0;
  for (const auto& [subject, day] : questions) {
    timeline::v1::GetSnapshotRequest request;
    request.set_entity(bench::SubjectName(subject));
    request.set_at(day);
    timeline::v1::GetSnapshotResponse response;
    grpc::ClientContext context;
    SetDeadline(context, absl::Seconds(10));
    ASSERT_OK(stub->GetSnapshot(&context, request, &response));
    std::set<std::string> names;
    for (const auto& held : response.statements()) {
      names.insert(held.statement().name());
    }
    EXPECT_EQ(names, expected(subject, day))
        << bench::SubjectName(subject) << " on " << day;
    if (!names.empty()) ++nonempty;
  }
  // The edge questions make sure many answers are not empty.
  EXPECT_GT(nonempty, 20);
}

TEST_F(BenchServicesTest, LoadRunsOverAUnixDomainSocket) {
  const std::string socket = "unix:" + dir_.Sub("timeline.sock");
  ServiceProcess timeline =
      StartTimeline(catalog_.address(), {"--listen=" + socket});
  ASSERT_TRUE(timeline.ok());
  for (const char* workload : {"ping", "point", "point_stream"}) {
    SCOPED_TRACE(workload);
    ToolRun run = Load(workload, socket);
    EXPECT_EQ(run.exit_code, 0) << run.line;
    ASSERT_TRUE(run.json.has_value()) << run.line;
    EXPECT_EQ(Text(*run.json, "transport"), "unix");
    EXPECT_GT(Number(*run.json, "ops"), 0);
    EXPECT_EQ(Number(*run.json, "errors"), 0);
  }
}

// echo_bench serves each server API and answers over both transports.
TEST(EchoBenchTest, EveryServerApiAnswersOverBothTransports) {
  TempDir dir;
  Subprocess process({ECHO_BENCH_BINARY, "--seconds=0.1", "--clients=1,2",
                      "--configs=callback,callback+icpt,sync/pollers=1-2,"
                      "async/2cq",
                      "--json=" + dir.Sub("echo.jsonl")});
  while (process.WaitForLine("^$").has_value()) {
  }
  const int status = process.Wait();
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::ifstream lines(dir.Sub("echo.jsonl"));
  std::set<std::string> cells;
  for (std::string line; std::getline(lines, line);) {
    Struct json;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &json).ok())
        << line;
    EXPECT_GT(Number(json, "qps"), 0) << line;
    EXPECT_EQ(Number(json, "errors"), 0) << line;
    cells.insert(absl::StrCat(Text(json, "config"), "/",
                              Text(json, "transport"), "/",
                              Number(json, "clients")));
  }
  EXPECT_EQ(cells.size(), 4u * 2 * 2);
}

TEST_F(BenchServicesTest, LoadRefusesATimelineHoldingAnotherDataset) {
  ToolRun run =
      RunTool({ANNALS_BENCH_LOAD_BINARY, "--timeline=" + timeline_.address(),
               "--workload=ping", "--seconds=0.2", "--statements=3000",
               "--seed=7", "--ready_timeout=1"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_FALSE(run.json.has_value()) << run.line;
}

TEST_F(BenchServicesTest, FeedLagMeasuresEveryAcknowledgedWrite) {
  ToolRun run =
      RunTool({ANNALS_BENCH_FEED_LAG_BINARY, "--catalog=" + catalog_.address(),
               "--timeline=" + timeline_.address(), "--rate=100", "--seconds=1",
               "--writers=2", "--warmup_seconds=0.2"});
  EXPECT_EQ(run.exit_code, 0) << run.line;
  ASSERT_TRUE(run.json.has_value()) << run.line;
  const Struct& json = *run.json;
  EXPECT_EQ(Number(json, "rate_target"), 100);
  EXPECT_GT(Number(json, "writes"), 0);
  EXPECT_GT(Number(json, "rate_achieved"), 0);
  EXPECT_EQ(Number(json, "errors"), 0);
  EXPECT_GT(Number(json, "lag_p50_us"), 0);
  EXPECT_GE(Number(json, "lag_max_us"), Number(json, "lag_p99_us"));
  EXPECT_GT(Number(json, "write_p50_us"), 0);
  EXPECT_GT(Number(json, "floor_p50_us"), 0);
  EXPECT_FALSE(Text(json, "method").empty());
}

}  // namespace
}  // namespace annals::testing
