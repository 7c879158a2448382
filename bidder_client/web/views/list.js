// Browse auctions: upcoming / live / ended tabs, filters, and cards with price, bids and a countdown.

import { api, clock, request } from "../api.js";
import { go } from "../router.js";
import { categoryText, dateTime, duration, money, roundText, t } from "../i18n.js";
import { categories, rules } from "../rules.js";
import { categoryBadge, clear, errorBox, h, loading, roundBadge, statusBadge } from "../ui.js";
import { roundsUnder } from "./stats/rounds.js";

const TABS = {
  upcoming: "announced",
  live: "live,suspended",
  ended: "sold,unsold,withdrawn",
};
const PAGE = 24;
let courtsCache = null;

export async function knownCourts() {
  if (courtsCache) return courtsCache;
  const names = new Set();
  try {
    const { items } = await request("GET", "/courts");
    for (const c of items) if (c.name) names.add(c.name);
  } catch {
    /* fall back to the names the auctions and lots carry */
  }
  if (!names.size) try {
    const [auctions, lots] = await Promise.all([api.auctions({ limit: 500 }), api.lots({ limit: 500 })]);
    for (const a of auctions.items) if (a.court) names.add(a.court);
    for (const l of lots.items) if (l.court) names.add(l.court);
  } catch {
    /* the filter just offers fewer courts */
  }
  courtsCache = [...names].sort((a, b) => a.localeCompare(b, "zh-CN"));
  return courtsCache;
}

export async function renderList(main, _params, ctx) {
  const q = ctx.query;
  const tab = TABS[q.tab] ? q.tab : "live";
  const page = Math.max(1, Number.parseInt(q.page || "1", 10) || 1);
  const setQuery = (patch) => go("/", { ...q, page: "", ...patch });

  const tabs = h(
    "div",
    { class: "tabs", role: "tablist", "aria-label": t("nav_auctions") },
    Object.keys(TABS).map((name) =>
      h(
        "button",
        {
          type: "button",
          role: "tab",
          class: `tab ${name === tab ? "active" : ""}`,
          "aria-selected": name === tab ? "true" : "false",
          "data-tab": name,
          onclick: () => setQuery({ tab: name }),
        },
        t(`tab_${name}`),
      ),
    ),
  );

  const select = (name, label, options, value) => {
    const id = `filter-${name}`;
    const el = h(
      "select",
      { id, name, onchange: (e) => setQuery({ [name]: e.target.value }) },
      h("option", { value: "" }, t("filter_all")),
      options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)),
    );
    return h("div", { class: "filter" }, h("label", { for: id }, label), el);
  };
  const filters = h(
    "div",
    { class: "filters" },
    select(
      "category",
      t("filter_category"),
      categories().map((c) => [c, categoryText(c)]),
      q.category || "",
    ),
    select("court", t("filter_court"), [], q.court || ""),
    select(
      "round",
      t("filter_round"),
      roundsUnder(rules()).map((r) => [r, roundText(r)]), // every round the rules hold (GET /rules)
      q.round || "",
    ),
  );
  const grid = h("div", { class: "cards", "aria-live": "polite" }, loading());
  const pager = h("nav", { class: "pager", "aria-label": "pages" });
  main.append(h("div", { class: "list-head" }, tabs, filters), grid, pager);

  knownCourts().then((courts) => {
    const sel = filters.querySelector("#filter-court");
    for (const c of courts) sel.append(h("option", { value: c, selected: c === q.court }, c));
  });

  let items = [];
  const load = async () => {
    try {
      const data = await api.auctions({
        status: TABS[tab],
        category: q.category,
        court: q.court,
        round: q.round,
        limit: PAGE,
        offset: (page - 1) * PAGE,
      });
      if (!ctx.alive) return;
      items = data.items;
      if (tab === "upcoming") items.sort((a, b) => Date.parse(a.start_at) - Date.parse(b.start_at));
      if (tab === "live") items.sort((a, b) => Date.parse(a.end_at) - Date.parse(b.end_at));
      clear(grid);
      if (!items.length) grid.append(h("p", { class: "empty" }, t("no_auctions")));
      for (const a of items) grid.append(card(a));
      clear(pager);
      const pages = Math.max(1, Math.ceil(data.total / PAGE));
      pager.append(
        ...[
        h("span", { class: "muted" }, t("total_n", { n: data.total })),
        pages > 1
          ? [
              h(
                "button",
                { type: "button", class: "btn small", disabled: page <= 1, onclick: () => setQuery({ page: String(page - 1) }) },
                t("prev_page"),
              ),
              h("span", {}, t("page_of", { page, pages })),
              h(
                "button",
                {
                  type: "button",
                  class: "btn small",
                  disabled: page >= pages,
                  onclick: () => setQuery({ page: String(page + 1) }),
                },
                t("next_page"),
              ),
            ]
          : [],
        ].flat(),
      );
    } catch (e) {
      clear(grid).append(errorBox(e.message, load));
    }
  };
  await load();
  const refresh = setInterval(load, 5000);
  ctx.onTick = () => {
    for (const el of grid.querySelectorAll("[data-deadline]")) {
      const left = Number(el.dataset.deadline) - clock.now();
      el.textContent = left > 0 ? duration(left) : t("ending");
    }
  };
  ctx.onTick();
  return () => clearInterval(refresh);
}

function card(a) {
  const live = a.status === "live";
  const upcoming = a.status === "announced";
  const ended = ["sold", "unsold", "withdrawn"].includes(a.status);
  const price = a.current_price ?? a.starting_price;
  const priceLabel = a.status === "sold" ? t("final_price") : a.current_price != null ? t("current_price") : t("starting_price");
  let timing;
  if (live) {
    timing = h(
      "div",
      { class: "timing live" },
      h("span", {}, t("ends_in")),
      h("strong", { class: "countdown", dataset: { deadline: String(Date.parse(a.end_at)) } }, ""),
    );
  } else if (upcoming) {
    timing = h(
      "div",
      { class: "timing" },
      h("span", {}, t("starts_in")),
      h("strong", { class: "countdown", dataset: { deadline: String(Date.parse(a.start_at)) } }, ""),
    );
  } else if (ended) {
    timing = h("div", { class: "timing" }, h("span", {}, t("ended_at")), h("span", {}, dateTime(a.end_at, { seconds: false })));
  } else {
    timing = h("div", { class: "timing" }, h("span", {}, a.status_reason || ""));
  }
  return h(
    "a",
    { class: `card status-${a.status}`, href: `#/auction/${a.id}`, "data-auction": String(a.id) },
    h("div", { class: "card-top" }, statusBadge(a.status), roundBadge(a.round), categoryBadge(a.category)),
    h("h3", { class: "card-title" }, a.title || t("auction_no", { id: a.id })),
    h("div", { class: "muted small court" }, a.court || ""),
    h(
      "div",
      { class: "card-price" },
      h("span", { class: "label" }, priceLabel),
      h("strong", { class: "price" }, money(price)),
    ),
    h("div", { class: "muted small" }, `${t("appraisal")} ${money(a.appraisal)}`),
    h(
      "div",
      { class: "card-meta" },
      h("span", {}, t("bids_n", { n: a.bid_count })),
      h("span", {}, t("registrations_n", { n: a.registrations })),
      a.extension_count ? h("span", { class: "ext" }, t("extensions_n", { n: a.extension_count })) : null,
    ),
    timing,
  );
}
