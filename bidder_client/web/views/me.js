// My page: who I am, my registrations (remembered in this browser) and my bids in each.

import { api, myRegistrations, session } from "../api.js";
import { dateTime, money, t } from "../i18n.js";
import { clear, h, loading, roundBadge, statusBadge, fill } from "../ui.js";

export async function renderMe(main, _params, ctx) {
  const auth = session();
  if (!auth) {
    main.append(
      h("p", { class: "alert info" }, t("need_login"), " ", h("a", { href: "#/login?next=%2Fme" }, t("nav_login"))),
    );
    return;
  }
  const profile = h("section", { class: "panel" }, loading());
  const list = h("section", { class: "panel" }, h("h2", {}, t("me_registrations")), loading());
  main.append(h("h1", {}, t("me_title")), profile, list);

  api
    .me()
    .then((me) => {
      fill(profile, 
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

  const regs = Object.values(myRegistrations()).sort((x, y) => y.auction_id - x.auction_id);
  if (!regs.length) {
    clear(list).append(
      h("h2", {}, t("me_registrations")),
      h("p", { class: "empty" }, t("me_none")),
      h("p", { class: "muted small" }, t("me_registrations_note")),
    );
    return;
  }
  const rows = await Promise.all(
    regs.map(async (r) => {
      try {
        const [a, { items }] = await Promise.all([api.auction(r.auction_id), api.bids(r.auction_id, 0)]);
        return { r, a, mine: items.filter((b) => b.bidder_code === r.bidder_code) };
      } catch {
        return { r, a: null, mine: [] };
      }
    }),
  );
  if (!ctx.alive) return;
  const tbody = h(
    "tbody",
    {},
    rows.map(({ r, a, mine }) => {
      const highest = mine.length ? mine[mine.length - 1].amount : null;
      let state = t("state_no_bid");
      if (a) {
        const leading = a.leading_code === r.bidder_code;
        if (a.status === "announced") state = t("state_waiting");
        else if (a.status === "sold") state = leading ? t("state_won") : t("state_lost");
        else if (a.status === "unsold" || a.status === "withdrawn") state = t(`st_${a.status}`);
        else if (leading) state = t("state_leading");
        else if (mine.length) state = t("state_outbid");
      }
      return h(
        "tr",
        {},
        h(
          "td",
          {},
          h("a", { href: `#/auction/${r.auction_id}` }, a?.title || r.title || `#${r.auction_id}`),
          a ? h("div", { class: "badges small" }, statusBadge(a.status), roundBadge(a.round)) : null,
        ),
        h("td", { class: "code" }, r.bidder_code),
        h("td", { class: "num" }, money(r.deposit)),
        h("td", { class: "num" }, String(mine.length)),
        h("td", { class: "num" }, money(highest)),
        h("td", { class: "num" }, a ? money(a.current_price) : "—"),
        h("td", {}, h("strong", {}, state)),
        h("td", {}, a ? dateTime(a.end_at, { seconds: false }) : "—"),
      );
    }),
  );
  clear(list).append(
    h("h2", {}, t("me_registrations")),
    h(
      "div",
      { class: "table-scroll" },
      h(
        "table",
        { class: "table", "data-testid": "my-registrations" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            [
              t("lot_title"),
              t("my_code"),
              t("deposit"),
              t("my_bids"),
              t("my_highest"),
              t("current_price"),
              t("my_state"),
              t("end_at"),
            ].map((c) => h("th", { scope: "col" }, c)),
          ),
        ),
        tbody,
      ),
    ),
    h("p", { class: "muted small" }, t("me_registrations_note")),
  );
}
