#include "services/common/page_token.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace annals {
namespace {

using ::annals::testing::IsOkAndHolds;
using ::annals::testing::StatusIs;
using ::testing::HasSubstr;

TEST(PageTokenTest, RoundTripsAnyPosition) {
  for (std::string position : {std::string(""), std::string("s\0nmi\0c", 7),
                               std::string("2018-11,x,\xff\xfe")}) {
    std::string token = EncodePageToken("secret", "filters", position);
    EXPECT_THAT(DecodePageToken("secret", "filters", token),
                IsOkAndHolds(position));
  }
}

TEST(PageTokenTest, OtherFiltersOrSecretAreRejected) {
  std::string token = EncodePageToken("secret", "kind=person", "per-olsen");
  EXPECT_THAT(
      DecodePageToken("secret", "kind=mission", token),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  EXPECT_THAT(DecodePageToken("other catalog", "kind=person", token),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(PageTokenTest, EditedTokensAreRejected) {
  std::string token = EncodePageToken("secret", "f", "per-olsen");
  for (size_t i = 0; i < token.size(); ++i) {
    std::string edited = token;
    edited[i] = edited[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(DecodePageToken("secret", "f", edited).ok()) << i;
  }
  EXPECT_FALSE(DecodePageToken("secret", "f", "").ok());
  EXPECT_FALSE(DecodePageToken("secret", "f", "!!!").ok());
  EXPECT_FALSE(DecodePageToken("secret", "f", std::string(5000, 'A')).ok());
}

}  // namespace
}  // namespace annals
