// Fuzzes the two ways an import batch is decoded, and what the catalog does
// with the result:
//
// - as an import file, the way `annals import` reads one (clients/cli/cli.cc:
//   JSON when the text starts with '{', protobuf text format otherwise);
// - as a streamed batch, the way the server decodes one (catalog_service.cc):
//   the wire format, and FindInvalidUtf8 to name the field when it fails.
//
// Each decoded batch goes to Catalog::ImportBatch with validate_only, on a
// real RocksDB catalog holding data/nmi, so records resolve references, meet
// existing entities and statements, and compare with stored revisions.
//
// It must not crash; errors must be ones a client can cause (never INTERNAL,
// UNKNOWN or DATA_LOSS); validate_only must write nothing; a success must
// account for every record; the same batch must get the same answer twice;
// and FindInvalidUtf8 must name no field of a batch that parses.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "annals/catalog/v1/catalog_service.pb.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/catalog/catalog.h"
#include "services/catalog/storage/rocksdb_storage.h"
#include "services/catalog/validation.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/testing/temp_dir.h"

namespace annals::catalog {
namespace {

// Text format errors are collected, not printed, as the CLI does; printing
// every malformed input would drown the fuzzer's output.
class QuietErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {}
};

// Decodes one import file's contents as the CLI does.
bool DecodeImport(const std::string& text, v1::ImportRecordsRequest* request) {
  if (!text.empty() && text[0] == '{') {
    return google::protobuf::util::JsonStringToMessage(text, request).ok();
  }
  QuietErrors errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  return parser.ParseFromString(text, request);
}

// A catalog in a temporary folder holding data/nmi, for the whole run.
class Fixture {
 public:
  Fixture() {
    RocksDbOptions options;
    // A throwaway database: a machine crash may lose it.
    options.sync_writes = false;
    options.block_cache_bytes = 8 << 20;
    absl::StatusOr<std::unique_ptr<Storage>> storage =
        OpenRocksDbStorage(dir_.Sub("db"), options);
    FUZZ_CHECK(storage.ok());
    absl::StatusOr<std::unique_ptr<Catalog>> catalog =
        Catalog::Open(*std::move(storage));
    FUZZ_CHECK(catalog.ok());
    catalog_ = *std::move(catalog);

    std::vector<std::filesystem::path> files;
    for (const auto& entry :
         std::filesystem::directory_iterator(ANNALS_NMI_DATA_DIR)) {
      if (entry.path().extension() == ".textproto") {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    FUZZ_CHECK(!files.empty());
    for (const std::filesystem::path& file : files) {
      std::ifstream in(file);
      std::stringstream text;
      text << in.rdbuf();
      v1::ImportRecordsRequest request;
      FUZZ_CHECK(DecodeImport(text.str(), &request));
      absl::StatusOr<v1::ImportRecordsResponse> imported =
          catalog_->ImportBatch(request);
      if (!imported.ok()) {
        std::fprintf(stderr, "%s: %s\n", file.c_str(),
                     imported.status().ToString().c_str());
      }
      FUZZ_CHECK(imported.ok());
    }
  }

  ~Fixture() {
    (void)catalog_->Close();
    catalog_.reset();
  }

  Catalog& catalog() { return *catalog_; }

 private:
  testing::TempDir dir_;
  std::unique_ptr<Catalog> catalog_;
};

bool IsClientError(absl::StatusCode code) {
  return code == absl::StatusCode::kInvalidArgument ||
         code == absl::StatusCode::kNotFound ||
         code == absl::StatusCode::kFailedPrecondition;
}

// Checks one decoded batch, sent with validate_only.
void CheckBatch(Catalog& catalog, v1::ImportRecordsRequest request) {
  request.set_validate_only(true);
  const int64_t head = catalog.head_sequence();
  absl::StatusOr<v1::ImportRecordsResponse> first =
      catalog.ImportBatch(request);
  FUZZ_CHECK(catalog.head_sequence() == head);
  if (!first.ok()) {
    if (!IsClientError(first.status().code())) {
      std::fprintf(stderr, "unexpected error: %s\n",
                   first.status().ToString().c_str());
    }
    FUZZ_CHECK(IsClientError(first.status().code()));
    FUZZ_CHECK(!first.status().message().empty());
  } else {
    // Checked, never committed.
    FUZZ_CHECK(first->batches() == 0);
    FUZZ_CHECK(first->batches_validated() == 1);
    FUZZ_CHECK(first->last_sequence() == 0);
    FUZZ_CHECK(first->entities_created() + first->entities_updated() +
                   first->statements_created() + first->statements_updated() +
                   first->unchanged() + first->refused() ==
               request.records_size());
  }
  absl::StatusOr<v1::ImportRecordsResponse> second =
      catalog.ImportBatch(request);
  FUZZ_CHECK(first.status() == second.status());
  if (first.ok()) {
    FUZZ_CHECK(
        google::protobuf::util::MessageDifferencer::Equals(*first, *second));
  }
}

}  // namespace
}  // namespace annals::catalog

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  // Protobuf logs each string field with invalid UTF-8 that it rejects;
  // expected here, and it would drown the fuzzer's output.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace catalog = annals::catalog;
  static catalog::Fixture* fixture = [] {
    static catalog::Fixture instance;
    return &instance;
  }();
  const std::string bytes(reinterpret_cast<const char*>(data), size);

  // An import file, as the CLI reads it.
  annals::catalog::v1::ImportRecordsRequest request;
  if (catalog::DecodeImport(bytes, &request)) {
    catalog::CheckBatch(fixture->catalog(), request);
  }

  // A streamed batch, as the server decodes it (catalog_service.cc): the
  // wire format, and for bytes that do not parse, the string field that is
  // not UTF-8 if that is why.
  annals::catalog::v1::ImportRecordsRequest wire;
  const std::string invalid = catalog::FindInvalidUtf8(
      *annals::catalog::v1::ImportRecordsRequest::descriptor(), bytes);
  if (wire.ParseFromString(bytes)) {
    FUZZ_CHECK(invalid.empty());
    catalog::CheckBatch(fixture->catalog(), wire);
  }
  return 0;
}
