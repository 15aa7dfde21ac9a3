// `annals render` pictures as a person sees them: drawn by headless Chromium,
// measured from the page itself. A script added to each picture reads the
// bounding boxes of what Chromium drew and writes what it found into the
// page, which Chromium then dumps: no two texts overlap, none leaves the
// picture, no two tick labels overlap, no two items of a sub-row overlap.
// The HTML page is checked as drawn and again after zooming in (its own
// script then moves labels and chooses ticks). Screenshots are kept in
// ANNALS_ARTIFACT_DIR for people to look at.
//
// Skipped, saying so, when Chromium is not installed (deploy/dev/install-deps
// installs it).
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "clients/cli/cli.h"
#include "clients/cli/render.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/temporal/day.h"
#include "tests/testing/annals_world.h"
#include "tests/testing/temp_dir.h"

namespace annals::cli {
namespace {

using ::testing::HasSubstr;

// Runs in the page once it has loaded; `ZOOM` is replaced with the days to
// zoom to ("[first, last]") or "null". Writes "key=value" lines into
// <pre id="check-results">.
constexpr char kCheckScript[] = R"JS(
<script>
window.addEventListener('load', async () => {
  const results = {};
  const problems = [];
  const visible = (e) => e.style.display !== 'none' &&
      !(e.parentNode && e.parentNode.style && e.parentNode.style.display === 'none');
  const boxes = (selector) => Array.from(document.querySelectorAll(selector))
      .filter(visible).map((e) => ({e, r: e.getBoundingClientRect()}));
  const name = (b) => (b.e.textContent || b.e.getAttribute('class') || '').slice(0, 40) +
      ' @' + Math.round(b.r.left) + ',' + Math.round(b.r.top);
  // Pairs whose boxes overlap by more than half a pixel each way.
  function overlapping(list) {
    list = list.slice().sort((a, b) => a.r.left - b.r.left);
    let active = [];
    const pairs = [];
    for (const b of list) {
      active = active.filter((a) => a.r.right > b.r.left + 0.5);
      for (const a of active) {
        if (a.r.bottom > b.r.top + 0.5 && b.r.bottom > a.r.top + 0.5) pairs.push([a, b]);
      }
      active.push(b);
    }
    return pairs;
  }
  function check(prefix) {
    const svg = document.querySelector('svg').getBoundingClientRect();
    const texts = boxes('svg text');
    const ticks = boxes('svg text.tick-label');
    const labels = boxes('svg text.label');
    const textPairs = overlapping(texts);
    const tickPairs = overlapping(ticks);
    const clipped = texts.filter((b) => b.r.left < svg.left - 0.5 || b.r.right > svg.right + 0.5 ||
        b.r.top < svg.top - 0.5 || b.r.bottom > svg.bottom + 0.5);
    // Labels of items stay within the plot, right of the lane titles.
    const x0 = +document.querySelector('svg').dataset.x0, x1 = +document.querySelector('svg').dataset.x1;
    const scale = svg.width / document.querySelector('svg').viewBox.baseVal.width;
    const outOfPlot = labels.filter((b) => b.r.left < svg.left + x0 * scale - 0.5 ||
        b.r.right > svg.left + x1 * scale + 0.5);
    const rows = new Map();
    for (const b of boxes('svg g.item')) {
      if (!rows.has(b.e.dataset.row)) rows.set(b.e.dataset.row, []);
      rows.get(b.e.dataset.row).push(b);
    }
    let barPairs = [];
    for (const list of rows.values()) barPairs = barPairs.concat(overlapping(list));
    results[prefix + 'texts'] = texts.length;
    results[prefix + 'labels'] = labels.length;
    results[prefix + 'ticks'] = ticks.length;
    results[prefix + 'tick_texts'] = ticks.map((b) => b.e.textContent).join('|');
    results[prefix + 'items'] = boxes('svg g.item').length;
    results[prefix + 'subrows'] = rows.size;
    results[prefix + 'text_overlaps'] = textPairs.length;
    results[prefix + 'tick_overlaps'] = tickPairs.length;
    results[prefix + 'clipped'] = clipped.length + outOfPlot.length;
    results[prefix + 'bar_overlaps'] = barPairs.length;
    for (const [a, b] of textPairs.concat(tickPairs, barPairs).slice(0, 5)) {
      problems.push(prefix + 'overlap: ' + name(a) + ' / ' + name(b));
    }
    for (const b of clipped.concat(outOfPlot).slice(0, 5)) problems.push(prefix + 'clipped: ' + name(b));
  }
  check('');
  const zoom = ZOOM;
  if (zoom && window.annalsTimeline) {
    // The details of the first item, as hovering shows them.
    const item = document.querySelector('svg g.item');
    const box = item.getBoundingClientRect();
    item.dispatchEvent(new MouseEvent('mouseover', {bubbles: true,
        clientX: box.left + 1, clientY: box.top + 1}));
    const details = document.getElementById('details');
    results['details'] = details.hidden ? '' : details.textContent.replace(/\n/g, ' ');
    details.hidden = true;
    // The whole window laid out by the page's script: every label placed
    // again.
    const svgElement = document.querySelector('svg');
    let t = performance.now();
    window.annalsTimeline.zoomTo(+svgElement.dataset.from, +svgElement.dataset.to);
    results['whole_relayout_ms'] = Math.round(performance.now() - t);
    check('whole_');
    t = performance.now();
    window.annalsTimeline.zoomTo(zoom[0], zoom[1]);
    results['zoom_relayout_ms'] = Math.round(performance.now() - t);
    check('zoomed_');
    // Frames of a wheel gesture, each forced through style and layout.
    t = performance.now();
    for (let i = 0; i < 20; i++) {
      window.annalsTimeline.gestureFrame(1 + i / 4);
      svgElement.getBoundingClientRect();
    }
    results['gesture_frame_ms'] = ((performance.now() - t) / 20).toFixed(1);
    // As a person zooms: the wheel over the middle of the plot, then a drag;
    // the page lays out again once they stop.
    const svgBox = svgElement.getBoundingClientRect();
    const scale = svgBox.width / svgElement.viewBox.baseVal.width;
    const cx = svgBox.left + (+svgElement.dataset.x0 + +svgElement.dataset.x1) / 2 * scale;
    const cy = svgBox.top + 80;
    const tickText = () => Array.from(document.querySelectorAll('svg text.tick-label'))
        .map((e) => e.textContent).join('|');
    window.annalsTimeline.zoomTo(+svgElement.dataset.from, +svgElement.dataset.to);
    const before = tickText();
    for (let i = 0; i < 2; i++) {
      svgElement.dispatchEvent(new WheelEvent('wheel', {bubbles: true, cancelable: true,
          clientX: cx, clientY: cy, deltaY: -240}));
    }
    svgElement.dispatchEvent(new PointerEvent('pointerdown', {bubbles: true, clientX: cx, clientY: cy}));
    window.dispatchEvent(new PointerEvent('pointermove', {bubbles: true, clientX: cx + 200, clientY: cy}));
    window.dispatchEvent(new PointerEvent('pointerup', {bubbles: true, clientX: cx + 200, clientY: cy}));
    await new Promise((resolve) => setTimeout(resolve, 400));
    results['wheel_changed_ticks'] = before !== tickText() ? 1 : 0;
    check('wheel_');
  }
  const pre = document.createElement('pre');
  pre.id = 'check-results';
  pre.textContent = Object.entries(results).map(([k, v]) => k + '=' + v).join('\n') +
      '\nproblems=' + problems.join(' ;; ') + '\n';
  document.body.appendChild(pre);
});
</script>
)JS";

// The Chromium to run: $ANNALS_CHROMIUM when set (only that one), else the
// Debian package's. "" when there is none.
std::string Chromium() {
  const char* given = std::getenv("ANNALS_CHROMIUM");
  if (given != nullptr) {
    return std::filesystem::exists(given) ? given : "";
  }
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (std::filesystem::exists(path)) return path;
  }
  return "";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// What the check script found, by key.
using Findings = std::map<std::string, std::string>;

class RenderInBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = Chromium();
    if (chromium_.empty()) {
      GTEST_SKIP() << "Chromium is not installed (/usr/bin/chromium, or "
                      "$ANNALS_CHROMIUM); deploy/dev/install-deps installs it";
    }
    std::filesystem::create_directories(ANNALS_ARTIFACT_DIR);
  }

  // Loads `page` (a file) in Chromium with the check script and returns its
  // findings; keeps a screenshot of the page as it first draws as
  // ANNALS_ARTIFACT_DIR/<name>.png.
  Findings Check(const std::string& page_html, const std::string& name,
                 const std::string& zoom, int height) {
    const std::string dir = ANNALS_ARTIFACT_DIR;
    const std::string plain = absl::StrCat(dir, "/", name, ".html");
    std::ofstream(plain) << page_html;
    std::string checked_html = page_html;
    const std::string script =
        absl::StrReplaceAll(kCheckScript, {{"ZOOM", zoom}});
    size_t body = checked_html.rfind("</body>");
    if (body == std::string::npos) {
      checked_html += script;
    } else {
      checked_html.insert(body, script);
    }
    const std::string checked = absl::StrCat(dir, "/", name, ".check.html");
    const std::string dump = absl::StrCat(dir, "/", name, ".dom.txt");
    std::ofstream(checked) << checked_html;
    const std::string flags = absl::StrCat(
        "--headless --no-sandbox --disable-gpu --hide-scrollbars "
        "--font-render-hinting=none --window-size=1430,",
        height, " ");
    // One run checks the page and pictures how the check left it (zoomed
    // in, when asked to zoom); a second pictures the page as it first draws.
    const bool zooms = zoom != "null";
    std::string command = absl::StrCat(
        "timeout 90 ", chromium_, " ", flags,
        "--virtual-time-budget=20000 --dump-dom --screenshot=", dir, "/", name,
        zooms ? "-zoomed" : "", ".png file://", checked, " > ", dump,
        " 2>/dev/null");
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    if (zooms) {
      command = absl::StrCat("timeout 90 ", chromium_, " ", flags,
                             "--screenshot=", dir, "/", name, ".png file://",
                             plain, " > /dev/null 2>&1");
      EXPECT_EQ(std::system(command.c_str()), 0) << command;
    }
    Findings findings;
    std::string text = ReadFile(dump);
    size_t at = text.find("<pre id=\"check-results\">");
    EXPECT_NE(at, std::string::npos) << "the check script did not run";
    if (at == std::string::npos) return findings;
    text = text.substr(at + 24, text.find("</pre>", at) - at - 24);
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      size_t eq = line.find('=');
      if (eq == absl::string_view::npos) continue;
      findings[std::string(line.substr(0, eq))] =
          std::string(line.substr(eq + 1));
    }
    return findings;
  }

  static int Number(const Findings& findings, const std::string& key) {
    auto it = findings.find(key);
    int n = -1;
    if (it == findings.end() || !absl::SimpleAtoi(it->second, &n)) return -1;
    return n;
  }

  // The layout promises, as the page measured them.
  // `labeled`: some item of the view has its label shown (a view of only
  // single-entity lanes, whose titles name them, has none).
  static void ExpectLegible(const Findings& f, const std::string& prefix,
                            bool labeled = true) {
    SCOPED_TRACE(prefix.empty() ? "as drawn" : prefix);
    if (labeled) EXPECT_GT(Number(f, prefix + "labels"), 0);
    EXPECT_GT(Number(f, prefix + "ticks"), 2) << f.at(prefix + "tick_texts");
    EXPECT_EQ(Number(f, prefix + "text_overlaps"), 0) << f.at("problems");
    EXPECT_EQ(Number(f, prefix + "tick_overlaps"), 0) << f.at("problems");
    EXPECT_EQ(Number(f, prefix + "clipped"), 0) << f.at("problems");
    EXPECT_EQ(Number(f, prefix + "bar_overlaps"), 0) << f.at("problems");
  }

  static std::string SvgPage(const std::string& svg) {
    return absl::StrCat(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head>"
        "<body style=\"margin:0\">",
        svg, "</body></html>");
  }

  std::string chromium_;
};

TEST_F(RenderInBrowserTest, NatoMissionsAndCommandersAreLegible) {
  testing::AnnalsWorld world;
  ASSERT_TRUE(world.ok());
  testing::TempDir dir;
  auto annals = [&](std::vector<std::string> argv) {
    argv.insert(argv.begin(), {"--catalog=" + world.catalog_address(),
                               "--timeline=" + world.timeline_address()});
    std::ostringstream out, err;
    int status = cli::Run(argv, out, err, Environment{});
    EXPECT_EQ(status, 0) << err.str();
    return out.str();
  };
  std::string imported = annals({"import", ANNALS_DATA_DIR});
  size_t at = imported.rfind("catalog sequence ");
  ASSERT_NE(at, std::string::npos) << imported;
  std::string wrote = annals(
      {absl::StrCat("--min-sequence=", imported.substr(at + 17)), "render",
       "-o", dir.Sub("nmi.svg"), "--html=" + dir.Sub("nmi.html"),
       "--kind=mission", "--entity=nmi", "--entity=ntm-i",
       "--predicate=commander", "--title=NATO in Iraq"});
  EXPECT_NE(wrote.find("wrote"), std::string::npos);
  Findings svg =
      Check(SvgPage(ReadFile(dir.Sub("nmi.svg"))), "nmi-svg", "null", 900);
  ExpectLegible(svg, "");
  // All seven commanders are named in full.
  EXPECT_GE(Number(svg, "labels"), 7);
  const std::string zoom =
      absl::StrFormat("[%d, %d]", temporal::DayFromCivil(2019, 6, 1),
                      temporal::DayFromCivil(2021, 6, 1));
  // Every kind of the data set, one lane per entity: organizations of the
  // 1940s, people, programmes and one-day events.
  annals({absl::StrCat("--min-sequence=", imported.substr(at + 17)), "render",
          "-o", dir.Sub("kinds.svg"), "--kind=event", "--kind=organization",
          "--kind=program", "--kind=person", "--kind=division",
          "--title=Every kind of the NATO data"});
  Findings kinds =
      Check(SvgPage(ReadFile(dir.Sub("kinds.svg"))), "nmi-kinds", "null", 1000);
  ExpectLegible(kinds, "");
  Findings html = Check(ReadFile(dir.Sub("nmi.html")), "nmi-html", zoom, 900);
  ExpectLegible(html, "");
  ExpectLegible(html, "zoomed_");
  ExpectLegible(html, "whole_");
  ExpectLegible(html, "wheel_", /*labeled=*/false);
  EXPECT_EQ(Number(html, "wheel_changed_ticks"), 1);
  // Hovering shows an item's dates, how sure they are, and their sources.
  EXPECT_THAT(html["details"], HasSubstr("NATO Training Mission-Iraq"));
  EXPECT_THAT(html["details"], HasSubstr("EDTF2004"));
  EXPECT_THAT(html["details"], HasSubstr("certaintystart imprecise"));
  EXPECT_THAT(html["details"], HasSubstr("sourcesnato-"));
}

// Many overlapping, imprecise items over five thousand years, some
// uncertain, open, of unknown end, or single days.
std::vector<TimelineLane> SyntheticLanes(int lanes, int items_per_lane) {
  std::mt19937 random(20261203);
  auto uniform = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(random);
  };
  const char* words[] = {"Bronze", "Iron",       "Late",    "Early",   "Middle",
                         "Hall",   "Terminal",   "Culture", "Horizon", "Phase",
                         "Tower",  "Settlement", "Kingdom", "Period"};
  auto year_text = [](int year) {
    return year < 0 ? absl::StrFormat("-%04d", -year)
                    : absl::StrFormat("%04d", year);
  };
  std::vector<TimelineLane> result;
  for (int lane = 0; lane < lanes; ++lane) {
    TimelineLane l{absl::StrCat("group ", lane % 4),
                   absl::StrCat("Synthetic lane ", lane),
                   {}};
    for (int i = 0; i < items_per_lane; ++i) {
      const int start = uniform(-2999, 1990);
      const int length = uniform(0, 3) == 0 ? uniform(50, 400) : uniform(1, 60);
      const int end = std::min(start + length, 2020);
      const char* qualifier[] = {"", "", "~", "?", ""};
      std::string edtf;
      switch (uniform(0, 9)) {
        case 0:
          edtf = absl::StrCat(year_text(start), "-0", uniform(1, 9), "-1",
                              uniform(0, 9));  // a day
          break;
        case 1:
          edtf = absl::StrCat(year_text(start), "/..");
          break;
        case 2:
          edtf = absl::StrCat(year_text(start), "/");
          break;
        default:
          edtf = absl::StrCat(year_text(start), qualifier[uniform(0, 4)], "/",
                              year_text(end), qualifier[uniform(0, 4)]);
      }
      absl::StatusOr<temporal::Extent> extent = temporal::Extent::Parse(edtf);
      if (!extent.ok()) continue;  // e.g. a reversed interval
      std::string label = absl::StrCat(words[uniform(0, 13)], " ",
                                       words[uniform(0, 13)], " ", i);
      l.bars.push_back(
          {label, *extent, edtf, {"synthetic-source"}, {{"role", "test"}}});
    }
    result.push_back(std::move(l));
  }
  return result;
}

TEST_F(RenderInBrowserTest, TenThousandOverlappingImpreciseItemsAreLegible) {
  std::vector<TimelineLane> lanes = SyntheticLanes(40, 250);
  RenderOptions options;
  options.title = "10,000 synthetic items, 3000 BC to AD 2020";
  Findings svg =
      Check(SvgPage(RenderSvg(lanes, options)), "synthetic-svg", "null", 1200);
  ExpectLegible(svg, "");
  EXPECT_GT(Number(svg, "items"), 9000);
  // Years before Christ are labelled as such.
  EXPECT_NE(svg["tick_texts"].find(" BC"), std::string::npos)
      << svg["tick_texts"];
  const std::string zoom =
      absl::StrFormat("[%d, %d]", temporal::DayFromCivil(-120, 1, 1),
                      temporal::DayFromCivil(80, 1, 1));
  Findings html =
      Check(RenderHtml(lanes, options), "synthetic-html", zoom, 1200);
  ExpectLegible(html, "");
  ExpectLegible(html, "zoomed_");
  ExpectLegible(html, "whole_");
  ExpectLegible(html, "wheel_", /*labeled=*/false);
  // Smooth: while the wheel turns only one transform changes; once it
  // stops, every label in view is placed again, well within a second.
  std::cout << "labels placed again: zoomed in " << html["zoom_relayout_ms"]
            << " ms, whole window " << html["whole_relayout_ms"]
            << " ms; a gesture frame " << html["gesture_frame_ms"] << " ms\n";
  EXPECT_LT(Number(html, "whole_relayout_ms"), 1000);
  EXPECT_GE(Number(html, "whole_relayout_ms"), 0);
}

// A gazetteer of periods: hundreds of thousands of years, on an axis of
// millennia before Christ, down to single centuries when zoomed in.
TEST_F(RenderInBrowserTest, DeepTimeAxisIsLegible) {
  auto period = [](const char* label, const char* edtf) {
    return TimelineBar{label, *temporal::Extent::Parse(edtf), edtf, {}, {}};
  };
  std::vector<TimelineLane> lanes = {
      {"period",
       "Palaeolithic",
       {period("Lower Palaeolithic", "Y-300000/Y-300000"),
        period("Lower Palaeolithic (Europe)", "Y-700000/Y-300000"),
        period("Middle Palaeolithic", "Y-300000/Y-45000"),
        period("Upper Palaeolithic", "Y-50000/Y-10000")}},
      {"period",
       "Holocene",
       {period("Mesolithic", "Y-10000/-5000~"),
        period("Neolithic", "-7000~/-2000~"),
        period("Bronze Age", "-3300~/-1200~"),
        period("Iron Age", "-1200~/0500?"), period("Roman", "-0043/0410"),
        period("Medieval", "0476/1500"), period("Modern", "1500/..")}},
  };
  Findings svg =
      Check(SvgPage(RenderSvg(lanes, {})), "deep-time-svg", "null", 400);
  ExpectLegible(svg, "");
  EXPECT_THAT(svg["tick_texts"], HasSubstr("00,000 BC"));
  const std::string zoom =
      absl::StrFormat("[%d, %d]", temporal::DayFromCivil(-1999, 1, 1),
                      temporal::DayFromCivil(501, 1, 1));
  Findings html = Check(RenderHtml(lanes, {}), "deep-time-html", zoom, 400);
  ExpectLegible(html, "");
  ExpectLegible(html, "zoomed_");
  ExpectLegible(html, "whole_");
  EXPECT_THAT(html["whole_tick_texts"], HasSubstr("00,000 BC"));
  EXPECT_THAT(html["zoomed_tick_texts"], HasSubstr("1000 BC"));
  EXPECT_THAT(html["zoomed_tick_texts"], HasSubstr("AD 1"));
}

}  // namespace
}  // namespace annals::cli
