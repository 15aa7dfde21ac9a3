// The `annals` tool's argument parser (clients/cli/args.h), on CLI11.
#include "clients/cli/args.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace annals::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::set<std::string> kFlags = {"from", "to", "kind", "output", "at"};
const std::set<std::string> kSwitches = {"json", "help"};
const std::map<std::string, char> kShort = {{"output", 'o'}};

absl::StatusOr<Args> Parse(const std::vector<std::string>& argv) {
  return Args::Parse(argv, kFlags, kSwitches, kShort);
}

TEST(ArgsTest, TakesValuesWithEqualsOrAsTheNextWordAndShortForms) {
  absl::StatusOr<Args> args =
      Parse({"nmi", "--from", "2017", "--to=2018", "-o", "x.svg"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_EQ(args->Get("from"), "2017");
  EXPECT_EQ(args->Get("to"), "2018");
  EXPECT_EQ(args->Get("output"), "x.svg");
  EXPECT_THAT(args->positionals(), ElementsAre("nmi"));
  args = Parse({"-oy.svg"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_EQ(args->Get("output"), "y.svg");
}

TEST(ArgsTest, RepeatedFlagsKeepEveryValueAndTakeOneWordEach) {
  absl::StatusOr<Args> args = Parse({"--kind", "a", "b", "--kind=c"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_THAT(args->GetAll("kind"), ElementsAre("a", "c"));
  EXPECT_THAT(args->positionals(), ElementsAre("b"));
}

TEST(ArgsTest, ValuesMayBeginWithAMinus) {
  absl::StatusOr<Args> args = Parse({"--at", "-0044-03-15"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_EQ(args->Get("at"), "-0044-03-15");
}

TEST(ArgsTest, EverythingAfterTheDoubleDashIsPositional) {
  absl::StatusOr<Args> args = Parse({"a", "--", "--json", "-o"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_FALSE(args->Has("json"));
  EXPECT_THAT(args->positionals(), ElementsAre("a", "--json", "-o"));
}

TEST(ArgsTest, SwitchesTakeNoValueButTrueOrFalse) {
  absl::StatusOr<Args> args = Parse({"--json"});
  ASSERT_TRUE(args.ok());
  EXPECT_TRUE(args->Has("json"));
  args = Parse({"--json", "--json=false"});
  ASSERT_TRUE(args.ok());
  EXPECT_FALSE(args->Has("json"));
  args = Parse({"--json=maybe"});
  ASSERT_FALSE(args.ok());
  EXPECT_THAT(args.status().message(), HasSubstr("--json takes no value"));
}

TEST(ArgsTest, AnUnknownFlagIsNamedWithTheNearestKnownOne) {
  absl::StatusOr<Args> args = Parse({"--form=2017", "--to=2018"});
  ASSERT_FALSE(args.ok());
  EXPECT_EQ(args.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(args.status().message(),
              HasSubstr("unknown flag --form; did you mean --from?"));
  args = Parse({"--to", "2018", "--zzzzzzzz"});
  ASSERT_FALSE(args.ok());
  EXPECT_THAT(args.status().message(), HasSubstr("unknown flag --zzzzzzzz"));
  EXPECT_THAT(args.status().message(),
              ::testing::Not(HasSubstr("did you mean")));
}

TEST(ArgsTest, AFlagWithoutItsValueIsNamed) {
  absl::StatusOr<Args> args = Parse({"--from"});
  ASSERT_FALSE(args.ok());
  EXPECT_THAT(args.status().message(), HasSubstr("--from needs a value"));
}

TEST(ArgsTest, GetIntNamesTheFlagOfABadNumber) {
  absl::StatusOr<Args> args = Parse({"--from=soon"});
  ASSERT_TRUE(args.ok());
  absl::StatusOr<int64_t> from = args->GetInt("from", 0);
  ASSERT_FALSE(from.ok());
  EXPECT_THAT(from.status().message(), HasSubstr("--from"));
}

}  // namespace
}  // namespace annals::cli
