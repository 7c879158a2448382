// The price panel: current (or final) price, who leads, the countdown synced to the server clock with
// its extensions, and the counts (bids, registrations, watchers).

import { clock } from "../../api.js";
import { dateTime, duration, money, statusText, t } from "../../i18n.js";
import { finalWindowMs } from "../../rules_calc.js";
import { fill, h, priorityTag, statusBadge } from "../../ui.js";
import { ENDED } from "./state.js";

/** Builds the panel; returns {el, paint, tick, flashExtension}. ``page``: {a, reg, rules, statusSlot,
 * liveDot, refetchSoon} (read on each paint: the page replaces ``a`` and ``reg``). */
export function pricePanel(page) {
  const priceLabel = h("span", { class: "label" });
  const priceValue = h("strong", { class: "big-price", "data-testid": "current-price" });
  const leader = h("div", { class: "leader" });
  const cdLabel = h("span", { class: "label" });
  const cdValue = h("strong", { class: "countdown-big", "data-testid": "countdown" });
  const extBadge = h("span", { class: "ext-badge", "data-testid": "extensions" });
  const endLine = h("div", { class: "end-line muted small" });
  const extFlash = h("div", { class: "ext-flash", role: "status", "aria-live": "polite" });
  const countdownBox = h(
    "div",
    { class: "countdown-box" },
    h("div", { class: "cd-row" }, cdLabel, extBadge),
    cdValue,
    endLine,
    extFlash,
  );
  const counts = h("div", { class: "counts" });
  const el = h(
    "section",
    { class: "panel price-panel", "aria-label": t("current_price") },
    h("div", { class: "price-row" }, priceLabel, priceValue),
    leader,
    countdownBox,
    counts,
  );

  function paint() {
    const { a, reg } = page;
    fill(page.statusSlot, statusBadge(a.status));
    const sold = a.status === "sold";
    priceLabel.textContent = sold ? t("final_price") : a.current_price != null ? t("current_price") : t("starting_price");
    priceValue.textContent = money(a.current_price ?? a.starting_price);
    const ended = ENDED.has(a.status);
    page.liveDot.hidden = ended; // an ended auction has nothing live to show
    leader.hidden = ended && !sold; // nobody leads a failed auction
    fill(
      leader,
      h("span", { class: "label" }, t(sold ? "winning_code" : "leading_code")),
      " ",
      h("strong", { "data-testid": "leading-code" }, a.leading_code || "—"),
      a.leading_code ? priorityTag(false, a.leading_priority_rank) : null,
      reg && a.leading_code === reg.bidder_code ? h("span", { class: "tag you" }, t("you")) : null,
    );
    extBadge.textContent = t("extensions_n", { n: a.extension_count || 0 });
    extBadge.classList.toggle("zero", !a.extension_count);
    // The end time appears once: the big line shows it once ended; while live, the line under the
    // countdown says when bidding ends now (and, once extended, when it was first due to end).
    const extended = a.end_at !== a.scheduled_end_at;
    fill(
      endLine,
      extended ? h("span", {}, `${t("scheduled_end_at")} ${dateTime(a.scheduled_end_at)}`) : null,
      !ended && extended ? h("span", { class: "new-end" }, ` → ${t("end_at")} ${dateTime(a.end_at)}`) : null,
      !ended && !extended ? h("span", {}, `${t("end_at")} ${dateTime(a.end_at)}`) : null,
    );
    fill(
      counts,
      count(t("bid_count"), a.bid_count, "bid-count"),
      count(t("registrations"), a.registrations, "registrations"),
      count(t("watchers"), a.watchers ?? 0, "watchers"),
    );
    tick();
  }

  function tick() {
    const { a } = page;
    const now = clock.now();
    countdownBox.classList.remove("final", "idle");
    if (a.status === "announced") {
      cdLabel.textContent = t("starts_in");
      cdValue.textContent = duration(Date.parse(a.start_at) - now);
      if (Date.parse(a.start_at) <= now) page.refetchSoon();
    } else if (a.status === "live") {
      const left = Date.parse(a.end_at) - now;
      cdLabel.textContent = t("ends_in");
      cdValue.textContent = left > 0 ? duration(left) : t("ending");
      countdownBox.classList.toggle("final", page.rules ? left <= finalWindowMs(page.rules) : false);
      if (left <= 0) page.refetchSoon();
    } else if (a.status === "suspended") {
      cdLabel.textContent = statusText("suspended");
      cdValue.textContent = a.status_reason ? `${t("status_reason")}:${a.status_reason}` : "—";
      countdownBox.classList.add("idle");
    } else {
      extFlash.textContent = "";
      cdLabel.textContent = t("ended_at");
      cdValue.textContent = dateTime(a.end_at);
      countdownBox.classList.add("idle");
    }
  }

  function flashExtension() {
    countdownBox.classList.remove("extended");
    void countdownBox.offsetWidth;
    countdownBox.classList.add("extended");
    extFlash.textContent = t("extended_flash");
  }

  return { el, paint, tick, flashExtension };
}

function count(label, value, testid) {
  return h("div", { class: "count" }, h("strong", { "data-testid": testid }, String(value ?? 0)), h("span", {}, label));
}
