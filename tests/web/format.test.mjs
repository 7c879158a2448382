// format.js: money in fen, yuan parsing, sizes, percentages, durations and times (pure, no DOM).

import assert from "node:assert/strict";
import { test } from "node:test";

process.env.TZ = "Asia/Shanghai"; // the times below are read in a fixed zone

const f = await import("../../bidder_client/web/format.js");

test("money: fen to yuan text, exact, grouped, two decimals", () => {
  assert.equal(f.money(123456789), "¥1,234,567.89");
  assert.equal(f.money(70000000), "¥700,000.00");
  assert.equal(f.money(5), "¥0.05");
  assert.equal(f.money(-150), "-¥1.50");
  assert.equal(f.money(0), "¥0.00");
  assert.equal(f.money(null), "—");
  assert.equal(f.money(undefined), "—");
  assert.equal(f.money(123456, { symbol: false }), "1,234.56");
  assert.equal(f.money(900719925474099312n), "¥9,007,199,254,740,993.12"); // past 2^53: still exact
});

test("moneyShort: 万 / 亿 in Chinese, k / M / B in English", () => {
  assert.equal(f.moneyShort(123456700, "zh"), "¥123万");
  assert.equal(f.moneyShort(12345600, "zh"), "¥12.3万");
  assert.equal(f.moneyShort(250000000000, "zh"), "¥25.00亿");
  assert.equal(f.moneyShort(999900, "zh"), "¥9,999.00");
  assert.equal(f.moneyShort(123456700, "en"), "¥1.23M");
  assert.equal(f.moneyShort(2500000, "en"), "¥25k");
  assert.equal(f.moneyShort(null, "en"), "—");
});

test("parseYuan: yuan text to fen, exactly, or null", () => {
  assert.equal(f.parseYuan("1,234.5"), 123450);
  assert.equal(f.parseYuan("¥ 700000"), 70000000);
  assert.equal(f.parseYuan("0.01"), 1);
  assert.equal(f.parseYuan("12."), 1200);
  assert.equal(f.parseYuan("1.234"), null);
  assert.equal(f.parseYuan("-5"), null);
  assert.equal(f.parseYuan("0"), null);
  assert.equal(f.parseYuan("abc"), null);
  assert.equal(f.parseYuan(""), null);
  assert.equal(f.parseYuan("10000000000001"), null); // over 10^15 fen
});

test("yuanInput round-trips with parseYuan", () => {
  for (const fen of [1, 99, 100, 123450, 70000000]) assert.equal(f.parseYuan(f.yuanInput(fen)), fen);
  assert.equal(f.yuanInput(123450), "1234.50");
  assert.equal(f.yuanInput(null), "");
});

test("fileSize and percent", () => {
  assert.equal(f.fileSize(512), "512 B");
  assert.equal(f.fileSize(1536), "1.5 KB");
  assert.equal(f.fileSize(3 * 1024 * 1024), "3.0 MB");
  assert.equal(f.fileSize(null), "—");
  assert.equal(f.percent(0.1234), "12.34%");
  assert.equal(f.percent(0.5, 0), "50%");
  assert.equal(f.percent(null), "—");
  assert.equal(f.percent(NaN), "—");
});

test("duration: minutes and seconds, hours once there are any, days by language", () => {
  assert.equal(f.duration(65_000), "01:05");
  assert.equal(f.duration(3_600_000 + 2_000), "01:00:02");
  assert.equal(f.duration((2 * 86400 + 3 * 3600 + 4 * 60 + 5) * 1000, "zh"), "2天 03:04:05");
  assert.equal(f.duration((2 * 86400 + 3 * 3600 + 4 * 60 + 5) * 1000, "en"), "2d 03:04:05");
  assert.equal(f.duration(-5000), "00:00");
  assert.equal(f.duration(999), "00:00");
});

test("dateTime and timeOnly in the viewer's zone and language", () => {
  const iso = "2026-03-01T02:03:04Z"; // 10:03:04 in Shanghai
  assert.equal(f.dateTime(iso, { locale: "zh-CN" }), "2026/03/01 10:03:04");
  assert.equal(f.dateTime(iso, { locale: "zh-CN", seconds: false }), "2026/03/01 10:03");
  assert.equal(f.dateTime(iso, { locale: "en-GB" }), "01/03/2026, 10:03:04");
  assert.equal(f.timeOnly(iso, "zh-CN"), "10:03:04");
  assert.equal(f.dateTime(null), "—");
  assert.equal(f.timeOnly(""), "—");
});

test("datetime-local values: local wall time both ways", () => {
  const ms = Date.parse("2026-03-01T02:03:00Z");
  assert.equal(f.toLocalInput(ms), "2026-03-01T10:03");
  assert.equal(f.fromLocalInput("2026-03-01T10:03"), ms);
  assert.equal(f.fromLocalInput(""), null);
  assert.equal(f.fromLocalInput("not a time"), null);
});
