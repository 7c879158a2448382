// views/stats/layout.js: a bar chart's value and its year-on-year note never overlap.

import assert from "node:assert/strict";
import { test } from "node:test";

import { barLayout, textWidth } from "../../bidder_client/web/views/stats/layout.js";

const quarters = [
  { label: "2026-Q1", text: "¥12,345.67万", note: "同比 +1234.5%" },
  { label: "2026-Q2", text: "¥9.87亿", note: "无同比" },
  { label: "2026-Q3", text: "¥0", note: "YoY -100.0%" },
];

for (const width of [300, 360, 420, 560, 800, 1100]) {
  test(`at ${width}px the value ends before its note starts`, () => {
    const layout = barLayout(quarters, width);
    for (const row of quarters) {
      const valueEnd = layout.valueX + textWidth(row.text);
      const noteStart = layout.noteX - textWidth(row.note);
      assert.ok(valueEnd <= layout.noteX, "the value stays inside the chart");
      if (!layout.noteBelow) assert.ok(valueEnd < noteStart, `${row.text} runs into ${row.note} at ${width}px`);
    }
  });
}

test("a narrow chart puts the note under the bar and makes the row taller", () => {
  const layout = barLayout(quarters, 300);
  assert.equal(layout.noteBelow, true);
  assert.ok(layout.rowH > 22);
});

test("a wide chart keeps the note on the bar's line", () => {
  assert.equal(barLayout(quarters, 1100).noteBelow, false);
});

test("rows without notes leave all the room to the track", () => {
  const layout = barLayout([{ label: "甲法院", text: "¥1万" }], 560);
  assert.equal(layout.noteBelow, false);
  assert.ok(layout.track > 300);
});
