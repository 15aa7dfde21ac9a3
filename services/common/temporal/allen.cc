#include "services/common/temporal/allen.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "services/common/temporal/day.h"
#include "services/common/temporal/extent.h"

namespace annals::temporal {
namespace {

constexpr std::string_view kNames[kAllenRelationCount] = {
    "before",        "meets",  "overlaps",    "starts",   "during",
    "finishes",      "equals", "finished_by", "contains", "started_by",
    "overlapped_by", "met_by", "after"};

// The nodes of the constraint graph: a zero node and the four endpoints.
enum Node { kZero = 0, kS1 = 1, kE1 = 2, kS2 = 3, kE2 = 4 };
constexpr int kNodes = 5;

// One comparison between endpoints: x < y, or x == y when `equal`.
struct Atom {
  Node x;
  bool equal;
  Node y;
};
constexpr Atom Less(Node x, Node y) { return Atom{x, false, y}; }
constexpr Atom Same(Node x, Node y) { return Atom{x, true, y}; }

// Each relation as a conjunction of at most three comparisons, indexed by
// AllenRelation.
struct Definition {
  int size;
  Atom atoms[3];
};
constexpr Definition kDefinitions[kAllenRelationCount] = {
    // before: e1 < s2
    {1, {Less(kE1, kS2)}},
    // meets: e1 = s2
    {1, {Same(kE1, kS2)}},
    // overlaps: s1 < s2 < e1 < e2
    {3, {Less(kS1, kS2), Less(kS2, kE1), Less(kE1, kE2)}},
    // starts: s1 = s2, e1 < e2
    {2, {Same(kS1, kS2), Less(kE1, kE2)}},
    // during: s2 < s1, e1 < e2
    {2, {Less(kS2, kS1), Less(kE1, kE2)}},
    // finishes: s2 < s1, e1 = e2
    {2, {Less(kS2, kS1), Same(kE1, kE2)}},
    // equals: s1 = s2, e1 = e2
    {2, {Same(kS1, kS2), Same(kE1, kE2)}},
    // finished_by: s1 < s2, e1 = e2
    {2, {Less(kS1, kS2), Same(kE1, kE2)}},
    // contains: s1 < s2, e2 < e1
    {2, {Less(kS1, kS2), Less(kE2, kE1)}},
    // started_by: s1 = s2, e2 < e1
    {2, {Same(kS1, kS2), Less(kE2, kE1)}},
    // overlapped_by: s2 < s1 < e2 < e1
    {3, {Less(kS2, kS1), Less(kS1, kE2), Less(kE2, kE1)}},
    // met_by: e2 = s1
    {1, {Same(kE2, kS1)}},
    // after: e2 < s1
    {1, {Less(kE2, kS1)}},
};

// "No constraint". Real weights are day differences, far smaller.
constexpr int64_t kNoEdge = int64_t{1} << 60;

// Where an endpoint lies on the extended line: an open start is exactly
// minus infinity, an open end exactly plus infinity, anything else finite.
enum class Rank { kMinusInfinity = 0, kFinite = 1, kPlusInfinity = 2 };

// Shortest-path closure of the difference constraints x_j - x_i <= w[i][j].
class Constraints {
 public:
  Constraints() {
    for (auto& row : w_) row.fill(kNoEdge);
    for (int i = 0; i < kNodes; ++i) w_[i][i] = 0;
  }

  // Adds x_to - x_from <= weight and re-closes. Returns false, leaving the
  // closure unusable, if that makes the system unsatisfiable.
  bool Add(int from, int to, int64_t weight) {
    // A negative cycle through the new edge: to ~> from ~> to.
    if (w_[to][from] != kNoEdge && w_[to][from] + weight < 0) return false;
    for (int i = 0; i < kNodes; ++i) {
      if (w_[i][from] == kNoEdge) continue;
      for (int j = 0; j < kNodes; ++j) {
        if (w_[to][j] == kNoEdge) continue;
        w_[i][j] = std::min(w_[i][j], w_[i][from] + weight + w_[to][j]);
      }
    }
    return true;
  }

 private:
  std::array<std::array<int64_t, kNodes>, kNodes> w_;
};

Rank StartRank(const Extent& e) {
  return e.open_start() ? Rank::kMinusInfinity : Rank::kFinite;
}
Rank EndRank(const Extent& e) {
  return e.open_end() ? Rank::kPlusInfinity : Rank::kFinite;
}

// Adds the admissible region of extent `e` with endpoint nodes s and e.
// Returns false if unsatisfiable (never for a valid extent).
bool AddExtent(const Extent& extent, Node s, Node e, Constraints& c) {
  const bool finite_start = !extent.open_start();
  const bool finite_end = !extent.open_end();
  if (finite_start) {
    if (IsFinite(extent.earliest_start()) &&
        !c.Add(s, kZero, -int64_t{extent.earliest_start()})) {
      return false;
    }
    if (!c.Add(kZero, s, extent.latest_start())) return false;
  }
  if (finite_end) {
    if (!c.Add(e, kZero, -int64_t{extent.earliest_end()})) return false;
    if (IsFinite(extent.latest_end()) &&
        !c.Add(kZero, e, extent.latest_end())) {
      return false;
    }
  }
  if (finite_start && finite_end) {
    if (!c.Add(e, s, -1)) return false;                     // s - e <= -1
    if (extent.instant() && !c.Add(s, e, 1)) return false;  // e - s <= 1
  }
  return true;
}

}  // namespace

std::string_view AllenRelationName(AllenRelation relation) {
  return kNames[static_cast<int>(relation)];
}

std::optional<AllenRelation> AllenRelationFromName(std::string_view name) {
  for (int i = 0; i < kAllenRelationCount; ++i) {
    if (kNames[i] == name) return static_cast<AllenRelation>(i);
  }
  return std::nullopt;
}

AllenRelation Inverse(AllenRelation relation) {
  // The enum lists each relation's inverse at the mirrored position.
  return static_cast<AllenRelation>(kAllenRelationCount - 1 -
                                    static_cast<int>(relation));
}

int AllenSet::size() const { return std::popcount(bits_); }

std::optional<AllenRelation> AllenSet::single() const {
  if (size() != 1) return std::nullopt;
  return static_cast<AllenRelation>(std::countr_zero(bits_));
}

AllenSet AllenSet::Inverse() const {
  AllenSet inverse;
  for (int i = 0; i < kAllenRelationCount; ++i) {
    const auto r = static_cast<AllenRelation>(i);
    if (Contains(r)) inverse.Insert(annals::temporal::Inverse(r));
  }
  return inverse;
}

std::string AllenSet::ToString() const {
  std::string text = "{";
  bool first = true;
  for (int i = 0; i < kAllenRelationCount; ++i) {
    if (!Contains(static_cast<AllenRelation>(i))) continue;
    if (!first) text += ", ";
    text += kNames[i];
    first = false;
  }
  return text + "}";
}

std::ostream& operator<<(std::ostream& os, AllenRelation relation) {
  return os << AllenRelationName(relation);
}

std::ostream& operator<<(std::ostream& os, AllenSet set) {
  return os << set.ToString();
}

AllenSet Relate(const Extent& a, const Extent& b) {
  Constraints base;
  if (!AddExtent(a, kS1, kE1, base) || !AddExtent(b, kS2, kE2, base)) {
    return AllenSet();  // Unreachable for valid extents.
  }
  Rank rank[kNodes] = {Rank::kFinite, StartRank(a), EndRank(a), StartRank(b),
                       EndRank(b)};
  AllenSet result;
  for (int r = 0; r < kAllenRelationCount; ++r) {
    const Definition& definition = kDefinitions[r];
    Constraints c = base;
    bool satisfiable = true;
    for (int i = 0; i < definition.size && satisfiable; ++i) {
      const Atom& atom = definition.atoms[i];
      const Rank x = rank[atom.x];
      const Rank y = rank[atom.y];
      if (x != Rank::kFinite || y != Rank::kFinite) {
        // An infinite endpoint is the same in every reading and differs from
        // every finite one, so the comparison is decided by the ranks.
        satisfiable = atom.equal ? x == y : x < y;
      } else if (atom.equal) {
        satisfiable = c.Add(atom.y, atom.x, 0) && c.Add(atom.x, atom.y, 0);
      } else {
        satisfiable = c.Add(atom.y, atom.x, -1);  // x - y <= -1
      }
    }
    if (satisfiable) result.Insert(static_cast<AllenRelation>(r));
  }
  return result;
}

Certainty RelationCertainty(const Extent& a, AllenRelation relation,
                            const Extent& b) {
  const AllenSet set = Relate(a, b);
  if (!set.Contains(relation)) return Certainty::kNo;
  if (set.size() == 1 && !a.uncertain() && !b.uncertain()) {
    return Certainty::kDefinite;
  }
  return Certainty::kPossible;
}

}  // namespace annals::temporal
