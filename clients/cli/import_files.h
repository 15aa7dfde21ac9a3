// Import files as `annals import` reads them, and where their records are.
//
// Three formats, by extension:
//   .textproto / .txtpb  one ImportRecordsRequest in protobuf text format;
//                        each record's line is where its `records {` opens
//   .json                one ImportRecordsRequest in protobuf's JSON mapping;
//                        records have numbers but no lines
//   .jsonl               JSON Lines: one ImportRecord per line in protobuf's
//                        JSON mapping (blank lines skipped), sent in batches
//                        of kJsonLinesBatch records. A first line holding
//                        an object {"annalsExport": {...}} is the header
//                        `annals export` writes and is not a record; a
//                        history export's header ("history": true) makes
//                        the file unreadable as an import
// Records are numbered from 1 within their file.
#ifndef ANNALS_CLIENTS_CLI_IMPORT_FILES_H_
#define ANNALS_CLIENTS_CLI_IMPORT_FILES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "annals/catalog/v1/catalog_service.pb.h"

namespace annals::cli {

// The key of the header line `annals export` writes, and its format.
inline constexpr char kExportHeaderKey[] = "annalsExport";
inline constexpr char kExportFormat[] = "annals-export-v1";

// Records per batch of a .jsonl file; each batch is committed on its own.
inline constexpr int kJsonLinesBatch = 1000;

// A record of a file that could not be read (a .jsonl line that is not an
// ImportRecord), kept when reading with `keep_going`.
struct UnreadableRecord {
  int record = 0;  // from 1
  int line = 0;
  std::string reason;
};

struct ImportFile {
  std::string path;
  std::vector<catalog::v1::ImportRecordsRequest> batches;
  // For each batch, the file's number of each of its records.
  std::vector<std::vector<int>> record_numbers;
  // The line of record N at [N - 1]; 0 when the format has no lines.
  std::vector<int> lines;
  std::vector<UnreadableRecord> unreadable;

  // Records in the file, unreadable ones included.
  int records() const { return static_cast<int>(lines.size()); }
  // "FILE:LINE" for record `number`, or "FILE" when it has no line.
  std::string Where(int number) const;
};

// The files that `paths` name: files as given, a folder's .textproto,
// .txtpb, .json and .jsonl files in name order. NOT_FOUND for a folder
// without any.
absl::StatusOr<std::vector<std::string>> ImportFilePaths(
    const std::vector<std::string>& paths);

// Reads one import file. A file that cannot be read or parsed fails with
// INVALID_ARGUMENT (NOT_FOUND if unreadable) naming the file and, where the
// format has them, the line. With `keep_going`, a .jsonl line that is not an
// ImportRecord is kept in `unreadable` instead.
absl::StatusOr<ImportFile> ReadImportFile(const std::string& path,
                                          bool keep_going);

}  // namespace annals::cli

#endif  // ANNALS_CLIENTS_CLI_IMPORT_FILES_H_
