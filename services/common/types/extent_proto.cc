#include "services/common/types/extent_proto.h"

#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/common/temporal/day.h"

namespace annals {
namespace {

// Empty for an unbounded side, and for a bound at the calendar's ends (where
// an unknown side stops only because the calendar does).
std::string BoundText(temporal::Day day) {
  if (!temporal::IsFinite(day) || temporal::IsCalendarEdge(day)) return "";
  return temporal::FormatDay(day);
}

std::string_view Std(absl::string_view text) {
  return std::string_view(text.data(), text.size());
}

bool HasBoundDates(const type::v1::BoundDates& dates) {
  return !dates.earliest_start().empty() || !dates.latest_start().empty() ||
         !dates.earliest_end().empty() || !dates.latest_end().empty();
}

absl::Status Prefixed(absl::string_view prefix, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat(prefix, status.message()));
}

}  // namespace

void SetBounds(const temporal::Extent& extent, type::v1::Extent* proto) {
  type::v1::ExtentBounds* bounds = proto->mutable_bounds();
  bounds->set_earliest_start(BoundText(extent.earliest_start()));
  bounds->set_latest_start(BoundText(extent.latest_start()));
  bounds->set_earliest_last_day(BoundText(extent.earliest_last_day()));
  bounds->set_latest_last_day(BoundText(extent.latest_last_day()));
  bounds->set_earliest_end(BoundText(extent.earliest_end()));
  bounds->set_latest_end(BoundText(extent.latest_end()));
  bounds->set_uncertain(extent.uncertain());
  bounds->set_instant(extent.instant());
}

type::v1::Extent ToExtentProto(const temporal::Extent& extent) {
  type::v1::Extent proto;
  proto.set_edtf(extent.ToEdtf());
  SetBounds(extent, &proto);
  return proto;
}

absl::StatusOr<type::v1::Extent> ParseExtentProto(absl::string_view edtf) {
  absl::StatusOr<temporal::Extent> extent = temporal::Extent::Parse(Std(edtf));
  if (!extent.ok()) return extent.status();
  type::v1::Extent proto = ToExtentProto(*extent);
  // A date-time's time and zone say more than the day the extent keeps.
  if (edtf.find('T') != absl::string_view::npos) {
    proto.set_edtf(std::string(edtf));
  }
  return proto;
}

namespace {

// FromExtentProto, with the offending part of the message in `*field`
// ("edtf", "bound_dates", "bound_dates.latest_end") and the bare reason in
// the status.
absl::StatusOr<temporal::Extent> ExtentOf(const type::v1::Extent& extent,
                                          std::string* field) {
  const bool has_dates = HasBoundDates(extent.bound_dates());
  if (!extent.edtf().empty()) {
    if (has_dates) {
      *field = "bound_dates";
      return absl::InvalidArgumentError(
          "give the valid time as edtf or as bound_dates, not both");
    }
    *field = "edtf";
    return temporal::Extent::Parse(extent.edtf());
  }
  if (!has_dates) {
    *field = "edtf";
    return absl::InvalidArgumentError(
        "is required (or give bound_dates), e.g. \"2020-11-24/2021-05-06\"");
  }
  const type::v1::BoundDates& dates = extent.bound_dates();
  absl::StatusOr<temporal::Extent> bounded =
      temporal::Extent::FromBoundDates(temporal::BoundDates{
          .earliest_start = dates.earliest_start(),
          .latest_start = dates.latest_start(),
          .earliest_end = dates.earliest_end(),
          .latest_end = dates.latest_end(),
      });
  if (bounded.ok()) return bounded;
  // FromBoundDates names the field first: "latest_end: reason".
  const absl::string_view message = bounded.status().message();
  const size_t colon = message.find(": ");
  if (colon == absl::string_view::npos || message.substr(0, 1) == "\"") {
    *field = "bound_dates";
    return bounded.status();
  }
  *field = absl::StrCat("bound_dates.", message.substr(0, colon));
  return absl::InvalidArgumentError(message.substr(colon + 2));
}

}  // namespace

absl::StatusOr<temporal::Extent> FromExtentProto(
    const type::v1::Extent& extent) {
  std::string field;
  absl::StatusOr<temporal::Extent> parsed = ExtentOf(extent, &field);
  if (!parsed.ok()) return Prefixed(absl::StrCat(field, ": "), parsed.status());
  return parsed;
}

absl::Status NormalizeExtentProto(type::v1::Extent* extent,
                                  std::string* field) {
  std::string offending;
  absl::StatusOr<temporal::Extent> parsed = ExtentOf(*extent, &offending);
  if (!parsed.ok()) {
    if (field != nullptr) {
      *field = std::move(offending);
      return parsed.status();
    }
    return Prefixed(absl::StrCat(offending, ": "), parsed.status());
  }
  if (!extent->edtf().empty() &&
      extent->edtf().find('T') == std::string::npos) {
    extent->set_edtf(parsed->ToEdtf());
  }
  extent->clear_bounds();
  SetBounds(*parsed, extent);
  return absl::OkStatus();
}

}  // namespace annals
