// Damaged data folders under the real annals-catalog (issue 12, items 3 and
// 11): a write-ahead log corrupted in the middle, truncated or deleted after
// a SIGKILL; a flipped bit in a table file; a RocksDB database some other
// program made.
//
// Each damage test writes kFlushedWrites acknowledged entities, kills the
// catalog and restarts it (its recovery flushes them to table files), then
// writes kLoggedWrites more, which stay in the live write-ahead log when it
// is killed again. After the damage the catalog must refuse to start, with
// DATA_LOSS naming what it found, as often as it is asked; with
// --accept_data_loss it starts, says loudly what it dropped, and serves a
// gap-free prefix of what was acknowledged.
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "tests/fault/fault_testing.h"
#include "tests/ops/lifecycle/service_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace annals::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr int kFlushedWrites = 100;
constexpr int kLoggedWrites = 200;

using Outcome = RunOutcome;

std::vector<std::string> CatalogArgs(const std::string& data_dir,
                                     const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {
      ANNALS_CATALOG_BINARY, "--listen=127.0.0.1:0", "--data_dir=" + data_dir,
      "--metrics_listen=off"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

// Runs the catalog on `data_dir` expecting it to give up; a catalog that
// starts instead is killed after `timeout` and reported with exit_code -1.
Outcome RunCatalogToExit(const std::string& data_dir,
                         const std::vector<std::string>& extra = {},
                         absl::Duration timeout = absl::Seconds(15)) {
  return RunToExit(CatalogArgs(data_dir, extra),
                   static_cast<int>(absl::ToInt64Seconds(timeout)));
}

// A catalog started with `extra` flags, its stderr merged into its stdout
// so that what it says before "listening on" can be read.
struct Started {
  std::unique_ptr<Subprocess> process;
  int port = 0;
  int64_t start_sequence = -1;
  // Everything printed up to the "listening on" line.
  std::string output;
};

Started StartCatalogWith(const std::string& data_dir,
                         const std::vector<std::string>& extra) {
  std::vector<std::string> words;
  for (const std::string& arg : CatalogArgs(data_dir, extra)) {
    words.push_back(ShellQuote(arg));
  }
  Started started;
  started.process = std::make_unique<Subprocess>(std::vector<std::string>{
      "/bin/sh", "-c",
      absl::StrCat("exec ", absl::StrJoin(words, " "), " 2>&1")});
  while (true) {
    std::optional<std::string> line = started.process->WaitForLine("(.*)");
    if (!line.has_value()) break;
    started.output += *line + "\n";
    std::smatch match;
    if (std::regex_search(
            *line, match,
            std::regex(R"(listening on .*\(port (\d+)\).*sequence (\d+))"))) {
      started.port = std::stoi(match[1].str());
      started.start_sequence = std::stoll(match[2].str());
      break;
    }
  }
  return started;
}

// Starts the catalog on `data_dir`, makes `count` acknowledged entities
// "{prefix}-{i}", and SIGKILLs it. Returns the head it acknowledged, or -1.
int64_t WriteAndKill(const std::string& data_dir, const std::string& prefix,
                     int count) {
  ServiceProcess catalog = StartCatalog(data_dir);
  if (!catalog.ok()) {
    ADD_FAILURE() << "the catalog did not start on " << data_dir;
    return -1;
  }
  auto stub = CatalogStub(catalog.address());
  int64_t head = catalog.start_sequence;
  for (int i = 0; i < count; ++i) {
    catalog::v1::Entity created;
    grpc::Status status =
        CreateEvent(*stub, absl::StrCat(prefix, "-", i), &created);
    if (!status.ok()) {
      ADD_FAILURE() << "CreateEntity " << i << ": " << status.error_message();
      return -1;
    }
    head = created.sequence();
  }
  catalog.process->Kill(SIGKILL);
  return head;
}

// kFlushedWrites in table files, then kLoggedWrites only in the live
// write-ahead log of a killed catalog. Returns the acknowledged head.
int64_t FlushedThenLogged(const std::string& data_dir) {
  if (WriteAndKill(data_dir, "flushed", kFlushedWrites) != kFlushedWrites) {
    return -1;
  }
  return WriteAndKill(data_dir, "logged", kLoggedWrites);
}

// The files of `dir` whose names end in `suffix`, by name.
std::vector<fs::path> FilesEndingIn(const std::string& dir,
                                    const std::string& suffix) {
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Inverts `count` bytes of `file` from `offset`.
void InvertBytes(const fs::path& file, uint64_t offset, int count) {
  std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(stream) << file;
  std::string bytes(count, '\0');
  stream.seekg(offset);
  stream.read(bytes.data(), count);
  for (char& c : bytes) c = static_cast<char>(~c);
  stream.seekp(offset);
  stream.write(bytes.data(), count);
  ASSERT_TRUE(stream) << file;
}

// The offsets at which the records of the write-ahead log `file` start
// (format below).
std::vector<uint64_t> RecordStarts(const fs::path& file) {
  std::ifstream stream(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(stream)),
                    std::istreambuf_iterator<char>());
  std::vector<uint64_t> starts;
  uint64_t pos = 0;
  while (pos + 7 <= bytes.size()) {
    const uint64_t left_in_block = 32768 - pos % 32768;
    if (left_in_block < 7) {
      pos += left_in_block;
      continue;
    }
    starts.push_back(pos);
    pos +=
        7 + (static_cast<uint8_t>(bytes[pos + 4]) |
             static_cast<uint64_t>(static_cast<uint8_t>(bytes[pos + 5])) << 8);
  }
  return starts;
}

// An offset inside the payload of the write-ahead log record of `file`
// that spans its middle, or 0. RocksDB's log is LevelDB's format: 32 KiB
// blocks of records, each a 7-byte header (checksum 4, length 2, type 1)
// and a payload; a block's last 6 bytes or fewer are padding.
uint64_t OffsetInsideMiddleRecord(const fs::path& file) {
  std::ifstream stream(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(stream)),
                    std::istreambuf_iterator<char>());
  constexpr uint64_t kBlock = 32768;
  constexpr uint64_t kHeader = 7;
  const uint64_t middle = bytes.size() / 2;
  uint64_t pos = 0;
  while (pos + kHeader <= bytes.size()) {
    const uint64_t left_in_block = kBlock - pos % kBlock;
    if (left_in_block < kHeader) {
      pos += left_in_block;
      continue;
    }
    const uint64_t length =
        static_cast<uint8_t>(bytes[pos + 4]) |
        static_cast<uint64_t>(static_cast<uint8_t>(bytes[pos + 5])) << 8;
    const uint64_t end = pos + kHeader + length;
    if (end > middle && length >= 2) return pos + kHeader + length / 2;
    pos = end;
  }
  return 0;
}

// The catalog refuses `data_dir` with DATA_LOSS and every one of `words` in
// its message, twice (a refusal must not repair the folder into silence).
void ExpectRefusedWithDataLoss(const std::string& data_dir,
                               const std::vector<std::string>& words) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    Outcome outcome = RunCatalogToExit(data_dir);
    if (attempt == 0) std::printf("refused:\n%s", outcome.output.c_str());
    EXPECT_EQ(outcome.exit_code, 1) << "attempt " << attempt << ":\n"
                                    << outcome.output;
    EXPECT_THAT(outcome.output, HasSubstr("annals-catalog: DATA_LOSS"))
        << "attempt " << attempt;
    for (const std::string& word : words) {
      EXPECT_THAT(outcome.output, HasSubstr(word)) << "attempt " << attempt;
    }
  }
}

// With --accept_data_loss the catalog starts, says what it dropped (naming
// `named`), and serves sequences 1..start without a gap, with start in
// [at_least, at_most] (the acknowledged head was `acknowledged`); the next
// plain start is clean.
void ExpectAcceptedLoss(const std::string& data_dir, int64_t acknowledged,
                        int64_t at_least, int64_t at_most,
                        const std::string& named) {
  Started started = StartCatalogWith(data_dir, {"--accept_data_loss"});
  ASSERT_NE(started.port, 0) << started.output;
  EXPECT_THAT(started.output, HasSubstr("DATA LOSS ACCEPTED"));
  EXPECT_THAT(started.output, HasSubstr(named));
  EXPECT_GE(started.start_sequence, at_least);
  EXPECT_LE(started.start_sequence, at_most);
  std::printf("accepted loss: acknowledged head %lld, restarted at %lld\n",
              static_cast<long long>(acknowledged),
              static_cast<long long>(started.start_sequence));
  auto stub = CatalogStub(absl::StrCat("127.0.0.1:", started.port));
  FeedRead feed = ReadWholeFeed(*stub);
  EXPECT_EQ(feed.problem, "");
  EXPECT_EQ(feed.head, started.start_sequence);
  EXPECT_TRUE(ExitedZero(started.process->Kill(SIGTERM)));

  ServiceProcess again = StartCatalog(data_dir);
  ASSERT_TRUE(again.ok()) << "a plain start after the accepted loss failed";
  EXPECT_EQ(again.start_sequence, started.start_sequence);
  EXPECT_TRUE(ExitedZero(again.process->Kill(SIGTERM)));
}

TEST(WalDamageTest, IntactWalAfterSigkillKeepsEveryAcknowledgedWrite) {
  TempDir dir;
  const std::string data = dir.Sub("catalog");
  const int64_t head = FlushedThenLogged(data);
  ASSERT_EQ(head, kFlushedWrites + kLoggedWrites);
  ServiceProcess catalog = StartCatalog(data);
  ASSERT_TRUE(catalog.ok());
  EXPECT_EQ(catalog.start_sequence, head);
  EXPECT_TRUE(ExitedZero(catalog.process->Kill(SIGTERM)));
}

TEST(WalDamageTest, WalCorruptedInTheMiddleStopsTheCatalogWithDataLoss) {
  TempDir dir;
  const std::string data = dir.Sub("catalog");
  const int64_t head = FlushedThenLogged(data);
  ASSERT_EQ(head, kFlushedWrites + kLoggedWrites);
  std::vector<fs::path> logs = FilesEndingIn(data, ".log");
  ASSERT_FALSE(logs.empty());
  const fs::path wal = logs.back();
  const uint64_t size = fs::file_size(wal);
  ASSERT_GT(size, 1000u) << "the writes should be in the live log";
  InvertBytes(wal, size / 2, 16);

  ExpectRefusedWithDataLoss(data, {"write-ahead log", wal.filename().string(),
                                   "dropping", "--accept_data_loss"});
  ExpectAcceptedLoss(data, head, kFlushedWrites, head - 1,
                     wal.filename().string());
}

TEST(WalDamageTest, TruncatedWalStopsTheCatalogWithDataLoss) {
  TempDir dir;
  const std::string data = dir.Sub("catalog");
  const int64_t head = FlushedThenLogged(data);
  ASSERT_EQ(head, kFlushedWrites + kLoggedWrites);
  std::vector<fs::path> logs = FilesEndingIn(data, ".log");
  ASSERT_FALSE(logs.empty());
  const fs::path wal = logs.back();
  const uint64_t size = fs::file_size(wal);
  ASSERT_GT(size, 1000u);
  // Inside a record: a cut exactly between two records cannot be told from
  // a crash (docs/reliability.md).
  uint64_t cut = OffsetInsideMiddleRecord(wal);
  ASSERT_GT(cut, 0u);
  // Not on a page boundary, where a crash cuts (next test).
  if (cut % 4096 == 0) ++cut;
  fs::resize_file(wal, cut);

  ExpectRefusedWithDataLoss(data, {"write-ahead log", wal.filename().string()});
  ExpectAcceptedLoss(data, head, kFlushedWrites, head - 1,
                     wal.filename().string());
}

// What a crash during a write leaves, and the catalog lets pass: the last
// record cut off where the file ends on a page boundary. Made here by a
// truncation, which loses acknowledged writes; a truncation that lands on
// a page boundary inside a record cannot be told from a crash (ADR 8).
TEST(WalDamageTest, WalCutOnAPageBoundaryInsideARecordIsTakenForACrash) {
  TempDir dir;
  const std::string data = dir.Sub("catalog");
  const int64_t head = FlushedThenLogged(data);
  ASSERT_EQ(head, kFlushedWrites + kLoggedWrites);
  std::vector<fs::path> logs = FilesEndingIn(data, ".log");
  ASSERT_FALSE(logs.empty());
  const fs::path wal = logs.back();
  const std::vector<uint64_t> starts = RecordStarts(wal);
  uint64_t cut = fs::file_size(wal) / 2 / 4096 * 4096;
  while (cut % 32768 == 0 ||
         std::find(starts.begin(), starts.end(), cut) != starts.end()) {
    cut += 4096;
  }
  ASSERT_LT(cut, fs::file_size(wal));
  fs::resize_file(wal, cut);

  Started started = StartCatalogWith(data, {});
  ASSERT_NE(started.port, 0) << started.output;
  std::printf("started:\n%s", started.output.c_str());
  EXPECT_THAT(started.output, HasSubstr("cut off by a crash"));
  EXPECT_THAT(started.output, HasSubstr(wal.filename().string()));
  EXPECT_GE(started.start_sequence, kFlushedWrites);
  EXPECT_LT(started.start_sequence, head);
  auto stub = CatalogStub(absl::StrCat("127.0.0.1:", started.port));
  FeedRead feed = ReadWholeFeed(*stub);
  EXPECT_EQ(feed.problem, "");
  EXPECT_TRUE(ExitedZero(started.process->Kill(SIGTERM)));
}

TEST(WalDamageTest, DeletedWalStopsTheCatalogWithDataLoss) {
  TempDir dir;
  const std::string data = dir.Sub("catalog");
  const int64_t head = FlushedThenLogged(data);
  ASSERT_EQ(head, kFlushedWrites + kLoggedWrites);
  std::vector<fs::path> logs = FilesEndingIn(data, ".log");
  ASSERT_FALSE(logs.empty());
  for (const fs::path& log : logs) fs::remove(log);

  ExpectRefusedWithDataLoss(data, {"write-ahead log", "missing"});
  // What the table files hold: the writes before the restart.
  ExpectAcceptedLoss(data, head, kFlushedWrites, kFlushedWrites, "missing");
}

TEST(WalDamageTest, BitFlipInATableFileIsFoundAtStart) {
  TempDir dir;
  const std::string data = dir.Sub("catalog");
  ASSERT_EQ(WriteAndKill(data, "flushed", 300), 300);
  {
    // The restart flushes the recovered writes into table files.
    ServiceProcess catalog = StartCatalog(data);
    ASSERT_TRUE(catalog.ok());
    EXPECT_TRUE(ExitedZero(catalog.process->Kill(SIGTERM)));
  }
  std::vector<fs::path> tables = FilesEndingIn(data, ".sst");
  ASSERT_FALSE(tables.empty());
  const fs::path largest = *std::max_element(
      tables.begin(), tables.end(), [](const fs::path& a, const fs::path& b) {
        return fs::file_size(a) < fs::file_size(b);
      });
  // Inside the first data block, which starts the file.
  InvertBytes(largest, 100, 1);

  ExpectRefusedWithDataLoss(data, {largest.filename().string(), "checksum"});
  // The damage is not the log's: accepting a loss does not apply.
  Outcome accepted = RunCatalogToExit(data, {"--accept_data_loss"});
  EXPECT_EQ(accepted.exit_code, 1) << accepted.output;
}

// A RocksDB database with `families` (plus "default") and one key in each.
void MakeForeignDatabase(const std::string& path,
                         const std::vector<std::string>& families) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()}};
  for (const std::string& name : families) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(options), path, descriptors,
                                &handles, &db)
                  .ok());
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    ASSERT_TRUE(
        db->Put(rocksdb::WriteOptions(), handle, "someone", "else's").ok());
    ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
  }
  ASSERT_TRUE(db->Close().ok());
  delete db;
}

TEST(WalDamageTest, ForeignDatabaseIsRefusedAndLeftAlone) {
  // With RocksDB's default column family only, the catalog used to add its
  // own and adopt the database; with others it failed with RocksDB's
  // "Column families not opened".
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{}, std::vector<std::string>{"users"}}) {
    TempDir dir;
    const std::string data = dir.Sub("other");
    MakeForeignDatabase(data, extra);
    std::vector<std::string> families = {"default"};
    families.insert(families.end(), extra.begin(), extra.end());
    const std::string listed =
        absl::StrCat("[", absl::StrJoin(families, ", "), "]");

    Outcome outcome = RunCatalogToExit(data);
    EXPECT_EQ(outcome.exit_code, 1) << outcome.output;
    EXPECT_THAT(outcome.output,
                AllOf(HasSubstr("annals-catalog: FAILED_PRECONDITION"),
                      HasSubstr("not an Annals catalog"), HasSubstr(listed)));
    std::vector<std::string> found;
    ASSERT_TRUE(
        rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), data, &found)
            .ok());
    EXPECT_EQ(found, families)
        << "the catalog changed the other program's database";
  }
}

TEST(WalDamageTest, DatabaseWithTheCatalogsFamiliesButNoCatalogIdIsRefused) {
  TempDir dir;
  const std::string data = dir.Sub("lookalike");
  MakeForeignDatabase(
      data, {"entities", "statements", "index", "changes", "requests"});
  Outcome outcome = RunCatalogToExit(data);
  EXPECT_EQ(outcome.exit_code, 1) << outcome.output;
  EXPECT_THAT(outcome.output, HasSubstr("annals-catalog: DATA_LOSS"));
  EXPECT_THAT(outcome.output, HasSubstr("catalog_id"));
}

TEST(WalDamageTest, NewFolderIsCreated) {
  TempDir dir;
  const std::string data = dir.Sub("new/catalog");
  ServiceProcess catalog = StartCatalog(data);
  ASSERT_TRUE(catalog.ok());
  EXPECT_EQ(catalog.start_sequence, 0);
  EXPECT_TRUE(ExitedZero(catalog.process->Kill(SIGTERM)));
  ServiceProcess again = StartCatalog(data);
  ASSERT_TRUE(again.ok()) << "an empty catalog must restart";
  EXPECT_TRUE(ExitedZero(again.process->Kill(SIGTERM)));
}

}  // namespace
}  // namespace annals::testing
