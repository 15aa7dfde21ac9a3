#include "services/catalog/feed_slots.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace annals::catalog {
namespace {

using ::annals::testing::IsOk;
using ::annals::testing::StatusIs;
using ::testing::HasSubstr;

TEST(PeerAddressTest, DropsTheSchemeAndPort) {
  EXPECT_EQ(PeerAddress("ipv4:10.0.0.7:5123"), "10.0.0.7");
  EXPECT_EQ(PeerAddress("ipv6:[::1]:5123"), "::1");
  EXPECT_EQ(PeerAddress("ipv6:%5B::1%5D:5123"), "::1");
  EXPECT_EQ(PeerAddress("ipv6:[2001:db8::2]:443"), "2001:db8::2");
}

TEST(PeerAddressTest, CountsIpv4MappedAddressesAsIpv4) {
  EXPECT_EQ(PeerAddress("ipv6:[::ffff:127.0.0.1]:5123"), "127.0.0.1");
  EXPECT_EQ(PeerAddress("ipv6:%5B::ffff:10.0.0.7%5D:1"), "10.0.0.7");
}

TEST(PeerAddressTest, KeepsOtherPeersWhole) {
  EXPECT_EQ(PeerAddress("unix:/tmp/catalog.sock"), "unix:/tmp/catalog.sock");
  EXPECT_EQ(PeerAddress(""), "");
}

TEST(FeedSlotsTest, AnonymousCallersAreCappedPerAddress) {
  FeedSlots slots({.max_streams = 10, .max_streams_per_peer = 3}, false);
  std::vector<FeedSlots::Ticket> held;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<FeedSlots::Ticket> ticket =
        slots.Acquire(absl::StrCat("ipv4:10.0.0.1:", 4000 + i), false);
    ASSERT_THAT(ticket, IsOk());
    held.push_back(*ticket);
  }
  EXPECT_THAT(slots.Acquire("ipv4:10.0.0.1:5000", false),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       "too many change-feed streams from 10.0.0.1 "
                       "(--max_streams_per_peer=3); close some or try later"));
  // Another address still gets its own.
  EXPECT_THAT(slots.Acquire("ipv4:10.0.0.2:4000", false), IsOk());
  // A slot given back is free again.
  slots.Release(held.back());
  EXPECT_THAT(slots.Acquire("ipv4:10.0.0.1:5001", false), IsOk());
  EXPECT_EQ(slots.open(), 4);
}

TEST(FeedSlotsTest, TheTotalAppliesToEveryone) {
  FeedSlots slots({.max_streams = 2, .max_streams_per_peer = 0}, false);
  ASSERT_THAT(slots.Acquire("ipv4:10.0.0.1:1", false), IsOk());
  ASSERT_THAT(slots.Acquire("ipv4:10.0.0.2:1", true), IsOk());
  EXPECT_THAT(slots.Acquire("ipv4:10.0.0.3:1", true),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       "too many change-feed streams (--max_streams=2); "
                       "try later"));
}

TEST(FeedSlotsTest, ReservedSlotsAreLeftForCallersWithTheToken) {
  FeedSlots slots(
      {.max_streams = 6, .max_streams_per_peer = 0, .reserved_streams = 2},
      /*tokens=*/true);
  // Anonymous callers from many addresses take what they may...
  for (int i = 0; i < 4; ++i) {
    ASSERT_THAT(slots.Acquire(absl::StrCat("ipv4:10.0.1.", i, ":1"), false),
                IsOk());
  }
  EXPECT_THAT(
      slots.Acquire("ipv4:10.0.1.9:1", false),
      StatusIs(absl::StatusCode::kResourceExhausted,
               HasSubstr("(--max_streams=6 less --reserved_streams=2 kept "
                         "for callers presenting it)")));
  // ...and the followers still get theirs, from any address.
  EXPECT_THAT(slots.Acquire("ipv4:10.0.1.0:2", true), IsOk());
  EXPECT_THAT(slots.Acquire("ipv4:10.0.1.0:3", true), IsOk());
  EXPECT_THAT(slots.Acquire("ipv4:10.0.1.0:4", true),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("--max_streams=6")));
}

TEST(FeedSlotsTest, CallersWithTheTokenAreNotCappedPerAddress) {
  FeedSlots slots(
      {.max_streams = 10, .max_streams_per_peer = 1, .reserved_streams = 2},
      true);
  for (int i = 0; i < 5; ++i) {
    EXPECT_THAT(slots.Acquire("ipv4:127.0.0.1:1", true), IsOk());
  }
  EXPECT_THAT(slots.Acquire("ipv4:127.0.0.1:1", false), IsOk());
  EXPECT_THAT(slots.Acquire("ipv4:127.0.0.1:1", false),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("--max_streams_per_peer=1")));
}

TEST(FeedSlotsTest, NothingIsReservedWithoutTokens) {
  FeedSlots slots(
      {.max_streams = 2, .max_streams_per_peer = 0, .reserved_streams = 2},
      /*tokens=*/false);
  EXPECT_THAT(slots.Acquire("ipv4:10.0.0.1:1", false), IsOk());
  EXPECT_THAT(slots.Acquire("ipv4:10.0.0.1:2", false), IsOk());
}

TEST(FeedSlotsTest, AReserveOfEverySlotKeepsAnonymousCallersOut) {
  FeedSlots slots(
      {.max_streams = 2, .max_streams_per_peer = 0, .reserved_streams = 5},
      true);
  EXPECT_THAT(slots.Acquire("ipv4:10.0.0.1:1", false),
              StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(slots.Acquire("ipv4:10.0.0.1:1", true), IsOk());
}

}  // namespace
}  // namespace annals::catalog
