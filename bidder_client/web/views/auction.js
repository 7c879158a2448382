// One auction: price, countdown synced to the server clock (with extensions), live bid record,
// registration and bidding, the announcement, and the result after the close. Each panel is a module
// under views/auction/; this file loads the page's data, holds it in one ``page`` object the panels
// read, and wires the live feed to their paint functions.

import { ApiError, api, clock, myRegistration, rememberRegistration, session } from "../api.js";
import { errorText, money, t } from "../i18n.js";
import { LiveFeed } from "../live.js";
import { loadRules } from "../rules.js";
import { clear, errorBox, h, loading, toast } from "../ui.js";
import { announcementPanel, documentsPanel } from "./auction/announcement.js";
import { bidPanel } from "./auction/bid_panel.js";
import { auctionHead, paintLiveMode } from "./auction/header.js";
import { pricePanel } from "./auction/price.js";
import { recordPanel } from "./auction/record.js";
import { resultPanel } from "./auction/result.js";
import { mergeSnapshot, withBid } from "./auction/state.js";

export async function renderAuction(main, [idText], ctx) {
  const id = Number(idText);
  main.append(loading());
  let loaded;
  try {
    loaded = await loadPage(id);
  } catch (e) {
    clear(main).append(errorBox(e instanceof ApiError ? errorText(e) : String(e), () => location.reload()));
    return;
  }
  if (!ctx.alive) return;
  const { a, lot, bids, rules } = loaded;
  clear(main);

  const me = session();
  const head = auctionHead(a, lot, id);
  // The page's state, shared by the panels (they read it on each paint; only this file and the bid
  // panel, on registering, replace its fields).
  const page = {
    id,
    ctx,
    me,
    rules,
    a,
    lot,
    bids,
    reg: me?.role === "bidder" ? myRegistration(id) : null,
    holders: null, // the published priority holders (GET .../priority-holders)
    statusSlot: head.statusSlot,
    liveDot: head.liveDot,
    refetchSoon,
    paintAll,
    emitBid: (r) => feed.emitBid(r),
  };
  const price = pricePanel(page);
  const record = recordPanel(page);
  const bidding = bidPanel(page);
  const result = resultPanel(page);
  const announcement = announcementPanel(page);
  const docs = documentsPanel();

  main.append(
    head.el,
    h(
      "div",
      { class: "auction-grid" },
      h("div", { class: "col-main" }, price.el, result.el, bidding.el),
      h("div", { class: "col-side" }, record.el),
    ),
    announcement.el,
    docs.el,
  );

  function paintAll() {
    record.paintAudit();
    price.paint();
    record.paint();
    bidding.paint();
    result.paint();
  }

  let lastRefetch = 0;
  async function refetch() {
    try {
      const fresh = await api.auction(id);
      if (!ctx.alive) return;
      applySnapshot(fresh);
      record.scheduleAudit();
    } catch {
      /* the next tick retries */
    }
  }

  function refetchSoon() {
    const now = performance.now();
    if (now - lastRefetch < 1000) return;
    lastRefetch = now;
    refetch();
  }

  function applySnapshot(fresh) {
    const before = page.a;
    page.a = mergeSnapshot(page.a, fresh);
    if (fresh.server_time) clock.observe(fresh.server_time);
    if (before.status !== page.a.status) result.forget();
    paintAll();
  }

  // After a burst of bids, read the auction once to correct the counters (extensions, registrations).
  let refetchTimer = null;
  function scheduleRefetch() {
    clearTimeout(refetchTimer);
    refetchTimer = setTimeout(refetch, 600);
  }

  function onBid(b) {
    const { reg } = page;
    const wasMine = reg && page.a.leading_code === reg.bidder_code;
    page.bids.push(b);
    const next = withBid(page.a, b);
    page.a = next.a;
    if (next.extended) price.flashExtension();
    if (wasMine && b.bidder_code !== reg.bidder_code) {
      bidding.flashOutbid();
      toast(t("outbid_toast", { code: b.bidder_code, amount: money(b.amount) }), "warn");
    }
    price.paint();
    record.paint();
    bidding.update();
    scheduleRefetch();
  }

  const feed = new LiveFeed(
    id,
    {
      onSnapshot: (fresh) => applySnapshot(fresh),
      onBid,
      onStatus: (ev) => {
        page.a = { ...page.a, status: ev.status, status_reason: ev.reason ?? page.a.status_reason };
        result.forget();
        paintAll();
        refetch();
      },
      onClosed: () => {
        result.forget();
        refetch();
      },
      onCounts: (c) => {
        if (c.watchers !== undefined) page.a.watchers = c.watchers;
        if (c.registrations !== undefined) page.a.registrations = c.registrations;
        price.paint();
      },
      onMode: (mode) => paintLiveMode(head.liveDot, mode),
    },
    { lastSeq: bids.length ? bids[bids.length - 1].seq : 0 },
  );

  announcement.paint();
  docs.paint(null);
  paintAll();
  feed.start();
  ctx.onTick = price.tick;
  loadPublished(page, { announcement, docs, record, bidding, paintAll });
  return () => {
    feed.stop();
    clearTimeout(refetchTimer);
    record.stop();
  };
}

/** The auction, its bids so far, its lot (null if unreadable) and the rules. */
async function loadPage(id) {
  const [a, { items: bids }, rules] = await Promise.all([api.auction(id), api.bids(id, 0), loadRules().catch(() => null)]);
  const lot = await api.lot(a.lot_id).catch(() => null);
  return { a, lot, bids, rules };
}

/** What the announcement publishes besides the auction: priority holders, documents, the audit; and for
 * a bidder, the platform's record of the registration (this browser may not know it). */
function loadPublished(page, { announcement, docs, record, bidding, paintAll }) {
  const { id, ctx, lot } = page;
  api
    .priorityHolders(id)
    .then((r) => (page.holders = r.items))
    .catch(() => (page.holders = []))
    .then(() => ctx.alive && announcement.paint());
  const lotDocs = lot ? api.documents(lot.id).then((r) => r.items) : Promise.resolve([]);
  lotDocs
    .catch(() => [])
    .then((items) => {
      if (ctx.alive) docs.paint(items);
    });
  record.loadAudit();
  if (page.me?.role !== "bidder") return;
  api
    .myRegistrations()
    .then((r) => {
      const found = r.items.find((x) => x.auction_id === id);
      if (!found || !ctx.alive) return;
      const fresh = {
        bidder_code: found.bidder_code,
        deposit: found.deposit,
        deposit_status: found.deposit_status,
        priority_rank: found.priority_rank,
      };
      rememberRegistration(id, fresh, { title: page.a.title });
      page.reg = fresh;
      bidding.reshape();
      announcement.paint();
      paintAll();
      record.paint();
    })
    .catch(() => {});
}
