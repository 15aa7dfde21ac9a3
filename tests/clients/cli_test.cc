// The `annals` tool, run in process against a real catalog and timeline.
#include "clients/cli/cli.h"

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "annals/timeline/v1/timeline_service.pb.h"
#include "clients/cli/commands.h"
#include "clients/cli/render.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/testing/annals_world.h"
#include "tests/testing/temp_dir.h"

namespace annals::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

struct Result {
  int status;
  std::string out;
  std::string err;
};

int Count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

class CliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    world_ = new testing::AnnalsWorld();
    ASSERT_TRUE(world_->ok());
  }
  static void TearDownTestSuite() { delete world_; }

  Result Annals(std::vector<std::string> argv, bool interactive = false) {
    std::vector<std::string> full = {
        "--catalog=" + world_->catalog_address(),
        "--timeline=" + world_->timeline_address(),
        absl::StrCat("--min-sequence=", min_sequence_)};
    full.insert(full.end(), argv.begin(), argv.end());
    std::ostringstream out, err;
    Environment environment;
    environment.interactive = interactive;
    int status = cli::Run(full, out, err, environment);
    return {status, out.str(), err.str()};
  }

  void ImportOnce() {
    static bool imported = false;
    if (imported) return;
    Result result = Annals({"import", ANNALS_DATA_DIR});
    ASSERT_EQ(result.status, 0) << result.err;
    imported = true;
    ReadsFollow(result);
  }

  // Later commands wait for the sequence a write printed, as a user would
  // pass it with --min-sequence.
  static void ReadsFollow(const Result& write) {
    size_t at = write.out.rfind("catalog sequence ");
    ASSERT_NE(at, std::string::npos) << write.out;
    min_sequence_ = std::stoll(write.out.substr(at + 17));
  }

  static testing::AnnalsWorld* world_;
  static int64_t min_sequence_;
};

testing::AnnalsWorld* CliTest::world_ = nullptr;
int64_t CliTest::min_sequence_ = 0;

TEST_F(CliTest, ImportLoadsTheDataSetOnceAndThenChangesNothing) {
  Result first = Annals({"import", ANNALS_DATA_DIR});
  ASSERT_EQ(first.status, 0) << first.err;
  ReadsFollow(first);
  EXPECT_THAT(first.out, HasSubstr("136 entities created"));
  EXPECT_THAT(first.out, HasSubstr("434 statements created"));
  EXPECT_THAT(first.out, HasSubstr("0 files rejected"));
  // Not a terminal: no progress bar in the output.
  EXPECT_THAT(first.out, Not(HasSubstr("█")));

  Result again = Annals({"import", ANNALS_DATA_DIR}, /*interactive=*/true);
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("0 entities created"));
  EXPECT_THAT(again.out, HasSubstr("570 unchanged"));
  // On a terminal the bar is drawn, with the records done.
  EXPECT_THAT(again.out, HasSubstr("█"));
  EXPECT_THAT(again.out, HasSubstr("570/570 records"));
}

TEST_F(CliTest, ImportOfABrokenFileRejectsItWithTheReason) {
  testing::TempDir dir;
  std::ofstream(dir.Sub("bad.textproto"))
      << "records { entity { name: 'entities/x' kind: 'event' label: 'X' "
         "lifespan { edtf: '2018-02-30' } } }";
  Result result = Annals({"import", dir.Sub("bad.textproto")});
  EXPECT_EQ(result.status, 1);
  EXPECT_THAT(result.err, HasSubstr("rejected"));
  EXPECT_THAT(result.err, HasSubstr("records[0].entity.lifespan.edtf"));
  std::ofstream(dir.Sub("garbled.textproto")) << "records { nonsense";
  result = Annals({"import", dir.Sub("garbled.textproto")});
  EXPECT_EQ(result.status, 1);
  EXPECT_THAT(result.err, HasSubstr("line 1"));
}

// 2,500 records in three batches; record 1,500 (in the second) has no
// kind. The first batch is committed, the second rejected, the third never
// sent: the file is reported as committed in part, with exact counts.
TEST_F(CliTest, ImportReportsAFileCommittedInPartWithExactCounts) {
  testing::TempDir dir;
  const std::string path = dir.Sub("parts.jsonl");
  {
    std::ofstream file(path);
    for (int i = 1; i <= 2500; ++i) {
      file << R"({"entity": {"name": "part-)" << i << R"(", )"
           << (i == 1500 ? "" : R"("kind": "artifact", )")
           << R"("label": "Part )" << i << R"("}})"
           << "\n";
    }
  }
  Result text = Annals({"import", path});
  EXPECT_EQ(text.status, 1);
  EXPECT_THAT(text.out, HasSubstr("imported 0 of 1 files, 1000 records: 1000 "
                                  "entities created, 0 updated"));
  EXPECT_THAT(text.out,
              HasSubstr("0 files rejected, 1 committed in part, 0 with "
                        "unknown outcome"));
  EXPECT_THAT(text.err,
              HasSubstr(path +
                        " committed in part: its first 1000 records "
                        "are committed; from " +
                        path +
                        ":1001, record 1001 on it was rejected: "
                        "INVALID_ARGUMENT: batch 1 (1 earlier batches "
                        "committed)"));
  EXPECT_THAT(text.err, HasSubstr("entity.kind: is required"));
  EXPECT_THAT(text.err, Not(HasSubstr("outcome unknown")));

  // Again, as JSON. A new run has new request ids, so the committed batch
  // is found unchanged; every count is present, zeros included.
  Result json = Annals({"--json", "import", path});
  EXPECT_EQ(json.status, 1);
  google::protobuf::Struct object;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(json.out, &object).ok())
      << json.out;
  const auto& fields = object.fields();
  EXPECT_EQ(fields.at("filesImported").number_value(), 0);
  EXPECT_EQ(fields.at("filesCommittedInPart").number_value(), 1);
  EXPECT_EQ(fields.at("filesWithUnknownOutcome").number_value(), 0);
  EXPECT_EQ(fields.at("recordsImported").number_value(), 1000);
  // The catalog's counts as protobuf's JSON mapping writes int64s.
  EXPECT_EQ(fields.at("entitiesCreated").string_value(), "0");
  EXPECT_EQ(fields.at("unchanged").string_value(), "1000");
  const auto& file = fields.at("files").list_value().values(0).struct_value();
  EXPECT_EQ(file.fields().at("outcome").string_value(), "COMMITTED_IN_PART");
  EXPECT_EQ(file.fields().at("batches").number_value(), 3);
  EXPECT_EQ(file.fields().at("batchesCommitted").number_value(), 1);
  EXPECT_EQ(file.fields().at("code").string_value(), "INVALID_ARGUMENT");
}

// 2,000 records over two lines each, after a comment line: record i opens
// on line 2 + 2i. Every fourth record has a lifespan that does not exist.
TEST_F(CliTest,
       KeepGoingReportsEveryRefusedRecordWithItsLineAndAppliesTheRest) {
  testing::TempDir dir;
  {
    std::ofstream file(dir.Sub("many.textproto"));
    file << "# 2,000 artifacts, 500 with an impossible lifespan\n";
    for (int i = 0; i < 2000; ++i) {
      file << "records {\n  entity { name: 'kg-" << i
           << "' kind: 'artifact' label: 'KG " << i << "' lifespan { edtf: '"
           << (i % 4 == 3 ? "2018-02-30" : "2018-02-28") << "' } } }\n";
    }
  }
  const int64_t head = world_->catalog().catalog().head_sequence();
  Result result = Annals({"import", "--keep-going", dir.Sub("many.textproto")});
  EXPECT_EQ(result.status, 1);
  EXPECT_THAT(result.out, HasSubstr("1500 entities created"));
  EXPECT_THAT(result.out, HasSubstr("500 records refused"));
  std::vector<std::string> lines =
      absl::StrSplit(result.err, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 500u) << result.err.substr(0, 2000);
  for (int k = 0; k < 500; ++k) {
    const int index = 4 * k + 3;
    EXPECT_EQ(lines[k], absl::StrCat(dir.Sub("many.textproto"), ":",
                                     2 + 2 * index, ": record ", index + 1,
                                     ": entity.lifespan.edtf: \"2018-02-30\": "
                                     "day 30 does not exist in February 2018"))
        << lines[k];
    if (::testing::Test::HasFailure()) break;
  }
  // The 1,500 good records and nothing else.
  EXPECT_EQ(world_->catalog().catalog().head_sequence(), head + 1500);
  ReadsFollow(result);
  EXPECT_EQ(Annals({"get", "kg-2"}).status, 0);
  EXPECT_EQ(Annals({"get", "kg-3"}).status, 1);
}

TEST_F(CliTest, KeepGoingReadsJsonLinesAndListsRefusedRecordsInJson) {
  testing::TempDir dir;
  std::ofstream(dir.Sub("people.jsonl"))
      << R"({"entity": {"name": "jl-a", "kind": "artifact", "label": "JL A"}})"
      << "\n\n"
      << R"({"entity": {"name": "jl-b", "kind": "Artifact", "label": "JL B"}})"
      << "\n"
      << R"({"statement": {"subject": "jl-b", "predicate": "knows", )"
      << R"("object": {"entity": "jl-a"}, "validTime": {"edtf": "2020"}}})"
      << "\n"
      << "this is not JSON\n"
      << R"({"statement": {"subject": "jl-a", "predicate": "knows", )"
      << R"("object": {"text": "x"}, "validTime": {"edtf": "2020"}}})"
      << "\n";
  Result text =
      Annals({"import", "--keep-going", "--dry-run", dir.Sub("people.jsonl")});
  EXPECT_EQ(text.status, 1);
  const std::string file = dir.Sub("people.jsonl");
  EXPECT_THAT(text.err, HasSubstr(file + ":3: record 2: entity.kind:"));
  EXPECT_THAT(text.err, HasSubstr(file +
                                  ":4: record 3: statement.subject: refers to "
                                  "entities/jl-b, whose record was refused (" +
                                  file + ":3, record 2)"));
  EXPECT_THAT(text.err,
              HasSubstr(file + ":5: record 4: not an ImportRecord in JSON"));
  EXPECT_THAT(text.out, HasSubstr("checked 1 files, 5 records"));
  EXPECT_THAT(text.out, HasSubstr("3 records refused"));
  EXPECT_THAT(text.out, HasSubstr("nothing committed"));
  EXPECT_THAT(text.out, Not(HasSubstr("catalog sequence")));

  Result json = Annals({"--json", "import", "--keep-going", file});
  EXPECT_EQ(json.status, 1);
  ReadsFollow({0, "catalog sequence 0", ""});
  EXPECT_THAT(json.out, HasSubstr("\"refused\":\"3\""));
  EXPECT_THAT(json.out, HasSubstr("\"line\":3"));
  EXPECT_THAT(json.out, HasSubstr("\"record\":2"));
  EXPECT_THAT(json.out, HasSubstr("\"field\":\"records[1].entity.kind\""));
  EXPECT_THAT(json.out, HasSubstr("\"reason\":\"REFERS_TO_REFUSED\""));
  EXPECT_EQ(Count(json.out, "\n"), 1);
}

TEST_F(CliTest, DryRunChecksReferencesAcrossFilesAndWritesNothing) {
  testing::TempDir dir;
  std::ofstream(dir.Sub("1-sources.textproto"))
      << "records { entity { name: 'dry-doc' kind: 'source' label: 'Dry "
         "doc' } }\n"
      << "records { entity { name: 'dry-event' kind: 'event' label: 'Dry "
         "event' } }\n";
  std::ofstream(dir.Sub("2-statements.textproto"))
      << "records { statement { subject: 'dry-event' predicate: 'motto' "
         "object { text: 'dry' } valid_time { edtf: '2020' } "
         "sources { source: 'dry-doc' } } }\n";
  const int64_t head = world_->catalog().catalog().head_sequence();
  Result result = Annals({"import", "--dry-run", dir.path()});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("checked 2 files, 3 records: 2 entities "
                                    "to create"));
  EXPECT_THAT(result.out, HasSubstr("1 statements to create"));
  EXPECT_THAT(result.out, HasSubstr("nothing committed"));
  EXPECT_THAT(result.out, Not(HasSubstr("imported")));
  EXPECT_THAT(result.out, Not(HasSubstr("catalog sequence")));
  EXPECT_EQ(world_->catalog().catalog().head_sequence(), head);
  EXPECT_EQ(Annals({"get", "dry-event"}).status, 1);

  // The second file alone refers to entities that do not exist.
  Result alone =
      Annals({"import", "--dry-run", dir.Sub("2-statements.textproto")});
  EXPECT_EQ(alone.status, 1);
  EXPECT_THAT(alone.err,
              HasSubstr("rejected " + dir.Sub("2-statements.textproto") +
                        ": NOT_FOUND"));
  EXPECT_THAT(alone.err, HasSubstr("none committed"));
}

// The line of `text` that contains `needle`, or "" if none does.
std::string LineWith(const std::string& text, const std::string& needle) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StrContains(line, needle)) return std::string(line);
  }
  return "";
}

TEST_F(CliTest, HistoryPrintsTheSevenCommandersInOrder) {
  ImportOnce();
  Result result = Annals({"history", "nmi", "--predicate=commander"});
  ASSERT_EQ(result.status, 0) << result.err;
  const std::vector<std::string> names = {"Dany Fortin",
                                          "Jennie Carignan",
                                          "Per Olsen",
                                          "Michael Lollesgaard",
                                          "Giovanni Maria Iannucci",
                                          "José Antonio Agüero Martinez",
                                          "Lucas Schreurs"};
  size_t last = 0;
  for (const std::string& name : names) {
    size_t at = result.out.find(name);
    ASSERT_NE(at, std::string::npos) << name << "\n" << result.out;
    EXPECT_GT(at, last) << name << " out of order";
    last = at;
  }
  // 24 November 2020 through 6 May 2021, both days included.
  std::string olsen = LineWith(result.out, "Per Olsen");
  EXPECT_THAT(olsen, HasSubstr("2020-11-24/2021-05-06"));
  EXPECT_THAT(olsen, HasSubstr(" 164 days"));
  // From some day of November 2018 through 26 November 2019: at least from
  // the 30th (362 days), at most from the 1st (391).
  EXPECT_THAT(LineWith(result.out, "Dany Fortin"),
              HasSubstr("about 1 year (362–391 days)"));
}

TEST_F(CliTest, GapsGiveTheirLastDay) {
  ImportOnce();
  // The README's command: July through December 2018, both ends included.
  Result result = Annals({"gaps", "nmi", "--predicate=commander",
                          "--from=2018-07-01", "--to=2018-12-31"});
  ASSERT_EQ(result.status, 0) << result.err;
  std::vector<std::string> lines =
      absl::StrSplit(result.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u) << result.out;
  EXPECT_THAT(lines[0], HasSubstr("TO (last day)"));
  // No commander before November; Fortin took over on some day of November
  // 2018, the 30th at the latest, so the 29th is the last possible gap day.
  EXPECT_THAT(lines[1], MatchesRegex("DEFINITE +2018-07-01 +2018-10-31 *"));
  EXPECT_THAT(lines[2], MatchesRegex("POSSIBLE +2018-11-01 +2018-11-29 *"));
}

TEST_F(CliTest, SnapshotNamesLollesgaardOnFirstJune2021) {
  ImportOnce();
  Result result =
      Annals({"snapshot", "nmi", "--at=2021-06-01", "--predicate=commander"});
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("DEFINITE"));
  EXPECT_THAT(result.out, HasSubstr("Michael Lollesgaard"));
  EXPECT_THAT(result.out, Not(HasSubstr("Per Olsen")));
}

TEST_F(CliTest, WindowShowsTheSourcesOfEachEventsDate) {
  ImportOnce();
  Result result =
      Annals({"window", "--from=2017", "--to=2017", "--type=event"});
  ASSERT_EQ(result.status, 0) << result.err;
  std::string core_team =
      LineWith(result.out, "NATO Core Team deployed to Baghdad");
  ASSERT_FALSE(core_team.empty()) << result.out;
  // The window ends on 31 December 2017: the request of 2018 (some day of
  // 2018, possibly the 1st of January) is not in it.
  EXPECT_THAT(result.out, Not(HasSubstr("Iraqi request for NATO assistance")));
  EXPECT_THAT(core_team, HasSubstr("nato-nmi-topic-page-2024, "
                                   "nato-iraq-operations-timeline"));
  // Every event of the year has its sources column filled.
  std::vector<std::string> lines =
      absl::StrSplit(result.out, '\n', absl::SkipEmpty());
  ASSERT_GT(lines.size(), 1u);
  for (size_t i = 1; i < lines.size(); ++i) {
    EXPECT_TRUE(absl::StrContains(lines[i], "nato-") ||
                absl::StrContains(lines[i], "innov8-") ||
                absl::StrContains(lines[i], "nmi-overview-"))
        << lines[i];
  }

  Result json = Annals(
      {"--json", "window", "--from=2017-01", "--to=2017-01", "--type=event"});
  ASSERT_EQ(json.status, 0) << json.err;
  timeline::v1::WindowItem item;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  LineWith(json.out, "core-team-deployment-2017"), &item)
                  .ok())
      << json.out;
  ASSERT_EQ(item.entity().lifespan_sources_size(), 2);
  EXPECT_EQ(item.entity().lifespan_sources(0).locator(),
            "Evolution of cooperation");
}

TEST_F(CliTest, GetAndSnapshotShowALifespanWithItsSourcesAndLocators) {
  ImportOnce();
  Result get = Annals({"get", "core-team-deployment-2017"});
  ASSERT_EQ(get.status, 0) << get.err;
  EXPECT_THAT(LineWith(get.out, "lifespan sources"),
              HasSubstr("nato-nmi-topic-page-2024 (Evolution of cooperation); "
                        "nato-iraq-operations-timeline (Global Coalition)"));

  Result snapshot = Annals({"snapshot", "ntm-i", "--at=2010-06-01"});
  ASSERT_EQ(snapshot.status, 0) << snapshot.err;
  EXPECT_THAT(snapshot.out,
              HasSubstr("existed that day (DEFINITE: lifespan "
                        "2004/2011-12-31; sources: nato-iraq-operations-"
                        "timeline (NTM-I); nato-nmi-topic-page-2024 "
                        "(Evolution of cooperation))"));
  Result before = Annals({"snapshot", "ntm-i", "--at=2003-06-01"});
  ASSERT_EQ(before.status, 0) << before.err;
  EXPECT_THAT(before.out, HasSubstr("did not exist that day (lifespan "
                                    "2004/2011-12-31"));
}

TEST_F(CliTest, TimelineCommandsTakeLabelsAndAliasesAsTheCatalogDoes) {
  ImportOnce();
  // "NMI" is an alias, "NATO Mission Iraq" the label: both name nmi.
  Result by_alias =
      Annals({"snapshot", "NMI", "--at=2021-06-01", "--predicate=commander"});
  ASSERT_EQ(by_alias.status, 0) << by_alias.err;
  EXPECT_THAT(by_alias.out, HasSubstr("Michael Lollesgaard"));
  Result history =
      Annals({"history", "NATO Mission Iraq", "--predicate=commander"});
  ASSERT_EQ(history.status, 0) << history.err;
  EXPECT_THAT(history.out, HasSubstr("Per Olsen"));
  Result relate = Annals({"relate", "NTM-I", "NMI"});
  ASSERT_EQ(relate.status, 0) << relate.err;
  EXPECT_THAT(relate.out, HasSubstr("is before NATO Mission Iraq ("));
  // A name that is nobody's is the catalog's NOT_FOUND, naming it.
  Result nobody = Annals({"snapshot", "No Such Mission", "--at=2021"});
  EXPECT_EQ(nobody.status, 1);
  EXPECT_THAT(nobody.err, HasSubstr("NOT_FOUND"));
  EXPECT_THAT(nobody.err, HasSubstr("No Such Mission"));
}

TEST_F(CliTest, AtListsWhatExistedAndHeldOnOneDay) {
  ImportOnce();
  Result at = Annals({"at", "2021-06-01"});
  ASSERT_EQ(at.status, 0) << at.err;
  EXPECT_THAT(at.out, HasSubstr("NATO Mission Iraq"));                // existed
  EXPECT_THAT(at.out, HasSubstr("Michael Lollesgaard"));              // held
  EXPECT_THAT(at.out, Not(HasSubstr("NATO Training Mission-Iraq")));  // ended
  Result kinds = Annals({"at", "2010", "--type=lifespan", "--kind=mission"});
  ASSERT_EQ(kinds.status, 0) << kinds.err;
  EXPECT_THAT(kinds.out, HasSubstr("lifespan"));
  EXPECT_THAT(kinds.out, Not(HasSubstr("statement ")));
  EXPECT_EQ(Annals({"at"}).status, 2);
}

TEST_F(CliTest, JsonOutputIsOneParseableObjectPerLine) {
  ImportOnce();
  Result result = Annals({"--json", "history", "nmi", "--predicate=commander"});
  ASSERT_EQ(result.status, 0) << result.err;
  std::vector<std::string> lines =
      absl::StrSplit(result.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 7u);
  for (const std::string& line : lines) {
    timeline::v1::HistoryEntry entry;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line, &entry).ok())
        << line;
    EXPECT_EQ(entry.statement().predicate(), "commander");
  }
}

TEST_F(CliTest, RenderDrawsMissionsAndCommandersAsSvgAndHtml) {
  ImportOnce();
  testing::TempDir dir;
  Result result = Annals(
      {"render", "-o", dir.Sub("nmi.svg"), "--html", dir.Sub("nmi.html")});
  // "-o" is spelled as a flag with a separate value.
  if (result.status == 2) {
    result = Annals(
        {"render", "-o", dir.Sub("nmi.svg"), "--html=" + dir.Sub("nmi.html")});
  }
  ASSERT_EQ(result.status, 0) << result.err;
  std::ifstream svg_file(dir.Sub("nmi.svg"));
  std::stringstream svg;
  svg << svg_file.rdbuf();
  std::string text = svg.str();
  EXPECT_TRUE(absl::StartsWith(text, "<svg")) << text.substr(0, 80);
  EXPECT_TRUE(absl::EndsWith(text, "</svg>\n"));
  // Six missions with a lifespan plus one lane of seven commanders.
  EXPECT_EQ(Count(text, "class=\"lane-title\""), 7);
  EXPECT_EQ(Count(text, "<g class=\"item\""), 6 + 7);
  EXPECT_THAT(text, HasSubstr("NATO Mission Iraq: commander"));
  // Grouped under their kind and the predicate.
  EXPECT_THAT(text, HasSubstr("class=\"group-title\""));
  EXPECT_THAT(text, HasSubstr(">mission</text>"));
  EXPECT_THAT(text, HasSubstr(">commander</text>"));
  // Fortin began in "Nov 2018": his bar fades in; Schreurs's runs on.
  EXPECT_THAT(text, HasSubstr("<title>Dany Fortin\n2018-11/2019-11-26\nstart "
                              "imprecise, 2018-11-01 to 2018-11-30; end "
                              "exact, 2019-11-26"));
  EXPECT_THAT(text, HasSubstr("class=\"open-end glyph\""));
  EXPECT_THAT(text, HasSubstr("class=\"tick-label\""));
  EXPECT_THAT(text, HasSubstr(">2010</text>"));
  EXPECT_THAT(text, HasSubstr(">2020</text>"));
  EXPECT_THAT(result.out, HasSubstr("(7 lanes, 13 items)"));
  std::ifstream html_file(dir.Sub("nmi.html"));
  std::stringstream html;
  html << html_file.rdbuf();
  EXPECT_THAT(html.str(), HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(html.str(), HasSubstr("<svg"));
  EXPECT_THAT(html.str(), HasSubstr("window.annalsTimeline"));
  // One file: nothing fetched from anywhere.
  EXPECT_THAT(html.str(), Not(HasSubstr("<script src")));
  EXPECT_THAT(html.str(), Not(HasSubstr("<link")));
  EXPECT_THAT(html.str(), Not(HasSubstr("https:")));
}

TEST_F(CliTest, RenderWindowDropsLanesWithNothingInIt) {
  ImportOnce();
  testing::TempDir dir;
  Result all = Annals({"render", "-o", dir.Sub("all.svg")});
  ASSERT_EQ(all.status, 0) << all.err;
  EXPECT_THAT(all.out, HasSubstr("(7 lanes, 13 items)"));
  // NTM-I (2004-2011) and the missions before it are out of 2019-2021.
  Result window = Annals(
      {"render", "-o", dir.Sub("window.svg"), "--from=2019-06", "--to=2021"});
  ASSERT_EQ(window.status, 0) << window.err;
  EXPECT_THAT(window.out, Not(HasSubstr("(7 lanes")));
  std::ifstream file(dir.Sub("window.svg"));
  std::stringstream svg;
  svg << file.rdbuf();
  EXPECT_THAT(svg.str(), Not(HasSubstr("NATO Training Mission")));
  EXPECT_THAT(svg.str(), HasSubstr("Jennie Carignan"));
  EXPECT_THAT(svg.str(), Not(HasSubstr("Lucas Schreurs")));
  // --from-year/--to-year are the same window in years.
  Result years = Annals({"render", "-o", dir.Sub("years.svg"),
                         "--from-year=2015", "--to-year=2025"});
  Result dates = Annals(
      {"render", "-o", dir.Sub("dates.svg"), "--from=2015", "--to=2025"});
  ASSERT_EQ(years.status, 0) << years.err;
  EXPECT_EQ(years.out.substr(years.out.find('(')),
            dates.out.substr(dates.out.find('(')));
  EXPECT_EQ(Annals({"render", "-o", dir.Sub("x.svg"), "--width=100"}).status,
            2);
  // A window is exact: no qualifiers; and it runs forwards.
  EXPECT_EQ(Annals({"render", "-o", dir.Sub("x.svg"), "--from=2018?"}).status,
            2);
  Result reversed =
      Annals({"render", "-o", dir.Sub("x.svg"), "--from=2020", "--to=2019"});
  EXPECT_EQ(reversed.status, 2);
  EXPECT_THAT(reversed.err, HasSubstr("ends before it starts"));
}

TEST_F(CliTest, WritesThenReadsItsOwnWriteThroughTheTimeline) {
  ImportOnce();
  Result created =
      Annals({"create", "statement", "--subject=nmi", "--predicate=motto",
              "--text=testing", "--valid=2030-01-01/..",
              "--source=nato-nmi-factsheet-2021"});
  ASSERT_EQ(created.status, 0) << created.err;
  EXPECT_THAT(created.out, HasSubstr("created statements/"));
  // The sequence the write printed, passed on, makes the read wait for it.
  size_t at = created.out.rfind("at sequence ");
  ASSERT_NE(at, std::string::npos);
  min_sequence_ = std::stoll(created.out.substr(at + 12));
  Result snapshot =
      Annals({"snapshot", "nmi", "--at=2031-01-01", "--predicate=motto"});
  ASSERT_EQ(snapshot.status, 0) << snapshot.err;
  EXPECT_THAT(snapshot.out, HasSubstr("testing"));
  EXPECT_THAT(snapshot.out, HasSubstr("DEFINITE"));
}

TEST_F(CliTest, UpdateChangesOnlyTheFieldsGivenAndHonoursEtagAndDryRun) {
  Result created =
      Annals({"create", "entity", "upd-1", "--kind=artifact", "--label=First",
              "--alias=One", "--alias=Uno", "--description=Kept"});
  ASSERT_EQ(created.status, 0) << created.err;
  EXPECT_THAT(created.out, HasSubstr("created entities/upd-1 at sequence "));

  // A dry run checks and writes nothing.
  Result dry = Annals({"update", "upd-1", "--label=Second", "--dry-run"});
  ASSERT_EQ(dry.status, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("would be updated: entities/upd-1 (label) "
                                 "(dry run: nothing written)"));
  EXPECT_THAT(Annals({"get", "upd-1"}).out, HasSubstr("First"));

  // Only the label changes: aliases and description stay.
  Result updated = Annals({"--json", "update", "upd-1", "--label=Second"});
  ASSERT_EQ(updated.status, 0) << updated.err;
  google::protobuf::Struct entity;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(updated.out, &entity).ok());
  EXPECT_EQ(entity.fields().at("label").string_value(), "Second");
  EXPECT_EQ(entity.fields().at("description").string_value(), "Kept");
  EXPECT_EQ(entity.fields().at("aliases").list_value().values_size(), 2);
  const std::string etag = entity.fields().at("etag").string_value();

  // A stale etag is refused by the catalog, which names the conflict.
  Result stale =
      Annals({"update", "upd-1", "--label=Third", "--etag=" + etag + "0"});
  EXPECT_EQ(stale.status, 1);
  EXPECT_THAT(stale.err, HasSubstr("annals: update upd-1: ABORTED"));
  // The current one passes; --clear empties a field.
  Result cleared = Annals({"update", "upd-1", "--clear=aliases",
                           "--etag=" + etag, "--label=Third"});
  ASSERT_EQ(cleared.status, 0) << cleared.err;
  EXPECT_THAT(cleared.out, HasSubstr("(label, aliases)"));
  Result got = Annals({"--json", "get", "upd-1"});
  EXPECT_THAT(got.out, HasSubstr("\"aliases\":[]"));
  EXPECT_THAT(got.out, HasSubstr("\"label\":\"Third\""));

  // Usage errors: nothing to change, a field both set and cleared.
  EXPECT_EQ(Annals({"update", "upd-1"}).status, 2);
  EXPECT_EQ(Annals({"update", "upd-1", "--label=X", "--clear=label"}).status,
            2);
  // The catalog names the field it refuses.
  Result bad = Annals({"update", "upd-1", "--lifespan=2018-02-30"});
  EXPECT_EQ(bad.status, 1);
  EXPECT_THAT(bad.err, HasSubstr("entity.lifespan.edtf"));
}

TEST_F(CliTest, RequestIdMakesARetriedWriteApplyOnce) {
  ASSERT_EQ(
      Annals({"create", "entity", "rid-1", "--kind=artifact", "--label=Start"})
          .status,
      0);
  Result first = Annals(
      {"update", "rid-1", "--label=Once", "--request-id=cli-test-rid-1"});
  ASSERT_EQ(first.status, 0) << first.err;
  Result retry = Annals(
      {"update", "rid-1", "--label=Once", "--request-id=cli-test-rid-1"});
  ASSERT_EQ(retry.status, 0) << retry.err;
  // The retry answers with the first write's sequence: applied once.
  EXPECT_EQ(first.out, retry.out);
  Result reused = Annals(
      {"update", "rid-1", "--label=Other", "--request-id=cli-test-rid-1"});
  EXPECT_EQ(reused.status, 1);
  EXPECT_THAT(reused.err, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(reused.err, HasSubstr("request_id"));
}

TEST_F(CliTest, DeleteAndRetractCheckWithDryRunThenWrite) {
  ASSERT_EQ(
      Annals({"create", "entity", "del-1", "--kind=artifact", "--label=Doomed"})
          .status,
      0);
  Result dry = Annals({"delete", "del-1", "--dry-run"});
  ASSERT_EQ(dry.status, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("would be deleted: entities/del-1"));
  Result alive = Annals({"--json", "get", "del-1"});
  EXPECT_THAT(alive.out, Not(HasSubstr("deleteTime")));
  Result deleted = Annals({"delete", "del-1"});
  ASSERT_EQ(deleted.status, 0) << deleted.err;
  EXPECT_THAT(deleted.out, HasSubstr("deleted entities/del-1 at sequence "));
  Result again = Annals({"delete", "del-1"});
  EXPECT_EQ(again.status, 1);
  EXPECT_THAT(again.err, HasSubstr("FAILED_PRECONDITION"));

  Result statement =
      Annals({"--json", "create", "statement", "--subject=nmi-retract-test",
              "--predicate=p", "--text=t", "--valid=2020"});
  // The subject must exist: the catalog names the field.
  EXPECT_EQ(statement.status, 1);
  EXPECT_THAT(statement.err, HasSubstr("statement.subject"));
  ASSERT_EQ(Annals({"create", "entity", "ret-1", "--kind=artifact",
                    "--label=Subject"})
                .status,
            0);
  Result made =
      Annals({"create", "statement", "--subject=ret-1", "--predicate=colour",
              "--text=red", "--valid=2020", "--id=ret-colour"});
  ASSERT_EQ(made.status, 0) << made.err;
  EXPECT_EQ(Annals({"retract", "ret-colour"}).status, 2);  // no --reason
  Result would =
      Annals({"retract", "ret-colour", "--reason=it was blue", "--dry-run"});
  ASSERT_EQ(would.status, 0) << would.err;
  EXPECT_THAT(would.out, HasSubstr("would be retracted"));
  Result retracted =
      Annals({"--json", "retract", "ret-colour", "--reason=it was blue"});
  ASSERT_EQ(retracted.status, 0) << retracted.err;
  EXPECT_THAT(retracted.out, HasSubstr("\"retractReason\":\"it was blue\""));
}

TEST_F(CliTest, ListHonoursFiltersAndLimit) {
  ImportOnce();
  Result people = Annals({"--json", "list", "entities", "--kind=person"});
  ASSERT_EQ(people.status, 0) << people.err;
  EXPECT_EQ(Count(people.out, "\n"),
            10);  // the seven commanders and three more
  EXPECT_THAT(people.out, HasSubstr("entities/per-olsen"));
  EXPECT_THAT(people.out, Not(HasSubstr("\"kind\":\"mission\"")));

  Result limited = Annals({"--json", "list", "entities", "--limit=3"});
  ASSERT_EQ(limited.status, 0) << limited.err;
  EXPECT_EQ(Count(limited.out, "\n"), 3);

  Result commanders =
      Annals({"list", "statements", "--subject=nmi", "--predicate=commander"});
  ASSERT_EQ(commanders.status, 0) << commanders.err;
  EXPECT_EQ(Count(commanders.out, "\n"), 1 + 7);  // header and seven rows
  EXPECT_THAT(commanders.out, HasSubstr("Lucas Schreurs"));
}

// 1,200 entities of one kind: more than the default limit of 1,000.
TEST_F(CliTest, ListingsCutShortSaySoAndFetchExactlyWhatWasAsked) {
  testing::TempDir dir;
  {
    std::ofstream file(dir.Sub("many.jsonl"));
    for (int i = 0; i < 1200; ++i) {
      file << R"({"entity": {"name": "lim-)" << i
           << R"(", "kind": "limited", "label": "Limited )" << i
           << R"(", "lifespan": {"edtf": "1950/1960"}}})"
           << "\n";
    }
  }
  Result imported = Annals({"import", dir.Sub("many.jsonl")});
  ASSERT_EQ(imported.status, 0) << imported.err;
  ReadsFollow(imported);

  // The default limit cut it short: said on stderr, and not a success.
  Result cut = Annals({"--json", "list", "entities", "--kind=limited"});
  EXPECT_EQ(cut.status, 1);
  EXPECT_EQ(Count(cut.out, "\n"), 1000);
  EXPECT_THAT(cut.err, HasSubstr("stopped at 1000 items; there are more (the "
                                 "default --limit=1000)"));
  EXPECT_THAT(cut.err, HasSubstr("--all"));
  // Asked for: exactly that many, exit 0, still a notice.
  Result some =
      Annals({"--json", "list", "entities", "--kind=limited", "--limit=1100"});
  EXPECT_EQ(some.status, 0);
  EXPECT_EQ(Count(some.out, "\n"), 1100);
  EXPECT_THAT(some.err, HasSubstr("stopped at 1100 items"));
  // Exactly all of them: no notice.
  Result exact =
      Annals({"--json", "list", "entities", "--kind=limited", "--limit=1200"});
  EXPECT_EQ(exact.status, 0);
  EXPECT_EQ(Count(exact.out, "\n"), 1200);
  EXPECT_EQ(exact.err, "");
  Result all =
      Annals({"--json", "list", "entities", "--kind=limited", "--all"});
  EXPECT_EQ(all.status, 0);
  EXPECT_EQ(Count(all.out, "\n"), 1200);
  EXPECT_EQ(all.err, "");

  // The timeline's window, the same way.
  Result window = Annals({"--json", "window", "--from=1955", "--to=1955",
                          "--kind=limited", "--type=lifespan"});
  EXPECT_EQ(window.status, 1);
  EXPECT_EQ(Count(window.out, "\n"), 1000);
  EXPECT_THAT(window.err, HasSubstr("annals window: stopped at 1000 items"));
  window = Annals({"--json", "window", "--from=1955", "--to=1955",
                   "--kind=limited", "--type=lifespan", "--all"});
  EXPECT_EQ(window.status, 0) << window.err;
  EXPECT_EQ(Count(window.out, "\n"), 1200);

  EXPECT_EQ(Annals({"list", "entities", "--limit=0"}).status, 2);
  EXPECT_EQ(Annals({"list", "entities", "--limit=5", "--all"}).status, 2);
}

TEST_F(CliTest, JsonHasEveryFieldZerosIncluded) {
  ImportOnce();
  // Commanders in 2019: every count is definite, none possible; the
  // possible count is there anyway, as 0.
  Result count =
      Annals({"--json", "count", "--bucket=year", "--from=2019", "--to=2019",
              "--type=statement", "--predicate=commander", "--entity=nmi"});
  ASSERT_EQ(count.status, 0) << count.err;
  EXPECT_THAT(count.out, HasSubstr("\"possible\":\"0\""));
  EXPECT_THAT(count.out, HasSubstr("\"definite\":\"2\""));
  // An entity without lifespan sources still lists them, empty.
  Result entity = Annals({"--json", "get", "per-olsen"});
  ASSERT_EQ(entity.status, 0) << entity.err;
  EXPECT_THAT(entity.out, HasSubstr("\"lifespanSources\":[]"));
}

TEST_F(CliTest, ServerErrorsAreOneLineWithStatusOne) {
  Result result = Annals({"get", "nobody-at-all"});
  EXPECT_EQ(result.status, 1);
  EXPECT_THAT(result.err, HasSubstr("annals: get nobody-at-all: NOT_FOUND"));
  EXPECT_EQ(Count(result.err, "\n"), 1);
}

TEST_F(CliTest, UsageErrorsExitWithTwo) {
  EXPECT_EQ(Annals({"snapshot", "nmi"}).status, 2);  // no --at
  EXPECT_EQ(Annals({"history", "nmi", "--bogus=1"}).status, 2);
  EXPECT_EQ(Annals({"frobnicate"}).status, 2);
  EXPECT_EQ(Annals({}).status, 2);
  EXPECT_EQ(
      Annals({"count", "--bucket=week", "--from=2017", "--to=2017"}).status, 2);
}

TEST_F(CliTest, EverySubcommandHasHelp) {
  ASSERT_GE(Commands().size(), 17u);
  for (const auto& [command, spec] : Commands()) {
    Result result = Annals({command, "--help"});
    EXPECT_EQ(result.status, 0) << command;
    EXPECT_THAT(result.out, HasSubstr("Usage: annals " + command)) << command;
    EXPECT_THAT(std::string(kUsage), HasSubstr("\n  " + command + " "))
        << command << " is missing from annals --help";
  }
}

// A help text names only flags its command accepts, and names all of them:
// `annals X --help` is a promise of what `annals X` reads.
TEST(CommandsTest, EveryHelpTextNamesExactlyTheFlagsItsCommandAccepts) {
  const std::set<std::string> global = {
      "catalog", "timeline", "json",    "timeout",    "min-sequence",
      "tls_ca",  "tls_cert", "tls_key", "token_file", "help"};
  const std::regex flag("--([a-z][a-z0-9_-]*)");
  // A help text may quote a service's own command line ("annals-catalog
  // --verify=DIR;"): those flags are the service's, not the command's.
  const std::regex service_command("annals-(catalog|timeline)[^;.]*");
  for (const auto& [command, spec] : Commands()) {
    const std::string usage =
        std::regex_replace(spec.usage, service_command, "");
    std::set<std::string> named;
    for (std::sregex_iterator it(usage.begin(), usage.end(), flag), end;
         it != end; ++it) {
      named.insert((*it)[1]);
    }
    for (const std::string& name : named) {
      EXPECT_TRUE(spec.flags.count(name) || spec.switches.count(name) ||
                  global.count(name))
          << "annals " << command << " --help names --" << name
          << ", which it does not accept";
    }
    for (const auto* accepted : {&spec.flags, &spec.switches}) {
      for (const std::string& name : *accepted) {
        EXPECT_TRUE(named.count(name))
            << "annals " << command << " accepts --" << name
            << ", which its --help does not name";
      }
    }
  }
}

TEST_F(CliTest, AddressesComeFromTheEnvironmentWhenNotGiven) {
  ImportOnce();
  std::ostringstream out, err;
  Environment environment;
  environment.variables["ANNALS_CATALOG"] = world_->catalog_address();
  EXPECT_EQ(cli::Run({"get", "nmi"}, out, err, environment), 0) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("NATO Mission Iraq"));
}

TEST_F(CliTest, DemoAnswersItsFiveQuestions) {
  ImportOnce();
  Result result = Annals({"demo"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(Count(result.out, "$ annals "), 5);
  EXPECT_THAT(result.out, HasSubstr("Michael Lollesgaard"));
  EXPECT_THAT(result.out, HasSubstr("is before"));
}

TEST_F(CliTest, RelateNamesBothSidesByLabelWithTheirDates) {
  ImportOnce();
  Result result = Annals({"relate", "ntm-i", "nmi"});
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_THAT(result.out, MatchesRegex("NATO Training Mission-Iraq \\(2004–"
                                       "2011-12-31\\) is before NATO Mission "
                                       "Iraq \\(2018-10.*\\)\n"));
}

TimelineBar Item(const char* label, const char* edtf) {
  return {label, *temporal::Extent::Parse(edtf), edtf, {}, {}};
}

TEST(RenderTest, ImpreciseBoundsFadeAndExactOnesDoNot) {
  std::vector<TimelineLane> lanes = {
      {"g", "exact", {Item("a", "2020-01-01/2021-01-01")}},
      {"g", "imprecise", {Item("b", "2020-03/2021")}},
      {"g", "ongoing", {Item("c", "2022-05-24/..")}},
      {"g", "event", {Item("d", "2021-07")}},
  };
  std::string svg = RenderSvg(lanes, {});
  EXPECT_EQ(Count(svg, "class=\"fade-in\""), 1);
  EXPECT_EQ(Count(svg, "class=\"fade-out\""), 1);
  EXPECT_EQ(Count(svg, "class=\"open-end glyph\""), 1);
  EXPECT_EQ(Count(svg, "class=\"event glyph\""), 1);
  EXPECT_EQ(Count(svg, "<g class=\"item\""), 4);
  // Two and a half years: ticks are months.
  EXPECT_THAT(svg, HasSubstr(">Jan 2021</text>"));
}

TEST(RenderTest, UncertainOpenAndUnknownBoundsAreDrawnApart) {
  std::vector<TimelineLane> lanes = {
      {"g",
       "lane",
       {Item("uncertain", "2001?/2003"), Item("open", "2004/.."),
        Item("unknown", "2002/"), Item("approximate", "2001~/2002"),
        Item("unknown start", "/2003")}},
  };
  std::string svg = RenderSvg(lanes, {});
  EXPECT_EQ(Count(svg, "class=\"uncertain\""), 1);
  EXPECT_THAT(svg, HasSubstr(">uncertain (?)</text>"));
  EXPECT_EQ(Count(svg, "class=\"open-end glyph\""), 1);
  EXPECT_EQ(Count(svg, "class=\"unknown-end\""), 1);
  EXPECT_EQ(Count(svg, "class=\"unknown-start\""), 1);
  EXPECT_THAT(svg, HasSubstr("start imprecise, 2000-01-01 to 2002-12-31, "
                             "approximate (~)"));
  EXPECT_THAT(svg, HasSubstr("end unknown, no earlier than 2002-01-01"));
  // The legend names each.
  for (const char* words :
       {"imprecise bound", "uncertain, EDTF ? or %", "open: ongoing",
        "unknown bound", "one-day event"}) {
    EXPECT_THAT(svg, HasSubstr(words));
  }
}

TEST(RenderTest, LanesComeGroupedAndInTimeOrder) {
  std::vector<TimelineLane> lanes = {
      {"building", "Terminal 2", {Item("", "1970/1990")}},
      {"runway", "Runway 09/27", {Item("", "1950/..")}},
      {"building", "Terminal 1", {Item("", "1954/2001")}},
      {"building", "Tower", {Item("", "1960/")}},
  };
  std::string svg = RenderSvg(lanes, {});
  size_t runway = svg.find(">Runway 09/27<");
  size_t t1 = svg.find(">Terminal 1<"), tower = svg.find(">Tower<");
  size_t t2 = svg.find(">Terminal 2<");
  ASSERT_NE(t2, std::string::npos);
  // The runway group starts first (1950); then the buildings by start.
  EXPECT_LT(runway, t1);
  EXPECT_LT(t1, tower);
  EXPECT_LT(tower, t2);
}

TEST(RenderTest, WindowCropsItemsAndDropsLanesWithNothingInIt) {
  std::vector<TimelineLane> lanes = {
      {"g", "old", {Item("a", "1990/2000")}},
      {"g", "new", {Item("b", "2016/2018"), Item("c", "2010/2030")}},
  };
  RenderOptions options;
  options.from = temporal::DayFromCivil(2015, 1, 1);
  options.to = temporal::DayFromCivil(2026, 1, 1);
  std::string svg = RenderSvg(lanes, options);
  EXPECT_EQ(Count(svg, "class=\"lane-title\""), 1);
  EXPECT_EQ(Count(svg, "<g class=\"item\""), 2);
  EXPECT_THAT(svg, Not(HasSubstr(">old<")));
  // c runs past both edges: cropped to the plot.
  EXPECT_THAT(svg, HasSubstr("data-x0=\"230.0\" data-x1=\"1376.0\""));
  EXPECT_THAT(svg, HasSubstr("class=\"certain\" x=\"230.0\""));
  EXPECT_THAT(svg, HasSubstr(" width=\"1146.0\""));
}

TEST(RenderTest, OverlappingItemsOfALaneGetSubRows) {
  std::vector<TimelineLane> lanes = {
      {"g",
       "lane",
       {Item("a", "2000/2010"), Item("b", "2005/2015"),
        Item("c", "2012/2020")}},
  };
  std::string svg = RenderSvg(lanes, {});
  EXPECT_EQ(Count(svg, "data-row=\"0:0\""), 2);
  EXPECT_EQ(Count(svg, "data-row=\"0:1\""), 1);
}

TEST(RenderTest, YearsBeforeChristAreOnTheAxisWithLegibleSpacing) {
  std::vector<TimelineLane> lanes = {
      {"g", "Roman Republic", {Item("", "-0508~/-0026~")}},
      {"g", "Augustus", {Item("", "-0062-09-23/0014-08-19")}},
  };
  std::string svg = RenderSvg(lanes, {});
  EXPECT_THAT(svg, HasSubstr(">500 BC</text>"));
  EXPECT_THAT(svg, HasSubstr(">100 BC</text>"));
  EXPECT_THAT(svg, Not(HasSubstr(">-500</text>")));
  EXPECT_LE(Count(svg, "class=\"tick-label\""), 25);
}

TEST(RenderTest, AxisOverHundredsOfMillenniaStaysSmall) {
  std::vector<TimelineLane> lanes = {
      {"g", "Lower Palaeolithic", {Item("", "Y-300000/Y-10000")}}};
  std::string svg = RenderSvg(lanes, {});
  // One grid line per labelled tick, not one per year.
  EXPECT_LE(Count(svg, "<line class=\"grid\""), 25);
  EXPECT_LT(svg.size(), 20000u);
  EXPECT_THAT(svg, HasSubstr(">300,000 BC</text>"));
}

TEST(RenderTest, NothingToDrawStillMakesAPictureWithALegend) {
  std::string svg = RenderSvg({}, {});
  EXPECT_TRUE(absl::StartsWith(svg, "<svg"));
  EXPECT_TRUE(absl::EndsWith(svg, "</svg>\n"));
  EXPECT_EQ(Count(svg, "<g class=\"item\""), 0);
  EXPECT_THAT(svg, HasSubstr("one-day event"));
  RenderOptions options;
  options.from = temporal::DayFromCivil(2015, 1, 1);
  options.to = temporal::DayFromCivil(2016, 1, 1);
  svg = RenderSvg({{"g", "old", {Item("a", "1990/2000")}}}, options);
  EXPECT_EQ(Count(svg, "class=\"lane-title\""), 0);
}

TEST(RenderTest, TextIsEscaped) {
  std::vector<TimelineLane> lanes = {
      {"g", "<lane & co>", {Item("\"quoted\"", "2020")}}};
  std::string svg = RenderSvg(lanes, {});
  EXPECT_THAT(svg, HasSubstr("&lt;lane &amp; co&gt;"));
  EXPECT_THAT(svg, Not(HasSubstr("<lane & co>")));
}

}  // namespace
}  // namespace annals::cli
