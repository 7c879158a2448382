// The court's lots: the table of lots with each one's latest round, and the form for a new lot.

import { api } from "../../api.js";
import { categoryText, errorText, money, parseYuan, t } from "../../i18n.js";
import { go } from "../../router.js";
import { categories, rules } from "../../rules.js";
import { days } from "../../rules_calc.js";
import { categoryBadge, field, h, roundBadge, statusBadge, toast } from "../../ui.js";

export function newLotForm() {
  const title = h("input", { name: "title", required: true, maxlength: "300" });
  const category = h(
    "select",
    { name: "category" },
    categories().map((c) => h("option", { value: c }, categoryText(c))),
  );
  const appraisal = h("input", { name: "appraisal", required: true, inputmode: "decimal", placeholder: "1000000.00" });
  const text = (name, area = false) =>
    area ? h("textarea", { name, rows: "2", maxlength: "20000" }) : h("input", { name, maxlength: "300" });
  const caseNumber = text("case_number");
  const location = text("location");
  const method = text("appraisal_method");
  const defects = text("defects", true);
  const encumbrances = text("encumbrances", true);
  const taxes = text("taxes", true);
  // the rules' balance deadline as the default (a lot may set its own)
  const balanceDays = days(rules()?.balance_deadline_seconds);
  const deadline = h("input", { name: "balance_deadline_days", type: "number", min: "1", max: "365", value: balanceDays ?? "" });
  const contact = text("contact");
  const description = text("description", true);
  const message = h("div", { class: "form-message", role: "alert" });
  const submit = h("button", { type: "submit", class: "btn primary block" }, t("create_lot"));
  return h(
    "section",
    { class: "panel" },
    h("h2", {}, t("staff_new_lot")),
    h(
      "form",
      {
        "data-testid": "new-lot",
        onsubmit: async (e) => {
          e.preventDefault();
          message.textContent = "";
          const fen = parseYuan(appraisal.value);
          if (fen === null) {
            message.textContent = t("err_amount_format");
            appraisal.focus();
            return;
          }
          const body = { title: title.value.trim(), category: category.value, appraisal: fen };
          const optional = {
            case_number: caseNumber,
            location,
            appraisal_method: method,
            defects,
            encumbrances,
            taxes,
            contact,
            description,
          };
          for (const [k, el] of Object.entries(optional)) if (el.value.trim()) body[k] = el.value.trim();
          if (deadline.value) body.balance_deadline_days = Number(deadline.value);
          submit.disabled = true;
          try {
            const lot = await api.createLot(body);
            toast(t("lot_created"), "ok");
            go(`/staff/lot/${lot.id}`);
          } catch (err) {
            message.textContent = errorText(err);
            submit.disabled = false;
          }
        },
      },
      field(t("lot_title"), title),
      h("div", { class: "grid-2" }, field(t("lot_category"), category), field(t("lot_appraisal"), appraisal)),
      h("div", { class: "grid-2" }, field(t("ann_case_number"), caseNumber), field(t("ann_location"), location)),
      field(t("ann_appraisal_method"), method),
      field(t("ann_defects"), defects),
      field(t("ann_encumbrances"), encumbrances),
      field(t("ann_taxes"), taxes),
      h("div", { class: "grid-2" }, field(`${t("ann_balance_deadline")} (d)`, deadline), field(t("ann_contact"), contact)),
      field(t("ann_description"), description),
      message,
      submit,
    ),
  );
}

/** The court's lots, each with its latest round (a card per lot on a phone). */
export function lotsTable(lots, auctions) {
  const latest = new Map();
  for (const a of auctions) if (!latest.has(a.lot_id) || latest.get(a.lot_id).id < a.id) latest.set(a.lot_id, a);
  const rows = lots.map((l) => {
    const a = latest.get(l.id);
    return h(
      "tr",
      { "data-lot": String(l.id) },
      h("td", { "data-label": "#" }, `#${l.id}`),
      h(
        "td",
        { "data-label": t("lot_title") },
        h(
          "div",
          {}, // one cell's value (a phone's card shows the label beside it)
          h("a", { href: `#/staff/lot/${l.id}` }, l.title),
          h("div", { class: "muted small" }, [l.case_number, l.location].filter(Boolean).join(" · ")),
        ),
      ),
      h("td", { "data-label": t("lot_category") }, categoryBadge(l.category)),
      h("td", { class: "num", "data-label": t("appraisal") }, money(l.appraisal)),
      h(
        "td",
        { "data-label": t("lot_auctions") },
        a ? h("span", { class: "badges" }, roundBadge(a.round), statusBadge(a.status)) : h("span", { class: "muted" }, "—"),
      ),
    );
  });
  if (!rows.length) return h("p", { class: "empty" }, t("no_lots"));
  return h(
    "div",
    { class: "table-scroll" },
    h(
      "table",
      { class: "table stack", "data-testid": "staff-lots" }, // one card per lot on a phone
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["#", t("lot_title"), t("lot_category"), t("appraisal"), t("lot_auctions")].map((c, i) =>
            h("th", { scope: "col", class: i === 3 ? "num" : null }, c),
          ),
        ),
      ),
      h("tbody", {}, rows),
    ),
  );
}
