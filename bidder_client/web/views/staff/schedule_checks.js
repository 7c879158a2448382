// The schedule form's defaults and checks, from the service's next-round plan (GET /lots/{id}/next-round)
// and rules (GET /rules): pure (no DOM), so tests/web/ runs them under Node. The rule numbers all come
// from those two answers; what is written here is only the form's taste (round amounts, 10:00 starts).

import { atLeast, days, depositBounds, fractionOf } from "../../rules_calc.js";

const DAY_MS = 86400000; // a calendar day, not a rule
const QUICK_START_MS = 10 * 60000; // no announcement period: propose a start in ten minutes
const QUICK_PERIOD_MS = 60 * 60000; // no minimum bidding period: propose an hour

/** Round up to a multiple of ``step`` fen (100 yuan by default): a tidy proposed amount. */
export function roundUpTo(fen, step = 100_00) {
  return Math.ceil(fen / step) * step;
}

/** The starting price of the round the plan refers to (null for a first round). */
export function previousStart(plan, auctions) {
  const previous = auctions.find((a) => a.id === plan.previous_auction_id);
  return previous?.starting_price ?? null;
}

/** The round of the auction the plan refers to: a 变卖's price is that of the last auction round, round 2
 * under the law and a later one under a research profile (auction_rules/listing.py, sale_price_mismatch). */
export function previousRound(plan, auctions) {
  return auctions.find((a) => a.id === plan.previous_auction_id)?.round ?? null;
}

/** Whether ``round`` is an auction round after the first: 2 under the law, 2, 3, ... under a research
 * profile's rules (GET /rules: auction_rounds). Each has the same floor: the rules' cut of the previous
 * failed round's starting price (auction_rules/listing.py: lowest_starting_price). */
export function laterRound(round) {
  return Number.isInteger(round) && round >= 2;
}

/** The lowest lawful starting price: the service's answer, else the rules' floor of its base. */
export function minimumStart(plan, lot, prevStart, rules) {
  if (plan.min_start_price_fen !== null && plan.min_start_price_fen !== undefined) return plan.min_start_price_fen;
  if (plan.round === 1) return fractionOf(lot.appraisal, rules.first_round_floor);
  if (laterRound(plan.round) && prevStart) return fractionOf(prevStart, rules.later_round_floor);
  return prevStart;
}

/** The lawful deposits for a starting price: the plan's own bounds when the price is the one they were
 * computed for (they hold the round's special terms, e.g. a fixed-price sale's full-price deposit), else
 * the rules' fractions of the price. */
export function depositRange(startingPrice, plan, rules) {
  const planned = plan.deposit_min_fen !== null && plan.deposit_min_fen !== undefined && plan.deposit_max_fen !== null && plan.deposit_max_fen !== undefined;
  if (planned && startingPrice === plan.min_start_price_fen) return { lo: plan.deposit_min_fen, hi: plan.deposit_max_fen };
  return depositBounds(startingPrice, rules);
}

/** What the form proposes: {startingPrice, increment, deposit, startAt, endAt} (fen; ms). */
export function scheduleDefaults(plan, lot, rules, nowMs) {
  const prevStart = previousStart(plan, lot.auctions);
  const minimum = minimumStart(plan, lot, prevStart, rules);
  const startingPrice = plan.round === "sale" ? minimum : roundUpTo(minimum);
  const increment = Math.max(100, roundUpTo(Math.round(startingPrice / 200)));
  const { lo, hi } = depositRange(startingPrice, plan, rules);
  const deposit = Math.min(Math.max(roundUpTo(Math.ceil(startingPrice / 10), 100), lo), hi);
  let startAt;
  if (plan.announcement_seconds) {
    const earliest = Math.max(nowMs + plan.announcement_seconds * 1000, Date.parse(plan.earliest_start_at) || 0);
    const start = new Date(earliest + DAY_MS);
    start.setHours(10, 0, 0, 0); // the morning after the announcement period ends
    startAt = start.getTime();
  } else {
    const start = new Date(nowMs + QUICK_START_MS);
    start.setSeconds(0, 0);
    startAt = start.getTime();
  }
  let period = rules.min_bidding_period_seconds ? rules.min_bidding_period_seconds * 1000 : QUICK_PERIOD_MS;
  if (plan.round === "sale" && rules.sale_window_seconds) period = rules.sale_window_seconds * 1000; // rule 19: the whole window
  return { startingPrice, increment, deposit, startAt, endAt: startAt + period };
}

/** The checks the form shows: [{ok, key, params}] (i18n keys; money params are fen, times ms).
 * ``input``: {startingPrice, increment, deposit, startAt, endAt}, each null when it does not parse. */
export function scheduleChecks(input, plan, lot, rules, nowMs) {
  const { startingPrice: sp, increment: ic, deposit: dp, startAt: s, endAt: e } = input;
  const prevStart = previousStart(plan, lot.auctions);
  const list = [];
  const add = (ok, key, params = {}) => list.push({ ok: Boolean(ok), key, params });
  add(sp !== null && ic !== null && dp !== null && s !== null && e !== null, "chk_amounts");
  const minimum = minimumStart(plan, lot, prevStart, rules);
  if (plan.round === 1) {
    add(sp !== null && sp >= minimum, "chk_floor1", { amount: minimum });
  } else if (laterRound(plan.round) && prevStart) {
    add(sp !== null && atLeast(sp, prevStart, rules.later_round_floor), "chk_floor2", { amount: minimum });
  } else if (plan.round === "sale" && prevStart) {
    add(sp === minimum, "chk_sale_price", { amount: minimum, round: previousRound(plan, lot.auctions) ?? 2 });
  }
  const { lo, hi } = depositRange(sp || null, plan, rules);
  add(sp !== null && dp !== null && dp >= lo && dp <= hi, "chk_deposit", { lo, hi });
  add(ic !== null && sp !== null && ic <= sp, "chk_increment");
  add(s !== null && s > nowMs, "chk_start_future");
  if (plan.announcement_seconds) {
    const earliest = Math.max(nowMs + plan.announcement_seconds * 1000, Date.parse(plan.earliest_start_at) || 0);
    add(s !== null && s >= earliest, "chk_announce", { days: days(plan.announcement_seconds), time: earliest });
  }
  add(s !== null && e !== null && e > s, "chk_period_pos");
  if (rules.min_bidding_period_seconds) add(s !== null && e !== null && e - s >= rules.min_bidding_period_seconds * 1000, "chk_period");
  if (plan.round === "sale" && rules.sale_window_seconds) {
    add(s !== null && e !== null && e - s === rules.sale_window_seconds * 1000, "chk_sale_window", { days: days(rules.sale_window_seconds) });
  }
  return list;
}
