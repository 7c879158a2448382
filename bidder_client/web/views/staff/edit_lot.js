// Corrections to the lot's announcement before bidding opens (each with its reason, kept in the log).

import { request } from "../../api.js";
import { categoryText, errorText, parseYuan, t, yuanInput } from "../../i18n.js";
import { categories } from "../../rules.js";
import { field, h, toast } from "../../ui.js";

const EDITABLE = [
  ["title", "lot_title", false],
  ["case_number", "ann_case_number", false],
  ["location", "ann_location", false],
  ["appraisal_method", "ann_appraisal_method", false],
  ["defects", "ann_defects", true],
  ["encumbrances", "ann_encumbrances", true],
  ["taxes", "ann_taxes", true],
  ["contact", "ann_contact", false],
  ["description", "ann_description", true],
];

export function editLotPanel(lot, reload) {
  if (lot.disposition) return null;
  const relevant = lot.auctions.filter((a) => a.status !== "withdrawn");
  if (relevant.some((a) => a.status !== "announced")) return null; // bidding has opened: the record is fixed
  const announced = relevant.length > 0;
  const inputs = {};
  for (const [name, , area] of EDITABLE) {
    const value = lot[name] ?? "";
    inputs[name] = area
      ? h("textarea", { name: `edit_${name}`, rows: "2", maxlength: "20000" }, value)
      : h("input", { name: `edit_${name}`, maxlength: name === "case_number" ? "100" : "300", value });
  }
  const appraisal = h("input", { name: "edit_appraisal", inputmode: "decimal", value: yuanInput(lot.appraisal), disabled: announced });
  const category = h(
    "select",
    { name: "edit_category", disabled: announced },
    categories().map((c) => h("option", { value: c, selected: c === lot.category }, categoryText(c))),
  );
  const reason = h("input", { name: "edit_reason", maxlength: "2000" });
  const message = h("div", { class: "form-message", role: "alert", "data-testid": "edit-message" });
  const submit = h("button", { type: "submit", class: "btn primary" }, t("edit_save"));
  return h(
    "details",
    { class: "panel", "data-testid": "edit-lot" },
    h("summary", {}, t("edit_lot")),
    h("p", { class: "muted small" }, t("edit_hint")),
    h(
      "form",
      {
        onsubmit: async (e) => {
          e.preventDefault();
          message.textContent = "";
          const body = {};
          for (const [name] of EDITABLE) {
            const next = inputs[name].value.trim();
            const was = lot[name] ?? "";
            if (next !== was) body[name] = next === "" ? null : next;
          }
          if (!announced) {
            const fen = parseYuan(appraisal.value);
            if (fen === null) return (message.textContent = t("err_amount_format"));
            if (fen !== lot.appraisal) body.appraisal = fen;
            if (category.value !== lot.category) body.category = category.value;
          }
          if ("title" in body && body.title === null) delete body.title;
          if (!Object.keys(body).length) return (message.textContent = t("edit_nothing"));
          if (reason.value.trim()) body.reason = reason.value.trim();
          submit.disabled = true;
          try {
            await request("PATCH", `/lots/${lot.id}`, { body });
            toast(t("edit_saved"), "ok");
            reload();
          } catch (err) {
            message.textContent = errorText(err);
            submit.disabled = false;
          }
        },
      },
      h("div", { class: "grid-2" }, field(t("lot_category"), category), field(t("lot_appraisal"), appraisal)),
      EDITABLE.map(([name, label]) => field(t(label), inputs[name])),
      field(t("edit_reason"), reason),
      message,
      submit,
    ),
  );
}
