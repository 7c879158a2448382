// Statistics: the key figures with their denominators (GET /stats), and every chart from one endpoint,
// GET /stats/groups?by=<dimension> (one request per chart, never per bar): by month, by quarter with the
// year-on-year change, by court, category, round, province and court level; each table as a CSV link
// (format=csv), and a CSV export of the figures shown built in the browser.

import { api, apiUrl, request } from "../api.js";
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
    const label = fitLabel(r.label, labelW - 12);
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
const groups = (query) => request("GET", "/stats/groups", { query });

const LEVELS = ["basic", "intermediate", "high", "supreme"];

/** The months between the first and the last (inclusive), so that a quiet month shows as a gap. */
function fillMonths(items) {
  if (!items.length) return [];
  const byMonth = new Map(items.map((m) => [m.month, m]));
  const months = [...byMonth.keys()].sort();
  let [year, month] = months[0].split("-").map(Number);
  const out = [];
  while (out.length < 1200) {
    const key = `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`;
    if (key > months[months.length - 1]) break;
    out.push(byMonth.get(key) || { month: key, deal_amount: 0, sold: 0, unsold: 0, transaction_rate: null });
    [year, month] = month === 12 ? [year + 1, 1] : [year, month + 1];
  }
  return out;
}

function yoyText(yoy, key = "deal_amount") {
  if (!yoy || yoy[key] === null || yoy[key] === undefined) return t("yoy_none");
  const v = yoy[key];
  return t("yoy_change", { sign: v >= 0 ? "+" : "", value: percent(v, 1) });
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
  const level = sel(
    "court_level",
    LEVELS.map((l) => [l, t(`level_${l}`)]),
    q.court_level || "",
  );
  const province = h("input", { type: "text", name: "province", value: q.province || "", maxlength: 50, placeholder: t("stats_province_hint") });
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
        go("/stats", {
          court: court.value,
          category: category.value,
          round: round.value,
          court_level: level.value,
          province: province.value.trim(),
          from: from.value,
          to: to.value,
        });
      },
    },
    field(t("filter_court"), court),
    field(t("filter_category"), category),
    field(t("filter_round"), round),
    field(t("filter_court_level"), level),
    field(t("filter_province"), province),
    field(t("stats_from"), from),
    field(t("stats_to"), to),
    h("button", { type: "submit", class: "btn primary" }, t("stats_apply")),
    exportBtn,
  );
  const kpis = h("div", { class: "kpis", "data-testid": "kpis" }, loading());
  const monthly = h("div", { class: "monthly" });
  const quarterly = h("div", { class: "quarterly" });
  const charts = h("div", { class: "charts" });
  const downloads = h("p", { class: "downloads small", "data-testid": "csv-links" });
  main.append(h("h1", {}, t("stats_title")), form, downloads, kpis, monthly, quarterly, charts);

  // dates are the viewer's local days: [from 00:00, to + 1 day 00:00)
  const localDay = (value, plusDays = 0) => {
    if (!value) return undefined;
    const d = new Date(`${value}T00:00:00`);
    d.setDate(d.getDate() + plusDays);
    return d.toISOString();
  };
  // /stats (the contract's route) takes court, category, round and the window; /stats/groups also the region
  const base = { court: q.court, category: q.category, round: q.round, from: localDay(q.from), to: localDay(q.to, 1) };
  const scope = { ...base, court_level: q.court_level, province: q.province };
  const regional = Boolean(q.court_level || q.province);

  // The breakdowns the filters leave open: one GET /stats/groups?by=<dim> per chart.
  const dims = [];
  if (!q.court) dims.push(["court", t("dim_court"), (v) => v]);
  if (!q.category) dims.push(["category", t("dim_category"), categoryText]);
  if (!q.round) dims.push(["round", t("dim_round"), roundText]);
  if (!q.province) dims.push(["province", t("dim_province"), (v) => v]);
  if (!q.court_level) dims.push(["court_level", t("dim_court_level"), (v) => t(`level_${v}`)]);

  const csvLink = (testid, path, query, name, text) =>
    h("a", { class: "btn small ghost", href: apiUrl(path, query), download: name, "data-testid": testid }, text);
  fill(
    downloads,
    csvLink("csv-summary", regional ? "/stats/groups" : "/stats.csv", regional ? { ...scope, format: "csv" } : base, "stats.csv", t("csv_summary")),
    " ",
    regional
      ? csvLink("csv-monthly", "/stats/groups", { ...scope, by: "month", format: "csv" }, "stats-month.csv", t("csv_monthly"))
      : csvLink("csv-monthly", "/stats/monthly.csv", base, "stats-monthly.csv", t("csv_monthly")),
    " ",
    csvLink("csv-quarter", "/stats/groups", { ...scope, by: "quarter", format: "csv" }, "stats-quarter.csv", t("csv_quarter")),
    ...dims.flatMap(([dim, label]) => [
      " ",
      csvLink(`csv-${dim}`, "/stats/groups", { ...scope, by: dim, format: "csv" }, `stats-${dim}.csv`, t("csv_by", { dim: label })),
    ]),
  );

  const inner0 = main.clientWidth - 34;
  groups({ ...scope, by: "month" })
    .then((m) => {
      if (!ctx.alive) return;
      const title = t("chart_monthly");
      const items = fillMonths(m.items.map((it) => ({ ...it, month: it.group.month })));
      if (!items.length) fill(monthly, h("section", { class: "panel" }, h("h2", {}, title), h("p", { class: "empty" }, t("chart_empty"))));
      else fill(monthly, monthlyChart(title, items, { width: Math.round(Math.max(300, Math.min(1100, inner0))) }));
    })
    .catch((e) => ctx.alive && fill(monthly, errorBox(errorText(e))));
  groups({ ...scope, by: "quarter" })
    .then((body) => {
      if (!ctx.alive) return;
      const title = t("chart_quarterly");
      if (!body.items.length) {
        fill(quarterly, h("section", { class: "panel" }, h("h2", {}, title), h("p", { class: "empty" }, t("chart_empty"))));
        return;
      }
      const max = Math.max(1, ...body.items.map((it) => it.deal_amount));
      fill(
        quarterly,
        barChart(
          title,
          body.items.map((it) => ({ label: it.group.quarter, value: it.deal_amount, text: moneyShort(it.deal_amount), note: yoyText(it.yoy) })),
          { max, width: Math.round(Math.max(300, Math.min(1100, inner0))) },
        ),
      );
    })
    .catch((e) => ctx.alive && fill(quarterly, errorBox(errorText(e))));

  let overall;
  try {
    overall = regional ? (await groups(scope)).items[0] || null : await api.stats(base);
  } catch (e) {
    fill(kpis, errorBox(errorText(e)));
    return;
  }
  if (!ctx.alive) return;
  if (!overall) {
    fill(kpis, h("p", { class: "empty" }, t("chart_empty")));
    return;
  }
  const st = overall;
  const kpi = (label, value, note, accent = false) =>
    h("div", { class: `kpi${accent ? " accent" : ""}` }, h("span", { class: "label" }, label), h("strong", {}, value), note ? h("small", {}, note) : null);
  const summary = (p) => `${t("median")} ${percent(p.median)} · ${t("max")} ${percent(p.max)}`;
  const shares = st.share_sold_by_round || {};
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
    kpi(t("kpi_bidders"), number(st.bidders_per_auction, 1), t("kpi_registrations", { n: number(st.registrations_per_auction, 1) })),
    kpi(t("kpi_highest"), st.highest_price == null ? "—" : moneyShort(st.highest_price), st.highest_price == null ? null : money(st.highest_price)),
    kpi(t("kpi_defaulted"), String(st.defaulted ?? 0), t("kpi_defaulted_note")),
    kpi(
      t("kpi_round_shares"),
      `${percent(shares["1"], 0)} / ${percent(shares["2"], 0)} / ${percent(shares.sale, 0)}`,
      t("kpi_round_shares_note"),
    ),
    kpi(t("kpi_creditor_taken"), String(st.creditor_taken?.count ?? 0), money(st.creditor_taken?.amount ?? 0)),
    kpi(t("kpi_proceeds"), moneyShort(st.proceeds ?? 0), t("kpi_proceeds_note", { n: st.paid_sales ?? 0 })),
  );

  charts.append(loading());
  const breakdowns = await Promise.all(
    dims.map(async ([dim, dimLabel, label]) => {
      try {
        const body = await groups({ ...scope, by: dim });
        return {
          dim,
          dimLabel,
          rows: body.items.map((it) => ({
            value: it.group[dim] ?? "",
            label: it.group[dim] == null ? t("dim_unknown") : label(it.group[dim]),
            stats: it,
          })),
        };
      } catch {
        return { dim, dimLabel, rows: [] };
      }
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
