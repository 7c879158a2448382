// Withdrawing (撤回) an announced auction: the clerk picks one of the legal grounds the service accepts
// (auction_rules/withdrawal.py: the list of AUC Art. 17, 2020 text) and may add a note, which "other"
// requires. The grounds are the service's codes; their words come from the i18n tables.

import { api } from "../../api.js";
import { t } from "../../i18n.js";
import { h } from "../../ui.js";

export const WITHDRAWAL_GROUNDS = [
  "judgment_revoked",
  "enforcement_application_withdrawn",
  "debt_paid",
  "settlement_reached",
  "third_party_objection_upheld",
  "collusion",
  "other",
];

/** Ask for the ground and the note in one dialog; resolves { ground, reason } or null if cancelled. */
export function askWithdrawal() {
  return new Promise((resolve) => {
    const select = h(
      "select",
      { required: true, "aria-label": t("withdraw_ground"), "data-testid": "withdraw-ground" },
      h("option", { value: "" }, t("withdraw_ground_pick")),
      ...WITHDRAWAL_GROUNDS.map((g) => h("option", { value: g }, t(`withdraw_ground_${g}`))),
    );
    const note = h("textarea", { rows: "3", "aria-label": t("withdraw_note"), "data-testid": "withdraw-note" });
    const dialog = h(
      "dialog",
      { class: "modal", "data-testid": "withdraw-dialog" },
      h(
        "form",
        { method: "dialog" },
        h("p", {}, t("withdraw_ground")),
        select,
        h("p", { class: "small" }, t("withdraw_note")),
        note,
        h(
          "div",
          { class: "row end" },
          h("button", { type: "submit", value: "cancel", class: "btn ghost", formnovalidate: true }, "✕"),
          h("button", { type: "submit", value: "ok", class: "btn primary" }, "OK"),
        ),
      ),
    );
    // "other" is the court's own statement of the ground: the note is required with it.
    select.addEventListener("change", () => {
      note.required = select.value === "other";
    });
    document.body.appendChild(dialog);
    dialog.addEventListener("close", () => {
      const ok = dialog.returnValue === "ok" && select.value;
      const value = ok ? { ground: select.value, reason: note.value.trim() || null } : null;
      dialog.remove();
      resolve(value);
    });
    dialog.showModal();
    select.focus();
  });
}

/** The whole step: ask, then withdraw (false if cancelled). */
export async function withdrawAuction(auctionId) {
  const chosen = await askWithdrawal();
  if (!chosen) return false;
  return api.withdraw(auctionId, chosen.reason, chosen.ground);
}
