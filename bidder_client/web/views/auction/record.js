// The bid record (竞价记录): every bid, newest first, and the audit line saying whether the record's
// hash chain checks out (GET /auctions/{id}/audit).

import { api } from "../../api.js";
import { dateTime, money, t, timeOnly } from "../../i18n.js";
import { fill, h, priorityTag } from "../../ui.js";
import { ENDED } from "./state.js";

/** Builds the panel; returns {el, paint, loadAudit, scheduleAudit, stop}. ``page``: {id, a, bids, reg, ctx}. */
export function recordPanel(page) {
  const bidsBody = h("tbody");
  const bidsCount = h("span", { class: "muted small" });
  const auditLine = h("p", { class: "audit muted small", "data-testid": "audit", role: "status" });
  const el = h(
    "section",
    { class: "panel bids-panel", "aria-label": t("bid_record") },
    h("h2", {}, t("bid_record"), " ", bidsCount),
    h(
      "div",
      { class: "table-scroll" },
      h(
        "table",
        { class: "bids", "data-testid": "bid-record" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, t("col_state")),
            h("th", { scope: "col" }, t("col_code")),
            h("th", { scope: "col", class: "num" }, t("col_amount")),
            h("th", { scope: "col" }, t("col_time")),
          ),
        ),
        bidsBody,
      ),
    ),
    auditLine,
  );

  function paint() {
    const { a, bids, reg } = page;
    bidsCount.textContent = `(${bids.length})`;
    const ended = ENDED.has(a.status);
    const rows = [];
    for (let i = bids.length - 1; i >= 0; i--) rows.push(bidRow(bids[i], i === bids.length - 1, ended, reg));
    if (!rows.length) rows.push(h("tr", {}, h("td", { colspan: "4", class: "empty" }, t("bid_record_empty"))));
    fill(bidsBody, ...rows);
    paintAudit();
  }

  let auditReport = null;
  let auditTimer = null;

  function paintAudit() {
    if (!auditReport) {
      auditLine.textContent = "";
      return;
    }
    auditLine.className = `audit small ${auditReport.valid ? "ok" : "bad"}`;
    if (auditReport.valid) {
      // The record on the page may already hold bids the last check had not seen (it runs 1.5 s after a bid).
      const shown = page.bids.length;
      auditLine.textContent =
        auditReport.bids < shown
          ? t("audit_ok_partial", { n: auditReport.bids, total: shown })
          : t("audit_ok", { n: auditReport.bids });
      auditLine.title = auditReport.head ? t("audit_title", { head: auditReport.head }) : "";
    } else {
      auditLine.textContent = t("audit_bad", { seq: auditReport.first_bad_seq ?? "?" });
      auditLine.setAttribute("role", "alert");
    }
  }

  async function loadAudit() {
    try {
      const report = await api.audit(page.id);
      if (!page.ctx.alive) return;
      auditReport = report;
    } catch {
      auditReport = null;
      auditLine.className = "audit muted small";
      auditLine.textContent = t("audit_unknown");
      return;
    }
    paintAudit();
  }

  function scheduleAudit() {
    clearTimeout(auditTimer);
    auditTimer = setTimeout(loadAudit, 1500);
  }

  return { el, paint, paintAudit, loadAudit, scheduleAudit, stop: () => clearTimeout(auditTimer) };
}

function bidRow(b, top, ended, reg) {
  const mine = reg && b.bidder_code === reg.bidder_code;
  const state = top ? (ended ? t("st_sold") : t("leading")) : t("outbid");
  return h(
    "tr",
    { class: `${top ? "leading" : "outbid"}${mine ? " mine" : ""}`, "data-seq": String(b.seq) },
    h("td", {}, h("span", { class: `pill ${top ? "lead" : "out"}` }, state)),
    h(
      "td",
      { class: "code" },
      b.bidder_code,
      mine ? h("span", { class: "tag you" }, t("you")) : null,
      priorityTag(b.priority, b.priority_rank),
    ),
    h("td", { class: "num" }, money(b.amount)),
    h("td", { title: dateTime(b.placed_at) }, timeOnly(b.placed_at)),
  );
}
