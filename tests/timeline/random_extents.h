// Seeded random EDTF extents for property tests and benchmarks: exact days,
// months and years around 1998-2031, open ("..") and unknown ("") sides,
// instants, and approximate ("~") and uncertain ("?") dates.
#ifndef ANNALS_TESTS_TIMELINE_RANDOM_EXTENTS_H_
#define ANNALS_TESTS_TIMELINE_RANDOM_EXTENTS_H_

#include <cstdint>
#include <random>
#include <string>

#include "absl/strings/str_format.h"
#include "services/common/temporal/day.h"
#include "services/common/temporal/extent.h"

namespace annals::testing {

class RandomExtents {
 public:
  explicit RandomExtents(uint32_t seed) : random_(seed) {}

  // EDTF text that parses.
  std::string NextEdtf() {
    while (true) {
      std::string edtf = Side();
      if (Pick(5) != 0) edtf += "/" + Side();
      if (edtf.empty() || edtf == "/" || edtf == "../.." || edtf == "..") {
        continue;
      }
      if (temporal::Extent::Parse(edtf).ok()) return edtf;
    }
  }

  temporal::Extent Next() { return *temporal::Extent::Parse(NextEdtf()); }

  // A day in 1998-2031.
  temporal::Day RandomDay() {
    return temporal::DayFromCivil(1998, 1, 1) + Pick(34 * 365);
  }

  // 0 .. n-1.
  int Pick(int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(random_);
  }

 private:
  std::string Side() {
    switch (Pick(10)) {
      case 0:
        return "..";
      case 1:
        return "";
      default:
        break;
    }
    const absl::CivilDay day = temporal::CivilFromDay(RandomDay());
    std::string text = absl::StrFormat("%04d", day.year());
    const int precision = Pick(3);
    if (precision >= 1) text += absl::StrFormat("-%02d", day.month());
    if (precision >= 2) text += absl::StrFormat("-%02d", day.day());
    const int qualifier = Pick(12);
    if (qualifier == 0) text += "~";
    if (qualifier == 1) text += "?";
    return text;
  }

  std::mt19937 random_;
};

}  // namespace annals::testing

#endif  // ANNALS_TESTS_TIMELINE_RANDOM_EXTENTS_H_
