// Pausing and resuming with their grounds (Art. 28): 暂缓 asks for its period (the last day, court time)
// and the ruling's number; 中止 for the ruling's number (it has no period: it lasts until its cause is
// removed); the removal of the cause is recorded with its day, reason and ruling, and the desk counts the
// five days to resume from then; resuming asks for its reason and ruling. One dialog for the four steps.

import { request } from "../../api.js";
import { t } from "../../i18n.js";
import { h } from "../../ui.js";

// step -> the fields its dialog asks for, beyond the reason (always asked, required)
const STEPS = {
  postpone: { title: "pause_title_postpone", until: true },
  suspend: { title: "pause_title_suspend" },
  resume: { title: "pause_title_resume" },
  cause: { title: "pause_title_cause", removedOn: true },
};

/** Ask for one step's grounds; resolves the request body ({reason, until?, ruling_number?, removed_on?})
 * with only the fields filled in, or null if cancelled. */
export function askPause(step) {
  const spec = STEPS[step];
  return new Promise((resolve) => {
    const reason = h("textarea", { rows: "3", required: true, "aria-label": t("pause_reason"), "data-testid": "pause-reason" });
    const until = spec.until ? h("input", { type: "date", "aria-label": t("pause_until"), "data-testid": "pause-until" }) : null;
    const removedOn = spec.removedOn ? h("input", { type: "date", required: true, "aria-label": t("pause_removed_on"), "data-testid": "pause-removed-on" }) : null;
    const ruling = h("input", { type: "text", maxlength: "100", "aria-label": t("pause_ruling"), "data-testid": "pause-ruling" });
    const labelled = (label, input) => (input ? h("label", { class: "field" }, h("span", { class: "small" }, label), input) : null);
    const dialog = h(
      "dialog",
      { class: "modal", "data-testid": "pause-dialog" },
      h(
        "form",
        { method: "dialog" },
        h("p", {}, t(spec.title)),
        labelled(t("pause_reason"), reason),
        labelled(t("pause_until"), until),
        labelled(t("pause_removed_on"), removedOn),
        labelled(t("pause_ruling"), ruling),
        h(
          "div",
          { class: "row end" },
          h("button", { type: "submit", value: "cancel", class: "btn ghost", formnovalidate: true }, "✕"),
          h("button", { type: "submit", value: "ok", class: "btn primary", "data-testid": "pause-ok" }, "OK"),
        ),
      ),
    );
    document.body.appendChild(dialog);
    dialog.addEventListener("close", () => {
      const ok = dialog.returnValue === "ok" && reason.value.trim();
      const body = ok ? { reason: reason.value.trim() } : null;
      if (body && until?.value) body.until = until.value;
      if (body && removedOn?.value) body.removed_on = removedOn.value;
      if (body && ruling.value.trim()) body.ruling_number = ruling.value.trim();
      dialog.remove();
      resolve(body);
    });
    dialog.showModal();
    reason.focus();
  });
}

const PATHS = { postpone: "postpone", suspend: "suspend", resume: "resume", cause: "cause-removed" };

/** The whole step on one auction: ask, then send (false if cancelled). */
export async function pauseStep(step, auctionId) {
  const body = await askPause(step);
  if (!body) return false;
  return request("POST", `/auctions/${auctionId}/${PATHS[step]}`, { body });
}
