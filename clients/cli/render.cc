#include "clients/cli/render.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"

namespace annals::cli {
namespace {

using temporal::Day;

constexpr int kLeftMargin = 220;
constexpr int kRightMargin = 20;
constexpr int kTopMargin = 50;
constexpr int kLaneHeight = 34;
constexpr int kBarHeight = 18;
constexpr int kAxisHeight = 30;

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

int YearOf(Day day) {
  return static_cast<int>(temporal::CivilFromDay(day).year());
}

// The fewest pixels between two year labels ("-12000" at 10 px).
constexpr int kMinLabelSpacing = 48;

// Years between labelled ticks over `years` years drawn `width` pixels wide:
// the smallest of 1, 2, 5, 10, 20, 50, ... that keeps labels
// kMinLabelSpacing apart.
int64_t YearStep(int64_t years, int width) {
  const int64_t max_labels = std::max(1, width / kMinLabelSpacing);
  for (int64_t base = 1;; base *= 10) {
    for (int64_t multiple : {1, 2, 5}) {
      if (years <= max_labels * base * multiple) return base * multiple;
    }
  }
}

class Scale {
 public:
  Scale(Day first, Day last, int x0, int x1)
      : first_(first), last_(last), x0_(x0), x1_(x1) {}
  // Clamps infinite and out-of-range days to the drawing's edges.
  double X(Day day) const {
    if (day <= first_) return x0_;
    if (day >= last_) return x1_;
    return x0_ +
           (x1_ - x0_) * static_cast<double>(day - first_) / (last_ - first_);
  }
  Day first() const { return first_; }
  Day last() const { return last_; }

 private:
  Day first_, last_;
  int x0_, x1_;
};

void AppendBar(std::string& svg, const TimelineBar& bar, const Scale& scale,
               double y) {
  const temporal::Extent& e = bar.extent;
  std::string tooltip = Escape(absl::StrCat(bar.label, " (", bar.edtf, ")"));
  absl::StrAppend(&svg, "<g class=\"bar\"><title>", tooltip, "</title>\n");
  if (e.instant()) {
    // An event: a diamond on its day; an imprecise day shows its span faded.
    double x_from = scale.X(e.earliest_start());
    double x_to = scale.X(e.latest_end());
    if (x_to - x_from > 3) {
      absl::StrAppendFormat(&svg,
                            "<rect class=\"fade-span\" x=\"%.1f\" y=\"%.1f\" "
                            "width=\"%.1f\" height=\"%d\" fill=\"#e07a1f\" "
                            "fill-opacity=\"0.25\"/>\n",
                            x_from, y, x_to - x_from, kBarHeight);
    }
    double cx = (x_from + x_to) / 2, cy = y + kBarHeight / 2.0;
    absl::StrAppendFormat(&svg,
                          "<path class=\"event\" d=\"M%.1f %.1f l6 6 l-6 6 "
                          "l-6 -6 z\" fill=\"#e07a1f\"/>\n",
                          cx, cy - 6);
    absl::StrAppendFormat(
        &svg, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">%s</text>\n",
        cx + 8, cy + 4, Escape(bar.label));
    svg += "</g>\n";
    return;
  }
  // Certain part: every reading holds between latest start and earliest end.
  double fade_in_from = scale.X(e.earliest_start());
  double fade_in_to = scale.X(e.latest_start());
  double fade_out_from = scale.X(e.earliest_end());
  double fade_out_to = scale.X(e.latest_end());
  std::string open;
  if (e.open_start()) open += " open-start";
  if (e.open_end()) open += " open-end";
  if (fade_in_to > fade_in_from) {
    absl::StrAppendFormat(
        &svg,
        "<rect class=\"fade-in\" x=\"%.1f\" y=\"%.1f\" "
        "width=\"%.1f\" height=\"%d\" fill=\"url(#fade-in)\"/>\n",
        fade_in_from, y, fade_in_to - fade_in_from, kBarHeight);
  }
  if (fade_out_from > fade_in_to) {
    absl::StrAppendFormat(
        &svg,
        "<rect class=\"certain%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
        "height=\"%d\" fill=\"%s\"/>\n",
        open, fade_in_to, y, fade_out_from - fade_in_to, kBarHeight,
        e.uncertain() ? "#7f9fc7" : "#2f6db5");
  }
  if (fade_out_to > fade_out_from) {
    absl::StrAppendFormat(
        &svg,
        "<rect class=\"fade-out\" x=\"%.1f\" y=\"%.1f\" "
        "width=\"%.1f\" height=\"%d\" fill=\"url(#fade-out)\"/>\n",
        fade_out_from, y, fade_out_to - fade_out_from, kBarHeight);
  }
  if (e.open_end()) {
    absl::StrAppendFormat(
        &svg,
        "<path class=\"arrow\" d=\"M%.1f %.1f l8 %d l-8 %d z\" "
        "fill=\"#2f6db5\"/>\n",
        fade_out_from, y, kBarHeight / 2, kBarHeight / 2);
  }
  double label_x = std::max(fade_in_from, static_cast<double>(kLeftMargin)) + 3;
  absl::StrAppendFormat(&svg,
                        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" "
                        "fill=\"#111\" stroke=\"#fff\" stroke-width=\"3\" "
                        "paint-order=\"stroke\">%s</text>\n",
                        label_x, y + kBarHeight - 5, Escape(bar.label));
  svg += "</g>\n";
}

}  // namespace

std::string RenderSvg(const std::vector<TimelineLane>& lanes,
                      const RenderOptions& options) {
  // The years to draw: the finite bounds of every extent, unless given.
  int first_year = std::numeric_limits<int>::max();
  int last_year = std::numeric_limits<int>::min();
  for (const TimelineLane& lane : lanes) {
    for (const TimelineBar& bar : lane.bars) {
      for (Day day : {bar.extent.earliest_start(), bar.extent.latest_start(),
                      bar.extent.earliest_end(), bar.extent.latest_end()}) {
        if (!temporal::IsFinite(day) || temporal::IsCalendarEdge(day)) continue;
        first_year = std::min(first_year, YearOf(day));
        last_year = std::max(last_year, YearOf(day));
      }
    }
  }
  if (first_year > last_year) first_year = last_year = 2000;
  if (options.first_year.has_value())
    first_year = *options.first_year;
  else
    first_year -= 1;
  if (options.last_year.has_value())
    last_year = *options.last_year;
  else
    last_year += 1;
  last_year = std::max(last_year, first_year);

  Day first = temporal::DayFromCivil(first_year, 1, 1);
  Day last = temporal::DayFromCivil(last_year + 1, 1, 1);
  Scale scale(first, last, kLeftMargin, options.width - kRightMargin);
  int height = kTopMargin + kLaneHeight * static_cast<int>(lanes.size()) +
               kAxisHeight + 10;

  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n",
      options.width, height, options.width, height);
  svg +=
      "<defs>\n"
      "<linearGradient id=\"fade-in\"><stop offset=\"0\" "
      "stop-color=\"#2f6db5\" "
      "stop-opacity=\"0\"/><stop offset=\"1\" stop-color=\"#2f6db5\" "
      "stop-opacity=\"1\"/></linearGradient>\n"
      "<linearGradient id=\"fade-out\"><stop offset=\"0\" "
      "stop-color=\"#2f6db5\" "
      "stop-opacity=\"1\"/><stop offset=\"1\" stop-color=\"#2f6db5\" "
      "stop-opacity=\"0\"/></linearGradient>\n"
      "</defs>\n";
  absl::StrAppendFormat(
      &svg,
      "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n"
      "<text class=\"title\" x=\"10\" y=\"25\" font-size=\"16\" "
      "font-weight=\"bold\">%s</text>\n",
      options.width, height, Escape(options.title));

  // Year axis: a grid line and a label every `step` years, the step taken
  // from 1, 2, 5, 10, 20, 50, ... so that labels stay legible (at least
  // kMinLabelSpacing pixels apart) and the drawing stays small whatever the
  // span (a period of the Palaeolithic spans hundreds of thousands of years).
  int axis_y = kTopMargin + kLaneHeight * static_cast<int>(lanes.size()) + 5;
  const int64_t years = int64_t{last_year} - first_year + 1;
  const int64_t step =
      YearStep(years, options.width - kLeftMargin - kRightMargin);
  svg += "<g class=\"axis\">\n";
  // The first multiple of `step` at or after first_year (years may be
  // negative: astronomical, 0 is 1 BC).
  int64_t tick = first_year / step * step;
  if (tick < first_year) tick += step;
  for (; tick <= last_year + 1; tick += step) {
    double x = scale.X(temporal::DayFromCivil(static_cast<int>(tick), 1, 1));
    absl::StrAppendFormat(&svg,
                          "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
                          "stroke=\"#ddd\"/>\n",
                          x, kTopMargin - 5, x, axis_y);
    if (tick <= last_year) {
      absl::StrAppendFormat(&svg,
                            "<text class=\"year\" x=\"%.1f\" y=\"%d\" "
                            "font-size=\"10\" fill=\"#555\">%d</text>\n",
                            x + 2, axis_y + 14, tick);
    }
  }
  svg += "</g>\n";

  for (size_t i = 0; i < lanes.size(); ++i) {
    double y = kTopMargin + kLaneHeight * static_cast<double>(i);
    absl::StrAppendFormat(&svg,
                          "<g class=\"lane\"><text x=\"10\" y=\"%.1f\" "
                          "font-size=\"12\">%s</text>\n",
                          y + kBarHeight - 4, Escape(lanes[i].title));
    for (const TimelineBar& bar : lanes[i].bars) AppendBar(svg, bar, scale, y);
    svg += "</g>\n";
  }
  svg += "</svg>\n";
  return svg;
}

std::string RenderHtml(const std::string& svg, const std::string& title) {
  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>",
      Escape(title),
      "</title><style>body{font-family:sans-serif;margin:2em}"
      "svg{max-width:100%;height:auto}</style></head><body>\n",
      svg,
      "<p>Solid: every reading of the dates holds. Faded: the bound is "
      "imprecise (some readings hold). Arrows: ongoing.</p>\n</body></html>\n");
}

}  // namespace annals::cli
