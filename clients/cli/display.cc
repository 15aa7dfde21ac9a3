#include "clients/cli/display.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace annals::cli {
namespace {

constexpr double kDaysPerYear = 365.2425;

// "1,156" for 1156.
std::string Grouped(int64_t n) {
  std::string digits = absl::StrCat(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return n < 0 ? absl::StrCat("-", out) : out;
}

// A month (1-12) or an EDTF season (21-24) by name; empty if neither.
std::string MonthName(int month) {
  static constexpr const char* kMonths[] = {
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  static constexpr const char* kSeasons[] = {"Spring", "Summer", "Autumn",
                                             "Winter"};
  if (month >= 1 && month <= 12) return kMonths[month - 1];
  if (month >= 21 && month <= 24) return kSeasons[month - 21];
  return "";
}

// "3.2 years", "1 year", "249 years": one decimal below ten years.
std::string Years(double years) {
  const bool decimal =
      years < 10 && std::fabs(years - std::round(years)) >= 0.05;
  std::string number = decimal
                           ? absl::StrFormat("%.1f", years)
                           : Grouped(static_cast<int64_t>(std::round(years)));
  return absl::StrCat(number, number == "1" ? " year" : " years");
}

std::string Days(int64_t days) {
  return absl::StrCat(Grouped(days), days == 1 ? " day" : " days");
}

// One side of an interval for a sentence: "…" open, "?" unknown.
std::string SidePhrase(absl::string_view side) {
  if (side.empty()) return "?";
  if (side == "..") return "…";
  return DateText(side);
}

}  // namespace

std::string StripCollection(const std::string& name) {
  size_t slash = name.find('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

std::string CertaintyText(annals::type::v1::Certainty certainty) {
  switch (certainty) {
    case annals::type::v1::CERTAINTY_DEFINITE:
      return "DEFINITE";
    case annals::type::v1::CERTAINTY_POSSIBLE:
      return "POSSIBLE";
    default:
      return "-";
  }
}

std::string DateText(absl::string_view date) {
  // Level-1 qualifiers close the date: keep them after the words.
  size_t end = date.size();
  while (end > 0 && (date[end - 1] == '?' || date[end - 1] == '~' ||
                     date[end - 1] == '%')) {
    --end;
  }
  const absl::string_view qualifiers = date.substr(end);
  const absl::string_view body = date.substr(0, end);
  if (body.empty() || body.find_first_of("XT/") != absl::string_view::npos) {
    return std::string(date);
  }
  int64_t year = 0;
  std::vector<absl::string_view> rest;
  if (body[0] == 'Y') {
    if (!absl::SimpleAtoi(body.substr(1), &year)) return std::string(date);
  } else {
    const bool negative = body[0] == '-';
    std::vector<absl::string_view> parts =
        absl::StrSplit(negative ? body.substr(1) : body, '-');
    if (parts.empty() || parts[0].size() != 4 ||
        !absl::SimpleAtoi(parts[0], &year)) {
      return std::string(date);
    }
    if (negative) year = -year;
    rest.assign(parts.begin() + 1, parts.end());
  }
  if (year > 0) return std::string(date);
  std::string text = absl::StrCat(Grouped(1 - year), " BC");
  int month = 0, day = 0;
  if (!rest.empty()) {
    if (!absl::SimpleAtoi(rest[0], &month) || MonthName(month).empty()) {
      return std::string(date);
    }
    text = absl::StrCat(MonthName(month), " ", text);
  }
  if (rest.size() > 1) {
    if (!absl::SimpleAtoi(rest[1], &day)) return std::string(date);
    text = absl::StrCat(day, " ", text);
  }
  return absl::StrCat(text, qualifiers);
}

std::string ExtentText(const annals::type::v1::Extent& extent) {
  if (!extent.edtf().empty()) {
    std::vector<std::string> sides;
    for (absl::string_view side : absl::StrSplit(extent.edtf(), '/')) {
      sides.push_back(DateText(side));
    }
    return absl::StrJoin(sides, "/");
  }
  const annals::type::v1::BoundDates& dates = extent.bound_dates();
  if (dates.earliest_start().empty() && dates.latest_start().empty() &&
      dates.earliest_end().empty() && dates.latest_end().empty()) {
    return "";
  }
  auto bound = [](const std::string& text) {
    return text.empty() ? std::string("?") : DateText(text);
  };
  auto side = [&](const std::string& earliest, const std::string& latest) {
    if (earliest == ".." && latest == "..") return std::string("..");
    if (!earliest.empty() && earliest == latest) return DateText(earliest);
    return absl::StrCat(bound(earliest), "..", bound(latest));
  };
  return absl::StrCat("start ",
                      side(dates.earliest_start(), dates.latest_start()),
                      ", end ", side(dates.earliest_end(), dates.latest_end()));
}

std::string ExtentPhrase(const annals::type::v1::Extent& extent) {
  const std::string& edtf = extent.edtf();
  if (edtf.empty()) return ExtentText(extent);
  const size_t slash = edtf.find('/');
  if (slash == std::string::npos) return DateText(edtf);
  return absl::StrCat(SidePhrase(absl::string_view(edtf).substr(0, slash)), "–",
                      SidePhrase(absl::string_view(edtf).substr(slash + 1)));
}

std::string BoundsText(const annals::type::v1::ExtentBounds& bounds) {
  auto range = [](const std::string& earliest, const std::string& latest,
                  const char* unbounded) {
    const std::string from = earliest.empty() ? unbounded : DateText(earliest);
    const std::string to = latest.empty() ? unbounded : DateText(latest);
    return from == to ? from : absl::StrCat(from, "..", to);
  };
  return absl::StrCat(
      "first day ", range(bounds.earliest_start(), bounds.latest_start(), "-∞"),
      ", last day ",
      range(bounds.earliest_last_day(), bounds.latest_last_day(), "∞"),
      bounds.uncertain() ? " (uncertain)" : "");
}

std::string RelationPhrase(absl::string_view relation) {
  static const auto* kVerbs = new std::set<std::string>{
      "meets", "overlaps", "starts", "finishes", "equals", "contains"};
  std::string phrase(relation);
  std::replace(phrase.begin(), phrase.end(), '_', ' ');
  return kVerbs->contains(phrase) ? phrase : absl::StrCat("is ", phrase);
}

std::string RelationSentence(const std::string& a, const std::string& b,
                             const std::vector<std::string>& relations,
                             bool definite) {
  if (relations.empty()) {
    return absl::StrCat(a, " and ", b,
                        " stand in no relation (one of them "
                        "holds on no day)");
  }
  std::vector<std::string> phrases;
  for (const std::string& relation : relations) {
    phrases.push_back(RelationPhrase(relation));
  }
  if (relations.size() == 1) {
    std::string phrase = phrases[0];
    if (!definite) {
      // "is possibly before", "possibly meets".
      phrase = absl::StartsWith(phrase, "is ")
                   ? absl::StrCat("is possibly ", phrase.substr(3))
                   : absl::StrCat("possibly ", phrase);
    }
    return absl::StrCat(a, " ", phrase, " ", b);
  }
  std::string listed = absl::StrJoin(
      std::vector<std::string>(phrases.begin(), phrases.end() - 1), ", ");
  return absl::StrCat(a, " possibly ", listed, " or ", phrases.back(), " ", b,
                      " (the dates allow each)");
}

std::string DurationText(const annals::timeline::v1::DurationRange& duration) {
  if (!duration.has_min_days()) return "open-ended";
  const int64_t min = duration.min_days();
  if (!duration.has_max_days()) {
    return absl::StrCat("at least ",
                        min < 365 ? Days(min) : Years(min / kDaysPerYear));
  }
  const int64_t max = duration.max_days();
  if (max < 365) {
    return min == max ? Days(min)
                      : absl::StrCat(Grouped(min), "–", Grouped(max), " days");
  }
  if (max < 10 * kDaysPerYear) {
    // Short enough that the days still matter: "about 1 year (362–391
    // days)".
    const std::string days =
        min == max ? Days(min)
                   : absl::StrCat(Grouped(min), "–", Grouped(max), " days");
    return absl::StrCat("about ", Years((min + max) / 2.0 / kDaysPerYear), " (",
                        days, ")");
  }
  const int64_t low = std::llround(min / kDaysPerYear);
  const int64_t high = std::llround(max / kDaysPerYear);
  if (low == high) return absl::StrCat("about ", Years(low));
  return absl::StrCat(Grouped(low), "–", Grouped(high), " years");
}

}  // namespace annals::cli
