// Adding a priority holder (优先购买权人) to the lot's open round.

import { api } from "../../api.js";
import { errorText, t } from "../../i18n.js";
import { field, h, toast } from "../../ui.js";

export function priorityForm(auction) {
  const username = h("input", { name: "priority_username", required: true, minlength: "3" });
  const rank = h("input", { name: "rank", type: "number", min: "1", max: "1000", value: "1", required: true });
  // Required by the service once bidding has opened (a late declaration states its grounds).
  const reason = h("input", { name: "priority_reason", maxlength: "2000" });
  // The right's grounds as the court confirmed them: its kind, what it rests on, the notice date.
  const kind = h(
    "select",
    { name: "priority_kind" },
    h("option", { value: "" }, "—"),
    ...["co_owner", "tenant", "shareholder", "other"].map((k) => h("option", { value: k }, t(`priority_kind_${k}`))),
  );
  const basis = h("input", { name: "priority_basis", maxlength: "2000" });
  const noticeDate = h("input", { name: "priority_notice_date", type: "date" });
  const message = h("div", { class: "form-message", role: "alert" });
  return h(
    "details",
    { class: "panel" },
    h("summary", {}, `${t("add_priority")} · ${t("auction_no", { id: auction.id })}`),
    h(
      "form",
      {
        onsubmit: async (e) => {
          e.preventDefault();
          message.textContent = "";
          try {
            const grounds = { reason: reason.value.trim(), kind: kind.value, basis: basis.value.trim(), notice_date: noticeDate.value };
            await api.priorityHolder(auction.id, username.value.trim(), Number(rank.value), grounds);
            toast(t("priority_added"), "ok");
            username.value = "";
            reason.value = "";
          } catch (err) {
            message.textContent = errorText(err);
          }
        },
      },
      h("div", { class: "grid-2" }, field(t("priority_username"), username), field(t("priority_rank"), rank)),
      h("div", { class: "grid-2" }, field(t("priority_kind"), kind), field(t("priority_notice_date"), noticeDate)),
      field(t("priority_basis"), basis),
      field(t("priority_reason"), reason),
      message,
      h("button", { type: "submit", class: "btn" }, t("add_priority")),
    ),
  );
}
