#include "clients/cli/render.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
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
      s.b = Drawable(e.latest_start()) ? scale.X(e.latest_start())
                                       : scale.X(e.earliest_end());
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
  double plot_bottom = 0;
  AxisTicks ticks;
  std::string svg;    // the whole document
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
       "uncertain, EDTF ? or % (label ends in (?))"},
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
  p.plot_bottom = y;
  p.height = y + 12 + kLegendHeight;
  p.ticks = ChooseTicks(p.from, p.to, p.x0, p.x1, kLabelFont, 12);

  std::string& svg = p.svg;
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

  // Items in a clipped, zoomable group; labels apart, above them.
  std::string labels;
  std::string& items = p.items;
  items = "[";
  int index = 0;
  svg +=
      "<g clip-path=\"url(#plot-clip)\"><g id=\"zoom\" "
      "transform=\"translate(0 0) scale(1 1)\">\n";
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
          &svg,
          "<g class=\"item\" data-i=\"%d\" data-row=\"%d:%d\">"
          "<title>%s</title>",
          index, i, l.rows[k], Escape(tooltip));
      AppendShapes(svg, s, row_y);
      svg += "</g>\n";
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
      for (const std::string& source : bar.sources)
        sources.push_back(Json(source));
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
  svg += "</g></g>\n<g id=\"labels\">\n";
  svg += labels;
  svg += "</g>\n";
  AppendLegend(svg, p.plot_bottom + 12, p.width);
  svg += "</svg>\n";
  return p;
}

// The page's script: zoom and pan by moving the item group and the labels,
// ticks chosen again for the days in view (the same steps as ChooseTicks),
// and the details of the item under the pointer.
constexpr char kScript[] = R"JS(
(function () {
  'use strict';
  const svg = document.querySelector('#chart svg');
  const zoomGroup = document.getElementById('zoom');
  const axis = document.getElementById('axis');
  const labelGroup = document.getElementById('labels');
  const hatch = document.getElementById('hatch');
  const details = document.getElementById('details');
  const items = JSON.parse(document.getElementById('timeline-data').textContent);
  const x0 = +svg.dataset.x0, x1 = +svg.dataset.x1;
  const from = +svg.dataset.from, to = +svg.dataset.to;
  const plotBottom = +svg.querySelector('#plot-clip rect').getAttribute('y') +
      +svg.querySelector('#plot-clip rect').getAttribute('height');
  const glyphs = Array.from(zoomGroup.querySelectorAll('.glyph'));
  // A view shows base pixels [left, left + (x1 - x0) / k] of the whole
  // window, at k times the width; k >= 1, never more than a day per 40 px.
  let k = 1, left = x0;
  function clampView() {
    k = Math.min(Math.max(k, 1), Math.max(1, (to - from) / ((x1 - x0) / 40)));
    left = Math.min(Math.max(left, x0), x1 - (x1 - x0) / k);
  }
  const screenX = (baseX) => x0 + k * (baseX - left);

  // Calendar of astronomical years (0 is 1 BC), proleptic Gregorian.
  const DAY = 86400000;
  function civil(day) {
    const d = new Date(day * DAY);
    return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
  }
  function dayOf(y, m, d) {
    const t = new Date(0);
    t.setUTCFullYear(y, m - 1, d);
    return Math.round(t.getTime() / DAY);
  }
  const inDateRange = (day) => Math.abs(day) < 99000000;
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug',
                  'Sep', 'Oct', 'Nov', 'Dec'];
  function yearLabel(y, era) {
    const n = (v) => v >= 10000 ? v.toLocaleString('en-US') : String(v);
    if (y <= 0) return n(1 - y) + ' BC';
    return era ? 'AD ' + n(y) : n(y);
  }
  function yearOf(day) {
    return inDateRange(day) ? civil(day)[0] : Math.floor(1970 + day / 365.2425);
  }
  function yearStart(y) {
    return Math.abs(y) < 270000 ? dayOf(y, 1, 1)
                                : Math.round((y - 1970) * 365.2425);
  }
  function candidates(unit, step, first, last, maxTicks) {
    const ticks = [];
    const add = (day, label) => {
      if (day < first || day >= last) return true;
      if (ticks.length >= maxTicks) return false;
      ticks.push([day, label]);
      return true;
    };
    if (unit !== 'year' && (!inDateRange(first) || !inDateRange(last))) return null;
    if (unit === 'day') {
      if ((last - first) / step > maxTicks) return null;
      let [y, m] = civil(first);
      const [ly, lm] = civil(last - 1);
      for (; y < ly || (y === ly && m <= lm); m === 12 ? (y++, m = 1) : m++) {
        const days = new Date(dayOf(y, m + 1, 1) * DAY - DAY).getUTCDate();
        for (let d = 1; d + Math.floor(step / 2) <= days; d += step) {
          const withYear = ticks.length === 0 || (m === 1 && d === 1);
          const label = d + ' ' + MONTHS[m - 1] + (withYear ? ' ' + yearLabel(y) : '');
          if (!add(dayOf(y, m, d), label)) return null;
        }
      }
      return ticks;
    }
    if (unit === 'month') {
      if ((last - first) / (30 * step) > maxTicks) return null;
      const [fy] = civil(first), [ly] = civil(last - 1);
      for (let y = fy; y <= ly; y++) {
        for (let m = 1; m <= 12; m += step) {
          const withYear = ticks.length === 0 || m === 1;
          if (!add(dayOf(y, m, 1), MONTHS[m - 1] + (withYear ? ' ' + yearLabel(y) : ''))) return null;
        }
      }
      return ticks;
    }
    const y0 = yearOf(first), y1 = yearOf(last - 1);
    if ((y1 - y0) / step > maxTicks) return null;
    if (step === 1) {
      for (let y = y0; y <= y1; y++) if (!add(yearStart(y), yearLabel(y))) return null;
      return ticks;
    }
    for (let j = Math.floor((1 - y0) / step); j >= 1; j--) {
      if (!add(yearStart(1 - j * step), yearLabel(1 - j * step))) return null;
    }
    if (step >= 10 && !add(yearStart(1), yearLabel(1, true))) return null;
    for (let j = Math.max(1, Math.floor(y0 / step)); j * step <= y1; j++) {
      if (!add(yearStart(j * step), yearLabel(j * step))) return null;
    }
    return ticks;
  }
  const measure = document.createElement('canvas').getContext('2d');
  measure.font = '10px "DejaVu Sans", Verdana, sans-serif';
  const textWidth = (text) => measure.measureText(text).width * 1.04;
  const STEPS = [['day', 1], ['day', 2], ['day', 5], ['day', 10], ['month', 1],
                 ['month', 2], ['month', 3], ['month', 6]];
  for (let base = 1; base <= 1000000; base *= 10) {
    for (const m of [1, 2, 5]) STEPS.push(['year', base * m]);
  }
  const dayAt = (screen) => from + (left + (screen - x0) / k - x0) * (to - from) / (x1 - x0);
  const screenOfDay = (day) => screenX(x0 + (day - from) * (x1 - x0) / (to - from));
  function drawAxis() {
    const first = Math.ceil(dayAt(x0)), last = Math.floor(dayAt(x1)) + 1;
    const maxTicks = Math.floor((x1 - x0) / 8) + 2;
    let chosen = [];
    for (const [unit, step] of STEPS) {
      const ticks = candidates(unit, step, first, last, maxTicks);
      if (!ticks) continue;
      let fits = true, previousEnd = -Infinity;
      const drawn = ticks.map(([day, label]) => {
        const x = screenOfDay(day), start = x + 2, end = start + textWidth(label);
        if (end > x1) return [x, ''];
        if (start < previousEnd + 12) fits = false;
        previousEnd = end;
        return [x, label];
      });
      chosen = drawn;
      if (fits) break;
    }
    const ns = 'http://www.w3.org/2000/svg';
    axis.replaceChildren();
    for (const [x, label] of chosen) {
      const line = document.createElementNS(ns, 'line');
      line.setAttribute('class', 'grid');
      line.setAttribute('x1', x); line.setAttribute('x2', x);
      line.setAttribute('y1', 50); line.setAttribute('y2', plotBottom);
      line.setAttribute('stroke', '#e4e4e4');
      axis.appendChild(line);
      if (!label) continue;
      const text = document.createElementNS(ns, 'text');
      text.setAttribute('class', 'tick-label');
      text.setAttribute('x', x + 2); text.setAttribute('y', 58);
      text.setAttribute('font-size', 10); text.setAttribute('fill', '#555');
      text.textContent = label;
      axis.appendChild(text);
    }
  }
  // Labels placed again for the view, by the rules of PlaceLabels
  // (timeline_layout.h): inside the bar's solid part in view, else right of
  // the bar, else left, else elided the same ways, else hover only. Widths
  // are the same estimate as TextWidth's: per character, with headroom.
  const charWidths = new Map();
  const widthOf = (text) => {
    let w = 0;
    for (const ch of text) {
      if (!charWidths.has(ch)) charWidths.set(ch, measure.measureText(ch).width);
      w += charWidths.get(ch);
    }
    return w * 1.04;
  };
  function elide(text, room) {
    if (widthOf(text) <= room) return text;
    const budget = room - widthOf('\u2026');
    let used = 0, kept = [];
    for (const ch of text) {
      const w = widthOf(ch);
      if (used + w > budget) break;
      used += w;
      kept.push(ch);
    }
    while (kept.length && kept[kept.length - 1] === ' ') kept.pop();
    return kept.length < 3 ? '' : kept.join('') + '\u2026';
  }
  const rows = new Map();
  items.forEach((item, i) => {
    if (!rows.has(item.r)) rows.set(item.r, []);
    rows.get(item.r).push(i);
  });
  for (const list of rows.values()) list.sort((a, b) => items[a].g[0] - items[b].g[0]);
  const GAP = 3, PAD = 3, rowStart = x0 + 2, rowEnd = x1 - 2;
  function placeRow(list, out) {
    const shown = [];
    for (const i of list) {
      const g = items[i].g, a = screenX(g[0]), d = screenX(g[3]);
      if (d >= x0 && a <= x1) shown.push({i, a, b: screenX(g[1]), c: screenX(g[2]), d});
    }
    let occupied = rowStart - GAP;
    shown.forEach((s, j) => {
      const item = items[s.i];
      const next = j + 1 < shown.length ? shown[j + 1].a : rowEnd + GAP;
      const insideFrom = Math.max(s.b, rowStart) + PAD;
      const insideRoom = Math.min(s.c, rowEnd) - PAD - insideFrom;
      const rightFrom = s.d + GAP;
      const rightRoom = Math.min(next - GAP, rowEnd) - rightFrom;
      const leftTo = s.a - GAP;
      const leftRoom = leftTo - Math.max(occupied + GAP, rowStart);
      const w = widthOf(item.t);
      let place = null;
      if (!item.t) {
        // nothing to place
      } else if (w <= insideRoom) {
        place = [insideFrom, item.t, true];
      } else if (w <= rightRoom) {
        place = [rightFrom, item.t, false];
      } else if (w <= leftRoom) {
        place = [leftTo - w, item.t, false];
      } else {
        let text = elide(item.t, insideRoom);
        if (text) place = [insideFrom, text, true];
        else if ((text = elide(item.t, rightRoom))) place = [rightFrom, text, false];
        else if ((text = elide(item.t, leftRoom))) place = [leftTo - widthOf(text), text, false];
      }
      occupied = Math.max(occupied, s.d);
      if (!place) return;
      const [x, text, inside] = place;
      occupied = Math.max(occupied, x + widthOf(text));
      out.push([s.i, x, item.y, text, inside && !item.h]);
    });
  }
  function drawLabels() {
    const placed = [];
    for (const list of rows.values()) placeRow(list, placed);
    const ns = 'http://www.w3.org/2000/svg';
    const fragment = document.createDocumentFragment();
    for (const [i, x, y, text, white] of placed) {
      const label = document.createElementNS(ns, 'text');
      label.setAttribute('class', 'label');
      label.dataset.i = i;
      label.setAttribute('x', x.toFixed(1));
      label.setAttribute('y', y);
      label.setAttribute('font-size', 10);
      if (white) {
        label.setAttribute('fill', '#fff');
      } else {
        label.setAttribute('fill', '#111');
        label.setAttribute('stroke', '#fff');
        label.setAttribute('stroke-width', 3);
        label.setAttribute('paint-order', 'stroke');
        label.setAttribute('stroke-linejoin', 'round');
      }
      label.textContent = text;
      fragment.appendChild(label);
    }
    labelGroup.replaceChildren(fragment);
  }
  function drawGlyphs() {
    const s = (1 / k).toFixed(6);
    for (const g of glyphs) {
      g.setAttribute('transform', 'translate(' + g.dataset.x + ' ' + g.dataset.y + ') scale(' + s + ' 1)');
    }
    hatch.setAttribute('patternTransform', 'scale(' + s + ' 1)');
  }
  function drawQuick() {
    zoomGroup.setAttribute('transform', 'translate(' + (x0 - k * left) + ' 0) scale(' + k + ' 1)');
    drawAxis();
  }
  function drawAll() {
    drawQuick();
    drawGlyphs();
    drawLabels();
    labelGroup.style.display = '';
  }
  // While the wheel or a drag goes on, only the items' group and the axis
  // move (one transform: smooth with any number of items); labels and glyphs
  // follow once it stops.
  let settleTimer = 0, frame = 0;
  function changed() {
    clampView();
    labelGroup.style.display = 'none';
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; drawQuick(); });
    clearTimeout(settleTimer);
    settleTimer = setTimeout(drawAll, 150);
  }
  function zoomAt(factor, screen) {
    const base = left + (screen - x0) / k;
    k *= factor;
    clampView();
    left = base - (screen - x0) / k;
    changed();
  }
  const toSvgX = (clientX) => (clientX - svg.getBoundingClientRect().left) * svg.viewBox.baseVal.width / svg.getBoundingClientRect().width;
  svg.addEventListener('wheel', (event) => {
    event.preventDefault();
    zoomAt(Math.exp(-event.deltaY / 300), Math.min(Math.max(toSvgX(event.clientX), x0), x1));
  }, {passive: false});
  let drag = null;
  svg.addEventListener('pointerdown', (event) => {
    drag = {x: event.clientX, left};
  });
  window.addEventListener('pointermove', (event) => {
    if (!drag) return;
    const scale = svg.viewBox.baseVal.width / svg.getBoundingClientRect().width;
    left = drag.left - (event.clientX - drag.x) * scale / k;
    if (Math.abs(event.clientX - drag.x) > 3) drag.moved = true;
    changed();
  });
  window.addEventListener('pointerup', () => { setTimeout(() => { drag = null; }, 0); });
  document.getElementById('zoom-in').onclick = () => zoomAt(2, (x0 + x1) / 2);
  document.getElementById('zoom-out').onclick = () => zoomAt(0.5, (x0 + x1) / 2);
  document.getElementById('reset').onclick = () => { k = 1; left = x0; changed(); };

  let pinned = false;
  function show(item, event) {
    const data = items[+item.dataset.i];
    const row = (name, value) => {
      const tr = document.createElement('tr');
      const th = document.createElement('th'), td = document.createElement('td');
      th.textContent = name; td.textContent = value;
      tr.append(th, td);
      return tr;
    };
    const table = document.createElement('table');
    const title = document.createElement('strong');
    title.textContent = data.label;
    table.append(row('lane', data.lane), row('EDTF', data.edtf),
                 row('certainty', data.certainty),
                 row('sources', data.sources.join(', ') || 'none'),
                 row('qualifiers', data.qualifiers.map((q) => q[0] + ': ' + q[1]).join(', ') || 'none'));
    details.replaceChildren(title, table);
    details.hidden = false;
    const x = Math.min(event.clientX + 14, window.innerWidth - details.offsetWidth - 8);
    details.style.left = Math.max(8, x) + 'px';
    details.style.top = (event.clientY + 14 + window.scrollY) + 'px';
  }
  const itemOf = (event) => event.target.closest && event.target.closest('.item');
  svg.addEventListener('mouseover', (event) => {
    const item = itemOf(event);
    if (item && !pinned) show(item, event);
  });
  svg.addEventListener('mouseout', (event) => {
    if (itemOf(event) && !pinned) details.hidden = true;
  });
  svg.addEventListener('click', (event) => {
    if (drag && drag.moved) return;
    const item = itemOf(event);
    pinned = !!item;
    if (item) show(item, event); else details.hidden = true;
  });
  // For scripts and tests: zoom to the days [first, last) and lay out now.
  window.annalsTimeline = {
    zoomTo(first, last) {
      k = (to - from) / Math.max(1, last - first);
      clampView();
      left = x0 + (first - from) * (x1 - x0) / (to - from);
      clampView();
      drawAll();
    },
    redraw: drawAll,
  };
  // Tick labels are drawn by the page from here on, measured in the page's
  // own font.
  drawAxis();
})();
)JS";

}  // namespace

std::string RenderSvg(const std::vector<TimelineLane>& lanes,
                      const RenderOptions& options) {
  return Draw(lanes, options).svg;
}

std::string RenderHtml(const std::vector<TimelineLane>& lanes,
                       const RenderOptions& options) {
  Picture picture = Draw(lanes, options);
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
      "#chart svg{display:block;cursor:grab;user-select:none}\n"
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
      "for its dates, certainty and sources.</span></header>\n"
      "<div id=\"chart\">\n",
      picture.svg, "</div>\n<aside id=\"details\" hidden></aside>\n",
      "<script type=\"application/json\" id=\"timeline-data\">", picture.items,
      "</script>\n<script>", kScript, "</script>\n</body></html>\n");
}

}  // namespace annals::cli
