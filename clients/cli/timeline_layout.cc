#include "clients/cli/timeline_layout.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"

namespace annals::cli {
namespace {

using temporal::Day;

// Advance widths of ASCII 32..126 in DejaVu Sans, in thousandths of an em,
// as Chromium's canvas measureText reports them.
constexpr int kAsciiWidths[95] = {
    318, 401, 460, 838, 636,  950, 780, 275, 390, 390, 500, 838, 318, 361,
    318, 337, 636, 636, 636,  636, 636, 636, 636, 636, 636, 636, 337, 337,
    838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295,
    295, 656, 557, 863, 748,  787, 603, 787, 695, 635, 611, 732, 684, 989,
    685, 611, 685, 390, 337,  390, 838, 500, 500, 613, 635, 550, 635, 615,
    352, 635, 634, 278, 278,  579, 278, 974, 634, 612, 635, 635, 411, 521,
    392, 634, 592, 818, 592,  592, 525, 636, 337, 636, 838};

// Headroom over the measured advances: renderers differ by a pixel or so in
// rounding, and a label that is estimated too narrow would overlap.
constexpr double kWidthHeadroom = 1.04;

constexpr char kEllipsis[] = "…";

// The length of the UTF-8 character starting with byte `lead`.
size_t CharLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xe) return 3;
  if ((lead >> 3) == 0x1e) return 4;
  return 1;  // a stray continuation byte: counted alone
}

double CharWidth(std::string_view utf8_char) {
  unsigned char c = utf8_char[0];
  if (utf8_char.size() == 1 && c >= 32 && c < 127) {
    return kAsciiWidths[c - 32] / 1000.0;
  }
  return 1.0;
}

constexpr const char* kMonthNames[12] = {"Jan", "Feb", "Mar", "Apr",
                                         "May", "Jun", "Jul", "Aug",
                                         "Sep", "Oct", "Nov", "Dec"};

std::string WithThousands(int64_t n) {
  std::string digits = absl::StrCat(n);
  if (digits.size() < 5) return digits;
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Days and months before year 0 are labelled with their historical year.
std::string DayLabel(const absl::CivilDay& day, bool with_year) {
  std::string text = absl::StrCat(day.day(), " ", kMonthNames[day.month() - 1]);
  if (with_year) absl::StrAppend(&text, " ", YearLabel(day.year()));
  return text;
}

std::string MonthLabel(const absl::CivilDay& day, bool with_year) {
  std::string text = kMonthNames[day.month() - 1];
  if (with_year) absl::StrAppend(&text, " ", YearLabel(day.year()));
  return text;
}

// The first day of `year`, if the calendar has it.
bool YearStart(int64_t year, Day& day) {
  if (year < temporal::kMinYear || year > temporal::kMaxYear) return false;
  day = temporal::DayFromCivil(static_cast<int>(year), 1, 1);
  return true;
}

// Candidate ticks of one unit and step over [first, last), at most
// `max_ticks` of them (more could not be legible): false if there would be
// more.
bool CandidateTicks(TickUnit unit, int64_t step, Day first, Day last,
                    size_t max_ticks, std::vector<Tick>& ticks) {
  ticks.clear();
  const absl::CivilDay first_civil = temporal::CivilFromDay(first);
  const absl::CivilDay last_civil = temporal::CivilFromDay(last - 1);
  auto add = [&](Day day, std::string label) {
    if (day < first || day >= last) return true;
    if (ticks.size() >= max_ticks) return false;
    ticks.push_back({day, std::move(label)});
    return true;
  };
  switch (unit) {
    case TickUnit::kDay: {
      if ((last - first) / step > static_cast<int64_t>(max_ticks)) {
        return false;
      }
      for (absl::CivilMonth month(first_civil);
           month <= absl::CivilMonth(last_civil); ++month) {
        const int days = temporal::DaysInMonth(static_cast<int>(month.year()),
                                               month.month());
        // A last tick too close to the next month's first is skipped.
        for (int d = 1; d + step / 2 <= days; d += static_cast<int>(step)) {
          absl::CivilDay civil(month.year(), month.month(), d);
          Day day = temporal::DayFromCivil(civil);
          bool with_year = ticks.empty() || (month.month() == 1 && d == 1);
          if (!add(day, DayLabel(civil, with_year))) return false;
        }
      }
      return true;
    }
    case TickUnit::kMonth: {
      if ((last - first) / (30 * step) > static_cast<int64_t>(max_ticks)) {
        return false;
      }
      for (absl::CivilYear year(first_civil);
           year <= absl::CivilYear(last_civil); ++year) {
        for (int m = 1; m <= 12; m += static_cast<int>(step)) {
          absl::CivilDay civil(year.year(), m, 1);
          Day day = temporal::DayFromCivil(civil);
          bool with_year = ticks.empty() || m == 1;
          if (!add(day, MonthLabel(civil, with_year))) return false;
        }
      }
      return true;
    }
    case TickUnit::kYear: {
      const int64_t y0 = first_civil.year(), y1 = last_civil.year();
      if ((y1 - y0) / step > static_cast<int64_t>(max_ticks)) return false;
      Day day;
      if (step == 1) {
        for (int64_t y = y0; y <= y1; ++y) {
          if (YearStart(y, day) && !add(day, YearLabel(y))) return false;
        }
        return true;
      }
      // Before Christ: years 1 - k * step, from the earliest.
      for (int64_t k = (1 - y0) / step; k >= 1; --k) {
        if (YearStart(1 - k * step, day) &&
            !add(day, YearLabel(1 - k * step))) {
          return false;
        }
      }
      if (step >= 10 && YearStart(1, day) && !add(day, YearLabel(1, true))) {
        return false;
      }
      for (int64_t k = std::max<int64_t>(1, y0 / step); k * step <= y1; ++k) {
        if (YearStart(k * step, day) && !add(day, YearLabel(k * step))) {
          return false;
        }
      }
      return true;
    }
  }
  return true;
}

}  // namespace

double TextWidth(std::string_view utf8, double font_size) {
  double ems = 0;
  for (size_t i = 0; i < utf8.size();) {
    size_t n = std::min(CharLength(utf8[i]), utf8.size() - i);
    ems += CharWidth(utf8.substr(i, n));
    i += n;
  }
  return ems * font_size * kWidthHeadroom;
}

std::string ElideToWidth(std::string_view text, double font_size,
                         double max_width) {
  if (TextWidth(text, font_size) <= max_width) return std::string(text);
  const double budget = max_width - TextWidth(kEllipsis, font_size);
  double used = 0;
  size_t end = 0, chars = 0;
  while (end < text.size()) {
    size_t n = std::min(CharLength(text[end]), text.size() - end);
    double w = TextWidth(text.substr(end, n), font_size);
    if (used + w > budget) break;
    used += w;
    end += n;
    ++chars;
  }
  while (end > 0 && text[end - 1] == ' ') {
    --end;
    --chars;
  }
  if (chars < 3) return "";
  return std::string(text.substr(0, end)) + kEllipsis;
}

std::vector<int> StackInSubRows(const std::vector<Interval>& spans,
                                double gap) {
  std::vector<size_t> order(spans.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return spans[a].start < spans[b].start;
  });
  std::vector<int> rows(spans.size(), 0);
  std::vector<double> row_end;  // where each sub-row's last interval ends
  for (size_t i : order) {
    size_t row = 0;
    while (row < row_end.size() && row_end[row] + gap > spans[i].start) ++row;
    if (row == row_end.size()) row_end.push_back(0);
    row_end[row] = spans[i].end;
    rows[i] = static_cast<int>(row);
  }
  return rows;
}

std::vector<LabelSlot> PlaceLabels(const std::vector<LabelRequest>& items,
                                   double row_start, double row_end,
                                   double font_size, double gap) {
  // Padding between a bar's edge and text inside it.
  constexpr double kPad = 3;
  std::vector<LabelSlot> slots(items.size());
  // The right edge of everything placed so far, bars and labels.
  double occupied = row_start - gap;
  for (size_t i = 0; i < items.size(); ++i) {
    const LabelRequest& item = items[i];
    LabelSlot& slot = slots[i];
    const double next_start =
        i + 1 < items.size() ? items[i + 1].bar.start : row_end + gap;
    // Room inside the solid part, right of the bar (up to the next bar and
    // the row's end) and left of it (after what is already placed).
    const double inside_from = std::max(item.inside.start, row_start) + kPad;
    const double inside_room =
        std::min(item.inside.end, row_end) - kPad - inside_from;
    const double right_from = item.bar.end + gap;
    const double right_room = std::min(next_start - gap, row_end) - right_from;
    const double left_to = item.bar.start - gap;
    const double left_room = left_to - std::max(occupied + gap, row_start);
    const double width = TextWidth(item.text, font_size);
    if (item.text.empty()) {
      // Nothing to place.
    } else if (width <= inside_room) {
      slot = {LabelPlacement::kInside, item.text, false, inside_from, width};
    } else if (width <= right_room) {
      slot = {LabelPlacement::kRight, item.text, false, right_from, width};
    } else if (width <= left_room) {
      slot = {LabelPlacement::kLeft, item.text, false, left_to - width, width};
    } else {
      std::string elided = ElideToWidth(item.text, font_size, inside_room);
      if (!elided.empty()) {
        slot = {LabelPlacement::kInside, elided, true, inside_from,
                TextWidth(elided, font_size)};
      } else {
        elided = ElideToWidth(item.text, font_size, right_room);
        if (!elided.empty()) {
          slot = {LabelPlacement::kRight, elided, true, right_from,
                  TextWidth(elided, font_size)};
        } else {
          elided = ElideToWidth(item.text, font_size, left_room);
          if (!elided.empty()) {
            const double w = TextWidth(elided, font_size);
            slot = {LabelPlacement::kLeft, elided, true, left_to - w, w};
          }
        }
      }
    }
    occupied = std::max(occupied, item.bar.end);
    if (slot.placement != LabelPlacement::kNone) {
      occupied = std::max(occupied, slot.x + slot.width);
    }
  }
  return slots;
}

std::string YearLabel(int64_t year, bool era) {
  if (year <= 0) return absl::StrCat(WithThousands(1 - year), " BC");
  if (era) return absl::StrCat("AD ", WithThousands(year));
  return WithThousands(year);
}

AxisTicks ChooseTicks(Day first, Day last, double x0, double x1,
                      double font_size, double min_gap) {
  AxisTicks chosen;
  if (last <= first || x1 <= x0) return chosen;
  auto x_of = [&](Day day) {
    return x0 + (x1 - x0) * (static_cast<double>(day) - first) /
                    (static_cast<double>(last) - first);
  };
  // No axis is legible with ticks closer than this.
  const size_t max_ticks = static_cast<size_t>((x1 - x0) / 8) + 2;
  std::vector<std::pair<TickUnit, int64_t>> steps = {
      {TickUnit::kDay, 1},   {TickUnit::kDay, 2},   {TickUnit::kDay, 5},
      {TickUnit::kDay, 10},  {TickUnit::kMonth, 1}, {TickUnit::kMonth, 2},
      {TickUnit::kMonth, 3}, {TickUnit::kMonth, 6}};
  for (int64_t base = 1; base <= 1000000; base *= 10) {
    for (int64_t multiple : {1, 2, 5}) {
      steps.push_back({TickUnit::kYear, base * multiple});
    }
  }
  std::vector<Tick> ticks;
  for (const auto& [unit, step] : steps) {
    if (!CandidateTicks(unit, step, first, last, max_ticks, ticks)) continue;
    bool fits = true;
    double previous_end = -1e300;
    for (Tick& tick : ticks) {
      const double start = x_of(tick.day) + 2;
      const double end = start + TextWidth(tick.label, font_size);
      if (end > x1) {
        tick.label.clear();
        continue;
      }
      if (start < previous_end + min_gap) {
        fits = false;
        break;
      }
      previous_end = end;
    }
    chosen = {unit, step, ticks};
    if (fits) return chosen;
  }
  return chosen;
}

}  // namespace annals::cli
