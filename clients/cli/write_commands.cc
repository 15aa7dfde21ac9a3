#include "clients/cli/write_commands.h"

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "clients/cli/output.h"

namespace annals::cli {
namespace {

namespace cv1 = ::annals::catalog::v1;

// "EARLIEST_START,LATEST_START,EARLIEST_END,LATEST_END" into the extent's
// bound dates; the catalog validates the dates themselves.
absl::Status SetBoundDates(absl::string_view flag, absl::string_view text,
                           annals::type::v1::Extent* extent) {
  std::vector<std::string> parts = absl::StrSplit(text, ',');
  if (parts.size() != 4) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag,
        " takes four comma-separated dates: EARLIEST_START,LATEST_START,"
        "EARLIEST_END,LATEST_END (an empty one is unknown, .. is open)"));
  }
  annals::type::v1::BoundDates* dates = extent->mutable_bound_dates();
  dates->set_earliest_start(parts[0]);
  dates->set_latest_start(parts[1]);
  dates->set_earliest_end(parts[2]);
  dates->set_latest_end(parts[3]);
  return absl::OkStatus();
}

absl::Status ParseKeyValues(
    const std::vector<std::string>& pairs,
    google::protobuf::Map<std::string, std::string>* out,
    const std::string& flag) {
  for (const std::string& pair : pairs) {
    size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, " takes KEY=VALUE, not \"", pair, "\""));
    }
    (*out)[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  return absl::OkStatus();
}

// "SOURCE[#LOCATOR]" into `citation`.
void AddCitation(const std::string& text, cv1::SourceCitation* citation) {
  std::vector<std::string> parts =
      absl::StrSplit(text, absl::MaxSplits('#', 1));
  citation->set_source(parts[0]);
  if (parts.size() > 1) citation->set_locator(parts[1]);
}

// The entity fields the flags give, and their update-mask paths, in the
// order of the API's paths.
absl::Status EntityFromFlags(const Args& args, cv1::Entity* entity,
                             std::vector<std::string>* paths) {
  if (args.Has("kind")) {
    entity->set_kind(args.Get("kind"));
    paths->push_back("kind");
  }
  if (args.Has("label")) {
    entity->set_label(args.Get("label"));
    paths->push_back("label");
  }
  if (args.Has("alias")) {
    for (const std::string& alias : args.GetAll("alias")) {
      entity->add_aliases(alias);
    }
    paths->push_back("aliases");
  }
  if (args.Has("description")) {
    entity->set_description(args.Get("description"));
    paths->push_back("description");
  }
  if (args.Has("attr")) {
    if (absl::Status s = ParseKeyValues(args.GetAll("attr"),
                                        entity->mutable_attributes(), "attr");
        !s.ok()) {
      return s;
    }
    paths->push_back("attributes");
  }
  if (args.Has("lifespan") && args.Has("lifespan-bounds")) {
    return absl::InvalidArgumentError(
        "--lifespan and --lifespan-bounds: give one");
  }
  if (args.Has("lifespan")) {
    entity->mutable_lifespan()->set_edtf(args.Get("lifespan"));
    paths->push_back("lifespan");
  }
  if (args.Has("lifespan-bounds")) {
    if (absl::Status s =
            SetBoundDates("lifespan-bounds", args.Get("lifespan-bounds"),
                          entity->mutable_lifespan());
        !s.ok()) {
      return s;
    }
    paths->push_back("lifespan");
  }
  if (args.Has("lifespan-source")) {
    for (const std::string& source : args.GetAll("lifespan-source")) {
      AddCitation(source, entity->add_lifespan_sources());
    }
    paths->push_back("lifespan_sources");
  }
  return absl::OkStatus();
}

// The update-mask path of a --clear=FIELD, as the flag or the API names it.
absl::StatusOr<std::string> ClearPath(const std::string& field) {
  static const auto* kPaths = new std::map<std::string, std::string>{
      {"kind", "kind"},
      {"label", "label"},
      {"alias", "aliases"},
      {"aliases", "aliases"},
      {"description", "description"},
      {"attr", "attributes"},
      {"attributes", "attributes"},
      {"lifespan", "lifespan"},
      {"lifespan-source", "lifespan_sources"},
      {"lifespan-sources", "lifespan_sources"},
      {"lifespan_sources", "lifespan_sources"}};
  auto it = kPaths->find(field);
  if (it == kPaths->end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--clear takes aliases, description, attributes, lifespan or "
        "lifespan-sources, not \"",
        field, "\""));
  }
  return it->second;
}

// "entities/ID" for ID or entities/ID; writes take ids, never labels, so
// that a command can never change an entity other than the one named.
std::string EntityName(const std::string& text) {
  return absl::StartsWith(text, "entities/") ? text
                                             : absl::StrCat("entities/", text);
}

std::string StatementName(const std::string& text) {
  return absl::StartsWith(text, "statements/")
             ? text
             : absl::StrCat("statements/", text);
}

class WriteCommand {
 public:
  WriteCommand(const Args& args, const std::string& usage,
               CatalogClient& catalog, std::ostream& out, std::ostream& err,
               bool json)
      : args_(args),
        usage_(usage),
        catalog_(catalog),
        out_(out),
        err_(err),
        json_(json),
        dry_run_(args.Has("dry-run")) {}

  int Create() {
    const std::vector<std::string>& words = args_.positionals();
    if (words.empty()) return Usage("");
    if (words[0] == "entity") {
      if (words.size() != 2) return Usage("create entity takes one ID");
      cv1::CreateEntityRequest request;
      request.set_entity_id(words[1]);
      request.set_request_id(args_.Get("request-id"));
      request.set_validate_only(dry_run_);
      std::vector<std::string> paths;
      if (absl::Status s =
              EntityFromFlags(args_, request.mutable_entity(), &paths);
          !s.ok()) {
        return Usage(std::string(s.message()));
      }
      return Report("create entity", "created", catalog_.CreateEntity(request));
    }
    if (words[0] == "statement") {
      if (words.size() != 1) return Usage("create statement takes no words");
      cv1::CreateStatementRequest request;
      request.set_statement_id(args_.Get("id"));
      request.set_request_id(args_.Get("request-id"));
      request.set_validate_only(dry_run_);
      cv1::Statement* statement = request.mutable_statement();
      statement->set_subject(args_.Get("subject"));
      statement->set_predicate(args_.Get("predicate"));
      if (args_.Has("valid")) {
        statement->mutable_valid_time()->set_edtf(args_.Get("valid"));
      }
      if (args_.Has("valid-bounds")) {
        absl::Status s =
            SetBoundDates("valid-bounds", args_.Get("valid-bounds"),
                          statement->mutable_valid_time());
        if (!s.ok()) return Usage(std::string(s.message()));
      }
      cv1::Value* object = statement->mutable_object();
      if (args_.Has("object")) object->set_entity(args_.Get("object"));
      if (args_.Has("text")) object->set_text(args_.Get("text"));
      if (args_.Has("decimal")) object->set_decimal(args_.Get("decimal"));
      if (args_.Has("integer")) {
        absl::StatusOr<int64_t> value = args_.GetInt("integer", 0);
        if (!value.ok()) return Usage(std::string(value.status().message()));
        object->set_integer(*value);
      }
      if (args_.Has("quantity")) {
        std::vector<std::string> parts =
            absl::StrSplit(args_.Get("quantity"), absl::MaxSplits(' ', 1));
        object->mutable_quantity()->set_amount(parts[0]);
        if (parts.size() > 1) object->mutable_quantity()->set_unit(parts[1]);
      }
      for (const std::string& source : args_.GetAll("source")) {
        AddCitation(source, statement->add_sources());
      }
      if (absl::Status s =
              ParseKeyValues(args_.GetAll("qualifier"),
                             statement->mutable_qualifiers(), "qualifier");
          !s.ok()) {
        return Usage(std::string(s.message()));
      }
      return Report("create statement", "created",
                    catalog_.CreateStatement(request));
    }
    return Usage(absl::StrCat("create entity or create statement, not \"",
                              words[0], "\""));
  }

  int Update() {
    if (args_.positionals().size() != 1) return Usage("update takes one ID");
    cv1::UpdateEntityRequest request;
    cv1::Entity* entity = request.mutable_entity();
    entity->set_name(EntityName(args_.positionals()[0]));
    entity->set_etag(args_.Get("etag"));
    request.set_request_id(args_.Get("request-id"));
    request.set_validate_only(dry_run_);
    std::vector<std::string> paths;
    if (absl::Status s = EntityFromFlags(args_, entity, &paths); !s.ok()) {
      return Usage(std::string(s.message()));
    }
    for (const std::string& field : args_.GetAll("clear")) {
      absl::StatusOr<std::string> path = ClearPath(field);
      if (!path.ok()) return Usage(std::string(path.status().message()));
      if (std::find(paths.begin(), paths.end(), *path) != paths.end()) {
        return Usage(
            absl::StrCat("--clear=", field, " and a value for it: give one"));
      }
      paths.push_back(*path);
    }
    if (paths.empty()) {
      return Usage(
          "nothing to update: give the fields to change (--label=…, "
          "--alias=…, …) or --clear=FIELD");
    }
    for (const std::string& path : paths) {
      request.mutable_update_mask()->add_paths(path);
    }
    return Report(absl::StrCat("update ", args_.positionals()[0]), "updated",
                  catalog_.UpdateEntity(request),
                  absl::StrCat(" (", absl::StrJoin(paths, ", "), ")"));
  }

  int Delete() {
    if (args_.positionals().size() != 1) return Usage("delete takes one ID");
    cv1::DeleteEntityRequest request;
    request.set_name(EntityName(args_.positionals()[0]));
    request.set_etag(args_.Get("etag"));
    request.set_request_id(args_.Get("request-id"));
    request.set_validate_only(dry_run_);
    return Report(absl::StrCat("delete ", args_.positionals()[0]), "deleted",
                  catalog_.DeleteEntity(request));
  }

  int Retract() {
    if (args_.positionals().size() != 1) {
      return Usage("retract takes one statement id");
    }
    if (args_.Get("reason").empty()) {
      return Usage(
          "--reason is required: say why the statement no longer "
          "holds (it is kept with it)");
    }
    cv1::RetractStatementRequest request;
    request.set_name(StatementName(args_.positionals()[0]));
    request.set_reason(args_.Get("reason"));
    request.set_etag(args_.Get("etag"));
    request.set_request_id(args_.Get("request-id"));
    request.set_validate_only(dry_run_);
    return Report(absl::StrCat("retract ", args_.positionals()[0]), "retracted",
                  catalog_.RetractStatement(request));
  }

 private:
  int Usage(const std::string& message) {
    if (!message.empty()) err_ << "annals: " << message << "\n";
    err_ << "Usage: " << usage_ << "\n";
    return 2;
  }

  // Prints the written (or, with --dry-run, the would-be) record: JSON, or
  // "updated entities/x at sequence 12 (label)".
  template <typename Record>
  int Report(const std::string& what, const std::string& verb,
             const absl::StatusOr<Record>& result,
             const std::string& detail = "") {
    if (!result.ok()) {
      err_ << "annals: " << what << ": "
           << absl::StatusCodeToString(result.status().code()) << ": "
           << result.status().message() << "\n";
      return 1;
    }
    if (json_) {
      out_ << Json(*result) << "\n";
      return 0;
    }
    if (dry_run_) {
      out_ << "would be " << verb << ": " << result->name() << detail
           << " (dry run: nothing written)\n";
    } else {
      out_ << verb << " " << result->name() << " at sequence "
           << result->sequence() << detail << "\n";
    }
    return 0;
  }

  const Args& args_;
  const std::string& usage_;
  CatalogClient& catalog_;
  std::ostream& out_;
  std::ostream& err_;
  const bool json_;
  const bool dry_run_;
};

}  // namespace

int RunWriteCommand(const std::string& command, const Args& args,
                    const std::string& usage, CatalogClient& catalog,
                    std::ostream& out, std::ostream& err, bool json) {
  WriteCommand write(args, usage, catalog, out, err, json);
  if (command == "create") return write.Create();
  if (command == "update") return write.Update();
  if (command == "delete") return write.Delete();
  if (command == "retract") return write.Retract();
  err << "annals: " << command << " is not a write command\n";
  return 2;
}

}  // namespace annals::cli
