// The statistics as CSV, built in the browser from the figures shown: pure (tests/web/ runs it).

import { money } from "../../format.js";

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
