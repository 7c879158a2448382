// rules_calc.js: integer fractions of fen, deposit bounds and the numbers texts quote, from a rules answer.

import assert from "node:assert/strict";
import { test } from "node:test";

import { atLeast, days, depositBounds, finalWindowMs, fractionOf, percentOf, ruleTexts } from "../../bidder_client/web/rules_calc.js";
import { JUDICIAL } from "./fixtures.mjs";

test("fractionOf rounds up or down exactly, past 2^53 too", () => {
  const seven = { numerator: 7, denominator: 10 };
  assert.equal(fractionOf(1000, seven), 700);
  assert.equal(fractionOf(1001, seven), 701); // 700.7 up
  assert.equal(fractionOf(1001, seven, "floor"), 700);
  assert.equal(fractionOf(10 ** 15, { numerator: 1, denominator: 5 }), 2 * 10 ** 14);
  assert.equal(fractionOf(999_999_999_999_999, { numerator: 19, denominator: 20 }), 949_999_999_999_999 + 1);
});

test("atLeast compares without division", () => {
  const floor = JUDICIAL.first_round_floor;
  assert.ok(atLeast(700, 1000, floor));
  assert.ok(!atLeast(699, 1000, floor));
  assert.ok(atLeast(701, 1001, floor));
  assert.ok(!atLeast(700, 1001, floor));
});

test("percentOf writes a fraction as a percentage", () => {
  assert.equal(percentOf({ numerator: 7, denominator: 10 }), "70");
  assert.equal(percentOf({ numerator: 1, denominator: 20 }), "5");
  assert.equal(percentOf({ numerator: 1, denominator: 3 }), "33.33");
});

test("depositBounds: the least rounded up, the most rounded down, none without a price", () => {
  assert.deepEqual(depositBounds(700_000_00, JUDICIAL), { lo: 35_000_00, hi: 140_000_00 });
  assert.deepEqual(depositBounds(101, JUDICIAL), { lo: 6, hi: 20 });
  assert.deepEqual(depositBounds(null, JUDICIAL), { lo: null, hi: null });
});

test("days, the final window and the numbers texts quote", () => {
  assert.equal(days(86400 * 30), 30);
  assert.equal(days(null), null);
  assert.equal(finalWindowMs(JUDICIAL), 300_000);
  assert.deepEqual(ruleTexts(JUDICIAL), {
    ext_minutes: 5,
    floor1_pct: "70",
    floor2_pct: "80",
    deposit_min_pct: "5",
    deposit_max_pct: "20",
    period_hours: 24,
    relist_days: 30,
    ann1_long: 30,
    ann1_short: 15,
    ann2_long: 15,
    ann2_short: 7,
    balance_days: 10,
  });
});
