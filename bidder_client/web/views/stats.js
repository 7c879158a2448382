// Statistics: the key figures with their denominators (GET /stats), and every chart from one endpoint,
// GET /stats/groups?by=<dimension> (one request per chart, never per bar): by month, by quarter with the
// year-on-year change, by court, category, round, province and court level; each table as a CSV link
// (format=csv), and a CSV export of the figures shown built in the browser.

import { api, apiUrl, request } from "../api.js";
import { categoryText, errorText, money, moneyShort, number, percent, roundText, t } from "../i18n.js";
import { go } from "../router.js";
import { errorBox, field, fill, h, loading } from "../ui.js";
import { categories, rules } from "../rules.js";
import { knownCourts } from "./list.js";
import { barChart, monthlyChart } from "./stats/charts.js";
import { statsCsv } from "./stats/csv.js";
import { roundSharesKpi, roundsUnder } from "./stats/rounds.js";

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
    categories().map((c) => [c, categoryText(c)]),
    q.category || "",
  );
  const round = sel(
    "round",
    roundsUnder(rules()).map((r) => [r, roundText(r)]),
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

  // dates are Beijing days, as courts count them: the service reads a plain date as that day's 00:00 in
  // UTC+8, whatever the viewer's zone; [from, to + 1 day)
  const beijingDay = (value, plusDays = 0) => {
    if (!value) return undefined;
    const d = new Date(`${value}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + plusDays);
    return d.toISOString().slice(0, 10);
  };
  // /stats (the contract's route) takes court, category, round and the window; /stats/groups also the region
  const base = { court: q.court, category: q.category, round: q.round, from: beijingDay(q.from), to: beijingDay(q.to, 1) };
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
  const roundShares = roundSharesKpi(st.share_sold_by_round, t, percent);
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
    kpi(roundShares.label, roundShares.value, t("kpi_round_shares_note")),
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
