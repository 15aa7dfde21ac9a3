// Fuzzes the EDTF parser (services/common/temporal): any bytes either fail
// with INVALID_ARGUMENT or parse to an extent whose bounds keep the
// documented invariants (extent.h), and whose canonical text reparses to the
// same extent and the same text.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/common/temporal/day.h"
#include "services/common/temporal/edtf.h"
#include "services/common/temporal/extent.h"
#include "tests/fuzz/fuzz_check.h"

namespace annals::temporal {
namespace {

bool InCalendar(Day day) { return day >= kMinDay && day <= kMaxDay + 1; }

void CheckBounds(const Extent& extent) {
  const Day es = extent.earliest_start();
  const Day ls = extent.latest_start();
  const Day ee = extent.earliest_end();
  const Day le = extent.latest_end();
  // Only starts are ever minus infinity and only ends plus infinity.
  FUZZ_CHECK(es == kMinusInfinity || InCalendar(es));
  FUZZ_CHECK(ls == kMinusInfinity || InCalendar(ls));
  FUZZ_CHECK(ee == kPlusInfinity || InCalendar(ee));
  FUZZ_CHECK(le == kPlusInfinity || InCalendar(le));
  FUZZ_CHECK(es <= ls);
  FUZZ_CHECK(ee <= le);
  FUZZ_CHECK(es < le);
  // Tight: the latest start and the earliest end are attained.
  if (IsFinite(ls) && IsFinite(le)) FUZZ_CHECK(ls <= le - 1);
  if (IsFinite(es) && IsFinite(ee)) FUZZ_CHECK(ee >= es + 1);
  if (extent.instant()) {
    FUZZ_CHECK(IsFinite(es) && IsFinite(ls) && IsFinite(ee) && IsFinite(le));
    FUZZ_CHECK(ee == es + 1);
    FUZZ_CHECK(le == ls + 1);
    FUZZ_CHECK((extent.Duration() == DurationRange{1, 1}));
  }
  const DurationRange duration = extent.Duration();
  FUZZ_CHECK(duration.min_days >= 1);
  FUZZ_CHECK(duration.min_days <= duration.max_days);
  // A parsed extent equals FromBounds of its bounds and flags.
  absl::StatusOr<Extent> rebuilt = Extent::FromBounds(
      es, ls, ee, le, {extent.instant(), extent.uncertain()});
  FUZZ_CHECK(rebuilt.ok());
  FUZZ_CHECK(*rebuilt == extent);
}

// Returns whether `text` is one valid date.
bool CheckSingleDate(std::string_view text) {
  absl::StatusOr<EdtfDate> date = ParseEdtfDate(text);
  if (!date.ok()) {
    FUZZ_CHECK(date.status().code() == absl::StatusCode::kInvalidArgument);
    return false;
  }
  const std::string canonical = FormatEdtfDate(*date);
  absl::StatusOr<EdtfDate> again = ParseEdtfDate(canonical);
  FUZZ_CHECK(again.ok());
  // The canonical text of a date-time is its date.
  EdtfDate date_only = *date;
  date_only.has_time = false;
  FUZZ_CHECK(*again == date_only);
  FUZZ_CHECK(FormatEdtfDate(*again) == canonical);
  const DaySpan narrow = SpanOf(*date, /*widen=*/false);
  const DaySpan wide = SpanOf(*date, /*widen=*/true);
  FUZZ_CHECK(narrow.first <= narrow.last);
  FUZZ_CHECK(wide.first <= narrow.first && narrow.last <= wide.last);
  return true;
}

}  // namespace
}  // namespace annals::temporal

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using annals::temporal::Extent;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const bool single_date = text.find('/') == std::string_view::npos &&
                           annals::temporal::CheckSingleDate(text);

  absl::StatusOr<Extent> extent = Extent::Parse(text);
  // A valid date is also a valid extent (an instant).
  if (single_date) FUZZ_CHECK(extent.ok() && extent->instant());
  if (!extent.ok()) {
    FUZZ_CHECK(extent.status().code() == absl::StatusCode::kInvalidArgument);
    FUZZ_CHECK(!extent.status().message().empty());
    return 0;
  }
  FUZZ_CHECK(extent->has_edtf());
  annals::temporal::CheckBounds(*extent);

  // Canonical text is a fixed point: it reparses to the same extent and
  // prints the same way again.
  const std::string canonical = extent->ToEdtf();
  FUZZ_CHECK(!canonical.empty());
  absl::StatusOr<Extent> reparsed = Extent::Parse(canonical);
  FUZZ_CHECK(reparsed.ok());
  FUZZ_CHECK(*reparsed == *extent);
  FUZZ_CHECK(reparsed->ToEdtf() == canonical);
  return 0;
}
