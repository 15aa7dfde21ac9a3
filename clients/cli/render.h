// Draws timelines as standalone SVG: one lane per row, a bar per extent, the
// imprecise part of each bound drawn as a fade, open ends running to the edge,
// single-day events as markers, and a year axis.
#ifndef ANNALS_CLIENTS_CLI_RENDER_H_
#define ANNALS_CLIENTS_CLI_RENDER_H_

#include <optional>
#include <string>
#include <vector>

#include "services/common/temporal/day.h"
#include "services/common/temporal/extent.h"

namespace annals::cli {

struct TimelineBar {
  std::string label;  // shown on the bar and in its tooltip
  temporal::Extent extent;
  std::string edtf;  // the extent as written, for the tooltip
};

struct TimelineLane {
  std::string title;
  std::vector<TimelineBar> bars;
};

struct RenderOptions {
  std::string title = "Annals timeline";
  // The years drawn (astronomical: 0 is 1 BC). Unset: fit the data, with a
  // year's margin.
  std::optional<int> first_year;
  std::optional<int> last_year;
  int width = 1200;
};

// The SVG document. Bars are <g class="bar"> groups holding a <title>; the
// certain part is a <rect class="certain">, fades are <rect class="fade-in">
// and <rect class="fade-out"> filled with gradients, open ends carry
// class="open-start"/"open-end"; events are <path class="event">.
std::string RenderSvg(const std::vector<TimelineLane>& lanes,
                      const RenderOptions& options);

// A standalone HTML page embedding the SVG.
std::string RenderHtml(const std::string& svg, const std::string& title);

}  // namespace annals::cli

#endif  // ANNALS_CLIENTS_CLI_RENDER_H_
