// The result panel after the close (GET /auctions/{id}/result) and the links to the sale's confirmation.

import { api, confirmationUrls } from "../../api.js";
import { money, percent, statusText, t } from "../../i18n.js";
import { fill, h } from "../../ui.js";

/** Builds the panel; returns {el, paint, forget}. ``page``: {id, a, reg, me, ctx}. */
export function resultPanel(page) {
  const el = h("section", { class: "panel result-panel", hidden: true, "aria-label": t("result_title") });
  let result = null;

  async function paint() {
    const { a } = page;
    if (!(a.status === "sold" || a.status === "unsold")) {
      el.hidden = true;
      return;
    }
    if (!result) {
      try {
        result = await api.result(page.id);
      } catch {
        return;
      }
    }
    if (!page.ctx.alive) return;
    el.hidden = false;
    const r = result;
    const rows =
      r.outcome === "sold"
        ? [
            [t("final_price"), h("strong", { class: "big-price" }, money(r.price))],
            [t("winner_code"), h("strong", { "data-testid": "winner-code" }, r.winner_code)],
            r.winner_name ? [t("winner_name"), r.winner_name] : null,
            [t("premium_over_start"), percent(r.premium_rate_over_start)],
            [t("premium_over_appraisal"), percent(r.premium_rate_over_appraisal)],
            [t("extensions_label"), h("span", { "data-testid": "result-extensions" }, t("extensions_count", { n: r.extension_count ?? a.extension_count ?? 0 }))],
            [t("bid_count"), t("bids_count", { n: r.bid_count ?? a.bid_count ?? 0 })],
            [t("settlement"), r.settlement ? t(`settle_${r.settlement}`) : t("settlement_pending")],
          ]
        : [[t("result_title"), t("result_unsold")]];
    fill(
      el,
      h("h2", {}, t("result_title"), " ", h("span", { class: `badge status-${r.outcome}` }, statusText(r.outcome))),
      h(
        "dl",
        { class: "kv", "data-testid": "result" },
        rows.filter(Boolean).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
      ),
      confirmationLinks(page, r),
    );
  }

  return {
    el,
    paint,
    forget: () => {
      result = null;
    },
  };
}

/** The confirmation of a sale, for court staff and for the winner. */
function confirmationLinks(page, r) {
  if (r.outcome !== "sold") return null;
  const winner = page.reg && page.reg.bidder_code === r.winner_code;
  if (!(page.me?.role === "staff" || winner)) return null;
  const urls = confirmationUrls(page.id);
  return h(
    "p",
    { class: "doc-links", "data-testid": "confirmation-links" },
    h("a", { class: "btn small", href: urls.html, target: "_blank", rel: "noopener", "data-testid": "confirmation-link" }, t("confirmation_html")),
    h("a", { class: "btn small ghost", href: urls.pdf, target: "_blank", rel: "noopener", "data-testid": "confirmation-pdf" }, t("confirmation_pdf")),
  );
}
