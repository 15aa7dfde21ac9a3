// Layout of a timeline picture, apart from how it is written out: how wide
// text is, which ticks the axis gets, how overlapping items stack in the
// sub-rows of a lane, and where each label goes. Everything here works in
// pixels of the drawing; render.cc turns the results into SVG and HTML.
//
// The rules keep a picture legible at any size of data:
//   * two items of one sub-row never share a pixel (StackInSubRows);
//   * labels never overlap one another nor leave their row's bounds: a label
//     goes inside its bar, else beside it, else elided, else it is left to
//     the hover text (PlaceLabels);
//   * tick labels never overlap: the finest step of days, months or years
//     whose labels fit is taken (ChooseTicks).
//
// Example:
//   std::vector<int> rows = StackInSubRows({{0, 50}, {40, 90}, {60, 80}}, 2);
//   // rows == {0, 1, 0}
#ifndef ANNALS_CLIENTS_CLI_TIMELINE_LAYOUT_H_
#define ANNALS_CLIENTS_CLI_TIMELINE_LAYOUT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "services/common/temporal/day.h"

namespace annals::cli {

// The font every text of a picture is drawn in. Widths are estimated from its
// metrics (measured in Chromium), so the picture names it first.
inline constexpr char kFontFamily[] = "DejaVu Sans, Verdana, sans-serif";

// The advance width of `utf8` in kFontFamily at `font_size` pixels, rounded
// up a little so that a renderer's kerning never makes text wider than
// estimated. Characters outside ASCII count as one em.
double TextWidth(std::string_view utf8, double font_size);

// `text` if it fits in `max_width`, else its longest prefix (whole UTF-8
// characters, trailing spaces dropped) followed by "…" that fits, provided
// that prefix keeps at least three characters; else "".
std::string ElideToWidth(std::string_view text, double font_size,
                         double max_width);

// A horizontal stretch of the drawing, start <= end.
struct Interval {
  double start;
  double end;
};

// The sub-row (0, 1, ...) of each interval, in input order: each goes to the
// lowest sub-row whose intervals all end at least `gap` pixels before it
// starts, taking intervals by start. No two intervals of one sub-row come
// closer than `gap`, and no fewer sub-rows would do (as many as the most
// intervals that overlap at one point, gaps included).
std::vector<int> StackInSubRows(const std::vector<Interval>& spans, double gap);

// Where a label went.
enum class LabelPlacement {
  kInside,  // within its bar
  kRight,   // after the bar's end
  kLeft,    // before the bar's start
  kNone,    // nowhere: hover text only
};

struct LabelSlot {
  LabelPlacement placement = LabelPlacement::kNone;
  std::string text;  // the label, elided ("…") when `elided`
  bool elided = false;
  double x = 0;  // left edge of the text
  double width = 0;
};

// One item of a sub-row, for PlaceLabels.
struct LabelRequest {
  Interval bar;     // what the item draws: nothing else may cover it
  Interval inside;  // where text may go inside it (the solid part)
  std::string text;
};

// Places the labels of one sub-row: `items` sorted by bar.start, bars not
// overlapping (StackInSubRows). Each label goes, in this order of
// preference, whole inside its bar, whole right of it, whole left of it,
// elided inside, elided right of it, elided left of it, or nowhere. A label
// never overlaps another label or another item's bar, and stays within
// [row_start, row_end]. Labels beside a bar keep `gap` pixels from it and from
// anything else.
std::vector<LabelSlot> PlaceLabels(const std::vector<LabelRequest>& items,
                                   double row_start, double row_end,
                                   double font_size, double gap);

// The label of an astronomical year as a reader expects it: "1950", "AD 1"
// for year 1 when `era` asks for it, "1 BC" for year 0, "44 BC" for -43, and
// "12,000 BC" with a separator from five digits on.
std::string YearLabel(int64_t year, bool era = false);

enum class TickUnit { kDay, kMonth, kYear };

struct Tick {
  temporal::Day day;  // the tick is at the start of this day
  std::string label;
};

struct AxisTicks {
  TickUnit unit = TickUnit::kYear;
  int64_t step = 1;  // in units: 1, 2, 5 days; 1, 3, 6 months; 50 years
  std::vector<Tick> ticks;
};

// The ticks of an axis drawing the days [first, last) between pixels x0 and
// x1: the finest of 1, 2, 5, 10 days, 1, 2, 3, 6 months, then 1, 2, 5 x 10^n
// years whose labels (at `font_size`, each starting 2 pixels right of its
// tick) keep `min_gap` pixels apart. A label that would run past x1 is left
// empty; its tick stays. Day ticks fall on days 1, 1+step, ... of a month,
// month ticks on months 1, 1+step, ... of a year; year ticks on multiples of
// the step after Christ and on round years before Christ (100 BC is year
// -99), with "AD 1" between them for steps of ten years and more. The first
// tick and each January of a finer unit carry the year ("Mar 2021",
// "1 Mar 2021").
AxisTicks ChooseTicks(temporal::Day first, temporal::Day last, double x0,
                      double x1, double font_size, double min_gap);

}  // namespace annals::cli

#endif  // ANNALS_CLIENTS_CLI_TIMELINE_LAYOUT_H_
