// Live-feed load generator: many websocket watchers on one auction plus one paced HTTP bidder, in one
// Node.js process with no dependencies (node >= 18).
//
// Why Node and not Python: a watcher has to read and parse every event, and 1,000 watchers at 200
// bids/s are 200,000 messages a second. Python clients spent more CPU than the server they were
// measuring; here a watcher is a raw socket with a minimal RFC 6455 frame reader (server frames are
// never masked; pings are answered with masked pongs, as a client must).
//
// Measures bid-to-delivery latency: from the moment the bidder sends a bid (HTTP POST) to the moment
// each watcher has the bid's event, by the bid's amount (amounts only rise, so each is unique). Also
// checks that every watcher got every accepted bid once and in seq order.
//
//   node loadtests/feed_watchers.mjs --port 8000 --auction 1 --token JWT --watchers 1000 \
//        --rate 200 --seconds 10 --increment 100
//
// Prints progress lines and, last, one line "FEEDJSON {...}" with the figures.

import net from "node:net";
import http from "node:http";
import crypto from "node:crypto";
import { performance } from "node:perf_hooks";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => {
    if (arg.startsWith("--")) pairs.push([arg.slice(2), all[i + 1]]);
    return pairs;
  }, []),
);
const HOST = "127.0.0.1"; // loopback only
const PORT = Number(args.port);
const AUCTION = Number(args.auction);
const TOKEN = args.token;
const WATCHERS = Number(args.watchers ?? 1000);
const RATE = Number(args.rate ?? 200);
const SECONDS = Number(args.seconds ?? 10);
const INCREMENT = Number(args.increment ?? 100);
const WAVE = Number(args.wave ?? 200); // handshakes in flight at once
const DRAIN_MS = Number(args.drain ?? 3000);
const CONNECT_TIMEOUT_MS = Number(args["connect-timeout"] ?? 120000);

const log = (msg) => console.log(`[feed ${new Date().toISOString().slice(11, 19)}] ${msg}`);

// ----------------------------------------------------------------- latency histogram (0.1 ms bins)
const BIN_MS = 0.1;
const bins = new Float64Array(600000); // up to 60 s
let samples = 0;
let maxMs = 0;
function record(ms) {
  const i = Math.min(bins.length - 1, Math.max(0, Math.floor(ms / BIN_MS)));
  bins[i] += 1;
  samples += 1;
  if (ms > maxMs) maxMs = ms;
}
function percentile(q) {
  const want = q * samples;
  let seen = 0;
  for (let i = 0; i < bins.length; i++) {
    seen += bins[i];
    if (seen >= want && seen > 0) return (i + 1) * BIN_MS;
  }
  return NaN;
}

// ----------------------------------------------------------------- watchers
const sentAt = new Map(); // amount -> performance.now() when the bid was sent
let snapshotSeq = null;
let snapshotPrice = null;

class Watcher {
  constructor(id) {
    this.id = id;
    this.ready = false;
    this.closed = false;
    this.closeCode = null;
    this.lastSeq = null;
    this.bids = 0;
    this.gaps = 0;
    this.duplicates = 0;
    this.buffer = Buffer.alloc(0);
    this.handshaken = false;
  }

  connect() {
    return new Promise((resolve) => {
      this.onReady = resolve;
      const key = crypto.randomBytes(16).toString("base64");
      const sock = net.connect({ host: HOST, port: PORT });
      this.sock = sock;
      sock.setNoDelay(true);
      sock.on("connect", () => {
        sock.write(
          `GET /api/v1/auctions/${AUCTION}/live HTTP/1.1\r\nHost: ${HOST}:${PORT}\r\nUpgrade: websocket\r\n` +
            `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      sock.on("data", (chunk) => this.onData(chunk));
      sock.on("error", () => this.onClose());
      sock.on("close", () => this.onClose());
    });
  }

  onClose() {
    if (!this.closed) {
      this.closed = true;
      if (this.onReady) this.onReady(false);
      this.onReady = null;
    }
  }

  onData(chunk) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    if (!this.handshaken) {
      const end = this.buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = this.buffer.subarray(0, end).toString("latin1");
      if (!head.startsWith("HTTP/1.1 101")) {
        this.sock.destroy();
        return;
      }
      this.handshaken = true;
      this.buffer = this.buffer.subarray(end + 4);
    }
    const now = performance.now();
    let buf = this.buffer;
    let off = 0;
    while (buf.length - off >= 2) {
      const b0 = buf[off];
      let len = buf[off + 1] & 0x7f;
      let head = 2;
      if (len === 126) {
        if (buf.length - off < 4) break;
        len = buf.readUInt16BE(off + 2);
        head = 4;
      } else if (len === 127) {
        if (buf.length - off < 10) break;
        len = Number(buf.readBigUInt64BE(off + 2));
        head = 10;
      }
      if (buf.length - off < head + len) break;
      const payload = buf.subarray(off + head, off + head + len);
      off += head + len;
      this.onFrame(b0 & 0x0f, payload, now);
    }
    this.buffer = off === buf.length ? Buffer.alloc(0) : buf.subarray(off);
  }

  onFrame(opcode, payload, now) {
    if (opcode === 0x9) {
      // ping: answer with a masked pong carrying the same payload
      const mask = crypto.randomBytes(4);
      const masked = Buffer.from(payload);
      for (let i = 0; i < masked.length; i++) masked[i] ^= mask[i & 3];
      this.sock.write(Buffer.concat([Buffer.from([0x8a, 0x80 | masked.length]), mask, masked]));
      return;
    }
    if (opcode === 0x8) {
      this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      this.sock.destroy();
      return;
    }
    if (opcode !== 0x1) return;
    if (!this.ready) {
      const text = payload.toString("utf8");
      if (text.startsWith('{"type":"snapshot"')) {
        const msg = JSON.parse(text);
        this.lastSeq = msg.seq;
        if (snapshotSeq === null) {
          snapshotSeq = msg.seq;
          snapshotPrice = msg.auction.current_price ?? null;
        }
        this.ready = true;
        const done = this.onReady;
        this.onReady = null;
        if (done) done(true);
      }
      return;
    }
    // Bid events are read from the bytes (no UTF-8 decoding of every message: the generator must
    // stay cheaper than the server it measures).
    if (payload.length < BID_PREFIX.length || payload.compare(BID_PREFIX, 0, BID_PREFIX.length, 0, BID_PREFIX.length) !== 0) return;
    const seq = intAt(payload, SEQ_KEY);
    if (seq <= this.lastSeq) this.duplicates += 1;
    else if (seq !== this.lastSeq + 1) this.gaps += 1;
    this.lastSeq = Math.max(this.lastSeq, seq);
    this.bids += 1;
    const sent = sentAt.get(intAt(payload, AMOUNT_KEY));
    if (sent !== undefined) record(now - sent);
  }
}

const BID_PREFIX = Buffer.from('{"type":"bid"');
const SEQ_KEY = Buffer.from('"seq":');
const AMOUNT_KEY = Buffer.from('"amount":');

function intAt(buf, key) {
  let i = buf.indexOf(key);
  if (i < 0) return null;
  i += key.length;
  let n = 0;
  for (let c = buf[i]; c >= 48 && c <= 57; c = buf[++i]) n = n * 10 + (c - 48);
  return n;
}

async function connectAll() {
  const watchers = Array.from({ length: WATCHERS }, (_, i) => new Watcher(i));
  const began = performance.now();
  let next = 0;
  let connected = 0;
  let failed = 0;
  async function lane() {
    while (next < watchers.length) {
      const w = watchers[next++];
      const ok = await Promise.race([
        w.connect(),
        new Promise((r) => setTimeout(() => r(false), CONNECT_TIMEOUT_MS)),
      ]);
      if (ok) connected += 1;
      else failed += 1;
      if ((connected + failed) % 1000 === 0) log(`${connected} watchers connected, ${failed} failed`);
    }
  }
  await Promise.all(Array.from({ length: Math.min(WAVE, WATCHERS) }, lane));
  return { watchers, connectSeconds: (performance.now() - began) / 1000, connected, failed };
}

// ----------------------------------------------------------------- the bidder
function bidder(firstAmount) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const result = { sent: 0, accepted: 0, refused: 0, errors: 0, codes: {} };
  let amount = firstAmount;
  const pending = new Set();
  function send() {
    const my = amount;
    amount += INCREMENT;
    const body = JSON.stringify({ amount: my });
    sentAt.set(my, performance.now());
    result.sent += 1;
    const p = new Promise((resolve) => {
      const req = http.request(
        {
          host: HOST,
          port: PORT,
          method: "POST",
          path: `/api/v1/auctions/${AUCTION}/bids`,
          agent,
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            authorization: `Bearer ${TOKEN}`,
          },
        },
        (res) => {
          let data = "";
          res.on("data", (c) => (data += c));
          res.on("end", () => {
            if (res.statusCode === 201) result.accepted += 1;
            else {
              result.refused += 1;
              const code = (data.match(/"code":"([a-z_]+)"/) || [])[1] || String(res.statusCode);
              result.codes[code] = (result.codes[code] || 0) + 1;
            }
            resolve();
          });
        },
      );
      req.on("error", () => {
        result.errors += 1;
        resolve();
      });
      req.end(body);
    });
    pending.add(p);
    p.then(() => pending.delete(p));
  }
  return new Promise((resolve) => {
    const began = performance.now();
    const total = Math.round(RATE * SECONDS);
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - began) / 1000) * RATE) + 1);
      while (result.sent < due) send();
      if (result.sent >= total) {
        Promise.all([...pending]).then(() => {
          agent.destroy();
          resolve({ ...result, seconds: (performance.now() - began) / 1000 });
        });
        return;
      }
      setTimeout(tick, Math.max(0, began + (result.sent / RATE) * 1000 - performance.now()));
    };
    tick();
  });
}

// ----------------------------------------------------------------- run
const { watchers, connectSeconds, connected, failed } = await connectAll();
log(`${connected} of ${WATCHERS} watchers connected in ${connectSeconds.toFixed(1)} s (${failed} failed)`);
const first = snapshotPrice === null ? Number(args["first-amount"]) : snapshotPrice + INCREMENT;
const cpuBefore = process.cpuUsage();
const bids = RATE > 0 && SECONDS > 0 ? await bidder(first) : { sent: 0, accepted: 0, refused: 0, errors: 0, codes: {}, seconds: 0 };
log(`bids sent ${bids.sent}, accepted ${bids.accepted}, refused ${bids.refused} in ${bids.seconds.toFixed(1)} s`);
await new Promise((r) => setTimeout(r, DRAIN_MS));
const cpu = process.cpuUsage(cpuBefore);
const live = watchers.filter((w) => w.ready);
const held = live.filter((w) => !w.closed).length;
const short = live.filter((w) => w.bids < bids.accepted).length;
const closeCodes = {};
for (const w of live) if (w.closed) closeCodes[w.closeCode ?? 1006] = (closeCodes[w.closeCode ?? 1006] || 0) + 1;
const out = {
  watchers: WATCHERS,
  connected,
  failed,
  connect_seconds: connectSeconds,
  held,
  close_codes: closeCodes,
  bids,
  rate: RATE,
  expected_deliveries: bids.accepted * connected,
  deliveries: live.reduce((n, w) => n + w.bids, 0),
  watchers_short: short,
  gaps: live.reduce((n, w) => n + w.gaps, 0),
  duplicates: live.reduce((n, w) => n + w.duplicates, 0),
  latency_samples: samples,
  p50_ms: percentile(0.5),
  p95_ms: percentile(0.95),
  p99_ms: percentile(0.99),
  max_ms: maxMs,
  generator_cpu_seconds: (cpu.user + cpu.system) / 1e6,
};
console.log(`FEEDJSON ${JSON.stringify(out)}`);
for (const w of watchers) w.sock?.destroy();
process.exit(0);
