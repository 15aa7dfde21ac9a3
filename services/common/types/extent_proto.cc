#include "services/common/types/extent_proto.h"

#include <string>
#include <string_view>

#include "services/common/temporal/day.h"

namespace annals {
namespace {

std::string BoundText(temporal::Day day) {
  if (day == temporal::kMinusInfinity || day == temporal::kPlusInfinity) {
    return "";
  }
  return temporal::FormatDay(day);
}

}  // namespace

type::v1::Extent ToExtentProto(const temporal::Extent& extent) {
  type::v1::Extent proto;
  proto.set_edtf(extent.ToEdtf());
  type::v1::ExtentBounds* bounds = proto.mutable_bounds();
  bounds->set_earliest_start(BoundText(extent.earliest_start()));
  bounds->set_latest_start(BoundText(extent.latest_start()));
  bounds->set_earliest_end(BoundText(extent.earliest_end()));
  bounds->set_latest_end(BoundText(extent.latest_end()));
  bounds->set_uncertain(extent.uncertain());
  bounds->set_instant(extent.instant());
  return proto;
}

absl::StatusOr<type::v1::Extent> ParseExtentProto(absl::string_view edtf) {
  absl::StatusOr<temporal::Extent> extent =
      temporal::Extent::Parse(std::string_view(edtf.data(), edtf.size()));
  if (!extent.ok()) return extent.status();
  return ToExtentProto(*extent);
}

absl::StatusOr<temporal::Extent> FromExtentProto(
    const type::v1::Extent& extent) {
  return temporal::Extent::Parse(extent.edtf());
}

}  // namespace annals
