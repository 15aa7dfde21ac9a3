#include "services/catalog/validation.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/status/errors.h"
#include "tests/testing/status_matchers.h"

namespace annals::catalog {
namespace {

using ::annals::testing::IsOkAndHolds;
using ::annals::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ValidationTest, IdsFollowTheSlugPattern) {
  EXPECT_TRUE(IsValidId("nmi"));
  EXPECT_TRUE(IsValidId("jose-antonio-aguero-martinez"));
  EXPECT_TRUE(IsValidId("2018-summit"));
  EXPECT_TRUE(IsValidId(std::string(63, 'a')));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId(std::string(64, 'a')));
  EXPECT_FALSE(IsValidId("-nmi"));
  EXPECT_FALSE(IsValidId("NMI"));
  EXPECT_FALSE(IsValidId("nmi_ii"));
  EXPECT_FALSE(IsValidId("nmi/ii"));
  EXPECT_FALSE(IsValidId(std::string("nm\0i", 4)));
}

TEST(ValidationTest, KindsAreLowercaseWords) {
  EXPECT_TRUE(IsValidKind("mission"));
  EXPECT_TRUE(IsValidKind("trust_fund"));
  EXPECT_FALSE(IsValidKind("Mission"));
  EXPECT_FALSE(IsValidKind("mission2"));
  EXPECT_FALSE(IsValidKind(""));
}

TEST(ValidationTest, PredicatesAreSnakeCase) {
  EXPECT_TRUE(IsValidPredicate("commander"));
  EXPECT_TRUE(IsValidPredicate("partner_of"));
  EXPECT_TRUE(IsValidPredicate("phase2"));
  EXPECT_FALSE(IsValidPredicate("partnerOf"));
  EXPECT_FALSE(IsValidPredicate("partner__of"));
  EXPECT_FALSE(IsValidPredicate("_partner"));
  EXPECT_FALSE(IsValidPredicate("partner_"));
  EXPECT_FALSE(IsValidPredicate("2partner"));
  EXPECT_FALSE(IsValidPredicate(std::string(65, 'a')));
}

TEST(ValidationTest, EntityNamesAcceptFullAndBareForms) {
  EXPECT_THAT(ParseEntityName("f", "entities/nmi"), IsOkAndHolds("nmi"));
  EXPECT_THAT(ParseEntityName("f", "nmi"), IsOkAndHolds("nmi"));
  EXPECT_THAT(ParseEntityName("f", "statements/nmi"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("f:")));
  EXPECT_THAT(
      ParseEntityName("f", ""),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("required")));
}

TEST(ValidationTest, LinesRejectControlCharactersAndBadUtf8) {
  EXPECT_OK(ValidateLine("f", "José Antonio Agüero Martínez", 100, true));
  EXPECT_THAT(
      ValidateLine("f", "tab\there", 100, true),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("control")));
  EXPECT_THAT(ValidateLine("f", "\xff", 100, true),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("UTF-8")));
  // An overlong encoding of '/' and a UTF-16 surrogate are not UTF-8.
  EXPECT_THAT(ValidateLine("f", "\xc0\xaf", 100, true),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("UTF-8")));
  EXPECT_THAT(ValidateLine("f", "\xed\xa0\x80", 100, true),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("UTF-8")));
  EXPECT_THAT(ValidateLine("f", std::string(101, 'a'), 100, true),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("limit")));
  EXPECT_THAT(
      ValidateLine("f", "", 100, true),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("required")));
  EXPECT_OK(ValidateLine("f", "", 100, false));
}

TEST(ValidationTest, RequestIdsArePrintableAscii) {
  EXPECT_OK(ValidateRequestId("request_id", ""));
  EXPECT_OK(ValidateRequestId("request_id", "3f1c-22ab"));
  EXPECT_THAT(ValidateRequestId("request_id", "has space"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateRequestId("request_id", std::string(129, 'a')),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ValidationTest, PageSizeDefaultsAndBounds) {
  EXPECT_THAT(ValidatePageSize("page_size", 0), IsOkAndHolds(kDefaultPageSize));
  EXPECT_THAT(ValidatePageSize("page_size", kMaxPageSize),
              IsOkAndHolds(kMaxPageSize));
  EXPECT_THAT(ValidatePageSize("page_size", -5),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidatePageSize("page_size", kMaxPageSize + 1),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ValidationTest,
     NormalizeStatementCanonicalizesNamesAndDropsDuplicateSources) {
  v1::Statement statement;
  statement.set_subject("nmi");
  statement.set_predicate("commander");
  statement.mutable_object()->set_entity("per-olsen");
  statement.mutable_valid_time()->set_edtf("2020-11-24/2021-05-06");
  statement.add_sources()->set_source("doc");
  statement.add_sources()->set_source("entities/doc");
  statement.set_etag("client-set etags are ignored");
  ASSERT_OK_AND_ASSIGN(v1::Statement normalized,
                       NormalizeStatement("statement.", statement));
  EXPECT_EQ(normalized.subject(), "entities/nmi");
  EXPECT_EQ(normalized.object().entity(), "entities/per-olsen");
  EXPECT_EQ(normalized.sources_size(), 1);
  EXPECT_TRUE(normalized.etag().empty());
}

v1::Statement CommanderStatement() {
  v1::Statement statement;
  statement.set_subject("nmi");
  statement.set_predicate("commander");
  statement.mutable_object()->set_entity("per-olsen");
  statement.add_sources()->set_source("doc");
  return statement;
}

TEST(ValidationTest, ValidTimeBoundsGiveTheLastDay) {
  v1::Statement statement = CommanderStatement();
  statement.mutable_valid_time()->set_edtf("2020-11-24/2021-05-06");
  ASSERT_OK_AND_ASSIGN(v1::Statement normalized,
                       NormalizeStatement("statement.", statement));
  const type::v1::ExtentBounds& bounds = normalized.valid_time().bounds();
  EXPECT_EQ(bounds.earliest_start(), "2020-11-24");
  EXPECT_EQ(bounds.earliest_last_day(), "2021-05-06");
  EXPECT_EQ(bounds.latest_last_day(), "2021-05-06");
  // Kept for clients written before the last days: the day after.
  EXPECT_EQ(bounds.latest_end(), "2021-05-07");
}

TEST(ValidationTest, DateTimeValidTimeIsKeptAsWritten) {
  v1::Statement statement = CommanderStatement();
  statement.mutable_valid_time()->set_edtf("2016-05-02T16:54:59+02:30");
  ASSERT_OK_AND_ASSIGN(v1::Statement normalized,
                       NormalizeStatement("statement.", statement));
  EXPECT_EQ(normalized.valid_time().edtf(), "2016-05-02T16:54:59+02:30");
  EXPECT_EQ(normalized.valid_time().bounds().earliest_start(), "2016-05-02");
  EXPECT_EQ(normalized.valid_time().bounds().latest_last_day(), "2016-05-02");
}

TEST(ValidationTest, BoundDatesAreKeptAndBounded) {
  v1::Statement statement = CommanderStatement();
  type::v1::BoundDates* dates =
      statement.mutable_valid_time()->mutable_bound_dates();
  dates->set_earliest_start("1100");
  dates->set_latest_start("1200");
  dates->set_earliest_end("1450");
  dates->set_latest_end("1500");
  ASSERT_OK_AND_ASSIGN(v1::Statement normalized,
                       NormalizeStatement("statement.", statement));
  EXPECT_EQ(normalized.valid_time().edtf(), "");
  EXPECT_EQ(normalized.valid_time().bound_dates().latest_start(), "1200");
  const type::v1::ExtentBounds& bounds = normalized.valid_time().bounds();
  EXPECT_EQ(bounds.earliest_start(), "1100-01-01");
  EXPECT_EQ(bounds.latest_start(), "1200-12-31");
  EXPECT_EQ(bounds.earliest_last_day(), "1450-01-01");
  EXPECT_EQ(bounds.latest_last_day(), "1500-12-31");
  EXPECT_FALSE(bounds.instant());
}

TEST(ValidationTest, BoundDatesWithAnUnknownStartAndAnOpenEnd) {
  v1::Statement statement = CommanderStatement();
  type::v1::BoundDates* dates =
      statement.mutable_valid_time()->mutable_bound_dates();
  dates->set_latest_start("-0500~");
  dates->set_earliest_end("..");
  dates->set_latest_end("..");
  ASSERT_OK_AND_ASSIGN(v1::Statement normalized,
                       NormalizeStatement("statement.", statement));
  const type::v1::ExtentBounds& bounds = normalized.valid_time().bounds();
  EXPECT_EQ(bounds.earliest_start(), "");
  EXPECT_EQ(bounds.latest_start(), "-0499-12-31");
  EXPECT_EQ(bounds.earliest_last_day(), "");
  EXPECT_EQ(bounds.latest_last_day(), "");
}

TEST(ValidationTest, ValidTimeErrorsNameTheBoundDate) {
  struct Case {
    std::string earliest_start, latest_start, earliest_end, latest_end;
    std::string field;
    std::string reason;
  };
  const Case cases[] = {
      {"1100", "1200", "1450", "1500-13", "latest_end", "month 13"},
      {"1300", "1200", "", "", "latest_start", "before earliest_start"},
      {"1100", "", "1450", "1400", "latest_end", "before earliest_end"},
      {"1500", "", "", "1450", "latest_end", "holds on no day"},
      {"..", "1200", "", "1500", "earliest_start", "must be \"..\" too"},
      {"1100/1200", "", "", "", "earliest_start", "is an interval"},
  };
  for (const Case& c : cases) {
    v1::Statement statement = CommanderStatement();
    type::v1::BoundDates* dates =
        statement.mutable_valid_time()->mutable_bound_dates();
    dates->set_earliest_start(c.earliest_start);
    dates->set_latest_start(c.latest_start);
    dates->set_earliest_end(c.earliest_end);
    dates->set_latest_end(c.latest_end);
    const absl::Status status =
        NormalizeStatement("statement.", statement).status();
    const std::string field =
        absl::StrCat("statement.valid_time.bound_dates.", c.field);
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr(c.reason)))
        << field;
    EXPECT_THAT(ViolatedFields(status), ::testing::ElementsAre(field));
  }
}

TEST(ValidationTest, ValidTimeIsEdtfOrBoundDatesNotBoth) {
  v1::Statement statement = CommanderStatement();
  statement.mutable_valid_time()->set_edtf("2018");
  statement.mutable_valid_time()->mutable_bound_dates()->set_latest_end("2019");
  EXPECT_THAT(
      ViolatedFields(NormalizeStatement("statement.", statement).status()),
      ::testing::ElementsAre("statement.valid_time.bound_dates"));
  statement.clear_valid_time();
  statement.mutable_valid_time();
  EXPECT_THAT(
      ViolatedFields(NormalizeStatement("statement.", statement).status()),
      ::testing::ElementsAre("statement.valid_time.edtf"));
}

TEST(ValidationTest, LevelTwoValidTimeSaysSo) {
  v1::Statement statement = CommanderStatement();
  statement.mutable_valid_time()->set_edtf("2004-?06-11");
  EXPECT_THAT(NormalizeStatement("statement.", statement),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("EDTF level 2, which Annals does not "
                                 "support")));
}

TEST(ValidationTest, UnknownFieldsAreDroppedBeforeStoring) {
  v1::Statement statement = CommanderStatement();
  statement.mutable_valid_time()->set_edtf("2021");
  statement.mutable_object()->clear_entity();
  v1::Quantity* quantity = statement.mutable_object()->mutable_quantity();
  quantity->set_amount("500");
  quantity->set_unit("person");
  // A field this version does not know, 1 MiB long, as a newer or a hostile
  // client could send it: text limits never see it.
  quantity->GetReflection()->MutableUnknownFields(quantity)->AddLengthDelimited(
      999, std::string(1 << 20, 'x'));
  statement.GetReflection()
      ->MutableUnknownFields(&statement)
      ->AddVarint(998, 7);
  ASSERT_GT(statement.ByteSizeLong(), 1u << 20);
  ASSERT_OK_AND_ASSIGN(v1::Statement normalized,
                       NormalizeStatement("statement.", statement));
  EXPECT_EQ(normalized.object().quantity().amount(), "500");
  EXPECT_LT(normalized.ByteSizeLong(), 1024u);
  EXPECT_TRUE(normalized.object()
                  .quantity()
                  .GetReflection()
                  ->GetUnknownFields(normalized.object().quantity())
                  .empty());
}

}  // namespace
}  // namespace annals::catalog
