// The script of the HTML page `annals render --html` writes (ADR 11). It
// expects the page's SVG as RenderSvg writes it, inside <div id="chart">,
// the items' details as JSON in <script id="timeline-data">, buttons
// #zoom-in, #zoom-out and #reset, and an <aside id="details">.
//
// Zoom (wheel, buttons) and pan (drag) move the items' group with one
// transform while a gesture goes on, then, once it stops, place the labels
// again for the view by PlaceLabels' rules and choose ticks by ChooseTicks'
// (timeline_layout.h), both ported to JavaScript. Hovering or clicking an
// item shows its details. window.annalsTimeline.zoomTo(first_day,
// last_day) zooms and lays out at once, for scripts and tests.
#ifndef ANNALS_CLIENTS_CLI_RENDER_PAGE_SCRIPT_H_
#define ANNALS_CLIENTS_CLI_RENDER_PAGE_SCRIPT_H_

namespace annals::cli {

extern const char kTimelinePageScript[];

}  // namespace annals::cli

#endif  // ANNALS_CLIENTS_CLI_RENDER_PAGE_SCRIPT_H_
