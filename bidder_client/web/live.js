// The live feed of one auction: the websocket of the contract, with HTTP polling as the fallback.
//
// Handlers: onSnapshot(auction), onBid(bid), onStatus(event), onClosed(event), onCounts({watchers?,
// registrations?}), onMode("ws"|"poll"|"connecting"). Bids arrive exactly once, in seq order: a
// jump in seq is filled from GET /bids?after_seq, duplicates are dropped.

import { api } from "./api.js";

const POLL_MS = 1000;
const AUCTION_POLL_MS = 3000;

export class LiveFeed {
  constructor(auctionId, handlers, { lastSeq = 0 } = {}) {
    this.id = auctionId;
    this.h = handlers;
    this.lastSeq = lastSeq;
    this.ws = null;
    this.stopped = false;
    this.mode = "connecting";
    this.failures = 0;
    this.pollTimer = null;
    this.reconnectTimer = null;
    this.lastAuctionPoll = 0;
    this.filling = null;
  }

  start() {
    this.connect();
    return this;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.pollTimer);
    clearTimeout(this.reconnectTimer);
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.onerror = null;
      this.ws.onmessage = null;
      try {
        this.ws.close(1000);
      } catch {
        /* ignore */
      }
      this.ws = null;
    }
  }

  setMode(mode) {
    if (this.mode !== mode) {
      this.mode = mode;
      this.h.onMode?.(mode);
    }
  }

  connect() {
    if (this.stopped) return;
    if (typeof WebSocket === "undefined") {
      this.startPolling();
      return;
    }
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const url = `${proto}//${location.host}/api/v1/auctions/${this.id}/live?after_seq=${this.lastSeq}`;
    let opened = false;
    let ws;
    try {
      ws = new WebSocket(url);
    } catch {
      this.failed();
      return;
    }
    this.ws = ws;
    const watchdog = setTimeout(() => {
      if (!opened) {
        try {
          ws.close();
        } catch {
          /* ignore */
        }
      }
    }, 4000);
    ws.onmessage = (ev) => {
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (msg.type === "snapshot") {
        opened = true;
        clearTimeout(watchdog);
        this.failures = 0;
        this.stopPolling();
        this.setMode("ws");
      }
      this.handle(msg);
    };
    ws.onclose = () => {
      clearTimeout(watchdog);
      if (this.ws === ws) this.ws = null;
      if (this.stopped) return;
      this.failed();
    };
    ws.onerror = () => {
      /* onclose follows */
    };
  }

  failed() {
    this.failures += 1;
    this.startPolling();
    // Try the socket again with a growing pause; polling keeps the page live meanwhile.
    const wait = Math.min(30000, 1000 * 2 ** Math.min(this.failures, 5));
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), wait);
  }

  startPolling() {
    if (this.stopped || this.pollTimer) return;
    this.setMode("poll");
    const tick = async () => {
      if (this.stopped) return;
      try {
        await this.fillFrom(this.lastSeq);
        if (performance.now() - this.lastAuctionPoll > AUCTION_POLL_MS) {
          this.lastAuctionPoll = performance.now();
          const a = await api.auction(this.id);
          this.h.onSnapshot?.(a, { polled: true });
        }
      } catch {
        /* try again on the next tick */
      }
      if (this.pollTimer !== null && !this.stopped) this.pollTimer = setTimeout(tick, POLL_MS);
    };
    this.pollTimer = setTimeout(tick, 0);
  }

  stopPolling() {
    clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  async fillFrom(after) {
    // one fill at a time; it reads every bid after `after` and emits the new ones in order
    if (this.filling) return this.filling;
    this.filling = (async () => {
      const { items } = await api.bids(this.id, after);
      for (const bid of items) this.emitBid(bid);
    })();
    try {
      await this.filling;
    } finally {
      this.filling = null;
    }
  }

  emitBid(bid) {
    if (bid.seq <= this.lastSeq) return;
    if (bid.seq > this.lastSeq + 1) {
      this.wanted = Math.max(this.wanted || 0, bid.seq);
      this.fillFrom(this.lastSeq)
        .then(() => {
          if ((this.wanted || 0) > this.lastSeq) return this.fillFrom(this.lastSeq);
        })
        .catch(() => {});
      return;
    }
    this.lastSeq = bid.seq;
    this.h.onBid?.(bid);
  }

  handle(msg) {
    switch (msg.type) {
      case "snapshot":
        this.h.onSnapshot?.(msg.auction, { seq: msg.seq }); // the backlog after lastSeq follows
        break;
      case "bid":
        this.emitBid(msg);
        break;
      case "status":
        this.h.onStatus?.(msg);
        break;
      case "closed":
        this.h.onClosed?.(msg);
        break;
      case "watchers":
        this.h.onCounts?.({ watchers: msg.count });
        break;
      case "registrations":
        this.h.onCounts?.({ registrations: msg.count });
        break;
      default:
        break;
    }
  }
}
