// The auction page's head: back link, badges (status, round, category, live mode), title and court line.

import { t } from "../../i18n.js";
import { categoryBadge, h, roundBadge } from "../../ui.js";

/** {el, statusSlot, liveDot}: the status badge and the live mode are repainted by the page. */
export function auctionHead(a, lot, id) {
  const statusSlot = h("span", { class: "status-slot" });
  const liveDot = h("span", { class: "live-mode", "data-testid": "live-mode" }, t("live_offline"));
  const el = h(
    "header",
    { class: "auction-head" },
    h("a", { href: "#/", class: "back" }, `← ${t("back")}`),
    h("div", { class: "badges" }, statusSlot, roundBadge(a.round), categoryBadge(a.category), liveDot),
    h("h1", {}, a.title || t("auction_no", { id })),
    h(
      "p",
      { class: "muted" },
      [a.court, lot?.case_number, t("auction_no", { id })].filter(Boolean).join(" · "),
    ),
  );
  return { el, statusSlot, liveDot };
}

/** The live mode's dot: websocket, polling or offline. */
export function paintLiveMode(liveDot, mode) {
  liveDot.className = `live-mode ${mode}`;
  liveDot.textContent = mode === "ws" ? t("live_connected") : mode === "poll" ? t("live_polling") : t("live_offline");
}
