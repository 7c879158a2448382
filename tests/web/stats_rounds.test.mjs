// views/stats/rounds.js: the statistics page's share of sales per round names every round the answer
// holds, in order (1, 2, 3, …, 变卖), in both languages; under the law's rounds it reads as it always did.

import assert from "node:assert/strict";
import { test } from "node:test";

import { percent } from "../../bidder_client/web/format.js";
import en from "../../bidder_client/web/i18n/en.js";
import enStaff from "../../bidder_client/web/i18n/en_staff.js";
import { translate } from "../../bidder_client/web/i18n/lookup.js";
import zh from "../../bidder_client/web/i18n/zh.js";
import zhStaff from "../../bidder_client/web/i18n/zh_staff.js";
import { roundSharesKpi, roundsOf, roundsUnder } from "../../bidder_client/web/views/stats/rounds.js";

const dicts = { zh: { ...zh, ...zhStaff }, en: { ...en, ...enStaff } };
const lookup = (lang) => (key, params) => translate(dicts, lang, key, params);

const LAW = { 1: 0.5, 2: 0.25, sale: 0.25 };
// a research profile with three auction rounds, the answer's keys in no particular order
const THREE = { sale: 0.1, 3: 0.2, 1: 0.4, 2: 0.3 };

test("under the law's rounds the figure reads as before", () => {
  assert.deepEqual(roundSharesKpi(LAW, lookup("zh"), percent), {
    label: "成交轮次占比 一拍/二拍/变卖",
    value: "50% / 25% / 25%",
  });
  assert.deepEqual(roundSharesKpi(LAW, lookup("en"), percent), {
    label: "Sales by round: 1 / 2 / fixed-price",
    value: "50% / 25% / 25%",
  });
});

test("a third round has its own share, named, between round 2 and 变卖", () => {
  assert.deepEqual(roundSharesKpi(THREE, lookup("zh"), percent), {
    label: "成交轮次占比 一拍/二拍/三拍/变卖",
    value: "40% / 30% / 20% / 10%",
  });
  assert.deepEqual(roundSharesKpi(THREE, lookup("en"), percent), {
    label: "Sales by round: 1 / 2 / 3 / fixed-price",
    value: "40% / 30% / 20% / 10%",
  });
});

test("rounds sort as numbers, 变卖 last; no answer: the law's rounds, no share", () => {
  assert.deepEqual(roundsOf({ sale: 0, 10: 0, 2: 0, 1: 0 }), ["1", "2", "10", "sale"]);
  assert.deepEqual(roundsOf(undefined), ["1", "2", "sale"]);
  assert.equal(roundSharesKpi(undefined, lookup("zh"), percent).value, "— / — / —");
  assert.deepEqual(roundSharesKpi({ 1: null, 2: null, sale: null }, lookup("zh"), percent).value, "— / — / —");
});

test("the round filter offers each round the rules hold, then 变卖", () => {
  assert.deepEqual(roundsUnder({ auction_rounds: 2 }), ["1", "2", "sale"]);
  assert.deepEqual(roundsUnder({ auction_rounds: 4 }), ["1", "2", "3", "4", "sale"]);
  assert.deepEqual(roundsUnder(null), ["1", "2", "sale"]);
});

test("a profile that offers no 变卖 is offered no 变卖 filter", () => {
  assert.deepEqual(roundsUnder({ auction_rounds: 3, sale_offered: false }), ["1", "2", "3"]);
  assert.deepEqual(roundsUnder({ auction_rounds: 2, sale_offered: true }), ["1", "2", "sale"]);
});

test("every round a research profile may hold has a name in both languages", () => {
  for (const lang of ["zh", "en"])
    for (const r of roundsUnder({ auction_rounds: 6 })) assert.ok(dicts[lang][`round_${r}`], `${lang}: round_${r}`);
});
