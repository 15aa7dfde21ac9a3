#include "clients/cli/import_command.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/cli/import_files.h"
#include "clients/cli/output.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace annals::cli {
namespace {

namespace cv1 = ::annals::catalog::v1;

// Default of --retry-for: how long an unknown outcome is retried.
constexpr int kDefaultRetrySeconds = 60;
constexpr absl::Duration kFirstRetryDelay = absl::Seconds(1);
constexpr absl::Duration kMaxRetryDelay = absl::Seconds(8);

// Codes with which a call can end without the catalog having said what it
// did: the connection broke, the deadline passed, or the transport failed.
// Any other code is the catalog's answer.
bool OutcomeUnknown(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kInternal:
      return true;
    default:
      return false;
  }
}

// The catalog ends a failed import stream with "batch N (K earlier batches
// committed…): reason" (services/catalog/import.cc): then the outcome is
// known. Returns N and K, or nothing for any other message.
struct StreamStop {
  int64_t batch = 0;
  int64_t committed = 0;
};
std::optional<StreamStop> ParseStreamStop(absl::string_view message) {
  StreamStop stop;
  const std::string text(message.substr(0, 120));
  if (std::sscanf(text.c_str(), "batch %ld (%ld earlier batches committed",
                  &stop.batch, &stop.committed) == 2) {
    return stop;
  }
  // A stream of validate_only batches: nothing committed.
  if (std::sscanf(text.c_str(), "batch %ld (", &stop.batch) == 1) {
    stop.committed = 0;
    return stop;
  }
  return std::nullopt;
}

std::string CodeAndMessage(const absl::Status& status) {
  return absl::StrCat(absl::StatusCodeToString(status.code()), ": ",
                      status.message());
}

void Add(const cv1::ImportRecordsResponse& from,
         cv1::ImportRecordsResponse& to) {
  to.set_entities_created(to.entities_created() + from.entities_created());
  to.set_entities_updated(to.entities_updated() + from.entities_updated());
  to.set_statements_created(to.statements_created() +
                            from.statements_created());
  to.set_statements_updated(to.statements_updated() +
                            from.statements_updated());
  to.set_unchanged(to.unchanged() + from.unchanged());
  to.set_batches(to.batches() + from.batches());
  to.set_last_sequence(std::max(to.last_sequence(), from.last_sequence()));
}

// A message as a JSON object with every field, zeros included, so that
// scripts never have to guess a missing count.
google::protobuf::Struct ToStruct(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  print.always_print_primitive_fields = true;
  google::protobuf::Struct object;
  if (google::protobuf::util::MessageToJsonString(message, &json, print).ok()) {
    (void)google::protobuf::util::JsonStringToMessage(json, &object);
  }
  return object;
}

// What became of one file.
enum class Outcome { kCommitted, kRejected, kCommittedInPart, kUnknown };

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kCommitted:
      return "COMMITTED";
    case Outcome::kRejected:
      return "REJECTED";
    case Outcome::kCommittedInPart:
      return "COMMITTED_IN_PART";
    case Outcome::kUnknown:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

struct FileResult {
  const ImportFile* file = nullptr;
  Outcome outcome = Outcome::kUnknown;
  int64_t batches_committed = 0;
  int64_t records_committed = 0;
  absl::Status status;  // of the call, when not committed in full
};

// A refused record, located in its file (--keep-going).
struct Refusal {
  const ImportFile* file;
  int record;  // in its file, from 1
  std::string field;
  std::string code;
  std::string reason;
  std::string message;
};

// Where batch `batch` of a stream came from.
struct BatchOrigin {
  const ImportFile* file;
  const std::vector<int>* record_numbers;
};

class ImportCommand {
 public:
  ImportCommand(CatalogClient& catalog, std::ostream& out, std::ostream& err,
                const ImportCommandOptions& options, absl::Duration retry_for)
      : catalog_(catalog),
        out_(out),
        err_(err),
        options_(options),
        retry_for_(retry_for) {}

  int Run(const std::vector<std::string>& paths, bool dry_run,
          bool keep_going) {
    absl::StatusOr<std::vector<std::string>> names = ImportFilePaths(paths);
    if (!names.ok()) return Fail(names.status());
    for (const std::string& name : *names) {
      absl::StatusOr<ImportFile> file = ReadImportFile(name, keep_going);
      if (!file.ok()) return Fail(file.status());
      files_.push_back(*std::move(file));
    }
    AssignRequestIds();
    for (const ImportFile& file : files_) total_ += file.records();
    if (dry_run || keep_going) return OneStream(dry_run, keep_going);
    return FileByFile();
  }

 private:
  int Fail(const absl::Status& status) {
    err_ << "annals: import: " << CodeAndMessage(status) << "\n";
    return 1;
  }

  // Every batch gets its request id before the first attempt, so that a
  // retry of a call whose outcome is unknown is recognised by the catalog.
  void AssignRequestIds() {
    absl::BitGen gen;
    const std::string run =
        absl::StrFormat("annals-import-%016x", absl::Uniform<uint64_t>(gen));
    for (size_t f = 0; f < files_.size(); ++f) {
      for (size_t b = 0; b < files_[f].batches.size(); ++b) {
        files_[f].batches[b].set_request_id(absl::StrCat(run, "-", f, "-", b));
      }
    }
  }

  void DrawProgress(int64_t done) {
    if (!options_.interactive || options_.json) return;
    const double seconds = absl::ToDoubleSeconds(absl::Now() - started_);
    const double rate = seconds > 0 ? done / seconds : 0;
    const double left = rate > 0 ? (total_ - done) / rate : 0;
    constexpr int kWidth = 30;
    const int filled =
        total_ > 0 ? static_cast<int>(kWidth * done / total_) : kWidth;
    std::string bar;
    for (int i = 0; i < kWidth; ++i) bar += i < filled ? "█" : "░";
    out_ << absl::StrFormat("\r%s %lld/%lld records  %.0f/s  %.0fs left ", bar,
                            static_cast<long long>(done),
                            static_cast<long long>(total_), rate, left)
         << std::flush;
  }

  void EndProgress() {
    if (options_.interactive && !options_.json) out_ << "\n";
  }

  // One ImportRecords call. While its outcome is unknown, sends the same
  // batches (same request ids) again, waiting 1 s doubling to 8 s between
  // attempts, for up to --retry-for; says so once on stderr.
  absl::StatusOr<cv1::ImportRecordsResponse> Send(
      const std::string& what,
      const std::vector<cv1::ImportRecordsRequest>& batches) {
    const absl::Time give_up = absl::Now() + retry_for_;
    absl::Duration delay = kFirstRetryDelay;
    for (int attempt = 1;; ++attempt) {
      absl::StatusOr<cv1::ImportRecordsResponse> result =
          catalog_.ImportRecords(batches);
      // UNAVAILABLE is worth another try even when the catalog said where
      // it stopped (its disk is full, say): the batches it committed answer
      // from their records.
      const bool retry =
          !result.ok() &&
          (result.status().code() == absl::StatusCode::kUnavailable ||
           (OutcomeUnknown(result.status()) &&
            !ParseStreamStop(result.status().message()).has_value()));
      if (!retry) {
        if (attempt > 1 && result.ok()) {
          err_ << "annals: " << what << ": settled on attempt " << attempt
               << "\n";
        }
        return result;
      }
      if (absl::Now() + delay > give_up) return result;
      if (attempt == 1) {
        err_ << "annals: " << what << ": no answer from the catalog ("
             << CodeAndMessage(result.status())
             << "); sending it again with the same request ids for up to "
             << absl::FormatDuration(retry_for_) << "\n";
      }
      absl::SleepFor(delay);
      delay = std::min(delay * 2, kMaxRetryDelay);
    }
  }

  // Each file in a call of its own; a rejected file does not stop the
  // others.
  int FileByFile() {
    cv1::ImportRecordsResponse summary;
    std::vector<FileResult> results;
    int64_t done = 0;
    started_ = absl::Now();
    DrawProgress(0);
    for (const ImportFile& file : files_) {
      FileResult result = ImportFileAlone(file, summary);
      results.push_back(std::move(result));
      done += file.records();
      DrawProgress(done);
    }
    EndProgress();

    int64_t imported = 0, records = 0, rejected = 0, in_part = 0, unknown = 0;
    for (const FileResult& result : results) {
      records += result.records_committed;
      switch (result.outcome) {
        case Outcome::kCommitted:
          ++imported;
          break;
        case Outcome::kRejected:
          ++rejected;
          break;
        case Outcome::kCommittedInPart:
          ++in_part;
          break;
        case Outcome::kUnknown:
          ++unknown;
          break;
      }
    }
    if (options_.json) {
      google::protobuf::Struct object = ToStruct(summary);
      auto& fields = *object.mutable_fields();
      fields["filesImported"].set_number_value(imported);
      fields["filesRejected"].set_number_value(rejected);
      fields["filesCommittedInPart"].set_number_value(in_part);
      fields["filesWithUnknownOutcome"].set_number_value(unknown);
      fields["recordsImported"].set_number_value(records);
      google::protobuf::ListValue* list = fields["files"].mutable_list_value();
      for (const FileResult& result : results) {
        auto& file =
            *list->add_values()->mutable_struct_value()->mutable_fields();
        file["file"].set_string_value(result.file->path);
        file["outcome"].set_string_value(OutcomeName(result.outcome));
        file["batches"].set_number_value(result.file->batches.size());
        file["batchesCommitted"].set_number_value(result.batches_committed);
        file["recordsCommitted"].set_number_value(result.records_committed);
        if (!result.status.ok()) {
          file["code"].set_string_value(
              absl::StatusCodeToString(result.status.code()));
          file["message"].set_string_value(
              std::string(result.status.message()));
        }
      }
      out_ << Json(object) << "\n";
    } else {
      out_ << absl::StrFormat(
          "imported %lld of %zu files, %lld records: %lld entities created, "
          "%lld updated; %lld statements created, %lld updated; %lld "
          "unchanged; %lld files rejected, %lld committed in part, %lld with "
          "unknown outcome (catalog sequence %lld)\n",
          static_cast<long long>(imported), files_.size(),
          static_cast<long long>(records),
          static_cast<long long>(summary.entities_created()),
          static_cast<long long>(summary.entities_updated()),
          static_cast<long long>(summary.statements_created()),
          static_cast<long long>(summary.statements_updated()),
          static_cast<long long>(summary.unchanged()),
          static_cast<long long>(rejected), static_cast<long long>(in_part),
          static_cast<long long>(unknown),
          static_cast<long long>(summary.last_sequence()));
    }
    for (const FileResult& result : results) Report(result);
    if (rejected + in_part > 0) return 1;
    return unknown > 0 ? kExitOutcomeUnknown : 0;
  }

  FileResult ImportFileAlone(const ImportFile& file,
                             cv1::ImportRecordsResponse& summary) {
    FileResult result;
    result.file = &file;
    absl::StatusOr<cv1::ImportRecordsResponse> answer =
        Send(file.path, file.batches);
    if (answer.ok()) {
      Add(*answer, summary);
      result.outcome = Outcome::kCommitted;
      result.batches_committed = static_cast<int64_t>(file.batches.size());
      for (const cv1::ImportRecordsRequest& batch : file.batches) {
        result.records_committed += batch.records_size();
      }
      return result;
    }
    result.status = answer.status();
    std::optional<StreamStop> stop = ParseStreamStop(answer.status().message());
    if (!stop.has_value()) {
      // Refused before any batch was read (a bad token, say) is an answer
      // too; only a call that broke leaves the outcome open.
      result.outcome = OutcomeUnknown(answer.status()) ? Outcome::kUnknown
                                                       : Outcome::kRejected;
      return result;
    }
    // The catalog says how many batches it committed before it stopped;
    // their counts are not in the error, so they are asked for again: the
    // same request ids return the recorded responses and apply nothing.
    const int64_t committed = std::clamp<int64_t>(
        stop->committed, 0, static_cast<int64_t>(file.batches.size()));
    result.batches_committed = committed;
    result.outcome =
        committed > 0 ? Outcome::kCommittedInPart : Outcome::kRejected;
    if (committed > 0) {
      std::vector<cv1::ImportRecordsRequest> done(
          file.batches.begin(), file.batches.begin() + committed);
      absl::StatusOr<cv1::ImportRecordsResponse> recorded =
          catalog_.ImportRecords(std::move(done));
      if (recorded.ok()) Add(*recorded, summary);
      for (int64_t b = 0; b < committed; ++b) {
        result.records_committed += file.batches[b].records_size();
      }
    }
    return result;
  }

  void Report(const FileResult& result) {
    const ImportFile& file = *result.file;
    switch (result.outcome) {
      case Outcome::kCommitted:
        return;
      case Outcome::kRejected:
        err_ << "annals: rejected " << file.path << ": "
             << CodeAndMessage(result.status) << "\n";
        return;
      case Outcome::kCommittedInPart: {
        const size_t next = static_cast<size_t>(result.batches_committed);
        const std::vector<int> numbers = next < file.record_numbers.size()
                                             ? file.record_numbers[next]
                                             : std::vector<int>{};
        err_ << "annals: " << file.path << " committed in part: its first "
             << result.records_committed << " records are committed; from "
             << (numbers.empty() ? file.path
                                 : absl::StrCat(file.Where(numbers.front()),
                                                ", record ", numbers.front()))
             << " on it was rejected: " << CodeAndMessage(result.status)
             << "\n";
        return;
      }
      case Outcome::kUnknown:
        err_ << "annals: outcome unknown for " << file.path << ": "
             << CodeAndMessage(result.status)
             << "; it may be committed in full, in part or not at all. Run "
                "the same command again once the catalog answers: records "
                "already committed are found unchanged.\n";
        return;
    }
  }

  // `message` about a record, without its batch-relative "records[i]."
  // prefix, and with "(batch B, records[R])" / "(records[R] of this
  // batch)" told as FILE:LINE.
  static std::string RecordMessage(std::string message, int64_t batch,
                                   const std::vector<BatchOrigin>& origins) {
    if (absl::StartsWith(message, "records[")) {
      size_t end = message.find("].");
      if (end != std::string::npos) message = message.substr(end + 2);
    }
    auto locate = [&](int64_t b, int r) -> std::string {
      if (b < 0 || b >= static_cast<int64_t>(origins.size()) || r < 0 ||
          r >= static_cast<int>(origins[b].record_numbers->size())) {
        return "";
      }
      int number = (*origins[b].record_numbers)[r];
      return absl::StrCat(origins[b].file->Where(number), ", record ", number);
    };
    int64_t b = -1;
    int r = -1;
    size_t at = message.rfind(" (batch ");
    if (at != std::string::npos &&
        std::sscanf(message.c_str() + at, " (batch %ld, records[%d])", &b,
                    &r) == 2) {
      if (std::string where = locate(b, r); !where.empty()) {
        return absl::StrCat(message.substr(0, at), " (", where, ")");
      }
    }
    at = message.rfind(" (records[");
    if (at != std::string::npos &&
        std::sscanf(message.c_str() + at, " (records[%d] of this batch)", &r) ==
            1) {
      if (std::string where = locate(batch, r); !where.empty()) {
        return absl::StrCat(message.substr(0, at), " (", where, ")");
      }
    }
    return message;
  }

  // Every file's batches in one ImportRecords stream: validate_only for a
  // dry run (so each file is checked with what earlier files would create),
  // IMPORT_ERROR_MODE_KEEP_GOING with --keep-going.
  int OneStream(bool dry_run, bool keep_going) {
    std::vector<cv1::ImportRecordsRequest> batches;
    std::vector<BatchOrigin> origins;
    for (const ImportFile& file : files_) {
      for (size_t b = 0; b < file.batches.size(); ++b) {
        cv1::ImportRecordsRequest batch = file.batches[b];
        batch.set_validate_only(dry_run);
        if (keep_going) {
          batch.set_error_mode(cv1::IMPORT_ERROR_MODE_KEEP_GOING);
        }
        batches.push_back(std::move(batch));
        origins.push_back({&file, &file.record_numbers[b]});
      }
    }
    started_ = absl::Now();
    DrawProgress(0);
    absl::StatusOr<cv1::ImportRecordsResponse> result =
        Send(dry_run ? "dry run" : "import", batches);
    EndProgress();
    if (!result.ok()) {
      std::optional<StreamStop> stop =
          ParseStreamStop(result.status().message());
      if (!stop.has_value() && OutcomeUnknown(result.status())) {
        if (dry_run) {
          err_ << "annals: dry run not finished: "
               << CodeAndMessage(result.status()) << " (nothing committed)\n";
          return 1;
        }
        err_ << "annals: outcome unknown for the import of " << files_.size()
             << (files_.size() == 1 ? " file" : " files") << ": "
             << CodeAndMessage(result.status())
             << "; some of it may be committed. Run the same command again "
                "once the catalog answers: records already committed are "
                "found unchanged.\n";
        return kExitOutcomeUnknown;
      }
      // The stream stopped at a batch: "batch N (...): ...".
      std::string where = "import";
      if (stop.has_value() && stop->batch >= 0 &&
          stop->batch < static_cast<int64_t>(origins.size())) {
        where = origins[stop->batch].file->path;
      }
      err_ << "annals: rejected " << where << ": "
           << CodeAndMessage(result.status()) << "\n";
      if (dry_run) {
        err_ << "annals: the files after it were not checked; --keep-going "
                "checks every record\n";
      }
      return 1;
    }
    DrawProgress(total_);

    std::vector<Refusal> refused;
    for (const ImportFile& file : files_) {
      for (const UnreadableRecord& record : file.unreadable) {
        refused.push_back({&file, record.record, "", "INVALID_ARGUMENT",
                           "UNREADABLE", record.reason});
      }
    }
    for (const cv1::RefusedRecord& record : result->refused_records()) {
      if (record.batch() < 0 ||
          record.batch() >= static_cast<int64_t>(origins.size())) {
        continue;
      }
      const BatchOrigin& origin = origins[record.batch()];
      if (record.record() < 0 ||
          record.record() >= static_cast<int>(origin.record_numbers->size())) {
        continue;
      }
      refused.push_back(
          {origin.file, (*origin.record_numbers)[record.record()],
           record.field(), record.code(), record.reason(),
           RecordMessage(record.message(), record.batch(), origins)});
    }
    std::stable_sort(
        refused.begin(), refused.end(), [](const Refusal& a, const Refusal& b) {
          return a.file != b.file ? a.file < b.file : a.record < b.record;
        });
    const int64_t refused_total = result->refused() +
                                  static_cast<int64_t>(refused.size()) -
                                  result->refused_records_size();
    cv1::ImportRecordsResponse summary = *result;
    summary.set_refused(refused_total);
    if (options_.json) {
      EmitSummary(summary, refused);
    } else {
      for (const Refusal& refusal : refused) {
        err_ << refusal.file->Where(refusal.record) << ": record "
             << refusal.record << ": " << refusal.message << "\n";
      }
      if (refused_total > static_cast<int64_t>(refused.size())) {
        err_ << "annals: " << refused_total - refused.size()
             << " more refused records not listed (the catalog lists at "
                "most 10000 per import)\n";
      }
      out_ << absl::StrFormat(
          "%s %zu files, %lld records: %lld entities %s, %lld %s; %lld "
          "statements %s, %lld %s; %lld unchanged; %lld records refused %s\n",
          dry_run ? "checked" : "imported", files_.size(),
          static_cast<long long>(total_),
          static_cast<long long>(summary.entities_created()),
          dry_run ? "to create" : "created",
          static_cast<long long>(summary.entities_updated()),
          dry_run ? "to update" : "updated",
          static_cast<long long>(summary.statements_created()),
          dry_run ? "to create" : "created",
          static_cast<long long>(summary.statements_updated()),
          dry_run ? "to update" : "updated",
          static_cast<long long>(summary.unchanged()),
          static_cast<long long>(refused_total),
          dry_run ? "(dry run: nothing committed)"
                  : absl::StrCat("(catalog sequence ", summary.last_sequence(),
                                 ")"));
    }
    return refused_total > 0 ? 1 : 0;
  }

  // The summary as one JSON object, zero counts included, its
  // refusedRecords located in their files: {"file", "line", "record",
  // "field", "code", "reason", "message"}.
  void EmitSummary(const cv1::ImportRecordsResponse& summary,
                   const std::vector<Refusal>& refused) {
    cv1::ImportRecordsResponse counts = summary;
    counts.clear_refused_records();
    google::protobuf::Struct object = ToStruct(counts);
    google::protobuf::ListValue* list =
        (*object.mutable_fields())["refusedRecords"].mutable_list_value();
    for (const Refusal& refusal : refused) {
      auto& fields =
          *list->add_values()->mutable_struct_value()->mutable_fields();
      fields["file"].set_string_value(refusal.file->path);
      const int line = refusal.file->lines[refusal.record - 1];
      if (line > 0) fields["line"].set_number_value(line);
      fields["record"].set_number_value(refusal.record);
      if (!refusal.field.empty()) {
        fields["field"].set_string_value(refusal.field);
      }
      fields["code"].set_string_value(refusal.code);
      fields["reason"].set_string_value(refusal.reason);
      fields["message"].set_string_value(refusal.message);
    }
    out_ << Json(object) << "\n";
  }

  CatalogClient& catalog_;
  std::ostream& out_;
  std::ostream& err_;
  const ImportCommandOptions options_;
  const absl::Duration retry_for_;
  std::vector<ImportFile> files_;
  int64_t total_ = 0;
  absl::Time started_ = absl::Now();
};

}  // namespace

int RunImport(const Args& args, CatalogClient& catalog, std::ostream& out,
              std::ostream& err, const ImportCommandOptions& options) {
  absl::StatusOr<int64_t> retry_seconds =
      args.GetInt("retry-for", kDefaultRetrySeconds);
  if (!retry_seconds.ok() || *retry_seconds < 0) {
    err << "annals: --retry-for: must be a number of seconds, 0 or more\n";
    return 2;
  }
  ImportCommand command(catalog, out, err, options,
                        absl::Seconds(*retry_seconds));
  return command.Run(args.positionals(), args.Has("dry-run"),
                     args.Has("keep-going"));
}

}  // namespace annals::cli
