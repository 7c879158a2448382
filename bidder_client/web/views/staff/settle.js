// Settling a sale with its grounds (auction row and deadlines desk alike): recording a payment is a
// confirmed step with the evidence it rests on; 悔拍 takes its reason, and before the balance deadline
// only the buyer's written renunciation allows it (the service answers balance_not_due otherwise).

import { api } from "../../api.js";
import { t } from "../../i18n.js";
import { ask } from "../../ui.js";

/** Record payment of the balance: the evidence (receipt, bank slip), then a confirmation. */
export async function recordPayment(auctionId) {
  const evidence = await ask(t("paid_evidence_prompt"));
  if (!evidence) return false;
  if (!(await ask(t("confirm_paid"), { confirmOnly: true }))) return false;
  return api.settle(auctionId, "paid", { evidence });
}

/** Declare 悔拍 with its reason; before the deadline, only as a recorded written renunciation. */
export async function declareDefault(auctionId) {
  if (!(await ask(t("confirm_defaulted"), { confirmOnly: true }))) return false;
  const reason = await ask(t("default_reason_prompt"));
  if (!reason) return false;
  try {
    return await api.settle(auctionId, "defaulted", { reason });
  } catch (err) {
    if (err?.code !== "balance_not_due") throw err;
    if (!(await ask(t("confirm_renounced"), { confirmOnly: true }))) return false;
    return api.settle(auctionId, "defaulted", { reason, renounced: true });
  }
}
