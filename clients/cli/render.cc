#include "clients/cli/render.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "clients/cli/render_page_script.h"
#include "clients/cli/timeline_layout.h"

namespace annals::cli {
namespace {

using temporal::Day;

constexpr double kLeftMargin = 230;  // lane titles
constexpr double kTitleRoom = kLeftMargin - 26;
constexpr double kRightMargin = 24;
constexpr double kAxisLabelY = 58;  // baseline of tick labels
constexpr double kPlotTop = 68;
constexpr double kRowPitch = 18;  // one sub-row
constexpr double kBarHeight = 14;
constexpr double kLanePad = 6;       // below a lane's last sub-row
constexpr double kGroupHeader = 22;  // a group's name
constexpr double kLabelFont = 10;
constexpr double kTitleFont = 11;  // lane titles
constexpr double kGap = 3;         // between things in a sub-row
constexpr double kStub = 24;       // the dotted stub of an unknown bound
constexpr double kMarker = 6;      // half the width of an event's diamond
constexpr double kLegendHeight = 50;
// Labels keep this far from the plot's edges: Chromium's text boxes reach
// a fraction of a pixel before the text's x.
constexpr double kEdge = 2;

constexpr char kSolid[] = "#2f6db5";
constexpr char kEventColour[] = "#e07a1f";
// A white outline keeps a label beside a bar legible over grid lines.
constexpr char kHalo[] =
    " stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\" "
    "stroke-linejoin=\"round\"";

std::string Escape(std::string_view text) {
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

std::string Json(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '<':  // never "</script>" inside the page's data
        out += "\\u003c";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        } else {
          out.push_back(c);
        }
    }
  }
  return out + "\"";
}

bool Drawable(Day day) {
  return temporal::IsFinite(day) && !temporal::IsCalendarEdge(day);
}

// How one bound of an item is known.
struct Side {
  enum Kind { kExact, kImprecise, kOpen, kUnknown } kind = kExact;
  bool uncertain = false;    // EDTF ? or %
  bool approximate = false;  // EDTF ~ or %
};

struct Sides {
  Side start, end;
};

Sides SidesOf(const TimelineBar& bar) {
  const temporal::Extent& e = bar.extent;
  Sides sides;
  if (e.open_start()) {
    sides.start.kind = Side::kOpen;
  } else if (!Drawable(e.earliest_start())) {
    sides.start.kind = Side::kUnknown;
  } else if (e.earliest_start() < e.latest_start()) {
    sides.start.kind = Side::kImprecise;
  }
  if (e.open_end()) {
    sides.end.kind = Side::kOpen;
  } else if (!Drawable(e.latest_end())) {
    sides.end.kind = Side::kUnknown;
  } else if (e.earliest_end() < e.latest_end() && !e.instant()) {
    sides.end.kind = Side::kImprecise;
  }
  // Which side a qualifier is on: EDTF text says; bound dates (written
  // "start A..B, end C..D", where ? means unknown) only say whether any is.
  if (bar.edtf.empty() || bar.edtf.rfind("start ", 0) == 0) {
    sides.start.uncertain = sides.end.uncertain = e.uncertain();
    return sides;
  }
  const std::string_view edtf = bar.edtf;
  const size_t slash = edtf.find('/');
  const std::string_view start = edtf.substr(0, slash);
  const std::string_view end =
      slash == std::string_view::npos ? edtf : edtf.substr(slash + 1);
  auto mark = [](std::string_view text, Side& side) {
    side.uncertain = text.find_first_of("?%") != std::string_view::npos;
    side.approximate = text.find_first_of("~%") != std::string_view::npos;
  };
  mark(start, sides.start);
  mark(end, sides.end);
  return sides;
}

std::string BoundText(const char* name, const Side& side, Day earliest,
                      Day latest) {
  std::string text = name;
  switch (side.kind) {
    case Side::kExact:
      absl::StrAppend(&text, " exact, ", temporal::FormatDay(earliest));
      break;
    case Side::kImprecise:
      absl::StrAppend(&text, " imprecise, ", temporal::FormatDay(earliest),
                      " to ", temporal::FormatDay(latest));
      break;
    case Side::kOpen:
      absl::StrAppend(&text, " open (..)");
      break;
    case Side::kUnknown:
      absl::StrAppend(&text, " unknown");
      if (Drawable(latest) && !Drawable(earliest)) {
        absl::StrAppend(&text, ", no later than ", temporal::FormatDay(latest));
      } else if (Drawable(earliest)) {
        absl::StrAppend(&text, ", no earlier than ",
                        temporal::FormatDay(earliest));
      }
      break;
  }
  if (side.uncertain) absl::StrAppend(&text, ", uncertain (?)");
  if (side.approximate) absl::StrAppend(&text, ", approximate (~)");
  return text;
}

// How sure each bound is, in words, for an item's details.
std::string CertaintyText(const TimelineBar& bar, const Sides& sides) {
  const temporal::Extent& e = bar.extent;
  if (e.instant()) {
    std::string text =
        e.earliest_start() == e.latest_start()
            ? absl::StrCat("one day, ", temporal::FormatDay(e.earliest_start()))
            : absl::StrCat("one day between ",
                           temporal::FormatDay(e.earliest_start()), " and ",
                           temporal::FormatDay(e.latest_start()));
    if (e.uncertain()) absl::StrAppend(&text, ", uncertain (?)");
    return text;
  }
  return absl::StrCat(
      BoundText("start", sides.start, e.earliest_start(), e.latest_start()),
      "; ",
      BoundText("end", sides.end, e.earliest_last_day(), e.latest_last_day()));
}

// The pixels of the window's days.
class Scale {
 public:
  Scale(Day first, Day last, double x0, double x1)
      : first_(first), last_(last), x0_(x0), x1_(x1) {}
  // Clamps unbounded and out-of-window days to the plot's edges.
  double X(Day day) const {
    if (day <= first_) return x0_;
    if (day >= last_) return x1_;
    return x0_ + (x1_ - x0_) * (static_cast<double>(day) - first_) /
                     (static_cast<double>(last_) - first_);
  }
  double x0() const { return x0_; }
  double x1() const { return x1_; }

 private:
  Day first_, last_;
  double x0_, x1_;
};

// An item's geometry in its lane, before it has a sub-row.
struct Shape {
  const TimelineBar* bar;
  Sides sides;
  // Start of the drawing, end of the fade-in (start of the solid part), end
  // of the solid part, end of the drawing.
  double a, b, c, d;
  double event_x = 0;                 // an event's diamond
  double band_from = 0, band_to = 0;  // the days an event may be on
  Interval span() const { return {a, d}; }
};

Shape ShapeOf(const TimelineBar& bar, const Scale& scale) {
  const temporal::Extent& e = bar.extent;
  Shape s{&bar, SidesOf(bar), 0, 0, 0, 0};
  if (e.instant()) {
    s.a = s.band_from = scale.X(e.earliest_start());
    s.d = s.band_to = scale.X(e.latest_end());
    s.event_x =
        std::clamp((s.a + s.d) / 2, scale.x0() + kMarker, scale.x1() - kMarker);
    s.a = std::min(s.a, s.event_x - kMarker);
    s.d = std::max(s.d, s.event_x + kMarker);
    s.b = s.c = s.event_x;
    return s;
  }
  switch (s.sides.start.kind) {
    case Side::kOpen:
      s.a = s.b = scale.x0();
      break;
    case Side::kUnknown:
      // The stub leads to the first day the item may hold on.
      s.b = scale.X(Drawable(e.latest_start())
                        ? std::min(e.latest_start(), e.earliest_end())
                        : e.earliest_end());
      s.a = std::max(scale.x0(), s.b - kStub);
      break;
    default:
      s.a = scale.X(e.earliest_start());
      s.b = scale.X(e.latest_start());
  }
  switch (s.sides.end.kind) {
    case Side::kOpen:
      s.c = s.d = scale.x1();
      break;
    case Side::kUnknown:
      s.c = std::max(
          s.b, Drawable(e.earliest_end()) ? scale.X(e.earliest_end()) : s.b);
      s.d = std::min(scale.x1(), s.c + kStub);
      break;
    default:
      s.c = scale.X(e.earliest_end());
      s.d = scale.X(e.latest_end());
  }
  if (s.c < s.b) s.b = s.c = (s.b + s.c) / 2;  // fades meet: nothing certain
  if (s.d - s.a < 2) {
    s.d = std::min(scale.x1(), s.a + 2);
    s.a = s.d - 2;
    s.b = std::clamp(s.b, s.a, s.d);
    s.c = std::clamp(s.c, s.b, s.d);
  }
  return s;
}

Day EarliestStart(const TimelineLane& lane) {
  Day start = std::numeric_limits<Day>::max();
  for (const TimelineBar& bar : lane.bars) {
    start = std::min(start, bar.extent.earliest_start());
  }
  return start;
}

Day LatestEnd(const TimelineLane& lane) {
  Day end = std::numeric_limits<Day>::min();
  for (const TimelineBar& bar : lane.bars) {
    end = std::max(end, bar.extent.latest_end());
  }
  return end;
}

// The window's items, lanes without any dropped, lanes of a group together,
// groups and lanes in order of earliest start.
std::vector<TimelineLane> InWindow(const std::vector<TimelineLane>& lanes,
                                   Day from, Day to) {
  std::vector<TimelineLane> kept;
  for (const TimelineLane& lane : lanes) {
    TimelineLane copy{lane.group, lane.title, {}};
    for (const TimelineBar& bar : lane.bars) {
      if (bar.extent.Overlaps(from, to) != temporal::Certainty::kNo) {
        copy.bars.push_back(bar);
      }
    }
    if (copy.bars.empty()) continue;
    std::stable_sort(copy.bars.begin(), copy.bars.end(),
                     [](const TimelineBar& x, const TimelineBar& y) {
                       return x.extent.earliest_start() <
                              y.extent.earliest_start();
                     });
    kept.push_back(std::move(copy));
  }
  std::map<std::string, Day> group_start;
  for (const TimelineLane& lane : kept) {
    auto [it, fresh] = group_start.emplace(lane.group, EarliestStart(lane));
    if (!fresh) it->second = std::min(it->second, EarliestStart(lane));
  }
  auto key = [&](const TimelineLane& lane) {
    return std::make_tuple(group_start[lane.group], lane.group,
                           EarliestStart(lane), LatestEnd(lane), lane.title);
  };
  std::stable_sort(kept.begin(), kept.end(),
                   [&](const TimelineLane& x, const TimelineLane& y) {
                     return key(x) < key(y);
                   });
  return kept;
}

// The window: as given, or the data's drawable days with a margin of 3%.
std::pair<Day, Day> WindowOf(const std::vector<TimelineLane>& lanes,
                             const RenderOptions& options) {
  int64_t first = std::numeric_limits<int64_t>::max();
  int64_t last = std::numeric_limits<int64_t>::min();
  for (const TimelineLane& lane : lanes) {
    for (const TimelineBar& bar : lane.bars) {
      const temporal::Extent& e = bar.extent;
      for (Day day : {e.earliest_start(), e.latest_start(), e.earliest_end(),
                      e.latest_end()}) {
        if (!Drawable(day)) continue;
        first = std::min<int64_t>(first, day);
        last = std::max<int64_t>(last, day);
      }
    }
  }
  if (first > last) {
    first = temporal::DayFromCivil(2000, 1, 1);
    last = temporal::DayFromCivil(2001, 1, 1);
  }
  const int64_t margin = std::max<int64_t>(1, (last - first) * 3 / 100);
  int64_t from = options.from.has_value() ? *options.from : first - margin;
  int64_t to = options.to.has_value() ? *options.to : last + margin;
  from = std::clamp<int64_t>(from, temporal::kMinDay, temporal::kMaxDay);
  to = std::clamp<int64_t>(to, from + 1, int64_t{temporal::kMaxDay} + 1);
  return {static_cast<Day>(from), static_cast<Day>(to)};
}

// Everything drawn, laid out.
struct Picture {
  double width = 0, height = 0;
  Day from = 0, to = 0;
  double x0 = 0, x1 = 0;
  double plot_top = 0, plot_bottom = 0;
  AxisTicks ticks;
  // The document in parts: everything under the items (opening <svg>,
  // background, axis, lane titles), the items' <g class="item"> groups, the
  // labels' <text> elements, and the legend with the closing </svg>.
  std::string head, shapes, labels, tail;
  std::string items;  // JSON array of the items' details, in data-i order
};

void AppendHatchAndGradients(std::string& svg, double x0, double x1, double top,
                             double bottom) {
  absl::StrAppendFormat(
      &svg,
      "<defs>\n"
      "<linearGradient id=\"fade-in\"><stop offset=\"0\" stop-color=\"%s\" "
      "stop-opacity=\"0\"/><stop offset=\"1\" stop-color=\"%s\"/>"
      "</linearGradient>\n"
      "<linearGradient id=\"fade-out\"><stop offset=\"0\" stop-color=\"%s\"/>"
      "<stop offset=\"1\" stop-color=\"%s\" stop-opacity=\"0\"/>"
      "</linearGradient>\n"
      "<pattern id=\"hatch\" width=\"6\" height=\"6\" "
      "patternUnits=\"userSpaceOnUse\"><path d=\"M-1 7 L7 -1\" "
      "stroke=\"#fff\" stroke-width=\"2\" stroke-opacity=\"0.7\"/></pattern>\n"
      "<clipPath id=\"plot-clip\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
      "height=\"%.1f\"/></clipPath>\n"
      "</defs>\n",
      kSolid, kSolid, kSolid, kSolid, x0, top, x1 - x0, bottom - top);
}

// The shapes of one item, in its <g class="item">.
void AppendShapes(std::string& svg, const Shape& s, double y) {
  const temporal::Extent& e = s.bar->extent;
  const bool uncertain = s.sides.start.uncertain || s.sides.end.uncertain;
  if (e.instant()) {
    if (s.band_to - s.band_from > 2 * kMarker) {
      // An imprecise day: the days it may be, faded behind the diamond.
      absl::StrAppendFormat(&svg,
                            "<rect class=\"fade-span\" x=\"%.1f\" y=\"%.1f\" "
                            "width=\"%.1f\" height=\"%.0f\" fill=\"%s\" "
                            "fill-opacity=\"0.25\"/>",
                            s.band_from, y, s.band_to - s.band_from, kBarHeight,
                            kEventColour);
    }
    absl::StrAppendFormat(
        &svg,
        "<path class=\"event glyph\" data-x=\"%.1f\" "
        "data-y=\"%.1f\" transform=\"translate(%.1f %.1f)\" "
        "d=\"M0 -7l%.0f 7l-%.0f 7l-%.0f -7z\" fill=\"%s\"%s/>",
        s.event_x, y + kBarHeight / 2, s.event_x, y + kBarHeight / 2, kMarker,
        kMarker, kMarker, kEventColour,
        uncertain ? " fill-opacity=\"0.6\" stroke=\"#8a4a10\" "
                    "stroke-dasharray=\"2 2\""
                  : "");
    return;
  }
  auto rect = [&](const char* cls, double from, double to, const char* fill) {
    if (to - from <= 0) return;
    absl::StrAppendFormat(&svg,
                          "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
                          "width=\"%.1f\" height=\"%.0f\" fill=\"%s\"/>",
                          cls, from, y, to - from, kBarHeight, fill);
  };
  const double mid = y + kBarHeight / 2;
  auto stub = [&](const char* cls, double from, double to) {
    absl::StrAppendFormat(&svg,
                          "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" "
                          "x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                          "stroke-width=\"3\" stroke-dasharray=\"2 3\" "
                          "vector-effect=\"non-scaling-stroke\"/>",
                          cls, from, mid, to, mid, kSolid);
  };
  if (s.sides.start.kind == Side::kUnknown) {
    stub("unknown-start", s.a, s.b);
  } else {
    rect("fade-in", s.a, s.b, "url(#fade-in)");
  }
  rect(s.c > s.b && s.c - s.b < 0.5 ? "certain thin" : "certain", s.b, s.c,
       uncertain ? "#6f93c4" : kSolid);
  if (uncertain) rect("uncertain", s.b, s.c, "url(#hatch)");
  if (s.sides.end.kind == Side::kUnknown) {
    stub("unknown-end", s.c, s.d);
  } else {
    rect("fade-out", s.c, s.d, "url(#fade-out)");
  }
  // Arrows point out of an open side; drawn inside the bar so that they take
  // no room from a neighbour.
  if (s.sides.start.kind == Side::kOpen) {
    absl::StrAppendFormat(&svg,
                          "<path class=\"open-start glyph\" data-x=\"%.1f\" "
                          "data-y=\"%.1f\" transform=\"translate(%.1f %.1f)\" "
                          "d=\"M0 0l8 -7v14z\" fill=\"#fff\"/>",
                          s.a, mid, s.a, mid);
  }
  if (s.sides.end.kind == Side::kOpen) {
    absl::StrAppendFormat(&svg,
                          "<path class=\"open-end glyph\" data-x=\"%.1f\" "
                          "data-y=\"%.1f\" transform=\"translate(%.1f %.1f)\" "
                          "d=\"M0 0l-8 -7v14z\" fill=\"#fff\"/>",
                          s.d, mid, s.d, mid);
  }
}

// The legend: a sample of each way a bound is drawn, wrapped to the width.
void AppendLegend(std::string& svg, double top, double width) {
  svg += "<g class=\"legend\">\n";
  struct Entry {
    const char* glyph;  // SVG at (0, 0), 28 x 14
    const char* text;
  };
  const Entry entries[] = {
      {"<rect width=\"28\" height=\"14\" fill=\"#2f6db5\"/>", "certain"},
      {"<rect width=\"14\" height=\"14\" fill=\"url(#legend-fade)\"/>"
       "<rect x=\"14\" width=\"14\" height=\"14\" fill=\"#2f6db5\"/>",
       "imprecise bound (from the earliest to the latest day it may be)"},
      {"<rect width=\"28\" height=\"14\" fill=\"#6f93c4\"/>"
       "<rect width=\"28\" height=\"14\" fill=\"url(#hatch)\"/>",
       "uncertain, EDTF ? or %: its label ends in (?)"},
      {"<rect width=\"28\" height=\"14\" fill=\"#2f6db5\"/>"
       "<path d=\"M28 7l-8 -7v14z\" fill=\"#fff\"/>",
       "open: ongoing (..)"},
      {"<rect width=\"12\" height=\"14\" fill=\"#2f6db5\"/>"
       "<line x1=\"12\" y1=\"7\" x2=\"28\" y2=\"7\" stroke=\"#2f6db5\" "
       "stroke-width=\"3\" stroke-dasharray=\"2 3\"/>",
       "unknown bound"},
      {"<path d=\"M14 0l7 7l-7 7l-7 -7z\" fill=\"#e07a1f\"/>", "one-day event"},
  };
  svg +=
      "<defs><linearGradient id=\"legend-fade\"><stop offset=\"0\" "
      "stop-color=\"#2f6db5\" stop-opacity=\"0\"/><stop offset=\"1\" "
      "stop-color=\"#2f6db5\"/></linearGradient></defs>\n";
  double x = 10, y = top;
  for (const Entry& entry : entries) {
    const double w = 28 + 6 + TextWidth(entry.text, kLabelFont);
    if (x + w > width - 10) {
      x = 10;
      y += 20;
    }
    absl::StrAppendFormat(
        &svg,
        "<g transform=\"translate(%.1f %.1f)\">%s<text class=\"legend-label\" "
        "x=\"34\" y=\"11\" font-size=\"%.0f\" fill=\"#333\">%s</text></g>\n",
        x, y, entry.glyph, kLabelFont, Escape(entry.text));
    x += w + 18;
  }
  svg += "</g>\n";
}

Picture Draw(const std::vector<TimelineLane>& all_lanes,
             const RenderOptions& options) {
  Picture p;
  std::tie(p.from, p.to) = WindowOf(all_lanes, options);
  const std::vector<TimelineLane> lanes = InWindow(all_lanes, p.from, p.to);
  p.width = options.width;
  p.x0 = kLeftMargin;
  p.x1 = p.width - kRightMargin;
  const Scale scale(p.from, p.to, p.x0, p.x1);

  // Shapes, sub-rows and labels, lane by lane; y positions come after.
  struct LaidLane {
    const TimelineLane* lane = nullptr;
    bool first_of_group = false;
    std::vector<Shape> shapes;
    std::vector<int> rows;
    std::vector<LabelSlot> labels;   // per shape
    std::vector<std::string> texts;  // each shape's whole label
    int sub_rows = 1;
  };
  std::vector<LaidLane> laid;
  for (size_t i = 0; i < lanes.size(); ++i) {
    LaidLane l;
    l.lane = &lanes[i];
    l.first_of_group = i == 0 || lanes[i].group != lanes[i - 1].group;
    std::vector<Interval> spans;
    for (const TimelineBar& bar : lanes[i].bars) {
      l.shapes.push_back(ShapeOf(bar, scale));
      spans.push_back(l.shapes.back().span());
    }
    l.rows = StackInSubRows(spans, kGap);
    l.labels.resize(l.shapes.size());
    l.texts.resize(l.shapes.size());
    for (int r : l.rows) l.sub_rows = std::max(l.sub_rows, r + 1);
    for (int row = 0; row < l.sub_rows; ++row) {
      std::vector<size_t> members;
      for (size_t k = 0; k < l.shapes.size(); ++k) {
        if (l.rows[k] == row) members.push_back(k);
      }
      std::stable_sort(members.begin(), members.end(), [&](size_t x, size_t y) {
        return l.shapes[x].a < l.shapes[y].a;
      });
      std::vector<LabelRequest> requests;
      for (size_t k : members) {
        const Shape& s = l.shapes[k];
        std::string text = s.bar->label;
        // A lane of one entity is titled with its name already, unless the
        // title had to be elided.
        if (text == lanes[i].title && lanes[i].bars.size() == 1 &&
            ElideToWidth(text, kTitleFont, kTitleRoom) == text) {
          text.clear();
        }
        if (s.sides.start.uncertain || s.sides.end.uncertain) {
          text = text.empty() ? "(?)" : absl::StrCat(text, " (?)");
        }
        l.texts[k] = text;
        requests.push_back({s.span(), {s.b, s.c}, text});
      }
      std::vector<LabelSlot> slots =
          PlaceLabels(requests, p.x0 + kEdge, p.x1 - kEdge, kLabelFont, kGap);
      for (size_t m = 0; m < members.size(); ++m) {
        l.labels[members[m]] = slots[m];
      }
    }
    laid.push_back(std::move(l));
  }

  double y = kPlotTop;
  std::vector<double> lane_y;
  for (const LaidLane& l : laid) {
    if (l.first_of_group) y += kGroupHeader;
    lane_y.push_back(y);
    y += l.sub_rows * kRowPitch + kLanePad;
  }
  p.plot_top = kPlotTop - 6;
  p.plot_bottom = y;
  p.height = y + 12 + kLegendHeight;
  p.ticks = ChooseTicks(p.from, p.to, p.x0, p.x1, kLabelFont, 12);

  std::string& svg = p.head;
  svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
      "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"%s\" "
      "data-from=\"%d\" data-to=\"%d\" data-x0=\"%.1f\" data-x1=\"%.1f\">\n",
      p.width, p.height, p.width, p.height, kFontFamily, p.from, p.to, p.x0,
      p.x1);
  AppendHatchAndGradients(svg, p.x0, p.x1, kPlotTop - 6, p.plot_bottom);
  absl::StrAppendFormat(
      &svg,
      "<rect width=\"%.0f\" height=\"%.0f\" fill=\"#fff\"/>\n"
      "<text class=\"title\" x=\"10\" y=\"26\" font-size=\"16\" "
      "font-weight=\"bold\">%s</text>\n",
      p.width, p.height,
      Escape(ElideToWidth(options.title, 16 * 1.1, p.width - 20)));

  svg += "<g id=\"axis\">\n";
  for (const Tick& tick : p.ticks.ticks) {
    const double x = scale.X(tick.day);
    absl::StrAppendFormat(&svg,
                          "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" "
                          "x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>",
                          x, kPlotTop - 18, x, p.plot_bottom);
    if (!tick.label.empty()) {
      absl::StrAppendFormat(&svg,
                            "<text class=\"tick-label\" x=\"%.1f\" y=\"%.1f\" "
                            "font-size=\"%.0f\" fill=\"#555\">%s</text>",
                            x + 2, kAxisLabelY, kLabelFont, Escape(tick.label));
    }
    svg += "\n";
  }
  svg += "</g>\n<g id=\"lanes\">\n";
  for (size_t i = 0; i < laid.size(); ++i) {
    const LaidLane& l = laid[i];
    if (l.first_of_group) {
      absl::StrAppendFormat(
          &svg,
          "<text class=\"group-title\" x=\"10\" y=\"%.1f\" font-size=\"12\" "
          "font-weight=\"bold\" fill=\"#222\">%s</text>\n",
          lane_y[i] - 7,
          Escape(ElideToWidth(l.lane->group, 12 * 1.1, p.width - 20)));
    }
    std::string title = ElideToWidth(l.lane->title, kTitleFont, kTitleRoom);
    absl::StrAppendFormat(
        &svg,
        "<line class=\"lane-rule\" x1=\"10\" y1=\"%.1f\" x2=\"%.1f\" "
        "y2=\"%.1f\" stroke=\"#f0f0f0\"/>\n"
        "<text class=\"lane-title\" x=\"16\" y=\"%.1f\" font-size=\"%.0f\" "
        "fill=\"#222\"><title>%s</title>%s</text>\n",
        lane_y[i] - 2, p.x1, lane_y[i] - 2, lane_y[i] + kBarHeight - 3,
        kTitleFont, Escape(l.lane->title), Escape(title));
  }
  svg += "</g>\n";

  // Items, and their labels apart, drawn above them.
  std::string& shapes = p.shapes;
  std::string& labels = p.labels;
  std::string& items = p.items;
  items = "[";
  int index = 0;
  for (size_t i = 0; i < laid.size(); ++i) {
    const LaidLane& l = laid[i];
    for (size_t k = 0; k < l.shapes.size(); ++k, ++index) {
      const Shape& s = l.shapes[k];
      const TimelineBar& bar = *s.bar;
      const double row_y = lane_y[i] + l.rows[k] * kRowPitch;
      const std::string certainty = CertaintyText(bar, s.sides);
      const bool hatched = s.sides.start.uncertain || s.sides.end.uncertain;
      const double baseline = row_y + kBarHeight - 3.5;
      std::string tooltip =
          absl::StrCat(bar.label, "\n", bar.edtf, "\n", certainty);
      if (!bar.sources.empty()) {
        absl::StrAppend(&tooltip,
                        "\nsources: ", absl::StrJoin(bar.sources, ", "));
      }
      absl::StrAppendFormat(
          &shapes,
          "<g class=\"item\" data-i=\"%d\" data-row=\"%d:%d\">"
          "<title>%s</title>",
          index, i, l.rows[k], Escape(tooltip));
      AppendShapes(shapes, s, row_y);
      shapes += "</g>\n";
      const LabelSlot& slot = l.labels[k];
      if (slot.placement != LabelPlacement::kNone) {
        const bool inside = slot.placement == LabelPlacement::kInside;
        // White reads on the solid bar, not on the paler hatched one.
        const char* ink = inside && !hatched ? "#fff" : "#111";
        absl::StrAppendFormat(
            &labels,
            "<text class=\"label\" data-i=\"%d\" x=\"%.1f\" y=\"%.1f\" "
            "font-size=\"%.0f\" fill=\"%s\"%s>%s</text>\n",
            index, slot.x, baseline, kLabelFont, ink,
            inside && !hatched ? "" : kHalo, Escape(slot.text));
      }
      std::vector<std::string> sources, qualifiers;
      for (const std::string& source : bar.sources) {
        sources.push_back(Json(source));
      }
      for (const auto& [key, value] : bar.qualifiers) {
        qualifiers.push_back(
            absl::StrCat("[", Json(key), ",", Json(value), "]"));
      }
      absl::StrAppend(
          &items, index == 0 ? "" : ",\n", "{\"label\":", Json(bar.label),
          ",\"lane\":", Json(l.lane->title), ",\"edtf\":", Json(bar.edtf),
          ",\"certainty\":", Json(certainty), ",\"sources\":[",
          absl::StrJoin(sources, ","), "],\"qualifiers\":[",
          absl::StrJoin(qualifiers, ","), "]");
      // What the page needs to place the label again when zooming.
      absl::StrAppendFormat(&items,
                            ",\"t\":%s,\"r\":\"%d:%d\",\"y\":%.1f,\"h\":%d,"
                            "\"g\":[%.1f,%.1f,%.1f,%.1f]}",
                            Json(l.texts[k]), i, l.rows[k], baseline,
                            hatched ? 1 : 0, s.a, s.b, s.c, s.d);
    }
  }
  items += "]";
  AppendLegend(p.tail, p.plot_bottom + 12, p.width);
  p.tail += "</svg>\n";
  return p;
}

}  // namespace

std::string RenderSvg(const std::vector<TimelineLane>& lanes,
                      const RenderOptions& options) {
  Picture p = Draw(lanes, options);
  return absl::StrCat(
      p.head, "<g clip-path=\"url(#plot-clip)\"><g id=\"zoom\">\n", p.shapes,
      "</g></g>\n<g id=\"labels\">\n", p.labels, "</g>\n", p.tail);
}

std::string RenderHtml(const std::vector<TimelineLane>& lanes,
                       const RenderOptions& options) {
  Picture p = Draw(lanes, options);
  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>",
      Escape(options.title),
      "</title>\n<style>\n"
      "body{font-family:",
      kFontFamily,
      ";margin:12px;color:#222}\n"
      "header{display:flex;gap:12px;align-items:center;margin-bottom:6px}\n"
      "header button{font:inherit;padding:2px 10px}\n"
      ".hint{color:#666;font-size:13px}\n"
      "#chart{position:relative;cursor:grab;user-select:none}\n"
      "#chart svg{display:block}\n"
      // The items sit in an element of their own that the page makes a
      // composited layer while a gesture lasts: zooming and panning move it
      // without drawing 10,000 items again.
      "#plot-window{position:absolute;overflow:hidden}\n"
      "#items-layer{position:absolute;left:0;top:0;transform-origin:0 0}\n"
      "#labels-layer{position:absolute;left:0;top:0;pointer-events:none}\n"
      "#chart .item{cursor:pointer}\n"
      "#chart .item:hover{filter:brightness(1.25)}\n"
      "#details{position:absolute;max-width:460px;background:#fff;"
      "border:1px solid #999;border-radius:4px;padding:8px 10px;"
      "box-shadow:0 2px 8px rgba(0,0,0,.2);font-size:13px}\n"
      "#details th{text-align:left;padding-right:8px;vertical-align:top;"
      "color:#555;font-weight:normal}\n"
      "</style></head><body>\n<header><span class=\"controls\">"
      "<button id=\"zoom-in\" title=\"Zoom in\">+</button>"
      "<button id=\"zoom-out\" title=\"Zoom out\">&#8722;</button>"
      "<button id=\"reset\">Whole timeline</button></span>"
      "<span class=\"hint\">Wheel: zoom. Drag: pan. Hover or click an item "
      "for its dates, certainty and sources.</span></header>\n",
      absl::StrFormat(
          "<div id=\"chart\" style=\"width:%.0fpx;height:%.0fpx\">\n", p.width,
          p.height),
      p.head, p.tail,
      absl::StrFormat(
          "<div id=\"plot-window\" style=\"left:%.1fpx;top:%.1fpx;"
          "width:%.1fpx;height:%.1fpx\">"
          "<svg id=\"items-layer\" xmlns=\"http://www.w3.org/2000/svg\" "
          "width=\"%.1f\" height=\"%.1f\" viewBox=\"%.1f %.1f %.1f %.1f\">"
          "<g id=\"zoom\">\n",
          p.x0, p.plot_top, p.x1 - p.x0, p.plot_bottom - p.plot_top,
          p.x1 - p.x0, p.plot_bottom - p.plot_top, p.x0, p.plot_top,
          p.x1 - p.x0, p.plot_bottom - p.plot_top),
      p.shapes, "</g></svg></div>\n",
      absl::StrFormat(
          "<svg id=\"labels-layer\" xmlns=\"http://www.w3.org/2000/svg\" "
          "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
          "font-family=\"%s\"><g id=\"labels\">\n",
          p.width, p.height, p.width, p.height, kFontFamily),
      p.labels, "</g></svg>\n</div>\n<aside id=\"details\" hidden></aside>\n",
      "<script type=\"application/json\" id=\"timeline-data\">", p.items,
      "</script>\n<script>", kTimelinePageScript,
      "</script>\n</body></html>\n");
}

}  // namespace annals::cli
