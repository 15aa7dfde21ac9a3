// Draws timelines as a standalone SVG picture and as a self-contained HTML
// page (no network: its CSS and script are inline) that zooms, pans and shows
// an item's details on hover or click.
//
// Lanes are drawn grouped (by kind or predicate) and in time order; an
// item's bar shows how sure each bound is: a fade over an imprecise bound, a
// hatched bar and "(?)" after the label for an uncertain one (EDTF ? or %),
// an arrow for an open (ongoing) end and a dotted stub for an unknown one.
// One-day events are diamonds. Layout rules (stacking, labels, ticks) are in
// timeline_layout.h.
#ifndef ANNALS_CLIENTS_CLI_RENDER_H_
#define ANNALS_CLIENTS_CLI_RENDER_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "services/common/temporal/day.h"
#include "services/common/temporal/extent.h"

namespace annals::cli {

struct TimelineBar {
  std::string label;  // shown beside or on the bar and in its details
  temporal::Extent extent;
  // The extent as written (EDTF, or ExtentText of bound dates): shown in the
  // details, and read for which side carries a qualifier (? ~ %).
  std::string edtf;
  std::vector<std::string> sources;
  std::vector<std::pair<std::string, std::string>> qualifiers;
};

struct TimelineLane {
  // Lanes of one group are drawn together under its name; groups and the
  // lanes of each come in order of their earliest start.
  std::string group;
  std::string title;
  std::vector<TimelineBar> bars;
};

struct RenderOptions {
  std::string title = "Annals timeline";
  // The days drawn, [from, to). Items outside are left out, items across an
  // edge are cropped, and lanes left empty are dropped. Unset: fit the data
  // with a small margin.
  std::optional<temporal::Day> from;
  std::optional<temporal::Day> to;
  int width = 1400;
};

// The SVG document. Items are <g class="item" data-row="LANE:SUBROW">
// groups holding a <title> and their shapes: the solid part
// <rect class="certain">, fades <rect class="fade-in"> / "fade-out", an
// uncertain bar's hatching <rect class="uncertain">, arrows
// <path class="open-start"> / "open-end", dotted stubs <line
// class="unknown-start"> / "unknown-end", events <path class="event">. Labels
// are <text class="label">, tick labels <text class="tick-label">, lane
// titles <text class="lane-title">, group names <text class="group-title">.
std::string RenderSvg(const std::vector<TimelineLane>& lanes,
                      const RenderOptions& options);

// A self-contained HTML page: the same picture, plus zoom (wheel, buttons),
// pan (drag) and the details of an item (EDTF, certainty, sources,
// qualifiers) on hover or click.
std::string RenderHtml(const std::vector<TimelineLane>& lanes,
                       const RenderOptions& options);

}  // namespace annals::cli

#endif  // ANNALS_CLIENTS_CLI_RENDER_H_
