// What the page works out from the service's rules (GET /api/v1/rules, see rules.js): pure functions
// of the rules answer, with integer maths on fen (BigInt where a product may pass 2^53). No rule number
// is written here: every one comes from the answer, so the service's rules are the only home.

const DAY_SECONDS = 86400; // a calendar fact, not a rule

/** ceil(amount × num / den) or floor(...), exactly. */
export function fractionOf(amount, { numerator, denominator }, rounding = "ceil") {
  const product = BigInt(amount) * BigInt(numerator);
  const den = BigInt(denominator);
  const q = product / den;
  if (rounding === "ceil" && q * den < product) return Number(q + 1n);
  return Number(q);
}

/** amount ≥ base × num / den, exactly. */
export function atLeast(amount, base, { numerator, denominator }) {
  return BigInt(amount) * BigInt(denominator) >= BigInt(base) * BigInt(numerator);
}

/** {numerator: 3, denominator: 4} -> "75"; {1, 8} -> "12.5"; {1, 3} -> "33.33". */
export function percentOf({ numerator, denominator }) {
  const value = (100 * numerator) / denominator;
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
}

/** The lawful deposits for a starting price: {lo, hi} in fen (lo rounded up, hi down); nulls without a price. */
export function depositBounds(startingPrice, rules) {
  if (startingPrice === null || startingPrice === undefined) return { lo: null, hi: null };
  return {
    lo: fractionOf(startingPrice, rules.deposit_min, "ceil"),
    hi: fractionOf(startingPrice, rules.deposit_max, "floor"),
  };
}

/** Whole days in a number of seconds (null stays null). */
export function days(seconds) {
  return seconds === null || seconds === undefined ? null : Math.round(seconds / DAY_SECONDS);
}

/** The time before the end in which a bid extends the auction (ms). */
export function finalWindowMs(rules) {
  return rules.extension_seconds * 1000;
}

/** The rule numbers the texts quote, by placeholder name (see i18n/*.js: {ext_minutes}, {floor1_pct}...). */
export function ruleTexts(rules) {
  const ann = rules.announcement_seconds || {};
  const announce = (category, round) => days(ann[category]?.[round]) ?? "—";
  return {
    ext_minutes: Math.round((rules.extension_seconds / 60) * 100) / 100,
    floor1_pct: percentOf(rules.first_round_floor),
    floor2_pct: percentOf(rules.later_round_floor),
    deposit_min_pct: percentOf(rules.deposit_min),
    deposit_max_pct: percentOf(rules.deposit_max),
    period_hours: rules.min_bidding_period_seconds ? Math.round(rules.min_bidding_period_seconds / 3600) : "—",
    relist_days: days(rules.reauction_within_seconds) ?? "—",
    ann1_long: announce("residential", "1"),
    ann1_short: announce("other", "1"),
    ann2_long: announce("residential", "2"),
    ann2_short: announce("other", "2"),
    balance_days: days(rules.balance_deadline_seconds),
  };
}
