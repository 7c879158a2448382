// The action log (全程留痕): the lot's log, and the court's whole log; each entry says who did what, why,
// and what it changed.

import { request } from "../../api.js";
import { categoryText, dateTime, errorText, money, t } from "../../i18n.js";
import { errorBox, fill, h, loading } from "../../ui.js";

const MONEY_KEYS = new Set(["appraisal", "starting_price", "increment", "current_price", "deposit", "price", "disposition_price"]);
const TIME_KEYS = new Set(["start_at", "end_at", "scheduled_end_at", "suspended_at", "closed_at"]);
// What a creation's entry shows of the new state (the rest is in the record, and in the case file).
const CREATED_KEYS = new Set(["title", "category", "appraisal", "round", "starting_price", "deposit", "start_at", "end_at", "filename", "sha256"]);

function shown(key, value) {
  if (value === null || value === undefined || value === "") return "—";
  if (MONEY_KEYS.has(key) && typeof value === "number") return money(value);
  if (TIME_KEYS.has(key)) return dateTime(value, { seconds: false });
  if (key === "category") return categoryText(value);
  if (key === "sha256") return `${value.slice(0, 12)}…`;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** What an entry changed, as "field: before → after" (or the new state's main fields for a creation). */
function changeText(entry) {
  if (!entry.after) return "";
  const before = entry.before || {};
  const parts = [];
  for (const [key, value] of Object.entries(entry.after)) {
    if (entry.before && JSON.stringify(before[key]) === JSON.stringify(value)) continue;
    if (!entry.before && (value === null || !CREATED_KEYS.has(key))) continue;
    parts.push(entry.before ? `${key}: ${shown(key, before[key])} → ${shown(key, value)}` : `${key}: ${shown(key, value)}`);
  }
  return parts.slice(0, 6).join("; ") + (parts.length > 6 ? " …" : "");
}

function logRow(a, { withLot = false } = {}) {
  return h(
    "tr",
    { "data-action": a.action, "data-seq": String(a.seq) },
    h("td", { class: "small" }, dateTime(a.at)),
    h("td", {}, a.actor),
    h(
      "td",
      {},
      t(`log_action_${a.action}`),
      withLot && a.lot_id ? h("div", { class: "small" }, h("a", { href: `#/staff/lot/${a.lot_id}` }, t("lot_no", { id: a.lot_id }))) : null,
      a.auction_id ? h("div", { class: "muted small" }, t("auction_no", { id: a.auction_id })) : null,
    ),
    h("td", { class: "small" }, a.reason || "—"),
    h("td", { class: "small mono", title: `#${a.seq} ${a.hash}` }, changeText(a)),
  );
}

function logHead() {
  return h("thead", {}, h("tr", {}, [t("log_at"), t("log_actor"), t("log_action"), t("log_reason"), t("log_change")].map((c) => h("th", { scope: "col" }, c))));
}

/** The court's whole log, newest first, read when opened (the latest 100 entries). */
export function courtLogPanel(courtId) {
  const body = h("div", {}); // "loading" only once opened: a closed panel is not a page still loading
  const box = h("details", { class: "panel", "data-testid": "court-log" }, h("summary", {}, t("court_log_title")), body);
  let loaded = false;
  box.addEventListener("toggle", async () => {
    if (!box.open || loaded) return;
    loaded = true;
    fill(body, loading());
    try {
      const path = `/courts/${courtId}/actions`;
      const { total } = await request("GET", path, { query: { limit: 1 } });
      const page = await request("GET", path, { query: { limit: 100, offset: Math.max(0, total - 100) } });
      fill(
        body,
        page.items.length
          ? h("div", { class: "table-scroll" }, h("table", { class: "table compact" }, logHead(), h("tbody", {}, [...page.items].reverse().map((a) => logRow(a, { withLot: true })))))
          : h("p", { class: "empty" }, t("log_none")),
      );
    } catch (err) {
      fill(body, errorBox(errorText(err)));
    }
  });
  return box;
}

export function actionLogPanel(lotId) {
  const body = h("tbody", {});
  const table = h("table", { class: "table compact", "data-testid": "action-log-table" }, logHead(), body);
  const status = h("div", {}, loading());
  const more = h("button", { type: "button", class: "btn small", hidden: true, onclick: () => load() }, t("log_more"));
  const box = h("section", { class: "panel", "data-testid": "action-log" }, h("h2", {}, t("log_title")), h("div", { class: "table-scroll" }, table), status, more);
  let offset = 0;
  async function load() {
    try {
      const page = await request("GET", `/lots/${lotId}/actions`, { query: { limit: 50, offset } });
      for (const a of page.items) body.append(logRow(a));
      offset += page.items.length;
      more.hidden = offset >= page.total;
      fill(status, page.total ? null : h("p", { class: "empty" }, t("log_none")));
    } catch (err) {
      fill(status, errorBox(errorText(err)));
    }
  }
  load();
  return box;
}
