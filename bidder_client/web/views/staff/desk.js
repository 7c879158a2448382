// The deadlines desk: what is due today and overdue in the caller's court, with the step each item calls for.

import { request } from "../../api.js";
import { dateTime, errorText, money, roundText, t } from "../../i18n.js";
import { errorBox, fill, h, loading, toast } from "../../ui.js";
import { askPause } from "./pause.js";
import { declareDefault, recordPayment } from "./settle.js";
import { withdrawAuction } from "./withdraw.js";

// How far ahead the desk looks (the view's choice, not a rule): asked of the service and said in the hint.
const HORIZON_DAYS = 7;

function deskDetail(d) {
  if (d.kind === "balance") return t("desk_balance_detail", { code: d.winner_code || "—", price: money(d.price) });
  if (d.kind === "relisting") {
    const text = t("desk_relisting_detail", { round: roundText(d.failed_round), next: roundText(d.next_round) });
    return d.restart ? [text, h("div", { class: "small", "data-testid": "desk-restart" }, t("desk_restart"))] : text;
  }
  if (d.kind === "pause") return t("desk_pause_detail", { kind: t(`pause_${d.pause_kind}`), since: dateTime(d.since, { seconds: false }) });
  return roundText(d.round);
}

/** What is due today and overdue in the caller's court, with the step each item calls for. */
export function deadlinesDesk(onCourt = () => {}) {
  let courtKnown = false;
  const box = h("section", { class: "panel", "data-testid": "deadlines" }, h("h2", {}, t("desk_title")), loading());
  const step = (label, name, fn, cls = "") =>
    h(
      "button",
      {
        type: "button",
        class: `btn small ${cls}`,
        "data-desk-action": name,
        onclick: async (e) => {
          const btn = e.currentTarget;
          btn.disabled = true;
          try {
            if ((await fn()) !== false) {
              toast(t("done"), "ok");
              load();
              return;
            }
          } catch (err) {
            toast(errorText(err), "warn");
          }
          btn.disabled = false;
        },
      },
      label,
    );
  const stepsOf = (d) =>
    d.actions.map((name) => {
      const lotLink = (label) => h("a", { class: "btn small", href: `#/staff/lot/${d.lot_id}`, "data-desk-action": name }, label);
      if (name === "default")
        return step(t("desk_act_default"), name, () => declareDefault(d.auction_id), "danger");
      if (name === "paid") return step(t("desk_act_paid"), name, () => recordPayment(d.auction_id));
      if (name === "resume")
        return step(t("desk_act_resume"), name, async () => {
          const body = await askPause("resume");
          return body ? request("POST", `/auctions/${d.auction_id}/resume`, { body }) : false;
        });
      if (name === "withdraw")
        return step(t("desk_act_withdraw"), name, () => withdrawAuction(d.auction_id), "danger");
      if (name === "relist") return lotLink(t("desk_act_relist"));
      if (name === "dispose") return lotLink(t("desk_act_dispose"));
      return null;
    });

  async function load() {
    try {
      const desk = await request("GET", "/staff/deadlines", { query: { horizon_days: HORIZON_DAYS } });
      if (!courtKnown) {
        courtKnown = true;
        onCourt(desk.court_id);
      }
      const rows = desk.items.map((d) =>
        h(
          "tr",
          { "data-kind": d.kind, "data-state": d.state, "data-lot": String(d.lot_id), class: `desk-${d.state}` },
          h("td", {}, h("span", { class: `badge desk-state ${d.state}` }, t(`desk_state_${d.state}`))),
          h("td", {}, t(`desk_kind_${d.kind}`)),
          h(
            "td",
            {},
            h("a", { href: `#/staff/lot/${d.lot_id}` }, d.title),
            d.auction_id ? h("div", { class: "muted small" }, t("auction_no", { id: d.auction_id })) : null,
          ),
          h("td", { class: "small" }, dateTime(d.due_at, { seconds: false })),
          h("td", { class: "small" }, deskDetail(d)),
          h("td", {}, h("div", { class: "actions" }, stepsOf(d), d.actions.length ? null : h("a", { class: "btn small ghost", href: `#/staff/lot/${d.lot_id}` }, t("desk_act_open")))),
        ),
      );
      fill(
        box,
        h("h2", {}, t("desk_title")),
        h("p", { class: "muted small" }, t("desk_hint", { horizon_days: HORIZON_DAYS }), " ", t("desk_counts", { overdue: desk.counts.overdue, today: desk.counts.due_today, upcoming: desk.counts.upcoming })),
        rows.length
          ? h(
              "div",
              { class: "table-scroll" },
              h(
                "table",
                { class: "table compact", "data-testid": "deadlines-table" },
                h("thead", {}, h("tr", {}, ["", t("desk_item"), t("lot_title"), t("desk_due"), "", t("staff_actions")].map((c) => h("th", { scope: "col" }, c)))),
                h("tbody", {}, rows),
              ),
            )
          : h("p", { class: "empty" }, t("desk_none")),
      );
    } catch (err) {
      fill(box, h("h2", {}, t("desk_title")), errorBox(errorText(err)));
    }
  }
  load();
  return box;
}
