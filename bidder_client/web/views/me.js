// My page: who I am, and from the platform's records (GET /me/registrations, /me/bids): my
// registrations with their deposits, the lots I won with the balance due, and my bids.

import { api, confirmationUrls, session } from "../api.js";
import { dateTime, errorText, money, t } from "../i18n.js";
import { errorBox, fill, h, loading, priorityTag, roundBadge, statusBadge } from "../ui.js";

const DEPOSIT_STATUSES = ["frozen", "released", "applied", "forfeited"];

export function depositBadge(status) {
  return h("span", { class: `badge dep-${status}`, "data-deposit": status }, t(`dep_${status}`));
}

/** A table that turns into one card per row on a phone (style.css, ``table.stack``): each cell
 * carries its column's name (``data-label``), shown beside the value when the header row is hidden. */
function table(testid, headers, rows, numeric = []) {
  for (const row of rows) {
    [...row.children].forEach((cell, i) => {
      if (headers[i]) cell.dataset.label = headers[i];
      cell.append(h("div", { class: "cell" }, ...cell.childNodes)); // one box beside the label
    });
  }
  return h(
    "div",
    { class: "table-scroll" },
    h(
      "table",
      { class: "table stack", "data-testid": testid },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          headers.map((c, i) => h("th", { scope: "col", class: numeric.includes(i) ? "num" : null }, c)),
        ),
      ),
      h("tbody", {}, rows),
    ),
  );
}

function stateOf(r, mine) {
  const a = r.auction;
  const leading = a.leading_code === r.bidder_code;
  if (a.status === "announced") return t("state_waiting");
  if (a.status === "sold") return r.won || leading ? t("state_won") : t("state_lost");
  if (a.status === "unsold" || a.status === "withdrawn") return t(`st_${a.status}`);
  if (leading) return t("state_leading");
  if (mine.length) return t("state_outbid");
  return t("state_no_bid");
}

export async function renderMe(main, _params, ctx) {
  const auth = session();
  if (!auth) {
    main.append(
      h("p", { class: "alert info" }, t("need_login"), " ", h("a", { href: "#/login?next=%2Fme" }, t("nav_login"))),
    );
    return;
  }
  const profile = h("section", { class: "panel" }, loading());
  main.append(h("h1", {}, t("me_title")), profile);
  api
    .me()
    .then((me) => {
      fill(
        profile,
        h(
          "dl",
          { class: "kv" },
          h("dt", {}, t("username")),
          h("dd", {}, me.username),
          h("dt", {}, t("real_name")),
          h("dd", {}, me.real_name || "—"),
          me.court ? [h("dt", {}, t("ann_court")), h("dd", {}, me.court)] : null,
          h("dt", {}, t("my_state")),
          h("dd", {}, t(auth.role === "staff" ? "role_staff" : "role_bidder")),
        ),
      );
    })
    .catch(() => fill(profile, h("p", { class: "muted" }, auth.username)));
  if (auth.role !== "bidder") return;

  const body = h("div", { class: "me-body" }, h("section", { class: "panel" }, loading()));
  main.append(body);
  let regs;
  let bids;
  try {
    [regs, bids] = await Promise.all([api.myRegistrations(), api.myBids()]);
  } catch (e) {
    if (ctx.alive) fill(body, errorBox(errorText(e), () => location.reload()));
    return;
  }
  if (!ctx.alive) return;

  const byAuction = new Map();
  for (const b of bids.items) {
    if (!byAuction.has(b.auction_id)) byAuction.set(b.auction_id, []);
    byAuction.get(b.auction_id).push(b);
  }
  const titles = new Map(regs.items.map((r) => [r.auction_id, r.auction.title]));
  const link = (id) => h("a", { href: `#/auction/${id}` }, titles.get(id) || t("auction_no", { id }));

  // ---- deposits: the totals per status
  const totals = regs.deposit_totals || {};
  const grand = regs.deposits_total ?? DEPOSIT_STATUSES.reduce((s, k) => s + (totals[k] || 0), 0);
  const deposits = h(
    "section",
    { class: "panel" },
    h("h2", {}, t("me_deposits")),
    h(
      "div",
      { class: "kpis deposit-totals", "data-testid": "deposit-totals" },
      DEPOSIT_STATUSES.map((k) =>
        h(
          "div",
          { class: `kpi dep-${k}`, "data-deposit": k },
          h("span", { class: "label" }, t(`dep_${k}`)),
          h("strong", {}, money(totals[k] || 0)),
        ),
      ),
      h("div", { class: "kpi accent" }, h("span", { class: "label" }, t("me_deposit_total")), h("strong", {}, money(grand))),
    ),
  );

  // ---- won lots with the balance due
  const won = regs.items.filter((r) => r.won);
  const wonPanel = h(
    "section",
    { class: "panel" },
    h("h2", {}, t("me_won")),
    won.length
      ? [
          table(
            "my-won",
            [t("lot_title"), t("my_code"), t("me_final_price"), t("me_deposit_applied"), t("me_balance_due"), t("confirmation")],
            won.map((r) => {
              const urls = confirmationUrls(r.auction_id);
              return h(
                "tr",
                { "data-auction": String(r.auction_id) },
                h("td", {}, link(r.auction_id), h("div", { class: "badges small" }, statusBadge(r.auction.status), roundBadge(r.auction.round))),
                h("td", { class: "code" }, r.bidder_code),
                h("td", { class: "num" }, money(r.auction.current_price)),
                h("td", { class: "num" }, money(r.deposit), h("div", {}, depositBadge(r.deposit_status))),
                h(
                  "td",
                  { class: "num", "data-testid": "balance-due" },
                  r.balance_due != null ? h("strong", { class: "due" }, money(r.balance_due)) : h("span", { class: "muted" }, t("me_balance_settled")),
                ),
                h(
                  "td",
                  {},
                  h(
                    "div",
                    { class: "doc-links" },
                    h("a", { href: urls.html, target: "_blank", rel: "noopener" }, t("confirmation_html")),
                    h("a", { href: urls.pdf, target: "_blank", rel: "noopener" }, "PDF"),
                  ),
                ),
              );
            }),
            [2, 3, 4],
          ),
          h("p", { class: "muted small" }, t("me_balance_note")),
        ]
      : h("p", { class: "empty" }, t("me_won_none")),
  );

  // ---- every registration
  const regRows = regs.items.map((r) => {
    const mine = byAuction.get(r.auction_id) || [];
    const highest = mine.reduce((m, b) => (m === null || b.amount > m ? b.amount : m), null);
    const a = r.auction;
    return h(
      "tr",
      { "data-auction": String(r.auction_id) },
      h("td", {}, link(r.auction_id), h("div", { class: "badges small" }, statusBadge(a.status), roundBadge(a.round))),
      h("td", { class: "code" }, r.bidder_code, priorityTag(false, r.priority_rank)),
      h("td", { class: "num" }, money(r.deposit)),
      h("td", {}, depositBadge(r.deposit_status), h("div", { class: "muted small" }, dateTime(r.deposit_updated_at, { seconds: false }))),
      h("td", { class: "num" }, String(mine.length)),
      h("td", { class: "num" }, money(highest)),
      h("td", { class: "num" }, money(a.current_price)),
      h("td", {}, h("strong", {}, stateOf(r, mine))),
      h("td", {}, dateTime(a.end_at, { seconds: false })),
    );
  });
  const regPanel = h(
    "section",
    { class: "panel" },
    h("h2", {}, t("me_registrations")),
    regRows.length
      ? table(
          "my-registrations",
          [
            t("lot_title"),
            t("my_code"),
            t("deposit"),
            t("dep_status"),
            t("my_bid_count"),
            t("my_highest"),
            t("current_price"),
            t("my_state"),
            t("end_at"),
          ],
          regRows,
          [2, 4, 5, 6],
        )
      : h("p", { class: "empty" }, t("me_none")),
    h("p", { class: "muted small" }, t("me_registrations_note")),
  );

  // ---- my bids, newest first
  const leadingCode = new Map(regs.items.map((r) => [r.auction_id, r.auction.leading_code]));
  const bidsPanel = h(
    "section",
    { class: "panel" },
    h("h2", {}, t("me_bids"), " ", h("span", { class: "muted small" }, `(${bids.items.length})`)),
    bids.items.length
      ? table(
          "my-bids",
          [t("lot_title"), t("col_seq"), t("col_code"), t("col_amount"), t("col_time")],
          bids.items.map((b) => {
            const top = leadingCode.get(b.auction_id) === b.bidder_code && b.amount === highestOf(b.auction_id);
            return h(
              "tr",
              { class: top ? "leading" : null },
              h("td", {}, link(b.auction_id)),
              h("td", { class: "num" }, String(b.seq)),
              h(
                "td",
                { class: "code" },
                b.bidder_code,
                priorityTag(b.priority, b.priority_rank),
                top ? h("span", { class: "tag you" }, t("me_bid_leading")) : null,
              ),
              h("td", { class: "num" }, money(b.amount)),
              h("td", {}, dateTime(b.placed_at)),
            );
          }),
          [1, 3],
        )
      : h("p", { class: "empty" }, t("me_bids_none")),
  );
  function highestOf(auctionId) {
    const r = regs.items.find((x) => x.auction_id === auctionId);
    return r ? r.auction.current_price : null;
  }

  fill(body, wonPanel, deposits, regPanel, bidsPanel);
}
