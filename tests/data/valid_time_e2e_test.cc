// Valid time as the world writes it, end to end (issue 11): a real catalog
// and timeline over gRPC, loaded with KEEP_GOING from a seeded, generated,
// messy collection (years before Christ, long years, date-times with zones,
// seasons, unspecified digits, qualifiers, explicit bound dates, unknown
// starts that are still ongoing, tenures that share handover days) of which
// about a fifth is bad. Then the timeline is asked questions whose answers
// were worked out by hand from docs/temporal-semantics.md, and the `annals`
// binary is run on a .jsonl file with bad lines.
//
// Every expected value here comes from the generator's own integers or from
// hand reasoning, never from the temporal library under test. Each assertion
// fails under the old exclusive reading of "A/B" (B the first day it no
// longer held), under a service that refuses negative years, or under one
// that converts date-times to UTC; the comments say which.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "annals/catalog_client.h"
#include "annals/timeline_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/annals_world.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace annals {
namespace {

namespace cv1 = ::annals::catalog::v1;
namespace tv1 = ::annals::timeline::v1;
namespace ty = ::annals::type::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Pair;

// --- Calendar text, written out by the test itself -------------------------

// An EDTF year: four digits with a sign before year 0000, "Y" beyond.
std::string YearText(int64_t year) {
  if (year > 9999 || year < -9999) return absl::StrCat("Y", year);
  return absl::StrFormat("%s%04d", year < 0 ? "-" : "",
                         static_cast<int>(year < 0 ? -year : year));
}

// An ISO 8601 day as the API writes bounds: "-0044-03-15", "-12000-01-01".
std::string DayText(absl::CivilDay day) {
  const int64_t year = day.year();
  return absl::StrFormat("%s%04d-%02d-%02d", year < 0 ? "-" : "",
                         year < 0 ? -year : year, day.month(), day.day());
}
std::string DayText(int64_t year, int month, int day) {
  return DayText(absl::CivilDay(year, month, day));
}
std::string FirstDayOfYear(int64_t year) { return DayText(year, 1, 1); }
std::string LastDayOfYear(int64_t year) { return DayText(year, 12, 31); }
std::string LastDayOfMonth(int64_t year, int month) {
  return DayText(absl::CivilDay(absl::CivilMonth(year, month) + 1) - 1);
}

std::string Id(const std::string& name) {
  return name.substr(name.find('/') + 1);
}

std::string CertaintyName(ty::Certainty certainty) {
  switch (certainty) {
    case ty::CERTAINTY_DEFINITE:
      return "definite";
    case ty::CERTAINTY_POSSIBLE:
      return "possible";
    default:
      return "no";
  }
}

// --- The collection ---------------------------------------------------------

// What the API must return for a valid time: its text and its day bounds.
struct ExpectedExtent {
  std::string edtf;
  std::string earliest_start;
  std::string latest_start;
  std::string earliest_last_day;
  std::string latest_last_day;
  bool instant = false;
  bool uncertain = false;
};

// A record the import must refuse.
struct ExpectedRefusal {
  int64_t batch;
  int record;
  std::string field;
  std::string code;
  // Checked when not empty.
  std::string reason;
  std::string message_part;
};

// One generated museum's directors: each tenure's first and last day.
struct Chain {
  std::string museum;
  std::vector<std::pair<std::string, std::string>> tenures;
};

struct Collection {
  std::vector<cv1::ImportRecordsRequest> batches;
  std::vector<ExpectedRefusal> refused;
  int64_t records = 0;
  int64_t good_entities = 0;
  int64_t good_statements = 0;
  // Every good entity of a generated kind -> its lifespan (edtf empty and
  // no bounds for entities without one).
  std::map<std::string, std::map<std::string, ExpectedExtent>> by_kind;
  std::vector<std::string> refused_entities;
  std::vector<Chain> chains;
};

constexpr uint32_t kSeed = 20261203;
constexpr int kBatchRecords = 500;
constexpr int kMinRecords = 2500;

// The kinds the generator writes; the hand-made anchors use others (site,
// person, place, event, terminal, abbey, museum "annex", coin), so that the
// timeline's answers about the anchors do not depend on the generator.
const char* const kGeneratedKinds[] = {"period",   "building", "happening",
                                       "artifact", "gallery",  "curator"};

class CollectionBuilder {
 public:
  Collection Build() {
    AddAnchors();
    NewBatch();
    while (collection_.records < kMinRecords) {
      if (batch().records_size() >= kBatchRecords) NewBatch();
      const int roll = Pick(0, 99);
      // A chain is about ten records, a bad unit one or two: this makes
      // about a fifth of the records bad.
      if (roll < 32) {
        AddBadUnit();
      } else if (roll < 40) {
        AddChain();
      } else {
        AddGoodLifespan();
      }
    }
    return std::move(collection_);
  }

 private:
  // Deterministic on every platform: std::mt19937's output is specified,
  // distributions are not.
  int Pick(int lo, int hi) {
    return lo + static_cast<int>(rng_() % static_cast<uint32_t>(hi - lo + 1));
  }

  cv1::ImportRecordsRequest& batch() { return collection_.batches.back(); }
  int64_t batch_index() const {
    return static_cast<int64_t>(collection_.batches.size()) - 1;
  }
  void NewBatch() {
    collection_.batches.emplace_back();
    batch().set_error_mode(cv1::IMPORT_ERROR_MODE_KEEP_GOING);
  }
  std::string NextName(const std::string& stem) {
    return absl::StrCat(stem, "-", ++serial_);
  }

  int Add(cv1::ImportRecord record) {
    *batch().add_records() = std::move(record);
    ++collection_.records;
    return batch().records_size() - 1;
  }
  int AddEntity(cv1::Entity entity) {
    cv1::ImportRecord record;
    *record.mutable_entity() = std::move(entity);
    return Add(std::move(record));
  }
  int AddStatement(cv1::Statement statement) {
    cv1::ImportRecord record;
    *record.mutable_statement() = std::move(statement);
    return Add(std::move(record));
  }

  static cv1::Entity Entity(const std::string& id, const std::string& kind,
                            const std::string& label) {
    cv1::Entity entity;
    entity.set_name("entities/" + id);
    entity.set_kind(kind);
    entity.set_label(label);
    return entity;
  }
  static cv1::Entity WithEdtf(cv1::Entity entity, const std::string& edtf) {
    entity.mutable_lifespan()->set_edtf(edtf);
    return entity;
  }
  static cv1::Statement Statement(const std::string& subject,
                                  const std::string& predicate,
                                  const std::string& edtf) {
    cv1::Statement statement;
    statement.set_subject("entities/" + subject);
    statement.set_predicate(predicate);
    statement.mutable_valid_time()->set_edtf(edtf);
    return statement;
  }

  void Good(const cv1::Entity& entity, const ExpectedExtent& expected) {
    AddEntity(entity);
    ++collection_.good_entities;
    collection_.by_kind[entity.kind()][entity.name()] = expected;
  }
  void Refuse(int record, const std::string& field, const std::string& code,
              const std::string& reason = "",
              const std::string& message_part = "") {
    collection_.refused.push_back(
        {batch_index(), record, absl::StrCat("records[", record, "].", field),
         code, reason, message_part});
  }

  // Batch 0: the hand-made anchors the timeline questions are about.
  void AddAnchors() {
    NewBatch();
    auto anchor_entity = [&](cv1::Entity entity) {
      AddEntity(std::move(entity));
      ++collection_.good_entities;
    };
    auto anchor_statement = [&](cv1::Statement statement) {
      AddStatement(std::move(statement));
      ++collection_.good_statements;
    };
    anchor_entity(Entity("src-gazetteer", "source", "Gazetteer of periods"));
    anchor_entity(Entity("src-airports", "source", "Airport register"));
    anchor_entity(Entity("src-annals", "source", "Roman annals"));

    const std::pair<const char*, const char*> sites[] = {
        {"pre-phase", "-0600/-0500"},        {"macedon", "-0500/-0323"},
        {"uncertain-hoard", "-0450?"},       {"approx-kiln", "-0400~"},
        {"edge-fort", "-0401-12-31/-0350"},  {"late-villa", "-0400/-0300"},
        {"early-tomb", "-0700/-0501-12-31"}, {"bronze-town", "-2600~/-2300~"},
        {"paleo-camp", "Y-12000/-9600"}};
    for (const auto& [id, edtf] : sites) {
      cv1::Entity site = WithEdtf(Entity(id, "site", id), edtf);
      cv1::SourceCitation* source = site.add_lifespan_sources();
      source->set_source("entities/src-gazetteer");
      source->set_locator(absl::StrCat("entry ", id));
      anchor_entity(std::move(site));
    }
    cv1::Entity shrine = Entity("bound-shrine", "site", "bound-shrine");
    ty::BoundDates* shrine_dates =
        shrine.mutable_lifespan()->mutable_bound_dates();
    shrine_dates->set_earliest_start("-0480");
    shrine_dates->set_latest_start("-0470");
    shrine_dates->set_earliest_end("-0420~");
    anchor_entity(std::move(shrine));

    cv1::Entity caesar = WithEdtf(Entity("caesar", "person", "Julius Caesar"),
                                  "-0100-07-12/-0044-03-15");
    cv1::SourceCitation* cited = caesar.add_lifespan_sources();
    cited->set_source("entities/src-annals");
    cited->set_locator("Book I");
    anchor_entity(std::move(caesar));
    anchor_entity(
        WithEdtf(Entity("theatre", "place", "Theatre of Pompey"), "-0055/.."));
    cv1::Statement killed =
        Statement("caesar", "assassinated_in", "-0044-03-15");
    killed.mutable_object()->set_entity("entities/theatre");
    anchor_statement(killed);
    for (const auto& [predicate, edtf] :
         std::vector<std::pair<std::string, std::string>>{
             {"dictator", "-0049/-0044-03-15"},
             {"in_rome", "-0044-03~"},
             {"consul", "-0059/-0059"},
             {"funeral", "-0044-03-20"}}) {
      cv1::Statement statement = Statement("caesar", predicate, edtf);
      statement.mutable_object()->set_text("Rome");
      anchor_statement(statement);
    }

    anchor_entity(WithEdtf(Entity("treaty", "event", "Treaty signing"),
                           "1985-04-12T23:20:30-04:00"));
    cv1::Statement signed_by =
        Statement("treaty", "signed_by", "1985-04-12T23:20:30Z");
    signed_by.mutable_object()->set_text("Delegates");
    anchor_statement(signed_by);

    cv1::Entity hangar =
        WithEdtf(Entity("old-hangar", "terminal", "Old hangar"), "/..");
    cv1::SourceCitation* register_entry = hangar.add_lifespan_sources();
    register_entry->set_source("entities/src-airports");
    register_entry->set_locator("Hangar 1");
    anchor_entity(std::move(hangar));
    anchor_entity(WithEdtf(Entity("new-terminal", "terminal", "New terminal"),
                           "1972-05/.."));

    cv1::Entity abbey = Entity("abbey", "abbey", "Bound-dated abbey");
    ty::BoundDates* dates = abbey.mutable_lifespan()->mutable_bound_dates();
    dates->set_earliest_start("1100");
    dates->set_latest_start("1200");
    dates->set_earliest_end("1450");
    dates->set_latest_end("1500");
    anchor_entity(std::move(abbey));

    anchor_entity(Entity("annex", "museum", "Museum annex"));
    const std::pair<const char*, const char*> directors[] = {
        {"a", "1990-03-01/1995-06-30"},
        {"b", "1995-06-30/2001-01-15"},
        {"c", "2001-01-16/2008"},
        {"d", "2008-12-31/.."}};
    for (const auto& [who, edtf] : directors) {
      anchor_entity(Entity(absl::StrCat("director-", who), "person",
                           absl::StrCat("Director ", who)));
      cv1::Statement tenure = Statement("annex", "director", edtf);
      tenure.set_name(absl::StrCat("statements/annex-director-", who));
      tenure.mutable_object()->set_entity(
          absl::StrCat("entities/director-", who));
      tenure.add_sources()->set_source("entities/src-gazetteer");
      anchor_statement(tenure);
    }

    const std::pair<const char*, const char*> coins[] = {
        {"coin-a", "-0001-06-15"}, {"coin-b", "-0001/0000"},
        {"coin-c", "0000-21"},     {"coin-d", "0001~"},
        {"coin-e", "0000-02-29"},  {"coin-f", "-0004-02-29"}};
    for (const auto& [id, edtf] : coins) {
      anchor_entity(WithEdtf(Entity(id, "coin", id), edtf));
    }
  }

  // One good entity with a lifespan of one of the level-0/1 forms.
  void AddGoodLifespan() {
    const int form = Pick(0, 10);
    ExpectedExtent x;
    std::string kind = "period";
    cv1::Entity entity;
    const std::string id = NextName("g");
    if (form == 0) {  // -0500/-0323
      const int s = Pick(-3000, -301), e = Pick(s + 1, s + 300);
      x = {YearText(s) + "/" + YearText(e), FirstDayOfYear(s), LastDayOfYear(s),
           FirstDayOfYear(e), LastDayOfYear(e)};
    } else if (form == 1) {  // -2600~/-2300~: a year wider on each side
      const int s = Pick(-3000, -301), e = Pick(s + 3, s + 300);
      x = {YearText(s) + "~/" + YearText(e) + "~", FirstDayOfYear(s - 1),
           LastDayOfYear(s + 1), FirstDayOfYear(e - 1), LastDayOfYear(e + 1)};
    } else if (form == 2) {  // Y-12000/Y-9600... beyond four digits
      const int s = Pick(-40000, -10002);
      const int e = Pick(s + 1, std::min(s + 3000, -10000));
      x = {YearText(s) + "/" + YearText(e), FirstDayOfYear(s), LastDayOfYear(s),
           FirstDayOfYear(e), LastDayOfYear(e)};
    } else if (form == 3) {  // -0044-03-15
      const int y = Pick(-2000, -1), m = Pick(1, 12), d = Pick(1, 28);
      const std::string day = DayText(y, m, d);
      x = {day, day, day, day, day, /*instant=*/true};
    } else if (form == 4) {  // explicit bound dates, in years
      const int es = Pick(1000, 1300), ls = Pick(es, es + 100);
      const int ee = Pick(ls + 1, ls + 200), le = Pick(ee, ee + 100);
      ty::BoundDates* dates = entity.mutable_lifespan()->mutable_bound_dates();
      dates->set_earliest_start(YearText(es));
      dates->set_latest_start(YearText(ls));
      dates->set_earliest_end(YearText(ee));
      dates->set_latest_end(YearText(le));
      x = {"", FirstDayOfYear(es), LastDayOfYear(ls), FirstDayOfYear(ee),
           LastDayOfYear(le)};
    } else if (form == 5) {  // an airport building: unknown start, still open
      kind = "building";
      cv1::SourceCitation* source = entity.add_lifespan_sources();
      source->set_source("entities/src-airports");
      source->set_locator(absl::StrCat("Runway ", serial_));
      x = {"/..", "", "", "", ""};
    } else if (form == 6) {  // a date-time with a zone, kept as written
      kind = "happening";
      const char* const zones[] = {"Z",      "+02:30", "-04",
                                   "+14:00", "-11:00", ""};
      const int y = Pick(1900, 2030), m = Pick(1, 12), d = Pick(1, 28);
      const std::string text =
          absl::StrFormat("%sT%02d:%02d:%02d%s", DayText(y, m, d), Pick(0, 23),
                          Pick(0, 59), Pick(0, 59), zones[Pick(0, 5)]);
      const std::string day = DayText(y, m, d);
      x = {text, day, day, day, day, /*instant=*/true};
    } else if (form == 7) {  // a season: a quarter of its year
      kind = "artifact";
      const int y = Pick(-500, 2030), q = Pick(21, 24);
      const int first_month = 1 + 3 * (q - 21);
      x = {absl::StrCat(YearText(y), "-", q),  DayText(y, first_month, 1),
           LastDayOfMonth(y, first_month + 2), DayText(y, first_month, 1),
           LastDayOfMonth(y, first_month + 2), /*instant=*/true};
    } else if (form == 8) {  // unspecified digits
      kind = "artifact";
      const int variant = Pick(0, 4);
      if (variant == 0) {  // 19XX
        const int century = Pick(10, 20);
        x = {absl::StrCat(century, "XX"), FirstDayOfYear(century * 100), "", "",
             LastDayOfYear(century * 100 + 99)};
      } else if (variant == 1) {  // 201X
        const int decade = Pick(100, 202);
        x = {absl::StrCat(decade, "X"), FirstDayOfYear(decade * 10), "", "",
             LastDayOfYear(decade * 10 + 9)};
      } else if (variant == 2) {  // XXXX
        x = {"XXXX", FirstDayOfYear(0), "", "", LastDayOfYear(9999)};
      } else if (variant == 3) {  // 1985-XX is written 1985
        const int y = Pick(1000, 2030);
        entity.mutable_lifespan()->set_edtf(absl::StrCat(YearText(y), "-XX"));
        x = {YearText(y), FirstDayOfYear(y), "", "", LastDayOfYear(y)};
      } else {  // 1985-04-XX is written 1985-04
        const int y = Pick(1000, 2030), m = Pick(1, 12);
        const std::string month = absl::StrFormat("%s-%02d", YearText(y), m);
        entity.mutable_lifespan()->set_edtf(month + "-XX");
        x = {month, DayText(y, m, 1), "", "", LastDayOfMonth(y, m)};
      }
      // An instant: the start and the last day are the same unknown day.
      x.latest_start = x.latest_last_day;
      x.earliest_last_day = x.earliest_start;
      x.instant = true;
    } else {  // qualifiers
      kind = "artifact";
      const int variant = Pick(0, 2);
      const int y = Pick(1000, 2030), m = Pick(1, 12), d = Pick(2, 27);
      if (variant == 0) {  // 2018-11?: uncertain, not widened
        const std::string month = absl::StrFormat("%s-%02d", YearText(y), m);
        x = {month + "?",
             DayText(y, m, 1),
             LastDayOfMonth(y, m),
             DayText(y, m, 1),
             LastDayOfMonth(y, m),
             true,
             true};
      } else if (variant == 1) {  // 2004~: a year each side
        x = {YearText(y) + "~",
             FirstDayOfYear(y - 1),
             LastDayOfYear(y + 1),
             FirstDayOfYear(y - 1),
             LastDayOfYear(y + 1),
             true,
             false};
      } else {  // 2018-11-26%: a day each side, uncertain
        const std::string day = DayText(y, m, d);
        x = {day + "%",
             DayText(y, m, d - 1),
             DayText(y, m, d + 1),
             DayText(y, m, d - 1),
             DayText(y, m, d + 1),
             true,
             true};
      }
    }
    entity.set_name("entities/" + id);
    entity.set_kind(kind);
    entity.set_label(absl::StrCat("Generated ", id));
    if (!x.edtf.empty() && entity.lifespan().edtf().empty()) {
      entity.mutable_lifespan()->set_edtf(x.edtf);
    }
    Good(entity, x);
  }

  // A gallery and its curators in tenures that share a handover day, follow
  // on the next day, or overlap: never a day without one.
  void AddChain() {
    Chain chain;
    chain.museum = NextName("gallery");
    cv1::Entity gallery =
        Entity(chain.museum, "gallery", absl::StrCat("Gallery ", serial_));
    AddEntity(gallery);
    ++collection_.good_entities;
    collection_.by_kind["gallery"]["entities/" + chain.museum] = {};
    absl::CivilDay start(Pick(1700, 2000), Pick(1, 12), Pick(1, 28));
    const int tenures = Pick(3, 6);
    for (int i = 0; i < tenures; ++i) {
      const std::string person = NextName("curator");
      AddEntity(Entity(person, "curator", absl::StrCat("Curator ", serial_)));
      ++collection_.good_entities;
      collection_.by_kind["curator"]["entities/" + person] = {};
      const absl::CivilDay last = start + Pick(30, 3000);
      cv1::Statement tenure =
          Statement(chain.museum, "director",
                    absl::StrCat(DayText(start), "/", DayText(last)));
      tenure.mutable_object()->set_entity("entities/" + person);
      cv1::SourceCitation* source = tenure.add_sources();
      source->set_source("entities/src-gazetteer");
      source->set_locator(absl::StrCat("p. ", serial_));
      AddStatement(tenure);
      ++collection_.good_statements;
      chain.tenures.emplace_back(DayText(start), DayText(last));
      switch (Pick(0, 2)) {
        case 0:  // the handover day belongs to both
          start = last;
          break;
        case 1:  // the next begins the day after
          start = last + 1;
          break;
        default:  // a few days together
          start = last - Pick(1, 20);
          break;
      }
    }
    collection_.chains.push_back(std::move(chain));
  }

  void AddBadUnit() {
    const std::string id = NextName("bad");
    switch (Pick(0, 10)) {
      case 0: {  // malformed EDTF
        const std::pair<const char*, const char*> cases[] = {
            {"2018-02-30", "day 30 does not exist in February 2018"},
            {"-0001-02-29", "does not exist"},  // -0001 is no leap year
            {"2018-13", "month 13 does not exist"},
            {"-0000", "year 0000 has no sign"},
            {"10000", "written with Y"},
            {"Y2018", "more than four digits"},
            {"201x", "uppercase X"},
            {"2018?~", "only one qualifier"},
            {"2021-06-01T10:00", "hh:mm:ss"},
            {"..", "open side"},
            {"2021-06-01T10:00:00Z/2021-07", "not date-times"},
            {"1985-04-12T23:20:30Z?", "cannot be qualified"},
            // Y only before more than four digits, as the specification
            // says: "Y-9600" is refused.
            {"Y-12000/Y-9600", "more than four digits"},
            {"-500/-323", ""}};
        const auto& [edtf, part] = cases[Pick(0, std::size(cases) - 1)];
        Refuse(AddEntity(WithEdtf(Entity(id, "period", id), edtf)),
               "entity.lifespan.edtf", "INVALID_ARGUMENT", "", part);
        collection_.refused_entities.push_back(id);
        break;
      }
      case 1: {  // level 2, on a statement
        const char* const cases[] = {"2004-?06-11", "2020-~05", "[1667,1668]",
                                     "2018-33",     "20X8",     "{1667,1668}"};
        cv1::Statement statement =
            Statement("macedon", "phase", cases[Pick(0, std::size(cases) - 1)]);
        statement.mutable_object()->set_text(id);
        Refuse(AddStatement(statement), "statement.valid_time.edtf",
               "INVALID_ARGUMENT", "", "level 2");
        break;
      }
      case 2: {  // reversed
        const char* const cases[] = {"-0323/-0500", "2021/2018",
                                     "1995-06-30/1995-06-29", "Y-10000/Y-12000",
                                     "0001/-0001"};
        Refuse(AddEntity(WithEdtf(Entity(id, "period", id),
                                  cases[Pick(0, std::size(cases) - 1)])),
               "entity.lifespan.edtf", "INVALID_ARGUMENT", "", "reversed");
        collection_.refused_entities.push_back(id);
        break;
      }
      case 3: {  // beyond the years Annals represents
        const char* const cases[] = {"Y170000002", "Y-170000002", "Y2500001/..",
                                     "../Y-2500001"};
        Refuse(AddEntity(WithEdtf(Entity(id, "period", id),
                                  cases[Pick(0, std::size(cases) - 1)])),
               "entity.lifespan.edtf", "INVALID_ARGUMENT", "",
               "(-2500000 to 2500000)");
        collection_.refused_entities.push_back(id);
        break;
      }
      case 4: {  // bad bound dates
        struct Case {
          const char* dates[4];
          const char* field;
          const char* part;
        };
        const Case cases[] = {
            {{"1500", "1600", "1100", "1200"},
             "latest_end",
             "before every possible start"},
            {{"..", "1200", "1450", "1500"},
             "earliest_start",
             "must be \"..\" too"},
            {{"1100", "1200-13", "1450", "1500"}, "latest_start", "month 13"},
            {{"1200", "1100", "1450", "1500"},
             "latest_start",
             "before earliest_start"},
            {{"1100", "1200", "1500", "1450"},
             "latest_end",
             "before earliest_end"},
            {{"1100/1200", "", "", ""}, "earliest_start", "is an interval"}};
        const Case& c = cases[Pick(0, std::size(cases) - 1)];
        cv1::Entity entity = Entity(id, "period", id);
        ty::BoundDates* dates =
            entity.mutable_lifespan()->mutable_bound_dates();
        dates->set_earliest_start(c.dates[0]);
        dates->set_latest_start(c.dates[1]);
        dates->set_earliest_end(c.dates[2]);
        dates->set_latest_end(c.dates[3]);
        Refuse(AddEntity(entity),
               absl::StrCat("entity.lifespan.bound_dates.", c.field),
               "INVALID_ARGUMENT", "", c.part);
        collection_.refused_entities.push_back(id);
        break;
      }
      case 5: {  // EDTF and bound dates both
        cv1::Entity entity = WithEdtf(Entity(id, "period", id), "1100/1500");
        entity.mutable_lifespan()->mutable_bound_dates()->set_earliest_start(
            "1100");
        Refuse(AddEntity(entity), "entity.lifespan.bound_dates",
               "INVALID_ARGUMENT", "", "not both");
        collection_.refused_entities.push_back(id);
        break;
      }
      case 6: {  // a subject that does not exist
        cv1::Statement statement = Statement("lost-" + id, "phase", "-0500");
        statement.mutable_object()->set_text(id);
        Refuse(AddStatement(statement), "statement.subject", "NOT_FOUND",
               "NOT_FOUND");
        break;
      }
      case 7: {  // an object that does not exist
        cv1::Statement statement = Statement("macedon", "ally", "-0338");
        statement.mutable_object()->set_entity("entities/lost-" + id);
        Refuse(AddStatement(statement), "statement.object.entity", "NOT_FOUND",
               "NOT_FOUND");
        break;
      }
      case 8: {  // a source that is not a source
        cv1::Statement statement = Statement("macedon", "phase", "-0400");
        statement.mutable_object()->set_text(id);
        statement.add_sources()->set_source("entities/caesar");
        Refuse(AddStatement(statement), "statement.sources[0].source",
               "FAILED_PRECONDITION", "WRONG_KIND");
        break;
      }
      case 9: {  // a building whose register entry does not exist
        cv1::Entity entity = WithEdtf(Entity(id, "building", id), "/..");
        entity.add_lifespan_sources()->set_source("entities/lost-" + id);
        Refuse(AddEntity(entity), "entity.lifespan_sources[0].source",
               "NOT_FOUND", "NOT_FOUND");
        collection_.refused_entities.push_back(id);
        break;
      }
      default: {  // a statement about an entity whose record is refused
        Refuse(AddEntity(WithEdtf(Entity(id, "period", id), "-0323/-0500")),
               "entity.lifespan.edtf", "INVALID_ARGUMENT", "", "reversed");
        collection_.refused_entities.push_back(id);
        cv1::Statement statement = Statement(id, "phase", "-0400");
        statement.mutable_object()->set_text(id);
        Refuse(AddStatement(statement), "statement.subject",
               "FAILED_PRECONDITION", "REFERS_TO_REFUSED",
               "refers to entities/" + id + ", whose record was refused");
        break;
      }
    }
  }

  std::mt19937 rng_{kSeed};
  int serial_ = 0;
  Collection collection_;
};

// --- Running the `annals` binary --------------------------------------------

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs the real `annals` executable with `args`; stdout and stderr are
// captured through files.
CommandResult RunAnnalsBinary(const std::vector<std::string>& args) {
  testing::TempDir dir;
  const std::string out_path = dir.Sub("out"), err_path = dir.Sub("err");
  std::vector<std::string> argv = {ANNALS_CLI_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = fork();
  if (pid == 0) {
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    std::vector<char*> raw;
    for (std::string& arg : argv) raw.push_back(arg.data());
    raw.push_back(nullptr);
    execv(raw[0], raw.data());
    _exit(127);
  }
  CommandResult result;
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  return result;
}

// The line of `text` that contains `needle`, or "" if none does.
std::string LineWith(const std::string& text, const std::string& needle) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StrContains(line, needle)) return std::string(line);
  }
  return "";
}

// --- The fixture ------------------------------------------------------------

class ValidTimeEndToEndTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    world_ = new testing::AnnalsWorld();
    ASSERT_TRUE(world_->ok());
    session_ = std::make_shared<Session>();
    catalog_ = new CatalogClient(
        CatalogClient::Connect(world_->catalog_address(), {}, session_));
    timeline_ = new TimelineClient(
        TimelineClient::Connect(world_->timeline_address(), {}, session_));
    collection_ = new Collection(CollectionBuilder().Build());
    absl::StatusOr<cv1::ImportRecordsResponse> imported =
        catalog_->ImportRecords(collection_->batches);
    ASSERT_OK(imported);
    import_ = new cv1::ImportRecordsResponse(*std::move(imported));
  }

  static void TearDownTestSuite() {
    delete import_;
    delete collection_;
    delete timeline_;
    delete catalog_;
    delete world_;
  }

  // Entity id -> certainty of every lifespan or event of `kind` that
  // overlaps from/to, in the timeline's order.
  static std::vector<std::pair<std::string, std::string>> Window(
      const std::string& from, const std::string& to, const std::string& kind,
      const std::string& entity = "") {
    tv1::QueryWindowRequest request;
    request.set_from(from);
    request.set_to(to);
    request.set_kind(kind);
    request.set_entity(entity);
    request.set_page_size(1000);
    std::vector<std::pair<std::string, std::string>> items;
    do {
      absl::StatusOr<tv1::QueryWindowResponse> page =
          timeline_->QueryWindow(request);
      EXPECT_OK(page);
      if (!page.ok()) break;
      for (const tv1::WindowItem& item : page->items()) {
        if (item.has_entity()) {
          items.emplace_back(Id(item.entity().name()),
                             CertaintyName(item.certainty()));
        }
      }
      request.set_page_token(page->next_page_token());
    } while (!request.page_token().empty());
    return items;
  }

  static tv1::GetSnapshotResponse Snapshot(const std::string& entity,
                                           const std::string& at) {
    tv1::GetSnapshotRequest request;
    request.set_entity(entity);
    request.set_at(at);
    absl::StatusOr<tv1::GetSnapshotResponse> snapshot =
        timeline_->GetSnapshot(request);
    EXPECT_OK(snapshot) << entity << " at " << at;
    return snapshot.ok() ? *snapshot : tv1::GetSnapshotResponse();
  }

  // Whether `entity`'s lifespan holds on `at`: "definite", "possible", "no".
  static std::string LifespanOn(const std::string& entity,
                                const std::string& at) {
    return CertaintyName(Snapshot(entity, at).lifespan_certainty());
  }

  static tv1::RelateResponse Relate(const std::string& a,
                                    const std::string& b) {
    tv1::RelateRequest request;
    request.mutable_a()->set_statement(a);
    request.mutable_b()->set_statement(b);
    absl::StatusOr<tv1::RelateResponse> relation = timeline_->Relate(request);
    EXPECT_OK(relation);
    return relation.ok() ? *relation : tv1::RelateResponse();
  }

  static tv1::FindGapsResponse Gaps(const std::string& subject,
                                    const std::string& from,
                                    const std::string& to) {
    tv1::FindGapsRequest request;
    request.set_subject(subject);
    request.set_predicate("director");
    request.set_from(from);
    request.set_to(to);
    absl::StatusOr<tv1::FindGapsResponse> gaps = timeline_->FindGaps(request);
    EXPECT_OK(gaps) << subject;
    return gaps.ok() ? *gaps : tv1::FindGapsResponse();
  }

  static std::vector<std::pair<std::string, std::string>> Ranges(
      const google::protobuf::RepeatedPtrField<tv1::DayRange>& ranges) {
    std::vector<std::pair<std::string, std::string>> result;
    for (const tv1::DayRange& range : ranges) {
      result.emplace_back(range.from(), range.to());
    }
    return result;
  }

  static void ExpectBounds(const ty::Extent& extent,
                           const ExpectedExtent& expected,
                           const std::string& what) {
    EXPECT_EQ(extent.edtf(), expected.edtf) << what;
    const ty::ExtentBounds& bounds = extent.bounds();
    EXPECT_EQ(bounds.earliest_start(), expected.earliest_start) << what;
    EXPECT_EQ(bounds.latest_start(), expected.latest_start) << what;
    EXPECT_EQ(bounds.earliest_last_day(), expected.earliest_last_day) << what;
    EXPECT_EQ(bounds.latest_last_day(), expected.latest_last_day) << what;
    EXPECT_EQ(bounds.instant(), expected.instant) << what;
    EXPECT_EQ(bounds.uncertain(), expected.uncertain) << what;
  }

  static testing::AnnalsWorld* world_;
  static std::shared_ptr<Session> session_;
  static CatalogClient* catalog_;
  static TimelineClient* timeline_;
  static Collection* collection_;
  static cv1::ImportRecordsResponse* import_;
};

testing::AnnalsWorld* ValidTimeEndToEndTest::world_ = nullptr;
std::shared_ptr<Session> ValidTimeEndToEndTest::session_;
CatalogClient* ValidTimeEndToEndTest::catalog_ = nullptr;
TimelineClient* ValidTimeEndToEndTest::timeline_ = nullptr;
Collection* ValidTimeEndToEndTest::collection_ = nullptr;
cv1::ImportRecordsResponse* ValidTimeEndToEndTest::import_ = nullptr;

// --- The import -------------------------------------------------------------

TEST_F(ValidTimeEndToEndTest, GeneratedCollectionIsLargeAndAboutAFifthBad) {
  EXPECT_GE(collection_->records, 2000);
  EXPECT_LE(collection_->records, 3000);
  EXPECT_GE(collection_->batches.size(), 5u);
  const double bad = static_cast<double>(collection_->refused.size()) /
                     static_cast<double>(collection_->records);
  EXPECT_GT(bad, 0.15);
  EXPECT_LT(bad, 0.25);
  EXPECT_EQ(collection_->good_entities + collection_->good_statements +
                static_cast<int64_t>(collection_->refused.size()),
            collection_->records);
}

TEST_F(ValidTimeEndToEndTest,
       KeepGoingRefusesExactlyTheBadRecordsWithTheirBatchRecordAndField) {
  const std::vector<ExpectedRefusal>& expected = collection_->refused;
  EXPECT_EQ(import_->refused(), static_cast<int64_t>(expected.size()));
  ASSERT_EQ(import_->refused_records_size(), static_cast<int>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) {
    const cv1::RefusedRecord& got = import_->refused_records(i);
    const ExpectedRefusal& want = expected[i];
    SCOPED_TRACE(absl::StrCat("refusal ", i, ": ", got.message()));
    EXPECT_EQ(got.batch(), want.batch);
    EXPECT_EQ(got.record(), want.record);
    EXPECT_EQ(got.field(), want.field);
    EXPECT_EQ(got.code(), want.code);
    if (!want.reason.empty()) {
      EXPECT_EQ(got.reason(), want.reason);
    }
    if (!want.message_part.empty()) {
      EXPECT_THAT(got.message(), HasSubstr(want.message_part));
    }
    // A level-2 form is never called malformed.
    if (want.message_part == "level 2") {
      EXPECT_THAT(got.message(), Not(HasSubstr("must have")));
    }
    if (::testing::Test::HasFailure()) break;
  }
}

TEST_F(ValidTimeEndToEndTest, KeepGoingAppliesEveryOtherRecord) {
  EXPECT_EQ(import_->entities_created(), collection_->good_entities);
  EXPECT_EQ(import_->statements_created(), collection_->good_statements);
  EXPECT_EQ(import_->entities_updated(), 0);
  EXPECT_EQ(import_->unchanged(), 0);
  EXPECT_EQ(import_->batches(),
            static_cast<int64_t>(collection_->batches.size()));
  // One change per applied record, and nothing else.
  EXPECT_EQ(import_->last_sequence(),
            collection_->good_entities + collection_->good_statements);
  for (const std::string& id : collection_->refused_entities) {
    EXPECT_THAT(catalog_->GetEntity(id),
                testing::StatusIs(absl::StatusCode::kNotFound))
        << id;
  }
}

TEST_F(ValidTimeEndToEndTest,
       EveryGeneratedLifespanReadsBackWithItsHandDerivedBounds) {
  for (const char* kind : kGeneratedKinds) {
    const std::map<std::string, ExpectedExtent>& expected =
        collection_->by_kind[kind];
    cv1::ListEntitiesRequest request;
    request.set_kind(kind);
    request.set_page_size(1000);
    std::set<std::string> seen;
    do {
      absl::StatusOr<cv1::ListEntitiesResponse> page =
          catalog_->ListEntities(request);
      ASSERT_OK(page);
      for (const cv1::Entity& entity : page->entities()) {
        seen.insert(entity.name());
        auto it = expected.find(entity.name());
        ASSERT_NE(it, expected.end()) << entity.name() << " was not good";
        if (it->second.edtf.empty() && it->second.earliest_start.empty() &&
            it->second.latest_last_day.empty() && !entity.has_lifespan()) {
          continue;
        }
        ExpectBounds(entity.lifespan(), it->second, entity.name());
      }
      request.set_page_token(page->next_page_token());
    } while (!request.page_token().empty());
    EXPECT_EQ(seen.size(), expected.size()) << kind;
    if (::testing::Test::HasFailure()) return;
  }
}

TEST_F(ValidTimeEndToEndTest, BoundDatesAreKeptAsGivenBesideTheirBounds) {
  ASSERT_OK_AND_ASSIGN(cv1::Entity abbey, catalog_->GetEntity("abbey"));
  EXPECT_EQ(abbey.lifespan().edtf(), "");
  EXPECT_EQ(abbey.lifespan().bound_dates().earliest_start(), "1100");
  EXPECT_EQ(abbey.lifespan().bound_dates().latest_end(), "1500");
  ExpectBounds(abbey.lifespan(),
               {"", "1100-01-01", "1200-12-31", "1450-01-01", "1500-12-31"},
               "abbey");
  // The deprecated exclusive ends stay one day after the last days.
  EXPECT_EQ(abbey.lifespan().bounds().earliest_end(), "1450-01-02");
  EXPECT_EQ(abbey.lifespan().bounds().latest_end(), "1501-01-01");

  ASSERT_OK_AND_ASSIGN(cv1::Entity shrine, catalog_->GetEntity("bound-shrine"));
  // "-0420~" widens by a year: the last day is from -0421-01-01 on.
  ExpectBounds(shrine.lifespan(),
               {"", "-0480-01-01", "-0470-12-31", "-0421-01-01", ""},
               "bound-shrine");
}

TEST_F(ValidTimeEndToEndTest, TenuresReadBackWithTheLastDayAsWritten) {
  for (const Chain& chain : collection_->chains) {
    cv1::ListStatementsRequest request;
    request.set_subject(chain.museum);
    request.set_predicate("director");
    request.set_page_size(100);
    ASSERT_OK_AND_ASSIGN(cv1::ListStatementsResponse statements,
                         catalog_->ListStatements(request));
    std::vector<std::pair<std::string, std::string>> got;
    for (const cv1::Statement& statement : statements.statements()) {
      const ty::ExtentBounds& bounds = statement.valid_time().bounds();
      EXPECT_EQ(bounds.earliest_start(), bounds.latest_start());
      EXPECT_EQ(bounds.earliest_last_day(), bounds.latest_last_day());
      EXPECT_EQ(statement.valid_time().edtf(),
                bounds.earliest_start() + "/" + bounds.latest_last_day());
      got.emplace_back(bounds.earliest_start(), bounds.latest_last_day());
    }
    std::vector<std::pair<std::string, std::string>> want = chain.tenures;
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want) << chain.museum;
    if (::testing::Test::HasFailure()) return;
  }
}

// --- Snapshots --------------------------------------------------------------

TEST_F(ValidTimeEndToEndTest,
       OnTheIdesOfMarch44BcAnIntervalEndingThatDayHolds) {
  tv1::GetSnapshotResponse snapshot = Snapshot("caesar", "-0044-03-15");
  // His lifespan ends on the Ides: its last day, included.
  EXPECT_EQ(CertaintyName(snapshot.lifespan_certainty()), "definite");
  std::vector<std::pair<std::string, std::string>> statements;
  for (const tv1::StatementCertainty& item : snapshot.statements()) {
    statements.emplace_back(item.statement().predicate(),
                            CertaintyName(item.certainty()));
  }
  // The dictatorship (-0049/-0044-03-15) holds on its last day; "-0044-03~"
  // is some day from February to April; the consulship of -0059 and the
  // funeral on the 20th do not hold.
  EXPECT_THAT(statements, ElementsAre(Pair("assassinated_in", "definite"),
                                      Pair("dictator", "definite"),
                                      Pair("in_rome", "possible")));
  EXPECT_EQ(snapshot.entity().lifespan_sources(0).locator(), "Book I");

  EXPECT_EQ(LifespanOn("caesar", "-0044-03-16"), "no");
  EXPECT_EQ(LifespanOn("caesar", "-0100-07-12"), "definite");
  EXPECT_EQ(LifespanOn("caesar", "-0100-07-11"), "no");
}

TEST_F(ValidTimeEndToEndTest, ADateTimeHoldsOnTheDayWrittenWhateverItsZone) {
  ASSERT_OK_AND_ASSIGN(cv1::Entity treaty, catalog_->GetEntity("treaty"));
  // The text is kept as written; the day is the one before the T, not the
  // UTC day (03:20:30 on 13 April).
  ExpectBounds(treaty.lifespan(),
               {"1985-04-12T23:20:30-04:00", "1985-04-12", "1985-04-12",
                "1985-04-12", "1985-04-12", /*instant=*/true},
               "treaty");
  // A date-time `at` names the day written too: 1985-04-12 here, though it
  // is 13 April in UTC...
  tv1::GetSnapshotResponse on_the_day =
      Snapshot("treaty", "1985-04-12T23:59:59-11:00");
  EXPECT_EQ(CertaintyName(on_the_day.lifespan_certainty()), "definite");
  ASSERT_EQ(on_the_day.statements_size(), 1);
  EXPECT_EQ(on_the_day.statements(0).statement().valid_time().edtf(),
            "1985-04-12T23:20:30Z");
  EXPECT_EQ(CertaintyName(on_the_day.statements(0).certainty()), "definite");
  // ...and 1985-04-13 here, though it is 12 April in UTC.
  tv1::GetSnapshotResponse next_day =
      Snapshot("treaty", "1985-04-13T00:00:00+14:00");
  EXPECT_EQ(CertaintyName(next_day.lifespan_certainty()), "no");
  EXPECT_THAT(next_day.statements(), IsEmpty());
}

TEST_F(ValidTimeEndToEndTest, BothDirectorsHoldOnTheirHandoverDay) {
  auto directors = [](const std::string& day) {
    std::vector<std::pair<std::string, std::string>> result;
    const tv1::GetSnapshotResponse snapshot = Snapshot("annex", day);
    for (const auto& item : snapshot.statements()) {
      result.emplace_back(Id(item.statement().object().entity()),
                          CertaintyName(item.certainty()));
    }
    return result;
  };
  EXPECT_THAT(directors("1995-06-29"),
              ElementsAre(Pair("director-a", "definite")));
  EXPECT_THAT(directors("1995-06-30"),
              ElementsAre(Pair("director-a", "definite"),
                          Pair("director-b", "definite")));
  EXPECT_THAT(directors("1995-07-01"),
              ElementsAre(Pair("director-b", "definite")));
  // B's last day, then C's first: one each.
  EXPECT_THAT(directors("2001-01-15"),
              ElementsAre(Pair("director-b", "definite")));
  EXPECT_THAT(directors("2001-01-16"),
              ElementsAre(Pair("director-c", "definite")));
}

// --- A BCE window
// -------------------------------------------------------------

TEST_F(ValidTimeEndToEndTest, BceWindowTellsDefiniteFromPossible) {
  // From -0500-01-01 through -0401-12-31.
  EXPECT_THAT(
      Window("-0500", "-0401", "site"),
      ElementsAre(
          // -0600/-0500: its last day is some day of -0500, in the window
          // (under the exclusive reading it could end on -0501-12-31).
          Pair("pre-phase", "definite"),
          // -0500/-0323: starts on some day of -0500.
          Pair("macedon", "definite"),
          // Bound dates: starts between -0480 and -0470.
          Pair("bound-shrine", "definite"),
          // -0450?: uncertain, never definite.
          Pair("uncertain-hoard", "possible"),
          // -0400~: some day of -0401 to -0399.
          Pair("approx-kiln", "possible"),
          // Starts on the window's last day, which the window includes.
          Pair("edge-fort", "definite")));
  // The same window in days.
  EXPECT_EQ(Window("-0500-01-01", "-0401-12-31", "site"),
            Window("-0500", "-0401", "site"));
  // Year -0401 alone: nothing that ended in -0500; the shrine may have
  // ended as early as -0421.
  EXPECT_THAT(
      Window("-0401", "-0401", "site"),
      ElementsAre(Pair("macedon", "definite"), Pair("bound-shrine", "possible"),
                  Pair("approx-kiln", "possible"),
                  Pair("edge-fort", "definite")));
  // Before Christ in long years: Y-12000/-9600 holds through -10000.
  EXPECT_THAT(Window("Y-10000", "Y-10000", "site"),
              ElementsAre(Pair("paleo-camp", "definite")));
  // -2600~/-2300~ may have ended in -2299, or already in -2301.
  EXPECT_THAT(Window("-2299", "-2299", "site"),
              ElementsAre(Pair("bronze-town", "possible")));
  EXPECT_THAT(Window("-2298", "-2298", "site"), IsEmpty());
}

// --- Relations and gaps between tenures
// ---------------------------------------

TEST_F(ValidTimeEndToEndTest, TenuresSharingAHandoverDayDefinitelyOverlap) {
  tv1::RelateResponse relation = Relate("annex-director-a", "annex-director-b");
  EXPECT_THAT(relation.relations(), ElementsAre("overlaps"));
  EXPECT_TRUE(relation.definite());
  EXPECT_EQ(relation.a_extent().bounds().latest_last_day(), "1995-06-30");
  EXPECT_EQ(relation.b_extent().bounds().earliest_start(), "1995-06-30");
}

TEST_F(ValidTimeEndToEndTest, ATenureEndingTheDayBeforeTheNextStartsMeetsIt) {
  tv1::RelateResponse relation = Relate("annex-director-b", "annex-director-c");
  EXPECT_THAT(relation.relations(), ElementsAre("meets"));
  EXPECT_TRUE(relation.definite());
  // C ends on some day of 2008; D starts on its last day, 2008-12-31.
  EXPECT_THAT(Relate("annex-director-c", "annex-director-d").relations(),
              ElementsAre("before", "meets", "overlaps"));
}

TEST_F(ValidTimeEndToEndTest, YearMinusOneMeetsYearZero) {
  tv1::RelateRequest request;
  request.mutable_a()->set_edtf("-0001-12-31");
  request.mutable_b()->set_edtf("0000-01-01");
  ASSERT_OK_AND_ASSIGN(tv1::RelateResponse relation,
                       timeline_->Relate(request));
  EXPECT_THAT(relation.relations(), ElementsAre("meets"));
  request.mutable_a()->set_edtf("-0001");
  request.mutable_b()->set_edtf("0001");
  ASSERT_OK_AND_ASSIGN(relation, timeline_->Relate(request));
  EXPECT_THAT(relation.relations(), ElementsAre("before"));
}

TEST_F(ValidTimeEndToEndTest, GaplessTenuresHaveNoGaps) {
  // Shared handover day, then the next day: no day without a director.
  tv1::FindGapsResponse gaps = Gaps("annex", "1990-03", "2007");
  EXPECT_THAT(gaps.definite_gaps(), IsEmpty());
  EXPECT_THAT(gaps.possible_gaps(), IsEmpty());
  EXPECT_EQ(gaps.statement_count(), 4);
  // Every generated gallery, over its whole chain.
  for (const Chain& chain : collection_->chains) {
    tv1::FindGapsResponse chain_gaps = Gaps(
        chain.museum, chain.tenures.front().first, chain.tenures.back().second);
    EXPECT_THAT(chain_gaps.definite_gaps(), IsEmpty()) << chain.museum;
    EXPECT_THAT(chain_gaps.possible_gaps(), IsEmpty()) << chain.museum;
    EXPECT_EQ(chain_gaps.statement_count(),
              static_cast<int>(chain.tenures.size()));
    if (::testing::Test::HasFailure()) return;
  }
}

TEST_F(ValidTimeEndToEndTest, GapRangesEndOnTheirLastDay) {
  tv1::FindGapsResponse gaps = Gaps("annex", "1985", "2010-06");
  // Nobody before A's first day, 1990-03-01.
  EXPECT_THAT(Ranges(gaps.definite_gaps()),
              ElementsAre(Pair("1985-01-01", "1990-02-28")));
  // C (2001-01-16/2008) held at least through 2008-01-01; D from 2008-12-31.
  EXPECT_THAT(Ranges(gaps.possible_gaps()),
              ElementsAre(Pair("2008-01-02", "2008-12-30")));
}

// --- Counting across year 0
// ----------------------------------------------------

TEST_F(ValidTimeEndToEndTest, CountByYearRunsFromMinusOneThroughZeroToOne) {
  tv1::CountActiveRequest request;
  request.set_bucket(tv1::BUCKET_YEAR);
  request.set_from("-0001");
  request.set_to("0001");
  request.set_kind("coin");
  ASSERT_OK_AND_ASSIGN(tv1::CountActiveResponse counts,
                       timeline_->CountActive(request));
  std::vector<std::tuple<std::string, std::string, int64_t, int64_t>> got;
  for (const tv1::BucketCount& bucket : counts.buckets()) {
    got.emplace_back(bucket.range().from(), bucket.range().to(),
                     bucket.definite(), bucket.possible());
  }
  // -0001: coin-a (-0001-06-15) and coin-b (-0001/0000, starts in -0001).
  // 0000: coin-b (its last day is in 0000), coin-c (0000-21, a quarter of
  //       0000), coin-e (0000-02-29: year 0000 is a leap year); coin-d
  //       (0001~: some day of 0000 to 0002) possibly.
  // 0001: coin-d possibly. coin-f (-0004-02-29) is outside the window.
  EXPECT_THAT(got,
              ElementsAre(std::make_tuple("-0001-01-01", "-0001-12-31", 2, 0),
                          std::make_tuple("0000-01-01", "0000-12-31", 3, 1),
                          std::make_tuple("0001-01-01", "0001-12-31", 0, 1)));
}

TEST_F(ValidTimeEndToEndTest, MonthsOf44BcIncludeALeapFebruaryAndTheIdes) {
  tv1::CountActiveRequest request;
  request.set_bucket(tv1::BUCKET_MONTH);
  request.set_from("-0044-02");
  request.set_to("-0044-04");
  request.set_item_type(tv1::ITEM_TYPE_LIFESPAN);
  request.set_entity("caesar");
  ASSERT_OK_AND_ASSIGN(tv1::CountActiveResponse counts,
                       timeline_->CountActive(request));
  std::vector<std::tuple<std::string, std::string, int64_t, int64_t>> got;
  for (const tv1::BucketCount& bucket : counts.buckets()) {
    got.emplace_back(bucket.range().from(), bucket.range().to(),
                     bucket.definite(), bucket.possible());
  }
  // -0044 (45 BC) is a leap year; the lifespan's last day is 15 March.
  EXPECT_THAT(got,
              ElementsAre(std::make_tuple("-0044-02-01", "-0044-02-29", 1, 0),
                          std::make_tuple("-0044-03-01", "-0044-03-31", 1, 0),
                          std::make_tuple("-0044-04-01", "-0044-04-30", 0, 0)));
}

TEST_F(ValidTimeEndToEndTest, DurationsBeforeChristCountTheLastDay) {
  tv1::ListHistoryRequest request;
  request.set_entity("caesar");
  request.set_predicate("dictator");
  ASSERT_OK_AND_ASSIGN(tv1::ListHistoryResponse history,
                       timeline_->ListHistory(request));
  ASSERT_EQ(history.entries_size(), 1);
  // -0049/-0044-03-15. From -0049-01-01 to -0044-01-01 are five years, one
  // of them leap (-0048): 1826 days; then 31 + 29 + 14 to the Ides: 1900.
  // With both ends included, at most 1901 days; starting on -0049-12-31
  // (day 364 of a common year), at least 1900 - 364 + 1 = 1537.
  EXPECT_EQ(history.entries(0).duration().min_days(), 1537);
  EXPECT_EQ(history.entries(0).duration().max_days(), 1901);
}

// --- Unknown start, still open
// ----------------------------------------------------

TEST_F(
    ValidTimeEndToEndTest,
    UnknownStartStillOpenIsPossibleEveryDayAndDefiniteOnlyAtTheCalendarsEnd) {
  // "/..": in service since some unknown day, still in service. The start
  // may be any day up to the calendar's last, so no day that can be asked
  // about is certain, however late, and every day, however early, is
  // possible.
  for (const char* day : {"-0044-03-15", "1950-06-01", "9999-12-31"}) {
    EXPECT_EQ(LifespanOn("old-hangar", day), "possible") << day;
  }
  EXPECT_THAT(Window("Y-2500000", "Y-2500000", "terminal", "old-hangar"),
              ElementsAre(Pair("old-hangar", "possible")));
  EXPECT_THAT(Window("1900", "9999", "terminal", "old-hangar"),
              ElementsAre(Pair("old-hangar", "possible")));
  // Only a window that reaches the calendar's last year catches every
  // reading.
  EXPECT_THAT(Window("Y2500000", "Y2500000", "terminal", "old-hangar"),
              ElementsAre(Pair("old-hangar", "definite")));
  ASSERT_OK_AND_ASSIGN(cv1::Entity hangar, catalog_->GetEntity("old-hangar"));
  ExpectBounds(hangar.lifespan(), {"/..", "", "", "", ""}, "old-hangar");

  // With a known start, definite from the start's last possible day.
  EXPECT_EQ(LifespanOn("new-terminal", "1972-04-30"), "no");
  EXPECT_EQ(LifespanOn("new-terminal", "1972-05-15"), "possible");
  EXPECT_EQ(LifespanOn("new-terminal", "1972-05-31"), "definite");
  EXPECT_EQ(LifespanOn("new-terminal", "9999-12-31"), "definite");
  tv1::RelateRequest request;
  request.mutable_a()->set_lifespan("old-hangar");
  request.mutable_b()->set_lifespan("new-terminal");
  ASSERT_OK_AND_ASSIGN(tv1::RelateResponse relation,
                       timeline_->Relate(request));
  // Both end at the same open infinity; either may have started first.
  EXPECT_THAT(relation.relations(),
              ElementsAre("finishes", "equals", "finished_by"));
  EXPECT_FALSE(relation.definite());

  // Every generated airport building is "/..": possible in 1800, definite
  // in the calendar's last year.
  const size_t buildings = collection_->by_kind["building"].size();
  ASSERT_GT(buildings, 50u);
  std::vector<std::pair<std::string, std::string>> early =
      Window("1800", "1800", "building");
  EXPECT_EQ(early.size(), buildings);
  for (const auto& [id, certainty] : early) EXPECT_EQ(certainty, "possible");
  std::vector<std::pair<std::string, std::string>> last =
      Window("Y2500000", "Y2500000", "building");
  EXPECT_EQ(last.size(), buildings);
  for (const auto& [id, certainty] : last) EXPECT_EQ(certainty, "definite");
}

TEST_F(ValidTimeEndToEndTest, BoundDatesArePossibleDefinitePossibleThenNo) {
  // Started between 1100 and 1200, ended between 1450 and 1500.
  EXPECT_EQ(LifespanOn("abbey", "1099-12-31"), "no");
  EXPECT_EQ(LifespanOn("abbey", "1150-06-01"), "possible");
  EXPECT_EQ(LifespanOn("abbey", "1200-12-30"), "possible");
  EXPECT_EQ(LifespanOn("abbey", "1200-12-31"), "definite");
  EXPECT_EQ(LifespanOn("abbey", "1300-01-01"), "definite");
  EXPECT_EQ(LifespanOn("abbey", "1450-01-01"), "definite");
  EXPECT_EQ(LifespanOn("abbey", "1450-01-02"), "possible");
  EXPECT_EQ(LifespanOn("abbey", "1475-01-01"), "possible");
  EXPECT_EQ(LifespanOn("abbey", "1500-12-31"), "possible");
  EXPECT_EQ(LifespanOn("abbey", "1501-01-01"), "no");
}

// --- The `annals` binary
// --------------------------------------------------------

class AnnalsCliEndToEndTest : public ValidTimeEndToEndTest {
 protected:
  CommandResult Annals(std::vector<std::string> args) {
    std::vector<std::string> full = {
        "--catalog=" + world_->catalog_address(),
        "--timeline=" + world_->timeline_address(),
        absl::StrCat("--min-sequence=", session_->last_write_sequence())};
    full.insert(full.end(), args.begin(), args.end());
    return RunAnnalsBinary(full);
  }
};

TEST_F(AnnalsCliEndToEndTest,
       ImportKeepGoingReportsEachBadLineAsFileLineAndExitsOne) {
  testing::TempDir dir;
  const std::string file = dir.Sub("relics.jsonl");
  std::ofstream(file)
      // line 1, record 1: good
      << R"({"entity": {"name": "relic-a", "kind": "relic", "label": "Relic A", "lifespan": {"edtf": "-0500/-0323"}}})"
      << "\n"
      // line 2, record 2: reversed
      << R"({"entity": {"name": "relic-b", "kind": "relic", "label": "Relic B", "lifespan": {"edtf": "-0323/-0500"}}})"
      << "\n\n"
      // line 4, record 3: good, by bound dates
      << R"({"entity": {"name": "relic-c", "kind": "relic", "label": "Relic C", "lifespan": {"boundDates": {"earliestStart": "-0480", "latestStart": "-0470", "earliestEnd": "-0420~"}}}})"
      << "\n"
      // line 5, record 4: beyond the range
      << R"({"entity": {"name": "relic-d", "kind": "relic", "label": "Relic D", "lifespan": {"edtf": "Y-170000002"}}})"
      << "\n"
      // line 6, record 5: a missing object
      << R"({"statement": {"subject": "relic-a", "predicate": "found_at", "object": {"entity": "nowhere-site"}, "validTime": {"edtf": "-0400"}}})"
      << "\n"
      // line 7, record 6: about a refused entity
      << R"({"statement": {"subject": "relic-b", "predicate": "found_at", "object": {"text": "Pella"}, "validTime": {"edtf": "-0400"}}})"
      << "\n"
      // line 8, record 7: level 2
      << R"({"statement": {"subject": "relic-a", "predicate": "found_at", "object": {"text": "Vergina"}, "validTime": {"edtf": "2020-~05"}}})"
      << "\n"
      // line 9, record 8: good
      << R"({"entity": {"name": "relic-e", "kind": "relic", "label": "Relic E", "lifespan": {"edtf": "/.."}}})"
      << "\n";
  CommandResult result = Annals({"import", "--keep-going", file});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("3 entities created"));
  EXPECT_THAT(result.out, HasSubstr("0 statements created"));
  EXPECT_THAT(result.out, HasSubstr("5 records refused"));
  std::vector<std::string> lines =
      absl::StrSplit(result.err, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 5u) << result.err;
  EXPECT_EQ(lines[0], file +
                          ":2: record 2: entity.lifespan.edtf: "
                          "\"-0323/-0500\": the interval ends before it "
                          "starts (reversed)");
  EXPECT_THAT(lines[1], HasSubstr(file + ":5: record 4: entity.lifespan.edtf: "
                                         "\"Y-170000002\""));
  EXPECT_THAT(lines[1], HasSubstr("(-2500000 to 2500000)"));
  EXPECT_THAT(lines[2],
              HasSubstr(file + ":6: record 5: statement.object.entity"));
  EXPECT_EQ(lines[3], file +
                          ":7: record 6: statement.subject: refers to "
                          "entities/relic-b, whose record was refused (" +
                          file + ":2, record 2)");
  EXPECT_THAT(lines[4],
              HasSubstr(file + ":8: record 7: statement.valid_time.edtf: "
                               "\"2020-~05\""));
  EXPECT_THAT(lines[4], HasSubstr("level 2"));

  // What was applied reads back with its bounds.
  ASSERT_OK_AND_ASSIGN(cv1::Entity relic, catalog_->GetEntity("relic-c"));
  ExpectBounds(relic.lifespan(),
               {"", "-0480-01-01", "-0470-12-31", "-0421-01-01", ""},
               "relic-c");
}

TEST_F(AnnalsCliEndToEndTest, WindowOverBceYearsPrintsEachSiteWithCertainty) {
  CommandResult result = Annals({"window", "--from=-0500", "--to=-0401",
                                 "--type=lifespan", "--kind=site"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::vector<std::string> lines =
      absl::StrSplit(result.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1u + 6u) << result.out;  // a header and six sites
  const std::vector<std::tuple<std::string, std::string, std::string>> rows = {
      {"DEFINITE", "pre-phase", "601 BC/501 BC"},
      {"DEFINITE", "macedon", "501 BC/324 BC"},
      {"DEFINITE", "bound-shrine", "start 481 BC..471 BC, end 421 BC~..?"},
      {"POSSIBLE", "uncertain-hoard", "451 BC?"},
      {"POSSIBLE", "approx-kiln", "401 BC~"},
      {"DEFINITE", "edge-fort", "31 December 402 BC/351 BC"}};
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& [certainty, label, when] = rows[i];
    EXPECT_TRUE(absl::StartsWith(lines[i + 1], certainty)) << lines[i + 1];
    EXPECT_THAT(lines[i + 1], HasSubstr(label));
    EXPECT_THAT(lines[i + 1], HasSubstr(when));
  }
  EXPECT_THAT(result.out, Not(HasSubstr("late-villa")));
  EXPECT_THAT(result.out, Not(HasSubstr("early-tomb")));
  EXPECT_THAT(LineWith(result.out, "macedon"), HasSubstr("src-gazetteer"));
}

TEST_F(AnnalsCliEndToEndTest, SnapshotOnTheIdesOfMarchShowsTheLastDayHolding) {
  CommandResult result = Annals({"snapshot", "caesar", "--at=-0044-03-15"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // Astronomical -0044 is 45 BC; the tool writes years before Christ as
  // BC.
  EXPECT_THAT(result.out, HasSubstr("Julius Caesar on 15 March 45 BC"));
  EXPECT_THAT(result.out,
              HasSubstr("existed that day (DEFINITE: lifespan 12 July 101 "
                        "BC/15 March 45 BC; sources: src-annals (Book I))"));
  std::string dictator = LineWith(result.out, "dictator");
  EXPECT_THAT(dictator, HasSubstr("DEFINITE"));
  EXPECT_THAT(dictator, HasSubstr("50 BC/15 March 45 BC"));
  EXPECT_THAT(LineWith(result.out, "assassinated_in"),
              HasSubstr("Theatre of Pompey"));
  EXPECT_THAT(LineWith(result.out, "in_rome"), HasSubstr("POSSIBLE"));
  EXPECT_THAT(result.out, Not(HasSubstr("consul")));
  EXPECT_THAT(result.out, Not(HasSubstr("funeral")));
}

TEST_F(AnnalsCliEndToEndTest, CountByYearPrintsOneBcBetweenTwoBcAndOneAd) {
  CommandResult result = Annals(
      {"count", "--bucket=year", "--from=-0001", "--to=0001", "--kind=coin"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::vector<std::vector<std::string>> rows;
  for (absl::string_view line :
       absl::StrSplit(result.out, '\n', absl::SkipEmpty())) {
    // Columns are separated by two spaces or more; a BC date has single
    // spaces ("1 January 2 BC").
    std::vector<std::string> row;
    for (absl::string_view cell :
         absl::StrSplit(line, "  ", absl::SkipEmpty())) {
      cell = absl::StripAsciiWhitespace(cell);
      if (!cell.empty()) row.emplace_back(cell);
    }
    rows.push_back(row);
  }
  using Row = std::vector<std::string>;
  EXPECT_THAT(rows,
              ElementsAre(Row{"FROM", "TO", "DEFINITE", "POSSIBLE"},
                          Row{"1 January 2 BC", "31 December 2 BC", "2", "0"},
                          Row{"1 January 1 BC", "31 December 1 BC", "3", "1"},
                          Row{"0001-01-01", "0001-12-31", "0", "1"}));
}

}  // namespace
}  // namespace annals
