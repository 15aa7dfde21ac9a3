// The conformance tables of docs/temporal-semantics.md, read at test time:
// every example of the Library of Congress EDTF specification (2019) for
// levels 0 and 1 with Annals' first day, last day and certainties, and the
// level-2 examples with their refusals. Each row is checked against the
// library, so the document and the code cannot drift.
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/temporal/day.h"
#include "services/common/temporal/extent.h"

#ifndef ANNALS_DOCS_DIR
#error "ANNALS_DOCS_DIR must name the docs/ directory of the source tree"
#endif

namespace annals::temporal {
namespace {

constexpr char kDocument[] = ANNALS_DOCS_DIR "/temporal-semantics.md";
constexpr char kAcceptedMarker[] = "<!-- conformance: accepted -->";
constexpr char kRefusedMarker[] = "<!-- conformance: refused -->";
constexpr char kErrorsMarker[] = "<!-- conformance: errors -->";
constexpr char kNotADay[] = "—";

// Every example string of the specification's levels 0 and 1 (with the
// qualified and extended intervals), and of level 2.
constexpr const char* kLevel01Examples[] = {
    // Level 0: dates, date-times, intervals.
    "1985-04-12", "1985-04", "1985", "1985-04-12T23:20:30",
    "1985-04-12T23:20:30Z", "1985-04-12T23:20:30-04",
    "1985-04-12T23:20:30+04:30", "1964/2008", "2004-06/2006-08",
    "2004-02-01/2005-02-08", "2004-02-01/2005-02", "2004-02-01/2005",
    "2005/2006-02",
    // Level 1: letter-prefixed years, seasons, qualification, unspecified
    // digits, extended intervals, negative years.
    "Y170000002", "Y-170000002", "2001-21", "2001-22", "2001-23", "2001-24",
    "1984?", "2004-06~", "2004-06-11%", "201X", "20XX", "2004-XX", "1985-04-XX",
    "1985-XX-XX", "1985-04-12/..", "1985-04/..", "1985/..", "../1985-04-12",
    "../1985-04", "../1985", "1985-04-12/", "1985-04/", "1985/", "/1985-04-12",
    "/1985-04", "/1985", "1984~/2004-06", "1984/2004-06~", "1984~/2004~",
    "1984?/2004%", "1984-06?/2004-08?", "1984-06-02?/2004-08-08~",
    "1984-06-02?/", "-1985"};
constexpr const char* kLevel2Examples[] = {"Y-17E7",
                                           "1950S2",
                                           "Y171010000S3",
                                           "Y3388E2S3",
                                           "2001-34",
                                           "[1667,1668,1670..1672]",
                                           "[..1760-12-03]",
                                           "[1760-12..]",
                                           "[1760-01,1760-02,1760-12..]",
                                           "[1667,1760-12]",
                                           "[..1984]",
                                           "{1667,1668,1670..1672}",
                                           "{1960,1961-12}",
                                           "{..1984}",
                                           "2004-06~-11",
                                           "2004?-06-11",
                                           "?2004-06-~11",
                                           "2004-%06-11",
                                           "156X-12-25",
                                           "15XX-12-25",
                                           "XXXX-12-XX",
                                           "1XXX-XX",
                                           "1XXX-12",
                                           "1984-1X",
                                           "2004-06-~01/2004-06-~20",
                                           "2004-06-XX/2004-07-03"};

// The cells of one table row, trimmed, without surrounding backticks.
using Row = std::vector<std::string>;

std::string Cell(absl::string_view cell) {
  cell = absl::StripAsciiWhitespace(cell);
  if (cell.size() >= 2 && cell.front() == '`' && cell.back() == '`') {
    cell = cell.substr(1, cell.size() - 2);
  }
  return std::string(cell);
}

// The data rows of the table that follows `marker`: from its header to the
// first line that is not a table row. Empty if the marker is missing.
std::vector<Row> ReadTable(const std::string& document,
                           const std::string& marker) {
  std::vector<Row> rows;
  const size_t at = document.find(marker);
  if (at == std::string::npos) return rows;
  std::istringstream lines(document.substr(at + marker.size()));
  std::string line;
  int table_lines = 0;
  while (std::getline(lines, line)) {
    if (line.empty() && table_lines == 0) continue;
    if (!absl::StartsWith(line, "|")) break;
    ++table_lines;
    if (table_lines <= 2) continue;  // The header and the |---| line.
    absl::string_view inner(line);
    inner.remove_prefix(1);
    if (absl::EndsWith(inner, "|")) inner.remove_suffix(1);
    Row row;
    for (absl::string_view cell : absl::StrSplit(inner, '|')) {
      row.push_back(Cell(cell));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

class ConformanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ifstream in(kDocument);
    ASSERT_TRUE(in.good()) << "cannot read " << kDocument;
    std::stringstream text;
    text << in.rdbuf();
    document_ = text.str();
    accepted_ = ReadTable(document_, kAcceptedMarker);
    refused_ = ReadTable(document_, kRefusedMarker);
    errors_ = ReadTable(document_, kErrorsMarker);
  }

  std::string document_;
  std::vector<Row> accepted_;
  std::vector<Row> refused_;
  std::vector<Row> errors_;
};

// How a start or last day is written in the table: a date, ".." for an open
// side, "unknown" for an unknown one.
std::string FirstDayCell(const Extent& e) {
  if (e.open_start()) return "..";
  if (!IsFinite(e.earliest_start())) return "unknown";
  return FormatDay(e.earliest_start());
}
std::string LastDayCell(const Extent& e) {
  if (e.open_end()) return "..";
  if (!IsFinite(e.latest_last_day())) return "unknown";
  return FormatDay(e.latest_last_day());
}

// The days on which the extent definitely holds: "none", one day, or
// "A to B" where either side may be "..".
std::string DefiniteCell(const Extent& e) {
  if (e.uncertain() || e.latest_start() >= e.earliest_end()) return "none";
  const std::string from = e.open_start() ? ".." : FormatDay(e.latest_start());
  const std::string to =
      IsFinite(e.earliest_end()) ? FormatDay(e.earliest_last_day()) : "..";
  return from == to ? from : from + " to " + to;
}

std::string HoldsOnCell(const Extent& e, Day day) {
  return std::string(CertaintyName(e.HoldsOn(day)));
}

// Columns: EDTF | level | meaning | first day | last day | day before |
// first day | last day | day after | definitely holds.
TEST_F(ConformanceTest, EveryAcceptedRowMatchesTheLibrary) {
  ASSERT_GE(accepted_.size(), 40u) << "the accepted table is missing";
  for (const Row& row : accepted_) {
    ASSERT_EQ(row.size(), 10u) << absl::StrJoin(row, " | ");
    const std::string& text = row[0];
    SCOPED_TRACE(text);
    absl::StatusOr<Extent> extent = Extent::Parse(text);
    ASSERT_TRUE(extent.ok()) << extent.status();
    EXPECT_EQ(row[3], FirstDayCell(*extent));
    EXPECT_EQ(row[4], LastDayCell(*extent));
    const Day first = extent->earliest_start();
    const Day last = extent->latest_last_day();
    if (IsFinite(first)) {
      EXPECT_EQ(row[5], HoldsOnCell(*extent, first - 1)) << "day before";
      EXPECT_EQ(row[6], HoldsOnCell(*extent, first)) << "first day";
    } else {
      EXPECT_EQ(row[5], kNotADay);
      EXPECT_EQ(row[6], kNotADay);
    }
    if (IsFinite(last)) {
      EXPECT_EQ(row[7], HoldsOnCell(*extent, last)) << "last day";
      EXPECT_EQ(row[8], HoldsOnCell(*extent, last + 1)) << "day after";
    } else {
      EXPECT_EQ(row[7], kNotADay);
      EXPECT_EQ(row[8], kNotADay);
    }
    EXPECT_EQ(row[9], DefiniteCell(*extent));
  }
}

// Columns: EDTF | level | feature | message.
TEST_F(ConformanceTest, EveryRefusedRowIsRefusedWithItsMessage) {
  ASSERT_GE(refused_.size(), 20u) << "the refused table is missing";
  for (const Row& row : refused_) {
    ASSERT_EQ(row.size(), 4u) << absl::StrJoin(row, " | ");
    SCOPED_TRACE(row[0]);
    absl::StatusOr<Extent> extent = Extent::Parse(row[0]);
    ASSERT_FALSE(extent.ok());
    EXPECT_EQ(extent.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(extent.status().message()), row[3]);
  }
}

// The table of section 2: input | message.
TEST_F(ConformanceTest, EveryErrorRowIsRefusedWithItsMessage) {
  ASSERT_GE(errors_.size(), 10u) << "the errors table is missing";
  for (const Row& row : errors_) {
    ASSERT_EQ(row.size(), 2u) << absl::StrJoin(row, " | ");
    SCOPED_TRACE(row[0]);
    absl::StatusOr<Extent> extent = Extent::Parse(row[0]);
    ASSERT_FALSE(extent.ok());
    EXPECT_EQ(extent.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(extent.status().message()), row[1]);
  }
}

TEST_F(ConformanceTest, TheTablesHoldEverySpecificationExampleOnce) {
  std::multiset<std::string> listed;
  for (const Row& row : accepted_) listed.insert(row.at(0));
  for (const Row& row : refused_) listed.insert(row.at(0));
  for (const char* example : kLevel01Examples) {
    EXPECT_EQ(listed.count(example), 1u) << example;
  }
  for (const char* example : kLevel2Examples) {
    EXPECT_EQ(listed.count(example), 1u) << example;
  }
}

TEST_F(ConformanceTest, LevelTwoIsRefusedAsLevelTwo) {
  std::set<std::string> accepted;
  for (const Row& row : accepted_) accepted.insert(row.at(0));
  for (const char* example : kLevel2Examples) {
    if (accepted.count(example) > 0) continue;  // Also a level-1 form.
    SCOPED_TRACE(example);
    absl::StatusOr<Extent> extent = Extent::Parse(example);
    ASSERT_FALSE(extent.ok());
    EXPECT_THAT(
        std::string(extent.status().message()),
        ::testing::HasSubstr("is EDTF level 2, which Annals does not support"));
  }
}

}  // namespace
}  // namespace annals::temporal
