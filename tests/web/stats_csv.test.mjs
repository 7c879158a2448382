// views/stats/csv.js: the statistics CSV built in the browser.

import assert from "node:assert/strict";
import { test } from "node:test";

import { statsCsv } from "../../bidder_client/web/views/stats/csv.js";

const figures = (n) => ({
  auctions_ended: n,
  sold: n,
  unsold: 0,
  withdrawn: 0,
  transaction_rate: 1,
  lots_concluded: n,
  lots_sold: n,
  lot_transaction_rate: 1,
  deal_amount: 123456789,
  premium_rate_over_start: { mean: 0.1, median: 0.1, max: 0.2 },
  premium_rate_over_appraisal: { mean: null, median: null, max: null },
  bids_per_auction: 3.5,
  extensions_per_auction: 0,
});

test("one header, the whole, then each group; money in yuan without grouping; quoted cells", () => {
  const csv = statsCsv(figures(2), [{ dim: "court", rows: [{ value: "法院, \"一\"", stats: figures(1) }] }], { court: "", year: 2026 });
  const lines = csv.split("\r\n");
  assert.equal(lines.length, 4); // header, all, one group, and the closing line break
  assert.ok(lines[0].startsWith("group,value,auctions_ended,"));
  assert.ok(lines[1].startsWith("all,year=2026,2,2,0,0,1,2,2,1,1234567.89,0.1,0.1,0.2,,,,3.5,0"));
  assert.ok(lines[2].startsWith('court,"法院, ""一""",1,'));
  assert.equal(lines[3], "");
});
