// One row of the lot's rounds: status (and the kind of pause), schedule, prices, and the staff's steps
// (postpone, suspend, resume, withdraw, settle, the result, the confirmation, the case file).

import { api, apiUrl, confirmationUrls, request, session } from "../../api.js";
import { dateTime, errorText, money, percent, t } from "../../i18n.js";
import { fill, h, roundBadge, statusBadge, toast } from "../../ui.js";
import { pauseStep } from "./pause.js";
import { declareDefault, recordPayment } from "./settle.js";
import { withdrawAuction } from "./withdraw.js";

export function auctionRow(a, reload) {
  const act = (label, fn, cls = "") =>
    h(
      "button",
      {
        type: "button",
        class: `btn small ${cls}`,
        onclick: async (e) => {
          e.currentTarget.disabled = true;
          try {
            if ((await fn()) !== false) {
              toast(t("done"), "ok");
              reload();
            }
          } catch (err) {
            toast(errorText(err), "warn");
          } finally {
            e.target.disabled = false;
          }
        },
      },
      label,
    );
  const actions = [h("a", { class: "btn small ghost", href: `#/auction/${a.id}` }, t("act_open"))];
  if (a.status === "announced" || a.status === "live") {
    actions.push(act(t("act_postpone"), () => pauseStep("postpone", a.id)));
    actions.push(act(t("act_suspend"), () => pauseStep("suspend", a.id)));
  }
  if (a.status === "suspended") {
    actions.push(act(t("act_cause_removed"), () => pauseStep("cause", a.id)));
    actions.push(act(t("act_resume"), () => pauseStep("resume", a.id)));
  }
  if (a.status === "announced") actions.push(act(t("act_withdraw"), () => withdrawAuction(a.id), "danger"));
  actions.push(h("button", { type: "button", class: "btn small ghost", "data-testid": "case-file", onclick: () => downloadCaseFile(a.id) }, t("case_file")));
  if (a.status === "sold" && !a.settlement) {
    actions.push(act(t("act_paid"), () => recordPayment(a.id)));
    actions.push(act(t("act_defaulted"), () => declareDefault(a.id), "danger"));
  }
  if (a.status === "sold") {
    const urls = confirmationUrls(a.id);
    actions.push(
      h("a", { class: "btn small ghost", href: urls.html, target: "_blank", rel: "noopener", "data-testid": "staff-confirmation" }, t("confirmation")),
      h("a", { class: "btn small ghost", href: urls.pdf, target: "_blank", rel: "noopener" }, "PDF"),
    );
  }
  const resultBox = h("div", { class: "small" });
  if (a.status === "sold" || a.status === "unsold") {
    actions.push(
      h(
        "button",
        {
          type: "button",
          class: "btn small",
          onclick: async () => {
            try {
              const r = await api.result(a.id);
              fill(
                resultBox,
                r.outcome === "sold"
                  ? `${t("final_price")} ${money(r.price)} · ${t("winner_code")} ${r.winner_code}${r.winner_name ? ` (${r.winner_name})` : ""} · ${t("premium_over_start")} ${percent(r.premium_rate_over_start)} · ${t("premium_over_appraisal")} ${percent(r.premium_rate_over_appraisal)}`
                  : t("result_unsold"),
              );
            } catch (err) {
              fill(resultBox, errorText(err));
            }
          },
        },
        t("act_result"),
      ),
    );
  }
  return h(
    "tr",
    { "data-auction": String(a.id) },
    h("td", {}, roundBadge(a.round)),
    h(
      "td",
      {},
      statusBadge(a.status),
      a.status === "suspended" ? pauseKind(a.id) : null,
      a.settlement ? h("div", { class: "small" }, t(`settle_${a.settlement}`)) : null,
      a.status_reason ? h("div", { class: "muted small" }, a.status_reason) : null,
    ),
    h("td", { class: "small" }, dateTime(a.start_at, { seconds: false }), h("br"), dateTime(a.end_at, { seconds: false })),
    h("td", { class: "num" }, money(a.starting_price)),
    h("td", { class: "num" }, money(a.current_price), h("div", { class: "muted small" }, t("bids_n", { n: a.bid_count }))),
    h("td", {}, h("div", { class: "actions" }, actions), resultBox),
  );
}

/** 暂缓 or 中止: the kind of the auction's current pause, from its published history. */
function pauseKind(auctionId) {
  const tag = h("div", { class: "small", "data-testid": "pause-kind" });
  request("GET", `/auctions/${auctionId}/status-history`, { anonymous: true })
    .then(({ items }) => {
      const last = [...items].reverse().find((i) => i.change === "postponed" || i.change === "suspended");
      if (last) tag.textContent = t(`pause_${last.change}`);
    })
    .catch(() => {});
  return tag;
}

/** The case file is served to staff only, so it is fetched with the token and saved from a blob. */
async function downloadCaseFile(auctionId) {
  try {
    const res = await fetch(apiUrl(`/auctions/${auctionId}/case-file`), {
      headers: { Authorization: `Bearer ${session()?.token}` },
    });
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      throw { status: res.status, code: body.error?.code || "http_error", message: body.error?.message || "" };
    }
    const url = URL.createObjectURL(await res.blob());
    const link = h("a", { href: url, download: `case-file-${auctionId}.zip` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    toast(t("case_file_saved", { digest: (res.headers.get("X-Case-File-Digest") || "").slice(0, 16) }), "ok");
  } catch (err) {
    toast(errorText(err), "warn");
  }
}
