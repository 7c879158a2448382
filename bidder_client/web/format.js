// Money and time formatting: pure functions (no DOM, no storage), so they run under Node's test runner
// too (tests/web/). The language-dependent ones take the language or locale; i18n.js passes the page's.

// ---------------------------------------------------------------- money (integers of fen, no floats)

function groupThousands(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** 123456789 fen -> "¥1,234,567.89"; whole yuan keep ".00" so columns line up. */
export function money(fen, { symbol = true } = {}) {
  if (fen === null || fen === undefined) return "—";
  const n = BigInt(fen);
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const yuan = abs / 100n;
  const cents = (abs % 100n).toString().padStart(2, "0");
  return `${negative ? "-" : ""}${symbol ? "¥" : ""}${groupThousands(yuan.toString())}.${cents}`;
}

/** Compact money for charts and cards: 万 / 亿 in Chinese, k / M in English, from integers. */
export function moneyShort(fen, lang = "zh") {
  if (fen === null || fen === undefined) return "—";
  const yuan = Number(BigInt(fen) / 100n);
  if (lang === "zh") {
    if (yuan >= 1e8) return `¥${(yuan / 1e8).toFixed(2)}亿`;
    if (yuan >= 1e4) return `¥${(yuan / 1e4).toFixed(yuan >= 1e6 ? 0 : 1)}万`;
    return money(fen);
  }
  if (yuan >= 1e9) return `¥${(yuan / 1e9).toFixed(2)}B`;
  if (yuan >= 1e6) return `¥${(yuan / 1e6).toFixed(2)}M`;
  if (yuan >= 1e4) return `¥${(yuan / 1e3).toFixed(0)}k`;
  return money(fen);
}

/** "1,234.5" (yuan) -> 123450 fen, exactly; null when malformed. */
export function parseYuan(text) {
  const clean = String(text ?? "")
    .trim()
    .replace(/[,,\s¥]/g, "");
  const m = /^(\d+)(?:\.(\d{0,2}))?$/.exec(clean);
  if (!m) return null;
  const fen = BigInt(m[1]) * 100n + BigInt((m[2] || "").padEnd(2, "0") || "0");
  if (fen < 1n || fen > 10n ** 15n) return null;
  return Number(fen);
}

/** fen -> "1234.50" for an input's value. */
export function yuanInput(fen) {
  if (fen === null || fen === undefined) return "";
  return money(fen, { symbol: false }).replace(/,/g, "");
}

/** 1536 -> "1.5 KB". */
export function fileSize(bytes) {
  if (bytes === null || bytes === undefined) return "—";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function percent(rate, digits = 2) {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return "—";
  return `${(rate * 100).toFixed(digits)}%`;
}

export function number(value, digits = 0, locale = "zh-CN") {
  if (value === null || value === undefined) return "—";
  return Number(value).toLocaleString(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

// ---------------------------------------------------------------- times (the viewer's time zone)

export function timeZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

export function dateTime(iso, { seconds = true, locale = "zh-CN" } = {}) {
  if (!iso) return "—";
  const d = new Date(iso);
  return new Intl.DateTimeFormat(locale, {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: seconds ? "2-digit" : undefined,
    hour12: false,
  }).format(d);
}

export function timeOnly(iso, locale = "zh-CN") {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(locale, {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hour12: false,
  }).format(new Date(iso));
}

/** Milliseconds -> "2天 03:04:05" / "2d 03:04:05" / "04:05". */
export function duration(ms, lang = "zh") {
  const total = Math.floor(Math.max(ms, 0) / 1000);
  const days = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (v) => String(v).padStart(2, "0");
  const hms = h > 0 || days > 0 ? `${pad(h)}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
  if (days > 0) return lang === "zh" ? `${days}天 ${hms}` : `${days}d ${hms}`;
  return hms;
}

/** A datetime-local input's value for an instant, in the viewer's time zone. */
export function toLocalInput(ms) {
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The instant a datetime-local value names (read in the viewer's time zone); null when empty or bad. */
export function fromLocalInput(value) {
  if (!value) return null;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : ms;
}
