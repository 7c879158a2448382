// Disposition after the last failed round (以物抵债 or returned): offered once a round has failed and
// nothing is open or sold; the service decides.

import { api } from "../../api.js";
import { dateTime, errorText, money, t } from "../../i18n.js";
import { ask, field, h, toast } from "../../ui.js";

export function dispositionPanel(lot, reload) {
  const outcomeText = (o) => t(`disp_${o}`);
  if (lot.disposition) {
    return h(
      "section",
      { class: "panel", "data-testid": "disposition" },
      h("h2", {}, t("disposition")),
      h(
        "dl",
        { class: "kv" },
        h("dt", {}, t("my_state")),
        h("dd", {}, h("strong", {}, outcomeText(lot.disposition))),
        lot.disposition_price != null ? [h("dt", {}, t("disposition_price")), h("dd", {}, money(lot.disposition_price))] : null,
        h("dt", {}, t("disposed_at")),
        h("dd", {}, dateTime(lot.disposed_at, { seconds: false })),
        lot.disposition_note ? [h("dt", {}, t("disposition_note_label")), h("dd", {}, lot.disposition_note)] : null,
      ),
    );
  }
  // Offered once a round has failed and nothing is open or sold; the server decides (rule 18).
  const relevant = lot.auctions.filter((a) => a.status !== "withdrawn");
  const last = relevant[relevant.length - 1];
  if (!last || last.status !== "unsold") return null;
  const note = h("textarea", { name: "disposition_note", rows: "2", maxlength: "2000" });
  const message = h("div", { class: "form-message", role: "alert", "data-testid": "disposition-message" });
  const button = (outcome, cls) =>
    h(
      "button",
      {
        type: "button",
        class: `btn ${cls}`,
        "data-outcome": outcome,
        onclick: async (e) => {
          message.textContent = "";
          const ok = await ask(t("disposition_confirm", { outcome: outcomeText(outcome) }), { confirmOnly: true });
          if (!ok) return;
          const btn = e.target;
          btn.disabled = true;
          try {
            await api.dispose(lot.id, outcome, note.value.trim() || null);
            toast(t("disposition_done", { outcome: outcomeText(outcome) }), "ok");
            reload();
          } catch (err) {
            message.textContent = errorText(err);
            btn.disabled = false;
          }
        },
      },
      outcomeText(outcome),
    );
  return h(
    "section",
    { class: "panel", "data-testid": "disposition" },
    h("h2", {}, t("disposition")),
    h("p", { class: "muted small" }, t("disposition_hint")),
    field(t("disposition_note_label"), note),
    message,
    h("div", { class: "row" }, button("creditor_taken", "primary"), button("returned", "")),
  );
}
