// views/staff/schedule_checks.js: the schedule form's proposal and checks from a next-round plan and the
// rules (answers shaped like GET /lots/{id}/next-round and GET /rules).

import assert from "node:assert/strict";
import { test } from "node:test";

import { depositRange, laterRound, minimumStart, roundUpTo, scheduleChecks, scheduleDefaults } from "../../bidder_client/web/views/staff/schedule_checks.js";
import { JUDICIAL, SANDBOX } from "./fixtures.mjs";

process.env.TZ = "Asia/Shanghai";
const NOW = Date.parse("2026-03-01T02:00:00Z"); // 10:00 in Shanghai
const DAY_MS = 86400000;

const lot = { id: 7, category: "residential", appraisal: 1_000_000_00, auctions: [] };
const plan1 = {
  lot_id: 7,
  schedulable: true,
  round: 1,
  previous_auction_id: null,
  restarted: false,
  blocked: null,
  announcement_seconds: 30 * 86400,
  earliest_start_at: new Date(NOW + 30 * DAY_MS).toISOString(),
  min_start_price_fen: 700_000_00,
  deposit_min_fen: 35_000_00,
  deposit_max_fen: 140_000_00,
  relist_by: null,
};
const failed = { id: 3, round: 1, status: "unsold", starting_price: 700_000_00 };
const plan2 = { ...plan1, round: 2, previous_auction_id: 3, announcement_seconds: 15 * 86400, earliest_start_at: null, min_start_price_fen: 560_000_00 };
const lot2 = { ...lot, auctions: [failed] };

const keys = (list) => list.filter((c) => !c.ok).map((c) => c.key);

test("round 1: the proposal keeps every rule and starts the morning after the announcement", () => {
  const p = scheduleDefaults(plan1, lot, JUDICIAL, NOW);
  assert.equal(p.startingPrice, 700_000_00);
  assert.equal(p.deposit, 70_000_00);
  assert.equal(p.increment, 3_500_00);
  assert.equal(new Date(p.startAt).toISOString(), "2026-04-01T02:00:00.000Z"); // 10:00, 31 days on
  assert.equal(p.endAt - p.startAt, DAY_MS);
  assert.deepEqual(keys(scheduleChecks(p, plan1, lot, JUDICIAL, NOW)), []);
});

test("round 1: below the floor, a deposit out of range, too early, too short", () => {
  const p = scheduleDefaults(plan1, lot, JUDICIAL, NOW);
  const bad = { ...p, startingPrice: 600_000_00, deposit: 200_000_00, startAt: NOW + DAY_MS, endAt: NOW + DAY_MS + 3600_000 };
  assert.deepEqual(keys(scheduleChecks(bad, plan1, lot, JUDICIAL, NOW)), ["chk_floor1", "chk_deposit", "chk_announce", "chk_period"]);
  const unparsed = { ...p, deposit: null };
  assert.deepEqual(keys(scheduleChecks(unparsed, plan1, lot, JUDICIAL, NOW)), ["chk_amounts", "chk_deposit"]);
  const floor = scheduleChecks(bad, plan1, lot, JUDICIAL, NOW).find((c) => c.key === "chk_floor1");
  assert.deepEqual(floor.params, { amount: 700_000_00 });
});

test("round 2 refers to the failed round's starting price", () => {
  assert.equal(minimumStart(plan2, lot2, 700_000_00, JUDICIAL), 560_000_00);
  assert.equal(minimumStart({ ...plan2, min_start_price_fen: null }, lot2, 700_000_00, JUDICIAL), 560_000_00);
  const p = scheduleDefaults(plan2, lot2, JUDICIAL, NOW);
  assert.equal(p.startingPrice, 560_000_00);
  assert.deepEqual(keys(scheduleChecks(p, plan2, lot2, JUDICIAL, NOW)), []);
  const low = { ...p, startingPrice: 559_999_99, deposit: 56_000_00 };
  assert.deepEqual(keys(scheduleChecks(low, plan2, lot2, JUDICIAL, NOW)), ["chk_floor2"]);
});

test("a research profile's round 3 (and later) has round 2's floor check: the cut of the previous round's start", () => {
  const RESEARCH = { ...JUDICIAL, profile: "research:three", auction_rounds: 3 };
  const failed2 = { id: 4, round: 2, status: "unsold", starting_price: 560_000_00 };
  const lot3 = { ...lot, auctions: [failed, failed2] };
  const plan3 = { ...plan2, round: 3, previous_auction_id: 4, min_start_price_fen: 448_000_00, deposit_min_fen: 22_400_00, deposit_max_fen: 89_600_00 };
  // the floor: 80% of round 2's ¥560,000, from the plan or (without the plan's figure) from the rules
  assert.equal(minimumStart(plan3, lot3, 560_000_00, RESEARCH), 448_000_00);
  assert.equal(minimumStart({ ...plan3, min_start_price_fen: null }, lot3, 560_000_00, RESEARCH), 448_000_00);
  const p = scheduleDefaults(plan3, lot3, RESEARCH, NOW);
  assert.equal(p.startingPrice, 448_000_00);
  const checks = scheduleChecks(p, plan3, lot3, RESEARCH, NOW);
  assert.deepEqual(keys(checks), []);
  const floor = checks.find((c) => c.key === "chk_floor2");
  assert.ok(floor, "round 3 shows the starting-price floor check");
  assert.deepEqual(floor.params, { amount: 448_000_00 });
  const low = { ...p, startingPrice: 447_999_99, deposit: 44_800_00 };
  assert.deepEqual(keys(scheduleChecks(low, plan3, lot3, RESEARCH, NOW)), ["chk_floor2"]);
  // a sixth round refers to the fifth's start in the same way
  const plan6 = { ...plan3, round: 6, min_start_price_fen: null };
  const six = scheduleChecks({ ...p, startingPrice: 400_000_00, deposit: 40_000_00 }, plan6, lot3, RESEARCH, NOW);
  assert.deepEqual(keys(six), ["chk_floor2"]);
  assert.deepEqual(six.find((c) => c.key === "chk_floor2").params, { amount: 448_000_00 });
});

test("the law's rounds keep their checks: one floor line each, round 2's the only later round", () => {
  assert.deepEqual([1, 2, 3, 6, "sale", null, "2"].map(laterRound), [false, true, true, true, false, false, false]);
  const floors = (plan, l) => scheduleChecks(scheduleDefaults(plan, l, JUDICIAL, NOW), plan, l, JUDICIAL, NOW).map((c) => c.key).filter((k) => k.startsWith("chk_floor") || k === "chk_sale_price");
  assert.deepEqual(floors(plan1, lot), ["chk_floor1"]);
  assert.deepEqual(floors(plan2, lot2), ["chk_floor2"]);
  const sale = { ...plan2, round: "sale", previous_auction_id: 4, announcement_seconds: null, min_start_price_fen: 560_000_00, deposit_min_fen: 560_000_00, deposit_max_fen: 560_000_00 };
  const lotSale = { ...lot, auctions: [failed, { id: 4, round: 2, status: "unsold", starting_price: 560_000_00 }] };
  assert.deepEqual(floors(sale, lotSale), ["chk_sale_price"]);
  // round 2 without the failed round it refers to (悔拍 of a round 2 whose round 1 was never held): no floor line
  assert.deepEqual(floors({ ...plan2, previous_auction_id: null, min_start_price_fen: null }, lot2), []);
});

test("the fixed-price sale: one price, and the plan's own deposit bounds for it", () => {
  const sale = { ...plan2, round: "sale", previous_auction_id: 4, announcement_seconds: null, min_start_price_fen: 560_000_00, deposit_min_fen: 560_000_00, deposit_max_fen: 560_000_00 };
  const lotSale = { ...lot, auctions: [failed, { id: 4, round: 2, status: "unsold", starting_price: 560_000_00 }] };
  assert.deepEqual(depositRange(560_000_00, sale, JUDICIAL), { lo: 560_000_00, hi: 560_000_00 });
  const p = scheduleDefaults(sale, lotSale, JUDICIAL, NOW);
  assert.equal(p.startingPrice, 560_000_00);
  assert.equal(p.deposit, 560_000_00);
  assert.deepEqual(keys(scheduleChecks(p, sale, lotSale, JUDICIAL, NOW)), []);
  assert.deepEqual(keys(scheduleChecks({ ...p, startingPrice: 600_000_00 }, sale, lotSale, JUDICIAL, NOW)), ["chk_sale_price", "chk_deposit"]);
  // the check names the round whose price the sale takes: round 2 under the law
  assert.deepEqual(scheduleChecks(p, sale, lotSale, JUDICIAL, NOW).find((c) => c.key === "chk_sale_price").params, { amount: 560_000_00, round: 2 });
  // rule 19: the sale is open for its whole 60-day window; a 24-hour window is refused
  assert.equal(p.endAt - p.startAt, 60 * DAY_MS);
  assert.deepEqual(keys(scheduleChecks({ ...p, endAt: p.startAt + DAY_MS }, sale, lotSale, JUDICIAL, NOW)), ["chk_sale_window"]);
});

test("the sandbox: no announcement and no least period, a start in ten minutes for an hour", () => {
  const plan = { ...plan1, announcement_seconds: null, earliest_start_at: new Date(NOW).toISOString() };
  const p = scheduleDefaults(plan, lot, SANDBOX, NOW);
  assert.ok(p.startAt > NOW && p.startAt <= NOW + 10 * 60000);
  assert.equal(p.endAt - p.startAt, 3600_000);
  const list = scheduleChecks(p, plan, lot, SANDBOX, NOW);
  assert.deepEqual(keys(list), []);
  assert.ok(!list.some((c) => c.key === "chk_announce" || c.key === "chk_period"));
});

test("roundUpTo proposes tidy amounts", () => {
  assert.equal(roundUpTo(700_000_01), 700_100_00);
  assert.equal(roundUpTo(3_456, 100), 3_500);
});

test("a research profile's 变卖 takes the last auction round's price, and its check names that round", () => {
  const third = { id: 5, round: 3, status: "unsold", starting_price: 448_000_00 };
  const lotThree = { ...lot, auctions: [failed, { id: 4, round: 2, status: "unsold", starting_price: 560_000_00 }, third] };
  const sale = { ...plan2, round: "sale", previous_auction_id: 5, announcement_seconds: null, min_start_price_fen: 448_000_00, deposit_min_fen: 448_000_00, deposit_max_fen: 448_000_00 };
  const p = scheduleDefaults(sale, lotThree, JUDICIAL, NOW);
  const check = scheduleChecks(p, sale, lotThree, JUDICIAL, NOW).find((c) => c.key === "chk_sale_price");
  assert.deepEqual(check, { ok: true, key: "chk_sale_price", params: { amount: 448_000_00, round: 3 } });
});
