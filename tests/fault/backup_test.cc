// Online backup, restore and verification of the catalog (issue 14, items
// 2-4), with the real annals-catalog binary: a backup taken under four
// concurrent writers and restored into a new folder holds exactly the
// changes up to its sequence; a restore never overwrites a folder; the
// admin RPC is a write for the bearer token and names bad fields; backups
// in one directory share files and keep the newest; --verify passes a clean
// folder and names each kind of damage, written with RocksDB directly.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "annals/catalog/v1/admin_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
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
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kWriters = 4;
// Writes each writer makes before the backup is asked for, and after it
// returned (so that the backup is taken while writes go on, and writes
// acknowledged after it exist to be missing from it).
constexpr int kWritesBefore = 40;
constexpr int kWritesAfter = 20;

std::unique_ptr<catalog::v1::CatalogAdminService::Stub> AdminStub(
    const std::string& address) {
  return catalog::v1::CatalogAdminService::NewStub(Channel(address));
}

grpc::Status CreateBackup(catalog::v1::CatalogAdminService::Stub& stub,
                          const std::string& directory, int keep,
                          catalog::v1::Backup* backup,
                          const std::string& token = "") {
  catalog::v1::CreateBackupRequest request;
  request.set_directory(directory);
  request.set_keep_backups(keep);
  grpc::ClientContext context;
  SetDeadline(context, absl::Seconds(120));
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  return stub.CreateBackup(&context, request, backup);
}

RunOutcome Restore(const std::string& backup_dir, const std::string& data_dir) {
  return RunToExit({ANNALS_CATALOG_BINARY, "--restore_from=" + backup_dir,
                    "--data_dir=" + data_dir},
                   120);
}

RunOutcome Verify(const std::string& path) {
  return RunToExit({ANNALS_CATALOG_BINARY, "--verify=" + path}, 120);
}

// Every file below `path` with its size, to show a folder unchanged.
std::map<std::string, uintmax_t> Listing(const std::string& path) {
  std::map<std::string, uintmax_t> files;
  for (const fs::directory_entry& entry :
       fs::recursive_directory_iterator(path)) {
    if (entry.is_regular_file()) {
      files[fs::relative(entry.path(), path).string()] = entry.file_size();
    }
  }
  return files;
}

uintmax_t BytesBelow(const std::string& path) {
  uintmax_t bytes = 0;
  for (const auto& [name, size] : Listing(path)) bytes += size;
  return bytes;
}

// An acknowledged write: the entity created and the sequence it got.
struct Acknowledged {
  std::string id;
  int64_t sequence = 0;
};

TEST(CatalogBackupTest,
     BackupUnderFourWritersRestoresEveryEarlierWriteAndNothingAfterIt) {
  TempDir dir;
  ServiceProcess original = StartCatalog(dir.Sub("catalog"));
  ASSERT_TRUE(original.ok());
  auto stub = CatalogStub(original.address());
  std::string error;
  ASSERT_GT(ImportNmi(*stub, &error), 0) << error;

  // Four writers; the backup is asked for once each has made kWritesBefore
  // writes, and they go on until each has made kWritesAfter more after it
  // returned.
  std::mutex mu;
  std::vector<Acknowledged> acknowledged;
  std::atomic<int> ready{0};
  std::atomic<bool> backup_done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto writer = CatalogStub(original.address());
      int after = 0;
      for (int i = 0; after < kWritesAfter && i < 100000; ++i) {
        const bool done = backup_done.load();
        catalog::v1::Entity created;
        const std::string id = absl::StrCat("w", w, "-", i);
        if (!CreateEvent(*writer, id, &created, absl::Seconds(30)).ok()) {
          ++failures;
          return;
        }
        {
          std::lock_guard<std::mutex> lock(mu);
          acknowledged.push_back({id, created.sequence()});
        }
        if (i + 1 == kWritesBefore) ++ready;
        if (done) ++after;
      }
    });
  }
  while (ready.load() < kWriters && failures.load() == 0) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  ASSERT_EQ(failures.load(), 0);
  std::vector<Acknowledged> before;
  {
    std::lock_guard<std::mutex> lock(mu);
    before = acknowledged;
  }
  auto admin = AdminStub(original.address());
  catalog::v1::Backup backup;
  grpc::Status backed_up = CreateBackup(*admin, dir.Sub("backups"), 0, &backup);
  backup_done = true;
  for (std::thread& writer : writers) writer.join();
  ASSERT_TRUE(backed_up.ok()) << backed_up.error_message();
  ASSERT_EQ(failures.load(), 0);
  const int64_t sequence = backup.last_sequence();
  int during = 0;
  for (const Acknowledged& write : acknowledged) {
    if (write.sequence <= sequence) ++during;
  }
  std::printf(
      "backup %lld at sequence %lld: %zu writes acknowledged before "
      "it was asked for, %zu in all, %d up to its sequence\n",
      static_cast<long long>(backup.backup_id()),
      static_cast<long long>(sequence), before.size(), acknowledged.size(),
      during);

  // Every write acknowledged before the call is in the backup.
  for (const Acknowledged& write : before) {
    EXPECT_LE(write.sequence, sequence) << write.id;
  }
  EXPECT_EQ(backup.directory(), dir.Sub("backups"));
  EXPECT_EQ(backup.backup_id(), 1);
  FeedRead original_feed = ReadWholeFeed(*stub);
  ASSERT_EQ(original_feed.problem, "");
  EXPECT_EQ(backup.catalog_id(), original_feed.catalog_id);
  ASSERT_GT(original_feed.head, sequence)
      << "writes acknowledged after the backup returned have later sequences";
  EXPECT_TRUE(ExitedZero(original.process->Kill(SIGTERM)));

  RunOutcome verified_backup = Verify(dir.Sub("backups"));
  EXPECT_EQ(verified_backup.exit_code, 0) << verified_backup.output;
  EXPECT_THAT(verified_backup.output, HasSubstr("clean"));

  RunOutcome restored = Restore(dir.Sub("backups"), dir.Sub("restored"));
  ASSERT_EQ(restored.exit_code, 0) << restored.output;
  EXPECT_THAT(restored.output,
              HasSubstr(absl::StrCat("last sequence ", sequence)));
  RunOutcome verified_restore = Verify(dir.Sub("restored"));
  EXPECT_EQ(verified_restore.exit_code, 0) << verified_restore.output;
  EXPECT_THAT(verified_restore.output, HasSubstr("clean"));

  // The restored catalog: same id, its changes exactly the original's
  // first `sequence` ones, and it serves and writes on.
  ServiceProcess copy = StartCatalog(dir.Sub("restored"));
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ(copy.start_sequence, sequence);
  auto copy_stub = CatalogStub(copy.address());
  FeedRead copy_feed = ReadWholeFeed(*copy_stub);
  ASSERT_EQ(copy_feed.problem, "");
  EXPECT_EQ(copy_feed.catalog_id, original_feed.catalog_id);
  ASSERT_EQ(copy_feed.head, sequence);
  for (int64_t i = 0; i < sequence; ++i) {
    ASSERT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
        copy_feed.changes[i], original_feed.changes[i]))
        << "change " << i + 1 << " differs";
  }
  for (const Acknowledged& write : acknowledged) {
    catalog::v1::GetEntityRequest request;
    request.set_name("entities/" + write.id);
    catalog::v1::Entity entity;
    grpc::ClientContext context;
    SetDeadline(context, absl::Seconds(10));
    grpc::Status status = copy_stub->GetEntity(&context, request, &entity);
    if (write.sequence <= sequence) {
      EXPECT_TRUE(status.ok()) << write.id << ": " << status.error_message();
      EXPECT_EQ(entity.sequence(), write.sequence) << write.id;
    } else {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << write.id;
    }
  }
  catalog::v1::Entity next;
  ASSERT_TRUE(CreateEvent(*copy_stub, "after-restore", &next).ok());
  EXPECT_EQ(next.sequence(), sequence + 1);
  EXPECT_TRUE(ExitedZero(copy.process->Kill(SIGTERM)));
}

TEST(CatalogBackupTest, RestoreOntoNonEmptyFolderIsRefusedAndChangesNothing) {
  TempDir dir;
  ServiceProcess catalog = StartCatalog(dir.Sub("catalog"));
  ASSERT_TRUE(catalog.ok());
  auto stub = CatalogStub(catalog.address());
  catalog::v1::Entity created;
  ASSERT_TRUE(CreateEvent(*stub, "only", &created).ok());
  auto admin = AdminStub(catalog.address());
  catalog::v1::Backup backup;
  ASSERT_TRUE(CreateBackup(*admin, dir.Sub("backups"), 0, &backup).ok());
  EXPECT_TRUE(ExitedZero(catalog.process->Kill(SIGTERM)));

  // Another catalog's folder, and a folder holding one stray file.
  const std::map<std::string, uintmax_t> catalog_files =
      Listing(dir.Sub("catalog"));
  RunOutcome onto_catalog = Restore(dir.Sub("backups"), dir.Sub("catalog"));
  EXPECT_NE(onto_catalog.exit_code, 0);
  EXPECT_THAT(onto_catalog.output, HasSubstr("not empty"));
  EXPECT_EQ(Listing(dir.Sub("catalog")), catalog_files);

  fs::create_directories(dir.Sub("stray"));
  std::ofstream(dir.Sub("stray/notes.txt")) << "keep me\n";
  RunOutcome onto_stray = Restore(dir.Sub("backups"), dir.Sub("stray"));
  EXPECT_NE(onto_stray.exit_code, 0);
  EXPECT_THAT(onto_stray.output, HasSubstr("notes.txt"));
  EXPECT_EQ(Listing(dir.Sub("stray")).size(), 1u);

  // An empty folder is fine.
  fs::create_directories(dir.Sub("empty"));
  RunOutcome onto_empty = Restore(dir.Sub("backups"), dir.Sub("empty"));
  EXPECT_EQ(onto_empty.exit_code, 0) << onto_empty.output;
}

TEST(CatalogBackupTest, BackupWithoutTheWriteTokenIsRefusedBeforeAnything) {
  TempDir dir;
  const std::string token = "backup-test-token-0123456789";
  std::ofstream(dir.Sub("token")) << token << "\n";
  ServiceProcess catalog =
      StartCatalog(dir.Sub("catalog"), "127.0.0.1:0", absl::Seconds(10),
                   {"--auth_token_file=" + dir.Sub("token")});
  ASSERT_TRUE(catalog.ok());
  auto admin = AdminStub(catalog.address());
  catalog::v1::Backup backup;
  grpc::Status refused = CreateBackup(*admin, dir.Sub("backups"), 0, &backup);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_FALSE(fs::exists(dir.Sub("backups")));
  grpc::Status wrong =
      CreateBackup(*admin, dir.Sub("backups"), 0, &backup, "not-the-token");
  EXPECT_EQ(wrong.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_FALSE(fs::exists(dir.Sub("backups")));

  grpc::Status allowed =
      CreateBackup(*admin, dir.Sub("backups"), 0, &backup, token);
  EXPECT_TRUE(allowed.ok()) << allowed.error_message();
  EXPECT_EQ(backup.backup_id(), 1);

  // The command-line tool sends the token it is given.
  RunOutcome cli = RunToExit(
      {ANNALS_CLI_BINARY, "--catalog=" + catalog.address(),
       "--token_file=" + dir.Sub("token"), "backup", dir.Sub("backups")});
  EXPECT_EQ(cli.exit_code, 0) << cli.output;
  EXPECT_THAT(cli.output, HasSubstr("backup 2 of catalog"));
  RunOutcome cli_without =
      RunToExit({ANNALS_CLI_BINARY, "--catalog=" + catalog.address(), "backup",
                 dir.Sub("backups")});
  EXPECT_EQ(cli_without.exit_code, 1);
  EXPECT_THAT(cli_without.output, HasSubstr("UNAUTHENTICATED"));
  EXPECT_TRUE(ExitedZero(catalog.process->Kill(SIGTERM)));
}

TEST(CatalogBackupTest, BadBackupDirectoryIsRefusedNamingTheField) {
  TempDir dir;
  ServiceProcess catalog = StartCatalog(dir.Sub("catalog"));
  ASSERT_TRUE(catalog.ok());
  auto admin = AdminStub(catalog.address());
  catalog::v1::Backup backup;

  for (const std::string& directory : {std::string(""), std::string("rel")}) {
    grpc::Status status = CreateBackup(*admin, directory, 0, &backup);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << directory;
    EXPECT_THAT(status.error_message(), HasSubstr("directory")) << directory;
  }
  grpc::Status negative = CreateBackup(*admin, dir.Sub("b"), -1, &backup);
  EXPECT_EQ(negative.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(negative.error_message(), HasSubstr("keep_backups"));

  // A regular file, a folder holding something else, the data folder.
  std::ofstream(dir.Sub("file")) << "x";
  grpc::Status file = CreateBackup(*admin, dir.Sub("file"), 0, &backup);
  EXPECT_EQ(file.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  fs::create_directories(dir.Sub("other"));
  std::ofstream(dir.Sub("other/report.pdf")) << "x";
  grpc::Status other = CreateBackup(*admin, dir.Sub("other"), 0, &backup);
  EXPECT_EQ(other.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(other.error_message(), HasSubstr("report.pdf"));
  grpc::Status inside =
      CreateBackup(*admin, dir.Sub("catalog/backups"), 0, &backup);
  EXPECT_EQ(inside.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_FALSE(fs::exists(dir.Sub("catalog/backups")));
  if (geteuid() != 0) {  // root writes anywhere
    fs::create_directories(dir.Sub("locked"));
    chmod(dir.Sub("locked").c_str(), 0500);
    grpc::Status locked = CreateBackup(*admin, dir.Sub("locked"), 0, &backup);
    EXPECT_EQ(locked.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  }
  EXPECT_TRUE(ExitedZero(catalog.process->Kill(SIGTERM)));
}

TEST(CatalogBackupTest, LaterBackupsShareFilesAndRetentionKeepsTheNewest) {
  TempDir dir;
  {
    // Written, then restarted: the restart flushes the writes to table
    // files, which later backups can share.
    ServiceProcess catalog = StartCatalog(dir.Sub("catalog"));
    ASSERT_TRUE(catalog.ok());
    auto stub = CatalogStub(catalog.address());
    std::string error;
    ASSERT_GT(ImportEvents(*stub, "bulk", 3000, &error), 0) << error;
    EXPECT_TRUE(ExitedZero(catalog.process->Kill(SIGTERM)));
  }
  ServiceProcess catalog = StartCatalog(dir.Sub("catalog"));
  ASSERT_TRUE(catalog.ok());
  auto stub = CatalogStub(catalog.address());
  auto admin = AdminStub(catalog.address());
  std::vector<catalog::v1::Backup> backups(4);
  int64_t total_size = 0;
  for (int i = 0; i < 4; ++i) {
    catalog::v1::Entity created;
    ASSERT_TRUE(CreateEvent(*stub, absl::StrCat("extra-", i), &created).ok());
    grpc::Status status =
        CreateBackup(*admin, dir.Sub("backups"), 2, &backups[i]);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(backups[i].backup_id(), i + 1);
    EXPECT_EQ(backups[i].last_sequence(), created.sequence());
    if (i >= 2) total_size += backups[i].size_bytes();
  }
  EXPECT_THAT(backups[0].retained_backup_ids(), ::testing::ElementsAre(1));
  EXPECT_THAT(backups[1].retained_backup_ids(), ::testing::ElementsAre(1, 2));
  EXPECT_THAT(backups[3].retained_backup_ids(), ::testing::ElementsAre(3, 4));
  // Backups 3 and 4 are kept; they share the table files of the bulk
  // import, stored once.
  const uintmax_t stored = BytesBelow(dir.Sub("backups"));
  std::printf("backups 3 and 4: %lld + %lld bytes, %ju bytes stored\n",
              static_cast<long long>(backups[2].size_bytes()),
              static_cast<long long>(backups[3].size_bytes()), stored);
  EXPECT_LT(stored, static_cast<uintmax_t>(total_size) * 3 / 4);
  EXPECT_TRUE(ExitedZero(catalog.process->Kill(SIGTERM)));

  // The latest is what a restore brings back.
  RunOutcome restored = Restore(dir.Sub("backups"), dir.Sub("restored"));
  EXPECT_EQ(restored.exit_code, 0) << restored.output;
  EXPECT_THAT(restored.output, HasSubstr(absl::StrCat("restored backup 4 ")));
  EXPECT_THAT(
      restored.output,
      HasSubstr(absl::StrCat("last sequence ", backups[3].last_sequence())));
}

TEST(CatalogBackupTest, CopyLeftByAnInterruptedBackupIsRemovedAtStart) {
  TempDir dir;
  {
    ServiceProcess catalog = StartCatalog(dir.Sub("catalog"));
    ASSERT_TRUE(catalog.ok());
    catalog::v1::Entity created;
    ASSERT_TRUE(
        CreateEvent(*CatalogStub(catalog.address()), "kept", &created).ok());
    EXPECT_TRUE(ExitedZero(catalog.process->Kill(SIGTERM)));
  }
  // What a catalog killed during a backup leaves: its copy, in the folder.
  fs::create_directories(dir.Sub("catalog/backup-staging"));
  std::ofstream(dir.Sub("catalog/backup-staging/000009.sst")) << "partial";
  ServiceProcess catalog = StartCatalog(dir.Sub("catalog"));
  ASSERT_TRUE(catalog.ok());
  EXPECT_EQ(catalog.start_sequence, 1);
  EXPECT_FALSE(fs::exists(dir.Sub("catalog/backup-staging")));
  catalog::v1::Backup backup;
  ASSERT_TRUE(CreateBackup(*AdminStub(catalog.address()), dir.Sub("backups"), 0,
                           &backup)
                  .ok());
  EXPECT_EQ(backup.last_sequence(), 1);
  EXPECT_FALSE(fs::exists(dir.Sub("catalog/backup-staging")));
  EXPECT_TRUE(ExitedZero(catalog.process->Kill(SIGTERM)));
}

// ---------------------------------------------------------------------------
// --verify on damaged copies, damaged with RocksDB directly.

const std::vector<std::string>& ColumnFamilies() {
  static const auto* names = new std::vector<std::string>{
      "default", "entities", "statements", "index", "changes", "requests"};
  return *names;
}

// Opens `path` with RocksDB, calls `damage` with the database and its
// column families (by name), and closes it.
void Damage(
    const std::string& path,
    const std::function<void(
        rocksdb::DB&, std::map<std::string, rocksdb::ColumnFamilyHandle*>&)>&
        damage) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : ColumnFamilies()) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s =
      rocksdb::DB::Open(rocksdb::DBOptions(), path, descriptors, &handles, &db);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::map<std::string, rocksdb::ColumnFamilyHandle*> by_name;
  for (size_t i = 0; i < handles.size(); ++i) {
    by_name[ColumnFamilies()[i]] = handles[i];
  }
  damage(*db, by_name);
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  ASSERT_TRUE(db->Close().ok());
  delete db;
}

std::string SequenceKey(uint64_t sequence) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i) {
    key[i] = static_cast<char>(sequence & 0xff);
    sequence >>= 8;
  }
  return key;
}

class CatalogVerifyTest : public ::testing::Test {
 protected:
  // A stopped catalog holding the NATO data, copied to `name` for damage.
  static void SetUpTestSuite() {
    clean_ = new TempDir();
    ServiceProcess catalog = StartCatalog(clean_->Sub("catalog"));
    ASSERT_TRUE(catalog.ok());
    auto stub = CatalogStub(catalog.address());
    std::string error;
    ASSERT_GT(ImportNmi(*stub, &error), 0) << error;
    EXPECT_TRUE(ExitedZero(catalog.process->Kill(SIGTERM)));
  }
  static void TearDownTestSuite() { delete clean_; }

  std::string Copy(const std::string& name) {
    const std::string path = dir_.Sub(name);
    fs::copy(clean_->Sub("catalog"), path, fs::copy_options::recursive);
    return path;
  }

  static TempDir* clean_;
  TempDir dir_;
};

TempDir* CatalogVerifyTest::clean_ = nullptr;

TEST_F(CatalogVerifyTest, CleanFolderPassesWithOneLineAndIsLeftUnchanged) {
  const std::string path = Copy("clean");
  const std::map<std::string, uintmax_t> before = Listing(path);
  RunOutcome verified = Verify(path);
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_THAT(verified.output, HasSubstr("clean"));
  EXPECT_THAT(verified.output, HasSubstr("136 entities, 434 statements"));
  EXPECT_EQ(std::count(verified.output.begin(), verified.output.end(), '\n'),
            1);
  EXPECT_EQ(Listing(path), before);
}

TEST_F(CatalogVerifyTest, MissingChangeIsNamedBySequence) {
  const std::string path = Copy("missing-change");
  Damage(path, [](rocksdb::DB& db, auto& cf) {
    ASSERT_TRUE(
        db.Delete(rocksdb::WriteOptions(), cf["changes"], SequenceKey(17))
            .ok());
  });
  const std::map<std::string, uintmax_t> before = Listing(path);
  RunOutcome verified = Verify(path);
  EXPECT_EQ(verified.exit_code, 1) << verified.output;
  EXPECT_THAT(verified.output, HasSubstr("change log: sequence 17 is missing"));
  EXPECT_THAT(verified.output, HasSubstr("1 problem"));
  EXPECT_EQ(Listing(path), before);
}

TEST_F(CatalogVerifyTest, DroppedIndexEntryIsNamedWithItsRecord) {
  const std::string path = Copy("dropped-index");
  std::string dropped;
  Damage(path, [&dropped](rocksdb::DB& db, auto& cf) {
    // The subject entry of some statement: 's' 0 subject 0 predicate 0 id.
    std::unique_ptr<rocksdb::Iterator> it(
        db.NewIterator(rocksdb::ReadOptions(), cf["index"]));
    it->Seek(std::string("s\0", 2));
    ASSERT_TRUE(it->Valid());
    dropped = it->key().ToString();
    ASSERT_TRUE(db.Delete(rocksdb::WriteOptions(), cf["index"], dropped).ok());
  });
  std::string shown = dropped;
  std::replace(shown.begin(), shown.end(), '\0', '/');
  const std::string statement = shown.substr(shown.rfind('/') + 1);
  RunOutcome verified = Verify(path);
  EXPECT_EQ(verified.exit_code, 1) << verified.output;
  EXPECT_THAT(verified.output,
              HasSubstr(absl::StrCat("statements/", statement, ": index entry ",
                                     shown, " is missing")));
}

TEST_F(CatalogVerifyTest, StaleIndexEntryIsNamedAsPointingAtNothing) {
  const std::string path = Copy("stale-index");
  Damage(path, [](rocksdb::DB& db, auto& cf) {
    ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), cf["index"],
                       std::string("k\0event\0ghost", 13), "")
                    .ok());
  });
  RunOutcome verified = Verify(path);
  EXPECT_EQ(verified.exit_code, 1) << verified.output;
  EXPECT_THAT(verified.output,
              HasSubstr("index entry k/event/ghost points at entities/ghost, "
                        "which does not exist"));
}

TEST_F(CatalogVerifyTest, DanglingReferenceIsNamedWithItsField) {
  const std::string path = Copy("dangling");
  std::string statement_id;
  Damage(path, [&statement_id](rocksdb::DB& db, auto& cf) {
    // A statement with a source, its first source pointed at nothing.
    std::unique_ptr<rocksdb::Iterator> it(
        db.NewIterator(rocksdb::ReadOptions(), cf["statements"]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      catalog::v1::Statement statement;
      ASSERT_TRUE(statement.ParseFromString(it->value().ToString()));
      if (statement.sources_size() == 0) continue;
      statement.mutable_sources(0)->set_source("entities/no-such-source");
      statement_id = it->key().ToString();
      ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), cf["statements"],
                         statement_id, statement.SerializeAsString())
                      .ok());
      return;
    }
    FAIL() << "no statement cites a source";
  });
  RunOutcome verified = Verify(path);
  EXPECT_EQ(verified.exit_code, 1) << verified.output;
  EXPECT_THAT(verified.output,
              HasSubstr(absl::StrCat("statements/", statement_id,
                                     ": sources[0] refers to "
                                     "entities/no-such-source, which does "
                                     "not exist")));
  EXPECT_THAT(verified.output, HasSubstr("1 problem"));
}

TEST_F(CatalogVerifyTest, DamagedBackupFileFailsNamingTheBackup) {
  // A backup of the clean catalog, one of its table files cut short.
  const std::string data = Copy("for-backup");
  ServiceProcess catalog = StartCatalog(data);
  ASSERT_TRUE(catalog.ok());
  auto admin = AdminStub(catalog.address());
  catalog::v1::Backup backup;
  ASSERT_TRUE(CreateBackup(*admin, dir_.Sub("backups"), 0, &backup).ok());
  EXPECT_TRUE(ExitedZero(catalog.process->Kill(SIGTERM)));
  RunOutcome clean = Verify(dir_.Sub("backups"));
  EXPECT_EQ(clean.exit_code, 0) << clean.output;

  std::string table;
  for (const auto& [name, size] : Listing(dir_.Sub("backups"))) {
    if (name.ends_with(".sst") && size > 100) table = name;
  }
  ASSERT_NE(table, "");
  fs::resize_file(dir_.Sub("backups/" + table),
                  fs::file_size(dir_.Sub("backups/" + table)) - 50);
  RunOutcome damaged = Verify(dir_.Sub("backups"));
  EXPECT_NE(damaged.exit_code, 0);
  EXPECT_THAT(damaged.output, HasSubstr("backup 1"));
  EXPECT_THAT(damaged.output, Not(HasSubstr("clean")));
}

}  // namespace
}  // namespace annals::testing
