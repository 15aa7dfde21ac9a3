#include "clients/cli/render_page_script.h"

namespace annals::cli {

const char kTimelinePageScript[] = R"JS(
(function () {
  'use strict';
  const svg = document.querySelector('#chart svg');
  const chart = document.getElementById('chart');
  const zoomGroup = document.getElementById('zoom');
  const itemsLayer = document.getElementById('items-layer');
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
    // The items' layer starts at x0 and is composited by the browser: a CSS
    // transform moves it without laying out or painting the items again.
    itemsLayer.style.transform =
        'translate(' + (k * (x0 - left)).toFixed(2) + 'px, 0) scale(' + k + ', 1)';
    drawAxis();
  }
  function drawAll() {
    drawQuick();
    drawGlyphs();
    drawLabels();
    labelGroup.style.display = '';
    // Drawn again at this scale, crisp; a gesture makes it a layer again.
    itemsLayer.style.willChange = 'auto';
  }
  // While the wheel or a drag goes on, only the items' group and the axis
  // move (one transform: smooth with any number of items); labels and glyphs
  // follow once it stops.
  let settleTimer = 0, frame = 0;
  function changed() {
    clampView();
    // A layer of its own while the gesture lasts: moved and stretched as a
    // picture, not drawn again item by item.
    itemsLayer.style.willChange = 'transform';
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
  chart.addEventListener('wheel', (event) => {
    event.preventDefault();
    zoomAt(Math.exp(-event.deltaY / 300), Math.min(Math.max(toSvgX(event.clientX), x0), x1));
  }, {passive: false});
  let drag = null;
  chart.addEventListener('pointerdown', (event) => {
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
    details.style.left = (Math.max(8, x) + window.scrollX) + 'px';
    details.style.top = (event.clientY + 14 + window.scrollY) + 'px';
  }
  const itemOf = (event) => event.target.closest && event.target.closest('.item');
  chart.addEventListener('mouseover', (event) => {
    const item = itemOf(event);
    if (item && !pinned) show(item, event);
  });
  chart.addEventListener('mouseout', (event) => {
    if (itemOf(event) && !pinned) details.hidden = true;
  });
  chart.addEventListener('click', (event) => {
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
    // What one frame of a gesture does at zoom factor `factor`: the items'
    // transform and the axis.
    gestureFrame(factor) {
      k = factor;
      clampView();
      itemsLayer.style.willChange = 'transform';
      drawQuick();
    },
  };
  // Tick labels are drawn by the page from here on, measured in the page's
  // own font.
  drawAxis();
})();
)JS";

}  // namespace annals::cli
