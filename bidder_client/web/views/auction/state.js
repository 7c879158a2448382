// What the auction page's panels share: the page object every panel module reads (and the live feed
// updates). Pure: no DOM here.

export const ENDED = new Set(["sold", "unsold", "withdrawn"]);

/** The amount of a one-increment bid now: the starting price first, then current + increment. */
export function nextBid(a) {
  return a.current_price == null ? a.starting_price : a.current_price + a.increment;
}

/** The amount of a bid of ``n`` increments (the first bid counts the starting price as one). */
export function stepsAmount(a, n) {
  return a.current_price == null ? a.starting_price + (n - 1) * a.increment : a.current_price + n * a.increment;
}

/** A snapshot may be older than bids we already hold (a bid event raced the GET): keep the newer. */
export function mergeSnapshot(held, fresh) {
  if ((fresh.seq ?? fresh.bid_count) < (held.seq ?? held.bid_count)) {
    return {
      ...fresh,
      current_price: held.current_price,
      leading_code: held.leading_code,
      leading_priority_rank: held.leading_priority_rank,
      bid_count: held.bid_count,
      seq: held.seq,
      end_at: held.end_at,
      extension_count: held.extension_count,
    };
  }
  return fresh;
}

/** The auction after a bid event; ``extended`` when the bid moved the end. */
export function withBid(a, b) {
  const next = { ...a, current_price: b.amount, leading_code: b.bidder_code, leading_priority_rank: b.priority_rank ?? null, bid_count: b.seq, seq: b.seq, minimum_bid: b.amount + a.increment };
  const extended = Boolean(b.end_at && Date.parse(b.end_at) > Date.parse(a.end_at));
  if (extended) {
    next.end_at = b.end_at;
    next.extension_count = (a.extension_count || 0) + 1;
  }
  return { a: next, extended };
}
