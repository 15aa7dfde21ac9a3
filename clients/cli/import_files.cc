#include "clients/cli/import_files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"

namespace annals::cli {
namespace {

namespace cv1 = ::annals::catalog::v1;

bool IsImportFile(const std::string& path) {
  return absl::EndsWith(path, ".textproto") || absl::EndsWith(path, ".txtpb") ||
         absl::EndsWith(path, ".json") || absl::EndsWith(path, ".jsonl");
}

// Starts a new batch of `file` when the last one is full (or none exists).
cv1::ImportRecordsRequest& OpenBatch(ImportFile& file, int limit) {
  if (file.batches.empty() || file.batches.back().records_size() >= limit) {
    file.batches.emplace_back();
    file.record_numbers.emplace_back();
  }
  return file.batches.back();
}

// Whether `line` is the header of an export; an error for the header of a
// history export, which holds revisions rather than import records.
absl::StatusOr<bool> IsExportHeader(absl::string_view line,
                                    const std::string& where) {
  if (!absl::StrContains(line, kExportHeaderKey)) return false;
  google::protobuf::Struct object;
  if (!google::protobuf::util::JsonStringToMessage(
           google::protobuf::StringPiece(line.data(), line.size()), &object)
           .ok()) {
    return false;
  }
  auto header = object.fields().find(kExportHeaderKey);
  if (header == object.fields().end() || !header->second.has_struct_value()) {
    return false;
  }
  const auto& fields = header->second.struct_value().fields();
  if (auto history = fields.find("history");
      history != fields.end() && history->second.bool_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        where,
        ": a history export (annals export --history) lists revisions, "
        "retractions and deletions, which an import cannot replay; import an "
        "export of the current state (without --history)"));
  }
  return true;
}

absl::Status ReadJsonLines(const std::string& text, bool keep_going,
                           ImportFile& file) {
  int line_number = 0;
  bool first = true;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    if (first) {
      first = false;
      absl::StatusOr<bool> header =
          IsExportHeader(line, absl::StrCat(file.path, ":", line_number));
      if (!header.ok()) return header.status();
      if (*header) continue;
    }
    cv1::ImportRecord record;
    auto status = google::protobuf::util::JsonStringToMessage(
        google::protobuf::StringPiece(line.data(), line.size()), &record);
    file.lines.push_back(line_number);
    const int number = file.records();
    if (!status.ok()) {
      std::string reason =
          absl::StrCat("not an ImportRecord in JSON: ", status.ToString());
      if (!keep_going) {
        return absl::InvalidArgumentError(
            absl::StrCat(file.path, ":", line_number, ": ", reason));
      }
      file.unreadable.push_back({number, line_number, std::move(reason)});
      continue;
    }
    *OpenBatch(file, kJsonLinesBatch).add_records() = std::move(record);
    file.record_numbers.back().push_back(number);
  }
  return absl::OkStatus();
}

}  // namespace

std::string ImportFile::Where(int number) const {
  const int line = number >= 1 && number <= records() ? lines[number - 1] : 0;
  return line > 0 ? absl::StrCat(path, ":", line) : path;
}

absl::StatusOr<std::vector<std::string>> ImportFilePaths(
    const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code error;
    if (!fs::is_directory(path, error)) {
      files.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(path, error)) {
      if (IsImportFile(entry.path().string())) {
        found.push_back(entry.path().string());
      }
    }
    std::sort(found.begin(), found.end());
    if (found.empty()) {
      return absl::NotFoundError(absl::StrCat(
          path,
          ": no .textproto, .txtpb, .json or .jsonl files in this folder"));
    }
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

absl::StatusOr<ImportFile> ReadImportFile(const std::string& path,
                                          bool keep_going) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  ImportFile file;
  file.path = path;
  if (absl::EndsWith(path, ".jsonl")) {
    if (absl::Status s = ReadJsonLines(text, keep_going, file); !s.ok()) {
      return s;
    }
    return file;
  }
  cv1::ImportRecordsRequest& batch = OpenBatch(file, 0);
  if (absl::EndsWith(path, ".json")) {
    auto status = google::protobuf::util::JsonStringToMessage(text, &batch);
    if (!status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": not an ImportRecordsRequest in JSON: ", status.ToString()));
    }
    file.lines.assign(batch.records_size(), 0);
  } else {
    struct Collector : google::protobuf::io::ErrorCollector {
      std::string first;
      void AddError(int line, int column, const std::string& message) override {
        if (first.empty()) {
          first =
              absl::StrCat("line ", line + 1, ":", column + 1, ": ", message);
        }
      }
    } collector;
    google::protobuf::TextFormat::Parser parser;
    google::protobuf::TextFormat::ParseInfoTree locations;
    parser.RecordErrorsTo(&collector);
    parser.WriteLocationsTo(&locations);
    if (!parser.ParseFromString(text, &batch)) {
      return absl::InvalidArgumentError(absl::StrCat(
          path,
          ": not an ImportRecordsRequest in text format: ", collector.first));
    }
    const google::protobuf::FieldDescriptor* records =
        cv1::ImportRecordsRequest::descriptor()->FindFieldByName("records");
    for (int i = 0; i < batch.records_size(); ++i) {
      file.lines.push_back(locations.GetLocation(records, i).line + 1);
    }
  }
  for (int i = 0; i < batch.records_size(); ++i) {
    file.record_numbers.back().push_back(i + 1);
  }
  return file;
}

}  // namespace annals::cli
