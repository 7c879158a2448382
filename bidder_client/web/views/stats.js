// Statistics: GET /stats with filters, key figures with their denominators, SVG bar charts by court,
// category and round (one GET /stats per bar), and a CSV export built in the browser.

import { api } from "../api.js";
import { CATEGORIES, ROUNDS, categoryText, errorText, money, moneyShort, number, percent, roundText, t } from "../i18n.js";
import { go } from "../router.js";
import { errorBox, field, fill, h, loading } from "../ui.js";
import { knownCourts } from "./list.js";

const SVG = "http://www.w3.org/2000/svg";

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A horizontal bar chart: rows of {label, value (0..max), text, note}. */
export function barChart(title, rows, { max = 1, alt = false, width = 560 } = {}) {
  const labelW = Math.min(132, Math.round(width * 0.3));
  const valueW = Math.min(96, Math.round(width * 0.24));
  const barH = 22;
  const gap = 10;
  const height = Math.max(1, rows.length) * (barH + gap) + 8;
  const svg = s("svg", {
    class: "chart",
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": title,
    "data-testid": "chart",
  });
  svg.append(s("title", {}, title));
  const track = width - labelW - valueW;
  rows.forEach((r, i) => {
    const y = 4 + i * (barH + gap);
    const room = Math.max(4, Math.floor(labelW / 13));
    const label = r.label.length > room ? `${r.label.slice(0, room - 1)}…` : r.label;
    const text = s("text", { x: labelW - 8, y: y + barH / 2 + 4, "text-anchor": "end" }, label);
    text.append(s("title", {}, r.label));
    svg.append(text);
    svg.append(s("rect", { class: "track", x: labelW, y, width: track, height: barH, rx: 4 }));
    const v = r.value === null || r.value === undefined || Number.isNaN(r.value) ? 0 : Math.max(0, r.value);
    const w = max > 0 ? Math.min(track, (v / max) * track) : 0;
    if (w > 0) svg.append(s("rect", { class: `bar${alt ? " alt" : ""}`, x: labelW, y, width: w.toFixed(1), height: barH, rx: 4 }));
    svg.append(s("text", { class: "val", x: labelW + track + 8, y: y + barH / 2 + 4 }, r.text));
    if (r.note) svg.append(s("text", { x: width - 2, y: y + barH / 2 + 4, "text-anchor": "end" }, r.note));
  });
  return h("section", { class: "panel" }, h("h2", {}, title), svg);
}

export async function renderStats(main, _params, ctx) {
  const q = ctx.query;
  const courts = await knownCourts();
  if (!ctx.alive) return;
  const sel = (name, options, value) =>
    h(
      "select",
      { name },
      h("option", { value: "" }, t("filter_all")),
      options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)),
    );
  const court = sel(
    "court",
    courts.map((c) => [c, c]),
    q.court || "",
  );
  const category = sel(
    "category",
    CATEGORIES.map((c) => [c, categoryText(c)]),
    q.category || "",
  );
  const round = sel(
    "round",
    ROUNDS.map((r) => [r, roundText(r)]),
    q.round || "",
  );
  const from = h("input", { type: "date", name: "from", value: q.from || "" });
  const to = h("input", { type: "date", name: "to", value: q.to || "" });
  const exportBtn = h("button", { type: "button", class: "btn", disabled: true, "data-testid": "export-csv" }, t("stats_export"));
  const form = h(
    "form",
    {
      class: "panel stats-filters",
      "aria-label": t("stats_filters"),
      onsubmit: (e) => {
        e.preventDefault();
        go("/stats", { court: court.value, category: category.value, round: round.value, from: from.value, to: to.value });
      },
    },
    field(t("filter_court"), court),
    field(t("filter_category"), category),
    field(t("filter_round"), round),
    field(t("stats_from"), from),
    field(t("stats_to"), to),
    h("button", { type: "submit", class: "btn primary" }, t("stats_apply")),
    exportBtn,
  );
  const kpis = h("div", { class: "kpis", "data-testid": "kpis" }, loading());
  const charts = h("div", { class: "charts" });
  main.append(h("h1", {}, t("stats_title")), form, kpis, charts);

  // dates are the viewer's local days: [from 00:00, to + 1 day 00:00)
  const localDay = (value, plusDays = 0) => {
    if (!value) return undefined;
    const d = new Date(`${value}T00:00:00`);
    d.setDate(d.getDate() + plusDays);
    return d.toISOString();
  };
  const base = { court: q.court, category: q.category, round: q.round, from: localDay(q.from), to: localDay(q.to, 1) };

  let overall;
  try {
    overall = await api.stats(base);
  } catch (e) {
    fill(kpis, errorBox(errorText(e)));
    return;
  }
  if (!ctx.alive) return;
  const st = overall;
  const kpi = (label, value, note, accent = false) =>
    h("div", { class: `kpi${accent ? " accent" : ""}` }, h("span", { class: "label" }, label), h("strong", {}, value), note ? h("small", {}, note) : null);
  const summary = (p) => `${t("median")} ${percent(p.median)} · ${t("max")} ${percent(p.max)}`;
  fill(
    kpis,
    kpi(t("kpi_transaction_rate"), percent(st.transaction_rate), t("kpi_transaction_den", { sold: st.sold, unsold: st.unsold }), true),
    kpi(t("kpi_lot_rate"), percent(st.lot_transaction_rate), t("kpi_lot_den", { sold: st.lots_sold, n: st.lots_concluded })),
    kpi(t("kpi_deal_amount"), moneyShort(st.deal_amount), money(st.deal_amount)),
    kpi(t("kpi_auctions_ended"), String(st.auctions_ended), t("kpi_withdrawn", { n: st.withdrawn })),
    kpi(t("kpi_premium_start"), `${t("mean")} ${percent(st.premium_rate_over_start.mean)}`, summary(st.premium_rate_over_start), true),
    kpi(t("kpi_premium_appraisal"), `${t("mean")} ${percent(st.premium_rate_over_appraisal.mean)}`, summary(st.premium_rate_over_appraisal)),
    st.discount_rate ? kpi(t("kpi_discount"), `${t("mean")} ${percent(st.discount_rate.mean)}`, summary(st.discount_rate)) : null,
    kpi(t("kpi_bids"), number(st.bids_per_auction, 1), `${t("kpi_extensions")} ${number(st.extensions_per_auction, 1)}`),
  );

  // One request per bar: the breakdowns the filters leave open.
  const dims = [];
  if (!q.court) dims.push(["court", t("dim_court"), courts.map((c) => [c, c])]);
  if (!q.category) dims.push(["category", t("dim_category"), CATEGORIES.map((c) => [c, categoryText(c)])]);
  if (!q.round) dims.push(["round", t("dim_round"), ROUNDS.map((r) => [r, roundText(r)])]);
  charts.append(loading());
  const breakdowns = await Promise.all(
    dims.map(async ([dim, dimLabel, values]) => {
      const rows = await Promise.all(
        values.map(async ([value, label]) => {
          try {
            return { value, label, stats: await api.stats({ ...base, [dim]: value }) };
          } catch {
            return { value, label, stats: null };
          }
        }),
      );
      return { dim, dimLabel, rows: rows.filter((r) => r.stats) };
    }),
  );
  if (!ctx.alive) return;
  fill(charts);
  // draw at the size the chart is shown (one or two columns), so the text stays readable on a phone
  const inner = main.clientWidth - 34;
  const width = Math.round(Math.max(280, Math.min(560, inner >= 868 ? inner / 2 - 8 : inner)));
  for (const b of breakdowns) {
    const withData = b.rows.filter((r) => r.stats.sold + r.stats.unsold > 0);
    if (!withData.length) {
      charts.append(h("section", { class: "panel" }, h("h2", {}, t("chart_rate_by", { dim: b.dimLabel })), h("p", { class: "empty" }, t("chart_empty"))));
      continue;
    }
    charts.append(
      barChart(
        t("chart_rate_by", { dim: b.dimLabel }),
        withData.map((r) => ({
          label: r.label,
          value: r.stats.transaction_rate,
          text: percent(r.stats.transaction_rate, 1),
          note: `${r.stats.sold}/${r.stats.sold + r.stats.unsold}`,
        })),
        { width },
      ),
    );
    const premiums = withData.filter((r) => r.stats.sold > 0);
    const maxPremium = Math.max(0.01, ...premiums.map((r) => r.stats.premium_rate_over_start.mean || 0));
    if (premiums.length)
      charts.append(
        barChart(
          t("chart_premium_by", { dim: b.dimLabel }),
          premiums.map((r) => ({
            label: r.label,
            value: r.stats.premium_rate_over_start.mean,
            text: percent(r.stats.premium_rate_over_start.mean, 1),
            note: t("chart_n", { n: r.stats.sold }),
          })),
          { max: maxPremium, alt: true, width },
        ),
      );
  }

  exportBtn.disabled = false;
  exportBtn.addEventListener("click", () => downloadCsv(st, breakdowns, q));
}

// ---------------------------------------------------------------- CSV (built here, from the figures)

const CSV_COLUMNS = [
  "auctions_ended",
  "sold",
  "unsold",
  "withdrawn",
  "transaction_rate",
  "lots_concluded",
  "lots_sold",
  "lot_transaction_rate",
  "deal_amount_yuan",
  "premium_over_start_mean",
  "premium_over_start_median",
  "premium_over_start_max",
  "premium_over_appraisal_mean",
  "premium_over_appraisal_median",
  "premium_over_appraisal_max",
  "bids_per_auction",
  "extensions_per_auction",
];

function csvCell(value) {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function statsCsv(overall, breakdowns, filters = {}) {
  const figures = (st) => [
    st.auctions_ended,
    st.sold,
    st.unsold,
    st.withdrawn,
    st.transaction_rate,
    st.lots_concluded,
    st.lots_sold,
    st.lot_transaction_rate,
    money(st.deal_amount, { symbol: false }).replace(/,/g, ""),
    st.premium_rate_over_start.mean,
    st.premium_rate_over_start.median,
    st.premium_rate_over_start.max,
    st.premium_rate_over_appraisal.mean,
    st.premium_rate_over_appraisal.median,
    st.premium_rate_over_appraisal.max,
    st.bids_per_auction,
    st.extensions_per_auction,
  ];
  const filterText = Object.entries(filters)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}=${v}`)
    .join("; ");
  const lines = [["group", "value", ...CSV_COLUMNS].join(",")];
  lines.push(["all", filterText, ...figures(overall)].map(csvCell).join(","));
  for (const b of breakdowns) for (const r of b.rows) lines.push([b.dim, r.value, ...figures(r.stats)].map(csvCell).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

function downloadCsv(overall, breakdowns, filters) {
  const csv = statsCsv(overall, breakdowns, filters);
  const blob = new Blob(["\ufeff", csv], { type: "text/csv;charset=utf-8" }); // BOM: Excel reads UTF-8
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: `auction-stats-${new Date().toISOString().slice(0, 10)}.csv` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
