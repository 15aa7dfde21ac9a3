#include "services/catalog/storage/keys.h"

#include <string>

#include "gtest/gtest.h"

namespace annals::catalog::keys {
namespace {

TEST(KeysTest, EncodedSequencesSortInNumericOrder) {
  const uint64_t values[] = {0, 1, 255, 256, 65535, 1ULL << 40, ~0ULL};
  for (size_t i = 1; i < std::size(values); ++i) {
    EXPECT_LT(EncodeSequence(values[i - 1]), EncodeSequence(values[i]))
        << values[i - 1] << " vs " << values[i];
  }
}

TEST(KeysTest, SequenceRoundTripsAndRejectsWrongLength) {
  EXPECT_EQ(DecodeSequence(EncodeSequence(123456789)), 123456789u);
  EXPECT_FALSE(DecodeSequence("short").has_value());
  EXPECT_FALSE(DecodeSequence(std::string(9, 'x')).has_value());
}

TEST(KeysTest, NormalizeNameFoldsCaseAndWhitespace) {
  EXPECT_EQ(NormalizeName("  NATO   Mission\tIraq "), "nato mission iraq");
  EXPECT_EQ(NormalizeName("NMI"), NormalizeName("nmi"));
  // Non-ASCII bytes are kept as they are.
  EXPECT_EQ(NormalizeName("Agüero"), "agüero");
}

TEST(KeysTest, PrefixOfOneNameDoesNotMatchALongerName) {
  // "nmi" must not find entries of "nmi ii".
  std::string prefix = NamePrefix("nmi");
  std::string longer = NameKey("nmi ii", "nmi-ii");
  EXPECT_FALSE(longer.compare(0, prefix.size(), prefix) == 0);
  std::string exact = NameKey("nmi", "nmi");
  EXPECT_TRUE(exact.compare(0, prefix.size(), prefix) == 0);
}

TEST(KeysTest, SubjectPrefixWithPredicateSelectsOnlyThatPredicate) {
  std::string prefix = SubjectPrefix("nmi", "commander");
  EXPECT_EQ(SubjectKey("nmi", "commander", "s1").rfind(prefix, 0), 0u);
  EXPECT_NE(SubjectKey("nmi", "commander_of", "s1").rfind(prefix, 0), 0u);
  EXPECT_NE(SubjectKey("nmi-ii", "commander", "s1")
                .rfind(SubjectPrefix("nmi", ""), 0),
            0u);
}

TEST(KeysTest, IndexTargetIsTheLastComponent) {
  EXPECT_EQ(IndexTarget(SubjectKey("nmi", "commander", "s-12")), "s-12");
  EXPECT_EQ(IndexTarget(KindKey("person", "per-olsen")), "per-olsen");
}

TEST(KeysTest, PrefixEndIsTheFirstKeyPastThePrefix) {
  EXPECT_EQ(PrefixEnd("abc"), "abd");
  EXPECT_EQ(PrefixEnd(std::string("a\xff", 2)), "b");
  EXPECT_EQ(PrefixEnd(std::string("\xff\xff", 2)), "");
}

}  // namespace
}  // namespace annals::catalog::keys
