// views/auction/state.js: the next bid, n increments, a snapshot racing bid events, a bid that extends.

import assert from "node:assert/strict";
import { test } from "node:test";

import { mergeSnapshot, nextBid, stepsAmount, withBid } from "../../bidder_client/web/views/auction/state.js";

const fresh = { starting_price: 1000, increment: 100, current_price: null, seq: 0, bid_count: 0, end_at: "2026-03-01T10:00:00Z" };

test("the first bid is the starting price; later ones add increments", () => {
  assert.equal(nextBid(fresh), 1000);
  assert.equal(stepsAmount(fresh, 1), 1000);
  assert.equal(stepsAmount(fresh, 3), 1200);
  const bidOn = { ...fresh, current_price: 1500 };
  assert.equal(nextBid(bidOn), 1600);
  assert.equal(stepsAmount(bidOn, 3), 1800);
});

test("a snapshot older than the bids held keeps the newer price, leader and end", () => {
  const held = { ...fresh, current_price: 1200, leading_code: "B", seq: 3, bid_count: 3, end_at: "2026-03-01T10:05:00Z", extension_count: 1 };
  const stale = { ...fresh, status: "live", seq: 2, bid_count: 2, current_price: 1100, watchers: 9 };
  const merged = mergeSnapshot(held, stale);
  assert.equal(merged.current_price, 1200);
  assert.equal(merged.leading_code, "B");
  assert.equal(merged.end_at, "2026-03-01T10:05:00Z");
  assert.equal(merged.watchers, 9);
  const newer = { ...stale, seq: 4, bid_count: 4, current_price: 1300 };
  assert.equal(mergeSnapshot(held, newer), newer);
});

test("a bid event moves the price and, past the end, extends it", () => {
  const live = { ...fresh, current_price: 1000, seq: 1 };
  const plain = withBid(live, { amount: 1100, bidder_code: "A", seq: 2 });
  assert.equal(plain.extended, false);
  assert.equal(plain.a.current_price, 1100);
  assert.equal(plain.a.minimum_bid, 1200);
  const late = withBid(live, { amount: 1100, bidder_code: "A", seq: 2, end_at: "2026-03-01T10:04:00Z" });
  assert.equal(late.extended, true);
  assert.equal(late.a.extension_count, 1);
  assert.equal(late.a.end_at, "2026-03-01T10:04:00Z");
});
