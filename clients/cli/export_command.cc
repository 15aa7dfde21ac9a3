#include "clients/cli/export_command.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "clients/cli/import_files.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "google/protobuf/util/type_resolver.h"
#include "google/protobuf/util/type_resolver_util.h"
#include "services/common/types/resource_content.h"

namespace annals::cli {
namespace {

namespace cv1 = ::annals::catalog::v1;
using ::google::protobuf::Timestamp;
using ::google::protobuf::util::TimeUtil;

constexpr absl::string_view kEntityPrefix = "entities/";

// `message` in protobuf's JSON mapping on one line, fields that hold their
// default left out, and map entries in key order, so that the same content
// always prints the same way (MessageToJsonString prints maps in hash
// order).
std::string CanonicalJson(const google::protobuf::Message& message) {
  static google::protobuf::util::TypeResolver* const resolver =
      google::protobuf::util::NewTypeResolverForDescriptorPool(
          "type.googleapis.com",
          google::protobuf::DescriptorPool::generated_pool());
  std::string binary;
  {
    google::protobuf::io::StringOutputStream stream(&binary);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializePartialToCodedStream(&coded);
  }
  std::string json;
  // A message of a generated type always converts; on the impossible
  // failure the line is empty, which import refuses as unreadable.
  (void)google::protobuf::util::BinaryToJsonString(
      resolver,
      absl::StrCat("type.googleapis.com/",
                   message.GetDescriptor()->full_name()),
      binary, &json);
  return json;
}

// The entities a statement refers to: subject, object entity, sources.
std::vector<std::string> References(const cv1::Statement& statement) {
  std::vector<std::string> names = {statement.subject()};
  if (statement.object().has_entity()) {
    names.push_back(statement.object().entity());
  }
  for (const cv1::SourceCitation& source : statement.sources()) {
    names.push_back(source.source());
  }
  return names;
}

// Flag values, checked with the catalog's own rules so that a typo is a
// usage error rather than an empty export.
bool IsKind(absl::string_view kind) {
  if (kind.empty() || kind.size() > 32 || !absl::ascii_islower(kind[0])) {
    return false;
  }
  for (char c : kind) {
    if (!absl::ascii_islower(c) && c != '_') return false;
  }
  return true;
}

bool IsEntityId(absl::string_view id) {
  if (id.empty() || id.size() > 63 || id[0] == '-') return false;
  for (char c : id) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '-') {
      return false;
    }
  }
  return true;
}

bool IsPredicate(absl::string_view predicate) {
  if (predicate.empty() || predicate.size() > 64 ||
      !absl::ascii_islower(predicate[0]) || predicate.back() == '_' ||
      absl::StrContains(predicate, "__")) {
    return false;
  }
  for (char c : predicate) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_') {
      return false;
    }
  }
  return true;
}

// What part of the catalog to export. Entities are selected by kind;
// statements by subject and predicate, and by their subject's kind.
struct Selection {
  std::set<std::string> kinds;       // empty: every kind
  std::set<std::string> subjects;    // entity names; empty: every subject
  std::set<std::string> predicates;  // empty: every predicate

  bool any() const {
    return !kinds.empty() || !subjects.empty() || !predicates.empty();
  }
  // Only statements are asked for: entities come with them, not by kind.
  bool of_statements() const {
    return !subjects.empty() || !predicates.empty();
  }
  bool KindSelected(const std::string& kind) const {
    return kinds.empty() || kinds.contains(kind);
  }
};

// The last sequence and catalog id the first message of a feed reports.
struct FeedHead {
  int64_t sequence = 0;
  std::string catalog_id;
};

// Reads the change feed from sequence 1 through `through` (the head the
// feed reports first when `through` is negative), calling `visit` with each
// change in order until it returns false. Fails with the stream's error, or
// FAILED_PRECONDITION when the feed is another catalog's than
// `expected_catalog_id` (when not empty) or skips a sequence.
absl::StatusOr<FeedHead> ReadFeed(
    CatalogClient& catalog, const std::string& expected_catalog_id,
    int64_t through, const std::function<bool(const cv1::Change&)>& visit) {
  FeedHead head;
  absl::Status problem;
  bool finished = false;
  int64_t expected = 1;
  absl::Status status =
      catalog.WatchChanges(0, [&](const cv1::WatchChangesResponse& message) {
        if (head.catalog_id.empty()) {
          head.catalog_id = message.catalog_id();
          head.sequence = message.head_sequence();
          if (through < 0) through = head.sequence;
        }
        if (!expected_catalog_id.empty() &&
            message.catalog_id() != expected_catalog_id) {
          problem = absl::FailedPreconditionError(absl::StrCat(
              "the catalog was replaced during the export (its id was ",
              expected_catalog_id, ", it is now ", message.catalog_id(), ")"));
          return false;
        }
        if (through == 0) {
          finished = true;
          return false;
        }
        for (const cv1::Change& change : message.changes()) {
          if (change.sequence() != expected) {
            problem = absl::FailedPreconditionError(
                absl::StrCat("the change feed went from sequence ",
                             expected - 1, " to ", change.sequence()));
            return false;
          }
          ++expected;
          if (!visit(change) || change.sequence() >= through) {
            finished = true;
            return false;
          }
        }
        return true;
      });
  if (!problem.ok()) return problem;
  if (!status.ok()) return status;
  if (!finished) {
    return absl::UnavailableError(absl::StrCat(
        "the change feed ended before sequence ", through, " was read"));
  }
  return head;
}

// An unnamed temporary file of lines in $TMPDIR (default /tmp), deleted
// when closed. Not thread-safe.
class Spool {
 public:
  Spool() {
    const char* tmpdir = std::getenv("TMPDIR");
    dir_ = tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
    std::string path = absl::StrCat(dir_, "/annals-export-XXXXXX");
    const int fd = mkstemp(path.data());
    if (fd < 0) return;
    unlink(path.c_str());  // gone once closed, even if the tool is killed
    file_ = fdopen(fd, "w+");
    if (file_ == nullptr) close(fd);
  }
  ~Spool() {
    if (file_ != nullptr) std::fclose(file_);
    std::free(buffer_);
  }
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  absl::Status Append(absl::string_view a, absl::string_view b = "") {
    if (file_ == nullptr) return Failed();
    if (std::fwrite(a.data(), 1, a.size(), file_) != a.size() ||
        std::fwrite(b.data(), 1, b.size(), file_) != b.size() ||
        std::fputc('\n', file_) == EOF) {
      return Failed();
    }
    return absl::OkStatus();
  }
  absl::Status Rewind() {
    if (file_ == nullptr || std::fflush(file_) != 0) return Failed();
    std::rewind(file_);
    return absl::OkStatus();
  }
  // The next line, without its newline; false at the end.
  bool Next(std::string* line) {
    const ssize_t length = getline(&buffer_, &capacity_, file_);
    if (length <= 0) return false;
    line->assign(buffer_, buffer_[length - 1] == '\n' ? length - 1 : length);
    return true;
  }

 private:
  absl::Status Failed() const {
    return absl::UnavailableError(
        absl::StrCat("cannot write a temporary file in ", dir_,
                     " (set TMPDIR to a folder with room)"));
  }
  std::string dir_;
  std::FILE* file_ = nullptr;  // null when it could not be created
  char* buffer_ = nullptr;     // getline's, owned
  size_t capacity_ = 0;
};

// Names kept once each in blocks that never move, so that an index of a
// million statements costs their bytes and a string_view each, rather than
// a std::string and its allocation each.
class NameStore {
 public:
  // A copy of `name` that lives as long as the store.
  absl::string_view Store(absl::string_view name) {
    if (name.size() > kBlockSize - used_) {
      blocks_.push_back(
          std::make_unique<char[]>(std::max(kBlockSize, name.size())));
      used_ = 0;
    }
    char* at = blocks_.back().get() + used_;
    std::memcpy(at, name.data(), name.size());
    used_ += name.size();
    return absl::string_view(at, name.size());
  }

 private:
  static constexpr size_t kBlockSize = 1 << 20;
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t used_ = kBlockSize;  // of the last block; full before the first
};

// An entity as the catalog held it at the export's sequence.
struct EntityAtCut {
  int64_t sequence = 0;  // of its last revision at or before the cut
  bool deleted = false;
  std::string kind;
  std::vector<std::string> lifespan_sources;
};

// What was left out of a current-state export, and why.
struct LeftOut {
  int64_t deleted_entities = 0;
  int64_t retracted_statements = 0;
  int64_t entities_citing_deleted = 0;
  int64_t statements_citing_deleted = 0;
};

class Export {
 public:
  Export(CatalogClient& catalog, Selection selection,
         std::optional<Timestamp> as_of)
      : catalog_(catalog),
        selection_(std::move(selection)),
        as_of_(std::move(as_of)) {}

  // Reads the feed once to fix the cut (the head now, or the last sequence
  // committed at or before --as-of) and index every resource at the cut.
  absl::Status Index() {
    absl::StatusOr<FeedHead> head =
        ReadFeed(catalog_, "", -1, [&](const cv1::Change& change) {
          if (as_of_.has_value() && change.commit_time() > *as_of_) {
            return false;
          }
          cut_ = change.sequence();
          cut_time_ = change.commit_time();
          if (change.has_entity()) {
            const cv1::Entity& entity = change.entity();
            EntityAtCut& at_cut = entities_[entity.name()];
            at_cut.sequence = change.sequence();
            at_cut.deleted = entity.has_delete_time();
            at_cut.kind = entity.kind();
            at_cut.lifespan_sources.clear();
            for (const cv1::SourceCitation& source :
                 entity.lifespan_sources()) {
              at_cut.lifespan_sources.push_back(source.source());
            }
          } else if (change.has_statement()) {
            const std::string& name = change.statement().name();
            if (auto it = statements_.find(name); it != statements_.end()) {
              it->second = change.sequence();
            } else {
              statements_.emplace(statement_names_.Store(name),
                                  change.sequence());
            }
          }
          return true;
        });
    if (!head.ok()) return head.status();
    catalog_id_ = head->catalog_id;
    FindImportable();
    return absl::OkStatus();
  }

  // Writes the current state at the cut: the header, the selected entities
  // (each after the sources its lifespan cites), then the selected
  // statements.
  absl::Status WriteCurrent(std::ostream& out, std::ostream& err) {
    Spool entity_lines, statement_lines;
    absl::Status spooled;
    LeftOut left_out;
    int64_t statements = 0;
    absl::StatusOr<FeedHead> read =
        ReadFeed(catalog_, catalog_id_, cut_, [&](const cv1::Change& change) {
          if (change.has_entity()) {
            const cv1::Entity& entity = change.entity();
            if (entities_.at(entity.name()).sequence != change.sequence() ||
                !importable_.contains(entity.name())) {
              return true;
            }
            cv1::ImportRecord record;
            *record.mutable_entity() = EntityContent(entity);
            spooled.Update(entity_lines.Append(entity.name() + "\t",
                                               CanonicalJson(record)));
          } else if (change.has_statement()) {
            const cv1::Statement& statement = change.statement();
            if (statements_.at(statement.name()) != change.sequence()) {
              return true;
            }
            if (!Selected(statement)) return true;
            if (statement.has_retract_time()) {
              ++left_out.retracted_statements;
              return true;
            }
            const std::vector<std::string> references = References(statement);
            for (const std::string& name : references) {
              if (!importable_.contains(name)) {
                ++left_out.statements_citing_deleted;
                return true;
              }
            }
            needed_.insert(references.begin(), references.end());
            cv1::ImportRecord record;
            *record.mutable_statement() = StatementContent(statement);
            spooled.Update(statement_lines.Append(CanonicalJson(record)));
            ++statements;
          }
          return spooled.ok();
        });
    if (!spooled.ok()) return spooled;
    if (!read.ok()) return read.status();
    AddLifespanSources();

    // Sources before the entities whose lifespans cite them: an import
    // batch may refer only to entities it or an earlier batch creates.
    absl::flat_hash_map<std::string, int> rounds;
    int last_round = 0;
    for (const auto& [name, entity] : entities_) {
      if (!Exported(name)) continue;
      if (entity.deleted) {
        ++left_out.deleted_entities;
      } else if (!importable_.contains(name)) {
        ++left_out.entities_citing_deleted;
      } else {
        rounds[name] = Round(name, rounds, 0);
        last_round = std::max(last_round, rounds[name]);
      }
    }
    out << Header(/*history=*/false, static_cast<int64_t>(rounds.size()),
                  statements)
        << "\n";
    std::string line;
    for (int round = 0; round <= last_round; ++round) {
      if (absl::Status s = entity_lines.Rewind(); !s.ok()) return s;
      while (entity_lines.Next(&line)) {
        const size_t tab = line.find('\t');
        auto it = rounds.find(absl::string_view(line).substr(0, tab));
        if (it != rounds.end() && it->second == round) {
          out << absl::string_view(line).substr(tab + 1) << "\n";
        }
      }
    }
    if (absl::Status s = statement_lines.Rewind(); !s.ok()) return s;
    while (statement_lines.Next(&line)) out << line << "\n";
    if (!out) return absl::UnavailableError("cannot write the export");

    err << "annals: exported " << rounds.size() << " entities and "
        << statements << " statements at catalog sequence " << cut_;
    if (left_out.deleted_entities + left_out.retracted_statements +
            left_out.entities_citing_deleted +
            left_out.statements_citing_deleted >
        0) {
      err << "; left out: " << left_out.deleted_entities
          << " deleted entities, " << left_out.retracted_statements
          << " retracted statements, " << left_out.entities_citing_deleted
          << " entities whose lifespan cites a deleted source, "
          << left_out.statements_citing_deleted
          << " statements referring to a deleted entity (--history keeps "
             "them)";
    }
    err << "\n";
    return absl::OkStatus();
  }

  // Writes every change through the cut, in sequence order: entities'
  // revisions and deletions, statements' revisions and retractions, each
  // with its commit time. With a filter, a first reading finds the entities
  // the selected statements refer to.
  absl::Status WriteHistory(std::ostream& out, std::ostream& err) {
    if (selection_.any()) {
      absl::StatusOr<FeedHead> read =
          ReadFeed(catalog_, catalog_id_, cut_, [&](const cv1::Change& change) {
            if (change.has_statement() && Selected(change.statement())) {
              for (std::string& name : References(change.statement())) {
                needed_.insert(std::move(name));
              }
            }
            return true;
          });
      if (!read.ok()) return read.status();
      AddLifespanSources();
    }
    out << Header(/*history=*/true, -1, -1) << "\n";
    int64_t changes = 0;
    absl::StatusOr<FeedHead> read =
        ReadFeed(catalog_, catalog_id_, cut_, [&](const cv1::Change& change) {
          const bool exported =
              change.has_entity()
                  ? !selection_.any() || Exported(change.entity().name())
                  : change.has_statement() && Selected(change.statement());
          if (exported) {
            out << "{\"change\":" << CanonicalJson(change) << "}\n";
            ++changes;
          }
          return static_cast<bool>(out);
        });
    if (!read.ok()) return read.status();
    if (!out) return absl::UnavailableError("cannot write the export");
    err << "annals: exported " << changes
        << " changes through catalog sequence " << cut_ << "\n";
    return absl::OkStatus();
  }

 private:
  bool Selected(const cv1::Statement& statement) const {
    if (!selection_.subjects.empty() &&
        !selection_.subjects.contains(statement.subject())) {
      return false;
    }
    if (!selection_.predicates.empty() &&
        !selection_.predicates.contains(statement.predicate())) {
      return false;
    }
    if (selection_.kinds.empty()) return true;
    auto subject = entities_.find(statement.subject());
    return subject != entities_.end() &&
           selection_.kinds.contains(subject->second.kind);
  }

  // Whether entity `name` goes into the export (deleted or not): selected
  // by kind, or needed by an exported statement or lifespan.
  bool Exported(const std::string& name) const {
    if (needed_.contains(name)) return true;
    if (selection_.of_statements()) return false;
    auto it = entities_.find(name);
    return it != entities_.end() && selection_.KindSelected(it->second.kind);
  }

  // Adds to needed_ the sources the lifespans of exported entities cite,
  // and theirs in turn.
  void AddLifespanSources() {
    std::vector<std::string> pending;
    for (const auto& [name, entity] : entities_) {
      if (!entity.lifespan_sources.empty() && Exported(name)) {
        pending.push_back(name);
      }
    }
    while (!pending.empty()) {
      const std::string name = std::move(pending.back());
      pending.pop_back();
      auto it = entities_.find(name);
      if (it == entities_.end()) continue;
      for (const std::string& source : it->second.lifespan_sources) {
        if (needed_.insert(source).second) pending.push_back(source);
      }
    }
  }

  // Entities an import can create: not deleted at the cut, and whose
  // lifespan cites only such entities (a deleted source cannot be cited).
  void FindImportable() {
    for (const auto& [name, entity] : entities_) {
      if (!entity.deleted) importable_.insert(name);
    }
    for (bool removed = true; removed;) {
      removed = false;
      for (const auto& [name, entity] : entities_) {
        if (!importable_.contains(name)) continue;
        for (const std::string& source : entity.lifespan_sources) {
          if (!importable_.contains(source)) {
            importable_.erase(name);
            removed = true;
            break;
          }
        }
      }
    }
  }

  // 0 for an entity whose lifespan cites no other entity, else one more
  // than the highest round of those it cites; recorded in `rounds` for it
  // and every entity it reaches. An entity citing itself does not wait for
  // itself (one import batch may do that); a longer cycle is cut 64 deep.
  int Round(const std::string& name,
            absl::flat_hash_map<std::string, int>& rounds, int depth) {
    if (auto it = rounds.find(name); it != rounds.end()) return it->second;
    const EntityAtCut& entity = entities_.at(name);
    int round = 0;
    if (depth < 64) {
      for (const std::string& source : entity.lifespan_sources) {
        if (source != name) {
          round = std::max(round, Round(source, rounds, depth + 1) + 1);
        }
      }
    }
    // Every entity reached here is exported: AddLifespanSources() added the
    // sources that exported entities cite.
    rounds[name] = round;
    return round;
  }

  std::string Header(bool history, int64_t entities, int64_t statements) const {
    google::protobuf::Struct header;
    auto& fields = *(*header.mutable_fields())["annalsExport"]
                        .mutable_struct_value()
                        ->mutable_fields();
    fields["format"].set_string_value(std::string(kExportFormat));
    fields["catalogId"].set_string_value(catalog_id_);
    fields["sequence"].set_string_value(absl::StrCat(cut_));
    if (cut_ > 0) {
      fields["sequenceTime"].set_string_value(TimeUtil::ToString(cut_time_));
    }
    if (as_of_.has_value()) {
      fields["asOf"].set_string_value(TimeUtil::ToString(*as_of_));
    }
    fields["history"].set_bool_value(history);
    if (entities >= 0)
      fields["entities"].set_string_value(absl::StrCat(entities));
    if (statements >= 0) {
      fields["statements"].set_string_value(absl::StrCat(statements));
    }
    auto list = [&](const char* key, const std::set<std::string>& values) {
      if (values.empty()) return;
      auto* items = fields[key].mutable_list_value();
      for (const std::string& value : values) {
        items->add_values()->set_string_value(value);
      }
    };
    list("kinds", selection_.kinds);
    list("subjects", selection_.subjects);
    list("predicates", selection_.predicates);
    return CanonicalJson(header);
  }

  CatalogClient& catalog_;
  const Selection selection_;
  const std::optional<Timestamp> as_of_;
  std::string catalog_id_;
  int64_t cut_ = 0;
  Timestamp cut_time_;
  absl::flat_hash_map<std::string, EntityAtCut> entities_;
  // Statement name -> sequence of its last revision at or before the cut.
  // Keys point into statement_names_, which outlives the map.
  NameStore statement_names_;
  absl::flat_hash_map<absl::string_view, int64_t> statements_;
  absl::flat_hash_set<std::string> importable_;
  // Entities that exported statements or lifespans refer to.
  absl::flat_hash_set<std::string> needed_;
};

// Reads the flags into a Selection; INVALID_ARGUMENT names the bad one.
absl::StatusOr<Selection> SelectionFrom(const Args& args) {
  Selection selection;
  for (const std::string& kind : args.GetAll("kind")) {
    if (!IsKind(kind)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--kind: \"", kind,
          "\" is not a kind: a lowercase word such as mission or person"));
    }
    selection.kinds.insert(kind);
  }
  for (const std::string& subject : args.GetAll("subject")) {
    absl::string_view id = subject;
    absl::ConsumePrefix(&id, kEntityPrefix);
    if (!IsEntityId(id)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--subject: \"", subject,
          "\" is not an entity id (1-63 characters of a-z, 0-9 and '-') or "
          "entities/ID"));
    }
    selection.subjects.insert(absl::StrCat(kEntityPrefix, id));
  }
  for (const std::string& predicate : args.GetAll("predicate")) {
    if (!IsPredicate(predicate)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--predicate: \"", predicate,
          "\" is not a predicate in snake_case such as commander"));
    }
    selection.predicates.insert(predicate);
  }
  return selection;
}

}  // namespace

int RunExport(const Args& args, CatalogClient& catalog, std::ostream& out,
              std::ostream& err) {
  auto usage = [&](absl::string_view message) {
    err << "annals export: " << message << "\n";
    return 2;
  };
  if (!args.positionals().empty()) {
    return usage(absl::StrCat("unexpected argument \"", args.positionals()[0],
                              "\"; write to a file with -o FILE"));
  }
  absl::StatusOr<Selection> selection = SelectionFrom(args);
  if (!selection.ok()) return usage(selection.status().message());
  std::optional<Timestamp> as_of;
  if (args.Has("as-of")) {
    Timestamp time;
    if (!TimeUtil::FromString(args.Get("as-of"), &time)) {
      return usage(absl::StrCat(
          "--as-of: \"", args.Get("as-of"),
          "\" is not an RFC 3339 time such as 2024-01-01T00:00:00Z"));
    }
    as_of = time;
  }
  const std::string path = args.Get("output");
  if (args.Has("output") && path.empty()) {
    return usage("-o/--output: give a file name");
  }

  // A file is written beside its final name and renamed into place only
  // once complete, so a failed export never leaves half a file behind.
  const std::string partial = path + ".partial";
  std::ofstream file;
  if (!path.empty()) {
    file.open(partial, std::ios::out | std::ios::trunc | std::ios::binary);
    if (!file) {
      err << "annals: export: cannot write " << path << "\n";
      return 1;
    }
  }
  std::ostream& sink = path.empty() ? out : file;
  Export exporter(catalog, *std::move(selection), as_of);
  absl::Status status = exporter.Index();
  if (status.ok()) {
    status = args.Has("history") ? exporter.WriteHistory(sink, err)
                                 : exporter.WriteCurrent(sink, err);
  }
  if (!path.empty()) {
    file.close();
    std::error_code error;
    if (status.ok() && !file) {
      status = absl::UnavailableError(absl::StrCat("cannot write ", path));
    }
    if (status.ok()) std::filesystem::rename(partial, path, error);
    if (status.ok() && error) {
      status = absl::UnavailableError(
          absl::StrCat("cannot write ", path, ": ", error.message()));
    }
    if (!status.ok()) std::filesystem::remove(partial, error);
  }
  if (!status.ok()) {
    err << "annals: export: " << absl::StatusCodeToString(status.code()) << ": "
        << status.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace annals::cli
