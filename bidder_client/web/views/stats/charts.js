// The statistics page's charts, drawn as SVG: horizontal bars and the monthly series.

import { money, moneyShort, percent, t } from "../../i18n.js";
import { h } from "../../ui.js";
import { FONT_PX, barLayout } from "./layout.js";

const SVG = "http://www.w3.org/2000/svg";

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A horizontal bar chart: rows of {label, value (0..max), text, note}. The value and its note never
 *  overlap (``layout.js``): the note gets its own column, or its own line under the bar when narrow. */
export function barChart(title, rows, { max = 1, alt = false, width = 560 } = {}) {
  const { labelW, track, valueX, noteX, noteBelow, rowH } = barLayout(rows, width);
  const barH = 22;
  const gap = 10;
  const height = Math.max(1, rows.length) * (rowH + gap) + 8;
  const svg = s("svg", {
    class: "chart",
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": title,
    "data-testid": "chart",
  });
  svg.append(s("title", {}, title));
  rows.forEach((r, i) => {
    const y = 4 + i * (rowH + gap);
    const label = fitLabel(r.label, labelW - 12);
    const text = s("text", { x: labelW - 8, y: y + barH / 2 + 4, "text-anchor": "end" }, label);
    text.append(s("title", {}, r.label));
    svg.append(text);
    svg.append(s("rect", { class: "track", x: labelW, y, width: track, height: barH, rx: 4 }));
    const v = r.value === null || r.value === undefined || Number.isNaN(r.value) ? 0 : Math.max(0, r.value);
    const w = max > 0 ? Math.min(track, (v / max) * track) : 0;
    if (w > 0) svg.append(s("rect", { class: `bar${alt ? " alt" : ""}`, x: labelW, y, width: w.toFixed(1), height: barH, rx: 4 }));
    svg.append(s("text", { class: "val", x: valueX, y: y + barH / 2 + 4 }, r.text));
    if (r.note) {
      const noteY = noteBelow ? y + barH + FONT_PX + 2 : y + barH / 2 + 4;
      svg.append(s("text", { class: "note", x: noteX, y: noteY, "text-anchor": "end", "data-testid": "chart-note" }, r.note));
    }
  });
  return h("section", { class: "panel" }, h("h2", {}, title), svg);
}

/** The label cut to ``room`` pixels at the charts' 13px font: a CJK character takes about 13px, a
 *  Latin letter or digit about 7px (cutting every label at the CJK width truncated English ones). */
function fitLabel(label, room) {
  const width = (ch) => (/[\u2e80-\uffff]/.test(ch) ? 13 : 7.2);
  let used = 0;
  const chars = [...label];
  for (let i = 0; i < chars.length; i++) {
    used += width(chars[i]);
    if (used > room) return `${chars.slice(0, Math.max(1, i - 1)).join("")}…`;
  }
  return label;
}

/** The monthly series: bars of the deal amount (left axis) and a line of the transaction rate (right axis). */
export function monthlyChart(title, items, { width = 560 } = {}) {
  const height = 240;
  const pad = { left: width < 420 ? 52 : 64, right: 44, top: 16, bottom: 42 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const svg = s("svg", {
    class: "chart monthly",
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": title,
    "data-testid": "monthly-chart",
  });
  svg.append(s("title", {}, title));
  const maxAmount = Math.max(1, ...items.map((m) => m.deal_amount || 0));
  const slot = plotW / Math.max(1, items.length);
  const barW = Math.max(4, Math.min(36, slot * 0.55));
  const y = (frac) => pad.top + plotH * (1 - frac);
  // grid and axes: 0, 50%, 100% of each scale
  for (const f of [0, 0.5, 1]) {
    svg.append(s("line", { class: "grid", x1: pad.left, x2: pad.left + plotW, y1: y(f), y2: y(f) }));
    svg.append(s("text", { class: "axis", x: pad.left - 6, y: y(f) + 4, "text-anchor": "end" }, moneyShort(Math.round(maxAmount * f))));
    svg.append(s("text", { class: "axis rate", x: pad.left + plotW + 6, y: y(f) + 4 }, percent(f, 0)));
  }
  const every = Math.ceil(items.length / Math.max(1, Math.floor(plotW / 52)));
  const points = [];
  items.forEach((m, i) => {
    const cx = pad.left + slot * i + slot / 2;
    const amount = m.deal_amount || 0;
    const bh = (amount / maxAmount) * plotH;
    const bar = s("rect", { class: "bar", x: (cx - barW / 2).toFixed(1), y: y(amount / maxAmount).toFixed(1), width: barW.toFixed(1), height: Math.max(0, bh).toFixed(1), rx: 3 });
    bar.append(s("title", {}, `${m.month} · ${t("chart_monthly_amount")} ${money(amount)} · ${t("chart_monthly_rate")} ${percent(m.transaction_rate, 1)} (${m.sold}/${m.sold + m.unsold})`));
    svg.append(bar);
    if (i % every === 0) svg.append(s("text", { class: "axis", x: cx, y: height - pad.bottom + 16, "text-anchor": "middle" }, m.month));
    if (m.transaction_rate !== null && m.transaction_rate !== undefined) points.push([cx, y(m.transaction_rate), m]);
  });
  if (points.length > 1)
    svg.append(s("polyline", { class: "rate-line", points: points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(" ") }));
  for (const [px, py, m] of points) {
    const dot = s("circle", { class: "rate-dot", cx: px.toFixed(1), cy: py.toFixed(1), r: 4 });
    dot.append(s("title", {}, `${m.month} · ${t("chart_monthly_rate")} ${percent(m.transaction_rate, 1)}`));
    svg.append(dot);
  }
  // legend
  const ly = height - 10;
  svg.append(s("rect", { class: "bar", x: pad.left, y: ly - 9, width: 12, height: 10, rx: 2 }));
  svg.append(s("text", { class: "axis", x: pad.left + 16, y: ly }, t("chart_monthly_amount")));
  svg.append(s("line", { class: "rate-line", x1: pad.left + plotW / 2, x2: pad.left + plotW / 2 + 18, y1: ly - 4, y2: ly - 4 }));
  svg.append(s("text", { class: "axis", x: pad.left + plotW / 2 + 22, y: ly }, t("chart_monthly_rate")));
  const table = h(
    "div",
    { class: "table-scroll" },
    h(
      "table",
      { class: "table compact", "data-testid": "monthly-table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          [t("chart_month"), t("chart_monthly_rate"), t("chart_monthly_amount")].map((c, i) => h("th", { scope: "col", class: i ? "num" : null }, c)),
        ),
      ),
      h(
        "tbody",
        {},
        items.map((m) =>
          h(
            "tr",
            {},
            h("td", {}, m.month),
            h("td", { class: "num" }, `${percent(m.transaction_rate, 1)} (${m.sold}/${m.sold + m.unsold})`),
            h("td", { class: "num" }, money(m.deal_amount)),
          ),
        ),
      ),
    ),
  );
  return h(
    "section",
    { class: "panel monthly-panel" },
    h("h2", {}, title),
    svg,
    h("details", {}, h("summary", { class: "small" }, t("chart_monthly_table")), table),
    h("p", { class: "muted small" }, t("chart_monthly_note")),
  );
}

/** GET /stats/groups: the figures per group of ``by`` (one request per chart). */
