// i18n/lookup.js and the dictionaries: plural forms, fallbacks, placeholders, refusals; every text's
// rule placeholders are filled from the rules answer (rules_calc.ruleTexts) and read as they did when
// the numbers were written into the texts.

import assert from "node:assert/strict";
import { test } from "node:test";

import en from "../../bidder_client/web/i18n/en.js";
import enStaff from "../../bidder_client/web/i18n/en_staff.js";
import errors from "../../bidder_client/web/i18n/errors.js";
import { fillIn, refusal, translate } from "../../bidder_client/web/i18n/lookup.js";
import zh from "../../bidder_client/web/i18n/zh.js";
import zhStaff from "../../bidder_client/web/i18n/zh_staff.js";
import { ruleTexts } from "../../bidder_client/web/rules_calc.js";
import { JUDICIAL, SANDBOX } from "./fixtures.mjs";

const dicts = { zh: { ...zh, ...zhStaff }, en: { ...en, ...enStaff } };
const rules = ruleTexts(JUDICIAL);

test("English singulars: the _one form when n is 1", () => {
  assert.equal(translate(dicts, "en", "bids_count", { n: 1 }), "1 bid");
  assert.equal(translate(dicts, "en", "bids_count", { n: "1" }), "1 bid");
  assert.match(translate(dicts, "en", "bids_count", { n: 2 }), /^2 bids?/);
  assert.equal(translate(dicts, "en", "bids_count", { n: 0 }), dicts.en.bids_count.replace("{n}", "0"));
  // Chinese has no singular form: the one text serves every n
  assert.equal(translate(dicts, "zh", "bids_count", { n: 1 }), dicts.zh.bids_count.replace("{n}", "1"));
});

test("a missing key falls back to Chinese, then to the key itself", () => {
  const sparse = { zh: { only_zh: "中文" }, en: {} };
  assert.equal(translate(sparse, "en", "only_zh"), "中文");
  assert.equal(translate(sparse, "en", "nowhere"), "nowhere");
  assert.equal(translate(sparse, "fr", "only_zh"), "中文");
});

test("placeholders: params first, then the rule defaults, else left as written", () => {
  assert.equal(fillIn("{a} {b} {c}", { a: 1 }, { a: 9, b: 2 }), "1 2 {c}");
  assert.equal(fillIn("{n}", { n: 0 }), "0");
});

test("refusals: the code's text with the service's message, else a generic line", () => {
  assert.equal(refusal({ x: "bad: {message}" }, { code: "x", message: "why" }, "generic"), "bad: why");
  assert.equal(refusal({}, { code: "y", message: "why" }, "generic"), "generic: why");
  assert.equal(refusal({}, { code: "y" }, "generic"), "generic");
  const text = refusal(errors.zh, { code: "deposit_out_of_range" }, "generic", rules);
  assert.equal(text, "保证金须为起拍价的 5% 至 20%。");
});

test("Chinese and English know the same keys", () => {
  const zhKeys = new Set(Object.keys(dicts.zh));
  const missing = Object.keys(dicts.en).filter((k) => !zhKeys.has(k) && !k.endsWith("_one"));
  assert.deepEqual(missing, []);
  assert.deepEqual(Object.keys(errors.en).filter((k) => !(k in errors.zh)), []);
});

test("every rule placeholder in a text is one the rules fill", () => {
  const known = new Set(Object.keys(rules));
  const ruleLike = /\{(ext_minutes|floor\d_pct|deposit_\w+_pct|period_hours|relist_days|ann\d_\w+|balance_days)\}/g;
  for (const table of [dicts.zh, dicts.en, errors.zh, errors.en]) {
    for (const text of Object.values(table)) {
      for (const [, name] of text.matchAll(ruleLike)) assert.ok(known.has(name), name);
    }
  }
});

test("with the judicial rules the texts read as the rules say", () => {
  const zhText = (key, params) => translate(dicts, "zh", key, params, rules);
  const enText = (key, params) => translate(dicts, "en", key, params, rules);
  assert.equal(zhText("extension_note"), "最后 5 分钟内有人出价,结束时间自该出价时点顺延 5 分钟。");
  assert.equal(enText("extended_flash"), "Extended by 5 minutes");
  assert.equal(zhText("chk_floor1", { amount: "¥1.00" }), "一拍起拍价不低于评估价的 70%(¥1.00)");
  assert.equal(zhText("chk_floor2", { amount: "¥1.00" }), "再次拍卖起拍价不低于上一轮起拍价的 80%(¥1.00)");
  assert.equal(zhText("chk_deposit", { lo: "a", hi: "b" }), "保证金为起拍价的 5%–20%(a – b)");
  assert.equal(enText("chk_period"), "Bidding period at least 24 hours");
  assert.equal(zhText("desk_restart").slice(0, 14), "已超过 30 日再次拍卖期限");
  assert.equal(
    refusal(errors.en, { code: "announcement_too_short" }, "", rules),
    "Announcement period too short (round 1: 30 days real estate, 15 movables; round 2: 15 / 7).",
  );
  assert.equal(refusal(errors.zh, { code: "reauction_announced_too_late" }, "", rules), "流拍后须在 30 日内公告再次拍卖。");
});

test("blocked reasons have a text for each code the next-round plan names", () => {
  for (const code of ["auction_open", "lot_already_sold", "lot_concluded"]) {
    assert.ok(dicts.zh[`blocked_${code}`], code);
    assert.ok(dicts.en[`blocked_${code}`], code);
  }
  assert.equal(dicts.zh.blocked_auction_open, "已有尚未结束的拍卖");
});

test("the sandbox's absent limits read as a dash, never as a number", () => {
  const sandbox = ruleTexts(SANDBOX);
  assert.equal(sandbox.period_hours, "—");
  assert.equal(sandbox.relist_days, "—");
  assert.equal(sandbox.ann1_long, "—");
  assert.equal(sandbox.ext_minutes, 5);
});
