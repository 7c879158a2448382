// Test data: answers shaped like the service's GET /api/v1/rules (docs/api-contract.md) under the
// judicial profile and the sandbox. The numbers are the test's expectations, not a copy the client uses.

const DAY = 86400;
const periods = (one, two) => ({ 1: one, 2: two, sale: null });

export const JUDICIAL = {
  profile: "judicial-2016",
  categories: ["residential", "commercial", "land", "vehicle", "equity", "machinery", "other", "vessel"],
  first_round_floor: { numerator: 7, denominator: 10 },
  later_round_floor: { numerator: 4, denominator: 5 },
  deposit_min: { numerator: 1, denominator: 20 },
  deposit_max: { numerator: 1, denominator: 5 },
  extension_seconds: 300,
  min_bidding_period_seconds: DAY,
  announcement_seconds: {
    residential: periods(30 * DAY, 15 * DAY),
    commercial: periods(30 * DAY, 15 * DAY),
    land: periods(30 * DAY, 15 * DAY),
    equity: periods(30 * DAY, 15 * DAY),
    vehicle: periods(15 * DAY, 7 * DAY),
    machinery: periods(15 * DAY, 7 * DAY),
    other: periods(15 * DAY, 7 * DAY),
    vessel: periods(30 * DAY, 30 * DAY),
  },
  reauction_within_seconds: 30 * DAY,
  sale_window_seconds: 60 * DAY,
  sale_countdown_seconds: DAY,
  balance_deadline_seconds: 10 * DAY,
  pause_limit_seconds: 5 * DAY,
};

export const SANDBOX = {
  ...JUDICIAL,
  profile: "sandbox",
  min_bidding_period_seconds: null,
  announcement_seconds: Object.fromEntries(JUDICIAL.categories.map((c) => [c, periods(null, null)])),
  reauction_within_seconds: null,
  sale_window_seconds: null,
};
