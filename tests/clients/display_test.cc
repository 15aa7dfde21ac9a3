// How the `annals` tool writes dates, extents, durations and relations.
#include "clients/cli/display.h"

#include "gtest/gtest.h"

namespace annals::cli {
namespace {

annals::type::v1::Extent Edtf(const std::string& text) {
  annals::type::v1::Extent extent;
  extent.set_edtf(text);
  return extent;
}

annals::timeline::v1::DurationRange Duration(std::optional<int> min,
                                             std::optional<int> max) {
  annals::timeline::v1::DurationRange range;
  if (min.has_value()) range.set_min_days(*min);
  if (max.has_value()) range.set_max_days(*max);
  return range;
}

TEST(DisplayTest, YearsBeforeChristReadAsBc) {
  EXPECT_EQ(DateText("-0043-03-15"), "15 March 44 BC");
  EXPECT_EQ(DateText("-0043-03"), "March 44 BC");
  EXPECT_EQ(DateText("-0499~"), "500 BC~");
  EXPECT_EQ(DateText("0000"), "1 BC");
  EXPECT_EQ(DateText("-0043-21"), "Spring 44 BC");
  EXPECT_EQ(DateText("Y-12345"), "12,346 BC");
}

TEST(DisplayTest, DatesFromOneAdAndOtherTextStayAsWritten) {
  EXPECT_EQ(DateText("0001"), "0001");
  EXPECT_EQ(DateText("2021-05-06"), "2021-05-06");
  EXPECT_EQ(DateText("2021-05-06T10:00:00Z"), "2021-05-06T10:00:00Z");
  EXPECT_EQ(DateText("-001X"), "-001X");
  EXPECT_EQ(DateText(".."), "..");
  EXPECT_EQ(DateText(""), "");
  EXPECT_EQ(DateText("Y12345"), "Y12345");
}

TEST(DisplayTest, ExtentTextKeepsTheSlashAndWritesBcSides) {
  EXPECT_EQ(ExtentText(Edtf("-0499/-0399")), "500 BC/400 BC");
  EXPECT_EQ(ExtentText(Edtf("2004/2011-12-31")), "2004/2011-12-31");
  annals::type::v1::Extent bounds;
  bounds.mutable_bound_dates()->set_earliest_start("-0100");
  bounds.mutable_bound_dates()->set_latest_start("-0050");
  bounds.mutable_bound_dates()->set_earliest_end("..");
  bounds.mutable_bound_dates()->set_latest_end("..");
  EXPECT_EQ(ExtentText(bounds), "start 101 BC..51 BC, end ..");
}

TEST(DisplayTest, ExtentPhraseUsesADashAnEllipsisForOpenAndAQueryForUnknown) {
  EXPECT_EQ(ExtentPhrase(Edtf("2004/2011-12-31")), "2004–2011-12-31");
  EXPECT_EQ(ExtentPhrase(Edtf("2018-10/..")), "2018-10–…");
  EXPECT_EQ(ExtentPhrase(Edtf("/2011")), "?–2011");
  EXPECT_EQ(ExtentPhrase(Edtf("2004")), "2004");
  EXPECT_EQ(ExtentPhrase(Edtf("-0499/-0399")), "500 BC–400 BC");
}

TEST(DisplayTest, DurationsUseTheLargestSensibleUnit) {
  EXPECT_EQ(DurationText(Duration(1, 1)), "1 day");
  EXPECT_EQ(DurationText(Duration(163, 163)), "163 days");
  EXPECT_EQ(DurationText(Duration(28, 31)), "28–31 days");
  EXPECT_EQ(DurationText(Duration(365, 365)), "about 1 year (365 days)");
  EXPECT_EQ(DurationText(Duration(1156, 1156)), "about 3.2 years (1,156 days)");
  EXPECT_EQ(DurationText(Duration(365, 366)), "about 1 year (365–366 days)");
  EXPECT_EQ(DurationText(Duration(362, 391)), "about 1 year (362–391 days)");
  EXPECT_EQ(DurationText(Duration(3653, 3653)), "about 10 years");
  // Multi-century periods: before, "90946–91674 days".
  EXPECT_EQ(DurationText(Duration(90946, 91674)), "249–251 years");
  EXPECT_EQ(DurationText(Duration(4383, std::nullopt)), "at least 12 years");
  EXPECT_EQ(DurationText(Duration(30, std::nullopt)), "at least 30 days");
  EXPECT_EQ(DurationText(Duration(std::nullopt, std::nullopt)), "open-ended");
}

TEST(DisplayTest, RelationsReadAsEnglish) {
  EXPECT_EQ(RelationSentence("NTM-I (2004–2011-12-31)", "NMI (2018-10–…)",
                             {"before"}, true),
            "NTM-I (2004–2011-12-31) is before NMI (2018-10–…)");
  EXPECT_EQ(RelationSentence("A", "B", {"meets"}, true), "A meets B");
  EXPECT_EQ(RelationSentence("A", "B", {"met_by"}, true), "A is met by B");
  EXPECT_EQ(RelationSentence("A", "B", {"before"}, false),
            "A is possibly before B");
  EXPECT_EQ(RelationSentence("A", "B", {"meets"}, false), "A possibly meets B");
  EXPECT_EQ(RelationSentence("A", "B", {"overlaps", "meets", "before"}, false),
            "A possibly overlaps, meets or is before B (the dates allow each)");
}

}  // namespace
}  // namespace annals::cli
