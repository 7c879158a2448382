// Court staff: the deadlines desk, the court's lots, a new lot, and one lot's rounds (schedule with the
// listing rules checked in the form, postpone / suspend / resume / withdraw, settle, result), the lot's
// action log (全程留痕), corrections to its announcement before bidding opens, and each auction's case file.
// Each panel is a module under views/staff/; the rules come from the service (rules.js).

import { api, session } from "../api.js";
import { categoryText, errorText, money, t } from "../i18n.js";
import { loadRules, nextRound } from "../rules.js";
import { clear, errorBox, fill, h, loading } from "../ui.js";
import { restrictionsPanel } from "./restrictions.js";
import { actionLogPanel, courtLogPanel } from "./staff/action_log.js";
import { auctionRow } from "./staff/auction_row.js";
import { deadlinesDesk } from "./staff/desk.js";
import { dispositionPanel } from "./staff/disposition.js";
import { documentsPanel } from "./staff/documents.js";
import { editLotPanel } from "./staff/edit_lot.js";
import { ledgerBlock } from "./staff/ledger.js";
import { lotsTable, newLotForm } from "./staff/lots.js";
import { priorityForm } from "./staff/priority.js";
import { scheduleForm } from "./staff/schedule.js";
import { go } from "../router.js";

function requireStaff(main) {
  const auth = session();
  if (auth?.role === "staff") return auth;
  main.append(
    h(
      "p",
      { class: "alert info" },
      auth ? t("need_staff") : t("need_login"),
      " ",
      auth ? null : h("a", { href: "#/login?next=%2Fstaff" }, t("nav_login")),
    ),
  );
  return null;
}

// ================================================================ the court's lots
export async function renderStaff(main, _params, ctx) {
  const auth = requireStaff(main);
  if (!auth) return;
  const me = await api.me().catch(() => ({ court: auth.court }));
  const court = me.court || auth.court || "";
  const rules = await loadRules().catch(() => null);
  if (!ctx.alive) return;
  const lotsPanel = h("section", { class: "panel" }, h("h2", {}, t("staff_lots")), loading());
  main.append(
    h("h1", {}, t("staff_title")),
    h("p", { class: "muted" }, court, " · ", t("rules_profile", { name: rules?.profile ?? "—" })),
    deadlinesDesk((courtId) => main.append(courtLogPanel(courtId))),
    h("div", { class: "staff-layout" }, lotsPanel, newLotForm()),
    restrictionsPanel(), // the restriction list (views/restrictions.js)
  );

  try {
    const [lots, auctions] = await Promise.all([api.lots({ court, limit: 500 }), api.auctions({ court, limit: 500 })]);
    if (!ctx.alive) return;
    fill(lotsPanel, h("h2", {}, t("staff_lots")), lotsTable(lots.items, auctions.items));
  } catch (e) {
    fill(lotsPanel, errorBox(errorText(e)));
  }
}

// ================================================================ one lot
export async function renderStaffLot(main, [idText], ctx) {
  const auth = requireStaff(main);
  if (!auth) return;
  const id = Number(idText);
  main.append(loading());
  let lot;
  let plan;
  let rules;
  try {
    [lot, plan, rules] = await Promise.all([api.lot(id), nextRound(id).catch(() => null), loadRules().catch(() => null)]);
  } catch (e) {
    fill(main, errorBox(errorText(e)));
    return;
  }
  if (!ctx.alive) return;
  clear(main);
  const reload = () => go(`/staff/lot/${id}`);

  main.append(
    h("a", { href: "#/staff", class: "back" }, `← ${t("staff_title")}`),
    h("h1", {}, lot.title),
    h("p", { class: "muted" }, [lot.court, lot.case_number, t("lot_no", { id })].filter(Boolean).join(" · ")),
  );
  const left = h("div", {});
  const right = h("div", {});
  main.append(h("div", { class: "staff-layout" }, left, right));

  left.append(roundsPanel(lot, reload), announcementPanel(lot));
  // the deposits ledger of each round that took registrations
  const ledgers = lot.auctions.filter((a) => a.status !== "withdrawn" || a.registrations);
  if (ledgers.length) {
    const box = h("section", { class: "panel", "data-testid": "ledgers" }, h("h2", {}, t("ledger")));
    left.append(box);
    for (const a of ledgers) box.append(ledgerBlock(a));
  }
  left.append(actionLogPanel(lot.id));

  right.append(scheduleForm(lot, plan, rules, reload));
  const edit = editLotPanel(lot, reload);
  if (edit) right.append(edit);
  const open = lot.auctions.find((a) => ["announced", "live", "suspended"].includes(a.status));
  if (open) right.append(priorityForm(open));
  const disp = dispositionPanel(lot, reload);
  if (disp) right.append(disp);
  right.append(documentsPanel(lot));
}

/** The lot's rounds, one row each with the staff's steps. */
function roundsPanel(lot, reload) {
  const rows = lot.auctions.map((a) => auctionRow(a, reload));
  const heads = [t("filter_round"), t("my_state"), t("ann_schedule"), t("starting_price"), t("current_price"), t("staff_actions")];
  return h(
    "section",
    { class: "panel" },
    h("h2", {}, t("lot_auctions")),
    rows.length
      ? h(
          "div",
          { class: "table-scroll" },
          h(
            "table",
            { class: "table", "data-testid": "lot-auctions" },
            h("thead", {}, h("tr", {}, heads.map((c) => h("th", { scope: "col" }, c)))),
            h("tbody", {}, rows),
          ),
        )
      : h("p", { class: "empty" }, "—"),
  );
}

/** The lot's announcement as staff see it. */
function announcementPanel(lot) {
  const ann = [
    [t("lot_category"), categoryText(lot.category)],
    [t("appraisal"), money(lot.appraisal)],
    [t("ann_appraisal_method"), lot.appraisal_method],
    [t("ann_location"), lot.location],
    [t("ann_defects"), lot.defects],
    [t("ann_encumbrances"), lot.encumbrances],
    [t("ann_taxes"), lot.taxes],
    [t("ann_balance_deadline"), lot.balance_deadline_days ? t("ann_balance_days", { n: lot.balance_deadline_days }) : null],
    [t("ann_contact"), lot.contact],
    [t("ann_description"), lot.description],
  ];
  return h(
    "section",
    { class: "panel" },
    h("h2", {}, t("announcement")),
    h("dl", { class: "kv" }, ann.map(([k, v]) => [h("dt", {}, k), h("dd", { class: v ? "" : "muted" }, v || t("none"))])),
  );
}
