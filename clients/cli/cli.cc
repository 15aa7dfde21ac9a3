#include "clients/cli/cli.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "annals/catalog_client.h"
#include "annals/channel.h"
#include "annals/timeline_client.h"
#include "clients/cli/args.h"
#include "clients/cli/backup_command.h"
#include "clients/cli/commands.h"
#include "clients/cli/display.h"
#include "clients/cli/export_command.h"
#include "clients/cli/import_command.h"
#include "clients/cli/output.h"
#include "clients/cli/render.h"
#include "clients/cli/write_commands.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/common/temporal/edtf.h"
#include "services/common/temporal/extent.h"
#include "services/common/types/extent_proto.h"

namespace annals::cli {
namespace {

namespace cv1 = ::annals::catalog::v1;
namespace tv1 = ::annals::timeline::v1;

constexpr char kDefaultCatalog[] = "127.0.0.1:7401";
constexpr char kDefaultTimeline[] = "127.0.0.1:7402";

// Column-aligned tables for terminals.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void Print(std::ostream& out) const {
    std::vector<size_t> widths;
    for (const auto& row : rows_) {
      widths.resize(std::max(widths.size(), row.size()), 0);
      for (size_t i = 0; i < row.size(); ++i) {
        widths[i] = std::max(widths[i], DisplayWidth(row[i]));
      }
    }
    for (const auto& row : rows_) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) {
        line += row[i];
        if (i + 1 < row.size()) {
          line.append(widths[i] - DisplayWidth(row[i]) + 2, ' ');
        }
      }
      out << line << "\n";
    }
  }

 private:
  // Code points, so accented names line up.
  static size_t DisplayWidth(const std::string& text) {
    return std::count_if(text.begin(), text.end(), [](char c) {
      return (static_cast<unsigned char>(c) & 0xc0) != 0x80;
    });
  }
  std::vector<std::vector<std::string>> rows_;
};

class Tool {
 public:
  // `options` carries the timeout, TLS and token (ClientOptionsFrom()).
  Tool(std::ostream& out, std::ostream& err, const Environment& environment,
       const Args& global, const ClientOptions& options)
      : out_(out), err_(err), environment_(environment), options_(options) {
    json_ = global.Has("json");
    catalog_address_ =
        Address(global, "catalog", "ANNALS_CATALOG", kDefaultCatalog);
    timeline_address_ =
        Address(global, "timeline", "ANNALS_TIMELINE", kDefaultTimeline);
    auto session = std::make_shared<Session>();
    // Read at least this catalog sequence (e.g. the one `import` printed).
    if (absl::StatusOr<int64_t> min = global.GetInt("min-sequence", 0);
        min.ok()) {
      session->ObserveWrite(*min);
    }
    catalog_ = std::make_unique<CatalogClient>(
        CatalogClient::Connect(catalog_address_, options, session));
    timeline_ = std::make_unique<TimelineClient>(
        TimelineClient::Connect(timeline_address_, options, session));
  }

  int Dispatch(const std::string& command, const Args& args) {
    if (command == "get") return Get(args);
    if (command == "list") return List(args);
    if (command == "create" || command == "update" || command == "delete" ||
        command == "retract") {
      return RunWriteCommand(command, args, Commands().at(command).usage,
                             *catalog_, out_, err_, json_);
    }
    if (command == "import") {
      if (args.positionals().empty()) {
        return Usage(Commands().at("import").usage);
      }
      return RunImport(
          args, *catalog_, out_, err_,
          {.json = json_, .interactive = environment_.interactive});
    }
    if (command == "export") return RunExport(args, *catalog_, out_, err_);
    if (command == "watch") return Watch(args);
    if (command == "snapshot") return Snapshot(args);
    if (command == "history") return History(args);
    if (command == "window") return Window(args);
    if (command == "at") return At(args);
    if (command == "relate") return Relate(args);
    if (command == "gaps") return Gaps(args);
    if (command == "count") return Count(args);
    if (command == "render") return Render(args);
    if (command == "demo") return Demo();
    if (command == "health") return Health(args);
    if (command == "backup") {
      return RunBackup(args, catalog_address_, options_, json_, out_, err_);
    }
    return Usage(absl::StrCat("unknown command \"", command, "\""));
  }

 private:
  std::string Address(const Args& global, const std::string& flag,
                      const std::string& variable, const char* fallback) {
    if (global.Has(flag)) return global.Get(flag);
    auto it = environment_.variables.find(variable);
    return it != environment_.variables.end() && !it->second.empty()
               ? it->second
               : fallback;
  }

  int Usage(const std::string& message) {
    err_ << "annals: " << message << "\n";
    return 2;
  }

  // One line, the call and the server's reason; exit status 1.
  int Fail(const std::string& what, const absl::Status& status) {
    err_ << "annals: " << what << ": "
         << absl::StatusCodeToString(status.code()) << ": " << status.message()
         << "\n";
    return 1;
  }

  void Emit(const google::protobuf::Message& message) {
    out_ << Json(message) << "\n";
  }

  // "Per Olsen" for "entities/per-olsen", fetched once per name.
  std::string Label(const std::string& name) {
    auto it = labels_.find(name);
    if (it != labels_.end()) return it->second;
    absl::StatusOr<cv1::Entity> entity = catalog_->GetEntity(name);
    std::string label = entity.ok() ? entity->label() : StripCollection(name);
    labels_[name] = label;
    return label;
  }

  // The entity an id, label or alias names ("entities/nmi" for "NMI"),
  // resolved by the catalog as `get` does, so that timeline commands take
  // the same names; its NOT_FOUND or ambiguity ("names several entities
  // (…); ask for one by id") otherwise. With the catalog unreachable, the
  // text goes to the timeline as given (ids still work).
  absl::StatusOr<std::string> ResolveEntity(const std::string& text) {
    if (text.empty()) return text;
    absl::StatusOr<cv1::Entity> entity = catalog_->GetEntity(text);
    if (entity.ok()) {
      labels_[entity->name()] = entity->label();
      return entity->name();
    }
    if (entity.status().code() == absl::StatusCode::kNotFound ||
        entity.status().code() == absl::StatusCode::kFailedPrecondition ||
        entity.status().code() == absl::StatusCode::kInvalidArgument) {
      return entity.status();
    }
    return text;
  }

  std::string ValueText(const cv1::Value& value) {
    switch (value.kind_case()) {
      case cv1::Value::kEntity:
        return Label(value.entity());
      case cv1::Value::kText:
        return value.text();
      case cv1::Value::kInteger:
        return absl::StrCat(value.integer());
      case cv1::Value::kDecimal:
        return value.decimal();
      case cv1::Value::kQuantity:
        return absl::StrCat(value.quantity().amount(), " ",
                            value.quantity().unit());
      default:
        return "";
    }
  }

  // The cited sources' ids, each once, in citation order (one may be cited
  // at several locators).
  static std::string SourcesText(
      const google::protobuf::RepeatedPtrField<cv1::SourceCitation>&
          citations) {
    std::vector<std::string> sources;
    for (const auto& citation : citations) {
      std::string id = StripCollection(citation.source());
      if (std::find(sources.begin(), sources.end(), id) == sources.end()) {
        sources.push_back(id);
      }
    }
    return absl::StrJoin(sources, ", ");
  }
  static std::string SourcesText(const cv1::Statement& statement) {
    return SourcesText(statement.sources());
  }

  // Every citation with its locator: "source (locator); other".
  static std::string CitationsText(
      const google::protobuf::RepeatedPtrField<cv1::SourceCitation>&
          citations) {
    std::vector<std::string> parts;
    for (const auto& citation : citations) {
      std::string id = StripCollection(citation.source());
      parts.push_back(citation.locator().empty()
                          ? id
                          : absl::StrCat(id, " (", citation.locator(), ")"));
    }
    return absl::StrJoin(parts, "; ");
  }

  // Sets the request's known_at from --known-at, only when it is given (a
  // set but zero known_at would ask about 1970).
  template <typename Request>
  absl::Status KnownAt(const Args& args, Request& request) {
    if (!args.Has("known-at")) return absl::OkStatus();
    google::protobuf::Timestamp known_at;
    if (!google::protobuf::util::TimeUtil::FromString(args.Get("known-at"),
                                                      &known_at)) {
      return absl::InvalidArgumentError(
          "--known-at must be an RFC 3339 time such as 2024-01-01T00:00:00Z");
    }
    *request.mutable_known_at() = known_at;
    return absl::OkStatus();
  }

  int Get(const Args& args) {
    if (args.positionals().size() != 1)
      return Usage(Commands().at("get").usage);
    const std::string& name = args.positionals()[0];
    if (absl::StartsWith(name, "statements/")) {
      absl::StatusOr<cv1::Statement> statement = catalog_->GetStatement(name);
      if (!statement.ok()) return Fail("get " + name, statement.status());
      if (json_) {
        Emit(*statement);
      } else {
        PrintStatements({*statement});
      }
      return 0;
    }
    absl::StatusOr<cv1::Entity> entity = catalog_->GetEntity(name);
    if (!entity.ok()) return Fail("get " + name, entity.status());
    if (json_) {
      Emit(*entity);
      return 0;
    }
    Table table({"FIELD", "VALUE"});
    table.Add({"name", entity->name()});
    table.Add({"kind", entity->kind()});
    table.Add({"label", entity->label()});
    if (entity->aliases_size() > 0) {
      table.Add({"aliases", absl::StrJoin(entity->aliases(), "; ")});
    }
    if (entity->has_lifespan())
      table.Add({"lifespan", ExtentText(entity->lifespan())});
    if (entity->has_lifespan()) {
      table.Add({"lifespan days", BoundsText(entity->lifespan().bounds())});
    }
    if (entity->lifespan_sources_size() > 0) {
      table.Add(
          {"lifespan sources", CitationsText(entity->lifespan_sources())});
    }
    if (!entity->description().empty())
      table.Add({"description", entity->description()});
    std::map<std::string, std::string> attributes(entity->attributes().begin(),
                                                  entity->attributes().end());
    for (const auto& [key, value] : attributes) table.Add({key, value});
    if (entity->has_delete_time()) {
      table.Add({"deleted", google::protobuf::util::TimeUtil::ToString(
                                entity->delete_time())});
    }
    table.Add({"sequence", absl::StrCat(entity->sequence())});
    table.Print(out_);
    return 0;
  }

  void PrintStatements(const std::vector<cv1::Statement>& statements) {
    Table table(
        {"SUBJECT", "PREDICATE", "OBJECT", "VALID TIME", "SOURCES", "ID"});
    for (const cv1::Statement& s : statements) {
      table.Add({Label(s.subject()), s.predicate(), ValueText(s.object()),
                 ExtentText(s.valid_time()), SourcesText(s),
                 StripCollection(s.name()) +
                     (s.has_retract_time() ? " (retracted)" : "")});
    }
    table.Print(out_);
  }

  // How much of a listing to fetch: --limit=N (default `fallback`) or
  // --all; `asked` when the user chose it.
  struct Limit {
    int64_t count = 0;
    bool asked = false;
  };
  static absl::StatusOr<Limit> ListingLimit(const Args& args,
                                            int64_t fallback) {
    if (args.Has("all") && args.Has("limit")) {
      return absl::InvalidArgumentError("--limit and --all: give one");
    }
    if (args.Has("all")) {
      return Limit{std::numeric_limits<int64_t>::max(), true};
    }
    absl::StatusOr<int64_t> count = args.GetInt("limit", fallback);
    if (!count.ok()) return count.status();
    if (*count < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("--limit must be at least 1, not ", *count,
                       " (--all for every one)"));
    }
    return Limit{*count, args.Has("limit")};
  }

  // After a listing that stopped at its limit with more to come: says so on
  // stderr, with how to get the rest. Exit status 0 only if the limit was
  // the user's choice; a default that cut the answer short is not success.
  int EndListing(const std::string& command, const Limit& limit, bool more) {
    if (!more) return 0;
    err_ << "annals " << command << ": stopped at " << limit.count
         << (limit.count == 1 ? " item" : " items") << "; there are more ("
         << (limit.asked ? "" : "the default ") << "--limit=" << limit.count
         << "): ask for more with --limit=N, or for every one with --all\n";
    return limit.asked ? 0 : 1;
  }

  // Pages through a List call until `limit` items or the last page; `more`
  // tells whether items are left after the limit. `fetch` makes one call;
  // `items` picks the repeated field of a page.
  template <typename Item, typename Request, typename Fetch, typename Items>
  static absl::StatusOr<std::vector<Item>> CollectPages(
      Request request, int64_t limit, Fetch fetch, Items items, bool* more) {
    std::vector<Item> collected;
    *more = false;
    do {
      request.set_page_size(static_cast<int>(std::min<int64_t>(
          limit - static_cast<int64_t>(collected.size()), 1000)));
      auto page = fetch(request);
      if (!page.ok()) return page.status();
      for (Item& item : *items(*page)) {
        if (static_cast<int64_t>(collected.size()) < limit) {
          collected.push_back(std::move(item));
        } else {
          *more = true;
        }
      }
      request.set_page_token(page->next_page_token());
    } while (!request.page_token().empty() &&
             static_cast<int64_t>(collected.size()) < limit);
    if (!*more && !request.page_token().empty()) {
      // A page may end at the limit with a token and nothing after it: one
      // more item asked for tells.
      request.set_page_size(1);
      auto page = fetch(request);
      if (!page.ok()) return page.status();
      *more = !items(*page)->empty();
    }
    return collected;
  }

  int List(const Args& args) {
    if (args.positionals().size() != 1)
      return Usage(Commands().at("list").usage);
    absl::StatusOr<Limit> limit = ListingLimit(args, 1000);
    if (!limit.ok()) return Usage(std::string(limit.status().message()));
    const std::string& what = args.positionals()[0];
    bool more = false;
    if (what == "entities") {
      cv1::ListEntitiesRequest request;
      request.set_kind(args.Get("kind"));
      request.set_id_prefix(args.Get("prefix"));
      request.set_show_deleted(args.Has("deleted"));
      absl::StatusOr<std::vector<cv1::Entity>> entities =
          CollectPages<cv1::Entity>(
              request, limit->count,
              [this](const cv1::ListEntitiesRequest& r) {
                return catalog_->ListEntities(r);
              },
              [](cv1::ListEntitiesResponse& page) {
                return page.mutable_entities();
              },
              &more);
      if (!entities.ok()) return Fail("list entities", entities.status());
      if (json_) {
        for (const auto& e : *entities) Emit(e);
        return EndListing("list", *limit, more);
      }
      Table table({"ID", "KIND", "LABEL", "LIFESPAN"});
      for (const auto& e : *entities) {
        table.Add({StripCollection(e.name()), e.kind(), e.label(),
                   e.has_lifespan() ? ExtentText(e.lifespan()) : ""});
      }
      table.Print(out_);
      return EndListing("list", *limit, more);
    }
    if (what == "statements") {
      cv1::ListStatementsRequest request;
      request.set_subject(args.Get("subject"));
      request.set_predicate(args.Get("predicate"));
      request.set_object(args.Get("object"));
      request.set_show_retracted(args.Has("retracted"));
      absl::StatusOr<std::vector<cv1::Statement>> statements =
          CollectPages<cv1::Statement>(
              request, limit->count,
              [this](const cv1::ListStatementsRequest& r) {
                return catalog_->ListStatements(r);
              },
              [](cv1::ListStatementsResponse& page) {
                return page.mutable_statements();
              },
              &more);
      if (!statements.ok()) return Fail("list statements", statements.status());
      if (json_) {
        for (const auto& s : *statements) Emit(s);
        return EndListing("list", *limit, more);
      }
      PrintStatements(*statements);
      return EndListing("list", *limit, more);
    }
    return Usage(Commands().at("list").usage);
  }

  int Watch(const Args& args) {
    absl::StatusOr<int64_t> after = args.GetInt("after", 0);
    absl::StatusOr<int64_t> limit = args.GetInt("limit", -1);
    if (!after.ok()) return Usage(std::string(after.status().message()));
    if (!limit.ok()) return Usage(std::string(limit.status().message()));
    int64_t seen = 0;
    absl::Status status = catalog_->WatchChanges(
        *after, [&](const cv1::WatchChangesResponse& message) {
          if (message.changes_size() == 0 && !json_) {
            out_ << "# catalog " << message.catalog_id() << " at sequence "
                 << message.head_sequence() << "\n";
          }
          for (const cv1::Change& change : message.changes()) {
            if (*limit >= 0 && seen >= *limit) return false;
            ++seen;
            if (json_) {
              Emit(change);
              continue;
            }
            std::string type = cv1::ChangeType_Name(change.type());
            type = absl::AsciiStrToLower(
                type.substr(std::string("CHANGE_TYPE_").size()));
            std::string what =
                change.has_entity()
                    ? absl::StrCat(change.entity().name(), " ",
                                   change.entity().label())
                    : absl::StrCat(change.statement().name(), " ",
                                   change.statement().subject(), " ",
                                   change.statement().predicate());
            out_ << change.sequence() << "  " << type << "  " << what << "\n";
          }
          out_ << std::flush;
          return *limit < 0 || seen < *limit;
        });
    if (!status.ok()) return Fail("watch", status);
    return 0;
  }

  int Snapshot(const Args& args) {
    if (args.positionals().size() != 1 || !args.Has("at")) {
      return Usage(Commands().at("snapshot").usage);
    }
    tv1::GetSnapshotRequest request;
    absl::StatusOr<std::string> name = ResolveEntity(args.positionals()[0]);
    if (!name.ok()) return Fail("snapshot", name.status());
    request.set_entity(*name);
    request.set_at(args.Get("at"));
    request.set_predicate(args.Get("predicate"));
    if (absl::Status s = KnownAt(args, request); !s.ok()) {
      return Usage(std::string(s.message()));
    }
    absl::StatusOr<tv1::GetSnapshotResponse> snapshot =
        timeline_->GetSnapshot(request);
    if (!snapshot.ok()) return Fail("snapshot", snapshot.status());
    if (json_) {
      Emit(*snapshot);
      return 0;
    }
    const cv1::Entity& entity = snapshot->entity();
    const std::string day = DateText(request.at());
    out_ << entity.label() << " on " << day << " (catalog sequence "
         << snapshot->sequence() << ")\n";
    // Whether the entity itself existed that day, and how surely.
    if (!entity.has_lifespan()) {
      out_ << "no lifespan on record: whether it existed on " << day
           << " is unknown\n";
    } else {
      switch (snapshot->lifespan_certainty()) {
        case ::annals::type::v1::CERTAINTY_DEFINITE:
          out_ << "existed that day (DEFINITE: lifespan ";
          break;
        case ::annals::type::v1::CERTAINTY_POSSIBLE:
          out_ << "possibly existed that day (POSSIBLE: the imprecise "
                  "lifespan ";
          break;
        default:
          out_ << "did not exist that day (lifespan ";
          break;
      }
      out_ << ExtentText(entity.lifespan());
      if (snapshot->lifespan_certainty() ==
          ::annals::type::v1::CERTAINTY_POSSIBLE) {
        out_ << " may or may not cover it";
      }
      if (entity.lifespan_sources_size() > 0) {
        out_ << "; sources: " << CitationsText(entity.lifespan_sources());
      }
      out_ << ")\n";
    }
    Table table({"CERTAINTY", "SUBJECT", "PREDICATE", "OBJECT", "VALID TIME",
                 "SOURCES"});
    for (const tv1::StatementCertainty& item : snapshot->statements()) {
      const cv1::Statement& s = item.statement();
      table.Add({CertaintyText(item.certainty()), Label(s.subject()),
                 s.predicate(), ValueText(s.object()),
                 ExtentText(s.valid_time()), SourcesText(s)});
    }
    table.Print(out_);
    return 0;
  }

  int History(const Args& args) {
    if (args.positionals().size() != 1)
      return Usage(Commands().at("history").usage);
    tv1::ListHistoryRequest request;
    absl::StatusOr<std::string> name = ResolveEntity(args.positionals()[0]);
    if (!name.ok()) return Fail("history", name.status());
    request.set_entity(*name);
    request.set_predicate(args.Get("predicate"));
    request.set_page_size(1000);
    if (absl::Status s = KnownAt(args, request); !s.ok()) {
      return Usage(std::string(s.message()));
    }
    std::vector<tv1::HistoryEntry> entries;
    int64_t sequence = 0;
    do {
      absl::StatusOr<tv1::ListHistoryResponse> page =
          timeline_->ListHistory(request);
      if (!page.ok()) return Fail("history", page.status());
      for (const auto& entry : page->entries()) entries.push_back(entry);
      sequence = page->sequence();
      request.set_page_token(page->next_page_token());
    } while (!request.page_token().empty());
    if (json_) {
      for (const auto& entry : entries) Emit(entry);
      return 0;
    }
    Table table({"#", "SUBJECT", "PREDICATE", "OBJECT", "VALID TIME",
                 "DURATION", "SOURCES"});
    int n = 0;
    for (const tv1::HistoryEntry& entry : entries) {
      const cv1::Statement& s = entry.statement();
      table.Add({absl::StrCat(++n), Label(s.subject()), s.predicate(),
                 ValueText(s.object()), ExtentText(s.valid_time()),
                 DurationText(entry.duration()), SourcesText(s)});
    }
    table.Print(out_);
    out_ << "(catalog sequence " << sequence << ")\n";
    return 0;
  }

  static absl::StatusOr<tv1::ItemType> ParseItemType(const std::string& text) {
    if (text.empty()) return tv1::ITEM_TYPE_UNSPECIFIED;
    if (text == "lifespan") return tv1::ITEM_TYPE_LIFESPAN;
    if (text == "event") return tv1::ITEM_TYPE_EVENT;
    if (text == "statement") return tv1::ITEM_TYPE_STATEMENT;
    return absl::InvalidArgumentError(absl::StrCat(
        "--type must be lifespan, event or statement, not \"", text, "\""));
  }

  int Window(const Args& args) {
    return WindowBetween("window", args.Get("from"), args.Get("to"), args);
  }

  // `annals at DAY`: what existed, held and happened on one day.
  int At(const Args& args) {
    if (args.positionals().size() != 1) {
      return Usage(Commands().at("at").usage);
    }
    const std::string& day = args.positionals()[0];
    return WindowBetween("at", day, day, args);
  }

  // The items of the window from..to (both included) as a table or JSON
  // Lines; `command` names it in messages.
  int WindowBetween(const std::string& command, const std::string& from,
                    const std::string& to, const Args& args) {
    tv1::QueryWindowRequest request;
    request.set_from(from);
    request.set_to(to);
    absl::StatusOr<tv1::ItemType> type = ParseItemType(args.Get("type"));
    if (!type.ok()) return Usage(std::string(type.status().message()));
    request.set_item_type(*type);
    request.set_kind(args.Get("kind"));
    request.set_predicate(args.Get("predicate"));
    absl::StatusOr<std::string> entity = ResolveEntity(args.Get("entity"));
    if (!entity.ok()) return Fail("--entity", entity.status());
    request.set_entity(*entity);
    absl::StatusOr<Limit> limit = ListingLimit(args, 1000);
    if (!limit.ok()) return Usage(std::string(limit.status().message()));
    if (absl::Status s = KnownAt(args, request); !s.ok()) {
      return Usage(std::string(s.message()));
    }
    bool more = false;
    absl::StatusOr<std::vector<tv1::WindowItem>> items =
        CollectPages<tv1::WindowItem>(
            request, limit->count,
            [this](const tv1::QueryWindowRequest& r) {
              return timeline_->QueryWindow(r);
            },
            [](tv1::QueryWindowResponse& page) { return page.mutable_items(); },
            &more);
    if (!items.ok()) return Fail(command, items.status());
    if (json_) {
      for (const auto& item : *items) Emit(item);
      return EndListing(command, *limit, more);
    }
    Table table({"CERTAINTY", "TYPE", "WHAT", "WHEN", "SOURCES"});
    for (const tv1::WindowItem& item : *items) {
      std::string type_name = tv1::ItemType_Name(item.item_type());
      type_name = absl::AsciiStrToLower(
          type_name.substr(std::string("ITEM_TYPE_").size()));
      if (item.has_entity()) {
        table.Add({CertaintyText(item.certainty()), type_name,
                   item.entity().label(), ExtentText(item.entity().lifespan()),
                   SourcesText(item.entity().lifespan_sources())});
      } else {
        const cv1::Statement& s = item.statement();
        table.Add({CertaintyText(item.certainty()), type_name,
                   absl::StrCat(Label(s.subject()), " ", s.predicate(), " ",
                                ValueText(s.object())),
                   ExtentText(s.valid_time()), SourcesText(s)});
      }
    }
    table.Print(out_);
    return EndListing(command, *limit, more);
  }

  static tv1::ExtentReference Reference(const std::string& text) {
    tv1::ExtentReference reference;
    if (absl::StartsWith(text, "statements/")) {
      reference.set_statement(text);
    } else if (!text.empty() &&
               (absl::ascii_isdigit(text[0]) || text[0] == '.' ||
                text[0] == '/') &&
               (text.find_first_of("/~?%X") != std::string::npos ||
                text.find_first_not_of("0123456789-") == std::string::npos) &&
               text.find_first_of("abcdefghijklmnopqrstuvwyz") ==
                   std::string::npos) {
      reference.set_edtf(text);
    } else {
      reference.set_lifespan(text);
    }
    return reference;
  }

  int Relate(const Args& args) {
    if (args.positionals().size() != 2)
      return Usage(Commands().at("relate").usage);
    tv1::RelateRequest request;
    for (int i = 0; i < 2; ++i) {
      tv1::ExtentReference reference = Reference(args.positionals()[i]);
      if (reference.has_lifespan()) {
        absl::StatusOr<std::string> entity =
            ResolveEntity(reference.lifespan());
        if (!entity.ok()) return Fail("relate", entity.status());
        reference.set_lifespan(*entity);
      }
      *(i == 0 ? request.mutable_a() : request.mutable_b()) = reference;
    }
    if (absl::Status s = KnownAt(args, request); !s.ok()) {
      return Usage(std::string(s.message()));
    }
    absl::StatusOr<tv1::RelateResponse> result = timeline_->Relate(request);
    if (!result.ok()) return Fail("relate", result.status());
    if (json_) {
      Emit(*result);
      return 0;
    }
    // "NTM-I (2004–2011-12-31) is before NMI (2018-10–…)"; when the
    // imprecise dates allow more than one relation, or an extent is
    // uncertain, "possibly" and each one.
    std::vector<std::string> relations(result->relations().begin(),
                                       result->relations().end());
    out_ << RelationSentence(
                absl::StrCat(ReferenceName(request.a()), " (",
                             ExtentPhrase(result->a_extent()), ")"),
                absl::StrCat(ReferenceName(request.b()), " (",
                             ExtentPhrase(result->b_extent()), ")"),
                relations, result->definite())
         << "\n";
    return 0;
  }

  // What a Relate operand is called: an entity's label, "statement ID", or
  // the EDTF text as given.
  std::string ReferenceName(const tv1::ExtentReference& reference) {
    switch (reference.reference_case()) {
      case tv1::ExtentReference::kLifespan:
        return Label(
            absl::StrCat("entities/", StripCollection(reference.lifespan())));
      case tv1::ExtentReference::kStatement:
        return absl::StrCat("statement ",
                            StripCollection(reference.statement()));
      default:
        return reference.edtf();
    }
  }

  int Gaps(const Args& args) {
    if (args.positionals().size() != 1)
      return Usage(Commands().at("gaps").usage);
    tv1::FindGapsRequest request;
    absl::StatusOr<std::string> subject = ResolveEntity(args.positionals()[0]);
    if (!subject.ok()) return Fail("gaps", subject.status());
    request.set_subject(*subject);
    request.set_predicate(args.Get("predicate"));
    request.set_from(args.Get("from"));
    request.set_to(args.Get("to"));
    if (absl::Status s = KnownAt(args, request); !s.ok()) {
      return Usage(std::string(s.message()));
    }
    absl::StatusOr<tv1::FindGapsResponse> result = timeline_->FindGaps(request);
    if (!result.ok()) return Fail("gaps", result.status());
    if (json_) {
      Emit(*result);
      return 0;
    }
    Table table({"GAP", "FROM", "TO (last day)"});
    for (const auto& gap : result->definite_gaps()) {
      table.Add({"DEFINITE", gap.from().empty() ? "-∞" : DateText(gap.from()),
                 gap.to().empty() ? "∞" : DateText(gap.to())});
    }
    for (const auto& gap : result->possible_gaps()) {
      table.Add({"POSSIBLE", gap.from().empty() ? "-∞" : DateText(gap.from()),
                 gap.to().empty() ? "∞" : DateText(gap.to())});
    }
    table.Print(out_);
    return 0;
  }

  int Count(const Args& args) {
    tv1::CountActiveRequest request;
    std::string bucket = args.Get("bucket", "year");
    if (bucket == "year") {
      request.set_bucket(tv1::BUCKET_YEAR);
    } else if (bucket == "month") {
      request.set_bucket(tv1::BUCKET_MONTH);
    } else {
      return Usage("--bucket must be year or month");
    }
    request.set_from(args.Get("from"));
    request.set_to(args.Get("to"));
    absl::StatusOr<tv1::ItemType> type = ParseItemType(args.Get("type"));
    if (!type.ok()) return Usage(std::string(type.status().message()));
    request.set_item_type(*type);
    request.set_kind(args.Get("kind"));
    request.set_predicate(args.Get("predicate"));
    absl::StatusOr<std::string> entity = ResolveEntity(args.Get("entity"));
    if (!entity.ok()) return Fail("--entity", entity.status());
    request.set_entity(*entity);
    if (absl::Status s = KnownAt(args, request); !s.ok()) {
      return Usage(std::string(s.message()));
    }
    absl::StatusOr<tv1::CountActiveResponse> result =
        timeline_->CountActive(request);
    if (!result.ok()) return Fail("count", result.status());
    if (json_) {
      Emit(*result);
      return 0;
    }
    Table table({"FROM", "TO", "DEFINITE", "POSSIBLE"});
    for (const auto& b : result->buckets()) {
      table.Add({DateText(b.range().from()), DateText(b.range().to()),
                 absl::StrCat(b.definite()), absl::StrCat(b.possible())});
    }
    table.Print(out_);
    return 0;
  }

  int Render(const Args& args) {
    if (!args.Has("output")) return Usage(Commands().at("render").usage);
    RenderOptions options;
    options.title = args.Get("title", "Annals timeline");
    // The days render draws: --from's first day through --to's last (EDTF
    // dates of any precision), or the same for --from-year/--to-year.
    auto window = [&]() -> absl::Status {
      for (const char* flag : {"from-year", "to-year"}) {
        if (!args.Has(flag)) continue;
        absl::StatusOr<int64_t> year = args.GetInt(flag, 0);
        if (!year.ok() || *year < temporal::kMinYear ||
            *year > temporal::kMaxYear) {
          return absl::InvalidArgumentError(absl::StrCat(
              "--from-year/--to-year take years from ", temporal::kMinYear,
              " to ", temporal::kMaxYear, " (0 is 1 BC)"));
        }
        int y = static_cast<int>(*year);
        if (flag[0] == 'f') {
          options.from = temporal::DayFromCivil(y, 1, 1);
        } else {
          options.to = temporal::DayFromCivil(y, 12, 31) + 1;
        }
      }
      for (const char* flag : {"from", "to"}) {
        if (!args.Has(flag)) continue;
        absl::StatusOr<temporal::DaySpan> span =
            temporal::ParseDaySpan(args.Get(flag));
        if (!span.ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat("--", flag, ": ", span.status().message()));
        }
        if (flag[0] == 'f') {
          options.from = span->first;
        } else {
          options.to = span->last + 1;
        }
      }
      if (options.from.has_value() && options.to.has_value() &&
          *options.to <= *options.from) {
        return absl::InvalidArgumentError(
            "the window ends before it starts (--to is before --from)");
      }
      return absl::OkStatus();
    };
    if (absl::Status s = window(); !s.ok()) {
      return Usage(std::string(s.message()));
    }
    absl::StatusOr<int64_t> width = args.GetInt("width", options.width);
    if (!width.ok() || *width < 400 || *width > 20000) {
      return Usage("--width takes pixels from 400 to 20000");
    }
    options.width = static_cast<int>(*width);
    std::vector<std::string> kinds = args.GetAll("kind");
    std::vector<std::string> entities = args.GetAll("entity");
    std::vector<std::string> predicates = args.GetAll("predicate");
    if (kinds.empty() && entities.empty()) {
      kinds = {"mission"};
      entities = {"nmi"};
    }
    if (predicates.empty() && !entities.empty()) predicates = {"commander"};
    auto source_ids = [](const auto& citations) {
      std::vector<std::string> ids;
      for (const cv1::SourceCitation& citation : citations) {
        std::string id = StripCollection(citation.source());
        if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
          ids.push_back(id);
        }
      }
      return ids;
    };
    std::vector<TimelineLane> lanes;
    for (const std::string& kind : kinds) {
      cv1::ListEntitiesRequest request;
      request.set_kind(kind);
      request.set_page_size(1000);
      do {
        absl::StatusOr<cv1::ListEntitiesResponse> page =
            catalog_->ListEntities(request);
        if (!page.ok()) return Fail("render", page.status());
        for (const cv1::Entity& e : page->entities()) {
          if (!e.has_lifespan()) continue;
          absl::StatusOr<temporal::Extent> extent =
              FromExtentProto(e.lifespan());
          if (!extent.ok()) continue;
          TimelineLane lane{kind, e.label(), {}};
          lane.bars.push_back({e.label(),
                               *extent,
                               ExtentText(e.lifespan()),
                               source_ids(e.lifespan_sources()),
                               {}});
          lanes.push_back(std::move(lane));
        }
        request.set_page_token(page->next_page_token());
      } while (!request.page_token().empty());
    }
    for (const std::string& entity : entities) {
      for (const std::string& predicate : predicates) {
        tv1::ListHistoryRequest request;
        request.set_entity(entity);
        request.set_predicate(predicate);
        request.set_page_size(1000);
        TimelineLane lane{
            predicate,
            absl::StrCat(
                Label(absl::StrCat("entities/", StripCollection(entity))), ": ",
                predicate),
            {}};
        do {
          absl::StatusOr<tv1::ListHistoryResponse> page =
              timeline_->ListHistory(request);
          if (!page.ok()) return Fail("render", page.status());
          for (const tv1::HistoryEntry& entry : page->entries()) {
            const cv1::Statement& s = entry.statement();
            absl::StatusOr<temporal::Extent> extent =
                FromExtentProto(s.valid_time());
            if (!extent.ok()) continue;
            std::vector<std::pair<std::string, std::string>> qualifiers(
                s.qualifiers().begin(), s.qualifiers().end());
            std::sort(qualifiers.begin(), qualifiers.end());
            lane.bars.push_back(
                {ValueText(s.object()), *extent, ExtentText(s.valid_time()),
                 source_ids(s.sources()), std::move(qualifiers)});
          }
          request.set_page_token(page->next_page_token());
        } while (!request.page_token().empty());
        lanes.push_back(std::move(lane));
      }
    }
    auto count = [](const std::string& text, const std::string& needle) {
      int n = 0;
      for (size_t at = text.find(needle); at != std::string::npos;
           at = text.find(needle, at + needle.size())) {
        ++n;
      }
      return n;
    };
    std::string svg = RenderSvg(lanes, options);
    std::ofstream(args.Get("output")) << svg;
    if (args.Has("html")) {
      std::ofstream(args.Get("html")) << RenderHtml(lanes, options);
    }
    if (!json_) {
      out_ << "wrote " << args.Get("output") << " ("
           << count(svg, "<text class=\"lane-title\"") << " lanes, "
           << count(svg, "<g class=\"item\"") << " items)";
      if (args.Has("html")) out_ << " and " << args.Get("html");
      out_ << "\n";
    }
    return 0;
  }

  int Health(const Args& args) {
    if (args.positionals().size() > 1 ||
        (args.positionals().size() == 1 && args.positionals()[0] != "catalog" &&
         args.positionals()[0] != "timeline")) {
      return Usage(
          "health takes catalog or timeline (see annals health --help)");
    }
    const bool timeline =
        !args.positionals().empty() && args.positionals()[0] == "timeline";
    const std::string& address =
        timeline ? timeline_address_ : catalog_address_;
    auto stub =
        grpc::health::v1::Health::NewStub(CreateChannel(address, options_));
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + options_.timeout));
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(args.Get("service"));
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = stub->Check(&context, request, &response);
    if (!status.ok()) {
      return Fail(
          absl::StrCat("health of ", address),
          absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                       status.error_message()));
    }
    if (json_) {
      Emit(response);
    } else {
      out_ << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
                  response.status())
           << "\n";
    }
    return response.status() == grpc::health::v1::HealthCheckResponse::SERVING
               ? 0
               : 1;
  }

  int Demo() {
    struct Question {
      std::string text;
      std::vector<std::string> argv;
    };
    const Question questions[] = {
        {"Who commanded NATO Mission Iraq on 1 June 2021?",
         {"snapshot", "nmi", "--at=2021-06-01", "--predicate=commander"}},
        {"Who were NMI's commanders, in order, and for how long?",
         {"history", "nmi", "--predicate=commander"}},
        {"What happened in 2017?",
         {"window", "--from=2017", "--to=2017", "--type=event"}},
        {"Did NTM-I end before NMI began?", {"relate", "ntm-i", "nmi"}},
        {"When did NMI have no commander on record, from its launch to 2020?",
         {"gaps", "nmi", "--predicate=commander", "--from=2018-07-01",
          "--to=2019-12-31"}},
    };
    int failures = 0;
    int n = 0;
    for (const Question& question : questions) {
      out_ << "\n"
           << ++n << ". " << question.text << "\n   $ annals "
           << absl::StrJoin(question.argv, " ") << "\n";
      std::string command = question.argv[0];
      std::vector<std::string> rest(question.argv.begin() + 1,
                                    question.argv.end());
      const CommandSpec& spec = Commands().at(command);
      absl::StatusOr<Args> args =
          Args::Parse(rest, spec.flags, spec.switches, spec.short_names);
      if (!args.ok() || Dispatch(command, *args) != 0) ++failures;
    }
    return failures == 0 ? 0 : 1;
  }

  std::ostream& out_;
  std::ostream& err_;
  const Environment& environment_;
  const ClientOptions options_;
  std::string catalog_address_;
  std::string timeline_address_;
  bool json_ = false;
  std::unique_ptr<CatalogClient> catalog_;
  std::unique_ptr<TimelineClient> timeline_;
  std::map<std::string, std::string> labels_;
};

// --name, or else the environment variable, or else "".
std::string Setting(const Args& args, const std::string& flag,
                    const Environment& environment,
                    const std::string& variable) {
  if (args.Has(flag)) return args.Get(flag);
  auto it = environment.variables.find(variable);
  return it != environment.variables.end() ? it->second : "";
}

// The timeout, TLS files and token file, read now so that a bad path is a
// usage error (exit status 2) before any call.
absl::StatusOr<ClientOptions> ClientOptionsFrom(
    const Args& args, const Environment& environment) {
  ClientOptions options;
  absl::StatusOr<int64_t> seconds = args.GetInt("timeout", 10);
  if (!seconds.ok()) return seconds.status();
  if (*seconds > 0) options.timeout = absl::Seconds(*seconds);
  const std::string ca = Setting(args, "tls_ca", environment, "ANNALS_TLS_CA");
  const std::string cert =
      Setting(args, "tls_cert", environment, "ANNALS_TLS_CERT");
  const std::string key =
      Setting(args, "tls_key", environment, "ANNALS_TLS_KEY");
  if (!ca.empty() || !cert.empty() || !key.empty()) {
    absl::StatusOr<TlsOptions> tls = LoadTlsFiles(ca, cert, key);
    if (!tls.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--tls_ca/--tls_cert/--tls_key: ", tls.status().message()));
    }
    options.tls = *std::move(tls);
  }
  const std::string token_file =
      Setting(args, "token_file", environment, "ANNALS_TOKEN_FILE");
  if (!token_file.empty()) {
    absl::StatusOr<std::string> token = ReadTokenFile(token_file);
    if (!token.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--token_file: ", token.status().message()));
    }
    options.bearer_token = *std::move(token);
  }
  return options;
}

}  // namespace

int Run(const std::vector<std::string>& argv, std::ostream& out,
        std::ostream& err, const Environment& environment) {
  static const std::set<std::string> kGlobalFlags = {
      "catalog", "timeline", "timeout", "min-sequence",
      "tls_ca",  "tls_cert", "tls_key", "token_file"};
  static const std::set<std::string> kGlobalSwitches = {"json", "help"};
  // The command is the first word that is not a global flag or its value.
  std::string command;
  std::vector<std::string> rest;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (command.empty() && !absl::StartsWith(arg, "-")) {
      command = arg;
      continue;
    }
    // `annals health --timeline[=ADDRESS]` checks the timeline; a bare
    // --timeline there takes no value.
    if (command == "health" &&
        (arg == "--timeline" || absl::StartsWith(arg, "--timeline="))) {
      rest.push_back("timeline");
      if (arg == "--timeline" &&
          (i + 1 >= argv.size() || absl::StartsWith(argv[i + 1], "--"))) {
        continue;
      }
    }
    if (command.empty() && kGlobalFlags.contains(arg.substr(2)) &&
        arg.find('=') == std::string::npos && i + 1 < argv.size()) {
      rest.push_back(arg);
      rest.push_back(argv[++i]);
      continue;
    }
    rest.push_back(arg);
  }
  if (command.empty() || command == "help") {
    out << kUsage;
    return command.empty() &&
                   std::find(argv.begin(), argv.end(), "--help") == argv.end()
               ? 2
               : 0;
  }
  auto spec = Commands().find(command);
  if (spec == Commands().end()) {
    err << "annals: unknown command \"" << command << "\"\n" << kUsage;
    return 2;
  }
  std::set<std::string> flags = spec->second.flags;
  flags.insert(kGlobalFlags.begin(), kGlobalFlags.end());
  std::set<std::string> switches = spec->second.switches;
  switches.insert(kGlobalSwitches.begin(), kGlobalSwitches.end());
  absl::StatusOr<Args> args =
      Args::Parse(rest, flags, switches, spec->second.short_names);
  if (!args.ok()) {
    err << "annals " << command << ": " << args.status().message() << "\n";
    return 2;
  }
  if (args->Has("help")) {
    out << "Usage: " << spec->second.usage << "\n";
    return 0;
  }
  absl::StatusOr<ClientOptions> options = ClientOptionsFrom(*args, environment);
  if (!options.ok()) {
    err << "annals: " << options.status().message() << "\n";
    return 2;
  }
  Tool tool(out, err, environment, *args, *options);
  return tool.Dispatch(command, *args);
}

}  // namespace annals::cli
