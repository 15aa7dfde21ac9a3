// How the `annals` tool writes values for people: dates (years before Christ
// as "44 BC"), extents, durations in the largest sensible unit, certainty
// and Allen relations in plain English. Pure functions; the JSON output
// never goes through them.
#ifndef ANNALS_CLIENTS_CLI_DISPLAY_H_
#define ANNALS_CLIENTS_CLI_DISPLAY_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "annals/timeline/v1/timeline_service.pb.h"
#include "annals/type/v1/extent.pb.h"

namespace annals::cli {

// "nmi" for "entities/nmi".
std::string StripCollection(const std::string& name);

// "DEFINITE", "POSSIBLE", or "-".
std::string CertaintyText(annals::type::v1::Certainty certainty);

// One EDTF date as written, except that a year before 1 AD (astronomical
// 0 and below) reads as BC: "-0043-03-15" is "15 March 44 BC", "-0499~" is
// "500 BC~", "Y-12345" is "12346 BC". Dates from 1 AD on, "..", and
// anything that is not a plain date come back unchanged.
std::string DateText(absl::string_view date);

// An extent in the catalog's terms: its EDTF text (dates through DateText,
// the "/" kept), or for one given by bound dates "start 1100..1200, end
// 1450..1500" (? where a bound is unknown).
std::string ExtentText(const annals::type::v1::Extent& extent);

// An extent for a sentence: "2004–2011-12-31", "2018-10–…" (open),
// "?–2011" (unknown start), "500 BC–400 BC".
std::string ExtentPhrase(const annals::type::v1::Extent& extent);

// The days an extent's bounds allow: "first day 2004-01-01..2004-12-31,
// last day 2011-12-31"; an unbounded side is -∞ or ∞.
std::string BoundsText(const annals::type::v1::ExtentBounds& bounds);

// An Allen relation as a verb phrase: "meets", "is before", "is met by".
std::string RelationPhrase(absl::string_view relation);

// "NTM-I (2004–2011-12-31) is before NMI (2018-10–…)"; when the dates
// allow several relations, "possibly" and each of them ("A possibly
// overlaps, meets or is before B").
std::string RelationSentence(const std::string& a, const std::string& b,
                             const std::vector<std::string>& relations,
                             bool definite);

// A duration in the largest sensible unit: "1 day", "163 days" (under a
// year), "about 1 year (362–391 days)", "about 3.2 years (1,156 days)"
// (under ten years, with the days), "249–251 years", "at least 12 years".
std::string DurationText(const annals::timeline::v1::DurationRange& duration);

}  // namespace annals::cli

#endif  // ANNALS_CLIENTS_CLI_DISPLAY_H_
