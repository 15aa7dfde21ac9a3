#include "services/catalog/validation.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
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

}  // namespace
}  // namespace annals::catalog
