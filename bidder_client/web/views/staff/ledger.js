// The deposits ledger of one auction: every registration's deposit and its state, totals, balanced or not.

import { api } from "../../api.js";
import { dateTime, errorText, money, t } from "../../i18n.js";
import { errorBox, fill, h, loading, roundBadge, statusBadge } from "../../ui.js";

export function ledgerBlock(a) {
  const box = h("div", { class: "ledger", "data-auction": String(a.id) }, loading());
  api
    .deposits(a.id)
    .then((d) => {
      const rows = d.items.map((r) =>
        h(
          "tr",
          {},
          h("td", { class: "code" }, r.bidder_code, r.priority_rank ? h("span", { class: "tag prio" }, t("priority_mark")) : null),
          h("td", { class: "num" }, money(r.deposit)),
          h("td", {}, h("span", { class: `badge dep-${r.deposit_status}` }, t(`dep_${r.deposit_status}`))),
          h("td", { class: "small" }, dateTime(r.registered_at, { seconds: false })),
          h("td", { class: "small" }, dateTime(r.deposit_updated_at, { seconds: false })),
        ),
      );
      const totals = ["frozen", "released", "applied", "forfeited"].map((k) =>
        h(
          "li",
          { "data-deposit": k },
          h("span", { class: `badge dep-${k}` }, t(`dep_${k}`)),
          " ",
          h("strong", {}, money(d.totals[k]?.amount ?? 0)),
          h("span", { class: "muted small" }, ` · ${t("ledger_count", { n: d.totals[k]?.count ?? 0 })}`),
        ),
      );
      fill(
        box,
        h(
          "h3",
          { class: "ledger-head" },
          roundBadge(a.round),
          " ",
          statusBadge(d.status),
          " ",
          h("span", {}, t("auction_no", { id: a.id })),
        ),
        rows.length
          ? h(
              "div",
              { class: "table-scroll" },
              h(
                "table",
                { class: "table compact", "data-testid": "ledger" },
                h(
                  "thead",
                  {},
                  h(
                    "tr",
                    {},
                    [t("my_code"), t("deposit"), t("dep_status"), t("me_registered_at"), t("ledger_updated")].map((c, i) =>
                      h("th", { scope: "col", class: i === 1 ? "num" : null }, c),
                    ),
                  ),
                ),
                h("tbody", {}, rows),
                h(
                  "tfoot",
                  {},
                  h(
                    "tr",
                    {},
                    h("th", { scope: "row" }, t("ledger_total")),
                    h("td", { class: "num" }, h("strong", {}, money(d.total.amount))),
                    h("td", { colspan: "3" }, t("ledger_count", { n: d.total.count })),
                  ),
                ),
              ),
            )
          : h("p", { class: "empty" }, t("ledger_none")),
        rows.length ? h("ul", { class: "ledger-totals" }, totals) : null,
        h(
          "p",
          { class: `ledger-check ${d.balanced ? "ok" : "bad"}`, "data-testid": "ledger-balanced", role: d.balanced ? null : "alert" },
          d.balanced ? t("ledger_balanced") : t("ledger_unbalanced"),
        ),
      );
    })
    .catch((err) => fill(box, h("h3", {}, roundBadge(a.round), " ", t("auction_no", { id: a.id })), errorBox(errorText(err))));
  return box;
}
