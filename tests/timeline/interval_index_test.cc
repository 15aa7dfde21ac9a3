// IntervalIndex against a linear scan on seeded random extents, and the
// index entries' certainty answers against the temporal library.
#include "services/timeline/interval_index.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/temporal/day.h"
#include "services/common/temporal/extent.h"
#include "tests/timeline/random_extents.h"

namespace annals::timeline {
namespace {

using temporal::Certainty;
using temporal::Day;
using temporal::Extent;
using temporal::kMinusInfinity;
using temporal::kPlusInfinity;

Extent E(std::string_view edtf) {
  absl::StatusOr<Extent> extent = Extent::Parse(edtf);
  EXPECT_TRUE(extent.ok()) << edtf << ": " << extent.status();
  return *extent;
}

Day D(int y, int m, int d) { return temporal::DayFromCivil(y, m, d); }

using ::annals::testing::RandomExtents;

struct Item {
  Extent extent;
  uint32_t id;
  bool retired = false;
};

// Inserts n random extents under ids 0 .. n-1, into `items` and `index`.
void InsertRandomItems(RandomExtents& random, int n, std::vector<Item>& items,
                       IntervalIndex& index) {
  for (int i = 0; i < n; ++i) {
    items.push_back(Item{random.Next(), static_cast<uint32_t>(i)});
    index.Insert(items.back().extent, items.back().id);
  }
}

std::set<uint32_t> Brute(const std::vector<Item>& items, Day from, Day to) {
  std::set<uint32_t> ids;
  for (const Item& item : items) {
    if (item.extent.earliest_start() < to && item.extent.latest_end() > from &&
        from < to) {
      ids.insert(item.id);
    }
  }
  return ids;
}

std::set<uint32_t> Query(const IntervalIndex& index, Day from, Day to) {
  std::set<uint32_t> ids;
  index.ForEachOverlapping(from, to, [&](const IndexedExtent& e) {
    EXPECT_TRUE(ids.insert(e.id()).second) << "reported twice: " << e.id();
  });
  return ids;
}

TEST(IntervalIndexTest, EmptyIndexFindsNothing) {
  IntervalIndex index;
  EXPECT_TRUE(Query(index, kMinusInfinity, kPlusInfinity).empty());
  index.Compact();
  EXPECT_TRUE(Query(index, kMinusInfinity, kPlusInfinity).empty());
}

TEST(IntervalIndexTest, BothTenuresAreFoundOnTheirHandoverDay) {
  IntervalIndex index;
  index.Insert(E("2020-11-24/2021-05-06"), 1);  // Olsen
  index.Insert(E("2021-05-06/2022-05"), 2);     // Lollesgaard
  index.Compact();
  // Queries are half-open [from, to): the handover day alone.
  EXPECT_THAT(Query(index, D(2021, 5, 6), D(2021, 5, 7)),
              ::testing::UnorderedElementsAre(1, 2));
  EXPECT_THAT(Query(index, D(2021, 5, 5), D(2021, 5, 6)),
              ::testing::ElementsAre(1));
  EXPECT_THAT(Query(index, D(2021, 5, 7), D(2021, 5, 8)),
              ::testing::ElementsAre(2));
  EXPECT_TRUE(Query(index, D(2021, 5, 6), D(2021, 5, 6)).empty());
}

// Every size from 0 to 300 (all shapes of the implicit tree, with and
// without a delta buffer), and then a large index with live inserts.
TEST(IntervalIndexTest, OverlapQueriesMatchALinearScanForEverySize) {
  RandomExtents random(20240524);
  for (int n = 0; n <= 300; ++n) {
    std::vector<Item> items;
    IntervalIndex index;
    InsertRandomItems(random, n, items, index);
    if (n % 2 == 0) index.Compact();  // odd sizes keep a delta buffer
    ASSERT_EQ(index.size(), static_cast<size_t>(n));
    for (int q = 0; q < 20; ++q) {
      const Day from =
          random.Pick(8) == 0 ? kMinusInfinity : random.RandomDay();
      const Day to = random.Pick(8) == 0      ? kPlusInfinity
                     : from == kMinusInfinity ? random.RandomDay()
                                              : from + 1 + random.Pick(800);
      ASSERT_EQ(Query(index, from, to), Brute(items, from, to))
          << "n=" << n << " window [" << temporal::FormatDay(from) << ", "
          << temporal::FormatDay(to) << ")";
    }
  }
}

TEST(IntervalIndexTest, LiveInsertsAndRetirementsMatchALinearScan) {
  RandomExtents random(7);
  std::vector<Item> items;
  IntervalIndex index;
  for (uint32_t id = 0; id < 20000; ++id) {
    items.push_back(Item{random.Next(), id});
    index.Insert(items.back().extent, id);
    if (random.Pick(4) == 0) {  // retire a random earlier entry
      Item& victim = items[random.Pick(static_cast<int>(items.size()))];
      const bool found = index.Retire(victim.extent, victim.id);
      ASSERT_TRUE(found) << victim.id;
      victim.retired = true;
    }
    if (id % 997 == 0) {
      const Day day = random.RandomDay();
      ASSERT_EQ(Query(index, day, day + 1), Brute(items, day, day + 1));
    }
  }
  for (int q = 0; q < 200; ++q) {
    const Day from = random.RandomDay();
    const Day to = from + 1 + random.Pick(2000);
    std::set<uint32_t> retired;
    index.ForEachOverlapping(from, to, [&](const IndexedExtent& e) {
      if (e.retired()) retired.insert(e.id());
    });
    std::set<uint32_t> expected_retired;
    for (const Item& item : items) {
      if (item.retired && item.extent.earliest_start() < to &&
          item.extent.latest_end() > from) {
        expected_retired.insert(item.id);
      }
    }
    ASSERT_EQ(Query(index, from, to), Brute(items, from, to));
    ASSERT_EQ(retired, expected_retired);
  }
}

TEST(IntervalIndexTest, RetireOfAnUnknownEntryChangesNothing) {
  IntervalIndex index;
  index.Insert(E("2018-10/.."), 3);
  EXPECT_FALSE(index.Retire(E("2018-10/.."), 4));
  EXPECT_FALSE(index.Retire(E("2000-01-01/.."), 3));
  EXPECT_FALSE(index.Retire(E("2018-10/2019"), 3));  // the same start
  index.Compact();
  EXPECT_FALSE(index.Retire(E("2000-01-01/.."), 3));
  EXPECT_FALSE(index.Retire(E("2018-10/2019"), 3));
  EXPECT_TRUE(index.Retire(E("2018-10/.."), 3));
  index.ForEachOverlapping(
      kMinusInfinity, kPlusInfinity,
      [](const IndexedExtent& e) { EXPECT_TRUE(e.retired()); });
}

TEST(IntervalIndexTest, EntryCertaintyAgreesWithTheTemporalLibrary) {
  RandomExtents random(11);
  for (int i = 0; i < 3000; ++i) {
    const Extent extent = random.Next();
    const IndexedExtent entry = IndexedExtent::Of(extent, 5);
    EXPECT_EQ(entry.id(), 5u);
    EXPECT_EQ(entry.uncertain(), extent.uncertain());
    for (int q = 0; q < 10; ++q) {
      const Day day = random.RandomDay();
      ASSERT_EQ(entry.HoldsOn(day), extent.HoldsOn(day))
          << extent.DebugString() << " on " << temporal::FormatDay(day);
      const Day from = random.Pick(10) == 0 ? kMinusInfinity : day;
      const Day to =
          random.Pick(10) == 0 ? kPlusInfinity : day + random.Pick(400);
      ASSERT_EQ(entry.Overlaps(from, to), extent.Overlaps(from, to))
          << extent.DebugString() << " over [" << temporal::FormatDay(from)
          << ", " << temporal::FormatDay(to) << ")";
    }
  }
}

// What CountOverlapping must return: IndexedExtent::Overlaps tallied over
// the live items.
OverlapCount BruteCount(const std::vector<Item>& items, Day from, Day to) {
  OverlapCount count;
  for (const Item& item : items) {
    if (item.retired) continue;
    switch (IndexedExtent::Of(item.extent, item.id).Overlaps(from, to)) {
      case Certainty::kDefinite:
        ++count.definite;
        break;
      case Certainty::kPossible:
        ++count.possible;
        break;
      case Certainty::kNo:
        break;
    }
  }
  return count;
}

::testing::AssertionResult CountsAgree(const IntervalIndex& index,
                                       const std::vector<Item>& items, Day from,
                                       Day to) {
  const OverlapCount got = index.CountOverlapping(from, to);
  const OverlapCount want = BruteCount(items, from, to);
  if (got.definite == want.definite && got.possible == want.possible) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "window [" << temporal::FormatDay(from) << ", "
         << temporal::FormatDay(to) << "): counted " << got.definite << "+"
         << got.possible << ", a scan finds " << want.definite << "+"
         << want.possible;
}

// Windows of one, two and three days (where extents without a certain core
// start to count as definite), a month, a year, open-ended and random.
Day RandomWindowEnd(RandomExtents& random, Day from) {
  static constexpr int kLengths[] = {1, 2, 3, 31, 366};
  if (random.Pick(8) == 0) return kPlusInfinity;
  if (from == kMinusInfinity) return random.RandomDay();
  if (random.Pick(2) == 0) return from + kLengths[random.Pick(5)];
  return from + 1 + random.Pick(800);
}

TEST(IntervalIndexTest, WalkByStartTakesTheEarliestStartingMatches) {
  RandomExtents random(1815);
  for (int round = 0; round < 40; ++round) {
    std::vector<Item> items;
    IntervalIndex index;
    const int n = random.Pick(4000);
    for (int i = 0; i < n; ++i) {
      items.push_back(Item{random.Next(), static_cast<uint32_t>(i)});
      index.Insert(items.back().extent, items.back().id);
      if (random.Pick(5) == 0) {
        Item& victim = items[random.Pick(static_cast<int>(items.size()))];
        ASSERT_TRUE(index.Retire(victim.extent, victim.id));
        victim.retired = true;
      }
    }
    if (round % 2 == 0) index.Compact();  // odd rounds keep a delta buffer
    for (int q = 0; q < 25; ++q) {
      const Day from =
          random.Pick(8) == 0 ? kMinusInfinity : random.RandomDay();
      const Day to = RandomWindowEnd(random, from);
      // A page token's start: none, or a day near the window's start.
      const Day min_start = random.Pick(2) == 0 || from == kMinusInfinity
                                ? kMinusInfinity
                                : from + random.Pick(60) - 30;
      const size_t enough = 1 + random.Pick(120);
      // A stand-in for the caller's own filter: live, and not every third.
      auto wanted = [&](uint32_t id) {
        return !items[id].retired && id % 3 != 0;
      };
      std::set<uint32_t> taken;
      index.ForEachOverlappingByStart(
          from, to, min_start, enough, [&](const IndexedExtent& e) {
            EXPECT_LT(e.earliest_start, to);
            EXPECT_GT(e.latest_end, from);
            EXPECT_GE(e.earliest_start, min_start);
            EXPECT_TRUE(taken.insert(e.id()).second) << "twice: " << e.id();
            return wanted(e.id());
          });
      // The `enough` first matches in an order led by the four bounds were
      // all seen, whatever breaks ties: here the id, backwards (the index
      // keeps ties by id, forwards).
      using Bounds = std::tuple<Day, Day, Day, Day>;
      std::vector<std::pair<Bounds, uint32_t>> matches;
      for (uint32_t id : Brute(items, from, to)) {
        const Extent& e = items[id].extent;
        if (e.earliest_start() >= min_start && wanted(id)) {
          matches.emplace_back(Bounds{e.earliest_start(), e.latest_start(),
                                      e.earliest_end(), e.latest_end()},
                               id);
        }
      }
      std::sort(matches.begin(), matches.end(),
                [](const auto& a, const auto& b) {
                  if (a.first != b.first) return a.first < b.first;
                  return a.second > b.second;
                });
      for (size_t i = 0; i < std::min(enough, matches.size()); ++i) {
        ASSERT_TRUE(taken.contains(matches[i].second))
            << "round " << round << " query " << q << ": match " << i << " of "
            << matches.size() << " (enough=" << enough << ") was skipped";
      }
    }
  }
}

TEST(IntervalIndexTest, CountsMatchALinearScanForEverySize) {
  RandomExtents random(1949);
  for (int n = 0; n <= 300; ++n) {
    std::vector<Item> items;
    IntervalIndex index;
    InsertRandomItems(random, n, items, index);
    if (n % 2 == 0) index.Compact();  // odd sizes count a delta buffer
    for (int q = 0; q < 20; ++q) {
      const Day from =
          random.Pick(8) == 0 ? kMinusInfinity : random.RandomDay();
      ASSERT_TRUE(
          CountsAgree(index, items, from, RandomWindowEnd(random, from)))
          << "n=" << n;
    }
  }
}

TEST(IntervalIndexTest, CountsFollowLiveInsertsRetirementsAndMerges) {
  RandomExtents random(2014);
  std::vector<Item> items;
  IntervalIndex index;
  for (uint32_t id = 0; id < 20000; ++id) {
    items.push_back(Item{random.Next(), id});
    index.Insert(items.back().extent, id);
    if (random.Pick(3) == 0) {
      Item& victim = items[random.Pick(static_cast<int>(items.size()))];
      ASSERT_TRUE(index.Retire(victim.extent, victim.id));
      victim.retired = true;
    }
    // Checked often enough to see each state: entries in the delta buffer,
    // retired since the last merge, and retired again.
    if (id % 211 == 0) {
      const Day from = random.RandomDay();
      ASSERT_TRUE(
          CountsAgree(index, items, from, RandomWindowEnd(random, from)))
          << "after " << id + 1 << " inserts";
    }
  }
  index.Compact();
  for (int q = 0; q < 200; ++q) {
    const Day from = random.RandomDay();
    ASSERT_TRUE(CountsAgree(index, items, from, RandomWindowEnd(random, from)));
  }
}

TEST(IntervalIndexTest, AnEventDatedByMonthIsDefiniteOnlyOverItsWholeMonth) {
  // "2018-11" has no day on which it certainly holds (latest_start is the
  // 30th, earliest_end the 2nd), but every reading overlaps November.
  IntervalIndex index;
  index.Insert(E("2018-11"), 1);
  index.Insert(E("2018-10-05/2019-02"), 2);
  index.Compact();
  const OverlapCount day =
      index.CountOverlapping(D(2018, 11, 15), D(2018, 11, 16));
  EXPECT_EQ(day.definite, 1);  // the tenure
  EXPECT_EQ(day.possible, 1);  // the event
  const OverlapCount month =
      index.CountOverlapping(D(2018, 11, 1), D(2018, 12, 1));
  EXPECT_EQ(month.definite, 2);
  EXPECT_EQ(month.possible, 0);
  const OverlapCount most_of_it =
      index.CountOverlapping(D(2018, 11, 2), D(2018, 12, 1));
  EXPECT_EQ(most_of_it.definite, 1);
  EXPECT_EQ(most_of_it.possible, 1);
}

TEST(IntervalIndexTest, RetiringTwiceCountsOnce) {
  IntervalIndex index;
  index.Insert(E("2020-11-24/2021-05-06"), 1);
  index.Insert(E("2021-05-06/2022-05-24"), 2);
  index.Compact();
  ASSERT_TRUE(index.Retire(E("2020-11-24/2021-05-06"), 1));
  ASSERT_TRUE(index.Retire(E("2020-11-24/2021-05-06"), 1));
  const OverlapCount all =
      index.CountOverlapping(kMinusInfinity, kPlusInfinity);
  EXPECT_EQ(all.definite, 1);
  EXPECT_EQ(all.possible, 0);
}

TEST(IntervalIndexTest, MemoryIsFortyBytesPerLiveCertainEntry) {
  IntervalIndex index;
  for (uint32_t id = 0; id < 10000; ++id) index.Insert(E("2021/.."), id);
  index.Compact();
  // 24 bytes per entry, plus 4 per counting array (the outer bounds and
  // the certain core); the sorted arrays are allocated exactly, and the
  // delta buffer keeps its capacity for the next inserts.
  EXPECT_LE(index.MemoryBytes(), 10000 * 40 + 1024 * 24 + sizeof(index));
}

}  // namespace
}  // namespace annals::timeline
